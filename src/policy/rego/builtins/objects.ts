/** Object builtins: get, union, remove, filter, keys, subset. */
import { ObjectBuilder, SetValue, equal, isObject, objectGet, sortedEntries, type ObjectValue, type PlainObject, type Value } from '../value';
import { lookup } from '../eval/collections';
import { obj } from './operands';
import { register, typeError } from './registry';

type Obj = PlainObject | ObjectValue;

register('object.get', 3, ([o, key, dflt]) => {
  const x = obj(o, 1);
  if (Array.isArray(key)) {
    let cur: Value | undefined = x;
    for (const k of key) {
      cur = lookup(cur, k);
      if (cur === undefined) return dflt;
    }
    return cur;
  }
  const v = objectGet(x, key);
  return v === undefined ? dflt : v;
});

export function union(a: Obj, b: Obj): Obj {
  const out = new ObjectBuilder();
  for (const [k, v] of sortedEntries(a)) out.set(k, v);
  for (const [k, v] of sortedEntries(b)) {
    const prev = out.get(k);
    out.set(k, prev !== undefined && isObject(prev) && isObject(v) ? union(prev, v) : v);
  }
  return out.build();
}

register('object.union', 2, ([a, b]) => union(obj(a, 1), obj(b, 2)));
register('object.union_n', 1, ([xs]) => {
  if (!Array.isArray(xs)) throw typeError(1, xs, 'array');
  let acc: Obj = new ObjectBuilder().build();
  for (const x of xs) {
    if (!isObject(x)) throw typeError(1, x, 'object');
    acc = union(acc, x);
  }
  return acc;
});

function keySet(v: Value, pos: number): SetValue {
  if (v instanceof SetValue) return v;
  if (Array.isArray(v)) return SetValue.of(v);
  if (isObject(v)) return SetValue.of(sortedEntries(v).map((e) => e[0]));
  throw typeError(pos, v, 'object', 'set', 'array');
}

register('object.remove', 2, ([o, ks]) => {
  const x = obj(o, 1);
  const remove = keySet(ks, 2);
  const out = new ObjectBuilder();
  for (const [k, v] of sortedEntries(x)) if (!remove.has(k)) out.set(k, v);
  return out.build();
});

register('object.filter', 2, ([o, ks]) => {
  const x = obj(o, 1);
  const keep = keySet(ks, 2);
  const out = new ObjectBuilder();
  for (const [k, v] of sortedEntries(x)) if (keep.has(k)) out.set(k, v);
  return out.build();
});

register('object.keys', 1, ([o]) => SetValue.of(sortedEntries(obj(o, 1)).map((e) => e[0])));

function subset(sup: Value, sub: Value): boolean {
  if (isObject(sup) && isObject(sub)) {
    for (const [k, v] of sortedEntries(sub)) {
      const w = objectGet(sup, k);
      if (w === undefined) return false;
      if (isObject(w) && isObject(v)) {
        if (!subset(w, v)) return false;
      } else if (w instanceof SetValue && v instanceof SetValue) {
        if (!subset(w, v)) return false;
      } else if (Array.isArray(w) && Array.isArray(v)) {
        if (!subset(w, v)) return false;
      } else if (!equal(w, v)) return false;
    }
    return true;
  }
  if (sup instanceof SetValue && sub instanceof SetValue) {
    for (const v of sub.values()) if (!sup.has(v)) return false;
    return true;
  }
  if (Array.isArray(sup) && Array.isArray(sub)) {
    if (sub.length === 0) return true;
    outer: for (let i = 0; i + sub.length <= sup.length; i++) {
      for (let j = 0; j < sub.length; j++) if (!equal(sup[i + j], sub[j])) continue outer;
      return true;
    }
    return false;
  }
  if (Array.isArray(sup) && sub instanceof SetValue) {
    const s = SetValue.of(sup);
    for (const v of sub.values()) if (!s.has(v)) return false;
    return true;
  }
  return equal(sup, sub);
}

register('object.subset', 2, ([sup, sub]) => {
  const ok = (v: Value) => isObject(v) || v instanceof SetValue || Array.isArray(v);
  if (!ok(sup)) throw typeError(1, sup, 'object', 'set', 'array');
  if (!ok(sub)) throw typeError(2, sub, 'object', 'set', 'array');
  return subset(sup, sub);
});
