import type { Logger } from '@nestjs/common';
import type { Clock } from '../../common/clock';
import { errorMessage } from '../../common/domain.exception';
import type { MetricsService } from '../../metrics/metrics.service';
import { ignoreFor } from '../diff/ignore';
import type { GateReader } from '../gate-reader';
import { refOf, type KubeAdapter } from '../kube/kube.adapter';
import type { KubeObject } from '../kube/kube-object';
import type { SyncRequest, SyncResult } from '../loop';
import type { DesiredObject } from '../render/render';
import type { LeaderLock } from '../state/leader-lock';
import type { ReconcilerStore, TargetStatusRow } from '../state/reconciler.store';
import type { SyncRecorder } from '../state/sync-recorder';
import { readLive } from '../steps/live.step';
import { renderCommit } from '../steps/render.step';
import type { Target } from '../target';
import { windowVerdict } from '../windows/sync-window';
import { backoffMs } from './backoff';
import { detectDrift, type DriftFinding } from './drift';
import { DriftWatcher } from './drift-watcher';

export interface DriftDeps {
  kube: KubeAdapter;
  recorder: SyncRecorder;
  store: ReconcilerStore;
  gate: GateReader;
  leader: LeaderLock;
  clock: Clock;
  logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  metrics?: MetricsService;
  /** The target as it is now (settings change). */
  target: () => Target;
  /** Runs `fn` after the target's other operations. */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** A sync, already inside the target's exclusive section. */
  sync: (req: SyncRequest) => Promise<SyncResult>;
}

interface Synced {
  commit: string;
  desired: DesiredObject[];
  byId: Map<string, DesiredObject>;
}

const DEBOUNCE_MS = 100;
/** Up to this many objects are read one by one; more by listing their kinds. */
const FEW = 20;

/**
 * Keeps a target's objects where the synced commit put them: a watch on them triggers checks of
 * the changed objects, the runner's tick a check of all. A changed field or a deleted object is
 * drift, recorded once per distinct change; with self-heal on, the synced commit (which the gate
 * allowed, and is asked about again) is re-applied to the drifted objects.
 */
export class DriftMonitor {
  private synced: Synced | undefined;
  /** Drift recorded (and not healed yet), by object: its fingerprint and its drift.detected entry. */
  private readonly recorded = new Map<string, { fingerprint: string; seq: number }>();
  private readonly healRetry = new Map<string, { at: number; attempts: number }>();
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly watcher: DriftWatcher;
  private stopped = false;
  private paused = false;

  constructor(private readonly deps: DriftDeps) {
    const id = deps.target().id;
    this.watcher = new DriftWatcher(deps.kube, id, (objectId) => this.changed(objectId), (m) => deps.logger.warn(m));
  }

  private get id(): string {
    return this.deps.target().id;
  }

  /** The desired objects of the commit just synced: what drift is measured against. */
  remember(commit: string, desired: DesiredObject[]): void {
    if (this.synced?.commit !== commit) this.recorded.clear();
    this.synced = { commit, desired, byId: new Map(desired.map((d) => [d.id, d])) };
    const kinds = new Map(desired.map((d) => [`${d.apiVersion}|${d.key.kind}`, { apiVersion: d.apiVersion, kind: d.key.kind }]));
    if (this.stopped) return;
    this.paused = false;
    this.watcher.setKinds([...kinds.values()]);
  }

  /** Stops watching while this replica does not lead the target; the next check resumes. */
  pause(): void {
    this.paused = true;
    this.watcher.setKinds([]);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.watcher.stop();
  }

  private changed(objectId: string): void {
    if (this.synced && !this.synced.byId.has(objectId)) return;
    this.pending.add(objectId);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const ids = new Set(this.pending);
      this.pending.clear();
      void this.deps.exclusive(() => this.check(ids)).catch((err) => this.deps.logger.warn(`drift check of ${this.id}: ${errorMessage(err)}`));
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  /** Checks the given objects (all when undefined); skipped while the target is between commits. */
  async check(ids: ReadonlySet<string> | undefined): Promise<void> {
    if (this.stopped || !(await this.deps.leader.acquire(this.id))) return;
    const status = await this.deps.store.status(this.id);
    if (status.openSync || status.lastSync?.outcome === 'partial') return;
    const synced = await this.syncedState(status);
    if (!synced) return;
    if (this.paused) this.remember(synced.commit, synced.desired);
    const objects = ids ? synced.desired.filter((d) => ids.has(d.id)) : synced.desired;
    if (objects.length === 0) return;
    const live = await this.read(objects);
    const rules = this.deps.target().settings.ignoreDifferences;
    const findings: DriftFinding[] = [];
    for (const d of objects) {
      const f = detectDrift(d, live.get(d.id), ignoreFor(rules, d.key));
      if (!f) this.recorded.delete(d.id);
      else findings.push(f);
    }
    if (findings.length > 0) await this.drifted(synced, findings);
  }

  /** The synced commit's desired objects (rendered again after a restart). */
  private async syncedState(status: TargetStatusRow): Promise<Synced | undefined> {
    if (!status.syncedCommit) return undefined;
    if (this.synced?.commit === status.syncedCommit) return this.synced;
    const target = this.deps.target();
    const decision = await this.deps.gate.decision(target.repositoryId, status.syncedCommit);
    if (decision?.allowed !== true) return undefined;
    this.remember(status.syncedCommit, await renderCommit(decision, target, this.deps.kube));
    return this.synced;
  }

  private async read(objects: readonly DesiredObject[]): Promise<Map<string, KubeObject>> {
    if (objects.length > FEW) return readLive(this.deps.kube, objects.map((d) => ({ apiVersion: d.apiVersion, kind: d.key.kind })));
    const live = new Map<string, KubeObject>();
    for (const d of objects) {
      const obj = await this.deps.kube.get(refOf(d.object));
      if (obj) live.set(d.id, obj);
    }
    return live;
  }

  /** Records drift not recorded yet, then heals all of it when self-heal is on and a window allows. */
  private async drifted(synced: Synced, findings: DriftFinding[]): Promise<void> {
    const { recorder, store, clock, logger } = this.deps;
    const settings = this.deps.target().settings;
    const fresh = findings.filter((f) => this.recorded.get(f.id)?.fingerprint !== f.fingerprint);
    for (const f of fresh) this.recorded.set(f.id, { fingerprint: f.fingerprint, seq: await recorder.driftDetected(f, synced.commit, settings.selfHeal) });
    const now = clock.now();
    if (fresh.length > 0) {
      this.deps.metrics?.reconcilerDrift.inc({ target: this.id }, fresh.length);
      const objects = fresh.map((f) => f.id);
      await store.saveStatus(this.id, { lastDrift: { at: now.toISOString(), seq: (this.recorded.get(objects[objects.length - 1]) as { seq: number }).seq, objects, healed: false } }, now);
      logger.warn(`target ${this.id}: drift in ${objects.join(', ')}${settings.selfHeal ? '; healing' : ''}`);
    }
    if (!settings.selfHeal) return;
    const verdict = windowVerdict(settings.windows, now, false);
    if (!verdict.allowed) {
      if (fresh.length > 0) logger.log(`target ${this.id}: drift not healed now: ${verdict.reason}`);
      return;
    }
    await this.heal(synced, findings);
  }

  private async heal(synced: Synced, all: DriftFinding[]): Promise<void> {
    const { recorder, store, clock } = this.deps;
    // A heal that failed is not tried again for these objects before its backoff ends.
    const findings = all.filter((f) => (this.healRetry.get(f.id)?.at ?? 0) <= Date.now());
    if (findings.length === 0) return;
    const objects = findings.map((f) => f.id);
    const seqs = findings.map((f) => (this.recorded.get(f.id) as { seq: number }).seq);
    const result = await this.deps.sync({ sha: synced.commit, trigger: 'self-heal', only: new Set(objects), follows: seqs });
    if (result.outcome !== 'succeeded' || result.startedSeq === undefined || result.finishedSeq === undefined) {
      for (const id of objects) {
        const attempts = (this.healRetry.get(id)?.attempts ?? 0) + 1;
        this.healRetry.set(id, { attempts, at: Date.now() + backoffMs(attempts) });
      }
      return;
    }
    for (const id of objects) this.healRetry.delete(id);
    await recorder.driftHealed({ commit: synced.commit, objects: findings.map((f) => ({ key: f.desired.key, apiVersion: f.desired.apiVersion })), driftSeqs: seqs, syncStartedSeq: result.startedSeq, syncFinishedSeq: result.finishedSeq });
    for (const id of objects) this.recorded.delete(id);
    const now = clock.now();
    await store.saveStatus(this.id, { lastDrift: { at: now.toISOString(), seq: Math.max(...seqs), objects, healed: true } }, now);
  }
}
