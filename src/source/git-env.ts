import { join } from 'node:path';

/**
 * The environment of every git process a mirror starts: built from nothing (never the whole
 * service environment), with the service's own git configuration isolated, prompts off, only the
 * allowed protocols, and ssh pinned to the configured key and known_hosts file.
 */

/** Network settings taken from the service's environment when set. */
export const PASSED_THROUGH = [
  'PATH',
  'TMPDIR',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
] as const;

export const ALLOWED_PROTOCOLS = 'https:ssh:git:file';

/** Variables the askpass helper answers from; they exist only in the one git process's environment. */
export const ASKPASS_USERNAME_VAR = 'GITSEAL_ASKPASS_USERNAME';
export const ASKPASS_PASSWORD_VAR = 'GITSEAL_ASKPASS_PASSWORD';

/** The GIT_* variables set here; simple-git drops any GIT_* variable not named in its allowEnvironment. */
export const GIT_VARIABLES = [
  'GIT_TERMINAL_PROMPT',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_GLOBAL',
  'GIT_ALLOW_PROTOCOL',
  'GIT_NO_REPLACE_OBJECTS',
  'GIT_NO_LAZY_FETCH',
  'GIT_CEILING_DIRECTORIES',
  'GIT_ASKPASS',
  'GIT_SSH_COMMAND',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
] as const;

export interface SshSettings {
  keyFile?: string;
  knownHostsFile?: string;
  connectTimeoutSeconds: number;
}

export interface GitEnvInput {
  /** Where PATH, proxies and CA settings come from. */
  baseEnv: NodeJS.ProcessEnv;
  /** A private HOME (0700) so no user configuration, ssh config or credential store applies. */
  home: string;
  /** git looks for no repository above this folder. */
  ceiling?: string;
  askPass?: { script: string; username: string; password: string };
  ssh: SshSettings;
}

export function buildGitEnv(input: GitEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = input.baseEnv[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  Object.assign(env, {
    HOME: input.home,
    XDG_CONFIG_HOME: join(input.home, '.config'),
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS,
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_NO_LAZY_FETCH: '1',
    GIT_SSH_COMMAND: sshCommand(input.ssh),
  });
  if (input.ceiling) env.GIT_CEILING_DIRECTORIES = input.ceiling;
  if (input.askPass) {
    env.GIT_ASKPASS = input.askPass.script;
    env[ASKPASS_USERNAME_VAR] = input.askPass.username;
    env[ASKPASS_PASSWORD_VAR] = input.askPass.password;
  }
  return env;
}

/**
 * `ssh` with no configuration file, no prompts, host keys only from the given known_hosts file
 * (none: every host is unknown and refused) and, with a key, only that key.
 */
export function sshCommand(ssh: SshSettings): string {
  const args = [
    'ssh',
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${ssh.knownHostsFile ?? '/dev/null'}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `ConnectTimeout=${Math.max(1, Math.round(ssh.connectTimeoutSeconds))}`,
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=4',
  ];
  if (ssh.keyFile) args.push('-i', ssh.keyFile, '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none');
  return args.map(shellQuote).join(' ');
}

/** Quotes for POSIX sh (git runs GIT_SSH_COMMAND through the shell). */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * True when the `debug` package would print simple-git's internals (which include the child
 * environment, so the askpass secret) to stderr: a DEBUG pattern that can match a `simple-git…`
 * namespace (`*`, `simple-*`, `simple-git`, `simple-git:task:*`, …). Negations are ignored: fail closed.
 */
export function debugLogsGit(env: NodeJS.ProcessEnv): boolean {
  const patterns = (env.DEBUG ?? '').split(/[\s,]+/).filter((p) => p && !p.startsWith('-'));
  return patterns.some((p) => p.startsWith('simple-git') || (p.includes('*') && 'simple-git'.startsWith(p.split('*')[0])));
}
