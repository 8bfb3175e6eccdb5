import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { serverSideApply } from './apply-merge';
import { FieldSet } from './field-set';
import { listSchemaFor } from './list-schema';
import type { ManagerEntry, Writer } from './managed-fields';
import type { JsonObject } from './sandbox.types';

const schema = listSchemaFor({ kind: 'Deployment' });
const writer = (manager: string): Writer => ({ manager, operation: 'Apply', apiVersion: 'apps/v1', time: '2024-01-01T00:00:00Z' });

function entry(manager: string, fields: JsonObject, operation: 'Apply' | 'Update' = 'Apply'): ManagerEntry {
  return { manager, operation, apiVersion: 'apps/v1', time: '2024-01-01T00:00:00Z', set: FieldSet.fromFieldsV1(fields) };
}

function containers(...list: [string, string][]): JsonObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: list.map(([name, image]) => ({ name, image })) } } } };
}

describe('serverSideApply', () => {
  it('merges keyed lists by key and keeps items it does not mention', () => {
    const live = containers(['app', 'a:1'], ['side', 's:1']);
    const out = serverSideApply(live, containers(['app', 'a:2']), [entry('other', { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"side"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } })], writer('me'), false, schema);
    expect((out.object.spec as JsonObject).template).toEqual({ spec: { containers: [{ name: 'app', image: 'a:2' }, { name: 'side', image: 's:1' }] } });
    expect(out.entries.map((e) => e.manager)).toEqual(['other', 'me']);
  });

  it('prunes an item the manager applied before and nobody owns now', () => {
    const live = containers(['app', 'a:1'], ['side', 's:1']);
    const mine = entry('me', {
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} }, 'k:{"name":"side"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
    });
    const out = serverSideApply(live, containers(['app', 'a:1']), [mine], writer('me'), false, schema);
    expect(((out.object.spec as JsonObject).template as JsonObject).spec).toEqual({ containers: [{ name: 'app', image: 'a:1' }] });
  });

  it('keeps a dropped item, with its key, while another manager owns part of it', () => {
    const live = { ...containers(['app', 'a:1']) };
    ((((live.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[])[0].env = [{ name: 'X', value: '1' }];
    const appItem = { '.': {}, 'f:image': {}, 'f:name': {} };
    const mine = entry('me', { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': appItem } } } } });
    const injector = entry('injector', { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:env': { 'k:{"name":"X"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } } } });
    const config = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [] } } } };
    const out = serverSideApply(live, config, [mine, injector], writer('me'), false, schema);
    expect(((out.object.spec as JsonObject).template as JsonObject).spec).toEqual({ containers: [{ name: 'app', env: [{ name: 'X', value: '1' }] }] });
  });

  it('keeps a dropped field that another manager also owns', () => {
    const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } };
    const both = { 'f:data': { 'f:a': {}, 'f:b': {} } };
    const out = serverSideApply(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }, [entry('me', both), entry('other', { 'f:data': { 'f:b': {} } })], writer('me'), false, listSchemaFor({ kind: 'ConfigMap' }));
    expect(out.object.data).toEqual({ a: '1', b: '2' });
  });

  it('treats finalizers as a set: union on merge, one entry per value', () => {
    const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['x'] } };
    const out = serverSideApply(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['y'] } }, [], writer('me'), false, listSchemaFor({ kind: 'ConfigMap' }));
    expect((out.object.metadata as JsonObject).finalizers).toEqual(['x', 'y']);
    expect(out.entries[0].set.toFieldsV1()).toEqual({ 'f:metadata': { 'f:finalizers': { 'v:"y"': {} } } });
  });

  it('reports conflicts with other managers, and force moves the field', () => {
    const live = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 5 } };
    const hpa = entry('hpa', { 'f:spec': { 'f:replicas': {} } }, 'Update');
    const config = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2 } };
    try {
      serverSideApply(live, config, [hpa], writer('me'), false, schema);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).message).toBe('Apply failed with 1 conflict: conflict with "hpa" using apps/v1 at 2024-01-01T00:00:00Z: .spec.replicas');
    }
    const forced = serverSideApply(live, config, [hpa], writer('me'), true, schema);
    expect(forced.entries.map((e) => e.manager)).toEqual(['me']);
    const same = serverSideApply(live, { ...config, spec: { replicas: 5 } }, [hpa], writer('me'), false, schema);
    expect(same.entries.map((e) => e.manager)).toEqual(['hpa', 'me']);
  });
});
