import { describe, expect, it } from 'vitest';
import { ASKPASS_PASSWORD_VAR, buildGitEnv, debugLogsGit, shellQuote, sshCommand } from './git-env';

describe('buildGitEnv', () => {
  const base = {
    PATH: '/opt/bin:/usr/bin',
    HTTPS_PROXY: 'http://proxy:3128',
    GIT_SSL_CAINFO: '/etc/ca.pem',
    DATABASE_URL: 'postgres://u:p@db/gitseal',
    GIT_DIR: '/elsewhere',
    GITSEAL_ADMIN_TOKEN: 'x',
  };

  it('starts from nothing: only network settings pass through, never the service environment', () => {
    const env = buildGitEnv({ baseEnv: base, home: '/data/mirrors/.home', ssh: { connectTimeoutSeconds: 30 } });
    expect(env.PATH).toBe('/opt/bin:/usr/bin');
    expect(env.HTTPS_PROXY).toBe('http://proxy:3128');
    expect(env.GIT_SSL_CAINFO).toBe('/etc/ca.pem');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.GITSEAL_ADMIN_TOKEN).toBeUndefined();
    expect(env).toMatchObject({
      HOME: '/data/mirrors/.home',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_ALLOW_PROTOCOL: 'https:ssh:git:file',
      GIT_NO_REPLACE_OBJECTS: '1',
    });
    expect(env.GIT_ASKPASS).toBeUndefined();
    expect(env[ASKPASS_PASSWORD_VAR]).toBeUndefined();
  });

  it('hands the secret to the askpass helper through the environment only', () => {
    const env = buildGitEnv({ baseEnv: {}, home: '/h', askPass: { script: '/h/askpass.sh', username: 'bot', password: 'tok' }, ssh: { connectTimeoutSeconds: 30 } });
    expect(env.GIT_ASKPASS).toBe('/h/askpass.sh');
    expect(env[ASKPASS_PASSWORD_VAR]).toBe('tok');
    expect(env.PATH).toBe('/usr/local/bin:/usr/bin:/bin');
  });
});

describe('sshCommand', () => {
  it('pins the key and the known hosts, and quotes paths for the shell', () => {
    const cmd = sshCommand({ keyFile: "/keys/it's key", knownHostsFile: '/keys/known hosts', connectTimeoutSeconds: 30 });
    expect(cmd).toContain("-i '/keys/it'\\''s key' -o IdentitiesOnly=yes");
    expect(cmd).toContain("-o 'UserKnownHostsFile=/keys/known hosts'");
    expect(cmd).toContain('-o StrictHostKeyChecking=yes');
    expect(cmd).toContain('-o BatchMode=yes');
    expect(cmd.startsWith('ssh -F /dev/null ')).toBe(true);
  });

  it('without a known_hosts file every host is unknown, so refused', () => {
    expect(sshCommand({ connectTimeoutSeconds: 5 })).toContain('UserKnownHostsFile=/dev/null');
  });

  it('quotes anything the shell could interpret', () => {
    expect(shellQuote('$(touch x)')).toBe("'$(touch x)'");
    expect(shellQuote('plain/path-1.2')).toBe('plain/path-1.2');
  });
});

describe('debugLogsGit', () => {
  it.each([
    ['*', true],
    ['simple-git', true],
    ['simple-git:*', true],
    ['simple-*', true],
    ['express:*,simple-git:task:*', true],
    ['express:*', false],
    ['-simple-git', false],
    ['', false],
  ])('DEBUG=%j → %s', (value, expected) => {
    expect(debugLogsGit({ DEBUG: value })).toBe(expected);
  });
});
