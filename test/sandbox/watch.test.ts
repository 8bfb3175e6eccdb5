import { CoreV1Api, type KubernetesObject, Watch, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxApiServer } from '../../src/sandbox';
import { configMap, objectApi, raw, startSandbox, waitFor } from './helpers';

interface Seen {
  type: string;
  name: string;
  rv: string;
}

/** Opens a client-node Watch and collects its events until stopped. */
async function collect(sandbox: SandboxApiServer, path: string, query: Record<string, string | number | boolean>) {
  const events: Seen[] = [];
  const raws: { type: string; object: Record<string, unknown> }[] = [];
  let ended: unknown = 'open';
  const watch = new Watch(sandbox.kubeConfig());
  const controller = await watch.watch(
    path,
    query,
    (type: string, obj: KubernetesObject & Record<string, unknown>) => {
      raws.push({ type, object: obj });
      events.push({ type, name: obj.metadata?.name ?? '', rv: obj.metadata?.resourceVersion ?? '' });
    },
    (err: unknown) => {
      ended = err ?? null;
    },
  );
  return { events, raws, controller, ended: () => ended };
}

describe('sandbox watch', () => {
  let sandbox: SandboxApiServer;
  beforeAll(async () => {
    sandbox = await startSandbox({ watchHistorySize: 50, bookmarkIntervalMs: 50 });
    await objectApi(sandbox).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w' } });
  });
  afterAll(async () => sandbox.close());

  it('streams ADDED, MODIFIED and DELETED from a resourceVersion', async () => {
    const client = objectApi(sandbox);
    const first = await client.create(configMap('before', 'w', { a: '1' }));
    const w = await collect(sandbox, '/api/v1/namespaces/w/configmaps', { resourceVersion: first.metadata?.resourceVersion ?? '' });
    await client.create(configMap('one', 'w', { a: '1' }));
    await client.replace(configMap('one', 'w', { a: '2' }));
    await client.delete(configMap('one', 'w', {}));
    await waitFor(() => w.events.length >= 3 || undefined, 'three events');
    expect(w.events.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED one', 'MODIFIED one', 'DELETED one']);
    const rvs = w.events.map((e) => Number(e.rv));
    expect(rvs[0]).toBeLessThan(rvs[1]);
    expect(rvs[1]).toBeLessThan(rvs[2]);
    expect(w.raws[0].object).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    w.controller.abort();
  });

  it('replays the current state as ADDED without a resourceVersion, and filters by labels', async () => {
    const client = objectApi(sandbox);
    await client.create(configMap('lab-a', 'w', {}, { team: 'red' }));
    await client.create(configMap('lab-b', 'w', {}, { team: 'blue' }));
    const w = await collect(sandbox, '/api/v1/namespaces/w/configmaps', { labelSelector: 'team=red' });
    await waitFor(() => w.events.length >= 1 || undefined, 'initial state');
    expect(w.events.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED lab-a']);
    await client.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lab-b', namespace: 'w', labels: { team: 'red' } } }, undefined, undefined, 'test', undefined, 'application/merge-patch+json');
    await client.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lab-a', namespace: 'w', labels: { team: 'green' } } }, undefined, undefined, 'test', undefined, 'application/merge-patch+json');
    await waitFor(() => w.events.length >= 3 || undefined, 'transitions');
    expect(w.events.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED lab-a', 'ADDED lab-b', 'DELETED lab-a']);
    w.controller.abort();
  });

  it('sends an ERROR 410 Expired event for a version older than the history window', async () => {
    const client = objectApi(sandbox);
    const old = await client.create(configMap('old', 'w', {}));
    for (let i = 0; i < 60; i++) await client.replace(configMap('old', 'w', { i: String(i) }));
    const w = await collect(sandbox, '/api/v1/namespaces/w/configmaps', { resourceVersion: old.metadata?.resourceVersion ?? '' });
    await waitFor(() => (w.ended() !== 'open' ? true : undefined), 'stream end');
    expect(w.raws).toHaveLength(1);
    expect(w.raws[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 } });
    expect(String(w.raws[0].object.message)).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    const listExpired = await raw(sandbox, 'GET', `/api/v1/namespaces/w/configmaps?limit=1&continue=${Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(old.metadata?.resourceVersion), start: 'w/a' })).toString('base64')}`);
    expect(listExpired.json).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('sends bookmarks when allowed and closes on timeoutSeconds', async () => {
    const w = await collect(sandbox, '/api/v1/namespaces/w/secrets', { allowWatchBookmarks: true, timeoutSeconds: 1 });
    await waitFor(() => (w.ended() !== 'open' ? true : undefined), 'timeout close', 4000);
    const bookmarks = w.raws.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThan(0);
    expect(bookmarks[0].object).toMatchObject({ kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
    expect(w.ended()).toBeNull();
  });

  it('streams newline-delimited JSON, chunked, for ?watch=1 over raw HTTP', async () => {
    const res = await fetch(`${sandbox.url}/api/v1/namespaces?watch=1&timeoutSeconds=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const text = await res.text();
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    expect(lines.map((l) => `${l.type} ${l.object.metadata.name}`)).toContain('ADDED default');
  });

  it('keeps a client-node informer in sync', async () => {
    const kc = sandbox.kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const client = objectApi(sandbox);
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf' } });
    await client.create(configMap('pre', 'inf', { a: '1' }));
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/inf/configmaps', () => core.listNamespacedConfigMap({ namespace: 'inf' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.a}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();
    await waitFor(() => (seen.includes('add pre') ? true : undefined), 'initial list');
    await client.create(configMap('live', 'inf', { a: '1' }));
    await client.replace(configMap('live', 'inf', { a: '2' }));
    await client.delete(configMap('pre', 'inf', {}));
    await waitFor(() => (seen.includes('delete pre') ? true : undefined), 'informer events');
    expect(seen).toEqual(['add pre', 'add live', 'update live 2', 'delete pre']);
    expect(informer.list('inf').map((o) => o.metadata?.name)).toEqual(['live']);
    await informer.stop();
  });
});
