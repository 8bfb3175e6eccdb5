import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock';
import { errorMessage } from '../common/domain.exception';
import type { RepositoryConfig } from '../config/gitseal-file';
import { MetricsService } from '../metrics/metrics.service';
import { Coalescer } from './coalescer';
import { readSecret } from './git-credentials';
import type { FetchResult } from './git-mirror.adapter';
import { firstPollDelay, nextPollDelay } from './poll-schedule';
import type { RepositoryFetched, RepositoryFetchedListener, RepositoryStatus } from './source.events';
import { SourceException } from './source.exception';
import { MIRROR_FACTORY, REPOSITORIES, SOURCE_OPTIONS, type MirrorFactory, type SourceMirror, type SourceOptions } from './source.tokens';

/** Makes a repository's mirror; a configuration it refuses (URL, credentials) stops the start, naming the repository. */
function mirrorOf(mirrors: MirrorFactory, config: RepositoryConfig): SourceMirror {
  try {
    return mirrors(config);
  } catch (err) {
    if (err instanceof SourceException) throw new SourceException(err.code, `repository ${config.id}: ${err.message}`, err.details);
    throw err;
  }
}

/** Webhook secrets shorter than this are refused: they would be guessable. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

export type WebhookSecret = { secret: string } | { refused: 'unknown-repository' | 'no-secret' | 'secret-unusable' };

interface Tracked {
  config: RepositoryConfig;
  mirror: SourceMirror;
  runner: Coalescer<RepositoryStatus>;
  /** The state every listener last accepted; undefined until then (so the first fetch publishes). */
  published?: { head: string; notes: string | null };
  head: string | null;
  notes: string | null;
  lastFetchAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: { code: string; message: string; at: Date } | null;
  consecutiveFailures: number;
  nextPollAt: Date | null;
  fetching: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * The configured repositories: a mirror each, polled on its interval (jittered; exponential
 * backoff after failures), fetched on demand (webhooks, API), and a RepositoryFetched event to
 * subscribers whenever a fetch changes the branch head or the approvals notes.
 */
@Injectable()
export class SourceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('source');
  private readonly tracked = new Map<string, Tracked>();
  private readonly listeners = new Set<RepositoryFetchedListener>();
  private readonly random: () => number;
  private readonly env: NodeJS.ProcessEnv;
  private stopped = false;

  constructor(
    @Inject(REPOSITORIES) repositories: RepositoryConfig[],
    @Inject(MIRROR_FACTORY) mirrors: MirrorFactory,
    private readonly metrics: MetricsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(SOURCE_OPTIONS) private readonly options: SourceOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.env = options.env ?? process.env;
    for (const config of repositories) {
      const t: Tracked = {
        config,
        mirror: mirrorOf(mirrors, config),
        runner: new Coalescer(() => this.fetchAndPublish(t)),
        head: null,
        notes: null,
        lastFetchAt: null,
        lastSuccessAt: null,
        lastError: null,
        consecutiveFailures: 0,
        nextPollAt: null,
        fetching: false,
      };
      this.tracked.set(config.id, t);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const t of this.tracked.values()) {
      t.head = await t.mirror.head().catch(() => null);
      await this.checkWebhookSecret(t);
      if (this.options.poll !== false) this.schedule(t, firstPollDelay(t.config.pollIntervalSeconds * 1000, this.random));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const t of this.tracked.values()) clearTimeout(t.timer);
    await Promise.all([...this.tracked.values()].map((t) => t.mirror.close().catch(() => undefined)));
    await Promise.all([...this.tracked.values()].map((t) => t.runner.idle()));
  }

  /** Subscribes to RepositoryFetched events; returns the unsubscribe function. */
  onFetched(listener: RepositoryFetchedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  repositories(): RepositoryConfig[] {
    return [...this.tracked.values()].map((t) => t.config);
  }

  repository(id: string): RepositoryConfig {
    return this.get(id).config;
  }

  /** The mirror of a repository: its `path` for rev walks and object reads, `pin()` for decided commits. */
  mirror(id: string): SourceMirror {
    return this.get(id).mirror;
  }

  status(): RepositoryStatus[] {
    return [...this.tracked.values()].map((t) => this.snapshot(t));
  }

  statusOf(id: string): RepositoryStatus {
    return this.snapshot(this.get(id));
  }

  /**
   * Fetches now, or joins the fetch that starts after the running one; resolves with the status
   * after it (events delivered), rejects with a SourceException when the fetch failed.
   */
  async fetchNow(id: string): Promise<RepositoryStatus> {
    const t = this.get(id);
    if (this.stopped) throw new SourceException('source.closed', 'the source is shutting down');
    return t.runner.run();
  }

  /** fetchNow without waiting (webhooks answer at once); failures are logged and counted. */
  requestFetch(id: string): void {
    this.fetchNow(id).catch(() => undefined);
  }

  /** The webhook secret of a repository, or why there is none (for the webhook guard). */
  async webhookSecret(id: string): Promise<WebhookSecret> {
    const t = this.tracked.get(id);
    if (!t) return { refused: 'unknown-repository' };
    const hook = t.config.webhook;
    if (!hook) return { refused: 'no-secret' };
    try {
      const secret = await readSecret({ env: hook.secretEnv, file: hook.secretFile }, this.env, `repository ${id} webhook secret`);
      return secret.length >= MIN_WEBHOOK_SECRET_LENGTH ? { secret } : { refused: 'secret-unusable' };
    } catch {
      return { refused: 'secret-unusable' };
    }
  }

  private get(id: string): Tracked {
    const t = this.tracked.get(id);
    if (!t) throw new SourceException('source.unknown-repository', `no repository ${JSON.stringify(id.slice(0, 80))} is configured`);
    return t;
  }

  private async fetchAndPublish(t: Tracked): Promise<RepositoryStatus> {
    const stopTimer = this.metrics.sourceFetchDuration.startTimer({ repository: t.config.id });
    t.fetching = true;
    try {
      const result = await t.mirror.fetch();
      this.recordSuccess(t, result);
      if (t.published?.head !== result.head || t.published?.notes !== result.notes) await this.publish(t, result);
    } catch (err) {
      throw this.recordFailure(t, err);
    } finally {
      t.fetching = false;
      stopTimer();
    }
    return this.snapshot(t);
  }

  private recordSuccess(t: Tracked, result: FetchResult): void {
    const now = this.clock.now();
    const changed = result.head !== result.previousHead || result.notes !== result.previousNotes;
    Object.assign(t, { head: result.head, notes: result.notes, lastFetchAt: now, lastSuccessAt: now, lastError: null, consecutiveFailures: 0 });
    this.metrics.sourceFetches.inc({ repository: t.config.id, result: changed ? 'changed' : 'unchanged' });
    this.metrics.sourceLastSuccess.set({ repository: t.config.id }, now.getTime() / 1000);
    if (changed) {
      const what = result.rewritten ? 'history rewritten' : 'new state';
      this.logger.log(`${t.config.id}: ${what}, ${result.previousHead ?? 'nothing'} -> ${result.head}${result.notes !== result.previousNotes ? ', approvals notes changed' : ''}`);
    }
  }

  private recordFailure(t: Tracked, err: unknown): SourceException {
    const failure = err instanceof SourceException ? err : new SourceException('source.fetch-failed', errorMessage(err));
    const now = this.clock.now();
    t.lastFetchAt = now;
    t.lastError = { code: failure.code, message: failure.message, at: now };
    t.consecutiveFailures += 1;
    this.metrics.sourceFetches.inc({ repository: t.config.id, result: 'failed' });
    this.metrics.sourceFetchFailures.inc({ repository: t.config.id });
    if (failure.code !== 'source.closed') {
      this.logger.warn(`${t.config.id}: fetch failed (${failure.code}, ${t.consecutiveFailures} in a row): ${failure.message}`);
    }
    return failure;
  }

  private async publish(t: Tracked, result: FetchResult): Promise<void> {
    const event: RepositoryFetched = {
      repositoryId: t.config.id,
      head: result.head,
      previousHead: result.previousHead,
      notes: result.notes,
      previousNotes: result.previousNotes,
      rewritten: result.rewritten,
      fetchedAt: this.clock.now(),
    };
    let delivered = true;
    for (const listener of [...this.listeners]) {
      try {
        await listener(event);
      } catch (err) {
        delivered = false;
        this.logger.error(`${t.config.id}: a subscriber failed on ${result.head}; it is delivered again after the next fetch: ${errorMessage(err)}`);
      }
    }
    if (delivered) t.published = { head: result.head, notes: result.notes };
  }

  private schedule(t: Tracked, delayMs: number): void {
    clearTimeout(t.timer);
    if (this.stopped) return;
    t.nextPollAt = new Date(this.clock.now().getTime() + delayMs);
    t.timer = setTimeout(() => void this.poll(t), delayMs);
    t.timer.unref();
  }

  private async poll(t: Tracked): Promise<void> {
    t.timer = undefined;
    t.nextPollAt = null;
    await t.runner.run().catch(() => undefined);
    const delay = nextPollDelay({ intervalMs: t.config.pollIntervalSeconds * 1000, consecutiveFailures: t.consecutiveFailures, random: this.random });
    this.schedule(t, delay);
  }

  private async checkWebhookSecret(t: Tracked): Promise<void> {
    if (!t.config.webhook) return;
    const found = await this.webhookSecret(t.config.id);
    if ('refused' in found) {
      const where = t.config.webhook.secretEnv ? `environment variable ${t.config.webhook.secretEnv}` : `file ${t.config.webhook.secretFile}`;
      this.logger.warn(`${t.config.id}: the webhook secret (${where}) is missing, unreadable or shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters; webhooks for it are refused`);
    }
  }

  private snapshot(t: Tracked): RepositoryStatus {
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      repositoryId: t.config.id,
      url: t.mirror.remote.display,
      branch: t.config.branch,
      head: t.head,
      notes: t.notes,
      lastFetchAt: iso(t.lastFetchAt),
      lastSuccessAt: iso(t.lastSuccessAt),
      lastError: t.lastError && { ...t.lastError, at: t.lastError.at.toISOString() },
      consecutiveFailures: t.consecutiveFailures,
      nextPollAt: iso(t.nextPollAt),
      fetching: t.fetching,
    };
  }
}
