import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../support/test-database';
import { AppsV1Api } from '@kubernetes/client-node';
import { configMap, deployment, Harness, ofType, target, yaml } from './support/harness';

const many = (prefix: string, n: number, value: string) => yaml(...Array.from({ length: n }, (_, i) => configMap(`${prefix}-${i}`, { v: value })));

describe.each(TEST_DATABASE_KINDS)('reconciler failures on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.create(kind);
  });
  afterAll(async () => h?.close());

  it('retries a 409 on apply by reading the object again and applying again', async () => {
    const runner = await h.runner(target({ id: 'conflict', manifestPath: 'conflict', namespace: 'default' }));
    const sha = await h.commit({ 'conflict/a.yaml': yaml(configMap('c409', { v: '1' })) });
    await h.gate.allow(sha);
    h.sandbox.faults.failNext(2, { method: 'PATCH', name: 'c409' }, { code: 409 });
    h.sandbox.requests.clear();
    await runner.reconcileNow();
    expect(h.live('ConfigMap', 'c409', 'default')?.data).toEqual({ v: '1' });
    const calls = h.sandbox.requests.filter((r) => r.name === 'c409').map((r) => `${r.method} ${r.status}`);
    // (A drift check triggered by the watch may read the object afterwards.)
    expect(calls.slice(0, 5)).toEqual(['PATCH 409', 'GET 404', 'PATCH 409', 'GET 404', 'PATCH 201']);
    expect(calls.slice(5).every((c) => c.startsWith('GET'))).toBe(true);
    const status = await h.store.status('conflict');
    expect(status.lastSync?.outcome).toBe('succeeded');
  });

  it('records exactly which objects were applied when the API server fails mid-sync, never a successful sync.finished, and backs off', async () => {
    const runner = await h.runner(target({ id: 'midway', manifestPath: 'midway', namespace: 'default' }));
    const sha = await h.commit({ 'midway/all.yaml': many('mid', 12, 'x') });
    await h.gate.allow(sha);
    // The 4th apply fails; with several applies in flight, the ones already sent complete.
    h.sandbox.faults.failNext(50, { method: 'PATCH', skip: 3 }, { code: 503 });
    const mark = await h.size();
    await runner.reconcileNow();
    h.sandbox.faults.clear();
    const entries = await h.entries(mark);
    const applied = ofType(entries, 'resource.applied').map((e) => String(e.body.name));
    const live = Array.from({ length: 12 }, (_, i) => `mid-${i}`).filter((n) => h.live('ConfigMap', n, 'default'));
    expect(applied.sort()).toEqual(live.sort());
    expect(applied.length).toBeGreaterThanOrEqual(3);
    expect(applied.length).toBeLessThan(12);
    const finished = ofType(entries, 'sync.finished');
    expect(finished).toHaveLength(1);
    expect(finished[0].body).toMatchObject({ outcome: 'partial', error: { class: 'transient', code: 'kube-unavailable' } });
    expect(ofType(entries, 'sync.finished').some((e) => e.body.outcome === 'succeeded')).toBe(false);
    const status = await h.store.status('midway');
    expect(status.syncedCommit).toBeNull();
    expect(status.lastError).toMatchObject({ class: 'transient', code: 'kube-unavailable', attempts: 1 });
    expect(Date.parse(String(status.lastError?.retryAt))).toBeGreaterThan(Date.now());

    // Backing off: an immediate pass does not try again.
    h.sandbox.requests.clear();
    await runner.reconcileNow();
    expect(h.sandbox.requests.filter((r) => r.method === 'PATCH')).toEqual([]);

    // A manual sync goes now and applies only what is missing.
    h.sandbox.requests.clear();
    const result = await runner.sync({ sha, trigger: 'manual', actor: 'ops' });
    expect(result.outcome).toBe('succeeded');
    expect(h.sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(12 - applied.length);
    expect((await h.store.status('midway')).syncedCommit).toBe(sha);
  });

  it('resumes an interrupted sync after a restart without re-applying or losing entries', async () => {
    const t = target({ id: 'resume', manifestPath: 'resume', namespace: 'default' });
    const first = await h.runner(t);
    const sha = await h.commit({ 'resume/all.yaml': many('res', 10, 'y') });
    const allowed = await h.gate.allow(sha);
    // The process dies mid-sync: sync.started is recorded, four objects applied and recorded,
    // a fifth applied but its record lost with the process.
    const recorder = (first as unknown as { recorder: import('../../src/reconciler/state/sync-recorder').SyncRecorder }).recorder;
    const startedSeq = await recorder.started({ commit: sha, trigger: 'automated', follows: [allowed.gateSeq], planned: { apply: 10, prune: 0 } });
    await h.store.saveStatus('resume', { openSync: { seq: startedSeq, commit: sha, trigger: 'automated', gateSeq: allowed.gateSeq, startedAt: new Date().toISOString() } }, new Date());
    const desiredOf = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `res-${i}`, namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'gitseal', 'gitseal.dev/target': 'resume' }, annotations: { 'gitseal.dev/target': 'resume', 'gitseal.dev/commit': sha } }, data: { v: 'y' } });
    for (let i = 0; i < 5; i++) {
      const result = await h.kube.apply(desiredOf(i), { force: true });
      if (i < 4) await recorder.recordApplied({ key: { group: '', kind: 'ConfigMap', namespace: 'default', name: `res-${i}` }, apiVersion: 'v1', syncSeq: startedSeq, commit: sha, hash: 'f'.repeat(64), operation: 'created', changes: [], result, tookOwnership: [] });
    }
    await first.stop();

    const mark = await h.size();
    h.sandbox.requests.clear();
    const second = await h.runner(t);
    await second.reconcileNow();
    const patched = h.sandbox.requests.filter((r) => r.method === 'PATCH').map((r) => r.name).sort();
    expect(patched).toEqual(['res-5', 'res-6', 'res-7', 'res-8', 'res-9']);
    const entries = await h.entries(mark);
    expect(ofType(entries, 'sync.started')).toEqual([]);
    const applied = ofType(entries, 'resource.applied');
    expect(applied.map((e) => [e.body.name, e.body.recovered ?? false]).sort()).toEqual([['res-4', true], ['res-5', false], ['res-6', false], ['res-7', false], ['res-8', false], ['res-9', false]]);
    expect(applied.every((e) => (e.body.follows as number[])[0] === startedSeq)).toBe(true);
    const [finished] = ofType(entries, 'sync.finished');
    expect(finished.body).toMatchObject({ follows: [startedSeq], outcome: 'succeeded' });
    const status = await h.store.status('resume');
    expect(status.openSync).toBeNull();
    expect(status.syncedCommit).toBe(sha);
    expect((await h.store.inventory('resume'))).toHaveLength(10);
  });

  it('takes a field another manager owns (force, the default) and records that it did; without force the sync stalls naming the field', async () => {
    const forced = target({ id: 'owner', manifestPath: 'owner', namespace: 'default' });
    const runner = await h.runner(forced);
    const one = await h.commit({ 'owner/app.yaml': yaml(deployment('contested', 2)) });
    await h.gate.allow(one);
    await runner.reconcileNow();
    const apps = h.sandbox.kubeConfig().makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment({ name: 'contested', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 9 }], fieldManager: 'kubectl-edit' });
    const two = await h.commit({ 'owner/app.yaml': yaml(deployment('contested', 3)) });
    await h.gate.allow(two);
    const mark = await h.size();
    await runner.reconcileNow();
    expect(h.live('Deployment', 'contested', 'default')?.spec).toMatchObject({ replicas: 3 });
    const [applied] = ofType(await h.entries(mark), 'resource.applied');
    expect(applied.body).toMatchObject({ name: 'contested', diff: [{ path: '/spec/replicas', before: 9, after: 3 }], tookOwnership: [{ path: '/spec/replicas', from: ['kubectl-edit'] }] });

    runner.update({ ...forced, settings: { ...forced.settings, forceConflicts: false } });
    await apps.patchNamespacedDeployment({ name: 'contested', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 7 }], fieldManager: 'kubectl-edit' });
    const three = await h.commit({ 'owner/app.yaml': yaml(deployment('contested', 4)) });
    await h.gate.allow(three);
    await runner.reconcileNow();
    expect(h.live('Deployment', 'contested', 'default')?.spec).toMatchObject({ replicas: 7 });
    expect((await h.store.status('owner')).lastError).toMatchObject({ class: 'stalled', code: 'kube-field-conflict', message: expect.stringMatching(/conflict with "kubectl-edit".*\.spec\.replicas/) });
  });
});
