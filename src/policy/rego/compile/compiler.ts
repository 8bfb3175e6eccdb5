/**
 * From parsed modules to the rule tree the evaluator runs: rules placed by their path, names
 * resolved, bodies reordered for safety, heads checked, recursion rejected.
 */
import { isConstant, termVars, type Expr, type Module, type Rule, type Term } from '../ast';
import { getBuiltin } from '../builtins/registry';
import { RegoError } from '../errors';
import { checkRecursion } from './recursion';
import { FrameAlloc, Resolver, Scope, type NameContext } from './resolve';
import { RuleNode, type CompiledRule } from './rule-tree';
import { checkHead, fixHeadClosures, patternSlots, reorderBody, type SafetyContext } from './safety';
import { checkCallTerm, checkCalls } from './typecheck';
import { visitBody } from './walk';

export interface CompiledPolicy {
  root: RuleNode;
  /** Function nodes by full name (`data.pkg.f`). */
  functions: Map<string, RuleNode>;
  modules: Module[];
}

export class CompileErrors extends Error {
  constructor(readonly errors: RegoError[]) {
    super(errors.map((e) => e.message).join('\n'));
  }
}

const MAX_ERRORS = 10;

function staticPrefix(ref: Term[]): string[] {
  const out: string[] = [];
  for (const t of ref) {
    if (t.type !== 'scalar' || typeof t.value !== 'string') break;
    out.push(t.value);
  }
  return out;
}

interface Placed {
  rule: Rule;
  node: RuleNode;
  keyPath: Term[];
  module: Module;
}

function place(root: RuleNode, mod: Module, rule: Rule): Placed {
  const prefix = staticPrefix(rule.ref);
  const full = [...mod.pkg, ...prefix];
  const dynamic = rule.ref.slice(prefix.length);
  if (dynamic.length > 0 && (rule.kind === 'function' || rule.isDefault)) {
    const what = rule.isDefault ? 'default rules' : 'functions';
    throw new RegoError('rego_parse_error', `${what} must not have variables in their reference`, rule.loc);
  }
  let node = root;
  for (const p of full) {
    node.virtual = true;
    node = node.child(p);
  }
  node.virtual = true;
  return { rule, node, keyPath: dynamic, module: mod };
}

export function compileModules(modules: Module[]): CompiledPolicy {
  const errors: RegoError[] = [];
  const root = new RuleNode([]);
  const functions = new Map<string, RuleNode>();
  const ruleNames = new Map<string, Set<string>>();
  const placed: Placed[] = [];
  const arities = new Map<string, number>();
  for (const mod of modules) {
    const pkgKey = mod.pkg.join('.');
    if (!ruleNames.has(pkgKey)) ruleNames.set(pkgKey, new Set());
    let pkgNode = root;
    for (const p of mod.pkg) {
      pkgNode.virtual = true;
      pkgNode = pkgNode.child(p);
    }
    pkgNode.virtual = true;
    pkgNode.isPackage = true;
    for (const rule of mod.rules) {
      ruleNames.get(pkgKey)!.add(String((rule.ref[0] as { value: unknown }).value));
      try {
        const p = place(root, mod, rule);
        placed.push(p);
        if (rule.kind === 'function') {
          functions.set(p.node.name, p.node);
          if (!arities.has(p.node.name)) arities.set(p.node.name, rule.args?.length ?? 0);
          else if (arities.get(p.node.name) !== (rule.args?.length ?? 0)) errors.push(new RegoError('rego_type_error', `conflicting rules ${p.node.name} found: functions have different numbers of arguments`, rule.loc));
        }
      } catch (e) {
        if (e instanceof RegoError) errors.push(e);
        else throw e;
      }
    }
  }
  const isFunction = (path: string) => functions.has(path);
  const isBuiltin = (name: string) => getBuiltin(name) !== undefined;
  const arity = (op: string): number | undefined => arities.get(op) ?? getBuiltin(op)?.arity;
  for (const p of placed) {
    if (errors.length >= MAX_ERRORS) break;
    const ctx: NameContext = { pkg: p.module.pkg, ruleNames: ruleNames.get(p.module.pkg.join('.'))!, imports: p.module.imports, isBuiltin, isFunction, file: p.module.file };
    try {
      const compiled = compileRule(p.rule, p.node, p.keyPath, ctx, arity);
      attach(p.node, compiled, p.rule);
    } catch (e) {
      if (e instanceof RegoError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length === 0) {
    errors.push(...checkConflicts(root));
    errors.push(...checkCalls(root, arity));
  }
  if (errors.length === 0) errors.push(...checkRecursion(root, functions));
  if (errors.length > 0) throw new CompileErrors(errors.slice(0, MAX_ERRORS));
  return { root, functions, modules };
}

function attach(node: RuleNode, c: CompiledRule, rule: Rule): void {
  if (c.kind === 'function') {
    if (rule.isDefault) {
      if (node.defaultFunction) throw new RegoError('rego_type_error', `multiple default rules ${node.name} found`, rule.loc);
      node.defaultFunction = c;
    } else node.functions.push(c);
  } else if (c.kind === 'multi' && c.keyPath.length === 0) node.multi.push(c);
  else if (c.kind === 'multi' || c.kind === 'object') node.objects.push(c);
  else if (rule.isDefault) {
    if (node.defaultRule) throw new RegoError('rego_type_error', `multiple default rules ${node.name} found`, rule.loc);
    node.defaultRule = c;
  } else node.complete.push(c);
}

function compileRule(rule: Rule, node: RuleNode, keyPath: Term[], ctx: NameContext, arity: SafetyContext['arity']): CompiledRule {
  const main = compileClause(rule, node, keyPath, ctx, arity);
  main.elses = rule.elses.map((e) => compileClause({ ...e, args: rule.args }, node, keyPath, ctx, arity));
  return main;
}

function compileClause(rule: Rule, node: RuleNode, keyPath: Term[], ctx: NameContext, arity: SafetyContext['arity']): CompiledRule {
  const frame = new FrameAlloc();
  const headTerms = [...keyPath, rule.value, ...(rule.args ?? [])];
  const scope = new Scope(undefined, frame, bodyVarNames(rule.body, headTerms));
  const resolver = new Resolver(ctx);
  const args = (rule.args ?? []).map((a) => declareArg(a, scope, resolver));
  const resolvedBody = resolver.resolveBody(rule.body, scope);
  const resolvedKeys = keyPath.map((t) => resolver.resolveTerm(t, scope));
  const resolvedValue = resolver.resolveTerm(rule.value, scope);
  const safety: SafetyContext = { arity, names: frame.names };
  const bound = new Set<number>();
  for (const a of args) for (const s of patternSlots(a)) bound.add(s);
  const r = reorderBody(resolvedBody, bound, safety);
  checkHead([...resolvedKeys, resolvedValue], r.bound, rule.loc, safety);
  const kind = rule.kind === 'function' ? 'function' : rule.kind === 'multi' ? 'multi' : keyPath.length > 0 ? 'object' : 'complete';
  return {
    kind,
    keyPath: resolvedKeys.map((t) => fixHeadClosures(t, r.bound, safety)),
    value: fixHeadClosures(resolvedValue, r.bound, safety),
    args,
    body: r.body,
    frameSize: frame.size,
    elses: [],
    isDefault: rule.isDefault,
    constant: isConstant(rule.value) && keyPath.every(isConstant),
    loc: rule.loc,
    node,
  };
}

function declareArg(t: Term, scope: Scope, resolver: Resolver): Term {
  if (t.type === 'var') return { ...t, slot: scope.declare(t.name) };
  if (t.type === 'array') return { ...t, items: t.items.map((x) => declareArg(x, scope, resolver)) };
  if (t.type === 'object') return { ...t, entries: t.entries.map(([k, v]) => [resolver.resolveTerm(k, scope), declareArg(v, scope, resolver)] as [Term, Term]) };
  return resolver.resolveTerm(t, scope);
}

function bodyVarNames(body: Expr[], head: Term[]): Set<string> {
  const out = new Set<string>();
  for (const e of body) {
    if (e.kind === 'term') termVars(e.term, out, true);
    else if (e.kind === 'somein' || e.kind === 'every') termVars(e.domain, out, true);
  }
  for (const t of head) termVars(t, out, true);
  return out;
}

/** A complete rule and rules below it, or a function and a value at one path, cannot coexist. */
function checkConflicts(root: RuleNode): RegoError[] {
  const errors: RegoError[] = [];
  const visit = (n: RuleNode) => {
    const rule = n.complete[0] ?? n.multi[0] ?? n.defaultRule;
    if (rule && n.isFunction) errors.push(new RegoError('rego_type_error', `conflicting rules ${n.name} found`, rule.loc));
    else if (n.complete.length + (n.defaultRule ? 1 : 0) > 0 && n.multi.length > 0) errors.push(new RegoError('rego_type_error', `conflicting rules ${n.name} found`, n.multi[0].loc));
    else if (rule && [...n.children.values()].some((c) => c.virtual && !c.isPackage)) errors.push(new RegoError('rego_type_error', `rule ${n.name} conflicts with rules below it`, rule.loc));
    for (const c of n.children.values()) visit(c);
  };
  visit(root);
  return errors;
}

export interface CompiledQuery {
  body: Expr[];
  frameSize: number;
  /** Named query variables and their slots, in order of appearance. */
  vars: [string, number][];
}

export function compileQuery(body: Expr[], policy: CompiledPolicy, pkg: string[] = []): CompiledQuery {
  const frame = new FrameAlloc();
  const pkgNames = new Set<string>();
  const pkgNode = policy.root.find(pkg);
  if (pkg.length > 0 && pkgNode) for (const k of pkgNode.children.keys()) pkgNames.add(k);
  const ctx: NameContext = {
    pkg,
    ruleNames: pkgNames,
    imports: [],
    isBuiltin: (n) => getBuiltin(n) !== undefined,
    isFunction: (p) => policy.functions.has(p),
    file: 'query',
  };
  const scope = new Scope(undefined, frame, bodyVarNames(body, []));
  const resolver = new Resolver(ctx);
  const resolved = resolver.resolveBody(body, scope);
  const arity = (op: string): number | undefined => {
    const n = policy.functions.get(op);
    if (n) return (n.functions[0] ?? n.defaultFunction)?.args.length;
    return getBuiltin(op)?.arity;
  };
  const r = reorderBody(resolved, new Set(), { arity, names: frame.names });
  const errors: RegoError[] = [];
  const top = new Set<Term>();
  visitBody(r.body, () => undefined, (e) => {
    if (e.kind === 'term') top.add(e.term);
  });
  visitBody(r.body, (t) => checkCallTerm(t, arity, errors, top.has(t)));
  if (errors.length > 0) throw new CompileErrors(errors.slice(0, MAX_ERRORS));
  const vars: [string, number][] = [];
  frame.names.forEach((name, slot) => {
    if (!name.startsWith('$') && !vars.some(([n]) => n === name)) vars.push([name, slot]);
  });
  return { body: r.body, frameSize: frame.size, vars };
}
