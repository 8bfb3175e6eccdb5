/** Plans of rules, made on first use and kept with the compiled policy (never per evaluation). */
import type { Term } from '../ast';
import type { CompiledRule, RuleNode } from '../compile/rule-tree';
import { allNodes, rulesOf, visitRule } from '../compile/walk';
import type { ArrayValue, Value } from '../value';
import type { Evaluator, Frame } from './evaluator';
import { DONE, Planner, boundAfter, slotsOf, withSlots, type Slots, type Step, type TermPlan } from './plan';

export interface RulePlan {
  frameSize: number;
  /** Binds a function's arguments (held in `argsSlot`) and runs the body. */
  body: Step;
  argsSlot: number;
  keys: TermPlan[];
  value: TermPlan;
}

export function planOf(ev: Evaluator, rule: CompiledRule): RulePlan {
  return (rule.plan ??= planRule(rule, ev));
}

function planRule(rule: CompiledRule, ev: Evaluator): RulePlan {
  const p = new Planner(rule.frameSize, ev.functions, printsOrTraces(ev.root), sitesOf(ev.root));
  // Sets, objects and complete values with a variable head see every solution: their order
  // cannot be observed. A constant head or function value stops at the first solution.
  return p.inOrder(rule.kind === 'multi' || rule.kind === 'object' || !rule.constant, () => planClauses(p, rule));
}

const sites = new WeakMap<RuleNode, { next: number }>();

function sitesOf(root: RuleNode): { next: number } {
  let s = sites.get(root);
  if (!s) {
    s = { next: 0 };
    sites.set(root, s);
  }
  return s;
}

const printing = new WeakMap<RuleNode, boolean>();

/** Whether any rule of the policy calls (or mocks with) print or trace. */
export function printsOrTraces(root: RuleNode): boolean {
  let r = printing.get(root);
  if (r === undefined) {
    let found = false;
    const visit = (t: Term) => {
      if (t.type === 'call' && (t.op === 'print' || t.op === 'trace')) found = true;
    };
    for (const n of allNodes(root)) for (const rule of rulesOf(n)) visitRule(rule, visit);
    r = found;
    printing.set(root, r);
  }
  return r;
}

function planClauses(p: Planner, rule: CompiledRule): RulePlan {
  const args = new Set<number>();
  for (const a of rule.args) slotsOf(a, args);
  let body = p.body(rule.body, args, DONE);
  const after = boundAfter(rule.body, args);
  const keys = rule.keyPath.map((t) => p.term(t, after));
  const value = p.term(rule.value, after);
  let argsSlot = -1;
  if (rule.args.length > 0) {
    argsSlot = p.temp();
    const before: Slots[] = [];
    let b: Slots = new Set<number>();
    for (const a of rule.args) {
      before.push(b);
      b = withSlots(b, a);
    }
    for (let i = rule.args.length - 1; i >= 0; i--) {
      const m = p.match(rule.args[i], before[i], body);
      const at = i;
      const slot = argsSlot;
      body = (e, f, k) => m(e, f, (f[slot] as ArrayValue)[at], k);
    }
  }
  return { frameSize: p.size, body, argsSlot, keys, value };
}

/**
 * Runs the rule (a function with `args`) and calls each(value) for every value of its head
 * (with the values of its key path for rules with variables in their head); true stops.
 */
export function eachValue(ev: Evaluator, rule: CompiledRule, args: Value[] | undefined, each: (v: Value, keys: readonly Value[]) => boolean): void {
  const plan = planOf(ev, rule);
  const f: Frame = new Array(plan.frameSize);
  if (args) f[plan.argsSlot] = args;
  if (plan.keys.length === 0) {
    // One closure per run (function calls run rules often).
    const val = plan.value.val;
    if (val) {
      plan.body(ev, f, () => {
        const v = val(ev, f);
        return v === undefined ? false : each(v, NO_KEYS);
      });
    } else {
      const gen = plan.value.gen;
      plan.body(ev, f, () => gen(ev, f, (v) => each(v, NO_KEYS)));
    }
    return;
  }
  const n = plan.keys.length;
  const from = (i: number, keys: Value[]): boolean => {
    if (i === n) {
      const ks = keys.slice();
      return plan.value.gen(ev, f, (v) => each(v, ks));
    }
    return plan.keys[i].gen(ev, f, (kv) => {
      keys[i] = kv;
      return from(i + 1, keys);
    });
  };
  plan.body(ev, f, () => from(0, new Array<Value>(n)));
}

const NO_KEYS: readonly Value[] = Object.freeze([]);
