import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch } from './json-patches';
import { listSchemaFor } from './list-schema';
import type { JsonObject } from './sandbox.types';
import { strategicMergePatch } from './strategic-merge-patch';

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects, deletes on null, replaces lists', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
    expect(mergePatch({ a: 1 }, 'x')).toBe('x');
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { a: { b: [1, 2] }, c: 'x' };
  it('applies add, remove, replace, move, copy and test without touching the input', () => {
    const out = jsonPatch(doc, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'add', path: '/a/b/0', value: 0 },
      { op: 'remove', path: '/a/b/1' },
      { op: 'replace', path: '/c', value: 'y' },
      { op: 'copy', from: '/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e~1f' },
      { op: 'test', path: '/e~1f', value: 'y' },
    ]);
    expect(out).toEqual({ a: { b: [0, 2, 3] }, c: 'y', 'e/f': 'y' });
    expect(doc).toEqual({ a: { b: [1, 2] }, c: 'x' });
  });

  it.each([
    [[{ op: 'remove', path: '/missing' }], /nonexistent/],
    [[{ op: 'replace', path: '/a/x/y', value: 1 }], /missing path/],
    [[{ op: 'add', path: '/a/b/9', value: 1 }], /out of bounds/],
    [[{ op: 'test', path: '/c', value: 'z' }], /testing value \/c failed/],
    [[{ op: 'frobnicate', path: '/c' }], /Unexpected kind/],
  ])('rejects %j', (ops, message) => {
    expect(() => jsonPatch(doc, ops)).toThrow(message);
  });
});

describe('strategic merge patch', () => {
  const schema = listSchemaFor({ kind: 'Deployment' });
  const live: JsonObject = { metadata: { name: 'd', finalizers: ['a'] }, spec: { template: { spec: { containers: [{ name: 'app', image: 'a:1', args: ['x'] }, { name: 'side', image: 's:1' }], tolerations: [{ key: 'k' }] } } } };

  it('merges containers by name, unions finalizers, replaces atomic lists', () => {
    const out = strategicMergePatch(live, { metadata: { finalizers: ['b'] }, spec: { template: { spec: { containers: [{ name: 'app', args: ['y'] }, { name: 'new', image: 'n:1' }], tolerations: [{ key: 'j' }] } } } }, schema);
    expect(out).toEqual({
      metadata: { name: 'd', finalizers: ['a', 'b'] },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'a:1', args: ['y'] }, { name: 'side', image: 's:1' }, { name: 'new', image: 'n:1' }], tolerations: [{ key: 'j' }] } } },
    });
  });

  it('honours $patch delete and replace, and $deleteFromPrimitiveList', () => {
    const deleted = strategicMergePatch(live, { spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } } }, schema);
    expect(((deleted.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers).map((c) => c.name)).toEqual(['app']);
    const replaced = strategicMergePatch(live, { spec: { template: { spec: { containers: [{ name: 'only', image: 'o' }, { $patch: 'replace' }] } } } }, schema);
    expect((replaced.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers).toEqual([{ name: 'only', image: 'o' }]);
    const trimmed = strategicMergePatch(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, schema);
    expect((trimmed.metadata as { finalizers: string[] }).finalizers).toEqual([]);
  });

  it('rejects an item without its merge key', () => {
    expect(() => strategicMergePatch(live, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, schema)).toThrow(/merge key: name/);
  });
});
