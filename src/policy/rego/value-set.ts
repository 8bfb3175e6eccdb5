/**
 * Sets. Strings and JS numbers are kept in Sets of themselves; other members in buckets by a
 * structural hash of their top level, compared with equal() in a bucket. A bucket that fills up
 * (members alike near the top and different deeper down, whether by chance or crafted) is split
 * by a hash of more levels, and then of whole values, so adding stays fast in every case while
 * the common case hashes little.
 */
import { BigNum, numberKey } from './number';
import { ObjectValue, compare, compareStrings, equal, type PlainObject, type Value } from './value';
import { MAX_DEPTH } from './value-limits';

/** Levels of a composite member hashed by the buckets of each tier (the last: the whole value). */
const TIERS = [1, 3, MAX_DEPTH];
/** Members a bucket holds before it is split by the next tier's hash. */
const BUCKET = 8;

type Bucket = Value[] | Tier;

/** A bucket split by the hash of more levels of its members. */
class Tier {
  readonly byHash = new Map<number, Bucket>();
  constructor(readonly tier: number) {}
}

function hashAt(v: Value, tier: number): number {
  return shapeHash(v, TIERS[tier], 0);
}

/** Adds v to the buckets of map (hashes of `tier`); returns false when an equal member is there. */
function addTo(map: Map<number, Bucket>, tier: number, v: Value): boolean {
  const h = hashAt(v, tier);
  const bucket = map.get(h);
  if (!bucket) {
    map.set(h, [v]);
    return true;
  }
  if (bucket instanceof Tier) return addTo(bucket.byHash, bucket.tier, v);
  for (const x of bucket) if (equal(x, v)) return false;
  if (bucket.length < BUCKET || tier + 1 === TIERS.length) {
    bucket.push(v);
    return true;
  }
  const split = new Tier(tier + 1);
  for (const x of bucket) addTo(split.byHash, split.tier, x);
  addTo(split.byHash, split.tier, v);
  map.set(h, split);
  return true;
}

function hasIn(map: Map<number, Bucket>, tier: number, v: Value): boolean {
  const bucket = map.get(hashAt(v, tier));
  if (!bucket) return false;
  if (bucket instanceof Tier) return hasIn(bucket.byHash, bucket.tier, v);
  for (const x of bucket) if (equal(x, v)) return true;
  return false;
}

function eachIn(map: Map<number, Bucket>, f: (v: Value) => boolean): boolean {
  for (const b of map.values()) {
    if (b instanceof Tier) {
      if (eachIn(b.byHash, f)) return true;
    } else for (const x of b) if (f(x)) return true;
  }
  return false;
}

export class SetValue {
  private readonly strs = new Set<string>();
  private readonly nums = new Set<number>();
  private readonly others = new Map<number, Bucket>();
  private count = 0;
  private sorted?: Value[];
  static of(values: Iterable<Value>): SetValue {
    const s = new SetValue();
    for (const v of values) s.add(v);
    return s;
  }
  get size(): number {
    return this.count;
  }
  /** Adds v; returns false when it was already there. Only for sets still being built. */
  add(v: Value): boolean {
    if (typeof v === 'string') {
      if (this.strs.has(v)) return false;
      this.strs.add(v);
    } else if (typeof v === 'number') {
      const n = v === 0 ? 0 : v;
      if (this.nums.has(n)) return false;
      this.nums.add(n);
    } else if (!addTo(this.others, 0, v)) return false;
    this.count++;
    this.sorted = undefined;
    return true;
  }
  has(v: Value): boolean {
    if (typeof v === 'string') return this.strs.has(v);
    if (typeof v === 'number') return this.nums.has(v === 0 ? 0 : v);
    return hasIn(this.others, 0, v);
  }
  /** Members in no particular order until f returns true; returns whether it stopped. */
  each(f: (v: Value) => boolean): boolean {
    for (const s of this.strs) if (f(s)) return true;
    for (const n of this.nums) if (f(n)) return true;
    return eachIn(this.others, f);
  }
  /** Members in no particular order. */
  values(): Value[] {
    const out: Value[] = [];
    this.each((v) => (out.push(v), false));
    return out;
  }
  /** Members in OPA's order (what iteration, output and sort() see). */
  sortedValues(): Value[] {
    if (!this.sorted) {
      // Numbers sort before strings: sets of only these sort without compare()'s type dispatch,
      // and strings without surrogates natively (UTF-16 order is code point order for them).
      if (this.others.size === 0) this.sorted = [...[...this.nums].sort((a, b) => a - b), ...sortStrings([...this.strs])];
      else this.sorted = this.values().sort(compare);
    }
    return this.sorted;
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;

function sortStrings(xs: string[]): string[] {
  return xs.some((x) => SURROGATE.test(x)) ? xs.sort(compareStrings) : xs.sort();
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h | 0;
}

/**
 * Structural hash of v down to `levels` levels of nesting (below, a composite counts by its
 * kind): equal values (1 and 1.0, objects whatever their key order, sets) hash alike.
 */
function shapeHash(v: Value, levels: number, depth: number): number {
  switch (typeof v) {
    case 'string':
      return hashString(v);
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v | 0 : hashString(numberKey(v));
    case 'boolean':
      return v ? 0x51ed27 : 0x2f6a41;
    default:
      break;
  }
  if (v === null) return 0x1b873593;
  if (v instanceof BigNum) return hashString(numberKey(v));
  if (depth > MAX_DEPTH) throw new RangeError('value nested too deeply');
  const deeper = levels > 0;
  if (Array.isArray(v)) {
    let h = (0x3c6ef372 + v.length) | 0;
    if (deeper) for (let i = 0; i < v.length; i++) h = (Math.imul(h, 31) + shapeHash(v[i], levels - 1, depth + 1)) | 0;
    return h;
  }
  if (v instanceof SetValue) {
    let h = (0x7a3e5f1 + v.size) | 0;
    if (deeper) v.each((x) => ((h = (h + shapeHash(x, levels - 1, depth + 1)) | 0), false));
    return h;
  }
  let h = 0x6b43a9b5;
  if (!deeper) return h;
  // Order-independent combination: no need to sort the keys.
  if (v instanceof ObjectValue) {
    v.each((k, x) => ((h = (h + (Math.imul(shapeHash(k, levels - 1, depth + 1), 0x9e3779b1) ^ shapeHash(x, levels - 1, depth + 1))) | 0), false));
  } else {
    const o = v as PlainObject;
    for (const k of Object.keys(o)) h = (h + (Math.imul(hashString(k), 0x9e3779b1) ^ shapeHash(o[k], levels - 1, depth + 1))) | 0;
  }
  return h;
}
