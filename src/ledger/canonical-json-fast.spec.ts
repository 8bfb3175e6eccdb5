import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json';

/** The fast path must agree with JSON semantics and with the checking path on every value. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`)
    .join(',')}}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function randomValue(depth: number, rnd: () => number): unknown {
  const r = rnd();
  if (depth > 4 || r < 0.3) return [null, true, false, Math.floor(rnd() * 1e6) / 100, 'x\u00e9\ud83d\ude00"\\\n', ''][Math.floor(rnd() * 6)];
  if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(depth + 1, rnd));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(rnd() * 5); i++) o[['b', 'a', 'é', '\u00ff', '10', '9', 'z'][Math.floor(rnd() * 7)]] = randomValue(depth + 1, rnd);
  return o;
}

describe('canonicalize, fast path', () => {
  it('agrees with a plain reference serialisation on random values, frozen or not', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(0, rnd);
      expect(canonicalize(v)).toBe(reference(v));
      const frozen = deepFreeze(structuredClone(v));
      expect(canonicalize(frozen)).toBe(reference(frozen));
      expect(canonicalize(frozen)).toBe(reference(frozen)); // again, from the remembered forms
    }
  });

  it('never remembers a frozen object whose insides can still change', () => {
    const inner = { n: 1 };
    const outer = Object.freeze({ inner });
    expect(canonicalize(outer)).toBe('{"inner":{"n":1}}');
    inner.n = 2;
    expect(canonicalize(outer)).toBe('{"inner":{"n":2}}');
  });

  it('still gives the precise errors of the checking path', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/cycle/);
    expect(() => canonicalize({ a: [1, Number.NaN] })).toThrow(/a\[1\]: NaN is not a finite number/);
    expect(() => canonicalize(Object.freeze({ when: new Date(0) }))).toThrow(/when: Date is not a plain object/);
    expect(() => canonicalize({ s: 'x\ud800' })).toThrow(/unpaired UTF-16 surrogate/);
  });
});
