import { AppsV1Api, type KubernetesObject, PatchStrategy, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxApiServer } from '../../src/sandbox';
import { configMap, deployment, failure, objectApi, raw, startSandbox } from './helpers';

type Managed = { manager: string; operation: string; apiVersion: string; time: string; fieldsType: string; fieldsV1: Record<string, unknown>; subresource?: string };

function managed(obj: KubernetesObject | undefined): Managed[] {
  return (obj?.metadata?.managedFields ?? []) as unknown as Managed[];
}

describe('sandbox server-side apply', () => {
  let sandbox: SandboxApiServer;
  const apply = (obj: KubernetesObject, manager: string, force?: boolean) => objectApi(sandbox).patch(obj, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);

  beforeAll(async () => {
    sandbox = await startSandbox();
    sandbox.controllers.pause();
    await objectApi(sandbox).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ssa' } });
  });
  afterAll(async () => sandbox.close());

  it('creates with 201, records FieldsV1 ownership, and leaves a no-op re-apply alone', async () => {
    const res = await raw(sandbox, 'PATCH', '/apis/apps/v1/namespaces/ssa/deployments/web?fieldManager=gitseal', deployment('web', 'ssa', { replicas: 2 }), PatchStrategy.ServerSideApply);
    expect(res.status).toBe(201);
    const entries = managed(res.json as unknown as KubernetesObject);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ manager: 'gitseal', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' });
    expect(entries[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(entries[0].fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': { 'f:matchLabels': { 'f:app': {} } },
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
    const again = await apply(deployment('web', 'ssa', { replicas: 2 }), 'gitseal');
    expect(again.metadata?.resourceVersion).toBe((res.json.metadata as { resourceVersion: string }).resourceVersion);
  });

  it('accepts a YAML body and requires fieldManager', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  key: value\n';
    const ok = await raw(sandbox, 'PATCH', '/api/v1/namespaces/ssa/configmaps/from-yaml?fieldManager=gitseal', yaml, 'application/apply-patch+yaml');
    expect(ok.status).toBe(201);
    expect(ok.json.data).toEqual({ key: 'value' });
    const noManager = await raw(sandbox, 'PATCH', '/api/v1/namespaces/ssa/configmaps/from-yaml', yaml, 'application/apply-patch+yaml');
    expect(noManager.json).toMatchObject({ code: 400, reason: 'BadRequest' });
    const wrongName = await raw(sandbox, 'PATCH', '/api/v1/namespaces/ssa/configmaps/other?fieldManager=gitseal', yaml, 'application/apply-patch+yaml');
    expect(wrongName.status).toBe(400);
    const forceOnMerge = await raw(sandbox, 'PATCH', '/api/v1/namespaces/ssa/configmaps/from-yaml?force=true', { data: {} }, PatchStrategy.MergePatch);
    expect(forceOnMerge.status).toBe(422);
  });

  it('removes fields the manager applied before and omits now, unless another manager owns them', async () => {
    await apply(configMap('prune', 'ssa', { a: '1', b: '2', c: '3' }, { keep: 'x', drop: 'y' }), 'gitseal');
    await apply(configMap('prune', 'ssa', { c: '3' }), 'other');
    const after = await apply(configMap('prune', 'ssa', { a: '1' }, { keep: 'x' }), 'gitseal');
    expect((after as unknown as { data: Record<string, string> }).data).toEqual({ a: '1', c: '3' });
    expect(after.metadata?.labels).toEqual({ keep: 'x' });
    const mine = managed(after).find((m) => m.manager === 'gitseal');
    expect(mine?.fieldsV1).toEqual({ 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:keep': {} } } });
  });

  it('removes dropped list items by key and keeps other managers items', async () => {
    const base = deployment('lists', 'ssa');
    const spec = (containers: { name: string; image: string }[]) => ({ ...base, spec: { ...(base.spec as object), template: { metadata: { labels: { app: 'lists' } }, spec: { containers } } } });
    await apply(spec([{ name: 'app', image: 'a:1' }, { name: 'sidecar', image: 's:1' }]), 'gitseal');
    await apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'lists', namespace: 'ssa' }, spec: { template: { spec: { containers: [{ name: 'injected', image: 'i:1' }] } } } } as KubernetesObject, 'injector');
    const after = (await apply(spec([{ name: 'app', image: 'a:2' }]), 'gitseal')) as V1Deployment;
    expect(after.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=a:2', 'injected=i:1']);
  });

  it('answers 409 with each conflicting field, and force takes ownership', async () => {
    await apply(deployment('fight', 'ssa', { replicas: 2, image: 'nginx:1' }), 'gitseal');
    await apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fight', namespace: 'ssa' }, spec: { replicas: 5 } } as KubernetesObject, 'hpa', true);
    const one = await failure(apply(deployment('fight', 'ssa', { replicas: 3, image: 'nginx:1' }), 'gitseal'));
    expect(one.code).toBe(409);
    expect(one.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "hpa": .spec.replicas',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "hpa"', field: '.spec.replicas' }] },
      code: 409,
    });
    const apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment(
      { name: 'fight', namespace: 'ssa', body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:hotfix' }], fieldManager: 'kubectl-edit' },
    );
    const two = await failure(apply(deployment('fight', 'ssa', { replicas: 3, image: 'nginx:2' }), 'gitseal'));
    const causes = (two.body.details as { causes: { field: string; message: string }[] }).causes;
    expect(causes.map((c) => c.field).sort()).toEqual(['.spec.replicas', '.spec.template.spec.containers[name="app"].image']);
    expect(String(two.body.message)).toMatch(/^Apply failed with 2 conflicts: conflicts with "hpa":\n- \.spec\.replicas\nconflicts with "kubectl-edit" using apps\/v1 at \S+:\n- \.spec\.template\.spec\.containers\[name="app"\]\.image$/);
    const forced = (await apply(deployment('fight', 'ssa', { replicas: 3, image: 'nginx:2' }), 'gitseal', true)) as V1Deployment;
    expect(forced.spec?.replicas).toBe(3);
    expect(forced.spec?.template.spec?.containers[0].image).toBe('nginx:2');
    expect(managed(forced).map((m) => m.manager)).not.toContain('hpa');
    expect(managed(forced).find((m) => m.manager === 'gitseal')?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {} } });
  });

  it('shares ownership when another manager applies the same value', async () => {
    await apply(configMap('shared', 'ssa', { a: '1' }), 'one');
    const both = await apply(configMap('shared', 'ssa', { a: '1' }), 'two');
    expect(managed(both).map((m) => m.manager).sort()).toEqual(['one', 'two']);
    const dropped = await apply(configMap('shared', 'ssa', {}), 'one');
    expect((dropped as unknown as { data: Record<string, string> }).data).toEqual({ a: '1' });
  });

  it('records non-apply writers as Update entries and takes the fields they changed from the applier', async () => {
    await apply(deployment('drift', 'ssa', { replicas: 2 }), 'gitseal');
    const apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
    const live = await apps.readNamespacedDeployment({ name: 'drift', namespace: 'ssa' });
    live.spec!.replicas = 9;
    const edited = await apps.replaceNamespacedDeployment({ name: 'drift', namespace: 'ssa', body: live, fieldManager: 'kubectl-edit' });
    const entries = managed(edited);
    const editor = entries.find((m) => m.manager === 'kubectl-edit');
    expect(editor).toMatchObject({ operation: 'Update', apiVersion: 'apps/v1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    const applier = entries.find((m) => m.manager === 'gitseal');
    expect((applier?.fieldsV1['f:spec'] as Record<string, unknown>)['f:replicas']).toBeUndefined();
    expect(entries.map((m) => m.operation)).toEqual(['Apply', 'Update']);
    const stored = managed(sandbox.getObject('apps/v1', 'Deployment', 'ssa', 'drift') as KubernetesObject);
    for (const m of stored) expect(m.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const patched = await raw(sandbox, 'PATCH', '/apis/apps/v1/namespaces/ssa/deployments/drift', { metadata: { annotations: { note: 'x' } } }, PatchStrategy.MergePatch, { 'User-Agent': 'kubectl/v1.31.0 (linux/amd64) kubernetes/abc' });
    const byAgent = managed(patched.json as unknown as KubernetesObject).find((m) => m.manager === 'kubectl');
    expect(byAgent?.fieldsV1).toEqual({ 'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } } });
  });

  it('owns nothing under status on the main resource, and a status write owns only status', async () => {
    await apply({ ...deployment('stat', 'ssa'), status: { replicas: 5 } } as KubernetesObject, 'gitseal');
    const got = sandbox.getObject('apps/v1', 'Deployment', 'ssa', 'stat');
    expect(got?.status).toBeUndefined();
    const res = await raw(sandbox, 'PATCH', '/apis/apps/v1/namespaces/ssa/deployments/stat/status?fieldManager=tester', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'stat' }, status: { replicas: 4 } }, PatchStrategy.ServerSideApply);
    expect(res.status).toBe(200);
    const entry = managed(res.json as unknown as KubernetesObject).find((m) => m.manager === 'tester');
    expect(entry).toMatchObject({ operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {} } } });
  });

  it('takes a resourceVersion in the applied config as a precondition', async () => {
    const first = await apply(configMap('pre', 'ssa', { a: '1' }), 'gitseal');
    await apply(configMap('pre', 'ssa', { a: '2' }), 'gitseal');
    const stale = await failure(apply({ ...configMap('pre', 'ssa', { a: '3' }), metadata: { name: 'pre', namespace: 'ssa', resourceVersion: first.metadata?.resourceVersion } }, 'gitseal'));
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
  });
});
