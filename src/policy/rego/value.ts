/**
 * Rego values. JSON-shaped data is used as it is (no copy of `input` or `data`): null, booleans,
 * strings, finite JS numbers, arrays and plain objects with string keys. Three classes cover what
 * JSON cannot hold: BigNum (numbers a double cannot keep exactly, as OPA keeps them), SetValue,
 * and ObjectValue (objects whose keys are not all strings). Objects built by the evaluator with
 * only string keys are plain null-prototype objects, so the common path is the plain one.
 */
import { BigNum, compareNumbers, numberKey } from './number';
import { SetValue } from './value-set';
import { MAX_DEPTH } from './value-limits';

export { BigNum } from './number';
export { SetValue } from './value-set';

export interface PlainObject {
  readonly [key: string]: Value;
}
export type ArrayValue = readonly Value[];
export type Value = null | boolean | number | string | BigNum | ArrayValue | SetValue | ObjectValue | PlainObject;

/** Type tags in OPA's sort order: null < boolean < number < string < array < object < set. */
export const enum Kind {
  Null = 0,
  Bool = 1,
  Num = 2,
  Str = 3,
  Arr = 4,
  Obj = 5,
  Set = 6,
}

export function kindOf(v: Value): Kind {
  switch (typeof v) {
    case 'string':
      return Kind.Str;
    case 'number':
      return Kind.Num;
    case 'boolean':
      return Kind.Bool;
    default:
      if (v === null) return Kind.Null;
      if (Array.isArray(v)) return Kind.Arr;
      if (v instanceof SetValue) return Kind.Set;
      if (v instanceof BigNum) return Kind.Num;
      return Kind.Obj;
  }
}

const TYPE_NAMES = ['null', 'boolean', 'number', 'string', 'array', 'object', 'set'];
export function typeName(v: Value): string {
  return TYPE_NAMES[kindOf(v)];
}

export function isPlainObject(v: Value): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof SetValue) && !(v instanceof ObjectValue) && !(v instanceof BigNum);
}
export function isObject(v: Value): v is PlainObject | ObjectValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof SetValue) && !(v instanceof BigNum);
}
export function isArray(v: Value): v is ArrayValue {
  return Array.isArray(v);
}
export function isNumber(v: Value): v is number | BigNum {
  return typeof v === 'number' || v instanceof BigNum;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Hash key: equal values (1 and 1.0 included) have equal keys. */
export function keyOf(v: Value): string {
  if (typeof v === 'string') return v.length > 0 && v.charCodeAt(0) < 2 ? `\u0001${v}` : v;
  return `\u0000${structKey(v, 0)}`;
}

/** Keys of composite values, by identity (values are immutable once built). */
const keyCache = new WeakMap<object, string>();

function structKey(v: Value, depth: number): string {
  if (typeof v === 'object' && v !== null) {
    let k = keyCache.get(v);
    if (k === undefined) {
      k = structKeyOf(v, depth);
      keyCache.set(v, k);
    }
    return k;
  }
  return structKeyOf(v, depth);
}

function structKeyOf(v: Value, depth: number): string {
  if (depth > MAX_DEPTH) throw new RangeError('value nested too deeply');
  switch (kindOf(v)) {
    case Kind.Null:
      return 'z';
    case Kind.Bool:
      return v ? 't' : 'f';
    case Kind.Num:
      return `n${numberKey(v as number | BigNum)}`;
    case Kind.Str:
      return JSON.stringify(v);
    case Kind.Arr:
      return `[${(v as ArrayValue).map((x) => structKey(x, depth + 1)).join(',')}]`;
    case Kind.Set:
      return `<${(v as SetValue)
        .values()
        .map((x) => structKey(x, depth + 1))
        .sort()
        .join(',')}>`;
    default: {
      const parts: string[] = [];
      for (const [k, x] of sortedEntries(v as PlainObject | ObjectValue)) parts.push(`${structKey(k, depth + 1)}:${structKey(x, depth + 1)}`);
      return `{${parts.join(',')}}`;
    }
  }
}

export { MAX_DEPTH } from './value-limits';

/** An object with at least one key that is not a string. */
export class ObjectValue {
  private readonly map = new Map<string, [Value, Value]>();
  private sorted?: [Value, Value][];
  get size(): number {
    return this.map.size;
  }
  set(k: Value, v: Value): void {
    this.map.set(keyOf(k), [k, v]);
    this.sorted = undefined;
  }
  get(k: Value): Value | undefined {
    return this.map.get(keyOf(k))?.[1];
  }
  sortedEntries(): [Value, Value][] {
    if (!this.sorted) this.sorted = [...this.map.values()].sort((a, b) => compare(a[0], b[0]));
    return this.sorted;
  }
  /** Entries in insertion order until f returns true; returns whether it stopped. */
  each(f: (k: Value, v: Value) => boolean): boolean {
    for (const [k, v] of this.map.values()) if (f(k, v)) return true;
    return false;
  }
}

/** Builds an object value: plain when every key is a string. */
export class ObjectBuilder {
  private plain: Record<string, Value> | null = Object.create(null) as Record<string, Value>;
  private general: ObjectValue | null = null;
  private count = 0;
  get(k: Value): Value | undefined {
    if (this.plain) return typeof k === 'string' && hasOwn.call(this.plain, k) ? this.plain[k] : undefined;
    return this.general!.get(k);
  }
  set(k: Value, v: Value): void {
    if (this.plain && typeof k === 'string') {
      if (!hasOwn.call(this.plain, k)) this.count++;
      this.plain[k] = v;
      return;
    }
    if (this.plain) {
      this.general = new ObjectValue();
      for (const key of Object.keys(this.plain)) this.general.set(key, this.plain[key]);
      this.plain = null;
    }
    this.general!.set(k, v);
  }
  get size(): number {
    return this.plain ? this.count : this.general!.size;
  }
  build(): PlainObject | ObjectValue {
    return this.plain ?? this.general!;
  }
}

export function objectGet(o: PlainObject | ObjectValue, k: Value): Value | undefined {
  if (o instanceof ObjectValue) return o.get(k);
  if (typeof k !== 'string') return undefined;
  return hasOwn.call(o, k) ? o[k] : undefined;
}

export function objectSize(o: PlainObject | ObjectValue): number {
  return o instanceof ObjectValue ? o.size : Object.keys(o).length;
}

const sortedKeyCache = new WeakMap<object, string[]>();
export function sortedPlainKeys(o: PlainObject): string[] {
  let keys = sortedKeyCache.get(o);
  if (!keys) {
    keys = Object.keys(o).sort(compareStrings);
    sortedKeyCache.set(o, keys);
  }
  return keys;
}

/** Entries in key order, as OPA iterates objects. */
export function sortedEntries(o: PlainObject | ObjectValue): [Value, Value][] {
  if (o instanceof ObjectValue) return o.sortedEntries();
  return sortedPlainKeys(o).map((k) => [k, o[k]]);
}
export function objectKeys(o: PlainObject | ObjectValue): Value[] {
  if (o instanceof ObjectValue) return o.sortedEntries().map((e) => e[0]);
  return sortedPlainKeys(o);
}

/** Compares strings by code point, as Go compares UTF-8 bytes. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const surrogateX = x >= 0xd800 && x <= 0xdfff;
      const surrogateY = y >= 0xd800 && y <= 0xdfff;
      if (surrogateX !== surrogateY) return surrogateX ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** OPA's total order over values. */
export function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  switch (ka) {
    case Kind.Null:
      return 0;
    case Kind.Bool:
      return a === b ? 0 : a ? 1 : -1;
    case Kind.Num:
      return compareNumbers(a as number | BigNum, b as number | BigNum);
    case Kind.Str:
      return compareStrings(a as string, b as string);
    case Kind.Arr:
      return compareArrays(a as ArrayValue, b as ArrayValue);
    case Kind.Set:
      return compareArrays((a as SetValue).sortedValues(), (b as SetValue).sortedValues());
    default:
      return compareObjects(a as PlainObject | ObjectValue, b as PlainObject | ObjectValue);
  }
}

function compareArrays(a: ArrayValue, b: ArrayValue): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareObjects(a: PlainObject | ObjectValue, b: PlainObject | ObjectValue): number {
  if (!(a instanceof ObjectValue) && !(b instanceof ObjectValue)) {
    const ka = sortedPlainKeys(a);
    const kb = sortedPlainKeys(b);
    const n = Math.min(ka.length, kb.length);
    for (let i = 0; i < n; i++) {
      const ck = compareStrings(ka[i], kb[i]);
      if (ck !== 0) return ck;
      const cv = compare(a[ka[i]], b[kb[i]]);
      if (cv !== 0) return cv;
    }
    return ka.length < kb.length ? -1 : ka.length === kb.length ? 0 : 1;
  }
  const ea = sortedEntries(a);
  const eb = sortedEntries(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) {
    const ck = compare(ea[i][0], eb[i][0]);
    if (ck !== 0) return ck;
    const cv = compare(ea[i][1], eb[i][1]);
    if (cv !== 0) return cv;
  }
  return ea.length < eb.length ? -1 : ea.length === eb.length ? 0 : 1;
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  switch (ka) {
    case Kind.Num:
      return compareNumbers(a as number | BigNum, b as number | BigNum) === 0;
    case Kind.Arr: {
      const x = a as ArrayValue;
      const y = b as ArrayValue;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!equal(x[i], y[i])) return false;
      return true;
    }
    case Kind.Set: {
      const x = a as SetValue;
      const y = b as SetValue;
      if (x.size !== y.size) return false;
      for (const v of x.values()) if (!y.has(v)) return false;
      return true;
    }
    case Kind.Obj:
      return equalObjects(a as PlainObject | ObjectValue, b as PlainObject | ObjectValue);
    default:
      return false;
  }
}

function equalObjects(a: PlainObject | ObjectValue, b: PlainObject | ObjectValue): boolean {
  if (!(a instanceof ObjectValue) && !(b instanceof ObjectValue)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!hasOwn.call(b, k) || !equal(a[k], b[k])) return false;
    return true;
  }
  if (objectSize(a) !== objectSize(b)) return false;
  for (const [k, v] of sortedEntries(a)) {
    const w = objectGet(b, k);
    if (w === undefined || !equal(v, w)) return false;
  }
  return true;
}

export function emptySet(): SetValue {
  return new SetValue();
}

export function isTruthy(v: Value | undefined): boolean {
  return v !== undefined && v !== false;
}
