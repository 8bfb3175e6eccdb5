import { DomainException, type ErrorCategory } from '../common/domain.exception';

/**
 * How a failure is handled (Flux's error classes): `stalled` needs a person (bad manifests, a
 * refused object, a forbidden write) and is not retried until a new commit or a settings change;
 * `waiting` is requeued after a short fixed delay (a sync window, a CRD not established yet);
 * `transient` is retried with exponential backoff and jitter (429, 5xx, lost connections).
 */
export type ErrorClass = 'stalled' | 'waiting' | 'transient';

export type ReconcilerErrorCode =
  | 'target-not-found'
  | 'invalid-settings'
  | 'invalid-request'
  | 'commit-not-allowed' // the gate did not allow this exact commit
  | 'no-allowed-commit' // the gate has allowed nothing on the branch yet
  | 'not-rollback-candidate' // neither an ancestor of the branch head nor a commit synced before
  | 'sync-window-closed'
  | 'busy' // another operation on the target holds it
  | 'not-leader' // another replica reconciles this target
  | 'invalid-manifest' // a file or document that does not parse or is not an object
  | 'duplicate-object'
  | 'forbidden-object' // outside what the target may manage
  | 'owned-elsewhere' // the live object belongs to another target or was not made by gitseal
  | 'unknown-kind'
  | 'too-many-objects'
  | 'source-unreadable' // the commit's tree could not be read from the mirror
  | 'kube-conflict'
  | 'kube-field-conflict'
  | 'kube-not-found'
  | 'kube-invalid'
  | 'kube-forbidden'
  | 'kube-unauthorized'
  | 'kube-unavailable'
  | 'kube-gone'
  | 'kube-config' // no usable kubeconfig, context or in-cluster credentials
  | 'health-degraded'
  | 'health-timeout';

const CATEGORY: Record<ReconcilerErrorCode, ErrorCategory> = {
  'target-not-found': 'not-found',
  'invalid-settings': 'invalid',
  'invalid-request': 'invalid',
  'commit-not-allowed': 'conflict',
  'no-allowed-commit': 'conflict',
  'not-rollback-candidate': 'conflict',
  'sync-window-closed': 'conflict',
  busy: 'conflict',
  'not-leader': 'conflict',
  'invalid-manifest': 'invalid',
  'duplicate-object': 'invalid',
  'forbidden-object': 'invalid',
  'owned-elsewhere': 'conflict',
  'unknown-kind': 'invalid',
  'too-many-objects': 'too-large',
  'source-unreadable': 'unavailable',
  'kube-conflict': 'conflict',
  'kube-field-conflict': 'conflict',
  'kube-not-found': 'not-found',
  'kube-invalid': 'invalid',
  'kube-forbidden': 'unavailable',
  'kube-unauthorized': 'unavailable',
  'kube-unavailable': 'unavailable',
  'kube-gone': 'unavailable',
  'kube-config': 'unavailable',
  'health-degraded': 'conflict',
  'health-timeout': 'conflict',
};

const CLASS: Record<ReconcilerErrorCode, ErrorClass> = {
  'target-not-found': 'stalled',
  'invalid-settings': 'stalled',
  'invalid-request': 'stalled',
  'commit-not-allowed': 'stalled',
  'no-allowed-commit': 'waiting',
  'not-rollback-candidate': 'stalled',
  'sync-window-closed': 'waiting',
  busy: 'waiting',
  'not-leader': 'waiting',
  'invalid-manifest': 'stalled',
  'duplicate-object': 'stalled',
  'forbidden-object': 'stalled',
  'owned-elsewhere': 'stalled',
  'unknown-kind': 'stalled',
  'too-many-objects': 'stalled',
  'source-unreadable': 'transient',
  'kube-conflict': 'transient',
  'kube-field-conflict': 'stalled',
  'kube-not-found': 'transient',
  'kube-invalid': 'stalled',
  'kube-forbidden': 'stalled',
  'kube-unauthorized': 'stalled',
  'kube-unavailable': 'transient',
  'kube-gone': 'transient',
  'kube-config': 'stalled',
  'health-degraded': 'stalled',
  'health-timeout': 'stalled',
};

export class ReconcilerException extends DomainException {
  readonly errorClass: ErrorClass;

  constructor(
    override readonly code: ReconcilerErrorCode,
    message: string,
    details?: Record<string, unknown>,
    errorClass?: ErrorClass,
  ) {
    super(code, CATEGORY[code], message, details);
    this.errorClass = errorClass ?? CLASS[code];
  }
}

/** The class of any error: ours carry one; anything else (a bug, a database error) is transient. */
export function classOf(err: unknown): ErrorClass {
  return err instanceof ReconcilerException ? err.errorClass : 'transient';
}

export function codeOf(err: unknown): string {
  if (err instanceof DomainException) return err.code;
  return 'internal';
}
