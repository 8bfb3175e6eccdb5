import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../support/test-database';
import { configMap, deployment, Harness, ofType, target, yaml } from './support/harness';

describe.each(TEST_DATABASE_KINDS)('reconciler sync against the sandbox on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.create(kind);
  });
  afterAll(async () => h?.close());

  it('creates objects on the first sync, updates them on a new allowed commit, and prunes a removed file', async () => {
    const runner = await h.runner(target());
    const first = await h.commit({
      'deploy/ns.yaml': yaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
      'deploy/app.yaml': yaml(deployment('web', 2), configMap('settings', { mode: 'a' })),
      'deploy/extra.yaml': yaml(configMap('extra', { x: '1' })),
      'README.md': '# not a manifest',
    });
    const allowed = await h.gate.allow(first);
    const before = await h.size();
    await runner.reconcileNow();

    expect(h.live('Deployment', 'web')?.spec).toMatchObject({ replicas: 2 });
    const cm = h.live('ConfigMap', 'settings');
    expect(cm?.data).toEqual({ mode: 'a' });
    expect(cm?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'gitseal', 'gitseal.dev/target': 'shop' });
    expect(cm?.metadata.annotations).toMatchObject({ 'gitseal.dev/target': 'shop', 'gitseal.dev/commit': first });

    const entries = await h.entries(before);
    const [started] = ofType(entries, 'sync.started');
    expect(started.body).toMatchObject({ target: 'shop', trigger: 'automated', commit: first, follows: [allowed.gateSeq], planned: { apply: 4, prune: 0 } });
    const applied = ofType(entries, 'resource.applied');
    expect(applied.map((e) => `${e.body.kind}/${e.body.name}`)).toEqual(['Namespace/shop', 'ConfigMap/settings', 'ConfigMap/extra', 'Deployment/web']);
    for (const e of applied) {
      expect(e.body.follows).toEqual([started.seq]);
      expect(e.body.operation).toBe('created');
      expect(typeof e.body.resourceVersion).toBe('string');
    }
    expect(applied[1].body.diff).toEqual([{ path: '', after: expect.objectContaining({ data: { mode: 'a' } }) }]);
    const [finished] = ofType(entries, 'sync.finished');
    expect(finished.body).toMatchObject({ follows: [started.seq], outcome: 'succeeded', health: 'Healthy', counts: { applied: 4, pruned: 0, unchanged: 0 }, error: null });
    const status = await h.store.status('shop');
    expect(status).toMatchObject({ syncedCommit: first, health: 'Healthy', openSync: null, lastError: null, lastSync: { outcome: 'succeeded', startedSeq: started.seq, finishedSeq: finished.seq } });
    expect((await h.store.inventory('shop')).map((r) => `${r.key.kind}/${r.key.name}`).sort()).toEqual(['ConfigMap/extra', 'ConfigMap/settings', 'Deployment/web', 'Namespace/shop']);

    // Nothing new: a pass records nothing and sends no apply.
    h.sandbox.requests.clear();
    const size = await h.size();
    await runner.reconcileNow();
    expect(await h.size()).toBe(size);
    expect(h.sandbox.requests.filter((r) => r.method === 'PATCH' || r.method === 'DELETE')).toEqual([]);

    // A new allowed commit: only what changed is applied; the removed file is pruned.
    const second = await h.commit({ 'deploy/app.yaml': yaml(deployment('web', 3), configMap('settings', { mode: 'a' })), 'deploy/extra.yaml': null });
    await h.gate.allow(second);
    const mark = await h.size();
    h.sandbox.requests.clear();
    await runner.reconcileNow();
    expect(h.live('Deployment', 'web')?.spec).toMatchObject({ replicas: 3 });
    expect(h.live('ConfigMap', 'extra')).toBeUndefined();
    expect(h.sandbox.requests.filter((r) => r.method === 'PATCH').map((r) => r.name)).toEqual(['web']);
    const later = await h.entries(mark);
    const updated = ofType(later, 'resource.applied');
    expect(updated).toHaveLength(1);
    expect(updated[0].body).toMatchObject({ kind: 'Deployment', name: 'web', operation: 'updated', diff: [{ path: '/spec/replicas', before: 2, after: 3 }] });
    const pruned = ofType(later, 'resource.pruned');
    expect(pruned.map((e) => e.body)).toEqual([expect.objectContaining({ kind: 'ConfigMap', name: 'extra', namespace: 'shop' })]);
    expect(ofType(later, 'sync.finished')[0].body).toMatchObject({ outcome: 'succeeded', counts: { applied: 1, pruned: 1, unchanged: 2 } });
    // The unchanged ConfigMap still names the commit that last changed it.
    expect(h.live('ConfigMap', 'settings')?.metadata.annotations).toMatchObject({ 'gitseal.dev/commit': first });
    expect((await h.store.status('shop')).syncedCommit).toBe(second);
  });

  it('leaves a removed object alone when prune is off, and never prunes what it did not apply', async () => {
    const runner = await h.runner(target({ id: 'noprune', manifestPath: 'noprune', namespace: 'noprune' }, { prune: false }));
    const one = await h.commit({ 'noprune/ns.yaml': yaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'noprune' } }), 'noprune/a.yaml': yaml(configMap('a', { k: 'v' })) });
    await h.gate.allow(one);
    await runner.reconcileNow();
    await h.kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-ours', namespace: 'noprune', labels: { 'app.kubernetes.io/managed-by': 'gitseal', 'gitseal.dev/target': 'noprune' } }, data: {} }, { force: true });
    const two = await h.commit({ 'noprune/a.yaml': null });
    await h.gate.allow(two);
    const mark = await h.size();
    await runner.reconcileNow();
    expect(h.live('ConfigMap', 'a', 'noprune')).toBeDefined();
    expect(ofType(await h.entries(mark), 'resource.pruned')).toEqual([]);
    expect((await h.store.status('noprune')).syncedCommit).toBe(two);
    // Turning prune on removes what gitseal applied, and only that.
    runner.update(target({ id: 'noprune', manifestPath: 'noprune', namespace: 'noprune' }, { prune: true }));
    const three = await h.commit({ 'noprune/b.yaml': yaml(configMap('b', {})) });
    await h.gate.allow(three);
    await runner.reconcileNow();
    expect(h.live('ConfigMap', 'a', 'noprune')).toBeUndefined();
    expect(h.live('ConfigMap', 'not-ours', 'noprune')).toBeDefined();
  });

  it('records a huge object with digests of its values, so its entry stays small and the sync finishes', async () => {
    const runner = await h.runner(target({ id: 'huge', manifestPath: 'huge', namespace: 'default' }));
    const big = 'x'.repeat(900 * 1024);
    const sha = await h.commit({ 'huge/big.yaml': yaml(configMap('big', { blob: big })) });
    await h.gate.allow(sha);
    const mark = await h.size();
    await runner.reconcileNow();
    expect(h.live('ConfigMap', 'big', 'default')?.data).toEqual({ blob: big });
    const [applied] = ofType(await h.entries(mark), 'resource.applied');
    expect(applied.body.diff).toMatchObject({ truncated: true, changes: [{ path: '', after: { sha256: expect.any(String) } }] });
    expect(JSON.stringify(applied).length).toBeLessThan(2000);
    expect((await h.store.status('huge')).lastSync?.outcome).toBe('succeeded');
  });

  it('says it is waiting for the gate while no commit is allowed, and applies nothing', async () => {
    // A repository the gate has decided nothing about yet.
    const runner = await h.runner(target({ id: 'waiting', repositoryId: 'new-repo', manifestPath: 'waiting', namespace: 'default' }));
    await h.commit({ 'waiting/a.yaml': yaml(configMap('waits', {})) });
    h.sandbox.requests.clear();
    await runner.reconcileNow();
    expect((await h.store.status('waiting')).lastError).toMatchObject({ class: 'waiting', code: 'no-allowed-commit', message: expect.stringMatching(/new-repo/) });
    expect(h.sandbox.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(h.live('ConfigMap', 'waits', 'default')).toBeUndefined();
  });
});
