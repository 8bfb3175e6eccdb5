import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxApiServer } from '../../src/sandbox';
import { configMap, failure, objectApi, raw, startSandbox } from './helpers';

describe('sandbox faults and request log', () => {
  let sandbox: SandboxApiServer;
  beforeAll(async () => {
    sandbox = await startSandbox();
    await objectApi(sandbox).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'f' } });
  });
  afterAll(async () => sandbox.close());

  it('fails the next N matching requests with the given status, then serves again', async () => {
    const client = objectApi(sandbox);
    sandbox.faults.failNext(2, { method: 'POST', kind: 'ConfigMap' }, { code: 500 });
    expect((await failure(client.create(configMap('a', 'f', {})))).body).toMatchObject({ kind: 'Status', code: 500, reason: 'InternalError' });
    expect((await failure(client.create(configMap('a', 'f', {})))).code).toBe(500);
    await client.create(configMap('a', 'f', {}));
    expect(sandbox.getObject('v1', 'ConfigMap', 'f', 'a')).toBeTruthy();

    sandbox.faults.failNext(1, { name: 'a', namespace: 'f' }, { code: 429, retryAfterSeconds: 2 });
    const throttled = await raw(sandbox, 'GET', '/api/v1/namespaces/f/configmaps/a');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(throttled.json).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 2 } });
    sandbox.faults.failNext(1, { path: /\/configmaps\/a$/, writesOnly: true }, { code: 409 });
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/f/configmaps/a')).status).toBe(200);
    expect((await raw(sandbox, 'PUT', '/api/v1/namespaces/f/configmaps/a', configMap('a', 'f', {}))).json).toMatchObject({ code: 409, reason: 'Conflict' });
    sandbox.faults.failNext(1, { method: 'PUT', resource: 'configmaps', skip: 2 }, { code: 500 });
    const puts = [];
    for (let i = 0; i < 4; i++) puts.push((await raw(sandbox, 'PUT', '/api/v1/namespaces/f/configmaps/a', configMap('a', 'f', { i: String(i) }))).status);
    expect(puts).toEqual([200, 200, 500, 200]);
    sandbox.faults.failNext(1, { resource: 'configmaps' }, { code: 503 });
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/f/configmaps')).json).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
  });

  it('drops connections before handling, or after the write took effect', async () => {
    const client = objectApi(sandbox);
    sandbox.faults.dropNext(1, { method: 'POST', name: undefined, kind: 'ConfigMap' });
    await expect(client.create(configMap('lost', 'f', {}))).rejects.toThrow();
    expect(sandbox.getObject('v1', 'ConfigMap', 'f', 'lost')).toBeUndefined();
    sandbox.faults.dropNext(1, { method: 'POST', kind: 'ConfigMap' }, 'after');
    await expect(client.create(configMap('applied', 'f', {}))).rejects.toThrow();
    expect(sandbox.getObject('v1', 'ConfigMap', 'f', 'applied')).toBeTruthy();
    const dropped = sandbox.requests.filter((r) => r.status === 'dropped');
    expect(dropped).toHaveLength(2);
  });

  it('adds latency to matching requests', async () => {
    const remove = sandbox.faults.addLatency(150, { method: 'GET', resource: 'secrets' });
    const start = Date.now();
    await raw(sandbox, 'GET', '/api/v1/namespaces/f/secrets');
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    remove();
    const second = Date.now();
    await raw(sandbox, 'GET', '/api/v1/namespaces/f/secrets');
    expect(Date.now() - second).toBeLessThan(140);
  });

  it('becomes unavailable (503 or refused connections) and comes back on the same port', async () => {
    const core = sandbox.kubeConfig().makeApiClient(CoreV1Api);
    const watch = fetch(`${sandbox.url}/api/v1/namespaces?watch=true`).then((res) => res.text());
    await new Promise((r) => setTimeout(r, 50));
    await sandbox.faults.setUnavailable('http-503');
    expect(await watch).toContain('ADDED');
    expect((await failure(core.listNamespace())).code).toBe(503);
    await sandbox.faults.setUnavailable('refuse');
    expect(sandbox.faults.availability).toBe('refuse');
    const attempt = () =>
      fetch(`${sandbox.url}/version`).then(
        () => 'answered',
        (err: Error & { cause?: { code?: string } }) => err.cause?.code,
      );
    try {
      // A pooled keep-alive connection may notice the cut first; a new one is refused.
      expect(['ECONNREFUSED', 'UND_ERR_SOCKET', 'ECONNRESET']).toContain(await attempt());
      expect(await attempt()).toBe('ECONNREFUSED');
    } finally {
      await sandbox.faults.restore();
    }
    const list = await core.listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toContain('f');
  });

  it('logs method, path, content type, field manager and dry run of each request', async () => {
    sandbox.requests.clear();
    await objectApi(sandbox).patch(configMap('logged', 'f', { a: '1' }), undefined, 'All', 'gitseal', true, 'application/apply-patch+yaml');
    const entries = sandbox.requests.entries();
    const apply = entries.find((r) => r.method === 'PATCH');
    expect(apply).toMatchObject({
      path: '/api/v1/namespaces/f/configmaps/logged',
      contentType: 'application/apply-patch+yaml',
      fieldManager: 'gitseal',
      dryRun: true,
      force: true,
      kind: 'ConfigMap',
      namespace: 'f',
      name: 'logged',
      status: 201,
    });
    sandbox.faults.failNext(5, { kind: 'ConfigMap' }, { code: 500 });
    sandbox.faults.clear();
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/f/configmaps')).status).toBe(200);
  });
});
