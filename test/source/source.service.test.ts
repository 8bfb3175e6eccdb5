import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/common/clock';
import type { RepositoryConfig } from '../../src/config/gitseal-file';
import { MetricsService } from '../../src/metrics/metrics.service';
import { GitMirror, type FetchResult } from '../../src/source/git-mirror.adapter';
import type { RepositoryFetched } from '../../src/source/source.events';
import { SourceException } from '../../src/source/source.exception';
import { SourceService } from '../../src/source/source.service';
import type { SourceMirror } from '../../src/source/source.tokens';
import { BareRemote } from './support/bare-remote';

const sha = (c: string) => c.repeat(40);

function repo(id: string, extra: Partial<RepositoryConfig> = {}): RepositoryConfig {
  return { id, url: `/srv/${id}.git`, branch: 'main', manifestPath: '', mode: 'strict', pollIntervalSeconds: 60, requiredApprovals: 0, ...extra };
}

/** A mirror whose remote is a variable: `remote` is what the next fetch finds. */
class FakeMirror implements SourceMirror {
  readonly path = '/fake';
  readonly remote = { display: 'https://git.example.com/fake.git' };
  remoteState: { head: string; notes: string | null } = { head: sha('a'), notes: null };
  local: { head: string | null; notes: string | null } = { head: null, notes: null };
  failure: Error | undefined;
  fetches = 0;
  closed = false;

  async fetch(): Promise<FetchResult> {
    this.fetches++;
    await Promise.resolve();
    if (this.failure) throw this.failure;
    const before = this.local;
    this.local = { ...this.remoteState };
    const transferred = before.head !== this.local.head || before.notes !== this.local.notes;
    return { head: this.local.head as string, previousHead: before.head, notes: this.local.notes, previousNotes: before.notes, rewritten: false, transferred };
  }
  async head() {
    return this.local.head;
  }
  async pin() {}
  async unpin() {}
  async close() {
    this.closed = true;
  }
}

function metricValue(metrics: MetricsService, metric: 'sourceFetchFailures' | 'sourceFetches', labels: Record<string, string>): Promise<number> {
  return metrics[metric].get().then((m) => m.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k as never] === val))?.value ?? 0);
}

describe('SourceService polling and events (fake mirrors, fake clock)', () => {
  let mirrors: Map<string, FakeMirror>;
  let metrics: MetricsService;
  let service: SourceService;
  let events: RepositoryFetched[];
  let warnings: string[];

  function start(repositories: RepositoryConfig[], options: { poll?: boolean; env?: NodeJS.ProcessEnv } = {}) {
    mirrors = new Map();
    metrics = new MetricsService();
    service = new SourceService(
      repositories,
      (config) => {
        const m = new FakeMirror();
        mirrors.set(config.id, m);
        return m;
      },
      metrics,
      systemClock,
      { random: () => 0.5, ...options },
    );
    events = [];
    service.onFetched((e) => {
      events.push(e);
    });
    return service.onApplicationBootstrap();
  }

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z') });
    warnings = [];
    vi.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void warnings.push(String(m)));
    vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    vi.spyOn(Logger.prototype, 'error').mockImplementation((m: unknown) => void warnings.push(String(m)));
  });

  afterEach(async () => {
    await service?.onApplicationShutdown();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('polls first within the start spread, then on the jittered interval', async () => {
    await start([repo('a', { pollIntervalSeconds: 60 })]);
    const m = mirrors.get('a') as FakeMirror;
    expect(service.statusOf('a').nextPollAt).toBe('2026-11-21T10:00:05.000Z');
    await vi.advanceTimersByTimeAsync(4_999);
    expect(m.fetches).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(m.fetches).toBe(1);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(m.fetches).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(m.fetches).toBe(2);
    await vi.advanceTimersByTimeAsync(60_000 * 10);
    expect(m.fetches).toBe(12);
  });

  it('publishes once after start, then only when the head or the notes change', async () => {
    await start([repo('a')], { poll: false });
    const m = mirrors.get('a') as FakeMirror;
    await service.fetchNow('a');
    expect(events).toEqual([expect.objectContaining({ repositoryId: 'a', head: sha('a'), previousHead: null, notes: null, rewritten: false })]);
    await service.fetchNow('a');
    expect(events).toHaveLength(1);

    m.remoteState = { head: sha('b'), notes: null };
    await service.fetchNow('a');
    expect(events[1]).toMatchObject({ head: sha('b'), previousHead: sha('a') });
    expect(events[1].fetchedAt).toBeInstanceOf(Date);

    m.remoteState = { head: sha('b'), notes: sha('c') };
    const status = await service.fetchNow('a');
    expect(events[2]).toMatchObject({ head: sha('b'), previousHead: sha('b'), notes: sha('c'), previousNotes: null });
    expect(status).toMatchObject({ repositoryId: 'a', head: sha('b'), notes: sha('c'), lastError: null, consecutiveFailures: 0, fetching: false });
    expect(await metricValue(metrics, 'sourceFetches', { repository: 'a', result: 'changed' })).toBe(3);
    expect(await metricValue(metrics, 'sourceFetches', { repository: 'a', result: 'unchanged' })).toBe(1);
  });

  it('backs off after failures, exposes and counts them, and recovers', async () => {
    await start([repo('a', { pollIntervalSeconds: 60 })]);
    const m = mirrors.get('a') as FakeMirror;
    m.failure = new SourceException('source.fetch-failed', "git ls-remote for a (https://git.example.com/fake.git) failed: fatal: Authentication failed");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(m.fetches).toBe(1);
    expect(service.statusOf('a')).toMatchObject({
      head: null,
      lastFetchAt: '2026-11-21T10:00:05.000Z',
      lastSuccessAt: null,
      lastError: { code: 'source.fetch-failed', message: expect.stringContaining('Authentication failed'), at: '2026-11-21T10:00:05.000Z' },
      consecutiveFailures: 1,
    });
    // Backoff with random 0.5: 45 s, then 90 s, then 180 s (not the 60 s interval, never a hot loop).
    await vi.advanceTimersByTimeAsync(44_999);
    expect(m.fetches).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(m.fetches).toBe(2);
    await vi.advanceTimersByTimeAsync(90_000);
    expect(m.fetches).toBe(3);
    await vi.advanceTimersByTimeAsync(179_999);
    expect(m.fetches).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(m.fetches).toBe(4);
    expect(await metricValue(metrics, 'sourceFetchFailures', { repository: 'a' })).toBe(4);
    expect(warnings.filter((w) => w.includes('fetch failed'))).toHaveLength(4);
    expect(warnings[3]).toContain('4 in a row');

    m.failure = undefined;
    await vi.advanceTimersByTimeAsync(360_000);
    expect(service.statusOf('a')).toMatchObject({ head: sha('a'), lastError: null, consecutiveFailures: 0 });
    const fetchesAfterRecovery = m.fetches;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(m.fetches).toBe(fetchesAfterRecovery + 1);
  });

  it('rejects fetchNow with the failure, and an unknown repository as not found', async () => {
    await start([repo('a')], { poll: false });
    (mirrors.get('a') as FakeMirror).failure = new Error('boom');
    await expect(service.fetchNow('a')).rejects.toMatchObject({ code: 'source.fetch-failed', message: 'boom' });
    await expect(service.fetchNow('nope')).rejects.toMatchObject({ code: 'source.unknown-repository', category: 'not-found' });
    expect(() => service.requestFetch('nope')).not.toThrow();
  });

  it('coalesces concurrent requests for one repository and keeps repositories independent', async () => {
    await start([repo('a'), repo('b')], { poll: false });
    await Promise.all([service.fetchNow('a'), service.fetchNow('a'), service.fetchNow('a'), service.fetchNow('b')]);
    expect(mirrors.get('a')?.fetches).toBe(2);
    expect(mirrors.get('b')?.fetches).toBe(1);
  });

  it('delivers again after a subscriber failed, and never lets one subscriber starve another', async () => {
    await start([repo('a')], { poll: false });
    let fail = true;
    const seen: string[] = [];
    service.onFetched(async (e) => {
      seen.push(e.head);
      if (fail) throw new Error('database unavailable');
    });
    await service.fetchNow('a');
    expect(events).toHaveLength(1);
    expect(warnings.some((w) => w.includes('delivered again'))).toBe(true);
    fail = false;
    await service.fetchNow('a'); // nothing new on the remote, but the failed delivery is retried
    expect(seen).toEqual([sha('a'), sha('a')]);
    await service.fetchNow('a');
    expect(seen).toHaveLength(2);
  });

  it('stops delivering to an unsubscribed listener', async () => {
    await start([repo('a')], { poll: false });
    const extra: RepositoryFetched[] = [];
    const off = service.onFetched((e) => void extra.push(e));
    off();
    await service.fetchNow('a');
    expect(extra).toEqual([]);
    expect(events).toHaveLength(1);
  });

  it('stops polling and closes the mirrors on shutdown', async () => {
    await start([repo('a', { pollIntervalSeconds: 5 })]);
    await vi.advanceTimersByTimeAsync(5_000);
    const m = mirrors.get('a') as FakeMirror;
    const before = m.fetches;
    await service.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(m.fetches).toBe(before);
    expect(m.closed).toBe(true);
    await expect(service.fetchNow('a')).rejects.toMatchObject({ code: 'source.closed' });
  });

  it('finds webhook secrets, and says why there is none without saying it to the caller', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitseal-hook-'));
    try {
      writeFileSync(join(dir, 'secret'), 'file-secret-of-enough-length\n');
      await start(
        [
          repo('env', { webhook: { secretEnv: 'HOOK_SECRET' } }),
          repo('file', { webhook: { secretFile: join(dir, 'secret') } }),
          repo('short', { webhook: { secretEnv: 'SHORT_SECRET' } }),
          repo('unset', { webhook: { secretEnv: 'NOT_SET' } }),
          repo('none'),
        ],
        { poll: false, env: { HOOK_SECRET: 'env-secret-of-enough-length', SHORT_SECRET: 'short' } },
      );
      expect(await service.webhookSecret('env')).toEqual({ secret: 'env-secret-of-enough-length' });
      expect(await service.webhookSecret('file')).toEqual({ secret: 'file-secret-of-enough-length' });
      expect(await service.webhookSecret('short')).toEqual({ refused: 'secret-unusable' });
      expect(await service.webhookSecret('unset')).toEqual({ refused: 'secret-unusable' });
      expect(await service.webhookSecret('none')).toEqual({ refused: 'no-secret' });
      expect(await service.webhookSecret('ghost')).toEqual({ refused: 'unknown-repository' });
      // Told once at start, naming the variable, never a value.
      expect(warnings.filter((w) => w.includes('webhook secret'))).toEqual([
        expect.stringContaining('short: the webhook secret (environment variable SHORT_SECRET)'),
        expect.stringContaining('unset: the webhook secret (environment variable NOT_SET)'),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SourceService over real mirrors', () => {
  let remote: BareRemote;
  let dataDir: string;
  let service: SourceService;

  beforeEach(async () => {
    remote = await BareRemote.create();
    dataDir = mkdtempSync(join(tmpdir(), 'gitseal-data-'));
    service = new SourceService([repo('shop', { url: remote.path })], (config) => new GitMirror({ dataDir, repository: config }), new MetricsService(), systemClock, { poll: false });
    vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await service.onApplicationShutdown();
    await remote.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('refuses to start with a repository whose URL or credentials it would not use, naming it', () => {
    const make = (config: RepositoryConfig) => () => new SourceService([config], (c) => new GitMirror({ dataDir, repository: c }), new MetricsService(), systemClock, { poll: false });
    expect(make(repo('plain', { url: 'http://git.example.com/x.git' }))).toThrow(/^repository plain: remote URL "http:\/\/git.example.com\/x.git" plain http is refused/);
    expect(make(repo('mixed', { url: 'git@host:x.git', credentials: { passwordEnv: 'T' } }))).toThrow(/^repository mixed: credentials.username\/passwordEnv\/passwordFile apply to https remotes/);
  });

  it('publishes new commits, force-pushes and approvals as they reach the remote', async () => {
    const events: RepositoryFetched[] = [];
    service.onFetched((e) => void events.push(e));
    await service.onApplicationBootstrap();
    const a = await remote.work.commit();
    await remote.publish();
    await service.fetchNow('shop');
    const b = await remote.work.commit();
    await remote.publish();
    await service.fetchNow('shop');
    await service.fetchNow('shop');
    await remote.work.resetHard(a);
    const c = await remote.work.commit({ message: 'rewritten' });
    await remote.work.appendNote(c, 'approval');
    await remote.publish();
    await service.fetchNow('shop');

    expect(events.map((e) => [e.previousHead, e.head, e.rewritten, e.notes !== null])).toEqual([
      [null, a, false, false],
      [a, b, false, false],
      [b, c, true, true],
    ]);
    expect(Object.fromEntries(await (service.mirror('shop') as GitMirror).pins())).toEqual({ [`rewritten/${b}`]: b });
    expect(service.statusOf('shop')).toMatchObject({ head: c, url: remote.path, branch: 'main' });
  });

  it('knows the mirrored head after a restart and does not report it as new', async () => {
    const a = await remote.work.commit();
    await remote.publish();
    await service.onApplicationBootstrap();
    await service.fetchNow('shop');
    await service.onApplicationShutdown();

    const again = new SourceService([repo('shop', { url: remote.path })], (config) => new GitMirror({ dataDir, repository: config }), new MetricsService(), systemClock, { poll: false });
    await again.onApplicationBootstrap();
    expect(again.statusOf('shop').head).toBe(a);
    const events: RepositoryFetched[] = [];
    again.onFetched((e) => void events.push(e));
    await again.fetchNow('shop');
    // Once after the start (subscribers catch up), with the previous head equal to the head: nothing new.
    expect(events).toEqual([expect.objectContaining({ head: a, previousHead: a })]);
    await again.onApplicationShutdown();
  });
});
