/**
 * Values of virtual documents: complete rules (with `else` and `default`), multi-value rules
 * (sets), rules with variables in their head ref (objects, possibly nested), packages (base and
 * virtual documents merged), and function calls. Values are cached per query.
 */
import type { CompiledRule, RuleNode } from '../compile/rule-tree';
import { RegoError } from '../errors';
import { ObjectBuilder, SetValue, equal, isObject, keyOf, sortedEntries, type Value } from '../value';
import type { Evaluator, Frame } from './evaluator';
import { lookup } from './collections';

const UNDEFINED = null;

function conflict(message: string, rule: CompiledRule): RegoError {
  return new RegoError('eval_conflict_error', message, rule.loc);
}

function enter<T>(ev: Evaluator, node: RuleNode, f: () => T): T {
  if (ev.inProgress.has(node)) throw new RegoError('rego_recursion_error', `rule ${node.name} is recursive`);
  ev.inProgress.add(node);
  try {
    return f();
  } finally {
    ev.inProgress.delete(node);
  }
}

/** The value of the document at node (undefined when no rule defines it). */
export function nodeValue(ev: Evaluator, node: RuleNode, base: Value | undefined): Value | undefined {
  if (!node.virtual) return base;
  const cached = ev.cache.get(node);
  if (cached !== undefined) return cached === UNDEFINED ? undefined : cached;
  let v = enter(ev, node, () => (node.isLeafRule ? leafValue(ev, node) : treeValue(ev, node, base)));
  if (v !== undefined && ev.overrides.length > 0) v = applyOverrides(ev, node, v);
  ev.cache.set(node, v === undefined ? UNDEFINED : v);
  return v;
}

function leafValue(ev: Evaluator, node: RuleNode): Value | undefined {
  if (node.multi.length > 0) {
    const set = new SetValue();
    for (const rule of node.multi) {
      const f: Frame = new Array(rule.frameSize);
      ev.evalBody(rule.body, 0, f, () => ev.evalTerm(rule.value, f, (v) => (set.add(v), false)));
    }
    return set;
  }
  let result: Value | undefined;
  for (const rule of node.complete) {
    const v = completeValue(ev, rule);
    if (v === undefined) continue;
    if (result !== undefined && !equal(result, v)) throw conflict('complete rules must not produce multiple outputs', rule);
    result = v;
  }
  if (result === undefined && node.defaultRule) {
    const d = node.defaultRule;
    ev.evalTerm(d.value, new Array(d.frameSize), (v) => ((result = v), true));
  }
  return result;
}

function completeValue(ev: Evaluator, rule: CompiledRule): Value | undefined {
  for (const clause of [rule, ...rule.elses]) {
    let found: Value | undefined;
    const f: Frame = new Array(clause.frameSize);
    ev.evalBody(clause.body, 0, f, () =>
      ev.evalTerm(clause.value, f, (v) => {
        if (found !== undefined && !equal(found, v)) throw conflict('complete rules must not produce multiple outputs', clause);
        found = v;
        return clause.constant;
      }),
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A document assembled from base data, child documents and rules with variables in their refs. */
class DocBuilder {
  leaf?: Value;
  children?: Map<string, [Value, DocBuilder]>;

  put(path: readonly Value[], i: number, v: Value, rule: CompiledRule | undefined): void {
    if (i === path.length) {
      if (this.children && rule) throw conflict('object keys must be unique', rule);
      if (this.leaf !== undefined && !equal(this.leaf, v)) {
        if (rule) throw conflict('object keys must be unique', rule);
      }
      if (this.children) return;
      this.leaf = v;
      return;
    }
    if (this.leaf !== undefined) {
      if (rule) throw conflict('object keys must be unique', rule);
      if (!isObject(this.leaf)) return;
      this.explode();
    }
    this.children ??= new Map();
    const key = path[i];
    const k = keyOf(key);
    let c = this.children.get(k);
    if (!c) {
      c = [key, new DocBuilder()];
      this.children.set(k, c);
    }
    c[1].put(path, i + 1, v, rule);
  }

  private explode(): void {
    const leaf = this.leaf!;
    this.leaf = undefined;
    this.children = new Map();
    for (const [k, v] of sortedEntries(leaf as Parameters<typeof sortedEntries>[0])) {
      const b = new DocBuilder();
      b.leaf = v;
      this.children.set(keyOf(k), [k, b]);
    }
  }

  build(): Value {
    if (this.leaf !== undefined) return this.leaf;
    const o = new ObjectBuilder();
    if (this.children) for (const [key, b] of this.children.values()) o.set(key, b.build());
    return o.build();
  }
}

function treeValue(ev: Evaluator, node: RuleNode, base: Value | undefined): Value | undefined {
  const doc = new DocBuilder();
  if (base !== undefined && isObject(base)) doc.leaf = base;
  for (const [key, child] of node.children) {
    if (child.isFunction && !child.virtual) continue;
    if (child.functions.length > 0 || child.defaultFunction) continue;
    const v = nodeValue(ev, child, base === undefined ? undefined : lookup(base, key));
    if (v !== undefined) doc.put([key], 0, v, undefined);
  }
  for (const rule of node.objects) {
    const f: Frame = new Array(rule.frameSize);
    ev.evalBody(rule.body, 0, f, () =>
      ev.evalItems(rule.keyPath, 0, f, new Array<Value>(rule.keyPath.length), (keys) =>
        ev.evalTerm(rule.value, f, (v) => {
          doc.put(keys, 0, v, rule);
          return false;
        }),
      ),
    );
  }
  return doc.build();
}

function applyOverrides(ev: Evaluator, node: RuleNode, v: Value): Value {
  const doc = new DocBuilder();
  doc.leaf = v;
  let changed = false;
  for (const o of ev.overrides) {
    if (o.path.length <= node.path.length || !node.path.every((p, i) => p === o.path[i])) continue;
    doc.put(o.path.slice(node.path.length), 0, o.value, undefined);
    changed = true;
  }
  return changed ? doc.build() : v;
}

/** Calls a user function: every definition, its `else` chain, then `default`. */
export function callFunction(ev: Evaluator, node: RuleNode, args: Value[]): Value | undefined {
  return enter(ev, node, () => {
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
  });
}

function functionValue(ev: Evaluator, rule: CompiledRule, args: Value[]): Value | undefined {
  for (const clause of [rule, ...rule.elses]) {
    let found: Value | undefined;
    const f: Frame = new Array(clause.frameSize);
    bindArgs(ev, clause, args, 0, f, () =>
      ev.evalBody(clause.body, 0, f, () =>
        ev.evalTerm(clause.value, f, (v) => {
          if (found !== undefined && !equal(found, v)) throw conflict('functions must not produce multiple outputs for same inputs', clause);
          found = v;
          return clause.constant;
        }),
      ),
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

function bindArgs(ev: Evaluator, rule: CompiledRule, args: Value[], i: number, f: Frame, k: () => boolean): boolean {
  if (i === rule.args.length) return k();
  return ev.unifyValue(rule.args[i], args[i], f, () => bindArgs(ev, rule, args, i + 1, f, k));
}
