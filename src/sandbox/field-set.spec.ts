import { describe, expect, it } from 'vitest';
import { FieldSet, pathToString } from './field-set';
import { appliedFieldSet, compareObjects } from './field-paths';
import { listSchemaFor } from './list-schema';

const fields = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {} } }, 'f:replicas': {} },
};

describe('FieldSet', () => {
  it('round-trips FieldsV1, sorted as the real server sorts', () => {
    const set = FieldSet.fromFieldsV1(fields);
    expect(set.toFieldsV1()).toEqual(fields);
    expect(Object.keys(set.toFieldsV1()['f:spec'] as object)).toEqual(['f:containers', 'f:replicas']);
    expect(set.has(['f:metadata', 'f:labels'])).toBe(true);
    expect(set.has(['f:metadata'])).toBe(false);
  });

  it('computes difference, intersection and recursive difference', () => {
    const a = FieldSet.fromFieldsV1(fields);
    const b = FieldSet.fromFieldsV1({ 'f:spec': { 'f:replicas': {} } });
    expect(a.difference(b).toFieldsV1()['f:spec']).toEqual({ 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {} } } });
    expect(a.intersection(b).toFieldsV1()).toEqual({ 'f:spec': { 'f:replicas': {} } });
    const spec = FieldSet.fromFieldsV1({ 'f:spec': {} });
    expect(a.recursiveDifference(spec).toFieldsV1()).toEqual({ 'f:metadata': fields['f:metadata'] });
    expect(a.difference(a).isEmpty()).toBe(true);
  });

  it('prints paths the way conflict messages do', () => {
    expect(pathToString(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"app"}', 'f:image'])).toBe('.spec.template.spec.containers[name="app"].image');
    expect(pathToString(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}'])).toBe('.spec.ports[port=80,protocol="TCP"]');
    expect(pathToString(['f:metadata', 'f:finalizers', 'v:"x"'])).toBe('.metadata.finalizers[="x"]');
  });
});

describe('field paths of objects', () => {
  const schema = listSchemaFor({ kind: 'Service' });

  it('keys service ports by port and protocol, defaulting the protocol', () => {
    const set = appliedFieldSet({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', labels: {} }, spec: { ports: [{ port: 80 }] } }, schema);
    expect(set.toFieldsV1()).toEqual({ 'f:metadata': { 'f:labels': {} }, 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } });
  });

  it('rejects keyed list items without their key on apply', () => {
    expect(() => appliedFieldSet({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, listSchemaFor({ kind: 'Deployment' }))).toThrow(/omits key field "name"/);
  });

  it('compares: added maps of scalars and list items are members, removals are listed', () => {
    const c = compareObjects({ metadata: { finalizers: ['a'] }, data: { x: '1' } }, { metadata: { labels: { app: 'x' }, finalizers: ['b'] }, data: { x: '2' } }, listSchemaFor({ kind: 'ConfigMap' }));
    expect(c.added.toFieldsV1()).toEqual({ 'f:metadata': { 'f:finalizers': { 'v:"b"': {} }, 'f:labels': { '.': {}, 'f:app': {} } } });
    expect(c.modified.toFieldsV1()).toEqual({ 'f:data': { 'f:x': {} } });
    expect(c.removed.toFieldsV1()).toEqual({ 'f:metadata': { 'f:finalizers': { 'v:"a"': {} } } });
  });
});
