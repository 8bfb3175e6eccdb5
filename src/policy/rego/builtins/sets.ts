/** Set operators and membership (`&`, `|`, `intersection`, `union`, `in`). */
import { SetValue, equal, isObject, type Value } from '../value';
import { forEachEntry } from '../eval/collections';
import { set } from './operands';
import { register, typeError } from './registry';

function intersect(a: SetValue, b: SetValue): SetValue {
  const out = new SetValue();
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const v of small.values()) if (big.has(v)) out.add(v);
  return out;
}

function unite(xs: SetValue[]): SetValue {
  const out = new SetValue();
  for (const s of xs) for (const v of s.values()) out.add(v);
  return out;
}

register('and', 2, ([a, b]) => intersect(set(a, 1), set(b, 2)));
register('or', 2, ([a, b]) => unite([set(a, 1), set(b, 2)]));

register('intersection', 1, ([a]) => {
  const sets = set(a, 1).sortedValues();
  if (sets.length === 0) return new SetValue();
  let acc: SetValue | undefined;
  for (const s of sets) {
    if (!(s instanceof SetValue)) throw typeError(1, a, 'set of sets');
    acc = acc ? intersect(acc, s) : s;
  }
  return acc!;
});

register('union', 1, ([a]) => {
  const sets = set(a, 1).sortedValues();
  for (const s of sets) if (!(s instanceof SetValue)) throw typeError(1, a, 'set of sets');
  return unite(sets as SetValue[]);
});

/** `x in xs`: membership among values of arrays and objects, members of sets. */
register('internal.member_2', 2, ([x, coll]) => {
  if (coll instanceof SetValue) return coll.has(x);
  if (Array.isArray(coll) || isObject(coll)) return forEachEntry(coll, (_k, v) => equal(v, x));
  return false;
});

/** `k, v in xs`. */
register('internal.member_3', 3, ([k, x, coll]) => {
  if (coll instanceof SetValue) return coll.has(x) && equal(k, x);
  if (Array.isArray(coll) || isObject(coll)) return forEachEntry(coll, (key, v) => equal(key, k) && equal(v, x));
  return false;
});
