import type { Logger } from '@nestjs/common';
import { errorMessage } from '../common/domain.exception';
import type { MetricsService } from '../metrics/metrics.service';
import { ignoreFor } from './diff/ignore';
import { detectDrift, type DriftFinding } from './drift/drift';
import { DriftWatcher } from './drift/drift-watcher';
import { refOf, type KubeAdapter } from './kube/kube.adapter';
import type { KubeObject } from './kube/kube-object';
import { reconcile, type LoopDeps, type SyncRequest, type SyncResult } from './loop';
import type { DesiredObject } from './render/render';
import { classOf, codeOf, type ErrorClass } from './reconciler.exception';
import type { LeaderLock } from './state/leader-lock';
import type { TargetStatusRow } from './state/reconciler.store';
import type { SyncRecorder } from './state/sync-recorder';
import { readLive } from './steps/live.step';
import { renderCommit } from './steps/render.step';
import { settingsDigest, type Target } from './target';
import { windowVerdict } from './windows/sync-window';

export interface RunnerDeps extends Omit<LoopDeps, 'kube' | 'recorder' | 'signal'> {
  leader: LeaderLock;
  logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  metrics?: MetricsService;
}

interface Synced {
  commit: string;
  desired: DesiredObject[];
  byId: Map<string, DesiredObject>;
}

const WAITING_RETRY_MS = 15_000;
const MAX_BACKOFF_MS = 300_000;
const DRIFT_DEBOUNCE_MS = 100;
const FEW = 20;

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … 5 min, each ×[0.5, 1.5). */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempt - 1)) * (0.5 + random());
}

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
  private driftTimer: NodeJS.Timeout | undefined;
  private retry: { commit: string; at: number; attempts: number } | undefined;
  private stalled: { commit: string; settings: string } | undefined;
  private synced: Synced | undefined;
  private readonly recorded = new Map<string, string>();
  private readonly pending = new Set<string>();
  private readonly watcher: DriftWatcher;
  private stopped = false;

  constructor(
    private target: Target,
    private readonly kube: KubeAdapter,
    private readonly recorder: SyncRecorder,
    private readonly deps: RunnerDeps,
  ) {
    this.loop = { ...deps, kube, recorder, signal: this.abort.signal };
    this.watcher = new DriftWatcher(kube, target.id, (id) => this.changed(id), (m) => deps.logger.warn(m));
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
    if (this.driftTimer) clearTimeout(this.driftTimer);
    this.watcher.stop();
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
    return this.exclusive(() => this.checkDrift(undefined));
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
        this.watcher.stop();
        return;
      }
      const status = await this.deps.store.status(this.id);
      if (status.openSync) await this.runSync({ sha: status.openSync.commit, trigger: status.openSync.trigger, resume: status.openSync });
      else if (this.target.settings.automated) await this.automated(status);
      await this.checkDrift(undefined);
    } catch (err) {
      this.deps.logger.error(`target ${this.id}: ${errorMessage(err)}`);
      this.note({ class: classOf(err), code: codeOf(err), message: errorMessage(err) }, null);
    } finally {
      this.schedule(this.nextTickMs());
    }
  }

  private async automated(status: TargetStatusRow): Promise<void> {
    const newest = await this.deps.gate.newestAllowed(this.target.repositoryId);
    if (!newest || newest.sha === status.syncedCommit) return;
    if (this.stalled?.commit === newest.sha && this.stalled.settings === settingsDigest(this.target.settings)) return;
    if (this.retry?.commit === newest.sha && Date.now() < this.retry.at) return;
    await this.runSync({ sha: newest.sha, trigger: 'automated' });
  }

  /** Remembers how the last attempt failed, to pace the next one. */
  private note(err: { class: ErrorClass; code: string; message: string }, commit: string | null): void {
    const cls = err.class;
    if (cls === 'stalled' && commit) this.stalled = { commit, settings: settingsDigest(this.target.settings) };
    const attempts = this.retry && this.retry.commit === commit ? this.retry.attempts + 1 : 1;
    const wait = cls === 'transient' ? backoffMs(attempts) : cls === 'waiting' ? WAITING_RETRY_MS : undefined;
    this.retry = wait !== undefined ? { commit: commit ?? '', at: Date.now() + wait, attempts } : undefined;
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
    if (result.complete && result.desired && !req.only) this.remember(result.commit, result.desired);
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

  private remember(commit: string, desired: DesiredObject[]): void {
    if (this.synced?.commit !== commit) this.recorded.clear();
    this.synced = { commit, desired, byId: new Map(desired.map((d) => [d.id, d])) };
    const kinds = new Map(desired.map((d) => [`${d.apiVersion}|${d.key.kind}`, { apiVersion: d.apiVersion, kind: d.key.kind }]));
    this.watcher.setKinds([...kinds.values()]);
  }

  private changed(id: string): void {
    if (this.synced && !this.synced.byId.has(id)) return;
    this.pending.add(id);
    if (this.driftTimer) return;
    this.driftTimer = setTimeout(() => {
      this.driftTimer = undefined;
      const ids = new Set(this.pending);
      this.pending.clear();
      void this.exclusive(() => this.checkDrift(ids)).catch((err) => this.deps.logger.warn(`drift check of ${this.id}: ${errorMessage(err)}`));
    }, DRIFT_DEBOUNCE_MS);
    this.driftTimer.unref();
  }

  /** The synced commit's desired objects (rendered again after a restart). */
  private async syncedState(status: TargetStatusRow): Promise<Synced | undefined> {
    if (!status.syncedCommit) return undefined;
    if (this.synced?.commit === status.syncedCommit) return this.synced;
    const decision = await this.deps.gate.decision(this.target.repositoryId, status.syncedCommit);
    if (decision?.allowed !== true) return undefined;
    this.remember(status.syncedCommit, await renderCommit(decision, this.target, this.kube));
    return this.synced;
  }

  /**
   * Compares the live objects with the synced commit: a changed field or a deleted object is
   * drift, recorded once per distinct change, then healed when self-heal is on (re-applying the
   * synced commit, which the gate allowed). Skipped while the target is between commits.
   */
  private async checkDrift(ids: ReadonlySet<string> | undefined): Promise<void> {
    if (this.stopped || !(await this.deps.leader.acquire(this.id))) return;
    const status = await this.deps.store.status(this.id);
    if (status.openSync || status.lastSync?.outcome === 'partial') return;
    const synced = await this.syncedState(status);
    if (!synced) return;
    const objects = ids ? synced.desired.filter((d) => ids.has(d.id)) : synced.desired;
    if (objects.length === 0) return;
    const live = await this.readObjects(objects);
    const findings: DriftFinding[] = [];
    for (const d of objects) {
      const f = detectDrift(d, live.get(d.id), ignoreFor(this.target.settings.ignoreDifferences, d.key));
      if (!f) this.recorded.delete(d.id);
      else if (this.recorded.get(d.id) !== f.fingerprint) findings.push(f);
    }
    if (findings.length > 0) await this.drifted(synced, findings);
  }

  /** A few objects (a watch event) are read one by one; many (the interval check) by listing their kinds. */
  private async readObjects(objects: readonly DesiredObject[]): Promise<Map<string, KubeObject>> {
    if (objects.length > FEW) return readLive(this.kube, objects.map((d) => ({ apiVersion: d.apiVersion, kind: d.key.kind })));
    const live = new Map<string, KubeObject>();
    for (const d of objects) {
      const obj = await this.kube.get(refOf(d.object));
      if (obj) live.set(d.id, obj);
    }
    return live;
  }

  private async drifted(synced: Synced, findings: DriftFinding[]): Promise<void> {
    const selfHeal = this.target.settings.selfHeal;
    const seqs: number[] = [];
    for (const f of findings) {
      seqs.push(await this.recorder.driftDetected(f, synced.commit, selfHeal));
      this.recorded.set(f.id, f.fingerprint);
    }
    this.deps.metrics?.reconcilerDrift.inc({ target: this.id }, findings.length);
    const objects = findings.map((f) => f.id);
    const now = this.deps.clock.now();
    await this.deps.store.saveStatus(this.id, { lastDrift: { at: now.toISOString(), seq: seqs[seqs.length - 1], objects, healed: false } }, now);
    this.deps.logger.warn(`target ${this.id}: drift in ${objects.join(', ')}${selfHeal ? '; healing' : ''}`);
    if (!selfHeal) return;
    const verdict = windowVerdict(this.target.settings.windows, now, false);
    if (!verdict.allowed) {
      this.deps.logger.log(`target ${this.id}: drift not healed now: ${verdict.reason}`);
      return;
    }
    const result = await this.runSync({ sha: synced.commit, trigger: 'self-heal', only: new Set(objects), follows: seqs });
    if (result.outcome !== 'succeeded' || result.startedSeq === undefined || result.finishedSeq === undefined) return;
    await this.recorder.driftHealed({ commit: synced.commit, objects: findings.map((f) => ({ key: f.desired.key, apiVersion: f.desired.apiVersion })), driftSeqs: seqs, syncStartedSeq: result.startedSeq, syncFinishedSeq: result.finishedSeq });
    for (const id of objects) this.recorded.delete(id);
    await this.deps.store.saveStatus(this.id, { lastDrift: { at: now.toISOString(), seq: seqs[seqs.length - 1], objects, healed: true } }, this.deps.clock.now());
  }
}
