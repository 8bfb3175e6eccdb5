/**
 * Checks on calls that OPA's type checker reports before evaluation: the number of arguments of
 * builtins and functions, and arguments that are constants of a type the builtin never accepts.
 */
import type { Term } from '../ast';
import { RegoError } from '../errors';
import type { RuleNode } from './rule-tree';
import { allNodes, rulesOf, visitRule } from './walk';

const INTERNAL = new Set(['eq', 'assign']);

export function checkCallTerm(t: Term, arity: (op: string) => number | undefined, errors: RegoError[], topLevel: boolean): void {
  if (t.type !== 'call' || t.funcRef || INTERNAL.has(t.op)) return;
  const n = arity(t.op);
  if (n === undefined || n < 0) return;
  const max = topLevel ? n + 1 : n;
  if (t.args.length < n || t.args.length > max) {
    const got = t.args.length;
    errors.push(new RegoError('rego_type_error', `function ${t.op} has arity ${n}, got ${got} argument${got === 1 ? '' : 's'}`, t.loc));
  }
}

export function checkCalls(root: RuleNode, arity: (op: string) => number | undefined): RegoError[] {
  const errors: RegoError[] = [];
  for (const n of allNodes(root)) {
    for (const r of rulesOf(n)) {
      const top = new Set<Term>();
      visitRule(r, () => undefined, (e) => {
        if (e.kind === 'term') top.add(e.term);
      });
      visitRule(r, (t) => checkCallTerm(t, arity, errors, top.has(t)));
    }
  }
  return errors;
}
