import { AppsV1Api, CoreV1Api, type KubernetesObject, PatchStrategy, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxApiServer } from '../../src/sandbox';
import { configMap, deployment, failure, objectApi, raw, startSandbox } from './helpers';

describe('sandbox CRUD', () => {
  let sandbox: SandboxApiServer;
  beforeAll(async () => {
    sandbox = await startSandbox();
    // Status writes by the simulated controllers would race the read-modify-write cycles below.
    sandbox.controllers.pause();
    await sandbox.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'crud' } } });
  });
  afterAll(async () => sandbox.close());

  it('creates, reads, lists, replaces and deletes through the typed and the generic client', async () => {
    const core = sandbox.kubeConfig().makeApiClient(CoreV1Api);
    const ns = sandbox.getObject('v1', 'Namespace', undefined, 'crud');
    expect(JSON.stringify(ns?.metadata.managedFields)).not.toContain('f:status');
    const created = await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'one' }, data: { a: '1' } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const read = await core.readNamespacedConfigMap({ name: 'one', namespace: 'crud' });
    expect(read.data).toEqual({ a: '1' });
    read.data = { a: '2' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'one', namespace: 'crud', body: read });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const list = await core.listNamespacedConfigMap({ namespace: 'crud' });
    expect(list.items.map((c) => c.metadata?.name)).toEqual(['one']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(replaced.metadata?.resourceVersion));
    const status = await core.deleteNamespacedConfigMap({ name: 'one', namespace: 'crud' });
    expect(status).toMatchObject({ status: 'Success', details: { name: 'one', kind: 'configmaps' } });
    const gone = await failure(core.readNamespacedConfigMap({ name: 'one', namespace: 'crud' }));
    expect(gone.code).toBe(404);
    expect(gone.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', message: 'configmaps "one" not found', details: { name: 'one', kind: 'configmaps' }, code: 404 });
  });

  it('answers the real Status for duplicates, stale versions and bad names', async () => {
    const client = objectApi(sandbox);
    await client.create(deployment('dup', 'crud'));
    const dup = await failure(client.create(deployment('dup', 'crud')));
    expect(dup.code).toBe(409);
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', message: 'deployments.apps "dup" already exists', details: { name: 'dup', group: 'apps', kind: 'deployments' } });

    const apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
    const live = await apps.readNamespacedDeployment({ name: 'dup', namespace: 'crud' });
    const stale = structuredClone(live);
    live.spec!.replicas = 3;
    await apps.replaceNamespacedDeployment({ name: 'dup', namespace: 'crud', body: live });
    stale.spec!.replicas = 5;
    const conflict = await failure(apps.replaceNamespacedDeployment({ name: 'dup', namespace: 'crud', body: stale }));
    expect(conflict.code).toBe(409);
    expect(conflict.body).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on deployments.apps "dup": the object has been modified; please apply your changes to the latest version and try again',
    });

    const bad = await failure(client.create(configMap('Bad_Name', 'crud', {})));
    expect(bad.code).toBe(422);
    expect(bad.body).toMatchObject({ reason: 'Invalid', details: { name: 'Bad_Name', kind: 'ConfigMap', causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }] } });
    expect(String(bad.body.message)).toContain('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
    const badLabel = await failure(client.create(configMap('ok', 'crud', {}, { app: 'not ok!' })));
    expect(badLabel.code).toBe(422);
    const selector = await failure(client.create({ ...deployment('mismatch', 'crud'), spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'a', image: 'i' }] } } } }));
    expect(selector.body.message).toContain('`selector` does not match template `labels`');
  });

  it('bumps generation on spec changes only', async () => {
    const apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
    const client = objectApi(sandbox);
    await client.create(deployment('gen', 'crud'));
    const first = await apps.readNamespacedDeployment({ name: 'gen', namespace: 'crud' });
    expect(first.metadata?.generation).toBe(1);
    first.metadata!.labels = { ...first.metadata!.labels, extra: 'yes' };
    const labelled = await apps.replaceNamespacedDeployment({ name: 'gen', namespace: 'crud', body: first });
    expect(labelled.metadata?.generation).toBe(1);
    labelled.spec!.replicas = 4;
    const scaled = await apps.replaceNamespacedDeployment({ name: 'gen', namespace: 'crud', body: labelled });
    expect(scaled.metadata?.generation).toBe(2);
    const before = scaled.metadata?.resourceVersion;
    const same = await apps.replaceNamespacedDeployment({ name: 'gen', namespace: 'crud', body: scaled });
    expect(same.metadata?.resourceVersion).toBe(before);
  });

  it('keeps status on main writes and only status on /status writes', async () => {
    const client = objectApi(sandbox);
    await client.create(deployment('st', 'crud'));
    const path = '/apis/apps/v1/namespaces/crud/deployments/st';
    const withStatus = await raw(sandbox, 'PATCH', path, { spec: { replicas: 2 }, status: { replicas: 99 } }, PatchStrategy.MergePatch);
    expect(withStatus.status).toBe(200);
    expect((withStatus.json.status as Record<string, unknown> | undefined)?.replicas).not.toBe(99);
    const statusOnly = await raw(sandbox, 'PATCH', `${path}/status`, { spec: { replicas: 7 }, status: { replicas: 42 } }, PatchStrategy.MergePatch);
    expect(statusOnly.status).toBe(200);
    expect(statusOnly.json).toMatchObject({ spec: { replicas: 2 }, status: { replicas: 42 } });
  });

  it('selects by labels (equality and set-based), fields, and pages with limit/continue', async () => {
    const client = objectApi(sandbox);
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sel' } });
    const specs: [string, Record<string, string>][] = [
      ['a', { tier: 'web', env: 'prod' }],
      ['b', { tier: 'db', env: 'prod' }],
      ['c', { tier: 'web', env: 'dev' }],
      ['d', { tier: 'cache' }],
    ];
    for (const [name, labels] of specs) await client.create(configMap(name, 'sel', {}, labels));
    const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> => {
      const list = await client.list('v1', 'ConfigMap', 'sel', undefined, undefined, undefined, fieldSelector, labelSelector);
      return list.items.map((i) => i.metadata?.name ?? '');
    };
    expect(await names('tier=web')).toEqual(['a', 'c']);
    expect(await names('tier==web,env!=prod')).toEqual(['c']);
    expect(await names('tier in (db, cache)')).toEqual(['b', 'd']);
    expect(await names('tier notin (web)')).toEqual(['b', 'd']);
    expect(await names('env')).toEqual(['a', 'b', 'c']);
    expect(await names('!env')).toEqual(['d']);
    expect(await names(undefined, 'metadata.name=b')).toEqual(['b']);
    expect(await names(undefined, 'metadata.name!=b,metadata.namespace=sel')).toEqual(['a', 'c', 'd']);
    const badSelector = await raw(sandbox, 'GET', '/api/v1/namespaces/sel/configmaps?labelSelector=' + encodeURIComponent('tier in (a'));
    expect(badSelector.status).toBe(400);
    const badField = await raw(sandbox, 'GET', '/api/v1/namespaces/sel/configmaps?fieldSelector=spec.foo%3Dx');
    expect(badField.json).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.foo' });

    const page1 = await client.list('v1', 'ConfigMap', 'sel', undefined, undefined, undefined, undefined, undefined, 3);
    expect(page1.items.map((i) => i.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(page1.metadata?._continue).toBeTruthy();
    expect(page1.metadata?.remainingItemCount).toBe(1);
    const page2 = await client.list('v1', 'ConfigMap', 'sel', undefined, undefined, undefined, undefined, undefined, 3, page1.metadata?._continue);
    expect(page2.items.map((i) => i.metadata?.name)).toEqual(['d']);
    expect(page2.metadata?._continue).toBeFalsy();
    const all = await raw(sandbox, 'GET', '/api/v1/configmaps');
    expect((all.json.items as unknown[]).length).toBeGreaterThanOrEqual(4);
    expect((all.json.items as Record<string, unknown>[])[0].kind).toBeUndefined();
  });

  it('patches with JSON merge, JSON patch and strategic merge', async () => {
    const client = objectApi(sandbox);
    await client.create({
      ...deployment('patchy', 'crud'),
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'patchy' } },
        template: { metadata: { labels: { app: 'patchy' } }, spec: { containers: [{ name: 'app', image: 'a:1', env: [{ name: 'A', value: '1' }] }, { name: 'side', image: 's:1' }] } },
      },
    });
    const path = '/apis/apps/v1/namespaces/crud/deployments/patchy';
    const merged = await raw(sandbox, 'PATCH', path, { metadata: { labels: { extra: 'x' } }, spec: { replicas: 2 } }, PatchStrategy.MergePatch);
    expect(merged.json).toMatchObject({ metadata: { labels: { app: 'patchy', extra: 'x' } }, spec: { replicas: 2 } });
    const jp = await raw(sandbox, 'PATCH', path, [{ op: 'replace', path: '/spec/replicas', value: 3 }, { op: 'remove', path: '/metadata/labels/extra' }], PatchStrategy.JsonPatch);
    expect(jp.json).toMatchObject({ spec: { replicas: 3 } });
    expect((jp.json.metadata as { labels: Record<string, string> }).labels.extra).toBeUndefined();
    const failedTest = await raw(sandbox, 'PATCH', path, [{ op: 'test', path: '/spec/replicas', value: 9 }], PatchStrategy.JsonPatch);
    expect(failedTest.status).toBe(422);
    const smp = await raw(sandbox, 'PATCH', path, { spec: { template: { spec: { containers: [{ name: 'app', image: 'a:2', env: [{ name: 'B', value: '2' }] }, { name: 'side', $patch: 'delete' }] } } } }, PatchStrategy.StrategicMergePatch);
    const containers = (smp.json as { spec: { template: { spec: { containers: { name: string; image: string; env: { name: string }[] }[] } } } }).spec.template.spec.containers;
    expect(containers.map((c) => c.name)).toEqual(['app']);
    expect(containers[0].image).toBe('a:2');
    expect(containers[0].env.map((e) => e.name)).toEqual(['A', 'B']);
    expect(smp.json.metadata).toMatchObject({ generation: 4 });
    const missing = await raw(sandbox, 'PATCH', '/apis/apps/v1/namespaces/crud/deployments/nope', { spec: {} }, PatchStrategy.MergePatch);
    expect(missing.status).toBe(404);
  });

  it('rejects malformed bodies, unknown namespaces and oversized requests with a Status', async () => {
    const bad = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/configmaps', '{"metadata": {', 'application/json');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    const badYaml = await raw(sandbox, 'PATCH', '/api/v1/namespaces/crud/configmaps/x?fieldManager=m', 'a: [1, 2', 'application/apply-patch+yaml');
    expect(badYaml.status).toBe(400);
    const noNs = await raw(sandbox, 'POST', '/api/v1/namespaces/missing/configmaps', { metadata: { name: 'x' } });
    expect(noNs.json).toMatchObject({ code: 404, reason: 'NotFound', message: 'namespaces "missing" not found', details: { name: 'missing', kind: 'namespaces' } });
    const wrongNs = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/configmaps', { metadata: { name: 'x', namespace: 'other' } });
    expect(wrongNs.json).toMatchObject({ code: 400, message: 'the namespace of the provided object does not match the namespace sent on the request' });
    const wrongKind = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/configmaps', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } });
    expect(wrongKind.status).toBe(400);
    const huge = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/configmaps', { metadata: { name: 'huge' }, data: { big: 'x'.repeat(4 * 1024 * 1024) } });
    expect(huge.json).toMatchObject({ code: 413, reason: 'RequestEntityTooLarge' });
    const longKey = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/configmaps', { metadata: { name: 'long', labels: { [`${'a'.repeat(200_000)}/x`]: 'v' } } });
    expect(longKey.status).toBe(422);
    const longSelector = await raw(sandbox, 'GET', `/api/v1/namespaces/crud/configmaps?labelSelector=${'a'.repeat(10_000)}`);
    expect(longSelector.status).toBe(400);
    const deep = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/configmaps', `{"metadata":{"name":"deep"},"x":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(deep.status).toBe(400);
    const unsupported = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/configmaps', 'x', 'text/plain');
    expect(unsupported.json).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    const unknownPath = await raw(sandbox, 'GET', '/apis/apps/v1/namespaces/crud/frobs');
    expect(unknownPath.json).toMatchObject({ code: 404, reason: 'NotFound' });
    const yamlBomb = await raw(sandbox, 'PATCH', '/api/v1/namespaces/crud/configmaps/bomb?fieldManager=m', `a: &a [x,x,x,x,x,x,x,x,x]\n${Array.from({ length: 150 }, (_, i) => `k${i}: [*a,*a,*a,*a,*a,*a,*a,*a]`).join('\n')}\n`, 'application/apply-patch+yaml');
    expect(yamlBomb.status).toBe(400);
    expect(sandbox.getObject('v1', 'ConfigMap', 'crud', 'x')).toBeUndefined();
  });

  it('dry-runs create, replace, patch, apply and delete without storing or consuming versions', async () => {
    const client = objectApi(sandbox);
    const core = sandbox.kubeConfig().makeApiClient(CoreV1Api);
    await client.create(configMap('dry', 'crud', { a: '1' }));
    const before = sandbox.getObject('v1', 'ConfigMap', 'crud', 'dry');
    const rvBefore = (await core.listNamespacedConfigMap({ namespace: 'crud' })).metadata?.resourceVersion;
    const created = (await client.create(configMap('dry-new', 'crud', { b: '2' }), undefined, 'All')) as V1ConfigMap;
    expect(created.metadata?.uid).toBeTruthy();
    expect(sandbox.getObject('v1', 'ConfigMap', 'crud', 'dry-new')).toBeUndefined();
    await client.replace({ ...configMap('dry', 'crud', { a: 'replaced' }) }, undefined, 'All');
    const patched = (await client.patch(configMap('dry', 'crud', { a: 'applied' }), undefined, 'All', 'gitseal', true, PatchStrategy.ServerSideApply)) as V1ConfigMap;
    expect(patched.data).toEqual({ a: 'applied' });
    await client.delete(configMap('dry', 'crud', {}), undefined, 'All');
    expect(sandbox.getObject('v1', 'ConfigMap', 'crud', 'dry')).toEqual(before);
    const rvAfter = (await core.listNamespacedConfigMap({ namespace: 'crud' })).metadata?.resourceVersion;
    expect(rvAfter).toBe(rvBefore);
    const log = sandbox.requests.filter((r) => r.dryRun && r.namespace === 'crud');
    expect(log.map((r) => r.method)).toEqual(['POST', 'PUT', 'PATCH', 'DELETE']);
    const invalidDry = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/configmaps?dryRun=All', { metadata: { name: 'BAD' } });
    expect(invalidDry.status).toBe(422);
  });

  it('handles cluster-scoped kinds, generateName, secrets and services', async () => {
    const client = objectApi(sandbox);
    const clusterRole: KubernetesObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:reader' } };
    const role = await client.create(clusterRole);
    expect(role.metadata?.namespace).toBeUndefined();
    const generated = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/configmaps', { metadata: { generateName: 'gen-' } });
    expect(String((generated.json.metadata as { name: string }).name)).toMatch(/^gen-[a-z0-9]{5}$/);
    const secret = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/secrets', { metadata: { name: 's' }, stringData: { password: 'hunter2' } });
    expect(secret.json).toMatchObject({ type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } });
    expect(secret.json.stringData).toBeUndefined();
    const svc = await raw(sandbox, 'POST', '/api/v1/namespaces/crud/services', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    expect(svc.json).toMatchObject({ spec: { type: 'ClusterIP', clusterIP: expect.stringMatching(/^10\.96\./), ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } });
    const replaced = await raw(sandbox, 'PUT', '/api/v1/namespaces/crud/services/web', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 81 }] } });
    expect((replaced.json.spec as { clusterIP: string }).clusterIP).toBe((svc.json.spec as { clusterIP: string }).clusterIP);
  });

  it('serves the scale subresource of workloads', async () => {
    await objectApi(sandbox).create(deployment('scaled', 'crud', { replicas: 2 }));
    const path = '/apis/apps/v1/namespaces/crud/deployments/scaled/scale';
    const scale = await raw(sandbox, 'GET', path);
    expect(scale.json).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'scaled', namespace: 'crud' }, spec: { replicas: 2 }, status: { selector: 'app=scaled' } });
    const patched = await raw(sandbox, 'PATCH', `${path}?fieldManager=hpa`, { spec: { replicas: 5 } }, PatchStrategy.MergePatch);
    expect(patched.json).toMatchObject({ spec: { replicas: 5 } });
    const parent = sandbox.getObject('apps/v1', 'Deployment', 'crud', 'scaled');
    expect(parent?.spec).toMatchObject({ replicas: 5 });
    expect(parent?.metadata.generation).toBe(2);
    expect(parent?.metadata.managedFields).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'hpa', subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } })]));
    const stale = await raw(sandbox, 'PUT', path, { ...scale.json, spec: { replicas: 1 } });
    expect(stale.json).toMatchObject({ code: 409, reason: 'Conflict' });
    const negative = await raw(sandbox, 'PATCH', path, { spec: { replicas: -1 } }, PatchStrategy.MergePatch);
    expect(negative.status).toBe(422);
    const discovery = await raw(sandbox, 'GET', '/apis/apps/v1');
    expect(discovery.json.resources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'deployments/scale', kind: 'Scale', group: 'autoscaling', version: 'v1' })]));
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/crud/configmaps/x/scale')).status).toBe(404);
  });

  it('prints a Table for kubectl-style Accept headers', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const table = await raw(sandbox, 'GET', '/api/v1/namespaces', undefined, 'application/json', { Accept: accept });
    expect(table.json).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', columnDefinitions: [{ name: 'Name' }, { name: 'Created At' }] });
    const rows = table.json.rows as { cells: string[]; object: { kind: string } }[];
    expect(rows.map((r) => r.cells[0])).toContain('default');
    expect(rows[0].object.kind).toBe('PartialObjectMetadata');
    const plain = await raw(sandbox, 'GET', '/api/v1/namespaces/default', undefined, 'application/json', { Accept: 'application/json' });
    expect(plain.json.kind).toBe('Namespace');
  });

  it('requires the bearer token when one is configured', async () => {
    const secured = await startSandbox({ token: 's3cret' });
    try {
      const anon = await raw(secured, 'GET', '/api/v1/namespaces');
      expect(anon.json).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
      const core = secured.kubeConfig().makeApiClient(CoreV1Api);
      const list = await core.listNamespace();
      expect(list.items.map((n) => n.metadata?.name)).toContain('default');
      expect(secured.kubeConfigYaml()).toContain('token: s3cret');
    } finally {
      await secured.close();
    }
  });
});
