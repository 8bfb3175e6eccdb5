/** Plans of unification: a pattern against a value (bind, compare, destructure arrays). */
import type { Term } from '../ast';
import { equal, type ArrayValue, type Value } from '../value';
import { evaluable, withSlots, type Match, type Planner, type Slots, type Step } from './plan';

export function planMatch(p: Planner, t: Term, bound: Slots, next: Step): Match {
  switch (t.type) {
    case 'scalar': {
      const c = t.value;
      if (typeof c === 'string') return (ev, f, v, k) => (v === c ? next(ev, f, k) : false);
      return (ev, f, v, k) => (equal(c, v) ? next(ev, f, k) : false);
    }
    case 'var':
      if (t.slot !== undefined) return bindVar(t.slot, next);
      break;
    case 'array':
      return matchArray(p, t.items, bound, next);
    case 'object':
      // Rare in hot paths, and the evaluator's entry-by-entry rule is what OPA does.
      return (ev, f, v, k) => ev.unifyValue(t, v, f, () => next(ev, f, k));
    default:
      break;
  }
  if (!evaluable(t, bound)) return (ev, f, v, k) => ev.unifyValue(t, v, f, () => next(ev, f, k));
  const plan = p.term(t, bound);
  const val = plan.val;
  if (val) {
    return (ev, f, v, k) => {
      const x = val(ev, f);
      return x !== undefined && equal(x, v) ? next(ev, f, k) : false;
    };
  }
  const gen = plan.gen;
  return (ev, f, v, k) => gen(ev, f, (x) => (equal(x, v) ? next(ev, f, k) : false));
}

/** A variable: compared when bound, else bound for the rest of the body and unbound after. */
function bindVar(slot: number, next: Step): Match {
  return (ev, f, v, k) => {
    const cur = f[slot];
    if (cur !== undefined) return equal(cur, v) ? next(ev, f, k) : false;
    f[slot] = v;
    try {
      return next(ev, f, k);
    } finally {
      f[slot] = undefined;
    }
  };
}

/** `[a, b, …]`: the array is kept in a temporary slot while its items are matched in order. */
function matchArray(p: Planner, items: Term[], bound: Slots, next: Step): Match {
  const n = items.length;
  const tmp = p.temp();
  const before: Slots[] = [];
  let b = bound;
  for (const x of items) {
    before.push(b);
    b = withSlots(b, x);
  }
  let step = next;
  for (let i = n - 1; i >= 0; i--) {
    const m = planMatch(p, items[i], before[i], step);
    const at = i;
    step = (ev, f, k) => m(ev, f, (f[tmp] as ArrayValue)[at], k);
  }
  const first = step;
  return (ev, f, v, k) => {
    if (!Array.isArray(v) || v.length !== n) return false;
    const saved = f[tmp];
    f[tmp] = v as Value;
    try {
      return first(ev, f, k);
    } finally {
      f[tmp] = saved;
    }
  };
}
