import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, type WebhookHeaders, type WebhookVerdict } from './webhook-signature';

const SECRET = 'a-webhook-secret-of-32-characters';
const OTHER = 'another-secret-of-32-characters!!';
const BODY = Buffer.from('{"ref":"refs/heads/main","after":"0123"}');
const NOW = new Date('2026-11-21T10:00:00Z');
const TS = String(NOW.getTime() / 1000);

const hmac = (data: Buffer | string, secret = SECRET) => createHmac('sha256', secret).update(data).digest('hex');
const generic = (ts: string, body: Buffer = BODY, secret = SECRET) => `sha256=${hmac(Buffer.concat([Buffer.from(`${ts}.`), body]), secret)}`;

interface Case {
  name: string;
  headers: WebhookHeaders;
  body?: Buffer;
  expected: WebhookVerdict;
}

const cases: Case[] = [
  // GitHub
  { name: 'GitHub push, right signature', headers: { 'x-hub-signature-256': `sha256=${hmac(BODY)}`, 'x-github-event': 'push' }, expected: { ok: true, provider: 'github', event: 'push' } },
  { name: 'GitHub ping', headers: { 'x-hub-signature-256': `sha256=${hmac(BODY)}`, 'x-github-event': 'ping' }, expected: { ok: true, provider: 'github', event: 'ping' } },
  { name: 'GitHub, upper-case hex', headers: { 'x-hub-signature-256': `sha256=${hmac(BODY).toUpperCase()}`, 'x-github-event': 'push' }, expected: { ok: true, provider: 'github', event: 'push' } },
  { name: 'GitHub, signed with another secret', headers: { 'x-hub-signature-256': `sha256=${hmac(BODY, OTHER)}` }, expected: { ok: false, reason: 'bad-signature' } },
  { name: 'GitHub, body changed after signing', headers: { 'x-hub-signature-256': `sha256=${hmac(BODY)}` }, body: Buffer.from('{"ref":"refs/heads/evil"}'), expected: { ok: false, reason: 'bad-signature' } },
  { name: 'GitHub, one byte of white space added', headers: { 'x-hub-signature-256': `sha256=${hmac(BODY)}` }, body: Buffer.concat([BODY, Buffer.from(' ')]), expected: { ok: false, reason: 'bad-signature' } },
  { name: 'GitHub, no sha256= prefix', headers: { 'x-hub-signature-256': hmac(BODY) }, expected: { ok: false, reason: 'malformed-signature' } },
  { name: 'GitHub, sha1 value in the sha256 header', headers: { 'x-hub-signature-256': `sha256=${'a'.repeat(40)}` }, expected: { ok: false, reason: 'malformed-signature' } },
  { name: 'GitHub, truncated signature', headers: { 'x-hub-signature-256': `sha256=${hmac(BODY).slice(0, 63)}` }, expected: { ok: false, reason: 'malformed-signature' } },
  { name: 'GitHub, header sent twice', headers: { 'x-hub-signature-256': [`sha256=${hmac(BODY)}`, `sha256=${hmac(BODY)}`] }, expected: { ok: false, reason: 'malformed-signature' } },
  { name: 'GitHub sha1 header only', headers: { 'x-hub-signature': `sha1=${'a'.repeat(40)}`, 'x-github-event': 'push' }, expected: { ok: false, reason: 'missing-signature' } },
  // GitLab
  { name: 'GitLab push, right token', headers: { 'x-gitlab-token': SECRET, 'x-gitlab-event': 'Push Hook' }, expected: { ok: true, provider: 'gitlab', event: 'Push Hook' } },
  { name: 'GitLab, wrong token', headers: { 'x-gitlab-token': OTHER, 'x-gitlab-event': 'Push Hook' }, expected: { ok: false, reason: 'bad-signature' } },
  { name: 'GitLab, token prefix only', headers: { 'x-gitlab-token': SECRET.slice(0, 10) }, expected: { ok: false, reason: 'bad-signature' } },
  { name: 'GitLab, empty token', headers: { 'x-gitlab-token': '' }, expected: { ok: false, reason: 'bad-signature' } },
  // Gitea, Forgejo
  { name: 'Gitea push', headers: { 'x-gitea-signature': hmac(BODY), 'x-gitea-event': 'push' }, expected: { ok: true, provider: 'gitea', event: 'push' } },
  { name: 'Gitea also sending GitHub headers', headers: { 'x-gitea-signature': hmac(BODY), 'x-gitea-event': 'push', 'x-hub-signature-256': `sha256=${hmac(BODY)}`, 'x-github-event': 'push' }, expected: { ok: true, provider: 'gitea', event: 'push' } },
  { name: 'Gitea, wrong signature', headers: { 'x-gitea-signature': hmac(BODY, OTHER) }, expected: { ok: false, reason: 'bad-signature' } },
  { name: 'Forgejo push', headers: { 'x-forgejo-signature': hmac(BODY), 'x-gitea-signature': hmac(BODY), 'x-forgejo-event': 'push' }, expected: { ok: true, provider: 'forgejo', event: 'push' } },
  { name: 'Forgejo event from the Gitea header', headers: { 'x-forgejo-signature': hmac(BODY), 'x-gitea-event': 'push' }, expected: { ok: true, provider: 'forgejo', event: 'push' } },
  { name: 'a good Gitea signature with a forged GitHub one', headers: { 'x-gitea-signature': hmac(BODY), 'x-hub-signature-256': `sha256=${hmac(BODY, OTHER)}` }, expected: { ok: false, reason: 'bad-signature' } },
  { name: 'a good GitHub signature with a forged Forgejo one', headers: { 'x-hub-signature-256': `sha256=${hmac(BODY)}`, 'x-forgejo-signature': hmac(BODY, OTHER) }, expected: { ok: false, reason: 'bad-signature' } },
  // generic
  { name: 'generic call', headers: { 'x-gitseal-signature': generic(TS), 'x-gitseal-timestamp': TS }, expected: { ok: true, provider: 'generic', event: 'push' } },
  { name: 'generic ping', headers: { 'x-gitseal-signature': generic(TS), 'x-gitseal-timestamp': TS, 'x-gitseal-event': 'ping' }, expected: { ok: true, provider: 'generic', event: 'ping' } },
  { name: 'generic, empty body', headers: { 'x-gitseal-signature': generic(TS, Buffer.alloc(0)), 'x-gitseal-timestamp': TS }, body: Buffer.alloc(0), expected: { ok: true, provider: 'generic', event: 'push' } },
  { name: 'generic, 299 s old', headers: { 'x-gitseal-signature': generic(String(Number(TS) - 299)), 'x-gitseal-timestamp': String(Number(TS) - 299) }, expected: { ok: true, provider: 'generic', event: 'push' } },
  { name: 'generic, 301 s old (replayed)', headers: { 'x-gitseal-signature': generic(String(Number(TS) - 301)), 'x-gitseal-timestamp': String(Number(TS) - 301) }, expected: { ok: false, reason: 'stale-timestamp' } },
  { name: 'generic, 10 min in the future', headers: { 'x-gitseal-signature': generic(String(Number(TS) + 600)), 'x-gitseal-timestamp': String(Number(TS) + 600) }, expected: { ok: false, reason: 'stale-timestamp' } },
  { name: 'generic, timestamp header changed after signing', headers: { 'x-gitseal-signature': generic(TS), 'x-gitseal-timestamp': String(Number(TS) + 1) }, expected: { ok: false, reason: 'bad-signature' } },
  { name: 'generic, body signed without the timestamp', headers: { 'x-gitseal-signature': `sha256=${hmac(BODY)}`, 'x-gitseal-timestamp': TS }, expected: { ok: false, reason: 'bad-signature' } },
  { name: 'generic, no timestamp', headers: { 'x-gitseal-signature': generic(TS) }, expected: { ok: false, reason: 'malformed-signature' } },
  { name: 'generic, timestamp in milliseconds-with-dot', headers: { 'x-gitseal-signature': generic(`${TS}.5`), 'x-gitseal-timestamp': `${TS}.5` }, expected: { ok: false, reason: 'malformed-signature' } },
  { name: 'generic, wrong secret', headers: { 'x-gitseal-signature': generic(TS, BODY, OTHER), 'x-gitseal-timestamp': TS }, expected: { ok: false, reason: 'bad-signature' } },
  // nothing
  { name: 'no signature at all', headers: { 'x-github-event': 'push' }, expected: { ok: false, reason: 'missing-signature' } },
  { name: 'a bearer token instead of a signature', headers: { authorization: `Bearer gst_${'x'.repeat(43)}` }, expected: { ok: false, reason: 'missing-signature' } },
];

describe('verifyWebhook', () => {
  it.each(cases)('$name', ({ headers, body, expected }) => {
    expect(verifyWebhook({ headers, body: body ?? BODY, secret: SECRET, now: NOW })).toEqual(expected);
  });
});
