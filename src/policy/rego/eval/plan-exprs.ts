/** Plans of expressions: a term's truth, unification, calls with an output, `some … in`, `every`. */
import type { EveryExpr, SomeInExpr, Term } from '../ast';
import type { ArrayValue, Value } from '../value';
import { forEachEntry, forEachEntryAnyOrder, isCollection } from './collections';
import type { Evaluator, Frame, K } from './evaluator';
import { planCall } from './plan-terms';
import { DONE, STOP, evaluable, withSlots, type Match, type Planner, type Slots, type Step, type TermPlan } from './plan';

export function planTermExpr(p: Planner, t: Term, bound: Slots, next: Step): Step | undefined {
  if (t.type !== 'call') return truthy(p.term(t, bound), next);
  if (t.op === 'eq' || t.op === 'assign') return planUnify(p, t.args[0], t.args[1], bound, next);
  if (t.op === 'print') return undefined;
  const n = p.arity(t.op);
  if (n !== undefined && t.args.length === n + 1) {
    const call = planCall(p, t, n, bound);
    return then(call, p.match(t.args[n], withSlots(bound, ...t.args.slice(0, n)), next));
  }
  return truthy(planCall(p, t, t.args.length, bound), next);
}

/** Succeeds for each value of the term that is not false. */
function truthy(plan: TermPlan, next: Step): Step {
  const val = plan.val;
  if (val) {
    return (ev, f, k) => {
      ev.tick();
      const v = val(ev, f);
      return v !== undefined && v !== false ? next(ev, f, k) : false;
    };
  }
  const gen = plan.gen;
  return (ev, f, k) => {
    ev.tick();
    return gen(ev, f, (v) => (v !== false ? next(ev, f, k) : false));
  };
}

/** Matches each value of the term against m. */
function then(plan: TermPlan, m: Match): Step {
  const val = plan.val;
  if (val) {
    return (ev, f, k) => {
      ev.tick();
      const v = val(ev, f);
      return v === undefined ? false : m(ev, f, v, k);
    };
  }
  const gen = plan.gen;
  return (ev, f, k) => {
    ev.tick();
    return gen(ev, f, (v) => m(ev, f, v, k));
  };
}

/** `a = b` and `a := b`: the side that can be evaluated is, the other is matched against it. */
function planUnify(p: Planner, a: Term, b: Term, bound: Slots, next: Step): Step | undefined {
  if (evaluable(a, bound)) return then(p.term(a, bound), p.match(b, withSlots(bound, a), next));
  if (evaluable(b, bound)) return then(p.term(b, bound), p.match(a, withSlots(bound, b), next));
  return undefined;
}

/** Runs each(key, value) over a collection's entries in OPA's order until one returns true. */
function entries(dv: Value, each: (key: Value, val: Value) => boolean): boolean {
  if (Array.isArray(dv)) {
    const a = dv as ArrayValue;
    for (let i = 0; i < a.length; i++) if (each(i, a[i])) return true;
    return false;
  }
  return forEachEntry(dv, each);
}

/**
 * The matchers of `key, value in …`: the value is matched first when there is no key; with a
 * key, the value waits in a temporary slot while the key is matched.
 */
function elementMatch(p: Planner, key: Term | undefined, value: Term, bound: Slots, next: Step): (ev: Evaluator, f: Frame, kv: Value, vv: Value, k: K) => boolean {
  if (!key) {
    const m = p.match(value, bound, next);
    return (ev, f, _kv, vv, k) => m(ev, f, vv, k);
  }
  const tmp = p.temp();
  const mv = p.match(value, withSlots(bound, key), next);
  const mk = p.match(key, bound, (ev, f, k) => mv(ev, f, f[tmp] as Value, k));
  return (ev, f, kv, vv, k) => {
    const saved = f[tmp];
    f[tmp] = vv;
    try {
      return mk(ev, f, kv, k);
    } finally {
      f[tmp] = saved;
    }
  };
}

export function planSomeIn(p: Planner, e: SomeInExpr, bound: Slots, next: Step): Step {
  const domain = p.term(e.domain, bound);
  const match = elementMatch(p, e.key, e.value, withSlots(bound, e.domain), next);
  const anyOrder = p.unordered;
  const iterate = (ev: Evaluator, f: Frame, dv: Value, k: K): boolean =>
    (anyOrder && ev.mocks.size === 0 ? forEachEntryAnyOrder : entries)(dv, (kv, vv) => {
      ev.tick();
      return match(ev, f, kv, vv, k);
    });
  const val = domain.val;
  if (val) {
    return (ev, f, k) => {
      ev.tick();
      const dv = val(ev, f);
      return dv === undefined ? false : iterate(ev, f, dv, k);
    };
  }
  const gen = domain.gen;
  return (ev, f, k) => {
    ev.tick();
    return gen(ev, f, (dv) => iterate(ev, f, dv, k));
  };
}

export function planEvery(p: Planner, e: EveryExpr, bound: Slots, next: Step): Step {
  const domain = p.term(e.domain, bound).gen;
  const inner = withSlots(bound, e.domain, e.key, e.value);
  // Each element's body stops at its first solution, and `every` at the first failure.
  const body = p.inOrder(false, () => p.body(e.body, inner, DONE));
  const match = elementMatch(p, e.key, e.value, withSlots(bound, e.domain), body);
  return (ev, f, k) => {
    ev.tick();
    return domain(ev, f, (dv) => {
      if (!isCollection(dv)) return false;
      const failed = entries(dv, (kv, vv) => !match(ev, f, kv, vv, STOP));
      return failed ? false : next(ev, f, k);
    });
  };
}
