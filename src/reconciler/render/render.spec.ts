import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/kube-object';
import { parseManifestFile } from './manifest-parser';
import { COMMIT_ANNOTATION, MANAGED_BY_LABEL, renderDesired, TARGET_LABEL, type RenderTarget, type ScopeResolver } from './render';

const COMMIT = 'a'.repeat(40);
const target: RenderTarget = { id: 'shop', namespace: 'shop', clusterResources: ['Namespace'] };
const known: Record<string, 'namespaced' | 'cluster'> = {
  'v1/ConfigMap': 'namespaced', 'v1/Secret': 'namespaced', 'v1/Namespace': 'cluster', 'apps/v1/Deployment': 'namespaced',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'cluster', 'apiextensions.k8s.io/v1/CustomResourceDefinition': 'cluster',
};
const resolve: ScopeResolver = (apiVersion, kind) => known[`${apiVersion}/${kind}`];
const docs = (files: Record<string, string>) => Object.entries(files).flatMap(([p, t]) => parseManifestFile(p, Buffer.from(t)));
const yaml = (o: object) => JSON.stringify(o);

describe('rendering desired objects', () => {
  it('fills the default namespace, labels and annotates, and drops server fields and status', () => {
    const [cm] = renderDesired(docs({ 'a.yaml': yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', resourceVersion: '5', uid: 'u', labels: { app: 'x' } }, data: { k: 'v' }, status: { x: 1 } }) }), target, resolve, COMMIT);
    expect(cm.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'shop', labels: { app: 'x', [MANAGED_BY_LABEL]: 'gitseal', [TARGET_LABEL]: 'shop' }, annotations: { 'gitseal.dev/target': 'shop', [COMMIT_ANNOTATION]: COMMIT } },
      data: { k: 'v' },
    });
    expect(cm.id).toBe('/ConfigMap/shop/c');
    expect(cm.source).toBe('a.yaml document 1');
  });

  it('keeps the hash of an object across commits (the commit annotation does not count)', () => {
    const d = docs({ 'a.yaml': yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }) });
    expect(renderDesired(d, target, resolve, COMMIT)[0].hash).toBe(renderDesired(d, target, resolve, 'b'.repeat(40))[0].hash);
  });

  it('orders namespaces, then CRDs, then the rest, keeping file order within a kind', () => {
    const out = renderDesired(
      docs({
        'a.yaml': [yaml({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }), yaml({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c2' } })].join('\n---\n'),
        'b.yaml': [yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' } }), yaml({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: [{ name: 'v1', served: true, storage: true }] } }), yaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })].join('\n---\n'),
      }),
      { ...target, clusterResources: ['Namespace', 'CustomResourceDefinition'] },
      resolve,
      COMMIT,
    );
    expect(out.map((o) => `${o.key.kind}/${o.key.name}`)).toEqual(['Namespace/shop', 'CustomResourceDefinition/widgets.example.com', 'ConfigMap/c2', 'ConfigMap/c1', 'Deployment/d', 'Widget/w']);
    expect(out.find((o) => o.key.kind === 'Widget')?.key.namespace).toBe('shop');
  });

  it('folds Secret stringData into data', () => {
    const [s] = renderDesired(docs({ 's.yaml': yaml({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'hello' } }) }), target, resolve, COMMIT);
    expect((s.object as KubeObject & { data: unknown }).data).toEqual({ a: 'YQ==', b: 'aGVsbG8=' });
    expect(s.object.stringData).toBeUndefined();
  });

  it('drops a namespace written on a cluster-scoped object', () => {
    const [ns] = renderDesired(docs({ 'n.yaml': yaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'y' } }) }), target, resolve, COMMIT);
    expect(ns.object.metadata.namespace).toBeUndefined();
    expect(ns.key.namespace).toBe('');
  });

  const refused: Array<[string, Record<string, string>, RegExp, string, Partial<RenderTarget>?]> = [
    ['a duplicate (same group, kind, namespace and name)', { 'a.yaml': yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }), 'b.yaml': yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } }) }, /b\.yaml document 1: ConfigMap shop\/c is already defined in a\.yaml document 1/, 'duplicate-object'],
    ['an unknown kind', { 'a.yaml': yaml({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } }) }, /a\.yaml document 1: the cluster does not serve Gadget in example\.com\/v1/, 'unknown-kind'],
    ['a cluster-scoped kind the target may not manage', { 'a.yaml': yaml({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'admin' } }) }, /a\.yaml document 1: ClusterRole\.rbac\.authorization\.k8s\.io admin is cluster-scoped and the target may not manage/, 'forbidden-object'],
    ['a namespace outside the allowed ones', { 'a.yaml': yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'kube-system' } }) }, /outside the target's namespaces \(shop, shop-\*\)/, 'forbidden-object', { namespaces: ['shop', 'shop-*'] }],
    ['a missing name', { 'a.yaml': yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'c-' } }) }, /metadata\.name is missing/, 'invalid-manifest'],
    ['a name with a slash', { 'a.yaml': yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '../etc' } }) }, /metadata\.name "\.\.\/etc" is not a valid name/, 'invalid-manifest'],
    ['too many objects', { 'a.yaml': [1, 2, 3].map((i) => yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } })).join('\n---\n') }, /3 objects, more than the limit 2/, 'too-many-objects', { maxObjects: 2 }],
  ];
  it.each(refused)('refuses %s', (_name, files, message, code, extra) => {
    expect(() => renderDesired(docs(files), { ...target, ...extra }, resolve, COMMIT)).toThrow(message);
    try {
      renderDesired(docs(files), { ...target, ...extra }, resolve, COMMIT);
    } catch (err) {
      expect((err as { code: string }).code).toBe(code);
    }
  });

  it('allows cluster-scoped kinds by group pattern', () => {
    const d = docs({ 'a.yaml': yaml({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } }) });
    expect(renderDesired(d, { ...target, clusterResources: ['rbac.authorization.k8s.io/*'] }, resolve, COMMIT)).toHaveLength(1);
    expect(renderDesired(d, { ...target, clusterResources: ['*'] }, resolve, COMMIT)).toHaveLength(1);
    expect(() => renderDesired(d, { ...target, clusterResources: ['other.io/*'] }, resolve, COMMIT)).toThrow(/may not manage/);
  });
});
