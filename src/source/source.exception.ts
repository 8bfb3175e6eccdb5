import { DomainException, type ErrorCategory } from '../common/domain.exception';

/** Error codes of the source: mirrors, fetches, credentials and webhooks. */
export type SourceErrorCode =
  | 'source.unknown-repository' // no repository with this id is configured
  | 'source.invalid-url' // a remote URL gitseal refuses (protocol, userinfo, option-like)
  | 'source.invalid-name' // a pin name or ref that is not allowed
  | 'source.credentials' // a configured secret or key is missing, unreadable or unsafe
  | 'source.branch-missing' // the remote has no such branch
  | 'source.fetch-failed' // git could not fetch (network, auth, refused objects)
  | 'source.fetch-timeout'
  | 'source.mirror-failed' // the local mirror could not be created or updated
  | 'source.closed' // the mirror or service is shutting down
  | 'source.webhook-refused' // bad or missing signature, unknown repository, no secret (never says which)
  | 'source.webhook-content-type'; // a webhook body that is not JSON

const CATEGORY: Record<SourceErrorCode, ErrorCategory> = {
  'source.unknown-repository': 'not-found',
  'source.invalid-url': 'invalid',
  'source.invalid-name': 'invalid',
  'source.credentials': 'invalid',
  'source.branch-missing': 'unavailable',
  'source.fetch-failed': 'unavailable',
  'source.fetch-timeout': 'unavailable',
  'source.mirror-failed': 'internal',
  'source.closed': 'unavailable',
  'source.webhook-refused': 'unauthenticated',
  'source.webhook-content-type': 'invalid',
};

export class SourceException extends DomainException {
  constructor(
    override readonly code: SourceErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, CATEGORY[code], message, details);
  }
}
