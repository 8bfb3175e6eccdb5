import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../fixtures/run-process';
import { compileCli, type CompiledCli } from './support/compiled-cli';
import { deployment, GateFixture, TEST_POLICY, writePolicies, writeTrustFile } from './support/gate-fixture';

/**
 * examples/hooks/pre-receive for real: a bare repository with the hook installed, pushes over
 * git's local transport (receive-pack runs the hook with the pushed objects in quarantine), the
 * hook running the compiled gitseal command.
 */
describe('pre-receive hook', () => {
  let f: GateFixture;
  let cli: CompiledCli;
  let server: string;

  async function push(...args: string[]) {
    const r = await runProcess('git', ['push', '--porcelain', server, ...args], { cwd: f.repo.dir, env: { ...f.repo.env, GITSEAL: cli.command }, okCodes: [0, 1], timeoutMs: 120_000 });
    return { ok: r.code === 0, output: r.stdout.toString('utf8') + r.stderr };
  }
  const serverRev = (ref: string) => runProcess('git', ['--git-dir', server, 'rev-parse', '--verify', '--quiet', ref], { okCodes: [0, 1] }).then((r) => r.stdout.toString().trim());
  const serverGit = (...args: string[]) => runProcess('git', ['--git-dir', server, ...args]);

  beforeAll(async () => {
    cli = compileCli();
    f = await GateFixture.create(['ed25519', 'approver']);
    server = join(mkdtempSync(join(f.repo.root, 'server-')), 'config.git');
    await runProcess('git', ['init', '-q', '--bare', '-b', 'main', server], { env: f.repo.env });
    copyFileSync(join(process.cwd(), 'examples/hooks/pre-receive'), join(server, 'hooks/pre-receive'));
    const trust = writeTrustFile([
      { key: 'ed25519', roles: ['committer', 'approver'] },
      { key: 'approver', roles: ['approver'] },
    ]);
    for (const [k, v] of [
      ['gitseal.trust', trust],
      ['gitseal.policies', writePolicies({ 'test.rego': TEST_POLICY })],
      ['gitseal.repository', 'shop-config'],
      ['gitseal.manifestPath', 'deploy'],
    ]) {
      await serverGit('config', k, v);
    }
  }, 180_000);
  afterAll(async () => {
    cli?.cleanup();
    await f?.cleanup();
  });

  it('accepts signed, compliant commits on a new branch of an empty repository', async () => {
    await f.repo.commit({ files: { 'deploy/app.yaml': deployment('app', 'registry.example.com/app:1') }, sign: 'ed25519' });
    const head = await f.repo.commit({ files: { 'deploy/app.yaml': deployment('app', 'registry.example.com/app:2') }, sign: 'ed25519' });
    const r = await push('main');
    expect(r.output).toContain('allow');
    expect(r.ok).toBe(true);
    expect(await serverRev('main')).toBe(head);
  });

  it('refuses an unsigned commit, and the branch stays where it was', async () => {
    const before = await serverRev('main');
    const unsigned = await f.repo.commit({ message: 'unsigned change' });
    const r = await push('main');
    expect(r.ok).toBe(false);
    expect(r.output).toContain(`block  ${unsigned}`);
    expect(r.output).toContain('unsigned: commit');
    expect(r.output).toContain('pre-receive hook declined');
    expect(await serverRev('main')).toBe(before);
    await f.repo.resetHard(before);
  });

  it('refuses a signed commit the policies deny', async () => {
    await f.repo.commit({ files: { 'deploy/web.yaml': deployment('web', 'nginx:latest') }, sign: 'ed25519' });
    const r = await push('main');
    expect(r.ok).toBe(false);
    expect(r.output).toContain('policy-denied: gitseal.test: deploy/web.yaml: container web uses the latest tag');
    await f.repo.resetHard('HEAD~1');
  });

  it('refuses a force push that rewrites the history', async () => {
    const synced = await serverRev('main');
    await f.repo.resetHard('HEAD~1');
    await f.repo.commit({ message: 'rewritten', sign: 'ed25519' });
    const r = await push('--force', 'main');
    expect(r.ok).toBe(false);
    expect(r.output).toContain('history-rewritten');
    expect(await serverRev('main')).toBe(synced);
    await f.repo.resetHard(synced);
  });

  it('counts an approval pushed with the commit it approves', async () => {
    await serverGit('config', 'gitseal.requiredApprovals', '1');
    try {
      const commit = await f.repo.commit({ files: { 'deploy/app.yaml': deployment('app', 'registry.example.com/app:3') }, sign: 'ed25519' });
      let r = await push('main');
      expect(r.ok).toBe(false);
      expect(r.output).toContain('approval-missing');
      await f.approve(commit, 'approver');
      r = await push('main', 'refs/notes/gitseal-approvals');
      expect(r.output).toContain(`allow  ${commit}`);
      expect(r.ok).toBe(true);
      expect(await serverRev('main')).toBe(commit);
    } finally {
      await serverGit('config', '--unset', 'gitseal.requiredApprovals');
    }
  });

  it('new branches: decides only the commits the server lacks', async () => {
    await f.repo.branch('feature');
    await f.repo.checkout('feature');
    const signed = await f.repo.commit({ message: 'feature work', sign: 'ed25519' });
    let r = await push('feature');
    expect(r.ok).toBe(true);
    expect(r.output).toContain(`allow  ${signed}`);
    expect(r.output).not.toMatch(/^remote: block /m);
    await f.repo.commit({ message: 'unsigned feature work' });
    r = await push('HEAD:refs/heads/feature-2');
    expect(r.ok).toBe(false);
    expect(await serverRev('refs/heads/feature-2')).toBe('');
    await f.repo.checkout('main');
  });

  it('tags: accepted on an allowed commit, refused on a new unsigned one; deletions and notes pass', async () => {
    await f.repo.tag('v1', { target: 'main' });
    expect((await push('refs/tags/v1')).ok).toBe(true);
    await f.repo.branch('loose');
    await f.repo.checkout('loose');
    await f.repo.commit({ message: 'unsigned, only tagged' });
    await f.repo.tag('v2');
    const r = await push('refs/tags/v2');
    expect(r.ok).toBe(false);
    expect(r.output).toContain('unsigned');
    await f.repo.checkout('main');
    expect((await push(':refs/heads/feature')).ok).toBe(true);
    expect(await serverRev('refs/heads/feature')).toBe('');
    await f.approve(await f.repo.head(), 'approver');
    expect((await push('refs/notes/gitseal-approvals')).ok).toBe(true);
  });

  it('refuses every push when the hook is not configured (fail closed)', async () => {
    const trust = (await serverGit('config', '--get', 'gitseal.trust')).stdout.toString().trim();
    await serverGit('config', '--unset', 'gitseal.trust');
    try {
      await f.repo.commit({ message: 'signed', sign: 'ed25519' });
      const r = await push('main');
      expect(r.ok).toBe(false);
      expect(r.output).toContain('not configured');
      await serverGit('config', 'gitseal.trust', '/nonexistent/trust.yaml');
      const r2 = await push('main');
      expect(r2.ok).toBe(false);
      expect(r2.output).toContain('cannot load the trust file');
    } finally {
      await serverGit('config', 'gitseal.trust', trust);
    }
    expect((await push('main')).ok).toBe(true);
  });
});
