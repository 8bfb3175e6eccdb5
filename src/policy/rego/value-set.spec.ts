import { describe, expect, it } from 'vitest';
import { BigNum } from './number';
import { ObjectBuilder, SetValue, type Value } from './value';

const nested = (depth: number, leaf: Value): Value => (depth === 0 ? leaf : { k: nested(depth - 1, leaf) });

describe('SetValue', () => {
  it('keeps one of equal members whatever their key order or number form', () => {
    const s = SetValue.of([{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, 1, 1.0, 'x', 'x', null, false, new BigNum('1e400'), new BigNum('1e400')]);
    expect(s.size).toBe(6);
    expect(s.has({ b: [1, 2], a: 1 })).toBe(true);
    expect(s.has({ a: 1, b: [2, 1] })).toBe(false);
  });

  it('tells apart many members that differ only deep down (buckets split by more levels)', () => {
    for (const depth of [1, 2, 4, 12]) {
      const s = new SetValue();
      for (let i = 0; i < 100; i++) expect(s.add(nested(depth, i))).toBe(true);
      for (let i = 0; i < 100; i++) expect(s.add(nested(depth, i))).toBe(false);
      expect(s.size).toBe(100);
      expect(s.has(nested(depth, 42))).toBe(true);
      expect(s.has(nested(depth, 100))).toBe(false);
      expect(s.values()).toHaveLength(100);
      expect(s.sortedValues()[0]).toEqual(nested(depth, 0));
    }
  });

  it('compares members of sets and objects with non-string keys structurally', () => {
    const o1 = new ObjectBuilder();
    o1.set(1, 'a');
    o1.set('x', SetValue.of([1, 2]));
    const o2 = new ObjectBuilder();
    o2.set('x', SetValue.of([2, 1]));
    o2.set(1, 'a');
    const s = SetValue.of([o1.build(), o2.build(), SetValue.of(['a']), SetValue.of(['a'])]);
    expect(s.size).toBe(2);
  });

  it('sorts in OPA order: numbers, then strings by code point, then composites', () => {
    expect(SetValue.of(['b', 10, 'a', 2, -1]).sortedValues()).toEqual([-1, 2, 10, 'a', 'b']);
    expect(SetValue.of(['😀', '\uFFFD', 'a']).sortedValues()).toEqual(['a', '\uFFFD', '😀']);
    expect(SetValue.of([[1], 'z', 3, null, { a: 1 }, true]).sortedValues()).toEqual([null, true, 3, 'z', [1], { a: 1 }]);
  });

  it('visits every member once with each(), and stops when asked', () => {
    const s = SetValue.of(['a', 1, [1], { a: 1 }]);
    const seen: Value[] = [];
    expect(s.each((v) => (seen.push(v), false))).toBe(false);
    expect(seen).toHaveLength(4);
    expect(s.each((v) => v === 1)).toBe(true);
  });
});
