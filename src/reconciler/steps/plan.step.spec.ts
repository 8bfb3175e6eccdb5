import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/kube-object';
import { parseManifestFile } from '../render/manifest-parser';
import { renderDesired } from '../render/render';
import type { InventoryRow } from '../state/reconciler.store';
import { planSync } from './plan.step';

const COMMIT = 'c'.repeat(40);
const docs = (...objects: object[]) => parseManifestFile('a.yaml', Buffer.from(objects.map((o) => JSON.stringify(o)).join('\n---\n')));
const resolve = (_a: string, kind: string) => (kind === 'Namespace' ? ('cluster' as const) : ('namespaced' as const));
const desired = renderDesired(
  docs({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same' }, data: { a: '1' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'changed' }, data: { a: '2' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new' } }),
  { id: 't', namespace: 'ns', clusterResources: ['Namespace'] },
  resolve,
  COMMIT,
);
const liveOf = (name: string, data: Record<string, string>, target = 't'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/managed-by': 'gitseal', 'gitseal.dev/target': target }, annotations: { 'gitseal.dev/target': target } }, data });
const row = (kind: string, name: string, namespace = 'ns'): InventoryRow => ({ key: { group: '', kind, namespace, name }, apiVersion: 'v1', uid: 'u', resourceVersion: '1', appliedHash: '0'.repeat(64), commit: COMMIT, appliedSeq: 1, appliedAt: '' });

describe('planning a sync', () => {
  it('applies what is missing or differs, leaves what is in sync, and prunes inventory rows no longer desired (dependents first)', () => {
    const live = new Map([['/ConfigMap/ns/same', liveOf('same', { a: '1' })], ['/ConfigMap/ns/changed', liveOf('changed', { a: '1' })]]);
    const inventory = new Map([['/ConfigMap/ns/same', row('ConfigMap', 'same')], ['/Namespace//old-ns', row('Namespace', 'old-ns', '')], ['/ConfigMap/ns/gone', row('ConfigMap', 'gone')]]);
    const plan = planSync(desired, live, inventory, 't', []);
    expect(plan.apply.map((p) => [p.desired.key.name, p.live ? 'update' : 'create'])).toEqual([['changed', 'update'], ['new', 'create']]);
    expect(plan.apply[0].diff.changes).toEqual([expect.objectContaining({ path: '/data/a', live: '1', desired: '2' })]);
    expect(plan.unchanged.map((u) => u.desired.key.name)).toEqual(['same']);
    expect(plan.prune.map((r) => `${r.key.kind}/${r.key.name}`)).toEqual(['ConfigMap/gone', 'Namespace/old-ns']);
  });

  it('refuses to take over an object another target manages', () => {
    const live = new Map([['/ConfigMap/ns/same', liveOf('same', { a: '1' }, 'other-team')]]);
    expect(() => planSync(desired, live, new Map(), 't', [])).toThrow(/ConfigMap ns\/same is managed by target "other-team"/);
  });
});
