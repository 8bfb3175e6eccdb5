import { isAbsolute } from 'node:path';
import { SourceException } from './source.exception';

/**
 * Remote URLs gitseal fetches from, checked before git ever sees them. Only https, ssh, git and
 * local repositories (absolute paths, file://) are allowed: no plain http (credentials and code in
 * the clear), no transport helpers (`ext::sh -c …` runs commands), nothing git could read as an
 * option, and no credentials in the URL (they belong in the repository's `credentials`, where
 * they are never written to disk, a command line or a log).
 */
export type RemoteProtocol = 'https' | 'ssh' | 'git' | 'file';

export interface RemoteUrl {
  /** The URL exactly as git receives it. */
  url: string;
  protocol: RemoteProtocol;
  /** Host name for network remotes, null for local ones. */
  host: string | null;
  /** Safe to show and log (no userinfo beyond an ssh user name). */
  display: string;
}

const MAX_URL_LENGTH = 2000;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const TRANSPORT_HELPER = /^[a-z0-9][a-z0-9+.-]*::/i;
const PROTOCOLS = new Map<string, RemoteProtocol>([
  ['https', 'https'],
  ['ssh', 'ssh'],
  ['git+ssh', 'ssh'],
  ['ssh+git', 'ssh'],
  ['git', 'git'],
]);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function parseRemoteUrl(url: string): RemoteUrl {
  if (url.length === 0 || url.length > MAX_URL_LENGTH) invalid(url, `must be 1 to ${MAX_URL_LENGTH} characters`);
  if (CONTROL.test(url)) invalid(url, 'contains control characters');
  if (url.startsWith('-')) invalid(url, "may not start with '-'");
  if (TRANSPORT_HELPER.test(url)) invalid(url, 'uses a git transport helper (<transport>::<address>), which gitseal never runs');
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) return parseSchemeUrl(url, scheme);
  if (isAbsolute(url)) return { url, protocol: 'file', host: null, display: url };
  const scp = /^(?:([^@/]+)@)?([^/:]+):(.*)$/.exec(url);
  if (scp) return parseScpLike(url, scp[1], scp[2]);
  return invalid(url, 'a local repository must be given as an absolute path or a file:// URL');
}

function parseSchemeUrl(url: string, scheme: string): RemoteUrl {
  if (/\s/.test(url)) invalid(url, 'contains white space');
  if (scheme === 'file') return { url, protocol: 'file', host: null, display: url };
  if (scheme === 'http') invalid(url, 'plain http is refused (credentials and content would travel unprotected): use https');
  const protocol = PROTOCOLS.get(scheme);
  if (!protocol) invalid(url, `protocol ${scheme}:// is not allowed (https, ssh, git, file)`);
  if (url.slice(url.indexOf('://') + 3).startsWith('/')) invalid(url, 'has no host');
  let parsed: URL;
  try {
    parsed = new URL(protocol === 'ssh' ? url.replace(SCHEME, 'ssh://') : url);
  } catch {
    return invalid(url, 'is not a valid URL');
  }
  if (!parsed.hostname) invalid(url, 'has no host');
  if (parsed.password) invalid(url, 'carries a password: give it as credentials.passwordEnv or passwordFile instead');
  if (parsed.username && protocol !== 'ssh') {
    invalid(url, 'carries a user name: give it as credentials.username (and the secret as passwordEnv or passwordFile)');
  }
  return { url, protocol, host: parsed.hostname, display: url };
}

/** `[user@]host:path`, git's scp-like ssh syntax (a ':' before any '/'). */
function parseScpLike(url: string, user: string | undefined, host: string): RemoteUrl {
  if (user !== undefined && user.includes(':')) invalid(url, 'carries a password: ssh remotes authenticate with credentials.sshKeyFile');
  if (/\s/.test(url)) invalid(url, 'contains white space');
  if (host.length === 0) invalid(url, 'has no host');
  return { url, protocol: 'ssh', host, display: url };
}

function invalid(url: string, why: string): never {
  const shown = SCHEME.test(url) ? scrubText(url) : url.replace(/^[^@/]*@/, '***@');
  throw new SourceException('source.invalid-url', `remote URL ${JSON.stringify(shown.slice(0, 200))} ${why}`);
}

/**
 * Removes credentials from text that may be shown or logged: the userinfo of every URL, and every
 * occurrence of the given secrets (also percent-encoded), longest first.
 */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1***@');
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join('***');
  return out;
}
