/**
 * Name resolution: each variable becomes a local (a slot in its rule's frame), a reference to a
 * rule of the package, an import, or a root document (`input`, `data`). Calls get their full
 * operator name (`data.pkg.f` or a builtin). Follows OPA's scoping: `:=`, `some` and function
 * arguments declare; a variable of a comprehension that also appears in an enclosing body refers
 * to the enclosing one.
 */
import { exprVars, termVars, type Expr, type Import, type Term, type VarTerm, type WithModifier } from '../ast';
import { RegoError, type Location } from '../errors';

export class FrameAlloc {
  size = 0;
  names: string[] = [];
  alloc(name: string): number {
    this.names.push(name);
    return this.size++;
  }
}

export class Scope {
  private readonly vars = new Map<string, number>();
  /** Slots declared in this scope and the scopes inside it. */
  readonly subtree: number[] = [];
  constructor(
    readonly parent: Scope | undefined,
    readonly frame: FrameAlloc,
    readonly bodyVars: Set<string>,
  ) {}
  lookup(name: string): number | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const slot = s.vars.get(name);
      if (slot !== undefined) return slot;
    }
    return undefined;
  }
  declare(name: string): number {
    const slot = this.frame.alloc(name);
    this.vars.set(name, slot);
    for (let s: Scope | undefined = this; s; s = s.parent) s.subtree.push(slot);
    return slot;
  }
  /** An undeclared name: it belongs to the outermost body that mentions it. */
  implicit(name: string): number {
    let owner: Scope = this;
    if (!name.startsWith('$')) {
      for (let s: Scope | undefined = this.parent; s; s = s.parent) if (s.bodyVars.has(name)) owner = s;
    }
    return owner.lookup(name) ?? owner.declare(name);
  }
  child(body: Expr[], extra: Term[] = []): Scope {
    const vars = new Set<string>();
    for (const e of body) collectBodyVars(e, vars);
    for (const t of extra) termVars(t, vars, true);
    return new Scope(this, this.frame, vars);
  }
}

function collectBodyVars(e: Expr, out: Set<string>): void {
  if (e.kind === 'term') termVars(e.term, out, true);
  else if (e.kind === 'somein') {
    termVars(e.domain, out, true);
  } else if (e.kind === 'every') termVars(e.domain, out, true);
  for (const w of e.withs) termVars(w.value, out, true);
}

/** What names mean in one module: the package's rules, imports, builtins. */
export interface NameContext {
  pkg: string[];
  /** First names of the rules of this package (from every module of it). */
  ruleNames: Set<string>;
  imports: Import[];
  /** Whether a dotted name is a builtin. */
  isBuiltin: (name: string) => boolean;
  /** Whether a full path (data.…) names a function. */
  isFunction: (path: string) => boolean;
  file: string;
}

const ROOTS = new Set(['input', 'data']);

export class Resolver {
  private readonly aliases = new Map<string, Term>();
  constructor(private readonly ctx: NameContext) {
    for (const imp of ctx.imports) {
      const parts = importParts(imp.path);
      if (parts[0] !== 'data' && parts[0] !== 'input') continue;
      const alias = imp.alias ?? parts[parts.length - 1];
      this.aliases.set(alias, imp.path);
    }
  }

  private dataRef(path: string[], loc: Location): Term {
    return { type: 'ref', head: { type: 'var', name: 'data', loc }, path: path.map((p) => ({ type: 'scalar', value: p, loc })), loc };
  }

  /** A variable outside any declaration. */
  private resolveVar(v: VarTerm, scope: Scope): Term {
    const slot = scope.lookup(v.name);
    if (slot !== undefined) return { ...v, slot };
    if (ROOTS.has(v.name)) return { type: 'var', name: v.name, loc: v.loc };
    if (this.ctx.ruleNames.has(v.name)) return this.dataRef([...this.ctx.pkg, v.name], v.loc);
    const imp = this.aliases.get(v.name);
    if (imp) return this.resolveTerm(imp, scope);
    return { ...v, slot: scope.implicit(v.name) };
  }

  private declareVars(t: Term, scope: Scope): Term {
    if (t.type === 'var') return { ...t, slot: scope.declare(t.name) };
    if (t.type === 'array') return { ...t, items: t.items.map((x) => this.declareVars(x, scope)) };
    if (t.type === 'object') return { ...t, entries: t.entries.map(([k, x]) => [this.resolveTerm(k, scope), this.declareVars(x, scope)] as [Term, Term]) };
    return this.resolveTerm(t, scope);
  }

  resolveOp(op: string, loc: Location): string {
    if (op === 'eq' || op === 'assign') return op;
    const parts = op.split('.');
    if (parts[0] === 'data') return op;
    if (this.ctx.ruleNames.has(parts[0]) && this.ctx.isFunction(['data', ...this.ctx.pkg, ...parts].join('.'))) return ['data', ...this.ctx.pkg, ...parts].join('.');
    const imp = this.aliases.get(parts[0]);
    if (imp) {
      const full = [...importParts(imp), ...parts.slice(1)].join('.');
      if (this.ctx.isFunction(full)) return full;
    }
    if (this.ctx.isBuiltin(op)) return op;
    if (this.ctx.ruleNames.has(parts[0])) return ['data', ...this.ctx.pkg, ...parts].join('.');
    throw new RegoError('rego_type_error', `undefined function ${op}`, loc);
  }

  resolveTerm(t: Term, scope: Scope): Term {
    switch (t.type) {
      case 'scalar':
        return t;
      case 'var':
        return this.resolveVar(t, scope);
      case 'ref': {
        const head = this.resolveTerm(t.head, scope);
        const path = t.path.map((p) => this.resolveTerm(p, scope));
        if (head.type === 'ref') return { type: 'ref', head: head.head, path: [...head.path, ...path], loc: t.loc };
        return { type: 'ref', head, path, loc: t.loc };
      }
      case 'array':
      case 'set':
        return { ...t, items: t.items.map((x) => this.resolveTerm(x, scope)) };
      case 'object':
        return { ...t, entries: t.entries.map(([k, v]) => [this.resolveTerm(k, scope), this.resolveTerm(v, scope)] as [Term, Term]) };
      case 'call':
        return { ...t, op: this.resolveOp(t.op, t.loc), args: t.args.map((a) => this.resolveTerm(a, scope)) };
      case 'arraycomp':
      case 'setcomp': {
        const inner = scope.child(t.body, [t.term]);
        const body = this.resolveBody(t.body, inner);
        return { ...t, body, term: this.resolveTerm(t.term, inner), locals: inner.subtree };
      }
      case 'objectcomp': {
        const inner = scope.child(t.body, [t.key, t.value]);
        const body = this.resolveBody(t.body, inner);
        return { ...t, body, key: this.resolveTerm(t.key, inner), value: this.resolveTerm(t.value, inner), locals: inner.subtree };
      }
    }
  }

  resolveBody(body: Expr[], scope: Scope): Expr[] {
    return body.map((e) => this.resolveExpr(e, scope));
  }

  private resolveWiths(withs: WithModifier[], scope: Scope): WithModifier[] {
    return withs.map((w) => ({ ...w, target: this.resolveWithTarget(w.target), value: this.resolveWithValue(w.value, scope) }));
  }

  private resolveWithTarget(t: Term): Term {
    const name = termName(t);
    if (name === undefined) throw new RegoError('rego_compile_error', 'with keyword target must reference existing input, data, or a function', t.loc);
    const root = name.split('.')[0];
    if (root === 'input' || root === 'data') return t;
    if (this.ctx.ruleNames.has(root)) {
      const full = ['data', ...this.ctx.pkg, ...name.split('.')].join('.');
      return { type: 'scalar', value: full, loc: t.loc };
    }
    const imp = this.aliases.get(root);
    if (imp) return { type: 'scalar', value: [...importParts(imp), ...name.split('.').slice(1)].join('.'), loc: t.loc };
    if (this.ctx.isBuiltin(name)) return { type: 'scalar', value: name, loc: t.loc };
    throw new RegoError('rego_compile_error', `with keyword target must reference existing input, data, or a function`, t.loc);
  }

  /** A `with` value may name a function (mock by function) or be any term. */
  private resolveWithValue(t: Term, scope: Scope): Term {
    const name = termName(t);
    if (name !== undefined && scope.lookup(name.split('.')[0]) === undefined && !ROOTS.has(name.split('.')[0])) {
      try {
        const op = this.resolveOp(name, t.loc);
        if (this.ctx.isBuiltin(op) || this.ctx.isFunction(op)) return { type: 'call', op, args: [], loc: t.loc, funcRef: true };
      } catch {
        // not a function: an ordinary value
      }
    }
    return this.resolveTerm(t, scope);
  }

  resolveExpr(e: Expr, scope: Scope): Expr {
    switch (e.kind) {
      case 'some':
        return { ...e, vars: e.vars.map((v) => ({ ...v, slot: scope.declare(v.name) })) };
      case 'somein': {
        const domain = this.resolveTerm(e.domain, scope);
        const key = e.key ? this.declareVars(e.key, scope) : undefined;
        const value = this.declareVars(e.value, scope);
        return { ...e, domain, key, value, withs: this.resolveWiths(e.withs, scope) };
      }
      case 'every': {
        const domain = this.resolveTerm(e.domain, scope);
        const inner = scope.child(e.body);
        const key = e.key ? { ...e.key, slot: inner.declare(e.key.name) } : undefined;
        const value = this.declareVars(e.value, inner);
        const body = this.resolveBody(e.body, inner);
        return { ...e, domain, key, value, body, withs: this.resolveWiths(e.withs, scope), locals: inner.subtree };
      }
      case 'term': {
        const t = e.term;
        if (t.type === 'call' && t.op === 'assign') {
          const rhs = this.resolveTerm(t.args[1], scope);
          const lhs = this.declareVars(t.args[0], scope);
          return { ...e, term: { ...t, args: [lhs, rhs] }, withs: this.resolveWiths(e.withs, scope) };
        }
        return { ...e, term: this.resolveTerm(t, scope), withs: this.resolveWiths(e.withs, scope) };
      }
    }
  }
}

/** Dotted name of a var or a ref of strings (`f`, `data.a.b`, `time.now_ns`). */
export function termName(t: Term): string | undefined {
  if (t.type === 'var') return t.name;
  if (t.type !== 'ref' || t.head.type !== 'var') return undefined;
  const parts = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'scalar' || typeof p.value !== 'string') return undefined;
    parts.push(p.value);
  }
  return parts.join('.');
}

export function importParts(t: Term): string[] {
  const name = termName(t);
  return name ? name.split('.') : [];
}

export function allVars(body: Expr[]): Set<string> {
  const out = new Set<string>();
  for (const e of body) exprVars(e, out);
  return out;
}
