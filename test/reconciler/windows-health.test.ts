import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../support/test-database';
import { configMap, deployment, Harness, ofType, target, yaml } from './support/harness';

const always = { schedule: '* * * * *', duration: '1h', timeZone: 'UTC' };

describe.each(TEST_DATABASE_KINDS)('sync windows, health and custom resources on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.create(kind);
  });
  afterAll(async () => h?.close());

  it('blocks automated syncs in a deny window, lets manual ones through only with manualSync, and syncs once the window allows', async () => {
    const deny = target({ id: 'frozen', manifestPath: 'frozen', namespace: 'default' }, { windows: [{ kind: 'deny', ...always, manualSync: false }] });
    const runner = await h.runner(deny);
    const sha = await h.commit({ 'frozen/a.yaml': yaml(configMap('frozen', { v: '1' })) });
    await h.gate.allow(sha);
    await runner.reconcileNow();
    expect(h.live('ConfigMap', 'frozen', 'default')).toBeUndefined();
    expect((await h.store.status('frozen')).lastError).toMatchObject({ class: 'waiting', code: 'sync-window-closed', message: expect.stringMatching(/blocked by the active deny window/) });
    const manual = await runner.sync({ sha, trigger: 'manual', actor: 'ops' });
    expect(manual.error?.code).toBe('sync-window-closed');
    expect(h.live('ConfigMap', 'frozen', 'default')).toBeUndefined();

    runner.update(target({ id: 'frozen', manifestPath: 'frozen', namespace: 'default' }, { windows: [{ kind: 'deny', ...always, manualSync: true }] }));
    expect((await runner.sync({ sha, trigger: 'manual', actor: 'ops' })).outcome).toBe('succeeded');
    expect(h.live('ConfigMap', 'frozen', 'default')).toBeDefined();
  });

  it('syncs only inside an allow window when one exists', async () => {
    const hour = new Date().getUTCHours();
    const elsewhere = (hour + 12) % 24;
    const runner = await h.runner(target({ id: 'office', manifestPath: 'office', namespace: 'default' }, { windows: [{ kind: 'allow', schedule: `0 ${elsewhere} * * *`, duration: '1h', timeZone: 'UTC', manualSync: false }] }));
    const sha = await h.commit({ 'office/a.yaml': yaml(configMap('office', { v: '1' })) });
    await h.gate.allow(sha);
    await runner.reconcileNow();
    expect(h.live('ConfigMap', 'office', 'default')).toBeUndefined();
    expect((await h.store.status('office')).lastError?.message).toMatch(/outside every allow window/);
    runner.update(target({ id: 'office', manifestPath: 'office', namespace: 'default' }, { windows: [{ kind: 'allow', ...always, manualSync: false }] }));
    await runner.reconcileNow();
    expect(h.live('ConfigMap', 'office', 'default')).toBeDefined();
  });

  it('fails a sync whose workloads do not become healthy in time, and reports a degraded rollout at once', async () => {
    const runner = await h.runner(target({ id: 'slow', manifestPath: 'slow', namespace: 'default' }, { healthTimeoutSeconds: 1 }));
    h.sandbox.controllers.pause();
    const sha = await h.commit({ 'slow/app.yaml': yaml(deployment('sluggish', 1)) });
    await h.gate.allow(sha);
    const mark = await h.size();
    try {
      await runner.reconcileNow();
    } finally {
      h.sandbox.controllers.resume();
    }
    const [finished] = ofType(await h.entries(mark), 'sync.finished');
    expect(finished.body).toMatchObject({ outcome: 'failed', health: 'Progressing', error: { class: 'stalled', code: 'health-timeout', message: expect.stringMatching(/not healthy after 1s: Deployment\.apps default\/sluggish: Progressing/) } });
    const status = await h.store.status('slow');
    // Everything was applied: the commit is the synced one, its health is what failed.
    expect(status).toMatchObject({ syncedCommit: sha, health: 'Progressing', lastError: { code: 'health-timeout' } });

    h.sandbox.controllers.failDeployment('default', 'broken');
    const broken = await h.commit({ 'slow/app.yaml': yaml(deployment('sluggish', 1), deployment('broken', 1)) });
    await h.gate.allow(broken);
    const mark2 = await h.size();
    runner.update(target({ id: 'slow', manifestPath: 'slow', namespace: 'default' }, { healthTimeoutSeconds: 30 }));
    const started = Date.now();
    await runner.reconcileNow();
    const [degraded] = ofType(await h.entries(mark2), 'sync.finished');
    expect(degraded.body).toMatchObject({ outcome: 'failed', health: 'Degraded', error: { code: 'health-degraded' } });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('applies a CRD before its custom resources, in one sync', async () => {
    const runner = await h.runner(target({ id: 'crd', manifestPath: 'crd', namespace: 'default' }));
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets', singular: 'widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    };
    const sha = await h.commit({ 'crd/widget.yaml': yaml({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } }), 'crd/crd.yaml': yaml(crd) });
    await h.gate.allow(sha);
    await runner.reconcileNow();
    expect(h.sandbox.getObject('example.com/v1', 'Widget', 'default', 'w1')?.spec).toEqual({ size: 3 });
    expect((await h.store.status('crd')).lastSync?.outcome).toBe('succeeded');
  });
});
