import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatSignerKey, generateSigner, parseSignerKey, verifierKeyFor, type NoteSigner } from './checkpoint';
import { LedgerException } from './ledger.exception';

/**
 * The Ed25519 key that signs checkpoints. Its name is the log's origin. It comes from a value
 * (an environment variable holding `PRIVATE+KEY+…`), or from a file, which is created with mode
 * 0600 on first start. A key file readable by group or others is refused. Messages never contain
 * the private key.
 */
export interface SigningKeyOptions {
  /** File holding the signer key text; created when missing. */
  path?: string;
  /** The signer key text itself (takes precedence over path). */
  value?: string;
  /** The log's origin: the name of a generated key; a loaded key must carry this name. */
  origin?: string;
}

export interface LoadedSigningKey {
  signer: NoteSigner;
  /** The public verifier key text auditors need (`name+hex8+base64`). */
  verifierKey: string;
  source: 'value' | 'file' | 'generated';
}

export function defaultOrigin(): string {
  return `gitseal/${randomBytes(4).toString('hex')}`;
}

function parseKey(text: string, where: string, origin: string | undefined): NoteSigner {
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(text);
  } catch (err) {
    throw new LedgerException('invalid-key', `checkpoint key ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (origin !== undefined && signer.name !== origin) {
    throw new LedgerException('invalid-key', `checkpoint key ${where} is named ${signer.name}, but the configured origin is ${origin}`);
  }
  return signer;
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

async function readKeyFile(path: string, origin: string | undefined): Promise<NoteSigner | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new LedgerException('key-file-error', `cannot read checkpoint key file ${path}: ${errnoCode(err) ?? 'error'}`);
  }
  if (!info.isFile()) throw new LedgerException('key-file-error', `checkpoint key file ${path} is not a regular file`);
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(3, '0');
    throw new LedgerException('insecure-key-file', `checkpoint key file ${path} has mode ${mode}; it must not be readable by group or others (chmod 600 ${path})`);
  }
  const text = await readFile(path, 'utf8');
  return parseKey(text, `in ${path}`, origin);
}

async function createKeyFile(path: string, origin: string): Promise<NoteSigner> {
  const signer = generateSigner(origin, randomBytes(32));
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let handle;
  try {
    handle = await open(path, 'wx', 0o600); // exclusive: never overwrite a key another process just wrote
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return (await readKeyFile(path, origin)) as NoteSigner;
    throw new LedgerException('key-file-error', `cannot create checkpoint key file ${path}: ${errnoCode(err) ?? 'error'}`);
  }
  try {
    await handle.writeFile(`${formatSignerKey(signer)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return signer;
}

export async function loadOrCreateSigningKey(options: SigningKeyOptions): Promise<LoadedSigningKey> {
  const { path, value, origin } = options;
  if (value !== undefined && value.trim() !== '') {
    const signer = parseKey(value, 'given as a value', origin);
    return { signer, verifierKey: verifierKeyFor(signer), source: 'value' };
  }
  if (path === undefined || path === '') {
    throw new LedgerException('key-file-error', 'no checkpoint key: give a key file path or a key value');
  }
  const existing = await readKeyFile(path, origin);
  if (existing) return { signer: existing, verifierKey: verifierKeyFor(existing), source: 'file' };
  const created = await createKeyFile(path, origin ?? defaultOrigin());
  return { signer: created, verifierKey: verifierKeyFor(created), source: 'generated' };
}
