/**
 * Recursion between rules is rejected before evaluation, as OPA does
 * (`rego_recursion_error: rule data.x.p is recursive: data.x.p -> data.x.q -> data.x.p`).
 */
import type { Term } from '../ast';
import { RegoError } from '../errors';
import type { RuleNode } from './rule-tree';
import { allNodes, rulesOf, visitRule } from './walk';

function hasRules(n: RuleNode): boolean {
  return n.isLeafRule || n.objects.length > 0 || n.isFunction;
}

function subtreeRuleNodes(n: RuleNode, out: Set<RuleNode>): void {
  const stack = [n];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (hasRules(x)) out.add(x);
    for (const c of x.children.values()) stack.push(c);
  }
}

/** Rule nodes a `data` reference may read. */
function refTargets(root: RuleNode, t: Term & { type: 'ref' }, out: Set<RuleNode>): void {
  let n = root;
  let i = 0;
  for (; i < t.path.length; i++) {
    if (hasRules(n) && !n.isFunction) {
      out.add(n);
      return;
    }
    const p = t.path[i];
    if (p.type !== 'scalar' || typeof p.value !== 'string') break;
    const c = n.children.get(p.value);
    if (!c) return;
    n = c;
  }
  subtreeRuleNodes(n, out);
}

export function checkRecursion(root: RuleNode, functions: Map<string, RuleNode>): RegoError[] {
  const nodes = allNodes(root).filter(hasRules);
  const deps = new Map<RuleNode, Set<RuleNode>>();
  for (const n of nodes) {
    const out = new Set<RuleNode>();
    const heads = new Set<Term>();
    for (const r of rulesOf(n)) {
      visitRule(r, (t) => {
        if (t.type === 'ref' && t.head.type === 'var' && t.head.name === 'data' && t.head.slot === undefined) {
          heads.add(t.head);
          refTargets(root, t, out);
        } else if (t.type === 'var' && t.name === 'data' && t.slot === undefined && !heads.has(t)) subtreeRuleNodes(root, out);
        else if (t.type === 'call') {
          const fn = functions.get(t.op);
          if (fn) out.add(fn);
        }
      });
    }
    deps.set(n, out);
  }
  const state = new Map<RuleNode, number>();
  const errors: RegoError[] = [];
  const stack: RuleNode[] = [];
  const visit = (n: RuleNode): void => {
    state.set(n, 1);
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const s = state.get(d) ?? 0;
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(d)).map((x) => x.name);
        const loc = rulesOf(d)[0]?.loc;
        errors.push(new RegoError('rego_recursion_error', `rule ${d.name} is recursive: ${[...cycle, d.name].join(' -> ')}`, loc));
      } else if (s === 0) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of nodes) if ((state.get(n) ?? 0) === 0 && errors.length === 0) visit(n);
  return errors;
}
