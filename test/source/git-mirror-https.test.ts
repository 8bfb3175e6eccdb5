import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/common/clock';
import { MetricsService } from '../../src/metrics/metrics.service';
import { SourceService } from '../../src/source/source.service';
import { GitMirror, type MirrorRepository } from '../../src/source/git-mirror.adapter';
import { SourceException } from '../../src/source/source.exception';
import { BareRemote } from './support/bare-remote';
import { startGitHttpServer, type GitHttpServer } from './support/git-http-server';

const USERNAME = 'deploy-bot';
const PASSWORD = 'tok_Sup3r-Secret+/=value';
const WRONG = 'tok_wrong-Secret-value';

/** Every byte gitseal wrote under a folder, as one string (config, askpass helper, objects, refs). */
function everythingUnder(dir: string): string {
  const parts: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) parts.push(name, readFileSync(path).toString('latin1'));
  }
  return parts.join('\n');
}

describe('GitMirror over HTTPS with Basic credentials (git http-backend behind TLS)', () => {
  let remote: BareRemote;
  let server: GitHttpServer;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let head: string;

  beforeAll(async () => {
    remote = await BareRemote.create();
    head = await remote.work.commit({ files: { 'app.yaml': 'kind: ConfigMap\n' } });
    await remote.work.appendNote(head, 'approval\n');
    await remote.publish();
    server = await startGitHttpServer({ projectRoot: remote.projectRoot, username: USERNAME, password: PASSWORD, redirects: { '/moved/': '/' }, hang: '/stalled/' });
    dataDir = mkdtempSync(join(tmpdir(), 'gitseal-data-'));
    env = { PATH: process.env.PATH, GIT_SSL_CAINFO: server.caFile, GITSEAL_TEST_GIT_TOKEN: PASSWORD, GITSEAL_TEST_WRONG_TOKEN: WRONG };
  });

  afterAll(async () => {
    await server?.close();
    await remote?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const mirrorOf = (id: string, repo: Partial<MirrorRepository> = {}) =>
    new GitMirror({ dataDir, env, repository: { id, url: server.url('config.git'), branch: 'main', ...repo } });

  it('fetches the branch and notes with the right credentials from an environment variable', async () => {
    const mirror = mirrorOf('env-token', { credentials: { username: USERNAME, passwordEnv: 'GITSEAL_TEST_GIT_TOKEN' } });
    const result = await mirror.fetch();
    expect(result.head).toBe(head);
    expect(result.notes).toMatch(/^[0-9a-f]{40}$/);
    // The secret travelled only in the Authorization header, never in a URL.
    const authorized = server.requests.filter((r) => r.authorization);
    expect(authorized.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => !r.url.includes(PASSWORD) && !r.url.includes(encodeURIComponent(PASSWORD)) && !r.url.includes(USERNAME))).toBe(true);
  });

  it('fetches with the password in a file (trailing newline ignored)', async () => {
    const secrets = mkdtempSync(join(tmpdir(), 'gitseal-secret-'));
    const file = join(secrets, 'token');
    writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
    try {
      const mirror = mirrorOf('file-token', { credentials: { username: USERNAME, passwordFile: file } });
      expect((await mirror.fetch()).head).toBe(head);
    } finally {
      rmSync(secrets, { recursive: true, force: true });
    }
  });

  it('fails with wrong credentials, saying neither the secret nor the one it tried', async () => {
    const mirror = mirrorOf('wrong', { credentials: { username: USERNAME, passwordEnv: 'GITSEAL_TEST_WRONG_TOKEN' } });
    const err = (await mirror.fetch().catch((e: unknown) => e)) as SourceException;
    expect(err).toBeInstanceOf(SourceException);
    expect(err.code).toBe('source.fetch-failed');
    expect(err.message).toMatch(/Authentication failed|401/i);
    expect(err.message).not.toContain(WRONG);
    expect(err.message).not.toContain(PASSWORD);
    expect(JSON.stringify(err.details ?? {})).not.toContain(WRONG);
  });

  it('fails without credentials instead of prompting', async () => {
    const started = Date.now();
    const err = await mirrorOf('anonymous').fetch().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'source.fetch-failed' });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('says which variable is missing, and nothing else', async () => {
    const err = await mirrorOf('missing-var', { credentials: { passwordEnv: 'GITSEAL_TEST_NOT_SET' } }).fetch().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'source.credentials', message: 'credentials.password: environment variable GITSEAL_TEST_NOT_SET is not set' });
  });

  it('does not follow a redirect, so credentials never go where the configuration did not say', async () => {
    const before = server.requests.length;
    const mirror = new GitMirror({
      dataDir,
      env,
      repository: { id: 'moved', url: server.url('moved/config.git'), branch: 'main', credentials: { username: USERNAME, passwordEnv: 'GITSEAL_TEST_GIT_TOKEN' } },
    });
    await expect(mirror.fetch()).rejects.toMatchObject({ code: 'source.fetch-failed' });
    const sent = server.requests.slice(before);
    expect(sent.every((r) => r.url.startsWith('/moved/'))).toBe(true);
  });

  it('gives up on a stalled server at the fetch deadline', async () => {
    const mirror = new GitMirror({ dataDir, env, fetchTimeoutMs: 1_500, repository: { id: 'stalled', url: server.url('stalled/config.git'), branch: 'main' } });
    const started = Date.now();
    await expect(mirror.fetch()).rejects.toMatchObject({ code: 'source.fetch-timeout', message: 'git ls-remote for stalled did not finish within 1.5 s' });
    expect(Date.now() - started).toBeLessThan(10_000);
    await mirror.close();
  });

  it('never writes the secret anywhere under the data folder (mirror config, refs, helper script)', async () => {
    const all = everythingUnder(dataDir);
    expect(all.includes('askpass.sh')).toBe(true);
    expect(all.includes(PASSWORD), 'the password is written under the data folder').toBe(false);
    expect(all.includes(WRONG), 'the wrong password is written under the data folder').toBe(false);
    expect(readFileSync(join(dataDir, 'mirrors', 'env-token.git', 'config'), 'utf8')).not.toMatch(/url|credential|askpass/i);
    expect(statSync(join(dataDir, 'mirrors', '.askpass')).mode & 0o777).toBe(0o700);
  });

  it('coalesces a burst of fetches into one transfer plus one check', async () => {
    const mirror = mirrorOf('burst', { credentials: { username: USERNAME, passwordEnv: 'GITSEAL_TEST_GIT_TOKEN' } });
    const before = server.requests.length;
    const results = await Promise.all(Array.from({ length: 6 }, () => mirror.fetch()));
    expect(results.every((r) => r.head === head)).toBe(true);
    const advertisements = server.requests.slice(before).filter((r) => r.method === 'GET' && r.url.includes('/info/refs') && r.authorization);
    // first run: ls-remote + fetch; the shared follow-up: ls-remote only (nothing new)
    expect(advertisements).toHaveLength(3);
  });

  it('logs and shows a failed fetch without the secret', async () => {
    const logged: string[] = [];
    for (const level of ['log', 'warn', 'error', 'debug', 'verbose'] as const) {
      vi.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    }
    const metrics = new MetricsService();
    const config = { id: 'logged', url: server.url('config.git'), branch: 'main', manifestPath: '', mode: 'strict' as const, pollIntervalSeconds: 60, requiredApprovals: 0 };
    const service = new SourceService(
      [{ ...config, credentials: { username: USERNAME, passwordEnv: 'GITSEAL_TEST_WRONG_TOKEN' } }],
      (repository) => new GitMirror({ dataDir, env, repository }),
      metrics,
      systemClock,
      { poll: false },
    );
    try {
      await expect(service.fetchNow('logged')).rejects.toMatchObject({ code: 'source.fetch-failed' });
      const status = JSON.stringify(service.status());
      const text = `${logged.join('\n')}\n${status}\n${await metrics.registry.metrics()}`;
      expect(logged.some((l) => l.includes('logged: fetch failed'))).toBe(true);
      expect(text.includes(WRONG), 'the secret appears in logs, status or metrics').toBe(false);
      expect(text.includes(PASSWORD)).toBe(false);
    } finally {
      await service.onApplicationShutdown();
      vi.restoreAllMocks();
    }
  });
});
