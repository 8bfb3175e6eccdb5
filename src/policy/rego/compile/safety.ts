/**
 * Safety, as OPA's compiler checks it: every variable must be bound by some expression before it
 * is used in an input position (a builtin argument, a negated expression, a ref head, a closure).
 * Bodies are reordered minimally so that left-to-right evaluation meets bound variables only;
 * when no order works, the error is `rego_unsafe_var_error: var x is unsafe`.
 */
import type { Expr, Term } from '../ast';
import { RegoError, type Location } from '../errors';

export type ArityOf = (op: string) => number | undefined;
type Slots = Set<number>;

/** Local variable slots in t (closures contribute their free variables). */
function vars(t: Term, out: Slots): Slots {
  switch (t.type) {
    case 'var':
      if (t.slot !== undefined) out.add(t.slot);
      break;
    case 'ref':
      vars(t.head, out);
      for (const p of t.path) vars(p, out);
      break;
    case 'array':
    case 'set':
      for (const x of t.items) vars(x, out);
      break;
    case 'object':
      for (const [k, v] of t.entries) {
        vars(k, out);
        vars(v, out);
      }
      break;
    case 'call':
      for (const a of t.args) vars(a, out);
      break;
    case 'arraycomp':
    case 'setcomp':
    case 'objectcomp':
      freeVars(t, out);
      break;
    default:
      break;
  }
  return out;
}

function freeVars(t: Term & { locals?: number[] }, out: Slots): void {
  const inner = new Set<number>();
  if (t.type === 'arraycomp' || t.type === 'setcomp') vars(t.term, inner);
  if (t.type === 'objectcomp') {
    vars(t.key, inner);
    vars(t.value, inner);
  }
  if (t.type === 'arraycomp' || t.type === 'setcomp' || t.type === 'objectcomp') for (const e of t.body) exprVarsAll(e, inner);
  const locals = new Set(t.locals ?? []);
  for (const v of inner) if (!locals.has(v)) out.add(v);
}

function exprVarsAll(e: Expr, out: Slots): Slots {
  switch (e.kind) {
    case 'term':
      vars(e.term, out);
      break;
    case 'some':
      break;
    case 'somein':
      if (e.key) vars(e.key, out);
      vars(e.value, out);
      vars(e.domain, out);
      break;
    case 'every': {
      const inner = new Set<number>();
      for (const x of e.body) exprVarsAll(x, inner);
      const locals = new Set(e.locals ?? []);
      for (const v of inner) if (!locals.has(v)) out.add(v);
      vars(e.domain, out);
      break;
    }
  }
  for (const w of e.withs) vars(w.value, out);
  return out;
}

/** Variables a ref binds by iterating (its path), if its head is bound. */
function refOutputs(t: Term, safe: Slots, out: Slots): void {
  switch (t.type) {
    case 'ref': {
      const h = t.head;
      if (h.type === 'var' && h.slot !== undefined && !safe.has(h.slot) && !out.has(h.slot)) return;
      if (h.type !== 'var') refOutputs(h, safe, out);
      for (const p of t.path) {
        if (p.type === 'ref' || p.type === 'call') refOutputs(p, safe, out);
        else patternVars(p, out);
      }
      break;
    }
    case 'array':
    case 'set':
      for (const x of t.items) refOutputs(x, safe, out);
      break;
    case 'object':
      for (const [k, v] of t.entries) {
        refOutputs(k, safe, out);
        refOutputs(v, safe, out);
      }
      break;
    case 'call':
      for (const a of t.args) refOutputs(a, safe, out);
      break;
    default:
      break;
  }
}

/** Variables of a pattern (vars in arrays/objects, not inside refs or calls). */
function patternVars(t: Term, out: Slots): void {
  if (t.type === 'var' && t.slot !== undefined) out.add(t.slot);
  else if (t.type === 'array' || t.type === 'set') for (const x of t.items) patternVars(x, out);
  else if (t.type === 'object') for (const [, v] of t.entries) patternVars(v, out);
}

function isSubset(a: Slots, b: Slots, c: Slots): boolean {
  for (const x of a) if (!b.has(x) && !c.has(x)) return false;
  return true;
}

function unifyOutputs(a: Term, b: Term, safe: Slots, out: Slots): boolean {
  let changed = false;
  const ground = (t: Term) => isSubset(vars(t, new Set()), safe, out);
  const addPattern = (t: Term) => {
    const p = new Set<number>();
    patternVars(t, p);
    for (const v of p) if (!safe.has(v) && !out.has(v)) {
      out.add(v);
      changed = true;
    }
  };
  if (ground(b)) addPattern(a);
  if (ground(a)) addPattern(b);
  if (a.type === 'array' && b.type === 'array' && a.items.length === b.items.length) {
    for (let i = 0; i < a.items.length; i++) changed = unifyOutputs(a.items[i], b.items[i], safe, out) || changed;
  }
  if (a.type === 'object' && b.type === 'object') {
    for (const [ka, va] of a.entries) {
      const match = b.entries.find(([kb]) => kb.type === 'scalar' && ka.type === 'scalar' && kb.value === ka.value);
      if (match) changed = unifyOutputs(va, match[1], safe, out) || changed;
    }
  }
  return changed;
}

function outputs(e: Expr, safe: Slots, arity: ArityOf): Slots {
  const out = new Set<number>();
  if (e.negated) return out;
  switch (e.kind) {
    case 'some':
    case 'every':
      return out;
    case 'somein':
      refOutputs(e.domain, safe, out);
      if (isSubset(vars(e.domain, new Set()), safe, out)) {
        if (e.key) patternVars(e.key, out);
        patternVars(e.value, out);
      }
      return out;
    case 'term':
      break;
  }
  const t = e.term;
  if (t.type !== 'call') {
    refOutputs(t, safe, out);
    return out;
  }
  if (t.op === 'eq' || t.op === 'assign') {
    refOutputs(t.args[0], safe, out);
    refOutputs(t.args[1], safe, out);
    while (unifyOutputs(t.args[0], t.args[1], safe, out));
    return out;
  }
  const n = arity(t.op);
  const inputs = n !== undefined && t.args.length === n + 1 ? t.args.slice(0, n) : t.args;
  for (const a of inputs) refOutputs(a, safe, out);
  if (inputs.length < t.args.length) {
    const inVars = new Set<number>();
    for (const a of inputs) vars(a, inVars);
    if (isSubset(inVars, safe, out)) patternVars(t.args[t.args.length - 1], out);
  }
  return out;
}

export interface SafetyContext {
  arity: ArityOf;
  /** Variable names by slot, for messages. */
  names: string[];
}

function unsafeError(e: Expr, slot: number, ctx: SafetyContext): RegoError {
  const name = ctx.names[slot] ?? '?';
  return new RegoError('rego_unsafe_var_error', `var ${name.startsWith('$') ? '_' : name} is unsafe`, e.loc);
}

/** Reorders body so it is safe given `bound`; returns the new body and the slots bound after it. */
export function reorderBody(body: Expr[], bound: Slots, ctx: SafetyContext): { body: Expr[]; bound: Slots } {
  const safe = new Set(bound);
  const remaining = [...body];
  const ordered: Expr[] = [];
  const before: Slots[] = [];
  let progress = true;
  while (remaining.length > 0 && progress) {
    progress = false;
    for (let i = 0; i < remaining.length; i++) {
      const e = remaining[i];
      const out = outputs(e, safe, ctx.arity);
      const need = exprVarsAll(e, new Set());
      if (!isSubset(need, safe, out)) continue;
      before.push(new Set(safe));
      for (const v of out) safe.add(v);
      ordered.push(e);
      remaining.splice(i, 1);
      i--;
      progress = true;
    }
  }
  if (remaining.length > 0) {
    const e = remaining[0];
    const need = [...exprVarsAll(e, new Set())].filter((v) => !safe.has(v)).sort((a, b) => a - b);
    throw unsafeError(e, need[0], ctx);
  }
  const result = ordered.map((e, i) => checkClosures(e, before[i], ctx));
  return { body: result, bound: safe };
}

function checkClosures(e: Expr, safe: Slots, ctx: SafetyContext): Expr {
  const fix = (t: Term) => closuresInTerm(t, safe, ctx);
  switch (e.kind) {
    case 'term':
      return { ...e, term: fix(e.term), withs: e.withs.map((w) => ({ ...w, value: fix(w.value) })) };
    case 'somein':
      return { ...e, domain: fix(e.domain) };
    case 'every': {
      const inner = new Set(safe);
      if (e.key?.slot !== undefined) inner.add(e.key.slot);
      patternVars(e.value, inner);
      return { ...e, domain: fix(e.domain), body: reorderBody(e.body, inner, ctx).body };
    }
    default:
      return e;
  }
}

function closuresInTerm(t: Term, safe: Slots, ctx: SafetyContext): Term {
  const fix = (x: Term) => closuresInTerm(x, safe, ctx);
  switch (t.type) {
    case 'ref':
      return { ...t, head: fix(t.head), path: t.path.map(fix) };
    case 'array':
    case 'set':
      return { ...t, items: t.items.map(fix) };
    case 'object':
      return { ...t, entries: t.entries.map(([k, v]) => [fix(k), fix(v)] as [Term, Term]) };
    case 'call':
      return { ...t, args: t.args.map(fix) };
    case 'arraycomp':
    case 'setcomp': {
      const r = reorderBody(t.body, safe, ctx);
      checkHead([t.term], r.bound, t.loc, ctx);
      return { ...t, body: r.body, term: closuresInTerm(t.term, r.bound, ctx) };
    }
    case 'objectcomp': {
      const r = reorderBody(t.body, safe, ctx);
      checkHead([t.key, t.value], r.bound, t.loc, ctx);
      return { ...t, body: r.body, key: closuresInTerm(t.key, r.bound, ctx), value: closuresInTerm(t.value, r.bound, ctx) };
    }
    default:
      return t;
  }
}

/** Head terms (rule values, keys, comprehension heads) may use only variables the body binds. */
export function checkHead(terms: Term[], bound: Slots, loc: Location, ctx: SafetyContext): void {
  const iterated = new Set<number>();
  for (const t of terms) refOutputs(t, bound, iterated);
  for (const t of terms) {
    for (const v of vars(t, new Set())) {
      if (!bound.has(v) && !iterated.has(v)) {
        const name = ctx.names[v] ?? '?';
        throw new RegoError('rego_unsafe_var_error', `var ${name.startsWith('$') ? '_' : name} is unsafe`, loc);
      }
    }
  }
}

export function fixHeadClosures(t: Term, bound: Slots, ctx: SafetyContext): Term {
  return closuresInTerm(t, bound, ctx);
}

export function patternSlots(t: Term): Slots {
  const out = new Set<number>();
  vars(t, out);
  return out;
}
