import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/command';
import { readApprovalNote } from '../../src/source/git-rev';
import { verifyApprovals } from '../../src/verification/approval-verifier';
import type { TrustStore } from '../../src/verification/trust-store';
import { GitRepoBuilder } from '../fixtures/git-repo';
import { GpgHome } from '../fixtures/gpg-home';
import { fixtureTrustStore, fpr, signingKeyId } from './trust-support';

describe('gitseal approve (end to end: local gpg, real git notes, then the approval verifier)', () => {
  let gpg: GpgHome;
  let repo: GitRepoBuilder;
  let trust: TrustStore;
  let commit: string;
  let tree: string;

  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: repo.dir, env: repo.env };
    const code = await runCli(['approve', ...argv], io);
    return { code, out, err };
  }

  beforeAll(async () => {
    gpg = await GpgHome.create(['approver', 'approver2']);
    repo = await GitRepoBuilder.init({ gpg });
    trust = await fixtureTrustStore();
    await repo.commit({ files: { 'deploy/app.yaml': 'a: 1\n' } });
    commit = await repo.commit({ files: { 'deploy/app.yaml': 'a: 2\n' } });
    tree = await repo.revParse(`${commit}^{tree}`);
  });
  afterAll(async () => {
    await repo?.cleanup();
    await gpg?.cleanup();
  });

  it('signs with the chosen key and appends a note the verifier accepts', async () => {
    const result = await run('--repo', repo.dir, '--commit', commit, '--key', signingKeyId('approver'), '--repository', 'shop-config');
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(`approved ${commit} (tree ${tree}) for repository shop-config`);
    const note = await readApprovalNote(repo.dir, commit);
    expect(note).toContain('-----BEGIN PGP SIGNED MESSAGE-----');
    const verified = await verifyApprovals({ repositoryId: 'shop-config', commit, tree }, [{ text: note ?? '', source: 'git-note' }], trust, {
      now: new Date(),
    });
    expect(verified).toMatchObject({ approvals: [{ fingerprint: fpr('approver'), seal: false, source: 'git-note' }], rejected: [] });
  });

  it('appends a second approval (a seal) using git config gitseal.repository and any rev', async () => {
    await repo.git(['config', 'gitseal.repository', 'shop-config']);
    const result = await run('--repo', repo.dir, '--commit', 'HEAD', '--seal', '--key', signingKeyId('approver2'));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^sealed /);
    const note = await readApprovalNote(repo.dir, commit);
    const verified = await verifyApprovals({ repositoryId: 'shop-config', commit, tree }, [{ text: note ?? '', source: 'git-note' }], trust, {
      now: new Date(),
    });
    expect(verified.approvals.map((a) => [a.fingerprint, a.seal])).toEqual([
      [fpr('approver'), false],
      [fpr('approver2'), true],
    ]);
  });

  it('refuses without a repository id, naming the fix', async () => {
    await repo.git(['config', '--unset', 'gitseal.repository']);
    const result = await run('--repo', repo.dir, '--commit', commit, '--key', signingKeyId('approver'));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/no repository id: pass --repository ID or set it once with `git config gitseal\.repository ID`/);
  });

  it('refuses bad usage and unknown commits', async () => {
    expect((await run('--repo', repo.dir)).err).toMatch(/missing required option --commit/);
    expect((await run('--repo', repo.dir, '--commit', 'nope', '--repository', 'x')).err).toMatch(/no commit named "nope"/);
    expect((await run('--repo', repo.dir, '--commit', '--all', '--repository', 'x')).code).toBe(2);
    expect((await run('--repo', repo.dir, '--commit', commit, '--bogus')).err).toMatch(/Unknown option '--bogus'/);
  });

  it('reports gpg failures (no such key) and writes nothing', async () => {
    const before = await readApprovalNote(repo.dir, commit);
    const result = await run('--repo', repo.dir, '--commit', commit, '--key', 'DEADBEEFDEADBEEF', '--repository', 'shop-config');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/could not sign/);
    expect(await readApprovalNote(repo.dir, commit)).toBe(before);
  });

  it('prints help', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('usage: gitseal approve --repo PATH --commit SHA [--seal] [--key KEYID] [--repository ID]');
  });
});
