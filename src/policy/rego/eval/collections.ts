/** Lookup and iteration over collection values, in OPA's order. */
import { BigNum, ObjectValue, SetValue, isPlainObject, sortedEntries, sortedPlainKeys, type PlainObject, type Value } from '../value';

const hasOwn = Object.prototype.hasOwnProperty;
const OBJECT_PROTO: unknown = Object.prototype;

/** v[key], or undefined. A set yields the member itself. */
export function lookup(v: Value | undefined, key: Value): Value | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (typeof key === 'string') {
    // The common case first: a string key into a plain object (prototype Object.prototype for
    // JSON, null for objects the engine builds), told apart by one prototype read.
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== OBJECT_PROTO && proto !== null) {
      if (Array.isArray(v)) return undefined;
      if (v instanceof SetValue) return v.has(key) ? key : undefined;
      if (v instanceof ObjectValue) return v.get(key);
      if (v instanceof BigNum) return undefined;
    }
    return hasOwn.call(v, key) ? (v as PlainObject)[key] : undefined;
  }
  if (Array.isArray(v)) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= v.length) return undefined;
    return v[key];
  }
  if (v instanceof SetValue) return v.has(key) ? key : undefined;
  if (v instanceof ObjectValue) return v.get(key);
  return undefined;
}

/** Calls f(key, value) for each entry until it returns true; returns whether it stopped. */
export function forEachEntry(v: Value, f: (key: Value, value: Value) => boolean): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (f(i, v[i])) return true;
    return false;
  }
  if (v instanceof SetValue) {
    for (const x of v.sortedValues()) if (f(x, x)) return true;
    return false;
  }
  if (v instanceof ObjectValue) {
    for (const [k, x] of sortedEntries(v)) if (f(k, x)) return true;
    return false;
  }
  if (isPlainObject(v)) {
    for (const k of sortedPlainKeys(v)) if (f(k, v[k])) return true;
    return false;
  }
  return false;
}

/**
 * forEachEntry in no particular order (sets and objects as they were built): for enumerations
 * that run to the end into an order-free result, where OPA's order cannot be observed.
 */
export function forEachEntryAnyOrder(v: Value, f: (key: Value, value: Value) => boolean): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (f(i, v[i])) return true;
    return false;
  }
  if (v instanceof SetValue) return v.each((x) => f(x, x));
  if (v instanceof ObjectValue) return v.each(f);
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) if (f(keys[i], v[keys[i]])) return true;
    return false;
  }
  return false;
}

export function isCollection(v: Value): boolean {
  return v !== null && typeof v === 'object' && (Array.isArray(v) || v instanceof SetValue || v instanceof ObjectValue || isPlainObject(v));
}
