import { describe, expect, it } from 'vitest';
import { ignoreFor, NO_IGNORE } from '../diff/ignore';
import type { KubeObject } from '../kube/kube-object';
import { parseManifestFile } from '../render/manifest-parser';
import { renderDesired } from '../render/render';
import { detectDrift, lastWriter } from './drift';

const COMMIT = 'c'.repeat(40);
const [desired] = renderDesired(
  parseManifestFile('a.yaml', Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1', b: '2' } }))),
  { id: 't', namespace: 'ns', clusterResources: [] },
  () => 'namespaced',
  COMMIT,
);

function live(data: Record<string, string>, managers: Array<{ manager: string; time?: string; fields?: object; subresource?: string }> = []): KubeObject {
  return {
    ...desired.object,
    metadata: { ...desired.object.metadata, uid: 'u', resourceVersion: '9', managedFields: managers.map((m) => ({ manager: m.manager, operation: 'Update', time: m.time, subresource: m.subresource, fieldsType: 'FieldsV1', fieldsV1: m.fields ?? {} })) },
    data,
  } as KubeObject;
}

describe('drift detection', () => {
  it('finds nothing when the live object has what was applied (extra keys are not drift)', () => {
    expect(detectDrift(desired, live({ a: '1', b: '2', extra: 'x' }), NO_IGNORE)).toBeUndefined();
  });

  it('reports a changed field with before (applied), after (live) and the manager that owns it now', () => {
    const f = detectDrift(desired, live({ a: '9', b: '2' }, [{ manager: 'kubectl-edit', fields: { 'f:data': { 'f:a': {} } } }]), NO_IGNORE);
    expect(f?.changes).toEqual([{ path: '/data/a', before: '1', after: '9', manager: 'kubectl-edit' }]);
    expect(f?.deleted).toBe(false);
  });

  it('names the most recent writer when nobody owns a removed field', () => {
    const f = detectDrift(desired, live({ a: '1' }, [{ manager: 'old', time: '2026-01-01T00:00:00Z' }, { manager: 'recent', time: '2026-02-01T00:00:00Z' }, { manager: 'kubelet', time: '2026-03-01T00:00:00Z', subresource: 'status' }]), NO_IGNORE);
    expect(f?.changes).toEqual([{ path: '/data/b', before: '2', manager: null, lastWriter: 'recent' }]);
    expect(lastWriter(live({}, []))).toBeUndefined();
  });

  it('reports a deleted object', () => {
    expect(detectDrift(desired, undefined, NO_IGNORE)).toMatchObject({ deleted: true, changes: [] });
  });

  it('gives the same drift the same fingerprint and a different drift another', () => {
    const one = detectDrift(desired, live({ a: '9', b: '2' }), NO_IGNORE);
    const again = detectDrift(desired, live({ a: '9', b: '2' }, [{ manager: 'x' }]), NO_IGNORE);
    const other = detectDrift(desired, live({ a: '8', b: '2' }), NO_IGNORE);
    expect(one?.fingerprint).toBe(again?.fingerprint);
    expect(one?.fingerprint).not.toBe(other?.fingerprint);
  });

  it('leaves ignored differences alone', () => {
    const ignore = ignoreFor([{ kind: 'ConfigMap', jsonPointers: ['/data/a'], managedFieldsManagers: [] }], desired.key);
    expect(detectDrift(desired, live({ a: '9', b: '2' }), ignore)).toBeUndefined();
    const otherKind = ignoreFor([{ kind: 'Secret', jsonPointers: ['/data/a'], managedFieldsManagers: [] }], desired.key);
    expect(detectDrift(desired, live({ a: '9', b: '2' }), otherKind)).toBeDefined();
  });
});
