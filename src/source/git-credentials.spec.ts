import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertCredentialsFit, DEFAULT_TOKEN_USERNAME, ensureAskPass, readSecret, resolveCredentials } from './git-credentials';
import { parseRemoteUrl } from './remote-url';

const dir = mkdtempSync(join(tmpdir(), 'gitseal-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return path;
}

describe('readSecret', () => {
  it('reads an environment variable or a file (one trailing newline dropped)', async () => {
    expect(await readSecret({ env: 'TOKEN' }, { TOKEN: 'abc' }, 'x')).toBe('abc');
    expect(await readSecret({ file: file('s1', 'from-file\n') }, {}, 'x')).toBe('from-file');
    expect(await readSecret({ file: file('s2', 'crlf\r\n') }, {}, 'x')).toBe('crlf');
  });

  it.each([
    [{ env: 'MISSING' }, {}, /environment variable MISSING is not set/],
    [{ env: 'EMPTY' }, { EMPTY: '' }, /environment variable EMPTY is not set/],
    [{ env: 'TWO' }, { TWO: 'line1\nline2' }, /line break/],
    [{ env: 'BIG' }, { BIG: 'x'.repeat(70_000) }, /larger than/],
    [{}, {}, /no secret is configured/],
  ])('refuses %j', async (ref, env, why) => {
    await expect(readSecret(ref, env, 'webhook.secret')).rejects.toThrow(why);
  });

  it('names a file it cannot read, never its content', async () => {
    await expect(readSecret({ file: join(dir, 'nope') }, {}, 'x')).rejects.toThrow(/nope cannot be read \(ENOENT\)/);
    await expect(readSecret({ file: dir }, {}, 'x')).rejects.toThrow(/not a regular file/);
    const err = await readSecret({ file: file('two-lines', 'secret-one\nsecret-two\n') }, {}, 'x').catch((e: Error) => e);
    expect((err as Error).message).toMatch(/line break/);
    expect((err as Error).message).not.toContain('secret-one');
  });
});

describe('resolveCredentials', () => {
  it('defaults the user name for a token and collects the secret for scrubbing', async () => {
    const creds = await resolveCredentials({ passwordEnv: 'T' }, { T: 'tok' });
    expect(creds.basic).toEqual({ username: DEFAULT_TOKEN_USERNAME, password: 'tok' });
    expect(creds.secrets).toEqual(['tok']);
  });

  it('refuses an ssh key accessible by group or others, and a missing known_hosts file', async () => {
    const known = file('known_hosts', 'host ssh-ed25519 AAAA\n', 0o644);
    await expect(resolveCredentials({ sshKeyFile: file('k1', 'KEY', 0o640), knownHostsFile: known }, {})).rejects.toThrow(/mode 640.*chmod 600/);
    await expect(resolveCredentials({ sshKeyFile: file('k2', 'KEY', 0o604), knownHostsFile: known }, {})).rejects.toThrow(/group or others/);
    await expect(resolveCredentials({ sshKeyFile: file('k3', 'KEY', 0o600), knownHostsFile: join(dir, 'none') }, {})).rejects.toThrow(/knownHostsFile/);
    const ok = await resolveCredentials({ sshKeyFile: file('k4', 'KEY', 0o400), knownHostsFile: known }, {});
    expect(ok.ssh?.keyFile).toBe(join(dir, 'k4'));
  });
});

describe('assertCredentialsFit', () => {
  it('refuses credentials of the wrong kind for the remote', () => {
    expect(() => assertCredentialsFit(parseRemoteUrl('git@host:x.git'), { passwordEnv: 'T' })).toThrow(/apply to https/);
    expect(() => assertCredentialsFit(parseRemoteUrl('https://host/x.git'), { sshKeyFile: '/k', knownHostsFile: '/h' })).toThrow(/apply to ssh/);
    expect(() => assertCredentialsFit(parseRemoteUrl('https://host/x.git'), { username: 'u', passwordEnv: 'T' })).not.toThrow();
  });
});

describe('the askpass helper', () => {
  it('answers user name and password prompts from its environment only, and refuses anything else', async () => {
    const script = await ensureAskPass(join(dir, 'askpass'));
    expect(statSync(join(dir, 'askpass')).mode & 0o777).toBe(0o700);
    expect(statSync(script).mode & 0o777).toBe(0o700);
    const env = { PATH: process.env.PATH, GITSEAL_ASKPASS_USERNAME: 'bot', GITSEAL_ASKPASS_PASSWORD: "p'a$s w\\d" };
    const ask = (prompt: string) => spawnSync(script, [prompt], { env, encoding: 'utf8' });
    expect(ask("Username for 'https://host': ").stdout).toBe('bot\n');
    expect(ask("Password for 'https://bot@host': ").stdout).toBe("p'a$s w\\d\n");
    const other = ask("Enter passphrase for key '/k': ");
    expect(other.status).toBe(1);
    expect(other.stdout).toBe('');
    expect(await ensureAskPass(join(dir, 'askpass'))).toBe(script);
  });
});
