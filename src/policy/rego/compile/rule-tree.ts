/** The compiled form of rules, arranged in a tree by their path below `data`. */
import type { Expr, Term } from '../ast';
import type { Location } from '../errors';
import type { RulePlan } from '../eval/plan-rules';

export type CompiledKind = 'complete' | 'multi' | 'object' | 'function';

export interface CompiledRule {
  kind: CompiledKind;
  /** For 'object' rules: the head's path below the rule's node (has variables). */
  keyPath: Term[];
  value: Term;
  args: Term[];
  body: Expr[];
  frameSize: number;
  /** `else` clauses of complete rules and functions, in order. */
  elses: CompiledRule[];
  isDefault: boolean;
  /** Head is ground: one solution of the body is enough. */
  constant: boolean;
  loc: Location;
  node: RuleNode;
  /** The rule compiled to closures, made on its first evaluation (eval/plan-rules.ts). */
  plan?: RulePlan;
}

export class RuleNode {
  readonly children = new Map<string, RuleNode>();
  complete: CompiledRule[] = [];
  defaultRule?: CompiledRule;
  multi: CompiledRule[] = [];
  objects: CompiledRule[] = [];
  functions: CompiledRule[] = [];
  defaultFunction?: CompiledRule;
  /** The node or one below it has rules (its value is, at least partly, virtual). */
  virtual = false;
  /** Modules declare this package (so its value is at least `{}`). */
  isPackage = false;
  readonly name: string;
  constructor(readonly path: readonly string[]) {
    this.name = ['data', ...path].join('.');
  }

  child(key: string): RuleNode {
    let c = this.children.get(key);
    if (!c) {
      c = new RuleNode([...this.path, key]);
      this.children.set(key, c);
    }
    return c;
  }

  /** The node holds rules whose value is this whole document (complete or multi-value). */
  get isLeafRule(): boolean {
    return this.complete.length > 0 || this.multi.length > 0 || this.defaultRule !== undefined;
  }

  get isFunction(): boolean {
    return this.functions.length > 0 || this.defaultFunction !== undefined;
  }

  find(path: readonly string[]): RuleNode | undefined {
    let n: RuleNode | undefined = this;
    for (const p of path) {
      n = n.children.get(p);
      if (!n) return undefined;
    }
    return n;
  }
}
