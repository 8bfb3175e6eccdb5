import { DomainException, type ErrorCategory } from '../common/domain.exception';

/**
 * Errors of the gate as a whole (a range it cannot decide at all). Anything that goes wrong while
 * deciding ONE commit is not an exception: that commit is blocked with a contract §2 reason.
 */
export type GateErrorCode =
  | 'gate.invalid-request' // a malformed repository setting, range or option
  | 'gate.unknown-commit' // the anchor or head names no commit in the repository
  | 'gate.repository-unreadable'; // git could not list the range (missing objects, git failure)

const CATEGORY: Record<GateErrorCode, ErrorCategory> = {
  'gate.invalid-request': 'invalid',
  'gate.unknown-commit': 'not-found',
  'gate.repository-unreadable': 'unavailable',
};

export class GateException extends DomainException {
  constructor(
    override readonly code: GateErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, CATEGORY[code], message, details);
  }
}
