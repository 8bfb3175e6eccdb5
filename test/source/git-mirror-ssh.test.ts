import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS_DIR, keysIndex } from '../fixtures/fixture-keys';
import { GitMirror } from '../../src/source/git-mirror.adapter';
import { BareRemote } from './support/bare-remote';

/**
 * No sshd can run here, so `ssh` on the PATH is a stand-in that records the arguments git gave it
 * and runs the remote command (`git-upload-pack '<path>'`) locally, as sshd would on the server.
 * What is under test is everything on gitseal's side: the options ssh is started with.
 */
describe('GitMirror over SSH', () => {
  let remote: BareRemote;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let key: string;
  let knownHosts: string;
  let argsLog: string;
  let head: string;

  beforeAll(async () => {
    remote = await BareRemote.create();
    head = await remote.work.commit();
    await remote.publish();
    dir = mkdtempSync(join(tmpdir(), 'gitseal-ssh-'));
    argsLog = join(dir, 'ssh-args');
    const bin = join(dir, 'bin');
    const fake = `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsLog}'\nfor last; do :; done\nexec sh -c "$last"\n`;
    mkdirSync(bin);
    writeFileSync(join(bin, 'ssh'), fake, { mode: 0o755 });
    key = join(dir, 'id_ed25519');
    copyFileSync(join(KEYS_DIR, keysIndex().ssh.private), key);
    chmodSync(key, 0o600);
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `gitseal.invalid ${keysIndex().ssh.publicKey.split(' ').slice(0, 2).join(' ')}\n`);
    env = { PATH: `${bin}:${process.env.PATH}` };
  });

  afterAll(async () => {
    await remote?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const mirrorOf = (id: string, url: string, keyFile = key) =>
    new GitMirror({ dataDir: join(dir, 'data'), env, repository: { id, url, branch: 'main', credentials: { sshKeyFile: keyFile, knownHostsFile: knownHosts } } });

  it('starts ssh with only the configured key, pinned host keys, no prompts and no user configuration', async () => {
    const mirror = mirrorOf('ssh-url', `ssh://git@gitseal.invalid${remote.path}`);
    expect((await mirror.fetch()).head).toBe(head);
    const args = readFileSync(argsLog, 'utf8').split('\n');
    const options = args.flatMap((a, i) => (args[i - 1] === '-o' ? [a] : []));
    expect(args).toEqual(expect.arrayContaining(['-F', '/dev/null', '-i', key, 'git@gitseal.invalid']));
    expect(options).toEqual(
      expect.arrayContaining([
        'BatchMode=yes',
        'StrictHostKeyChecking=yes',
        `UserKnownHostsFile=${knownHosts}`,
        'GlobalKnownHostsFile=/dev/null',
        'IdentitiesOnly=yes',
      ]),
    );
    expect(args.at(-2)).toBe(`git-upload-pack '${remote.path}'`);
  });

  it('accepts the scp-like form user@host:path', async () => {
    const mirror = mirrorOf('scp-like', `git@gitseal.invalid:${remote.path}`);
    expect((await mirror.fetch()).head).toBe(head);
    expect(readFileSync(argsLog, 'utf8')).toContain('git@gitseal.invalid');
  });

  it('refuses a private key readable by group or others before starting ssh', async () => {
    const loose = join(dir, 'loose_key');
    copyFileSync(key, loose);
    chmodSync(loose, 0o644);
    writeFileSync(argsLog, 'not run');
    const err = await mirrorOf('loose', `ssh://git@gitseal.invalid${remote.path}`, loose).fetch().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'source.credentials', message: expect.stringContaining('chmod 600') });
    expect((err as Error).message).not.toContain(readFileSync(key, 'utf8').split('\n')[1]);
    expect(readFileSync(argsLog, 'utf8')).toBe('not run');
  });

  it('refuses https credentials on an ssh remote when the mirror is made', () => {
    expect(
      () =>
        new GitMirror({
          dataDir: dir,
          repository: { id: 'mixed', url: `ssh://git@gitseal.invalid${remote.path}`, branch: 'main', credentials: { passwordEnv: 'TOKEN' } },
        }),
    ).toThrow(/apply to https remotes/);
  });
});
