/**
 * Values of virtual documents: complete rules (with `else` and `default`), multi-value rules
 * (sets), rules with variables in their head ref (objects, possibly nested), packages (base and
 * virtual documents merged). Values are cached per query.
 */
import type { CompiledRule, RuleNode } from '../compile/rule-tree';
import { RegoError } from '../errors';
import { ObjectBuilder, SetValue, equal, isObject, keyOf, sortedEntries, type Value } from '../value';
import type { Evaluator } from './evaluator';
import { eachValue } from './plan-rules';

const UNDEFINED = null;

export function conflict(message: string, rule: CompiledRule): RegoError {
  return new RegoError('eval_conflict_error', message, rule.loc);
}

/** Marks node as being computed; a second entry before leave() is recursion. */
export function enter(ev: Evaluator, node: RuleNode): void {
  if (ev.inProgress.has(node)) throw new RegoError('rego_recursion_error', `rule ${node.name} is recursive`);
  ev.inProgress.add(node);
}

export function leave(ev: Evaluator, node: RuleNode): void {
  ev.inProgress.delete(node);
}

/** The value of the document at node (undefined when no rule defines it). */
export function nodeValue(ev: Evaluator, node: RuleNode, base: Value | undefined): Value | undefined {
  if (!node.virtual) return base;
  const cached = ev.cache.nodes.get(node);
  if (cached !== undefined) return cached === UNDEFINED ? undefined : cached;
  enter(ev, node);
  let v: Value | undefined;
  try {
    v = node.isLeafRule ? leafValue(ev, node) : treeValue(ev, node, base);
  } finally {
    leave(ev, node);
  }
  if (v !== undefined && ev.overrides.length > 0) v = applyOverrides(ev, node, v);
  ev.cache.nodes.set(node, v === undefined ? UNDEFINED : v);
  return v;
}

function leafValue(ev: Evaluator, node: RuleNode): Value | undefined {
  if (node.multi.length > 0) {
    const set = new SetValue();
    for (const rule of node.multi) eachValue(ev, rule, undefined, (v) => (set.add(v), false));
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
    eachValue(ev, clause, undefined, (v) => {
      if (found !== undefined && !equal(found, v)) throw conflict('complete rules must not produce multiple outputs', clause);
      found = v;
      return clause.constant;
    });
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A document assembled from rule values, nested packages and base data. A value produced by a
 * rule is a leaf: another rule writing a different value there, or writing below it, conflicts.
 */
class DocBuilder {
  leaf?: Value;
  /** The rule that produced the leaf (undefined for data and overrides). */
  owner?: CompiledRule;
  children?: Map<string, [Value, DocBuilder]>;

  child(key: Value, rule: CompiledRule | undefined): DocBuilder {
    if (this.leaf !== undefined) {
      if (this.owner && rule) throw conflict('object keys must be unique', rule);
      if (!isObject(this.leaf)) throw conflict('object keys must be unique', rule ?? this.owner!);
      this.explode();
    }
    this.children ??= new Map();
    const k = keyOf(key);
    let c = this.children.get(k);
    if (!c) {
      c = [key, new DocBuilder()];
      this.children.set(k, c);
    }
    return c[1];
  }

  setLeaf(v: Value, rule: CompiledRule | undefined): void {
    if (this.children) {
      if (rule) throw conflict('object keys must be unique', rule);
      return;
    }
    if (this.leaf !== undefined && !equal(this.leaf, v)) {
      if (rule) throw conflict('object keys must be unique', rule);
    }
    this.leaf = v;
    this.owner = rule;
  }

  put(path: readonly Value[], v: Value, rule: CompiledRule | undefined): void {
    let n: DocBuilder = this;
    for (const key of path) n = n.child(key, rule);
    n.setLeaf(v, rule);
  }

  /** Base data: merges into what rules produced, its values taking precedence on leaves. */
  mergeBase(v: Value): void {
    if (this.children && isObject(v)) {
      for (const [k, x] of sortedEntries(v)) {
        const c = this.children.get(keyOf(k));
        if (c) c[1].mergeBase(x);
        else this.child(k, undefined).leaf = x;
      }
      return;
    }
    if (this.children) return;
    this.leaf = v;
    this.owner = undefined;
  }

  private explode(): void {
    const leaf = this.leaf!;
    this.leaf = undefined;
    this.owner = undefined;
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
  fillTree(ev, node, doc);
  if (base !== undefined) doc.mergeBase(base);
  return doc.build();
}

/** Writes the rules of node and of the nodes below it into doc. */
function fillTree(ev: Evaluator, node: RuleNode, doc: DocBuilder): void {
  for (const [key, child] of node.children) {
    if (child.isFunction || !child.virtual) continue;
    const override = ev.overrides.length > 0 ? ev.overrideAt(child.path) : undefined;
    if (override !== undefined) doc.child(key, undefined).setLeaf(override, undefined);
    else if (child.isLeafRule) {
      const v = nodeValue(ev, child, undefined);
      if (v !== undefined) doc.child(key, undefined).setLeaf(v, rulesOwner(child));
    } else fillTree(ev, child, doc.child(key, undefined));
  }
  // Sets this function builds for multi-value rules (a set found in a leaf otherwise belongs to
  // another value and is copied before it grows).
  const built = new Set<SetValue>();
  for (const rule of node.objects) {
    eachValue(ev, rule, undefined, (v, keys) => {
      if (rule.kind === 'multi') {
        const leafNode = keys.reduce<DocBuilder>((n, k) => n.child(k, undefined), doc);
        let set = leafNode.leaf instanceof SetValue ? leafNode.leaf : undefined;
        if (!set || !built.has(set)) {
          set = set ? SetValue.of(set.values()) : new SetValue();
          built.add(set);
        }
        set.add(v);
        leafNode.leaf = set;
        leafNode.owner = rule;
      } else doc.put(keys, v, rule);
      return false;
    });
  }
}

function rulesOwner(n: RuleNode): CompiledRule | undefined {
  return n.complete[0] ?? n.multi[0] ?? n.defaultRule;
}

function applyOverrides(ev: Evaluator, node: RuleNode, v: Value): Value {
  const doc = new DocBuilder();
  doc.leaf = v;
  let changed = false;
  for (const o of ev.overrides) {
    if (o.path.length <= node.path.length || !node.path.every((p, i) => p === o.path[i])) continue;
    if (doc.leaf !== undefined && !isObject(doc.leaf)) continue;
    doc.put(o.path.slice(node.path.length), o.value, undefined);
    changed = true;
  }
  return changed ? doc.build() : v;
}
