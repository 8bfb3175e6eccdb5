/**
 * Domain errors carry a code and a category; only the edges (HTTP filter, CLI) turn a category
 * into a status or an exit code. Each module defines its own subclass with a string code enum.
 */
export type ErrorCategory =
  | 'invalid' // the caller's input is wrong (HTTP 400, CLI exit 2)
  | 'unauthenticated' // no or unknown credentials (401)
  | 'forbidden' // credentials lack a role (403)
  | 'not-found' // (404)
  | 'conflict' // state does not allow it now (409)
  | 'too-large' // input over a size limit (413)
  | 'unavailable' // a dependency is down; retry later (503)
  | 'internal'; // a bug or broken invariant (500)

export class DomainException extends Error {
  constructor(
    readonly code: string,
    readonly category: ErrorCategory,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
