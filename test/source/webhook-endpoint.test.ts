import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { SourceService } from '../../src/source/source.service';
import { runProcess } from '../fixtures/run-process';
import { createTestApp, type TestApp } from '../support/test-app';
import { BareRemote } from './support/bare-remote';

const FILE_SECRET = 'file-secret-0123456789abcdefghij';
const ENV_SECRET = 'env-secret-0123456789abcdefghijk';
const REFUSED = { error: { code: 'source.webhook-refused', message: 'webhook not accepted: no valid signature for this repository' } };

const hmac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');

describe('POST /api/webhooks/:repositoryId, end to end', () => {
  let remote: BareRemote;
  let dir: string;
  let t: TestApp;
  let source: SourceService;
  let requestFetch: MockInstance<SourceService['requestFetch']>;

  beforeAll(async () => {
    remote = await BareRemote.create();
    await remote.work.commit();
    await remote.publish();
    dir = mkdtempSync(join(tmpdir(), 'gitseal-webhook-'));
    writeFileSync(join(dir, 'hook-secret'), `${FILE_SECRET}\n`, { mode: 0o600 });
    process.env.TEST_SOURCE_HOOK_SECRET = ENV_SECRET;
    const yaml = [
      'repositories:',
      `  - { id: shop, url: ${JSON.stringify(remote.path)}, pollIntervalSeconds: 3600, webhook: { secretFile: hook-secret } }`,
      `  - { id: env-hook, url: ${JSON.stringify(remote.path)}, pollIntervalSeconds: 3600, webhook: { secretEnv: TEST_SOURCE_HOOK_SECRET } }`,
      `  - { id: no-hook, url: ${JSON.stringify(remote.path)}, pollIntervalSeconds: 3600 }`,
    ].join('\n');
    writeFileSync(join(dir, 'gitseal.yaml'), `${yaml}\n`);
    t = await createTestApp('pglite', { env: { GITSEAL_CONFIG_FILE: join(dir, 'gitseal.yaml') } });
    source = t.app.get(SourceService);
  });

  afterAll(async () => {
    await t?.close();
    await remote?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.TEST_SOURCE_HOOK_SECRET;
  });

  beforeEach(() => {
    requestFetch?.mockRestore();
    requestFetch = vi.spyOn(source, 'requestFetch');
  });

  const post = (id: string, body: string, headers: Record<string, string>) =>
    request(t.app.getHttpServer())
      .post(`/api/webhooks/${id}`)
      .set({ 'Content-Type': 'application/json', ...headers })
      .send(body);

  const github = (id: string, body: string, secret = FILE_SECRET, event = 'push') =>
    post(id, body, { 'X-GitHub-Event': event, 'X-Hub-Signature-256': `sha256=${hmac(secret, body)}` });

  async function untilHead(id: string, head: string): Promise<void> {
    for (let i = 0; i < 200 && source.statusOf(id).head !== head; i++) await new Promise((r) => setTimeout(r, 50));
    expect(source.statusOf(id).head).toBe(head);
  }

  it('fetches on a signed GitHub push to the branch, answering before the fetch is done', async () => {
    const head = await remote.work.commit({ message: 'new' });
    await remote.publish();
    const body = JSON.stringify({ ref: 'refs/heads/main', after: head });
    const res = await github('shop', body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ action: 'fetch' });
    expect(requestFetch).toHaveBeenCalledWith('shop');
    await untilHead('shop', head);
  });

  it('accepts GitLab, Gitea, Forgejo and the generic call, each by its own scheme', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const now = String(Math.floor(Date.now() / 1000));
    const calls = [
      post('shop', body, { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': FILE_SECRET }),
      post('shop', body, { 'X-Gitea-Event': 'push', 'X-Gitea-Signature': hmac(FILE_SECRET, body) }),
      post('shop', body, { 'X-Forgejo-Event': 'push', 'X-Forgejo-Signature': hmac(FILE_SECRET, body) }),
      post('shop', body, { 'X-Gitseal-Timestamp': now, 'X-Gitseal-Signature': `sha256=${hmac(FILE_SECRET, `${now}.${body}`)}` }),
      github('env-hook', body, ENV_SECRET),
    ];
    for (const res of await Promise.all(calls)) expect([res.status, res.body]).toEqual([202, { action: 'fetch' }]);
    expect(requestFetch.mock.calls.map(([id]) => id).sort()).toEqual(['env-hook', 'shop', 'shop', 'shop', 'shop']);
  });

  it('accepts a generic call signed as docs/source.md shows, with openssl', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const ts = String(Math.floor(Date.now() / 1000));
    const script = `printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$secret" | awk '{print $NF}'`;
    const signature = (await runProcess('sh', ['-c', script], { env: { PATH: process.env.PATH, ts, body, secret: FILE_SECRET } })).stdout.toString().trim();
    const res = await post('shop', body, { 'X-Gitseal-Timestamp': ts, 'X-Gitseal-Signature': `sha256=${signature}` });
    expect([res.status, res.body]).toEqual([202, { action: 'fetch' }]);
  });

  it('answers a ping, and acknowledges other branches and events without fetching', async () => {
    const ping = await github('shop', JSON.stringify({ zen: 'Keep it logically awesome.' }), FILE_SECRET, 'ping');
    expect([ping.status, ping.body]).toEqual([200, { action: 'ping' }]);
    const other = await github('shop', JSON.stringify({ ref: 'refs/heads/feature' }));
    expect([other.status, other.body]).toEqual([200, { action: 'ignored', reason: 'a push to "refs/heads/feature", not to refs/heads/main' }]);
    const issue = await github('shop', JSON.stringify({ action: 'opened' }), FILE_SECRET, 'issues');
    expect(issue.status).toBe(200);
    expect(requestFetch).not.toHaveBeenCalled();
  });

  it('refuses bad signatures, unknown repositories and repositories without a secret alike, and does nothing', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const admin = await t.token('admin');
    const refused = [
      github('shop', body, 'a-wrong-secret-0123456789abcdef'),
      post('shop', body, { 'X-GitHub-Event': 'push' }),
      post('shop', JSON.stringify({ ref: 'refs/heads/evil' }), { 'X-Hub-Signature-256': `sha256=${hmac(FILE_SECRET, body)}` }),
      post('shop', body, { 'X-Gitlab-Token': ENV_SECRET }),
      post('shop', body, { 'X-Gitseal-Timestamp': old, 'X-Gitseal-Signature': `sha256=${hmac(FILE_SECRET, `${old}.${body}`)}` }),
      post('shop', body, { Authorization: `Bearer ${admin}` }),
      github('ghost', body),
      github('no-hook', body),
      github('env-hook', body, FILE_SECRET),
    ];
    for (const res of await Promise.all(refused)) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(REFUSED);
    }
    expect(requestFetch).not.toHaveBeenCalled();
    const metrics = (await request(t.app.getHttpServer()).get('/metrics')).text;
    expect(metrics).toMatch(/gitseal_webhooks_rejected_total\{reason="bad-signature"\} 4/);
    expect(metrics).toMatch(/gitseal_webhooks_rejected_total\{reason="missing-signature"\} 2/);
    expect(metrics).toMatch(/gitseal_webhooks_rejected_total\{reason="stale-timestamp"\} 1/);
    expect(metrics).toMatch(/gitseal_webhooks_rejected_total\{reason="unknown-repository"\} 1/);
    expect(metrics).toMatch(/gitseal_webhooks_rejected_total\{reason="no-secret"\} 1/);
  });

  it('refuses bodies over the limit and bodies that are not JSON', async () => {
    const huge = JSON.stringify({ ref: 'refs/heads/main', padding: 'x'.repeat(2 * 1024 * 1024) });
    const tooLarge = await github('shop', huge);
    expect(tooLarge.status).toBe(413);
    const form = await request(t.app.getHttpServer())
      .post('/api/webhooks/shop')
      .set({ 'Content-Type': 'application/x-www-form-urlencoded', 'X-Hub-Signature-256': `sha256=${hmac(FILE_SECRET, 'payload=%7B%7D')}`, 'X-GitHub-Event': 'push' })
      .send('payload=%7B%7D');
    expect(form.status).toBe(400);
    expect(form.body.error).toEqual({ code: 'source.webhook-content-type', message: 'webhook bodies must be JSON (Content-Type: application/json)' });
    const malformed = await post('shop', '{"ref":', { 'X-Hub-Signature-256': `sha256=${hmac(FILE_SECRET, '{"ref":')}` });
    expect(malformed.status).toBe(400);
    expect(requestFetch).not.toHaveBeenCalled();
  });
});
