/** Plans of terms: references, composite literals (constants folded once), calls, comprehensions. */
import { isConstant, type ArrayCompTerm, type ArrayTerm, type CallTerm, type ObjectCompTerm, type ObjectTerm, type RefTerm, type SetCompTerm, type SetTerm, type Term } from '../ast';
import { getBuiltin, type Builtin } from '../builtins/registry';
import { RegoError, type Location } from '../errors';
import { ObjectBuilder, SetValue, equal, type Value } from '../value';
import { forEachEntry, forEachEntryAnyOrder, lookup } from './collections';
import { dataGet } from './plan-data';
import { callFunction } from './functions';
import type { Evaluator, Frame, KV } from './evaluator';
import { DONE, boundAfter, direct, evaluable, generic, unbound, type Planner, type Slots, type TermPlan, type ValFn } from './plan';

/** A step of a reference's path: a key known in advance, a key computed, or a variable to iterate. */
type PathKey = { c: Value } | { fn: ValFn } | { slot: number; name: string; loc: Location; iter: boolean };

function planPath(p: Planner, path: Term[], bound: Slots): PathKey[] | undefined {
  const keys: PathKey[] = [];
  const b = new Set(bound);
  for (const t of path) {
    if (t.type === 'scalar') keys.push({ c: t.value });
    else if (t.type === 'var' && t.slot !== undefined) {
      keys.push({ slot: t.slot, name: t.name, loc: t.loc, iter: !b.has(t.slot) });
      b.add(t.slot);
    } else if (evaluable(t, b)) {
      const val = p.term(t, b).val;
      if (!val) return undefined;
      keys.push({ fn: val });
    } else return undefined;
  }
  return keys;
}

/** Follows keys from v; `from` is the first key still to apply. */
function walkKeys(ev: Evaluator, f: Frame, v: Value, keys: PathKey[], from: number): Value | undefined {
  let cur: Value | undefined = v;
  for (let i = from; i < keys.length && cur !== undefined; i++) {
    const key = keys[i];
    if ('c' in key) cur = lookup(cur, key.c);
    else if ('fn' in key) {
      const x = key.fn(ev, f);
      cur = x === undefined ? undefined : lookup(cur, x);
    } else {
      const x = f[key.slot];
      if (x === undefined) throw unbound(key.name, key.loc);
      cur = lookup(cur, x);
    }
  }
  return cur;
}

type Loop = typeof forEachEntry;

/** Every value reached from v by keys, binding the variables that iterate. */
function walkGen(ev: Evaluator, f: Frame, v: Value, keys: PathKey[], from: number, loop: Loop, k: KV): boolean {
  let cur: Value | undefined = v;
  for (let i = from; i < keys.length; i++) {
    const key = keys[i];
    if ('c' in key) cur = lookup(cur, key.c);
    else if ('fn' in key) {
      const x = key.fn(ev, f);
      cur = x === undefined ? undefined : lookup(cur, x);
    } else {
      const x = f[key.slot];
      if (x !== undefined) cur = lookup(cur, x);
      else {
        const slot = key.slot;
        const next = i + 1;
        try {
          return loop(cur as Value, (kv, xv) => {
            ev.tick();
            f[slot] = kv;
            return walkGen(ev, f, xv, keys, next, loop, k);
          });
        } finally {
          f[slot] = undefined;
        }
      }
    }
    if (cur === undefined) return false;
  }
  return k(cur);
}

function constKeys(keys: PathKey[]): Value[] | undefined {
  const out: Value[] = [];
  for (const k of keys) {
    if (!('c' in k)) return undefined;
    out.push(k.c);
  }
  return out;
}

export function planRef(p: Planner, t: RefTerm, bound: Slots): TermPlan {
  const keys = planPath(p, t.path, bound);
  if (!keys) return generic(t);
  const head = t.head;
  const iterates = keys.some((k) => 'iter' in k && k.iter);
  if (head.type === 'var' && head.slot === undefined && head.name !== 'input') {
    if (iterates) return generic(t);
    if (!constKeys(keys)) return direct((ev, f) => dataGet(ev, f, keys, walkKeys));
    // A constant path has one value per evaluation (and `with`): found once, then remembered.
    const site = p.site();
    return direct((ev, f) => {
      const refs = ev.cache.refs;
      const known = refs[site];
      if (known !== undefined) return known === null ? undefined : known;
      const v = dataGet(ev, f, keys, walkKeys);
      refs[site] = v === undefined ? null : v;
      return v;
    });
  }
  const headVal = p.term(head, bound).val;
  if (!headVal) return generic(t);
  if (iterates) {
    const anyOrder = p.unordered;
    return {
      gen: (ev, f, k) => {
        const v = headVal(ev, f);
        // Under `with` a mock may trace: keep OPA's order there.
        return v === undefined ? false : walkGen(ev, f, v, keys, 0, anyOrder && ev.mocks.size === 0 ? forEachEntryAnyOrder : forEachEntry, k);
      },
    };
  }
  const ck = constKeys(keys);
  if (ck && ck.length > 0) {
    return direct((ev, f) => {
      let cur = headVal(ev, f);
      for (let i = 0; i < ck.length && cur !== undefined; i++) cur = lookup(cur, ck[i]);
      return cur;
    });
  }
  return direct((ev, f) => {
    const v = headVal(ev, f);
    return v === undefined ? undefined : walkKeys(ev, f, v, keys, 0);
  });
}

export function planComposite(p: Planner, t: ArrayTerm | SetTerm | ObjectTerm, bound: Slots): TermPlan {
  const terms = t.type === 'object' ? t.entries.flat() : t.items;
  const vals: ValFn[] = [];
  for (const x of terms) {
    const v = p.term(x, bound).val;
    if (!v) return generic(t);
    vals.push(v);
  }
  const build = buildComposite(t, vals);
  if (isConstant(t)) {
    // Ground literals are built once: values are never mutated after they are built.
    let cached: Value | undefined;
    return direct((ev, f) => (cached ??= build(ev, f)));
  }
  return direct(build);
}

function buildComposite(t: ArrayTerm | SetTerm | ObjectTerm, vals: ValFn[]): ValFn {
  const n = vals.length;
  const evalAll = (ev: Evaluator, f: Frame): Value[] | undefined => {
    const out = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const v = vals[i](ev, f);
      if (v === undefined) return undefined;
      out[i] = v;
    }
    return out;
  };
  if (t.type === 'array') return evalAll;
  if (t.type === 'set') {
    return (ev, f) => {
      const items = evalAll(ev, f);
      return items === undefined ? undefined : SetValue.of(items);
    };
  }
  return (ev, f) => {
    const items = evalAll(ev, f);
    if (items === undefined) return undefined;
    const b = new ObjectBuilder();
    for (let i = 0; i < n; i += 2) b.set(items[i], items[i + 1]);
    return b.build();
  };
}

/** Calls op on values: builtins directly unless mocked, functions and mocks through the evaluator. */
function applyCall(ev: Evaluator, b: Builtin | null, op: string, vals: Value[], loc: Location, k: KV): boolean {
  if (b && ev.mocks.size === 0) {
    const r = ev.callBuiltin(b, vals, loc);
    if (b.relation) {
      if (!Array.isArray(r)) return false;
      for (const x of r) if (k(x)) return true;
      return false;
    }
    return r === undefined ? false : k(r);
  }
  const r = ev.invoke(op, vals, loc);
  return r === undefined ? false : k(r);
}

/** t.op on its first n arguments (the others are outputs, matched by the caller). */
export function planCall(p: Planner, t: CallTerm, n: number, bound: Slots): TermPlan {
  const b = t.op.startsWith('data.') ? null : (getBuiltin(t.op) ?? null);
  const fn = b ? undefined : p.fn(t.op);
  const args = t.args.slice(0, n).map((a) => p.term(a, bound));
  const vals = args.map((a) => a.val);
  const loc = t.loc;
  const op = t.op;
  if (vals.every((v) => v !== undefined) && !b?.relation) {
    const fns = vals as ValFn[];
    return direct((ev, f) => {
      const xs = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        const v = fns[i](ev, f);
        if (v === undefined) return undefined;
        xs[i] = v;
      }
      if (ev.mocks.size === 0) {
        if (b) return ev.callBuiltin(b, xs, loc);
        if (fn) return callFunction(ev, fn, xs);
      }
      return ev.invoke(op, xs, loc);
    });
  }
  const gens = args.map((a) => a.gen);
  const from = (ev: Evaluator, f: Frame, i: number, xs: Value[], k: KV): boolean => {
    if (i === n) return applyCall(ev, b, op, xs.slice(), loc, k);
    return gens[i](ev, f, (v) => {
      xs[i] = v;
      return from(ev, f, i + 1, xs, k);
    });
  };
  return { gen: (ev, f, k) => from(ev, f, 0, new Array<Value>(n), k) };
}

export function planComprehension(p: Planner, t: ArrayCompTerm | SetCompTerm | ObjectCompTerm, bound: Slots): TermPlan {
  return p.inOrder(t.type !== 'arraycomp', () => comprehension(p, t, bound));
}

function comprehension(p: Planner, t: ArrayCompTerm | SetCompTerm | ObjectCompTerm, bound: Slots): TermPlan {
  const body = p.body(t.body, bound, DONE);
  const inner = boundAfter(t.body, bound);
  if (t.type === 'objectcomp') {
    const key = p.term(t.key, inner).gen;
    const value = p.term(t.value, inner).gen;
    const loc = t.loc;
    return direct((ev, f) => {
      const out = new ObjectBuilder();
      body(ev, f, () =>
        key(ev, f, (kv) =>
          value(ev, f, (vv) => {
            const prev = out.get(kv);
            if (prev !== undefined && !equal(prev, vv)) throw new RegoError('eval_conflict_error', 'object keys must be unique', loc);
            out.set(kv, vv);
            return false;
          }),
        ),
      );
      return out.build();
    });
  }
  const head = p.term(t.term, inner);
  const val = head.val;
  const gen = head.gen;
  if (t.type === 'arraycomp') {
    return direct((ev, f) => {
      const out: Value[] = [];
      const add = (v: Value) => (out.push(v), false);
      body(ev, f, val ? () => { const v = val(ev, f); return v === undefined ? false : add(v); } : () => gen(ev, f, add));
      return out;
    });
  }
  return direct((ev, f) => {
    const out = new SetValue();
    const add = (v: Value) => (out.add(v), false);
    body(ev, f, val ? () => { const v = val(ev, f); return v === undefined ? false : add(v); } : () => gen(ev, f, add));
    return out;
  });
}
