/** Aggregates: count, sum, product, max, min, sort. */
import { multiply, type Num } from '../number';
import { SetValue, compare, isObject, objectSize, type Value } from '../value';
import { members } from './operands';
import { numberMember, sumOf } from './numbers';
import { register, typeError } from './registry';

export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

register('count', 1, ([a]) => {
  if (typeof a === 'string') return runeCount(a);
  if (Array.isArray(a)) return a.length;
  if (a instanceof SetValue) return a.size;
  if (isObject(a)) return objectSize(a);
  throw typeError(1, a, 'array', 'object', 'set', 'string');
});

register('sum', 1, ([a]) => sumOf(members(a, 1, 'set', 'array'), 1));

register('product', 1, ([a]) => {
  let acc: Num = 1;
  for (const x of members(a, 1, 'set', 'array')) acc = multiply(acc, numberMember(x, 1));
  return acc;
});

register('max', 1, ([a]) => {
  const xs = members(a, 1, 'set', 'array');
  if (xs.length === 0) return undefined;
  let m = xs[0];
  for (const x of xs) if (compare(x, m) > 0) m = x;
  return m;
});

register('min', 1, ([a]) => {
  const xs = members(a, 1, 'set', 'array');
  if (xs.length === 0) return undefined;
  let m = xs[0];
  for (const x of xs) if (compare(x, m) < 0) m = x;
  return m;
});

register('sort', 1, ([a]): Value => {
  if (a instanceof SetValue) return a.sortedValues().slice();
  return [...members(a, 1, 'array', 'set')].sort(compare);
});
