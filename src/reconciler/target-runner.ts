import type { Logger } from '@nestjs/common';
import { errorMessage } from '../common/domain.exception';
import type { MetricsService } from '../metrics/metrics.service';
import { backoffMs } from './drift/backoff';
import { DriftMonitor } from './drift/drift-monitor';
import type { KubeAdapter } from './kube/kube.adapter';
import { reconcile, type LoopDeps, type SyncRequest, type SyncResult } from './loop';
import { classOf, codeOf, type ErrorClass } from './reconciler.exception';
import type { LeaderLock } from './state/leader-lock';
import type { TargetStatusRow } from './state/reconciler.store';
import type { SyncRecorder } from './state/sync-recorder';
import { settingsDigest, type Target } from './target';

export interface RunnerDeps extends Omit<LoopDeps, 'kube' | 'recorder' | 'signal'> {
  leader: LeaderLock;
  logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  metrics?: MetricsService;
}

const WAITING_RETRY_MS = 15_000;


/**
 * Keeps one target where its newest allowed commit says, on this replica while it holds the
 * target's lock: a tick syncs a newer allowed commit (automated), then checks for drift; a watch
 * on the applied objects triggers drift checks in between. Operations on the target run one at a
 * time. Failures are not retried in a hot loop: transient ones back off, waiting ones retry
 * after a pause, stalled ones wait for a new commit, a settings change or a person.
 */
export class TargetRunner {
  private readonly abort = new AbortController();
  private readonly loop: LoopDeps;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private retry: { commit: string; at: number; attempts: number } | undefined;
  private stalled: { commit: string; settings: string } | undefined;
  private readonly drift: DriftMonitor;
  private stopped = false;

  constructor(
    private target: Target,
    private readonly kube: KubeAdapter,
    private readonly recorder: SyncRecorder,
    private readonly deps: RunnerDeps,
  ) {
    this.loop = { ...deps, kube, recorder, signal: this.abort.signal };
    this.drift = new DriftMonitor({
      ...deps,
      kube,
      recorder,
      target: () => this.target,
      exclusive: <T>(fn: () => Promise<T>) => this.exclusive(fn),
      sync: (req: SyncRequest) => this.runSync(req),
    });
  }

  get id(): string {
    return this.target.id;
  }

  get current(): Target {
    return this.target;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.drift.stop();
    await this.queue.catch(() => undefined);
    await this.deps.leader.release(this.id);
  }

  /** New settings: a stalled commit may go through now. */
  update(target: Target): void {
    this.target = target;
    this.stalled = undefined;
    this.retry = undefined;
    this.schedule(0);
  }

  /** A new commit was allowed. */
  kick(): void {
    this.schedule(0);
  }

  /** Runs `fn` after every operation queued before it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One pass now (what the timer does): sync a newer allowed commit when automated, then check drift. */
  reconcileNow(): Promise<void> {
    return this.exclusive(() => this.tick());
  }

  /** A full drift check now. */
  checkDriftNow(): Promise<void> {
    return this.exclusive(() => this.drift.check(undefined));
  }

  /** A sync someone asked for (manual, rollback): queued behind the running operation. */
  sync(req: SyncRequest): Promise<SyncResult> {
    return this.exclusive(() => this.runSync(req));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.exclusive(() => this.tick()), ms);
    this.timer.unref();
  }

  private nextTickMs(): number {
    const interval = this.target.reconcileIntervalSeconds * 1000;
    return this.retry ? Math.max(0, Math.min(interval, this.retry.at - Date.now())) : interval;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!(await this.deps.leader.acquire(this.id))) {
        this.drift.pause();
        return;
      }
      const status = await this.deps.store.status(this.id);
      if (status.openSync) await this.runSync({ sha: status.openSync.commit, trigger: status.openSync.trigger, resume: status.openSync });
      else if (this.target.settings.automated) await this.automated(status);
      await this.drift.check(undefined);
    } catch (err) {
      if (this.stopped) return;
      this.deps.logger.error(`target ${this.id}: ${errorMessage(err)}`);
      this.note({ class: classOf(err), code: codeOf(err), message: errorMessage(err) }, null);
    } finally {
      this.schedule(this.nextTickMs());
    }
  }

  private async automated(status: TargetStatusRow): Promise<void> {
    const newest = await this.deps.gate.newestAllowed(this.target.repositoryId);
    if (!newest) {
      if (status.lastError?.code !== 'no-allowed-commit') {
        const now = this.deps.clock.now();
        const message = `waiting for the gate to allow a commit of ${this.target.repositoryId} (${this.target.branch})`;
        await this.deps.store.saveStatus(this.id, { lastError: { class: 'waiting', code: 'no-allowed-commit', message, at: now.toISOString(), commit: null } }, now);
      }
      return;
    }
    if (newest.sha === status.syncedCommit) return;
    if (this.stalled?.commit === newest.sha && this.stalled.settings === settingsDigest(this.target.settings)) return;
    if (this.retry?.commit === newest.sha && Date.now() < this.retry.at) return;
    await this.runSync({ sha: newest.sha, trigger: 'automated' });
  }

  /** Remembers how the last attempt failed, to pace the next one. */
  private note(err: { class: ErrorClass; code: string; message: string }, commit: string | null): void {
    const cls = err.class;
    if (cls === 'stalled' && commit) this.stalled = { commit, settings: settingsDigest(this.target.settings) };
    const key = commit ?? '';
    const attempts = this.retry?.commit === key ? this.retry.attempts + 1 : 1;
    const wait = cls === 'transient' ? backoffMs(attempts) : cls === 'waiting' ? WAITING_RETRY_MS : undefined;
    this.retry = wait !== undefined ? { commit: key, at: Date.now() + wait, attempts } : undefined;
    void this.deps.store
      .saveStatus(this.id, { lastError: { class: cls, code: err.code, message: err.message.slice(0, 2000), at: this.deps.clock.now().toISOString(), commit, ...(this.retry ? { retryAt: new Date(this.retry.at).toISOString(), attempts } : {}) } }, this.deps.clock.now())
      .catch(() => undefined);
  }

  private async runSync(req: SyncRequest): Promise<SyncResult> {
    const status = await this.deps.store.status(this.id);
    const result = await reconcile(this.loop, this.target, status, req);
    this.observe(result);
    if (result.error) {
      this.note(result.error, req.sha);
      if (result.error.class !== 'stalled') this.schedule(this.nextTickMs());
    } else {
      this.retry = undefined;
      this.stalled = undefined;
    }
    if (result.complete && result.desired && !req.only) this.drift.remember(result.commit, result.desired);
    return result;
  }

  private observe(result: SyncResult): void {
    const m = this.deps.metrics;
    if (!m) return;
    m.reconcilerHealthy.set({ target: this.id }, result.health?.status === 'Healthy' && !result.error ? 1 : 0);
    if (result.outcome === 'in-sync') return;
    m.reconcilerSyncs.inc({ target: this.id, trigger: result.trigger, outcome: result.outcome });
    m.reconcilerSyncDuration.observe({ target: this.id }, (result.durationMs ?? 0) / 1000);
    m.reconcilerApplied.inc({ target: this.id, action: 'applied' }, result.counts.applied);
    m.reconcilerApplied.inc({ target: this.id, action: 'pruned' }, result.counts.pruned);
  }
}
