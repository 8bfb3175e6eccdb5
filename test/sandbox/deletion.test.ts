import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxApiServer } from '../../src/sandbox';
import { configMap, deployment, failure, objectApi, raw, startSandbox, waitFor } from './helpers';

describe('sandbox deletion', () => {
  let sandbox: SandboxApiServer;
  beforeAll(async () => {
    sandbox = await startSandbox();
    await objectApi(sandbox).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'del' } });
  });
  afterAll(async () => sandbox.close());

  it('keeps an object with finalizers until the last one is removed', async () => {
    const client = objectApi(sandbox);
    await client.create({ ...configMap('fin', 'del', { a: '1' }), metadata: { name: 'fin', namespace: 'del', finalizers: ['example.com/hold'] } });
    const deleting = await raw(sandbox, 'DELETE', '/api/v1/namespaces/del/configmaps/fin');
    expect(deleting.status).toBe(200);
    expect(deleting.json).toMatchObject({ kind: 'ConfigMap', metadata: { finalizers: ['example.com/hold'], deletionTimestamp: expect.any(String) } });
    const still = sandbox.getObject('v1', 'ConfigMap', 'del', 'fin');
    expect(still?.metadata.deletionTimestamp).toBeTruthy();
    const addMore = await raw(sandbox, 'PATCH', '/api/v1/namespaces/del/configmaps/fin', { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } }, 'application/merge-patch+json');
    expect(addMore.status).toBe(422);
    const cleared = await raw(sandbox, 'PATCH', '/api/v1/namespaces/del/configmaps/fin', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    expect(cleared.status).toBe(200);
    expect(sandbox.getObject('v1', 'ConfigMap', 'del', 'fin')).toBeUndefined();
  });

  it('checks uid and resourceVersion preconditions', async () => {
    const client = objectApi(sandbox);
    const created = await client.create(configMap('pre', 'del', {}));
    const wrong = await raw(sandbox, 'DELETE', '/api/v1/namespaces/del/configmaps/pre', { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-it' } });
    expect(wrong.json).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(String(wrong.json.message)).toContain('Precondition failed: UID in precondition: not-it, UID in object meta: ');
    const stale = await raw(sandbox, 'DELETE', '/api/v1/namespaces/del/configmaps/pre', { preconditions: { resourceVersion: '1' } });
    expect(stale.json).toMatchObject({ code: 409 });
    const ok = await raw(sandbox, 'DELETE', '/api/v1/namespaces/del/configmaps/pre', { preconditions: { uid: created.metadata?.uid, resourceVersion: created.metadata?.resourceVersion } });
    expect(ok.json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'pre', kind: 'configmaps', uid: created.metadata?.uid } });
    const gone = await failure(client.delete(configMap('pre', 'del', {})));
    expect(gone.code).toBe(404);
  });

  it('terminates a namespace: refuses new content, deletes its objects, and goes once empty', async () => {
    const client = objectApi(sandbox);
    const core = sandbox.kubeConfig().makeApiClient(CoreV1Api);
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await client.create(configMap('plain', 'doomed', {}));
    await client.create({ ...configMap('held', 'doomed', {}), metadata: { name: 'held', namespace: 'doomed', finalizers: ['example.com/hold'] } });
    const ns = await core.deleteNamespace({ name: 'doomed' });
    expect(ns).toMatchObject({ kind: 'Namespace', status: { phase: 'Terminating' } });
    await waitFor(() => (sandbox.getObject('v1', 'ConfigMap', 'doomed', 'plain') === undefined ? true : undefined), 'namespace content deleted');
    expect(sandbox.getObject('v1', 'ConfigMap', 'doomed', 'held')?.metadata.deletionTimestamp).toBeTruthy();
    const refused = await failure(client.create(configMap('late', 'doomed', {})));
    expect(refused.code).toBe(403);
    expect(refused.body).toMatchObject({
      reason: 'Forbidden',
      message: 'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
      details: { causes: [{ reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' }] },
    });
    expect(sandbox.getObject('v1', 'Namespace', undefined, 'doomed')?.status).toMatchObject({ phase: 'Terminating' });
    await raw(sandbox, 'PATCH', '/api/v1/namespaces/doomed/configmaps/held', { metadata: { finalizers: [] } }, 'application/merge-patch+json');
    await waitFor(() => (sandbox.getObject('v1', 'Namespace', undefined, 'doomed') === undefined ? true : undefined), 'namespace removed');
    const protectedNs = await failure(core.deleteNamespace({ name: 'default' }));
    expect(protectedNs.code).toBe(403);
  });

  it('cascades through ownerReferences in the background, in the foreground, or orphans', async () => {
    const client = objectApi(sandbox);
    const owner = async (name: string) => client.create(deployment(name, 'del'));
    const dependent = async (name: string, ownerName: string, uid: string) =>
      client.create({ ...configMap(name, 'del', {}), metadata: { name, namespace: 'del', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: ownerName, uid, blockOwnerDeletion: true }] } });

    const bg = await owner('bg');
    await dependent('bg-child', 'bg', bg.metadata?.uid ?? '');
    await client.delete(deployment('bg', 'del'), undefined, undefined, undefined, undefined, 'Background');
    expect(sandbox.getObject('apps/v1', 'Deployment', 'del', 'bg')).toBeUndefined();
    await waitFor(() => (sandbox.getObject('v1', 'ConfigMap', 'del', 'bg-child') === undefined ? true : undefined), 'background cascade');

    const fg = await owner('fg');
    await client.create({ ...configMap('fg-child', 'del', {}), metadata: { name: 'fg-child', namespace: 'del', finalizers: ['example.com/slow'], ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'fg', uid: fg.metadata?.uid ?? '' }] } });
    const apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
    const pending = await raw(sandbox, 'DELETE', '/apis/apps/v1/namespaces/del/deployments/fg', { propagationPolicy: 'Foreground' });
    expect(pending.json).toMatchObject({ metadata: { finalizers: ['foregroundDeletion'], deletionTimestamp: expect.any(String) } });
    await waitFor(() => (sandbox.getObject('v1', 'ConfigMap', 'del', 'fg-child')?.metadata.deletionTimestamp ? true : undefined), 'child deleting');
    expect(sandbox.getObject('apps/v1', 'Deployment', 'del', 'fg')).toBeTruthy();
    await raw(sandbox, 'PATCH', '/api/v1/namespaces/del/configmaps/fg-child', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await waitFor(() => (sandbox.getObject('apps/v1', 'Deployment', 'del', 'fg') === undefined ? true : undefined), 'owner gone after dependents');
    expect((await failure(apps.readNamespacedDeployment({ name: 'fg', namespace: 'del' }))).code).toBe(404);

    const orphanOwner = await owner('orph');
    await dependent('orph-child', 'orph', orphanOwner.metadata?.uid ?? '');
    await raw(sandbox, 'DELETE', '/apis/apps/v1/namespaces/del/deployments/orph?propagationPolicy=Orphan');
    await waitFor(() => (sandbox.getObject('apps/v1', 'Deployment', 'del', 'orph') === undefined ? true : undefined), 'orphaning owner gone');
    const child = sandbox.getObject('v1', 'ConfigMap', 'del', 'orph-child');
    expect(child).toBeTruthy();
    expect(child?.metadata.ownerReferences).toBeUndefined();
  });

  it('deletes a collection by label selector', async () => {
    const client = objectApi(sandbox);
    await client.create(configMap('col-a', 'del', {}, { batch: 'x' }));
    await client.create(configMap('col-b', 'del', {}, { batch: 'x' }));
    await client.create(configMap('col-c', 'del', {}, { batch: 'y' }));
    const res = await raw(sandbox, 'DELETE', '/api/v1/namespaces/del/configmaps?labelSelector=batch%3Dx');
    expect(res.json).toMatchObject({ kind: 'ConfigMapList' });
    expect((res.json.items as { metadata: { name: string } }[]).map((i) => i.metadata.name)).toEqual(['col-a', 'col-b']);
    expect(sandbox.getObject('v1', 'ConfigMap', 'del', 'col-a')).toBeUndefined();
    expect(sandbox.getObject('v1', 'ConfigMap', 'del', 'col-c')).toBeTruthy();
  });
});
