import { AppsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../support/test-database';
import { configMap, deployment, Harness, ofType, target, yaml } from './support/harness';

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(TEST_DATABASE_KINDS)('drift and self-heal on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.create(kind);
  });
  afterAll(async () => h?.close());

  it('records a live change with the manager that made it, and leaves it when self-heal is off', async () => {
    const runner = await h.runner(target({ id: 'watch', manifestPath: 'watch', namespace: 'default' }));
    const sha = await h.commit({ 'watch/app.yaml': yaml(deployment('drifty', 2)) });
    await h.gate.allow(sha);
    await runner.reconcileNow();
    const mark = await h.size();
    const apps = h.sandbox.kubeConfig().makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment({ name: 'drifty', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 7 }], fieldManager: 'kubectl-edit' });
    // The watch sees it without waiting for the interval.
    const detected = await until(async () => ofType(await h.entries(mark), 'drift.detected')[0], 'drift.detected');
    expect(detected.body).toMatchObject({
      target: 'watch',
      commit: sha,
      kind: 'Deployment',
      namespace: 'default',
      name: 'drifty',
      deleted: false,
      selfHeal: false,
      changes: [{ path: '/spec/replicas', before: 2, after: 7, manager: 'kubectl-edit' }],
    });
    expect(h.live('Deployment', 'drifty', 'default')?.spec).toMatchObject({ replicas: 7 });
    // The same drift is recorded once, however often it is checked.
    await runner.checkDriftNow();
    await runner.checkDriftNow();
    expect(ofType(await h.entries(mark), 'drift.detected')).toHaveLength(1);
    expect((await h.store.status('watch')).lastDrift).toMatchObject({ seq: detected.seq, objects: ['apps/Deployment/default/drifty'], healed: false });
  });

  it('heals drift by re-applying the synced commit (a deleted object is recreated) and records drift.healed', async () => {
    const t = target({ id: 'heal', manifestPath: 'heal', namespace: 'default' }, { selfHeal: true });
    const runner = await h.runner(t);
    const sha = await h.commit({ 'heal/app.yaml': yaml(deployment('healme', 2), configMap('healcm', { k: 'v' })) });
    const allowed = await h.gate.allow(sha);
    await runner.reconcileNow();
    const mark = await h.size();
    const apps = h.sandbox.kubeConfig().makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment({ name: 'healme', namespace: 'default', body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'evil:latest' }], fieldManager: 'intruder' });
    await h.kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'healcm' });
    // The two changes may be seen together or one after the other (one heal each).
    const healed = await until(async () => {
      const entries = await h.entries(mark);
      const detected = ofType(entries, 'drift.detected').length;
      const done = ofType(entries, 'drift.healed');
      const objects = done.flatMap((e) => (e.body.objects as Array<{ name: string }>).map((o) => o.name));
      return detected >= 2 && objects.includes('healme') && objects.includes('healcm') && (await h.store.status('heal')).lastDrift?.healed ? done : undefined;
    }, 'drift.healed for both objects');
    expect(h.live('ConfigMap', 'healcm', 'default')).toBeDefined();
    const entries = await h.entries(mark);
    const detected = ofType(entries, 'drift.detected');
    const byName = Object.fromEntries(detected.map((e) => [String(e.body.name), e.body]));
    expect(byName.healme).toMatchObject({ deleted: false, selfHeal: true, changes: [{ path: '/spec/template/spec/containers/0/image', before: 'nginx:1.27', after: 'evil:latest', manager: 'intruder' }] });
    expect(byName.healcm).toMatchObject({ deleted: true, changes: [] });
    const started = ofType(entries, 'sync.started').filter((e) => e.body.trigger === 'self-heal');
    expect(started.length).toBeGreaterThanOrEqual(1);
    for (const s of started) expect((s.body.follows as number[]).includes(allowed.gateSeq)).toBe(true);
    expect(healed[0].body.follows).toEqual(expect.arrayContaining([ofType(entries, 'sync.finished')[0].seq]));
    const image = (h.live('Deployment', 'healme', 'default')?.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0].image;
    expect(image).toBe('nginx:1.27');
    expect((await h.store.status('heal')).lastDrift?.healed).toBe(true);
    // Healing asked the gate about the synced commit again.
    expect(h.gate.asked.filter((s) => s === sha).length).toBeGreaterThanOrEqual(2);
  });

  it('leaves an ignored difference alone (JSON pointer, or the manager that owns the field)', async () => {
    const t = target({ id: 'ignore', manifestPath: 'ignore', namespace: 'default' }, {
      selfHeal: true,
      ignoreDifferences: [
        { group: 'apps', kind: 'Deployment', jsonPointers: [], managedFieldsManagers: ['hpa-controller'] },
        { kind: 'ConfigMap', name: 'tuned', jsonPointers: ['/data/level'], managedFieldsManagers: [] },
      ],
    });
    const runner = await h.runner(t);
    const sha = await h.commit({ 'ignore/app.yaml': yaml(deployment('scaled', 2), configMap('tuned', { level: 'low', other: 'x' })) });
    await h.gate.allow(sha);
    await runner.reconcileNow();
    const mark = await h.size();
    const apps = h.sandbox.kubeConfig().makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment({ name: 'scaled', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 5 }], fieldManager: 'hpa-controller' });
    await fetch(`${h.sandbox.url}/api/v1/namespaces/default/configmaps/tuned?fieldManager=tuner`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { level: 'high' } }) });
    await new Promise((r) => setTimeout(r, 400));
    await runner.checkDriftNow();
    expect(ofType(await h.entries(mark), 'drift.detected', 'sync.started')).toEqual([]);
    expect(h.live('Deployment', 'scaled', 'default')?.spec).toMatchObject({ replicas: 5 });
    expect(h.live('ConfigMap', 'tuned', 'default')?.data).toEqual({ level: 'high', other: 'x' });
    // A new commit changing another field keeps the ignored live values.
    const next = await h.commit({ 'ignore/app.yaml': yaml(deployment('scaled', 2, 'nginx:1.28'), configMap('tuned', { level: 'low', other: 'y' })) });
    await h.gate.allow(next);
    await runner.reconcileNow();
    expect(h.live('Deployment', 'scaled', 'default')?.spec).toMatchObject({ replicas: 5 });
    expect(h.live('ConfigMap', 'tuned', 'default')?.data).toEqual({ level: 'high', other: 'y' });
  });

  it('heals recorded drift once a sync window lets it, without recording it again', async () => {
    const base = target({ id: 'later', manifestPath: 'later', namespace: 'default' }, { selfHeal: true });
    const runner = await h.runner(base);
    const sha = await h.commit({ 'later/cm.yaml': yaml(configMap('later-cm', { k: 'v' })) });
    await h.gate.allow(sha);
    await runner.reconcileNow();
    runner.update({ ...base, settings: { ...base.settings, windows: [{ kind: 'deny', schedule: '* * * * *', duration: '1h', timeZone: 'UTC', manualSync: false }] } });
    const mark = await h.size();
    await fetch(`${h.sandbox.url}/api/v1/namespaces/default/configmaps/later-cm?fieldManager=meddler`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { k: 'changed' } }) });
    await runner.checkDriftNow();
    await runner.checkDriftNow();
    expect(ofType(await h.entries(mark), 'drift.detected')).toHaveLength(1);
    expect(ofType(await h.entries(mark), 'sync.started')).toEqual([]);
    expect(h.live('ConfigMap', 'later-cm', 'default')?.data).toEqual({ k: 'changed' });
    runner.update(base);
    await runner.checkDriftNow();
    const entries = await h.entries(mark);
    expect(ofType(entries, 'drift.detected')).toHaveLength(1);
    expect(ofType(entries, 'drift.healed')).toHaveLength(1);
    expect(h.live('ConfigMap', 'later-cm', 'default')?.data).toEqual({ k: 'v' });
  });
});
