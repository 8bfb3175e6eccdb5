import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verification of webhook calls, pure: which Git server signed the body, and whether the
 * signature is right for the repository's secret. Every signature header present must verify (a
 * request cannot pass on one good header and carry a forged other), comparisons take constant
 * time, and the generic call's timestamp must be within five minutes, so it cannot be replayed later.
 *
 * - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`, event in `X-GitHub-Event`
 * - GitLab: `X-Gitlab-Token: <secret>`, event in `X-Gitlab-Event`
 * - Gitea: `X-Gitea-Signature: <hex HMAC-SHA256(secret, body)>`, event in `X-Gitea-Event`
 * - Forgejo: `X-Forgejo-Signature: <hex …>`, event in `X-Forgejo-Event`
 * - generic: `X-Gitseal-Signature: sha256=<hex HMAC-SHA256(secret, "<X-Gitseal-Timestamp>.<body>")>`,
 *   `X-Gitseal-Timestamp: <unix seconds>`, event in `X-Gitseal-Event` (default `push`)
 */
export type WebhookProvider = 'generic' | 'forgejo' | 'gitea' | 'gitlab' | 'github';
export type WebhookRejection = 'missing-signature' | 'malformed-signature' | 'bad-signature' | 'stale-timestamp';

export type WebhookVerdict = { ok: true; provider: WebhookProvider; event: string } | { ok: false; reason: WebhookRejection };

/** Header names in lower case, as Node gives them. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

export interface WebhookInput {
  headers: WebhookHeaders;
  /** The exact bytes received. */
  body: Buffer;
  secret: string;
  now: Date;
}

export const GENERIC_TOLERANCE_SECONDS = 300;

interface Scheme {
  provider: WebhookProvider;
  header: string;
  eventHeaders: string[];
  check(value: string, input: WebhookInput): WebhookRejection | null;
}

/** In order of precedence: Gitea and Forgejo also send GitHub's headers, Forgejo also Gitea's. */
const SCHEMES: Scheme[] = [
  { provider: 'generic', header: 'x-gitseal-signature', eventHeaders: ['x-gitseal-event'], check: checkGeneric },
  { provider: 'forgejo', header: 'x-forgejo-signature', eventHeaders: ['x-forgejo-event', 'x-gitea-event'], check: (v, i) => checkHex(v, i.body, i.secret) },
  { provider: 'gitea', header: 'x-gitea-signature', eventHeaders: ['x-gitea-event'], check: (v, i) => checkHex(v, i.body, i.secret) },
  { provider: 'gitlab', header: 'x-gitlab-token', eventHeaders: ['x-gitlab-event'], check: (v, i) => checkToken(v, i.secret) },
  { provider: 'github', header: 'x-hub-signature-256', eventHeaders: ['x-github-event'], check: checkGitHub },
];

export function verifyWebhook(input: WebhookInput): WebhookVerdict {
  const present = SCHEMES.filter((s) => input.headers[s.header] !== undefined);
  if (present.length === 0) return { ok: false, reason: 'missing-signature' };
  for (const scheme of present) {
    const value = input.headers[scheme.header];
    if (typeof value !== 'string') return { ok: false, reason: 'malformed-signature' };
    const rejection = scheme.check(value.trim(), input);
    if (rejection) return { ok: false, reason: rejection };
  }
  const provider = present[0];
  return { ok: true, provider: provider.provider, event: eventOf(input.headers, provider) };
}

function eventOf(headers: WebhookHeaders, scheme: Scheme): string {
  for (const name of scheme.eventHeaders) {
    const value = headers[name];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 100);
  }
  return scheme.provider === 'generic' ? 'push' : '';
}

const HEX_256 = /^[0-9a-fA-F]{64}$/;

function checkGitHub(value: string, input: WebhookInput): WebhookRejection | null {
  if (!value.startsWith('sha256=')) return 'malformed-signature';
  return checkHex(value.slice('sha256='.length), input.body, input.secret);
}

function checkGeneric(value: string, input: WebhookInput): WebhookRejection | null {
  const timestamp = input.headers['x-gitseal-timestamp'];
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp.trim())) return 'malformed-signature';
  if (!value.startsWith('sha256=')) return 'malformed-signature';
  const signed = Buffer.concat([Buffer.from(`${timestamp.trim()}.`), input.body]);
  const verdict = checkHex(value.slice('sha256='.length), signed, input.secret);
  if (verdict) return verdict;
  const skew = Math.abs(input.now.getTime() / 1000 - Number(timestamp.trim()));
  return skew <= GENERIC_TOLERANCE_SECONDS ? null : 'stale-timestamp';
}

function checkHex(given: string, data: Buffer, secret: string): WebhookRejection | null {
  if (!HEX_256.test(given)) return 'malformed-signature';
  const expected = createHmac('sha256', secret).update(data).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex')) ? null : 'bad-signature';
}

/** Equal-length digests, so the comparison time says nothing about the secret or its length. */
function checkToken(given: string, secret: string): WebhookRejection | null {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b) && given.length > 0 ? null : 'bad-signature';
}
