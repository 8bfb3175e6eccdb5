import { DomainException, type ErrorCategory } from '../common/domain.exception';

export type VerificationErrorCode =
  | 'trust-file-invalid' // trust.yaml unreadable, malformed, or an entry is wrong
  | 'trust-key-invalid' // an armored key that cannot be used (parse error, no valid self-signature)
  | 'trust-key-duplicate' // the same key (or one of its subkeys) listed twice
  | 'trust-key-unknown' // revoke/remove of a key the store does not hold
  | 'commit-malformed' // a commit or tag object that does not parse
  | 'approval-usage' // gitseal approve: missing repository id, bad commit
  | 'approval-signing-failed' // local gpg could not sign the approval
  | 'worker-failed'; // a verification worker thread failed

const CATEGORY: Record<VerificationErrorCode, ErrorCategory> = {
  'trust-file-invalid': 'invalid',
  'trust-key-invalid': 'invalid',
  'trust-key-duplicate': 'conflict',
  'trust-key-unknown': 'not-found',
  'commit-malformed': 'invalid',
  'approval-usage': 'invalid',
  'approval-signing-failed': 'unavailable',
  'worker-failed': 'internal',
};

export class VerificationException extends DomainException {
  constructor(
    override readonly code: VerificationErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, CATEGORY[code], message, details);
  }
}
