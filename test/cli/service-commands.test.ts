import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command';
import { runCli } from '../../src/cli/main';
import { acquireDataDirLock } from '../../src/database/data-dir-lock';

function io(env: NodeJS.ProcessEnv, cwd: string): CliIo & { out: string; err: string } {
  const r = { out: '', err: '', cwd, env, stdout: (t: string) => void (r.out += t), stderr: (t: string) => void (r.err += t) };
  return r;
}

describe('gitseal serve and gitseal token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gitseal-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a bad setting with one line naming it, and exit 2', async () => {
    const r = io({ PORT: '70000' }, dir);
    expect(await runCli(['serve'], r)).toBe(2);
    expect(r.err.trim()).toBe('gitseal: invalid configuration: PORT must be between 0 and 65535 (got "70000")');
  });

  it('refuses a broken configuration file, naming the file and field', async () => {
    writeFileSync(join(dir, 'gitseal.yaml'), 'repositories: [{ id: Bad, url: x }]\n');
    const r = io({ GITSEAL_CONFIG_FILE: 'gitseal.yaml', GITSEAL_DATA_DIR: join(dir, 'data-bad'), PORT: '0' }, dir);
    expect(await runCli(['serve'], r)).toBe(2);
    expect(r.err).toMatch(/gitseal\.yaml: repositories\[0\]\.id must be lower-case/);
  });

  it('creates, lists and revokes tokens on the embedded database, printing the secret once', async () => {
    const env = { GITSEAL_DATA_DIR: join(dir, 'data') };
    const created = io(env, dir);
    expect(await runCli(['token', 'create', '--role', 'admin', '--role', 'auditor', '--name', 'ops'], created)).toBe(0);
    const token = created.out.trim();
    expect(token).toMatch(/^gst_[A-Za-z0-9_-]{43}$/);
    expect(created.err).toMatch(/with roles admin, auditor: shown once/);

    const listed = io(env, dir);
    expect(await runCli(['token', 'list', '--format', 'json'], listed)).toBe(0);
    const list = JSON.parse(listed.out) as Array<{ id: string; name: string; roles: string[]; revokedAt: string | null }>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'ops', roles: ['admin', 'auditor'], revokedAt: null });
    expect(listed.out).not.toContain(token);

    const revoked = io(env, dir);
    expect(await runCli(['token', 'revoke', list[0].id], revoked)).toBe(0);
    const again = io(env, dir);
    await runCli(['token', 'list', '--format', 'json'], again);
    expect(JSON.parse(again.out)[0].revokedAt).not.toBeNull();
  });

  it.each([
    [['token', 'create'], /give at least one --role/],
    [['token', 'create', '--role', 'root'], /unknown role root/],
    [['token', 'revoke'], /exactly one token id/],
    [['token', 'revoke', 'not-a-uuid'], /must be a UUID/],
  ])('answers %j with a usage error', async (argv, message) => {
    const r = io({ GITSEAL_DATA_DIR: join(dir, 'data') }, dir);
    expect(await runCli(argv, r)).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('will not open an embedded database another process holds', async () => {
    const data = join(dir, 'held');
    const release = acquireDataDirLock(data, 'test');
    // A lock held by a live process other than this one: use the parent's pid.
    writeFileSync(join(data, 'gitseal.lock'), `${process.ppid}\ngitseal serve\n`);
    try {
      const r = io({ GITSEAL_DATA_DIR: data }, dir);
      expect(await runCli(['token', 'create', '--role', 'admin'], r)).toBe(2);
      expect(r.err).toMatch(/is in use by process \d+ \(gitseal serve\)/);
    } finally {
      release();
    }
  });
});
