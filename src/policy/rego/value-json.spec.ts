import { describe, expect, it } from 'vitest';
import { checkJson } from './value-json';
import { MAX_DEPTH } from './value';

/** A value whose innermost member sits `depth` levels below the top. */
function nest(depth: number, leaf: unknown, asObject: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asObject ? { k: v } : [v];
  return v;
}

describe('checkJson', () => {
  it('accepts JSON nested up to the limit and refuses one level more', () => {
    for (const asObject of [false, true]) {
      for (const leaf of [1, 'x', null, [], {}]) {
        expect(() => checkJson(nest(MAX_DEPTH, leaf, asObject), 'input')).not.toThrow();
        expect(() => checkJson(nest(MAX_DEPTH + 1, leaf, asObject), 'input')).toThrow(/nested deeper than 2000 levels/);
      }
    }
  });

  it('refuses what is not JSON, wherever it sits', () => {
    const bad: [unknown, RegExp][] = [
      [{ a: [1, Number.NaN] }, /not finite/],
      [{ a: { b: Infinity } }, /not finite/],
      [[{ d: new Date(0) }], /not JSON/],
      [{ f: () => 1 }, /not JSON \(function\)/],
      [{ u: undefined }, /not JSON \(undefined\)/],
      [[1, , 3], /not JSON \(undefined\)/],
      [{ m: new Map() }, /not JSON/],
      [{ big: 1n }, /not JSON \(bigint\)/],
    ];
    for (const [v, re] of bad) expect(() => checkJson(v, 'input'), String(re)).toThrow(re);
    expect(checkJson({ a: [1, 'x', true, null, { b: Object.create(null) }] }, 'input')).toBeTruthy();
  });
});
