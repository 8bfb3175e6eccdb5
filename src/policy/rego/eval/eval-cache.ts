/** What one evaluation computes once, under one set of `with` modifiers (a `with` starts a new one). */
import type { RuleNode } from '../compile/rule-tree';
import type { Value } from '../value';
import type { CallMemo } from './functions';

export class EvalCache {
  /** Values of virtual documents (null: undefined). */
  readonly nodes = new Map<RuleNode, Value | null>();
  /** Values of references to `data` with constant paths, by reference site (null: undefined). */
  readonly refs: (Value | null | undefined)[] = [];
  /** Results of function calls (see functions.ts). */
  readonly calls = new Map<RuleNode, CallMemo>();
}
