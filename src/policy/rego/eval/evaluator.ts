/**
 * Top-down evaluation with OPA's semantics: continuation-passing over bodies, unification with
 * backtracking (a binding is undone when its continuation returns), refs that iterate over
 * unbound variables, virtual documents computed on demand and cached per query. A continuation
 * returns true to stop the enumeration (negation, early exit).
 */
import type { CallTerm, Expr, Term } from '../ast';
import { BuiltinError, getBuiltin, type Builtin, type BuiltinContext } from '../builtins/registry';
import type { RuleNode } from '../compile/rule-tree';
import { RegoError, type Location } from '../errors';
import { ObjectBuilder, SetValue, equal, isObject, objectGet, objectSize, type Value } from '../value';
import { forEachEntry, isCollection, lookup } from './collections';
import { EvalCache } from './eval-cache';
import { regoText } from '../builtins/sprintf';
import { callFunction } from './functions';
import { nodeValue } from './rules';
import { printsOrTraces } from './plan-rules';
import { evalWith } from './with';
import { builtinCache, hasLocals } from './term-info';

export type Frame = (Value | undefined)[];

export type K = () => boolean;
export type KV = (v: Value) => boolean;

export type Mock = { value: Value } | { op: string };

export interface DataOverride {
  path: string[];
  value: Value;
}

export interface EvalLimits {
  deadline: number;
  maxSteps: number;
}

export class Evaluator {
  input: Value | undefined;
  base: Value;
  cache = new EvalCache();
  mocks = new Map<string, Mock>();
  overrides: DataOverride[] = [];
  readonly inProgress = new Set<RuleNode>();
  private steps = 0;
  private readonly arities = new Map<string, number>();
  /** Function results may be remembered (nothing prints, so no call can be told from a repeat). */
  readonly memoCalls: boolean;

  constructor(
    readonly root: RuleNode,
    readonly functions: Map<string, RuleNode>,
    base: Value,
    input: Value | undefined,
    readonly strict: boolean,
    readonly limits: EvalLimits,
    readonly builtinCtx: BuiltinContext,
  ) {
    this.base = base;
    this.input = input;
    this.memoCalls = !printsOrTraces(root);
  }

  tick(): void {
    const s = ++this.steps;
    if (s > this.limits.maxSteps) throw new RegoError('eval_cancel_error', `evaluation exceeded its budget of ${this.limits.maxSteps} steps`);
    if ((s & 1023) === 0 && Date.now() > this.limits.deadline) throw new RegoError('eval_cancel_error', 'evaluation exceeded its time budget');
  }

  charge(units: number): void {
    this.steps += units;
    this.tick();
  }

  // ---- bodies and expressions ----
  evalBody(body: Expr[], i: number, f: Frame, k: K): boolean {
    if (i === body.length) return k();
    return this.evalExpr(body[i], f, i + 1 === body.length ? k : () => this.evalBody(body, i + 1, f, k));
  }

  evalExpr(e: Expr, f: Frame, k: K): boolean {
    this.tick();
    if (e.withs.length > 0) return evalWith(this, e, f, k);
    return this.evalExprNoWith(e, f, k);
  }

  evalExprNoWith(e: Expr, f: Frame, k: K): boolean {
    if (e.negated) return this.evalPositive(e, f, () => true) ? false : k();
    return this.evalPositive(e, f, k);
  }

  private evalPositive(e: Expr, f: Frame, k: K): boolean {
    switch (e.kind) {
      case 'some':
        return k();
      case 'somein':
        return this.evalTerm(e.domain, f, (dv) =>
          forEachEntry(dv, (key, val) => {
            const isArrayOrObject = typeof dv === 'object' && dv !== null && !(dv instanceof SetValue);
            if (!e.key) return this.unifyValue(e.value, val, f, k);
            if (!isArrayOrObject && dv instanceof SetValue) return this.unifyValue(e.key, key, f, () => this.unifyValue(e.value, val, f, k));
            return this.unifyValue(e.key, key, f, () => this.unifyValue(e.value, val, f, k));
          }),
        );
      case 'every':
        return this.evalTerm(e.domain, f, (dv) => {
          if (!isCollection(dv)) return false;
          const failed = forEachEntry(dv, (key, val) => {
            const bindKey = (next: K) => (e.key ? this.unifyValue(e.key, key, f, next) : next());
            const ok = bindKey(() => this.unifyValue(e.value, val, f, () => this.evalBody(e.body, 0, f, () => true)));
            return !ok;
          });
          return failed ? false : k();
        });
      case 'term':
        return this.evalTermExpr(e.term, f, k, e.loc);
    }
  }

  private evalTermExpr(t: Term, f: Frame, k: K, loc: Location): boolean {
    if (t.type !== 'call') return this.evalTerm(t, f, (v) => (v !== false ? k() : false));
    if (t.op === 'eq' || t.op === 'assign') return this.unify(t.args[0], t.args[1], f, k);
    if (t.op === 'print' && !this.mocks.has('print')) return this.evalPrint(t.args, f, k);
    const n = this.arityOf(t.op);
    if (n !== undefined && t.args.length === n + 1) {
      const out = t.args[n];
      return this.evalCallN(t, n, f, (r) => this.unifyValue(out, r, f, k), loc);
    }
    return this.evalCallN(t, t.args.length, f, (r) => (r !== false ? k() : false), loc);
  }

  arityOf(op: string): number | undefined {
    let n = this.arities.get(op);
    if (n === undefined) {
      const node = this.functions.get(op);
      const rule = node?.functions[0] ?? node?.defaultFunction;
      n = rule ? rule.args.length : getBuiltin(op)?.arity;
      if (n !== undefined) this.arities.set(op, n);
    }
    return n;
  }

  // ---- terms ----
  evalTerm(t: Term, f: Frame, k: KV): boolean {
    switch (t.type) {
      case 'scalar':
        return k(t.value);
      case 'var': {
        if (t.slot !== undefined) {
          const v = f[t.slot];
          if (v === undefined) throw new RegoError('eval_internal_error', `var ${t.name} is unbound`, t.loc);
          return k(v);
        }
        if (t.name === 'input') return this.input === undefined ? false : k(this.input);
        const d = this.walkData(this.root, this.base, [], 0, f, k);
        return d;
      }
      case 'ref':
        return this.evalRef(t, f, k);
      case 'array':
        return this.evalItems(t.items, 0, f, new Array<Value>(t.items.length), (items) => k(items));
      case 'set':
        return this.evalItems(t.items, 0, f, new Array<Value>(t.items.length), (items) => k(SetValue.of(items)));
      case 'object':
        return this.evalObject(t.entries, f, k);
      case 'call':
        return this.evalCall(t, t.args, f, k, t.loc);
      case 'arraycomp': {
        const out: Value[] = [];
        this.evalBody(t.body, 0, f, () => this.evalTerm(t.term, f, (v) => (out.push(v), false)));
        return k(out);
      }
      case 'setcomp': {
        const out = new SetValue();
        this.evalBody(t.body, 0, f, () => this.evalTerm(t.term, f, (v) => (out.add(v), false)));
        return k(out);
      }
      case 'objectcomp': {
        const out = new ObjectBuilder();
        this.evalBody(t.body, 0, f, () =>
          this.evalTerm(t.key, f, (kv) =>
            this.evalTerm(t.value, f, (vv) => {
              const prev = out.get(kv);
              if (prev !== undefined && !equal(prev, vv)) throw new RegoError('eval_conflict_error', 'object keys must be unique', t.loc);
              out.set(kv, vv);
              return false;
            }),
          ),
        );
        return k(out.build());
      }
    }
  }

  evalItems(items: Term[], i: number, f: Frame, acc: Value[], k: (items: Value[]) => boolean): boolean {
    if (i === items.length) return k(acc.slice());
    return this.evalTerm(items[i], f, (v) => {
      acc[i] = v;
      return this.evalItems(items, i + 1, f, acc, k);
    });
  }

  private evalObject(entries: [Term, Term][], f: Frame, k: KV): boolean {
    const flat: Term[] = [];
    for (const [a, b] of entries) flat.push(a, b);
    return this.evalItems(flat, 0, f, new Array<Value>(flat.length), (vals) => {
      const b = new ObjectBuilder();
      for (let i = 0; i < vals.length; i += 2) b.set(vals[i], vals[i + 1]);
      return k(b.build());
    });
  }

  // ---- calls ----
  evalCall(t: CallTerm, args: Term[], f: Frame, k: KV, loc: Location): boolean {
    return this.evalCallN(t, args.length, f, k, loc);
  }

  /** Calls t.op on its first n arguments; simple arguments are read without continuations. */
  private evalCallN(t: CallTerm, n: number, f: Frame, k: KV, loc: Location): boolean {
    const vals = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const a = t.args[i];
      let v: Value | undefined;
      if (a.type === 'scalar') v = a.value;
      else if (a.type === 'var' && a.slot !== undefined) v = f[a.slot];
      if (v === undefined) return this.evalArgsFrom(t, n, i, f, vals, k, loc);
      vals[i] = v;
    }
    return this.apply(t, vals, k, loc);
  }

  private evalArgsFrom(t: CallTerm, n: number, i: number, f: Frame, vals: Value[], k: KV, loc: Location): boolean {
    if (i === n) return this.apply(t, vals.slice(), k, loc);
    return this.evalTerm(t.args[i], f, (v) => {
      vals[i] = v;
      return this.evalArgsFrom(t, n, i + 1, f, vals, k, loc);
    });
  }

  private apply(t: CallTerm, vals: Value[], k: KV, loc: Location): boolean {
    if (this.mocks.size === 0) {
      let b = builtinCache.get(t);
      if (b === undefined) {
        b = this.functions.has(t.op) ? null : (getBuiltin(t.op) ?? null);
        builtinCache.set(t, b);
      }
      if (b) {
        const r = this.callBuiltin(b, vals, loc);
        if (b.relation) {
          if (!Array.isArray(r)) return false;
          for (const x of r) if (k(x)) return true;
          return false;
        }
        return r === undefined ? false : k(r);
      }
    }
    const r = this.invoke(t.op, vals, loc);
    return r === undefined ? false : k(r);
  }

  /** print(): each operand's first value (or <undefined>), then always true. */
  private evalPrint(args: Term[], f: Frame, k: K): boolean {
    const parts = args.map((a) => {
      let v: Value | undefined;
      try {
        this.evalTerm(a, f, (x) => ((v = x), true));
      } catch (e) {
        if (!(e instanceof RegoError) || e.code === 'eval_cancel_error') throw e;
      }
      return v === undefined ? '<undefined>' : typeof v === 'string' ? v : regoText(v);
    });
    this.builtinCtx.print(parts.join(' '));
    return k();
  }

  /** Calls a function or builtin (after mocks) on values. */
  invoke(op: string, vals: Value[], loc: Location): Value | undefined {
    const mock = this.mocks.size > 0 ? this.mocks.get(op) : undefined;
    if (mock) {
      if ('value' in mock) return mock.value;
      // A replacement runs without any mock: a mock never calls another mock (or itself).
      const saved = this.mocks;
      const cache = this.cache;
      this.mocks = new Map();
      this.cache = new EvalCache();
      try {
        return this.invoke(mock.op, vals, loc);
      } finally {
        this.mocks = saved;
        this.cache = cache;
      }
    }
    const node = this.functions.get(op);
    if (node) return callFunction(this, node, vals);
    const b = getBuiltin(op);
    if (!b) throw new RegoError('rego_type_error', `undefined function ${op}`, loc);
    return this.callBuiltin(b, vals, loc);
  }

  callBuiltin(b: Builtin, vals: Value[], loc: Location): Value | undefined {
    try {
      const r = b.fn(vals, this.builtinCtx);
      return b.void ? true : r;
    } catch (e) {
      if (e instanceof BuiltinError) {
        if (!this.strict && !b.halt) return undefined;
        throw new RegoError(e.code, `${b.name}: ${e.message}`, loc);
      }
      throw e;
    }
  }

  // ---- unification ----
  /** Whether t can be evaluated now (refs may still bind their path variables). */
  evaluable(t: Term, f: Frame): boolean {
    if (!hasLocals(t)) return true;
    switch (t.type) {
      case 'var':
        return t.slot === undefined || f[t.slot] !== undefined;
      case 'ref':
        return t.head.type === 'var' ? t.head.slot === undefined || f[t.head.slot] !== undefined : this.evaluable(t.head, f);
      case 'array':
      case 'set':
        return t.items.every((x) => this.evaluable(x, f));
      case 'object':
        return t.entries.every(([a, b]) => this.evaluable(a, f) && this.evaluable(b, f));
      case 'call':
        return t.args.every((x) => this.evaluable(x, f));
      default:
        return true;
    }
  }

  unify(a: Term, b: Term, f: Frame, k: K): boolean {
    if (this.evaluable(a, f)) return this.evalTerm(a, f, (va) => this.unifyValue(b, va, f, k));
    if (this.evaluable(b, f)) return this.evalTerm(b, f, (vb) => this.unifyValue(a, vb, f, k));
    if (a.type === 'array' && b.type === 'array') {
      if (a.items.length !== b.items.length) return false;
      return this.unifyPairs(a.items, b.items, 0, f, k);
    }
    if (a.type === 'object' && b.type === 'object' && a.entries.length === b.entries.length) {
      return this.unifyPairs(a.entries.map((e) => e[1]), b.entries.map((e) => e[1]), 0, f, k);
    }
    throw new RegoError('eval_internal_error', 'cannot unify terms with unbound variables on both sides', a.loc);
  }

  private unifyPairs(a: Term[], b: Term[], i: number, f: Frame, k: K): boolean {
    if (i === a.length) return k();
    return this.unify(a[i], b[i], f, () => this.unifyPairs(a, b, i + 1, f, k));
  }

  unifyValue(t: Term, v: Value, f: Frame, k: K): boolean {
    switch (t.type) {
      case 'scalar':
        return equal(t.value, v) ? k() : false;
      case 'var': {
        if (t.slot === undefined) return this.evalTerm(t, f, (x) => (equal(x, v) ? k() : false));
        const cur = f[t.slot];
        if (cur !== undefined) return equal(cur, v) ? k() : false;
        f[t.slot] = v;
        try {
          return k();
        } finally {
          f[t.slot] = undefined;
        }
      }
      case 'array':
        if (!Array.isArray(v) || v.length !== t.items.length) return false;
        return this.unifyItems(t.items, v, 0, f, k);
      case 'object': {
        if (!isObject(v) || objectSize(v) !== t.entries.length) return false;
        return this.unifyEntries(t.entries, v, 0, f, k);
      }
      default:
        return this.evalTerm(t, f, (x) => (equal(x, v) ? k() : false));
    }
  }

  private unifyItems(items: Term[], vals: readonly Value[], i: number, f: Frame, k: K): boolean {
    if (i === items.length) return k();
    return this.unifyValue(items[i], vals[i], f, () => this.unifyItems(items, vals, i + 1, f, k));
  }

  private unifyEntries(entries: [Term, Term][], obj: Value, i: number, f: Frame, k: K): boolean {
    if (i === entries.length) return k();
    const [kt, vt] = entries[i];
    return this.evalTerm(kt, f, (kv) => {
      const x = objectGet(obj as Parameters<typeof objectGet>[0], kv);
      if (x === undefined) return false;
      return this.unifyValue(vt, x, f, () => this.unifyEntries(entries, obj, i + 1, f, k));
    });
  }

  // ---- references ----
  evalRef(t: Term & { type: 'ref' }, f: Frame, k: KV): boolean {
    const head = t.head;
    if (head.type === 'var') {
      if (head.slot !== undefined) {
        const v = f[head.slot];
        if (v === undefined) throw new RegoError('eval_internal_error', `var ${head.name} is unbound`, head.loc);
        return this.walk(v, t.path, 0, f, k);
      }
      if (head.name === 'input') return this.input === undefined ? false : this.walk(this.input, t.path, 0, f, k);
      return this.walkData(this.root, this.base, t.path, 0, f, k);
    }
    return this.evalTerm(head, f, (hv) => this.walk(hv, t.path, 0, f, k));
  }

  walk(v: Value, path: Term[], i: number, f: Frame, k: KV): boolean {
    let cur: Value | undefined = v;
    for (; i < path.length; i++) {
      const p = path[i];
      if (p.type === 'scalar') {
        cur = lookup(cur, p.value);
      } else if (p.type === 'var' && p.slot !== undefined) {
        const key = f[p.slot];
        if (key !== undefined) cur = lookup(cur, key);
        else return this.iterate(cur, p.slot, path, i, f, k);
      } else if (this.evaluable(p, f) && p.type !== 'array' && p.type !== 'object') {
        const coll = cur;
        return this.evalTerm(p, f, (key) => {
          const x = lookup(coll, key);
          return x === undefined ? false : this.walk(x, path, i + 1, f, k);
        });
      } else if (this.evaluable(p, f)) {
        const coll = cur;
        return this.evalTerm(p, f, (key) => {
          const x = lookup(coll, key);
          return x === undefined ? false : this.walk(x, path, i + 1, f, k);
        });
      } else {
        const coll = cur;
        if (coll === undefined) return false;
        return forEachEntry(coll, (key, x) => this.unifyValue(p, key, f, () => this.walk(x, path, i + 1, f, k)));
      }
      if (cur === undefined) return false;
    }
    return k(cur as Value);
  }

  private iterate(coll: Value | undefined, slot: number, path: Term[], i: number, f: Frame, k: KV): boolean {
    if (coll === undefined) return false;
    try {
      return forEachEntry(coll, (key, x) => {
        this.tick();
        f[slot] = key;
        return this.walk(x, path, i + 1, f, k);
      });
    } finally {
      f[slot] = undefined;
    }
  }

  /** Walks `data`: rule tree nodes where rules are, base documents elsewhere. */
  walkData(node: RuleNode, base: Value | undefined, path: Term[], i: number, f: Frame, k: KV): boolean {
    if (this.overrides.length > 0) {
      const o = this.overrideAt(node.path);
      if (o !== undefined) return this.walk(o, path, i, f, k);
    }
    if (i === path.length || node.isLeafRule || node.objects.length > 0) {
      const v = nodeValue(this, node, base);
      if (v === undefined) return false;
      return i === path.length ? k(v) : this.walk(v, path, i, f, k);
    }
    if (!node.virtual) return base === undefined ? false : this.walk(base, path, i, f, k);
    const p = path[i];
    let key: Value | undefined;
    if (p.type === 'scalar') key = p.value;
    else if (p.type === 'var' && p.slot !== undefined) key = f[p.slot];
    if (key === undefined) {
      const v = nodeValue(this, node, base);
      return v === undefined ? false : this.walk(v, path, i, f, k);
    }
    const child = typeof key === 'string' ? node.children.get(key) : undefined;
    const childBase = base === undefined ? undefined : lookup(base, key);
    if (child && !child.isFunction && !(child.isLeafRule && childBase !== undefined)) return this.walkData(child, childBase, path, i + 1, f, k);
    return childBase === undefined ? false : this.walk(childBase, path, i + 1, f, k);
  }

  overrideAt(path: readonly string[]): Value | undefined {
    for (let j = this.overrides.length - 1; j >= 0; j--) {
      const o = this.overrides[j];
      if (o.path.length === path.length && o.path.every((p, n) => p === path[n])) return o.value;
    }
    return undefined;
  }
}
