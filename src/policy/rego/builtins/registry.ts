/**
 * Builtin functions: each family file registers its functions here. A builtin receives its
 * operands as values and returns a value, or undefined for "no result". Errors are thrown as
 * BuiltinError (OPA's eval_type_error / eval_builtin_error); the evaluator turns them into
 * undefined unless strict builtin errors are on.
 */
import { typeName, type Value } from '../value';

export interface BuiltinContext {
  /** Nanoseconds since the epoch, fixed for one query (time.now_ns). */
  nowNs: bigint;
  print: (line: string) => void;
  /** Counts work done inside a builtin against the evaluation's budget. */
  charge: (units: number) => void;
  runtime: Value;
  /** Caches that live for one query (compiled regexes and the like). */
  cache: Map<string, unknown>;
}

export type BuiltinFn = (args: Value[], ctx: BuiltinContext) => Value | undefined;

export interface Builtin {
  name: string;
  arity: number;
  fn: BuiltinFn;
  /** Returns no value (print): an expression calling it is always true. */
  void?: boolean;
  /** Returns an array of results, each a solution (walk). */
  relation?: boolean;
  /** Its errors end evaluation even without strict builtin errors (fail closed). */
  halt?: boolean;
}

export class BuiltinError extends Error {
  constructor(
    readonly code: 'eval_type_error' | 'eval_builtin_error',
    message: string,
  ) {
    super(message);
  }
}

const REGISTRY = new Map<string, Builtin>();

/** Registers a builtin; arity -1 means variadic (print). */
export function register(name: string, arity: number, fn: BuiltinFn, opts: { void?: boolean; relation?: boolean; halt?: boolean } = {}): void {
  REGISTRY.set(name, { name, arity, fn, ...opts });
}

export function getBuiltin(name: string): Builtin | undefined {
  return REGISTRY.get(name);
}

export function builtinNames(): string[] {
  return [...REGISTRY.keys()].sort();
}

// ---- operand helpers, with OPA's messages ----

export function typeError(pos: number, got: Value, ...want: string[]): BuiltinError {
  const w = want.length === 1 ? want[0] : `one of {${want.join(', ')}}`;
  return new BuiltinError('eval_type_error', `operand ${pos} must be ${w} but got ${typeName(got)}`);
}

export function builtinError(message: string): BuiltinError {
  return new BuiltinError('eval_builtin_error', message);
}
