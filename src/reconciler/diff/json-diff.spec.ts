import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/kube-object';
import { storedDiff } from './json-diff';

const obj = (meta: object, rest: object): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...meta }, ...rest }) as KubeObject;

describe('stored diff (server-side dry run against live)', () => {
  it('reports changed, added and removed fields, and ignores server bookkeeping and status', () => {
    const live = obj({ resourceVersion: '5', managedFields: [{ manager: 'a' }], labels: { a: '1', gone: 'x' } }, { data: { k: 'v', n: '1' }, status: { s: 1 }, list: [1, 2] });
    const would = obj({ resourceVersion: '6', managedFields: [{ manager: 'b' }], labels: { a: '2' } }, { data: { k: 'v', n: '1', added: 'y' }, status: { s: 2 }, list: [1, 2, 3] });
    expect(storedDiff(live, would)).toEqual([
      { path: '/metadata/labels/a', live: '1', desired: '2' },
      { path: '/metadata/labels/gone', live: 'x' },
      { path: '/data/added', desired: 'y' },
      { path: '/list', live: [1, 2], desired: [1, 2, 3] },
    ]);
  });

  it('finds nothing when the apply would change nothing', () => {
    const live = obj({ resourceVersion: '5' }, { data: { k: 'v' } });
    expect(storedDiff(live, obj({ resourceVersion: '5' }, { data: { k: 'v' } }))).toEqual([]);
  });
});
