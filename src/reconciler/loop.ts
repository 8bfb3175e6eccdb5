import type { Clock } from '../common/clock';
import { errorMessage } from '../common/domain.exception';
import type { GateReader } from './gate-reader';
import type { KubeAdapter } from './kube/kube.adapter';
import { keyString } from './kube/kube-object';
import type { DesiredObject } from './render/render';
import { classOf, codeOf, ReconcilerException, type ErrorClass } from './reconciler.exception';
import type { OpenSync, ReconcilerStore, SyncTrigger, TargetStatusRow } from './state/reconciler.store';
import type { SyncRecorder } from './state/sync-recorder';
import { applyStep, type Progress } from './steps/apply.step';
import { authorizeCommit } from './steps/authorize.step';
import { currentHealth, waitForHealth, type TargetHealth } from './steps/health.step';
import { reconcileInventory } from './steps/inventory.step';
import { readLive } from './steps/live.step';
import { planSync, type Plan } from './steps/plan.step';
import { pruneStep } from './steps/prune.step';
import { renderCommit } from './steps/render.step';
import type { SyncContext } from './steps/sync-context';
import type { Target } from './target';
import { windowVerdict } from './windows/sync-window';

export interface LoopDeps {
  gate: GateReader;
  kube: KubeAdapter;
  store: ReconcilerStore;
  recorder: SyncRecorder;
  clock: Clock;
  /** Ids of objects already recorded as applied after ledger entry `seq` (for a resumed sync). */
  recordedSince: (seq: number) => Promise<Set<string>>;
  signal?: AbortSignal;
}

export interface SyncRequest {
  sha: string;
  trigger: SyncTrigger;
  /** Further entries sync.started follows (a sync.requested, drift.detected…), besides the gate's decision. */
  follows?: number[];
  actor?: string;
  reason?: string;
  /** Self-heal: only these objects (ids); nothing is pruned. */
  only?: ReadonlySet<string>;
  /** The interrupted sync to finish. */
  resume?: OpenSync;
}

export type SyncOutcome = 'in-sync' | 'succeeded' | 'failed' | 'partial';

export interface SyncResult {
  outcome: SyncOutcome;
  commit: string;
  trigger: SyncTrigger;
  startedSeq?: number;
  finishedSeq?: number;
  health?: TargetHealth;
  error?: { class: ErrorClass; code: string; message: string };
  counts: Progress;
  /** Every object was applied and pruned as planned (health aside): the commit is the synced one. */
  complete: boolean;
  desired?: DesiredObject[];
  durationMs?: number;
}

const isManual = (t: SyncTrigger) => t === 'manual' || t === 'rollback';

function describeError(err: unknown): { class: ErrorClass; code: string; message: string } {
  return { class: classOf(err), code: codeOf(err), message: errorMessage(err).slice(0, 2000) };
}

interface Prepared {
  gateSeq: number;
  desired: DesiredObject[];
  plan: Plan;
  pruning: Plan['prune'];
  ctx: SyncContext;
}

/** Authorize → window → render → read live → plan. Nothing is written to the cluster or the ledger. */
async function prepare(deps: LoopDeps, target: Target, req: SyncRequest): Promise<Prepared> {
  const allowed = await authorizeCommit(deps.gate, target.repositoryId, req.sha);
  const verdict = windowVerdict(target.settings.windows, deps.clock.now(), isManual(req.trigger));
  if (!verdict.allowed) throw new ReconcilerException('sync-window-closed', `sync of ${target.id} not allowed now: ${verdict.reason}`);
  const inventory = new Map((await deps.store.inventory(target.id)).map((r) => [keyString(r.key), r]));
  const desired = await renderCommit(allowed, target, deps.kube);
  const kinds = [...desired.map((d) => ({ apiVersion: d.apiVersion, kind: d.key.kind })), ...[...inventory.values()].map((r) => ({ apiVersion: r.apiVersion, kind: r.key.kind }))];
  const live = await readLive(deps.kube, kinds);
  let plan = planSync(desired, live, inventory, target.id, target.settings.ignoreDifferences);
  if (req.only) plan = { apply: plan.apply.filter((p) => req.only?.has(p.desired.id)), unchanged: plan.unchanged, prune: [] };
  const pruning = target.settings.prune ? plan.prune : [];
  const ctx: SyncContext = { target, kube: deps.kube, recorder: deps.recorder, clock: deps.clock, commit: req.sha, trigger: req.trigger, syncSeq: -1, inventory, signal: deps.signal };
  return { gateSeq: allowed.gateSeq, desired, plan, pruning, ctx };
}

/**
 * One sync of one target, a short orchestrator over the steps: authorize the exact commit with the
 * gate → check the sync windows → render → read live → plan → (record sync.started) → apply →
 * prune → wait for health → record sync.finished. Nothing to do on an already synced commit
 * records nothing. Status is written on every exit.
 */
export async function reconcile(deps: LoopDeps, target: Target, status: TargetStatusRow, req: SyncRequest): Promise<SyncResult> {
  const startedAt = Date.now();
  const counts: Progress = { applied: 0, pruned: 0, unchanged: 0 };
  let prepared: Prepared;
  try {
    prepared = await prepare(deps, target, req);
  } catch (err) {
    return finishUnstarted(deps, target, req, err, counts, startedAt);
  }
  const { plan, pruning, ctx, desired } = prepared;
  counts.unchanged = plan.unchanged.length;
  const quiet = !req.resume && !isManual(req.trigger) && plan.apply.length === 0 && pruning.length === 0 && status.syncedCommit === req.sha;
  if (quiet) {
    await reconcileInventory(ctx, plan.unchanged, undefined);
    const health = await currentHealth(ctx, desired);
    const result: SyncResult = { outcome: 'in-sync', commit: req.sha, trigger: req.trigger, counts, complete: true, health, desired };
    await writeStatus(deps, target, result);
    return result;
  }
  ctx.syncSeq = req.resume?.seq ?? (await deps.recorder.started({ commit: req.sha, trigger: req.trigger, follows: [prepared.gateSeq, ...(req.follows ?? [])], planned: { apply: plan.apply.length, prune: pruning.length }, actor: req.actor, reason: req.reason }));
  const open: OpenSync = req.resume ?? { seq: ctx.syncSeq, commit: req.sha, trigger: req.trigger, gateSeq: prepared.gateSeq, startedAt: deps.clock.now().toISOString() };
  await deps.store.saveStatus(target.id, { openSync: open }, deps.clock.now());
  let complete = false;
  let result: SyncResult;
  try {
    await reconcileInventory(ctx, plan.unchanged, req.resume ? await deps.recordedSince(req.resume.seq) : undefined);
    await applyStep(ctx, plan.apply, counts);
    await pruneStep(ctx, pruning, counts, (row) => deps.store.deleteInventory(target.id, row.key));
    complete = true;
    const health = await waitForHealth(ctx, desired, target.settings.healthTimeoutSeconds);
    result = { outcome: 'succeeded', commit: req.sha, trigger: req.trigger, counts, complete, health, desired, startedSeq: ctx.syncSeq };
  } catch (err) {
    // Shutting down mid-sync is like a crash: the open sync stays, and the next start resumes it.
    if (deps.signal?.aborted) throw err;
    const health = healthFrom(err) ?? (await currentHealth(ctx, desired).catch(() => undefined));
    const outcome = !complete && counts.applied + counts.pruned > 0 ? 'partial' : 'failed';
    result = { outcome, commit: req.sha, trigger: req.trigger, counts, complete, health, desired, startedSeq: ctx.syncSeq, error: describeError(err) };
  }
  result.durationMs = Date.now() - startedAt;
  result.finishedSeq = await deps.recorder.finished({
    startedSeq: ctx.syncSeq,
    commit: req.sha,
    trigger: req.trigger,
    outcome: result.outcome === 'in-sync' ? 'succeeded' : result.outcome,
    health: result.health?.status ?? 'Unknown',
    healthMessage: result.health?.message,
    durationMs: result.durationMs,
    counts,
    error: result.error,
  });
  if (complete) await deps.store.recordSynced(target.id, req.sha, result.finishedSeq, deps.clock.now());
  await writeStatus(deps, target, result);
  return result;
}

function healthFrom(err: unknown): TargetHealth | undefined {
  if (err instanceof ReconcilerException && (err.code === 'health-timeout' || err.code === 'health-degraded')) return err.details?.health as TargetHealth;
  return undefined;
}

/**
 * A sync that failed before applying anything. Automated syncs only update the status; a sync a
 * person asked for (and a resumed one) is recorded as started and failed, so the ledger answers them.
 */
async function finishUnstarted(deps: LoopDeps, target: Target, req: SyncRequest, err: unknown, counts: Progress, startedAt: number): Promise<SyncResult> {
  const error = describeError(err);
  const result: SyncResult = { outcome: 'failed', commit: req.sha, trigger: req.trigger, counts, complete: false, error };
  const notAllowed = err instanceof ReconcilerException && (err.code === 'commit-not-allowed' || err.code === 'invalid-request');
  if (req.resume || (isManual(req.trigger) && !notAllowed)) {
    result.startedSeq = req.resume?.seq;
    if (result.startedSeq === undefined) {
      const decision = await deps.gate.decision(target.repositoryId, req.sha);
      if (decision?.allowed !== true) throw err;
      result.startedSeq = await deps.recorder.started({ commit: req.sha, trigger: req.trigger, follows: [decision.gateSeq, ...(req.follows ?? [])], planned: { apply: 0, prune: 0 }, actor: req.actor, reason: req.reason });
    }
    result.durationMs = Date.now() - startedAt;
    result.finishedSeq = await deps.recorder.finished({ startedSeq: result.startedSeq, commit: req.sha, trigger: req.trigger, outcome: 'failed', health: 'Unknown', durationMs: result.durationMs, counts, error });
  }
  await writeStatus(deps, target, result);
  return result;
}

async function writeStatus(deps: LoopDeps, target: Target, r: SyncResult): Promise<void> {
  const now = deps.clock.now();
  const change: Parameters<ReconcilerStore['saveStatus']>[1] = { openSync: null };
  if (r.health) Object.assign(change, { health: r.health.status, healthMessage: r.health.message ?? null });
  if (r.complete) Object.assign(change, { syncedCommit: r.commit, syncedAt: now.toISOString() });
  if (r.startedSeq !== undefined && r.finishedSeq !== undefined) {
    change.lastSync = { commit: r.commit, trigger: r.trigger, outcome: r.outcome === 'in-sync' ? 'succeeded' : r.outcome, startedSeq: r.startedSeq, finishedSeq: r.finishedSeq, finishedAt: now.toISOString(), durationMs: r.durationMs ?? 0, counts: r.counts };
  }
  change.lastError = r.error ? { ...r.error, at: now.toISOString(), commit: r.commit } : null;
  await deps.store.saveStatus(target.id, change, now);
}
