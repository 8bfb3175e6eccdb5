import { chmod, mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepositoryCredentials } from '../config/gitseal-file';
import { ASKPASS_PASSWORD_VAR, ASKPASS_USERNAME_VAR } from './git-env';
import type { RemoteUrl } from './remote-url';
import { SourceException } from './source.exception';

/**
 * Secrets named by the configuration (an environment variable or a file), read when needed so a
 * rotated secret is picked up without a restart. Errors name the variable or file, never a value.
 */
export interface SecretRef {
  env?: string;
  file?: string;
}

const MAX_SECRET_BYTES = 64 * 1024;

/** GitHub's user name for token authentication; GitLab and Gitea accept any name with a token. */
export const DEFAULT_TOKEN_USERNAME = 'x-access-token';

export async function readSecret(ref: SecretRef, env: NodeJS.ProcessEnv, what: string): Promise<string> {
  let value: string;
  if (ref.env) {
    const raw = env[ref.env];
    if (raw === undefined || raw === '') throw credentialError(`${what}: environment variable ${ref.env} is not set`);
    value = raw;
  } else if (ref.file) {
    value = (await readSmallFile(ref.file, what)).replace(/\r?\n$/, '');
  } else {
    throw credentialError(`${what}: no secret is configured`);
  }
  if (value.length === 0) throw credentialError(`${what}: the secret is empty`);
  if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw credentialError(`${what}: the secret is larger than ${MAX_SECRET_BYTES} bytes`);
  if (/[\0\r\n]/.test(value)) throw credentialError(`${what}: the secret contains a line break or NUL byte`);
  return value;
}

async function readSmallFile(path: string, what: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) throw credentialError(`${what}: ${path} is not a regular file`);
    if (info.size > MAX_SECRET_BYTES + 2) throw credentialError(`${what}: ${path} is larger than ${MAX_SECRET_BYTES} bytes`);
    return (await handle.readFile()).toString('utf8');
  } catch (err) {
    if (err instanceof SourceException) throw err;
    throw credentialError(`${what}: ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    await handle?.close();
  }
}

export interface ResolvedCredentials {
  /** For the askpass helper (HTTPS). */
  basic?: { username: string; password: string };
  ssh?: { keyFile?: string; knownHostsFile?: string };
  /** Every secret value, to scrub from any text that leaves the mirror. */
  secrets: string[];
}

/** Checks that the configured kind of credentials fits the remote's protocol (done once, at start). */
export function assertCredentialsFit(remote: RemoteUrl, creds: RepositoryCredentials | undefined): void {
  if (!creds) return;
  const https = Boolean(creds.username || creds.passwordEnv || creds.passwordFile);
  const ssh = Boolean(creds.sshKeyFile || creds.knownHostsFile);
  if (https && remote.protocol !== 'https') {
    throw credentialError(`credentials.username/passwordEnv/passwordFile apply to https remotes, not ${remote.protocol} (${remote.display})`);
  }
  if (ssh && remote.protocol !== 'ssh') {
    throw credentialError(`credentials.sshKeyFile/knownHostsFile apply to ssh remotes, not ${remote.protocol} (${remote.display})`);
  }
}

export async function resolveCredentials(creds: RepositoryCredentials | undefined, env: NodeJS.ProcessEnv): Promise<ResolvedCredentials> {
  if (!creds) return { secrets: [] };
  const result: ResolvedCredentials = { secrets: [] };
  if (creds.passwordEnv || creds.passwordFile) {
    const password = await readSecret({ env: creds.passwordEnv, file: creds.passwordFile }, env, 'credentials.password');
    result.basic = { username: creds.username ?? DEFAULT_TOKEN_USERNAME, password };
    result.secrets.push(password);
  } else if (creds.username) {
    result.basic = { username: creds.username, password: '' };
  }
  if (creds.sshKeyFile || creds.knownHostsFile) {
    if (creds.sshKeyFile) await assertPrivateKeyFile(creds.sshKeyFile);
    if (creds.knownHostsFile) await assertReadableFile(creds.knownHostsFile, 'credentials.knownHostsFile');
    result.ssh = { keyFile: creds.sshKeyFile, knownHostsFile: creds.knownHostsFile };
  }
  return result;
}

/** ssh refuses such keys too, but with a message nobody sees: say it clearly, before starting ssh. */
export async function assertPrivateKeyFile(path: string): Promise<void> {
  const info = await statOrFail(path, 'credentials.sshKeyFile');
  if (!info.isFile()) throw credentialError(`credentials.sshKeyFile: ${path} is not a regular file`);
  if ((info.mode & 0o077) !== 0) {
    throw credentialError(`credentials.sshKeyFile: ${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
  }
}

async function assertReadableFile(path: string, what: string): Promise<void> {
  const info = await statOrFail(path, what);
  if (!info.isFile()) throw credentialError(`${what}: ${path} is not a regular file`);
}

async function statOrFail(path: string, what: string) {
  try {
    return await stat(path);
  } catch (err) {
    throw credentialError(`${what}: ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * The helper git runs for HTTPS credentials: it prints the user name or password from the git
 * process's own environment, so the secret is never in a file, a command line, a URL or git's config.
 */
export const ASKPASS_SCRIPT = `#!/bin/sh
# Written by gitseal. Answers git's credential prompts from the environment of the one git
# process that runs it; it holds no secret itself. Any other prompt is refused.
case "$1" in
  Username*) printf '%s\\n' "$${ASKPASS_USERNAME_VAR}" ;;
  Password*) printf '%s\\n' "$${ASKPASS_PASSWORD_VAR}" ;;
  *) exit 1 ;;
esac
`;

/** Writes the askpass helper into `dir` (created 0700) unless it is already there; returns its path. */
export async function ensureAskPass(dir: string): Promise<string> {
  await ensurePrivateDir(dir);
  const path = join(dir, 'askpass.sh');
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === ASKPASS_SCRIPT) {
    await chmod(path, 0o700);
    return path;
  }
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, ASKPASS_SCRIPT, { mode: 0o700 });
  await rename(temp, path);
  return path;
}

/** mkdir -p with mode 0700, and 0700 enforced on the folder itself if it already existed. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

function credentialError(message: string): SourceException {
  return new SourceException('source.credentials', message);
}
