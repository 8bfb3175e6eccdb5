/** Visits every term of compiled rules (bodies, heads, closures, `with` values). */
import type { Expr, Term } from '../ast';
import type { CompiledRule, RuleNode } from './rule-tree';

export type TermVisitor = (t: Term) => void;
export type ExprVisitor = (e: Expr) => void;

export function visitTerm(t: Term, f: TermVisitor, g?: ExprVisitor): void {
  f(t);
  switch (t.type) {
    case 'ref':
      visitTerm(t.head, f, g);
      for (const p of t.path) visitTerm(p, f, g);
      break;
    case 'array':
    case 'set':
      for (const x of t.items) visitTerm(x, f, g);
      break;
    case 'object':
      for (const [k, v] of t.entries) {
        visitTerm(k, f, g);
        visitTerm(v, f, g);
      }
      break;
    case 'call':
      for (const a of t.args) visitTerm(a, f, g);
      break;
    case 'arraycomp':
    case 'setcomp':
      visitTerm(t.term, f, g);
      visitBody(t.body, f, g);
      break;
    case 'objectcomp':
      visitTerm(t.key, f, g);
      visitTerm(t.value, f, g);
      visitBody(t.body, f, g);
      break;
    default:
      break;
  }
}

export function visitBody(body: Expr[], f: TermVisitor, g?: ExprVisitor): void {
  for (const e of body) {
    g?.(e);
    switch (e.kind) {
      case 'term':
        visitTerm(e.term, f, g);
        break;
      case 'somein':
        if (e.key) visitTerm(e.key, f, g);
        visitTerm(e.value, f, g);
        visitTerm(e.domain, f, g);
        break;
      case 'every':
        visitTerm(e.domain, f, g);
        visitBody(e.body, f, g);
        break;
      default:
        break;
    }
    for (const w of e.withs) visitTerm(w.value, f, g);
  }
}

export function visitRule(r: CompiledRule, f: TermVisitor, g?: ExprVisitor): void {
  for (const clause of [r, ...r.elses]) {
    visitBody(clause.body, f, g);
    visitTerm(clause.value, f, g);
    for (const k of clause.keyPath) visitTerm(k, f, g);
    for (const a of clause.args) visitTerm(a, f, g);
  }
}

export function rulesOf(n: RuleNode): CompiledRule[] {
  const out = [...n.complete, ...n.multi, ...n.objects, ...n.functions];
  if (n.defaultRule) out.push(n.defaultRule);
  if (n.defaultFunction) out.push(n.defaultFunction);
  return out;
}

export function allNodes(root: RuleNode): RuleNode[] {
  const out: RuleNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n);
    for (const c of n.children.values()) stack.push(c);
  }
  return out;
}
