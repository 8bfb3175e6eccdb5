import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { assembleData, isDataFile, type JsonObject } from './bundle-data';
import { parseManifest, type BundleManifest } from './bundle-manifest';
import { readTar, type TarEntry } from './tar-reader';
import { WasmBundleException } from './wasm-bundle.exception';

/**
 * Reads a policy bundle: `bundle.tar.gz` as `opa build -t wasm` writes it (`/policy.wasm`,
 * `/data.json`, optional `/.manifest`, the Rego sources) or a bare `.wasm` module. Hostile input
 * ends in a WasmBundleException with a clear message; sizes and counts are capped before anything
 * large is allocated.
 */
export interface BundleLimits {
  /** Size of the file (or bytes) as given, compressed. */
  maxBundleBytes: number;
  /** Size of the decompressed tar archive; also the cap for any one entry. */
  maxUnpackedBytes: number;
  /** Entries (files, directories, extended headers) in the archive. */
  maxEntries: number;
}

export interface WasmBundleFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface WasmBundle {
  format: 'tar.gz' | 'wasm';
  /** sha256 hex over the bundle's bytes exactly as read (what `sha256sum bundle.tar.gz` prints). */
  digest: string;
  wasm: Uint8Array;
  data: JsonObject;
  manifest: BundleManifest | null;
  /** Every regular file in the archive, in archive order (a bare module is one file, `/policy.wasm`). */
  files: WasmBundleFile[];
}

const POLICY_PATH = '/policy.wasm';
const MANIFEST_PATH = '/.manifest';
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const GZIP_MAGIC = [0x1f, 0x8b];
const gunzipAsync = promisify(gunzip);

export async function readBundleFile(path: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new WasmBundleException('unreadable', `cannot open policy bundle ${path}: ${ioReason(err)}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new WasmBundleException('unreadable', `policy bundle ${path} is not a regular file`);
    if (stat.size > maxBytes) {
      throw new WasmBundleException('too-large', `policy bundle ${path} is ${stat.size} bytes; the limit is ${maxBytes}`);
    }
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes) throw new WasmBundleException('too-large', `policy bundle ${path} grew past ${maxBytes} bytes while read`);
    return bytes;
  } catch (err) {
    if (err instanceof WasmBundleException) throw err;
    throw new WasmBundleException('unreadable', `cannot read policy bundle ${path}: ${ioReason(err)}`);
  } finally {
    await handle.close();
  }
}

export async function readBundle(bytes: Uint8Array, limits: BundleLimits): Promise<WasmBundle> {
  if (bytes.length > limits.maxBundleBytes) {
    throw new WasmBundleException('too-large', `the policy bundle is ${bytes.length} bytes; the limit is ${limits.maxBundleBytes}`);
  }
  const digest = sha256(bytes);
  if (startsWith(bytes, WASM_MAGIC)) {
    return { format: 'wasm', digest, wasm: bytes, data: {}, manifest: null, files: [fileInfo({ path: POLICY_PATH, data: bytes })] };
  }
  if (!startsWith(bytes, GZIP_MAGIC)) {
    throw new WasmBundleException('unknown-format', 'the policy bundle is neither a wasm module nor a gzip-compressed tar archive');
  }
  const entries = readTar(await decompress(bytes, limits.maxUnpackedBytes), {
    maxEntries: limits.maxEntries,
    maxEntryBytes: limits.maxUnpackedBytes,
  });
  return fromEntries(entries, digest);
}

function fromEntries(entries: TarEntry[], digest: string): WasmBundle {
  const wasm = entries.find((e) => e.path === POLICY_PATH);
  if (wasm === undefined) throw new WasmBundleException('missing-policy', 'the bundle holds no /policy.wasm');
  const stray = entries.find((e) => e.path !== POLICY_PATH && e.path.endsWith('/policy.wasm'));
  if (stray !== undefined) {
    throw new WasmBundleException('invalid-wasm', `the bundle holds ${stray.path}; gitseal evaluates only ${POLICY_PATH}`);
  }
  const manifestEntry = entries.find((e) => e.path === MANIFEST_PATH);
  const manifest = manifestEntry === undefined ? null : parseManifest(manifestEntry.data);
  for (const resolver of manifest?.wasm ?? []) {
    if (resolver.module !== POLICY_PATH) {
      throw new WasmBundleException(
        'bad-manifest',
        `/.manifest lists the wasm module ${resolver.module}; gitseal evaluates only ${POLICY_PATH}`,
      );
    }
  }
  const data = assembleData(entries.filter((e) => isDataFile(e.path)), manifest?.roots);
  return { format: 'tar.gz', digest, wasm: wasm.data, data, manifest, files: entries.map(fileInfo) };
}

async function decompress(bytes: Uint8Array, maxUnpacked: number): Promise<Uint8Array> {
  try {
    return await gunzipAsync(bytes, { maxOutputLength: maxUnpacked });
  } catch (err) {
    if (err instanceof RangeError) {
      throw new WasmBundleException('too-large', `the bundle unpacks to more than ${maxUnpacked} bytes`);
    }
    throw new WasmBundleException('corrupt-gzip', `the bundle's gzip stream is corrupt: ${ioReason(err)}`);
  }
}

function fileInfo(entry: TarEntry): WasmBundleFile {
  return { path: entry.path, bytes: entry.data.length, sha256: sha256(entry.data) };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function ioReason(err: unknown): string {
  const code = err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
