/** Direct reads of `data` along a path without iteration: rule tree where rules are, base data elsewhere. */
import { lookup } from './collections';
import type { Evaluator, Frame } from './evaluator';
import { nodeValue } from './rules';
import type { Value } from '../value';

export type KeyOf = { c: Value } | { fn: (ev: Evaluator, f: Frame) => Value | undefined } | { slot: number };
export type WalkKeys<T> = (ev: Evaluator, f: Frame, v: Value, keys: T[], from: number) => Value | undefined;

/**
 * The value at data.keys…, as Evaluator.walkData finds it: `with` overrides first, a node whose
 * rules define its whole value (or that has rules with variables in their head) is computed and
 * walked, base data below nodes without rules, a child rule unless base data sits at the same place.
 */
export function dataGet<T extends KeyOf>(ev: Evaluator, f: Frame, keys: T[], walk: WalkKeys<T>): Value | undefined {
  let node = ev.root;
  let base: Value | undefined = ev.base;
  for (let i = 0; ; i++) {
    if (ev.overrides.length > 0) {
      const o = ev.overrideAt(node.path);
      if (o !== undefined) return walk(ev, f, o, keys, i);
    }
    if (i === keys.length || node.isLeafRule || node.objects.length > 0) {
      const v = nodeValue(ev, node, base);
      return v === undefined || i === keys.length ? v : walk(ev, f, v, keys, i);
    }
    if (!node.virtual) return base === undefined ? undefined : walk(ev, f, base, keys, i);
    const key = keys[i];
    let k: Value | undefined;
    if ('c' in key) k = key.c;
    else if ('slot' in key) k = f[key.slot];
    if (k === undefined) {
      const v = nodeValue(ev, node, base);
      return v === undefined ? undefined : walk(ev, f, v, keys, i);
    }
    const child = typeof k === 'string' ? node.children.get(k) : undefined;
    const childBase: Value | undefined = base === undefined ? undefined : lookup(base, k);
    if (child && !child.isFunction && !(child.isLeafRule && childBase !== undefined)) {
      node = child;
      base = childBase;
      continue;
    }
    return childBase === undefined ? undefined : walk(ev, f, childBase, keys, i + 1);
  }
}
