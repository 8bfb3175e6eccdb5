/**
 * `with` modifiers: replace `input` (or part of it), a document under `data` (base or virtual),
 * or a function or builtin, for the evaluation of one expression. The continuation runs with
 * everything restored, and cached virtual documents never leak across the boundary.
 */
import type { Expr, Term, WithModifier } from '../ast';
import { termName } from '../compile/resolve';
import { RegoError } from '../errors';
import { ObjectBuilder, isObject, sortedEntries, type Value } from '../value';
import type { DataOverride, Evaluator, Frame, K, Mock } from './evaluator';
import { EvalCache } from './eval-cache';


interface Saved {
  input: Value | undefined;
  base: Value;
  overrides: DataOverride[];
  mocks: Map<string, Mock>;
  cache: Evaluator['cache'];
}

function save(ev: Evaluator): Saved {
  return { input: ev.input, base: ev.base, overrides: ev.overrides, mocks: ev.mocks, cache: ev.cache };
}

function restore(ev: Evaluator, s: Saved): void {
  ev.input = s.input;
  ev.base = s.base;
  ev.overrides = s.overrides;
  ev.mocks = s.mocks;
  ev.cache = s.cache;
}

/** Returns v with path set to x (copies along the path; never mutates). */
export function setPath(v: Value | undefined, path: readonly string[], x: Value): Value {
  if (path.length === 0) return x;
  const b = new ObjectBuilder();
  if (v !== undefined && isObject(v)) for (const [k, e] of sortedEntries(v)) b.set(k, e);
  const cur = b.get(path[0]);
  b.set(path[0], setPath(cur, path.slice(1), x));
  return b.build();
}

function targetPath(t: Term): string[] {
  if (t.type === 'scalar' && typeof t.value === 'string') return t.value.split('.');
  const name = termName(t);
  if (name !== undefined) return name.split('.');
  if (t.type === 'ref' && t.head.type === 'var') {
    const parts = [t.head.name];
    for (const p of t.path) {
      if (p.type !== 'scalar') throw new RegoError('rego_compile_error', 'with keyword target must be a ground reference', t.loc);
      parts.push(String(p.value));
    }
    return parts;
  }
  throw new RegoError('rego_compile_error', 'with keyword target must reference existing input, data, or a function', t.loc);
}

type WithValue = { fn: string } | { v: Value };

function evalValues(ev: Evaluator, withs: WithModifier[], i: number, f: Frame, acc: WithValue[], k: (vals: WithValue[]) => boolean): boolean {
  if (i === withs.length) return k(acc);
  const w = withs[i];
  if (w.value.type === 'call' && w.value.funcRef) {
    acc[i] = { fn: w.value.op };
    return evalValues(ev, withs, i + 1, f, acc, k);
  }
  return ev.evalTerm(w.value, f, (v) => {
    acc[i] = { v };
    return evalValues(ev, withs, i + 1, f, acc, k);
  });
}

function apply(ev: Evaluator, withs: WithModifier[], vals: WithValue[]): void {
  ev.mocks = new Map(ev.mocks);
  ev.overrides = [...ev.overrides];
  for (let i = 0; i < withs.length; i++) {
    const path = targetPath(withs[i].target);
    const val = vals[i];
    const fnNode = ev.functions.get(path.join('.'));
    if (path[0] === 'input' || (path[0] === 'data' && !fnNode)) {
      if ('fn' in val) throw new RegoError('rego_compile_error', `with keyword value for ${path[0]} must not be a function`, withs[i].loc);
      if (path[0] === 'input') ev.input = setPath(ev.input, path.slice(1), val.v);
      else {
        ev.overrides.push({ path: path.slice(1), value: val.v });
        ev.base = setPath(ev.base, path.slice(1), val.v);
      }
    } else {
      ev.mocks.set(path.join('.'), 'fn' in val ? { op: val.fn } : { value: val.v });
    }
  }
  ev.cache = new EvalCache();
}

/** Evaluates e (or `inner`, for callers that need the expression's value) under e's modifiers. */
export function evalWith(ev: Evaluator, e: Expr, f: Frame, k: K, run?: (k: K) => boolean): boolean {
  return evalValues(ev, e.withs, 0, f, new Array<WithValue>(e.withs.length), (vals) => {
    const outer = save(ev);
    apply(ev, e.withs, vals);
    const inner = save(ev);
    try {
      const body = (next: K) => (run ? run(next) : ev.evalExprNoWith(e, f, next));
      return body(() => {
        restore(ev, outer);
        try {
          return k();
        } finally {
          restore(ev, inner);
        }
      });
    } finally {
      restore(ev, outer);
    }
  });
}
