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

  it('remembers deep-frozen subtrees, but never past the depth limit or over unfrozen parts', () => {
    const deepFreeze = <T>(v: T): T => {
      if (v !== null && typeof v === 'object') {
        for (const x of Object.values(v)) deepFreeze(x);
        Object.freeze(v);
      }
      return v;
    };
    const manifest = () => ({ kind: 'Deployment', spec: { containers: Array.from({ length: 40 }, (_, i) => ({ name: `c${i}`, ports: [i] })) } });
    const frozen = deepFreeze(manifest());
    expect(() => checkJson({ manifests: [frozen] }, 'input')).not.toThrow();
    expect(() => checkJson({ manifests: [frozen] }, 'input')).not.toThrow();
    // The same frozen subtree (its deepest value 5 levels down), deeper than the limit allows, then just within it.
    expect(() => checkJson(nest(MAX_DEPTH - 4, frozen, true), 'input')).toThrow(/nested deeper than 2000 levels/);
    expect(() => checkJson(nest(MAX_DEPTH - 5, frozen, false), 'input')).not.toThrow();
    // Frozen on the outside only: the inside is checked every time.
    const shallow = manifest();
    Object.freeze(shallow);
    expect(() => checkJson(shallow, 'input')).not.toThrow();
    (shallow.spec.containers[3] as { ports: number[] }).ports[0] = Number.NaN;
    expect(() => checkJson(shallow, 'input')).toThrow(/not finite/);
  });
});
