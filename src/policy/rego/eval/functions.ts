/**
 * Calls of user functions: every definition, its `else` chain, then `default`. Results are
 * remembered for the evaluation (under one set of `with` modifiers) by their arguments' identity,
 * unless the policy prints or traces: a function is a pure function of its arguments, `input` and
 * `data`, so calling it again with the same values gives the same result or the same error.
 */
import type { CompiledRule, RuleNode } from '../compile/rule-tree';
import { equal, type Value } from '../value';
import type { Evaluator } from './evaluator';
import { eachValue } from './plan-rules';
import { conflict, enter, leave } from './rules';

/** Key of a call without arguments. */
const NONE: Value = Object.freeze([]);

/** Results of one function by its arguments (up to two; by identity, so equal copies miss). */
export class CallMemo {
  private readonly one = new Map<Value, Value | null>();
  private readonly two = new Map<Value, Map<Value, Value | null>>();

  static fits(args: Value[]): boolean {
    return args.length <= 2;
  }

  get(args: Value[]): Value | null | undefined {
    if (args.length < 2) return this.one.get(args.length === 0 ? NONE : args[0]);
    return this.two.get(args[0])?.get(args[1]);
  }

  set(args: Value[], v: Value | null): void {
    if (args.length < 2) {
      this.one.set(args.length === 0 ? NONE : args[0], v);
      return;
    }
    let m = this.two.get(args[0]);
    if (!m) {
      m = new Map();
      this.two.set(args[0], m);
    }
    m.set(args[1], v);
  }
}

export function callFunction(ev: Evaluator, node: RuleNode, args: Value[]): Value | undefined {
  // Under `with`, a mock may trace: every call runs.
  if (!ev.memoCalls || ev.mocks.size > 0 || !CallMemo.fits(args)) return compute(ev, node, args);
  let memo = ev.cache.calls.get(node);
  if (!memo) {
    memo = new CallMemo();
    ev.cache.calls.set(node, memo);
  }
  const known = memo.get(args);
  if (known !== undefined) return known === null ? undefined : known;
  const v = compute(ev, node, args);
  memo.set(args, v === undefined ? null : v);
  return v;
}

function compute(ev: Evaluator, node: RuleNode, args: Value[]): Value | undefined {
  enter(ev, node);
  try {
    let result: Value | undefined;
    for (const rule of node.functions) {
      const v = functionValue(ev, rule, args);
      if (v === undefined) continue;
      if (result !== undefined && !equal(result, v)) throw conflict('functions must not produce multiple outputs for same inputs', rule);
      result = v;
    }
    if (result === undefined && node.defaultFunction) {
      const d = node.defaultFunction;
      ev.evalTerm(d.value, new Array(d.frameSize), (v) => ((result = v), true));
    }
    return result;
  } finally {
    leave(ev, node);
  }
}

function clauseValue(ev: Evaluator, clause: CompiledRule, args: Value[]): Value | undefined {
  let found: Value | undefined;
  eachValue(ev, clause, args, (v) => {
    if (found !== undefined && !equal(found, v)) throw conflict('functions must not produce multiple outputs for same inputs', clause);
    found = v;
    return clause.constant;
  });
  return found;
}

function functionValue(ev: Evaluator, rule: CompiledRule, args: Value[]): Value | undefined {
  const v = clauseValue(ev, rule, args);
  if (v !== undefined) return v;
  for (const clause of rule.elses) {
    const e = clauseValue(ev, clause, args);
    if (e !== undefined) return e;
  }
  return undefined;
}
