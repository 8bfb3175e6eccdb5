import { DomainException } from '../../common/domain.exception';

/** OPA's error codes, kept as OPA spells them so messages read the same. */
export type RegoErrorCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_type_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'eval_conflict_error'
  | 'eval_type_error'
  | 'eval_builtin_error'
  | 'eval_cancel_error'
  | 'eval_internal_error';

export interface Location {
  file: string;
  row: number;
  col: number;
}

/** Raised inside the engine; turned into a value (RegoFailure) at the public API. */
export class RegoError extends Error {
  constructor(
    readonly code: RegoErrorCode,
    readonly detail: string,
    readonly location?: Location,
  ) {
    super(formatError(code, detail, location));
    this.name = 'RegoError';
  }
}

export function formatError(code: string, detail: string, loc?: Location): string {
  if (!loc) return `${code}: ${detail}`;
  // OPA prints file:row for evaluation errors and file:row:col for parse and compile errors.
  if (code.startsWith('eval_')) return `${loc.file}:${loc.row}: ${code}: ${detail}`;
  return `${loc.file}:${loc.row}:${loc.col}: ${code}: ${detail}`;
}

/** Error values returned by the public API. */
export interface RegoFailure {
  ok: false;
  errors: RegoError[];
  /** All errors, one per line, as OPA prints them. */
  message: string;
}

export function failure(errors: RegoError[]): RegoFailure {
  const head = errors.length === 1 ? '1 error occurred' : `${errors.length} errors occurred`;
  return { ok: false, errors, message: `${head}: ${errors.map((e) => e.message).join('\n')}` };
}

/** The module's DomainException, for callers that prefer to throw. */
export class RegoException extends DomainException {
  constructor(readonly failure: RegoFailure) {
    super(failure.errors[0]?.code ?? 'rego_error', 'invalid', failure.message);
  }
}

/** Errors that end evaluation: budget exhausted, cancellation. */
export function isFatal(e: unknown): boolean {
  return e instanceof RegoError && e.code === 'eval_cancel_error';
}
