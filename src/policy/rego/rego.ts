/**
 * The engine's public API. Load modules and base data once, prepare a query once, evaluate it
 * many times with different input. Every failure (parse, compile, evaluation, budget) comes back
 * as a value; nothing the policies or the input do makes these functions throw.
 */
import './builtins';
import type { Expr, Module } from './ast';
import type { BuiltinContext } from './builtins/registry';
import { CompileErrors, compileModules, compileQuery, type CompiledPolicy, type CompiledQuery } from './compile/compiler';
import { RegoError, failure, type RegoFailure } from './errors';
import { Evaluator, type Frame } from './eval/evaluator';
import { evalWith } from './eval/with';
import { parseModule, parseQuery, type ParseOptions } from './parser';
import { checkJson, toJS } from './value-json';
import type { Value } from './value';

export interface ModuleSource {
  path: string;
  source: string;
}

export type Result<T> = { ok: true; value: T } | RegoFailure;

export interface ExpressionResult {
  value: unknown;
  text: string;
  location: { row: number; col: number };
}

export interface QueryResult {
  expressions: ExpressionResult[];
  bindings: Record<string, unknown>;
}

/** One solution of a query in engine values (for callers that want exact numbers and sets). */
export interface RawResult {
  expressions: Value[];
  bindings: Map<string, Value>;
}

export interface EvalOptions {
  /** Wall-clock budget in milliseconds (default 5000). */
  timeoutMs?: number;
  /** Step budget (default 50 million). */
  maxSteps?: number;
  /** Builtin errors end evaluation instead of making the expression undefined. */
  strictBuiltinErrors?: boolean;
  /** Receives print() output, one line per call. */
  print?: (line: string) => void;
  /** Fixed time for time.now_ns (default: the clock at the start of the query). */
  nowNs?: bigint;
  /** What opa.runtime() returns (default {}: nothing of the host is exposed). */
  runtime?: Record<string, unknown>;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_STEPS = 50_000_000;

function toFailure(e: unknown): RegoFailure {
  if (e instanceof CompileErrors) return failure(e.errors);
  if (e instanceof RegoError) return failure([e]);
  if (e instanceof RangeError) return failure([new RegoError('eval_internal_error', `evaluation too deep: ${e.message}`)]);
  // A defect of the engine still comes back as a value: the gate turns it into policy-error.
  return failure([new RegoError('eval_internal_error', `internal error: ${e instanceof Error ? e.message : String(e)}`)]);
}

export class RegoPolicy {
  private constructor(
    readonly compiled: CompiledPolicy,
    readonly data: Value,
  ) {}

  /** Parses and compiles modules; `data` is the base document (JSON). */
  static compile(modules: ModuleSource[], data: unknown = {}, options: ParseOptions = {}): Result<RegoPolicy> {
    try {
      const parsed: Module[] = [];
      const errors: RegoError[] = [];
      modules.forEach((m, i) => {
        try {
          parsed.push(parseModule(m.source, m.path, i, options));
        } catch (e) {
          if (e instanceof RegoError) errors.push(e);
          else throw e;
        }
      });
      if (errors.length > 0) return failure(errors);
      const base = checkJson(data, 'data');
      return { ok: true, value: new RegoPolicy(compileModules(parsed), base) };
    } catch (e) {
      return toFailure(e);
    }
  }

  /** Compiles a query (`data.x.y`, or a body like `x := data.a; x > 1`) for repeated evaluation. */
  prepare(query: string): Result<PreparedQuery> {
    try {
      const body = parseQuery(query, 'query');
      return { ok: true, value: new PreparedQuery(this, body, compileQuery(body, this.compiled)) };
    } catch (e) {
      return toFailure(e);
    }
  }
}

export class PreparedQuery {
  private readonly order: number[];
  constructor(
    private readonly policy: RegoPolicy,
    private readonly source: Expr[],
    private readonly query: CompiledQuery,
  ) {
    // Map each (possibly reordered) expression back to its place in the query text.
    this.order = query.body.map((e) => source.findIndex((s) => s.loc.row === e.loc.row && s.loc.col === e.loc.col));
  }

  /** Text and position of each expression of the query, in source order. */
  expressionTexts(): { text: string; row: number; col: number }[] {
    return this.source.map((e) => ({ text: e.text ?? '', row: e.loc.row, col: e.loc.col }));
  }

  /** Evaluates with engine values; the first error ends evaluation. */
  evaluateRaw(input: unknown, options: EvalOptions = {}): Result<RawResult[]> {
    try {
      const inputValue = input === undefined ? undefined : checkJson(input, 'input');
      const ev = this.evaluator(inputValue, options);
      const results: RawResult[] = [];
      const f: Frame = new Array(this.query.frameSize);
      const values: Value[] = new Array(this.source.length).fill(true);
      this.run(ev, 0, f, values, () => {
        const bindings = new Map<string, Value>();
        for (const [name, slot] of this.query.vars) {
          const v = f[slot];
          if (v !== undefined) bindings.set(name, v);
        }
        results.push({ expressions: values.slice(), bindings });
        return false;
      });
      return { ok: true, value: results };
    } catch (e) {
      return toFailure(e);
    }
  }

  /** Evaluates and returns OPA's result shape (plain JS values). */
  evaluate(input?: unknown, options: EvalOptions = {}): Result<QueryResult[]> {
    const raw = this.evaluateRaw(input, options);
    if (!raw.ok) return raw;
    try {
      return {
        ok: true,
        value: raw.value.map((r) => ({
          expressions: r.expressions.map((v, i) => ({ value: toJS(v), text: this.source[i].text ?? '', location: { row: this.source[i].loc.row, col: this.source[i].loc.col } })),
          bindings: Object.fromEntries([...r.bindings].map(([k, v]) => [k, toJS(v)])),
        })),
      };
    } catch (e) {
      return toFailure(e);
    }
  }

  private run(ev: Evaluator, i: number, f: Frame, values: Value[], k: () => boolean): boolean {
    const body = this.query.body;
    if (i === body.length) return k();
    const e = body[i];
    const slot = this.order[i];
    if (e.kind === 'term' && !e.negated && e.term.type !== 'call') {
      // As OPA's rego package does, a term expression of a query reports its value, even false.
      const term = e.term;
      ev.tick();
      const capture = (next: () => boolean) =>
        ev.evalTerm(term, f, (v) => {
          if (slot >= 0) values[slot] = v;
          return next();
        });
      if (e.withs.length === 0) return capture(() => this.run(ev, i + 1, f, values, k));
      return evalWith(ev, e, f, () => this.run(ev, i + 1, f, values, k), capture);
    }
    return ev.evalExpr(e, f, () => {
      if (slot >= 0) values[slot] = true;
      return this.run(ev, i + 1, f, values, k);
    });
  }

  private evaluator(input: Value | undefined, options: EvalOptions): Evaluator {
    const now = options.nowNs ?? BigInt(Date.now()) * 1_000_000n;
    const limits = { deadline: Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS), maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS };
    let ev: Evaluator | undefined;
    const ctx: BuiltinContext = {
      nowNs: now,
      print: options.print ?? (() => undefined),
      charge: (n) => ev?.charge(n),
      runtime: checkJson(options.runtime ?? {}, 'runtime'),
      cache: new Map(),
    };
    const c = this.policy.compiled;
    ev = new Evaluator(c.root, c.functions, this.policy.data, input, options.strictBuiltinErrors ?? false, limits, ctx);
    return ev;
  }
}
