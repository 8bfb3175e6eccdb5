import { DomainException, type ErrorCategory } from '../common/domain.exception';
import type { JsonObject } from './sandbox.types';

/** The `reason` values of the real API server's `Status` objects that the sandbox produces. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

const CATEGORY: Record<number, ErrorCategory> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  410: 'conflict',
  413: 'too-large',
  422: 'invalid',
  503: 'unavailable',
};

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** An error answered as a Kubernetes `Status` object with the real server's code and reason. */
export class ApiError extends DomainException {
  constructor(
    readonly httpStatus: number,
    readonly reason: StatusReason,
    message: string,
    readonly statusDetails?: StatusDetails,
  ) {
    super(`SANDBOX_${reason.toUpperCase()}`, CATEGORY[httpStatus] ?? 'internal', message);
  }

  toStatus(): JsonObject {
    return failureStatus(this.httpStatus, this.reason, this.message, this.statusDetails);
  }
}

export function failureStatus(code: number, reason: string, message: string, details?: StatusDetails): JsonObject {
  const body: JsonObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details && Object.keys(details).length > 0) body.details = details as unknown as JsonObject;
  body.code = code;
  return body;
}

/** What an error needs to know about the resource it is about. */
export interface ResourceRef {
  group: string;
  resource: string;
  kind: string;
}

/** `deployments.apps` for a grouped resource, `pods` for the core group. */
export function qualifiedResource(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

function refDetails(ref: ResourceRef, name: string): StatusDetails {
  const details: StatusDetails = { name };
  if (ref.group) details.group = ref.group;
  details.kind = ref.resource;
  return details;
}

export function notFound(ref: ResourceRef, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(ref)} "${name}" not found`, refDetails(ref, name));
}

export function alreadyExists(ref: ResourceRef, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(ref)} "${name}" already exists`, refDetails(ref, name));
}

export function conflict(ref: ResourceRef, name: string, why: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(ref)} "${name}": ${why}`,
    refDetails(ref, name),
  );
}

export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

export function invalid(ref: ResourceRef, name: string, causes: StatusCause[]): ApiError {
  const kind = ref.group ? `${ref.kind}.${ref.group}` : ref.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const details: StatusDetails = { name };
  if (ref.group) details.group = ref.group;
  details.kind = ref.kind;
  details.causes = causes;
  return new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${joined}`, details);
}

export function forbidden(ref: ResourceRef, name: string, why: string, causes?: StatusCause[]): ApiError {
  const details = refDetails(ref, name);
  if (causes) details.causes = causes;
  const subject = name ? `${qualifiedResource(ref)} "${name}"` : qualifiedResource(ref);
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, details);
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}
