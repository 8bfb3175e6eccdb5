import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeAdapter, type WatchEvent } from '../../src/reconciler/kube/kube.adapter';
import type { KubeObject } from '../../src/reconciler/kube/kube-object';
import { ReconcilerException } from '../../src/reconciler/reconciler.exception';
import { startSandboxApiServer, type SandboxApiServer } from '../../src/sandbox';

const cm = (name: string, data: Record<string, string>, labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'gitseal' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'kube-adapter', labels },
  data,
});

async function failure(p: Promise<unknown>): Promise<ReconcilerException> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ReconcilerException) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('Kubernetes adapter against the sandbox API server', () => {
  let sandbox: SandboxApiServer;
  let kube: KubeAdapter;

  beforeAll(async () => {
    sandbox = await startSandboxApiServer({ controllerDelayMs: 20, bookmarkIntervalMs: 100 });
    kube = new KubeAdapter(sandbox.kubeConfig(), { timeoutMs: 5000 });
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-adapter' } }, { force: true });
  });
  afterAll(async () => sandbox?.close());

  it('discovers kinds, namespaced or not, and reports unknown ones', async () => {
    expect(await kube.discovery.lookup('apps/v1', 'Deployment')).toMatchObject({ plural: 'deployments', namespaced: true });
    expect(await kube.discovery.lookup('v1', 'Namespace')).toMatchObject({ plural: 'namespaces', namespaced: false });
    expect(await kube.discovery.lookup('example.com/v1', 'Widget')).toBeUndefined();
    expect((await failure(kube.get({ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'x', name: 'y' }))).code).toBe('unknown-kind');
  });

  it('applies with field manager gitseal, reads back, and keeps fields client-node models would drop', async () => {
    const created = await kube.apply({ ...cm('a', { k: 'v' }) }, { force: true });
    expect(created.metadata.resourceVersion).toBeTruthy();
    const live = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-adapter', name: 'a' });
    expect(live?.data).toEqual({ k: 'v' });
    const managers = (live?.metadata.managedFields as Array<{ manager: string }>).map((m) => m.manager);
    expect(managers).toContain('gitseal');
    expect(typeof live?.metadata.creationTimestamp).toBe('string');
    const patch = sandbox.requests.filter((r) => r.method === 'PATCH' && r.name === 'a').pop();
    expect(patch).toMatchObject({ fieldManager: 'gitseal', force: true, contentType: 'application/apply-patch+yaml' });
  });

  it('answers undefined for a missing object', async () => {
    expect(await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-adapter', name: 'nope' })).toBeUndefined();
  });

  it('dry-runs an apply without storing it', async () => {
    const result = await kube.apply(cm('dry', { k: 'v' }), { force: true, dryRun: true });
    expect(result.data).toEqual({ k: 'v' });
    expect(sandbox.getObject('v1', 'ConfigMap', 'kube-adapter', 'dry')).toBeUndefined();
  });

  it('lists by label across pages, with apiVersion and kind on every item', async () => {
    for (let i = 0; i < 520; i++) await kube.apply(cm(`many-${i}`, { i: String(i) }, { bulk: 'yes' }), { force: true });
    const listed = await kube.list('v1', 'ConfigMap', 'bulk=yes');
    expect(listed.items).toHaveLength(520);
    expect(listed.items.every((o) => o.kind === 'ConfigMap' && o.apiVersion === 'v1')).toBe(true);
    expect(sandbox.requests.filter((r) => r.method === 'GET' && r.resource === 'configmaps' && r.query.labelSelector === 'bulk=yes')).toHaveLength(2);
  });

  it('classifies a field-manager conflict (stalled unless forced) and takes ownership with force', async () => {
    await kube.apply(cm('fight', { k: 'mine' }), { force: true });
    const api = sandbox.kubeConfig();
    await fetch(`${sandbox.url}/api/v1/namespaces/kube-adapter/configmaps/fight?fieldManager=other&force=true`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fight' }, data: { k: 'theirs' } }),
    });
    expect(api).toBeTruthy();
    const err = await failure(kube.apply(cm('fight', { k: 'mine' }), { force: false }));
    expect(err.code).toBe('kube-field-conflict');
    expect(err.errorClass).toBe('stalled');
    expect(err.details?.conflicts).toEqual([{ field: '.data.k', manager: 'other' }]);
    const forced = await kube.apply(cm('fight', { k: 'mine' }), { force: true });
    expect(forced.data).toEqual({ k: 'mine' });
  });

  it('classifies API errors: 422 stalled, 429/5xx transient with Retry-After, 403 stalled, refused connection transient', async () => {
    const bad = await failure(kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: 'kube-adapter' } }, { force: true }));
    expect([bad.code, bad.errorClass]).toEqual(['kube-invalid', 'stalled']);
    sandbox.faults.failNext(1, { method: 'PATCH' }, { code: 429, retryAfterSeconds: 2 });
    const slow = await failure(kube.apply(cm('x', {}), { force: true }));
    expect([slow.code, slow.errorClass, slow.details?.retryAfterSeconds]).toEqual(['kube-unavailable', 'transient', 2]);
    sandbox.faults.failNext(1, { method: 'PATCH' }, { code: 503 });
    expect((await failure(kube.apply(cm('x', {}), { force: true }))).errorClass).toBe('transient');
    sandbox.faults.failNext(1, { method: 'PATCH' }, { code: 403, reason: 'Forbidden', message: 'configmaps is forbidden' });
    expect((await failure(kube.apply(cm('x', {}), { force: true }))).code).toBe('kube-forbidden');
    sandbox.faults.failNext(1, { method: 'PATCH' }, { code: 409 });
    const conflict = await failure(kube.apply(cm('x', {}), { force: true }));
    expect([conflict.code, conflict.errorClass]).toEqual(['kube-conflict', 'transient']);
    sandbox.faults.dropNext(1, { method: 'PATCH' });
    const dropped = await failure(kube.apply(cm('x', {}), { force: true }));
    expect([dropped.code, dropped.errorClass]).toEqual(['kube-unavailable', 'transient']);
    await sandbox.faults.setUnavailable('refuse');
    try {
      const refused = await failure(kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-adapter', name: 'a' }));
      expect(refused.message).toMatch(/could not be reached/);
    } finally {
      await sandbox.faults.restore();
    }
  });

  it('deletes only the object with the given uid', async () => {
    const first = await kube.apply(cm('gone', {}), { force: true });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-adapter', name: 'gone' };
    expect((await failure(kube.delete(ref, 'not-the-uid'))).code).toBe('kube-conflict');
    expect(await kube.delete(ref, String(first.metadata.uid))).toBe(true);
    expect(await kube.delete(ref)).toBe(false);
  });

  it('watches by label from a resourceVersion, with bookmarks, and reports 410 as kube-gone', async () => {
    const listed = await kube.list('v1', 'ConfigMap', 'watched=yes');
    const events: WatchEvent[] = [];
    let ended: unknown = 'open';
    const handle = await kube.watch('v1', 'ConfigMap', 'watched=yes', listed.resourceVersion, (e) => events.push(e), (err) => (ended = err));
    await kube.apply(cm('w1', { a: '1' }, { watched: 'yes' }), { force: true });
    await kube.apply(cm('w2', { a: '1' }, { other: 'yes' }), { force: true });
    await kube.apply(cm('w1', { a: '2' }, { watched: 'yes' }), { force: true });
    const deadline = Date.now() + 3000;
    while ((events.filter((e) => e.type !== 'BOOKMARK').length < 2 || !events.some((e) => e.type === 'BOOKMARK')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    handle.stop();
    const changes = events.filter((e): e is Extract<WatchEvent, { object: KubeObject }> => e.type !== 'BOOKMARK');
    expect(changes.map((e) => [e.type, e.object.metadata.name, e.object.kind])).toEqual([['ADDED', 'w1', 'ConfigMap'], ['MODIFIED', 'w1', 'ConfigMap']]);
    expect(events.some((e) => e.type === 'BOOKMARK')).toBe(true);
    expect(ended).toBe('open');

    const small = await startSandboxApiServer({ watchHistorySize: 2 });
    try {
      const k2 = new KubeAdapter(small.kubeConfig());
      const start = (await k2.list('v1', 'ConfigMap', 'x=y')).resourceVersion;
      for (let i = 0; i < 5; i++) await k2.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'default' } }, { force: true });
      const gone = await new Promise<unknown>((resolve) => void k2.watch('v1', 'ConfigMap', 'x=y', start, () => undefined, resolve));
      expect((gone as ReconcilerException).code).toBe('kube-gone');
    } finally {
      await small.close();
    }
  });
});
