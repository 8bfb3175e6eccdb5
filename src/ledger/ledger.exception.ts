import { DomainException, type ErrorCategory } from '../common/domain.exception';

/** Error codes of the ledger's pure core (canonical JSON, Merkle tree, checkpoints, keys, bundles). */
export type LedgerErrorCode =
  | 'non-canonical-value' // a value RFC 8785 cannot represent, or bytes not in canonical form
  | 'invalid-entry' // entry bytes that do not decode to a ledger entry
  | 'invalid-tree-request' // a proof or root asked for sizes or indices that do not exist
  | 'invalid-checkpoint' // a checkpoint body that does not follow c2sp.org/tlog-checkpoint
  | 'invalid-note' // a signed note that is malformed, too large, or not signed by the key
  | 'invalid-key' // a signer or verifier key text that does not parse
  | 'insecure-key-file' // a private key file readable by group or others
  | 'key-file-error' // the key file could not be read or written
  | 'invalid-bundle' // an evidence bundle that is not of the documented shape
  | 'bundle-too-large' // input over a size limit
  | 'inconsistent-source'; // the store returned data that contradicts its own signed checkpoint

const CATEGORY: Record<LedgerErrorCode, ErrorCategory> = {
  'non-canonical-value': 'invalid',
  'invalid-entry': 'invalid',
  'invalid-tree-request': 'invalid',
  'invalid-checkpoint': 'invalid',
  'invalid-note': 'invalid',
  'invalid-key': 'invalid',
  'insecure-key-file': 'invalid',
  'key-file-error': 'unavailable',
  'invalid-bundle': 'invalid',
  'bundle-too-large': 'too-large',
  'inconsistent-source': 'internal',
};

export class LedgerException extends DomainException {
  constructor(
    override readonly code: LedgerErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, CATEGORY[code], message, details);
  }
}
