import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../support/test-database';
import { configMap, Harness, ofType, target, yaml } from './support/harness';

describe.each(TEST_DATABASE_KINDS)('nothing the gate did not allow is applied, by any path (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.create(kind);
  });
  afterAll(async () => h?.close());

  it('leaves the cluster untouched for a blocked or undecided commit, and refuses manual, rollback and resumed syncs of it', async () => {
    const runner = await h.runner(target({ id: 'gated', manifestPath: 'gated', namespace: 'default' }));
    const good = await h.commit({ 'gated/a.yaml': yaml(configMap('a', { v: 'good' })) });
    await h.gate.allow(good);
    await runner.reconcileNow();
    expect(h.live('ConfigMap', 'a', 'default')?.data).toEqual({ v: 'good' });

    const bad = await h.commit({ 'gated/a.yaml': yaml(configMap('a', { v: 'evil' })), 'gated/b.yaml': yaml(configMap('b', {})) });
    await h.gate.block(bad, ['unsigned']);
    const mark = await h.size();
    h.sandbox.requests.clear();
    await runner.reconcileNow();
    // Automated: the newest allowed commit is still the good one; nothing is written.
    expect(h.live('ConfigMap', 'a', 'default')?.data).toEqual({ v: 'good' });
    expect(h.live('ConfigMap', 'b', 'default')).toBeUndefined();
    expect(h.sandbox.requests.filter((r) => r.method !== 'GET')).toEqual([]);

    // Every other path asks the gate about the exact commit and refuses.
    for (const trigger of ['manual', 'rollback', 'self-heal', 'automated'] as const) {
      const result = await runner.sync({ sha: bad, trigger });
      expect(result.outcome).toBe('failed');
      expect(result.error).toMatchObject({ code: 'commit-not-allowed', class: 'stalled' });
      expect(result.error?.message).toMatch(/blocked commit .*: unsigned/);
    }
    const undecided = await h.commit({ 'gated/a.yaml': yaml(configMap('a', { v: 'undecided' })) });
    expect((await runner.sync({ sha: undecided, trigger: 'manual' })).error?.message).toMatch(/has not decided/);
    // A resumed sync of a commit the gate no longer allows is refused too (and the open sync closed as failed).
    expect((await runner.sync({ sha: bad, trigger: 'automated', resume: { seq: mark - 1, commit: bad, trigger: 'automated', gateSeq: 0, startedAt: new Date().toISOString() } })).error?.code).toBe('commit-not-allowed');

    expect(h.sandbox.requests.filter((r) => r.method !== 'GET' && !r.dryRun)).toEqual([]);
    expect(h.live('ConfigMap', 'a', 'default')?.data).toEqual({ v: 'good' });
    const entries = await h.entries(mark);
    expect(ofType(entries, 'resource.applied', 'sync.started').filter((e) => e.body.commit !== bad || e.type === 'resource.applied')).toEqual([]);
    expect(h.gate.asked.filter((s) => s === bad).length).toBeGreaterThanOrEqual(5);
  });
});

describe.each(TEST_DATABASE_KINDS.slice(0, 1))('hostile repository content (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.create(kind);
  });
  afterAll(async () => h?.close());

  it('stops a sync at a symbolic link, a bad document or a duplicate, naming the file, and applies nothing', async () => {
    const runner = await h.runner(target({ id: 'hostile', manifestPath: 'hostile', namespace: 'default' }));
    const cases: Array<[Record<string, string | null>, RegExp]> = [
      [{ 'hostile/ok.yaml': yaml(configMap('fine', {})), 'hostile/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n' }, /hostile\/bad\.yaml document 1: line \d+/],
      [{ 'hostile/bad.yaml': yaml(configMap('fine', {})) }, /hostile\/ok\.yaml document 1: ConfigMap default\/fine is already defined in hostile\/bad\.yaml document 1/],
      [{ 'hostile/bad.yaml': null }, /hostile\/passwd\.yaml: is a symbolic link/],
    ];
    for (const [files, message] of cases) {
      if (message.source.includes('symbolic')) h.repo.symlink('hostile/passwd.yaml', '/etc/passwd');
      const sha = await h.commit(files);
      await h.gate.allow(sha);
      h.sandbox.requests.clear();
      await runner.reconcileNow();
      const status = await h.store.status('hostile');
      expect(status.lastError).toMatchObject({ class: 'stalled', message: expect.stringMatching(message) });
      expect(h.sandbox.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    }
    expect(h.live('ConfigMap', 'fine', 'default')).toBeUndefined();
  });
});
