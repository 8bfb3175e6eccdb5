import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxApiServer } from '../../src/sandbox';
import { objectApi, raw, startSandbox, waitFor } from './helpers';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { parts: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'], items: { type: 'object' } } } } } } },
      },
    ],
  },
};

describe('sandbox discovery', () => {
  let sandbox: SandboxApiServer;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => sandbox.close());

  it('serves /version, /api and /apis like the real server', async () => {
    const version = await raw(sandbox, 'GET', '/version');
    expect(version.json).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\./) });
    const api = await raw(sandbox, 'GET', '/api');
    expect(api.json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const apis = await raw(sandbox, 'GET', '/apis');
    expect(apis.json.kind).toBe('APIGroupList');
    const names = (apis.json.groups as { name: string; preferredVersion: { groupVersion: string } }[]).map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['apps', 'batch', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'apiextensions.k8s.io', 'policy', 'autoscaling']));
    const autoscaling = (apis.json.groups as { name: string; preferredVersion: { groupVersion: string } }[]).find((g) => g.name === 'autoscaling');
    expect(autoscaling?.preferredVersion.groupVersion).toBe('autoscaling/v2');
    expect((await raw(sandbox, 'GET', '/healthz')).text).toBe('ok');
  });

  it('lists resources with namespaced, kind, verbs and shortNames', async () => {
    const core = await raw(sandbox, 'GET', '/api/v1');
    expect(core.json).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    const resources = core.json.resources as Record<string, unknown>[];
    const ns = resources.find((r) => r.name === 'namespaces');
    expect(ns).toMatchObject({ singularName: 'namespace', namespaced: false, kind: 'Namespace', shortNames: ['ns'] });
    expect(ns?.verbs).not.toContain('deletecollection');
    expect(resources.find((r) => r.name === 'pods/status')).toMatchObject({ kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    for (const name of ['pods', 'services', 'configmaps', 'secrets', 'serviceaccounts', 'persistentvolumeclaims', 'events']) {
      expect(resources.map((r) => r.name)).toContain(name);
    }
    const apps = await raw(sandbox, 'GET', '/apis/apps/v1');
    const deploy = (apps.json.resources as Record<string, unknown>[]).find((r) => r.name === 'deployments');
    expect(deploy).toMatchObject({ namespaced: true, kind: 'Deployment', shortNames: ['deploy'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] });
    const rbac = await raw(sandbox, 'GET', '/apis/rbac.authorization.k8s.io/v1');
    expect((rbac.json.resources as Record<string, unknown>[]).find((r) => r.name === 'clusterroles')).toMatchObject({ namespaced: false });
    expect((await raw(sandbox, 'GET', '/apis/apps/v2')).status).toBe(404);
    expect((await raw(sandbox, 'GET', '/apis/nope.example.com')).status).toBe(404);
  });

  it('serves a custom resource once its CRD is applied, and stops when it is deleted', async () => {
    const client = objectApi(sandbox);
    expect((await raw(sandbox, 'GET', '/apis/example.com/v1')).status).toBe(404);
    await client.create(crd);
    const established = await waitFor(() => {
      const got = sandbox.getObject('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'widgets.example.com');
      const conditions = (got?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
      return conditions.find((c) => c.type === 'Established' && c.status === 'True');
    }, 'CRD Established');
    expect(established).toBeTruthy();
    const list = await raw(sandbox, 'GET', '/apis/example.com/v1');
    expect(list.json.resources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'widgets', kind: 'Widget', namespaced: true, shortNames: ['wd'] }), expect.objectContaining({ name: 'widgets/status' })]));
    const apis = await raw(sandbox, 'GET', '/apis');
    expect((apis.json.groups as { name: string }[]).map((g) => g.name)).toContain('example.com');

    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' }, spec: { size: 3 }, status: { ignored: true } };
    const created = (await client.create(widget)) as unknown as Record<string, unknown>;
    expect(created).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { generation: 1 } });
    expect(created.status).toBeUndefined();
    const listed = await raw(sandbox, 'GET', '/apis/example.com/v1/namespaces/default/widgets');
    expect(listed.json).toMatchObject({ kind: 'WidgetList', items: [expect.objectContaining({ kind: 'Widget', apiVersion: 'example.com/v1' })] });

    const watch = fetch(`${sandbox.url}/apis/example.com/v1/namespaces/default/widgets?watch=true`).then((res) => res.text());
    await new Promise((r) => setTimeout(r, 50));
    await client.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' } });
    const events = (await watch).trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(events).toEqual(['ADDED', 'DELETED']);
    expect((await raw(sandbox, 'GET', '/apis/example.com/v1')).status).toBe(404);
    expect((await raw(sandbox, 'GET', '/apis/example.com/v1/namespaces/default/widgets/w1')).status).toBe(404);
    expect(sandbox.getObject('example.com/v1', 'Widget', 'default', 'w1')).toBeUndefined();
  });

  it('keys custom list items by the CRD schema in managedFields', async () => {
    const client = objectApi(sandbox);
    const second = { ...crd, metadata: { name: 'gadgets.example.org' }, spec: { ...crd.spec, group: 'example.org', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' } } };
    // Raw HTTP: the client's typed CRD model spells the schema extensions xKubernetesListType.
    expect((await raw(sandbox, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', second)).status).toBe(201);
    const applied = (await client.patch(
      { apiVersion: 'example.org/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default' }, spec: { parts: [{ id: 'a', n: 1 }] } },
      undefined,
      undefined,
      'gitseal',
      undefined,
      'application/apply-patch+yaml',
    )) as unknown as { metadata: { managedFields: { fieldsV1: Record<string, unknown> }[] } };
    expect(applied.metadata.managedFields[0].fieldsV1).toEqual({ 'f:spec': { 'f:parts': { 'k:{"id":"a"}': { '.': {}, 'f:id': {}, 'f:n': {} } } } });
  });
});
