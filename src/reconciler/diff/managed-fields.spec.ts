import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/kube-object';
import { covers, ownedLeaves, ownersOf, stepsToSegments } from './managed-fields';

const live = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    finalizers: ['example.com/a', 'example.com/b'],
    managedFields: [
      { manager: 'gitseal', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:finalizers': { 'v:"example.com/a"': {} } }, 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } } },
      { manager: 'injector', operation: 'Update', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"proxy"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } } },
      { manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:strategy': {} } } },
      { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:replicas': {} } } },
    ],
  },
  spec: {
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
    template: { spec: { containers: [{ name: 'proxy', image: 'p:1' }, { name: 'app', image: 'a:1' }] } },
  },
  status: { replicas: 1 },
} as unknown as KubeObject;

describe('managedFields (FieldsV1)', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['a keyed list item field, by the item at that position', ['spec', 'template', 'spec', 'containers', '1', 'image'], ['gitseal']],
    ['another manager’s item', ['spec', 'template', 'spec', 'containers', '0', 'image'], ['injector']],
    ['a set item by value', ['metadata', 'finalizers', '0'], ['gitseal']],
    ['a set item nobody owns', ['metadata', 'finalizers', '1'], []],
    ['everything under an atomic (empty) node', ['spec', 'strategy', 'rollingUpdate', 'maxSurge'], ['kubectl']],
    ['nothing for a field nobody set', ['spec', 'replicas'], []],
    ['not status written through the subresource', ['status', 'replicas'], []],
  ];
  it.each(cases)('owner of %s', (_name, path, owners) => {
    expect(ownersOf(live, path)).toEqual(owners);
  });

  it('lists the leaves a manager owns, as steps over the live object', () => {
    const fields = (live.metadata.managedFields as Array<{ fieldsV1: Record<string, never> }>)[0].fieldsV1;
    expect(ownedLeaves(fields, live).map(stepsToSegments)).toEqual([
      ['metadata', 'finalizers', '0'],
      ['spec', 'template', 'spec', 'containers', '1', 'image'],
      ['spec', 'template', 'spec', 'containers', '1', 'name'],
    ]);
  });

  it('survives malformed entries and keys', () => {
    const odd = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', managedFields: [null, { manager: 7 }, { manager: 'm', fieldsV1: { 'k:{bad json': {}, 'f:data': { 'f:a': {} } } }] }, data: { a: '1' } } as unknown as KubeObject;
    expect(ownersOf(odd, ['data', 'a'])).toEqual(['m']);
    expect(covers({ 'k:{bad': {} }, [1, 2] as never, ['0'])).toBe(false);
  });
});
