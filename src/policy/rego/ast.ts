/** The Rego syntax tree, as the parser produces it and the compiler rewrites it. */
import type { Location } from './errors';
import type { Value } from './value';

export type Term =
  | ScalarTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | ObjectTerm
  | SetTerm
  | CallTerm
  | ArrayCompTerm
  | SetCompTerm
  | ObjectCompTerm;

export interface ScalarTerm {
  type: 'scalar';
  value: Value;
  loc: Location;
}
export interface VarTerm {
  type: 'var';
  name: string;
  loc: Location;
  /** Slot in the enclosing frame, set by the compiler for local variables. */
  slot?: number;
}
export interface RefTerm {
  type: 'ref';
  head: Term;
  path: Term[];
  loc: Location;
}
export interface ArrayTerm {
  type: 'array';
  items: Term[];
  loc: Location;
}
export interface ObjectTerm {
  type: 'object';
  entries: [Term, Term][];
  loc: Location;
}
export interface SetTerm {
  type: 'set';
  items: Term[];
  loc: Location;
}
export interface CallTerm {
  type: 'call';
  /** Dotted operator name: a builtin (`plus`, `array.concat`) or a function (`data.pkg.f`). */
  op: string;
  args: Term[];
  loc: Location;
  /** A function named as a `with` value (`with f as g`), not called here. */
  funcRef?: boolean;
}
export interface ArrayCompTerm {
  type: 'arraycomp';
  term: Term;
  body: Expr[];
  loc: Location;
  /** Slots declared inside (set by the compiler); the others it uses are closed over. */
  locals?: number[];
}
export interface SetCompTerm {
  type: 'setcomp';
  term: Term;
  body: Expr[];
  loc: Location;
  /** Slots declared inside (set by the compiler); the others it uses are closed over. */
  locals?: number[];
}
export interface ObjectCompTerm {
  type: 'objectcomp';
  key: Term;
  value: Term;
  body: Expr[];
  loc: Location;
  locals?: number[];
}

export interface WithModifier {
  /** The target as written: `input.x`, `data.a.b`, a function or builtin name. */
  target: Term;
  value: Term;
  loc: Location;
}

export type Expr = TermExpr | SomeDeclExpr | SomeInExpr | EveryExpr;

interface ExprBase {
  negated: boolean;
  withs: WithModifier[];
  loc: Location;
  /** Source text (queries only). */
  text?: string;
}
export interface TermExpr extends ExprBase {
  kind: 'term';
  term: Term;
}
export interface SomeDeclExpr extends ExprBase {
  kind: 'some';
  vars: VarTerm[];
}
export interface SomeInExpr extends ExprBase {
  kind: 'somein';
  key?: Term;
  value: Term;
  domain: Term;
}
export interface EveryExpr extends ExprBase {
  kind: 'every';
  key?: VarTerm;
  value: Term;
  domain: Term;
  body: Expr[];
  locals?: number[];
}

export type RuleKind = 'complete' | 'multi' | 'function';

export interface Rule {
  /** Head reference below the package: first element is the rule name. */
  ref: Term[];
  kind: RuleKind;
  args?: Term[];
  /** For multi-value (`contains`) rules: the member. For others, the value (default `true`). */
  value: Term;
  body: Expr[];
  isDefault: boolean;
  /** Chained `else` clauses (complete rules and functions). */
  elses: Rule[];
  loc: Location;
  /** Index of the module it came from. */
  module: number;
}

export interface Import {
  path: Term;
  alias?: string;
  loc: Location;
}

export interface Module {
  file: string;
  /** Package path below `data`, e.g. ['gitseal', 'images']. */
  pkg: string[];
  imports: Import[];
  rules: Rule[];
  loc: Location;
}

export function refPathString(path: readonly Term[]): string {
  return path.map((t) => (t.type === 'scalar' && typeof t.value === 'string' ? t.value : '?')).join('.');
}

/** Every variable that appears in a term, outside closures when `skipClosures`. */
export function termVars(t: Term, out: Set<string>, skipClosures = false): Set<string> {
  switch (t.type) {
    case 'var':
      out.add(t.name);
      break;
    case 'ref':
      termVars(t.head, out, skipClosures);
      for (const p of t.path) termVars(p, out, skipClosures);
      break;
    case 'array':
    case 'set':
      for (const x of t.items) termVars(x, out, skipClosures);
      break;
    case 'object':
      for (const [k, v] of t.entries) {
        termVars(k, out, skipClosures);
        termVars(v, out, skipClosures);
      }
      break;
    case 'call':
      for (const a of t.args) termVars(a, out, skipClosures);
      break;
    case 'arraycomp':
    case 'setcomp':
      if (!skipClosures) {
        termVars(t.term, out);
        for (const e of t.body) exprVars(e, out);
      }
      break;
    case 'objectcomp':
      if (!skipClosures) {
        termVars(t.key, out);
        termVars(t.value, out);
        for (const e of t.body) exprVars(e, out);
      }
      break;
    default:
      break;
  }
  return out;
}

export function exprVars(e: Expr, out: Set<string>): Set<string> {
  switch (e.kind) {
    case 'term':
      termVars(e.term, out);
      break;
    case 'some':
      for (const v of e.vars) out.add(v.name);
      break;
    case 'somein':
      if (e.key) termVars(e.key, out);
      termVars(e.value, out);
      termVars(e.domain, out);
      break;
    case 'every':
      if (e.key) out.add(e.key.name);
      termVars(e.value, out);
      termVars(e.domain, out);
      for (const x of e.body) exprVars(x, out);
      break;
  }
  for (const w of e.withs) termVars(w.value, out);
  return out;
}

/** A term made of literals only (scalars, and collections of them): its value is known at compile time. */
export function isConstant(t: Term): boolean {
  switch (t.type) {
    case 'scalar':
      return true;
    case 'array':
    case 'set':
      return t.items.every(isConstant);
    case 'object':
      return t.entries.every(([k, v]) => isConstant(k) && isConstant(v));
    default:
      return false;
  }
}
