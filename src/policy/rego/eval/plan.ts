/**
 * Rule bodies compiled once to closures (a plan), so that evaluation does not walk the syntax
 * tree. Each expression becomes a Step that knows its successor, so a body runs without
 * allocating continuations; terms that yield at most one value become direct functions
 * (ValFn) returning the value or undefined. Shapes the planner does not specialise fall back to
 * the tree-walking Evaluator, which has the same semantics: the plan is only a faster route.
 *
 * Whether a variable is bound at a point of a body is known at compile time: bodies are ordered
 * for safety, so every variable of a positive expression is bound once it succeeds.
 */
import type { Expr, Term } from '../ast';
import { getBuiltin } from '../builtins/registry';
import type { RuleNode } from '../compile/rule-tree';
import { RegoError, type Location } from '../errors';
import type { Value } from '../value';
import type { Evaluator, Frame, K, KV } from './evaluator';
import { planCall, planComprehension, planComposite, planRef } from './plan-terms';
import { planEvery, planSomeIn, planTermExpr } from './plan-exprs';
import { planMatch } from './plan-match';

/** Runs the rest of a body from here; calls k for each solution, true stops. */
export type Step = (ev: Evaluator, f: Frame, k: K) => boolean;
/** The only value of a term, or undefined. */
export type ValFn = (ev: Evaluator, f: Frame) => Value | undefined;
/** Every value of a term. */
export type GenFn = (ev: Evaluator, f: Frame, k: KV) => boolean;
/** Unifies a pattern with a value, then runs the step after it. */
export type Match = (ev: Evaluator, f: Frame, v: Value, k: K) => boolean;

export interface TermPlan {
  gen: GenFn;
  /** Present when the term has at most one value (no iteration). */
  val?: ValFn;
}

export type Slots = ReadonlySet<number>;

export const DONE: Step = (_ev, _f, k) => k();
export const STOP: K = () => true;

export function unbound(name: string, loc: Location): RegoError {
  return new RegoError('eval_internal_error', `var ${name} is unbound`, loc);
}

/** TermPlan of a direct function. */
export function direct(val: ValFn): TermPlan {
  return {
    val,
    gen: (ev, f, k) => {
      const v = val(ev, f);
      return v === undefined ? false : k(v);
    },
  };
}

/** Local slots a term binds or reads outside closures (all bound once its expression succeeds). */
export function slotsOf(t: Term, out: Set<number>): Set<number> {
  switch (t.type) {
    case 'var':
      if (t.slot !== undefined) out.add(t.slot);
      break;
    case 'ref':
      slotsOf(t.head, out);
      for (const p of t.path) slotsOf(p, out);
      break;
    case 'array':
    case 'set':
      for (const x of t.items) slotsOf(x, out);
      break;
    case 'object':
      for (const [a, b] of t.entries) {
        slotsOf(a, out);
        slotsOf(b, out);
      }
      break;
    case 'call':
      for (const a of t.args) slotsOf(a, out);
      break;
    default:
      break;
  }
  return out;
}

export function withSlots(bound: Slots, ...terms: (Term | undefined)[]): Set<number> {
  const out = new Set(bound);
  for (const t of terms) if (t) slotsOf(t, out);
  return out;
}

/** Slots bound after e succeeds. */
function bindsOf(e: Expr, bound: Slots): Slots {
  if (e.negated) return bound;
  switch (e.kind) {
    case 'term':
      return withSlots(bound, e.term);
    case 'somein':
      return withSlots(bound, e.key, e.value, e.domain);
    default:
      return bound;
  }
}

export function boundAfter(body: Expr[], bound: Slots): Slots {
  let b = bound;
  for (const e of body) b = bindsOf(e, b);
  return b;
}

/** Whether t can be evaluated given the bound slots (the static twin of Evaluator.evaluable). */
export function evaluable(t: Term, bound: Slots): boolean {
  switch (t.type) {
    case 'var':
      return t.slot === undefined || bound.has(t.slot);
    case 'ref':
      return t.head.type === 'var' ? t.head.slot === undefined || bound.has(t.head.slot) : evaluable(t.head, bound);
    case 'array':
    case 'set':
      return t.items.every((x) => evaluable(x, bound));
    case 'object':
      return t.entries.every(([a, b]) => evaluable(a, bound) && evaluable(b, bound));
    case 'call':
      return t.args.every((x) => evaluable(x, bound));
    default:
      return true;
  }
}

/** Compiles bodies and terms of one frame; temporaries get slots after the frame's variables. */
export class Planner {
  /**
   * Iterations of the code being planned may ignore OPA's order: the enumeration runs to its end
   * into an order-free result (a set, an object, a complete value), so no result can tell.
   */
  unordered = false;

  constructor(
    public size: number,
    private readonly functions: ReadonlyMap<string, RuleNode>,
    /** The policy prints or traces: enumeration order is observable everywhere. */
    private readonly ordered: boolean,
    /** Counter of reference sites, shared by the plans of one policy (see EvalCache.refs). */
    private readonly sites: { next: number },
  ) {}

  /** A new reference site of the policy. */
  site(): number {
    return this.sites.next++;
  }

  /**
   * Plans with f under an iteration order (see `unordered`; iterations still keep OPA's order
   * at run time when a `with` mock is active, as a mock may trace), then restores the current one.
   */
  inOrder<T>(unordered: boolean, f: () => T): T {
    const saved = this.unordered;
    this.unordered = unordered && !this.ordered;
    try {
      return f();
    } finally {
      this.unordered = saved;
    }
  }

  /** The node of a user function. */
  fn(op: string): RuleNode | undefined {
    return this.functions.get(op);
  }

  /** Number of inputs of a function or builtin (as Evaluator.arityOf). */
  arity(op: string): number | undefined {
    const node = this.functions.get(op);
    const rule = node?.functions[0] ?? node?.defaultFunction;
    return rule ? rule.args.length : getBuiltin(op)?.arity;
  }

  temp(): number {
    return this.size++;
  }

  body(body: Expr[], bound: Slots, next: Step): Step {
    const before: Slots[] = [];
    let b = bound;
    for (const e of body) {
      before.push(b);
      b = bindsOf(e, b);
    }
    let step = next;
    for (let i = body.length - 1; i >= 0; i--) step = this.expr(body[i], before[i], step);
    return step;
  }

  expr(e: Expr, bound: Slots, next: Step): Step {
    if (e.withs.length > 0) return (ev, f, k) => ev.evalExpr(e, f, () => next(ev, f, k));
    // A negation stops at its first solution: which one comes first must be OPA's.
    const positive = e.negated ? this.inOrder(false, () => this.positive(e, bound, DONE)) : this.positive(e, bound, next);
    if (!positive) return (ev, f, k) => ev.evalExpr(e, f, () => next(ev, f, k));
    if (!e.negated) return positive;
    return (ev, f, k) => {
      ev.tick();
      return positive(ev, f, STOP) ? false : next(ev, f, k);
    };
  }

  private positive(e: Expr, bound: Slots, next: Step): Step | undefined {
    switch (e.kind) {
      case 'some':
        return next;
      case 'somein':
        return planSomeIn(this, e, bound, next);
      case 'every':
        return planEvery(this, e, bound, next);
      case 'term':
        return planTermExpr(this, e.term, bound, next);
    }
  }

  term(t: Term, bound: Slots): TermPlan {
    switch (t.type) {
      case 'scalar': {
        const v = t.value;
        return direct(() => v);
      }
      case 'var': {
        const slot = t.slot;
        if (slot !== undefined) {
          return direct((_ev, f) => {
            const v = f[slot];
            if (v === undefined) throw unbound(t.name, t.loc);
            return v;
          });
        }
        if (t.name === 'input') return direct((ev) => ev.input);
        return planRef(this, { type: 'ref', head: t, path: [], loc: t.loc }, bound);
      }
      case 'ref':
        return planRef(this, t, bound);
      case 'array':
      case 'set':
      case 'object':
        return planComposite(this, t, bound);
      case 'call':
        return planCall(this, t, t.args.length, bound);
      default:
        return planComprehension(this, t, bound);
    }
  }

  match(t: Term, bound: Slots, next: Step): Match {
    return planMatch(this, t, bound, next);
  }
}

/** The generic route for a term (the Evaluator walks it). */
export function generic(t: Term): TermPlan {
  return { gen: (ev, f, k) => ev.evalTerm(t, f, k) };
}
