import { isJsonObject, type JsonObject } from './kube-object';
import { ReconcilerException, type ReconcilerErrorCode } from '../reconciler.exception';

/** One field another manager owns, from a 409 apply conflict's `details.causes`. */
export interface FieldConflict {
  field: string;
  manager: string;
}

const MAX_MESSAGE = 2000;

function statusMessage(body: JsonObject | undefined, fallback: string): string {
  const message = body && typeof body.message === 'string' ? body.message : fallback;
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

/** `conflict with "hpa"` or `conflicts with "kubectl-edit" using apps/v1` → the manager's name. */
export function conflictsOf(body: JsonObject | undefined): FieldConflict[] {
  const details = body && isJsonObject(body.details) ? body.details : undefined;
  const causes = details && Array.isArray(details.causes) ? details.causes.filter(isJsonObject) : [];
  return causes
    .filter((c) => c.reason === 'FieldManagerConflict')
    .map((c) => ({ field: typeof c.field === 'string' ? c.field : '', manager: /"([^"]*)"/.exec(typeof c.message === 'string' ? c.message : '')?.[1] ?? 'unknown' }));
}

/**
 * A failed API call as a classified error: 409 conflict (a field-manager conflict is stalled
 * unless forced; a resourceVersion conflict is retried), 404, 410, 400/422 invalid (stalled),
 * 401/403 (stalled: credentials or RBAC need a person), 429 and 5xx (transient).
 */
export function apiError(status: number, body: JsonObject | undefined, what: string, retryAfter?: number): ReconcilerException {
  const message = `${what}: ${statusMessage(body, `HTTP ${status}`)}`;
  const details: Record<string, unknown> = { httpStatus: status };
  if (body && typeof body.reason === 'string') details.reason = body.reason;
  if (retryAfter !== undefined) details.retryAfterSeconds = retryAfter;
  let code: ReconcilerErrorCode;
  if (status === 409) {
    const conflicts = conflictsOf(body);
    if (conflicts.length > 0) details.conflicts = conflicts;
    code = conflicts.length > 0 ? 'kube-field-conflict' : 'kube-conflict';
  } else if (status === 404) code = 'kube-not-found';
  else if (status === 410) code = 'kube-gone';
  else if (status === 400 || status === 422 || status === 415 || status === 413) code = 'kube-invalid';
  else if (status === 401) code = 'kube-unauthorized';
  else if (status === 403) code = 'kube-forbidden';
  else code = 'kube-unavailable';
  return new ReconcilerException(code, message, details);
}

/** A request that got no HTTP answer: refused, reset, timed out. Always transient. */
export function connectionError(err: unknown, what: string): ReconcilerException {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const reason = e.cause?.code ?? (e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : undefined) ?? e.cause?.message ?? e.message ?? String(err);
  return new ReconcilerException('kube-unavailable', `${what}: the API server could not be reached (${reason})`, { connection: true });
}

export function isApiCode(err: unknown, ...codes: ReconcilerErrorCode[]): boolean {
  return err instanceof ReconcilerException && (codes as string[]).includes(err.code);
}
