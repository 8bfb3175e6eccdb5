import { diffObject, type FieldChange } from '../diff/diff';
import { ignoreFor } from '../diff/ignore';
import { isApiCode } from '../kube/kube-errors';
import { FIELD_MANAGER, refOf } from '../kube/kube.adapter';
import { isJsonObject, type KubeObject } from '../kube/kube-object';
import { kindRank } from '../render/render';
import { ReconcilerException } from '../reconciler.exception';
import type { PlannedApply } from './plan.step';
import { eachLimit, sleep, type SyncContext } from './sync-context';

export interface Progress {
  applied: number;
  pruned: number;
  unchanged: number;
}

export const APPLY_CONCURRENCY = 8;
/** Applies may run ahead of their ledger records by at most this many objects. */
const MAX_UNRECORDED = 64;
/** A 409 on apply (the object changed under us) is retried this many times, re-reading it first. */
export const MAX_APPLY_ATTEMPTS = 4;
const CRD_ESTABLISH_TIMEOUT_MS = 30_000;

function taken(changes: readonly FieldChange[]): Array<{ path: string; from: string[] }> {
  return changes
    .map((c) => ({ path: c.path, from: (c.owners ?? []).filter((m) => m !== FIELD_MANAGER) }))
    .filter((t) => t.from.length > 0);
}

/**
 * Ledger records of applied objects: each is submitted the moment its apply returns and written
 * by group commit while the next applies go out; a failed write stops the sync.
 */
class Records {
  private readonly pending = new Set<Promise<unknown>>();
  private failure: { err: unknown } | undefined;

  check(): void {
    if (this.failure) throw this.failure.err;
  }

  async add(p: Promise<unknown>): Promise<void> {
    const tracked: Promise<unknown> = p.then(
      (): void => {
        this.pending.delete(tracked);
      },
      (err: unknown): void => {
        this.pending.delete(tracked);
        this.failure ??= { err };
      },
    );
    this.pending.add(tracked);
    while (this.pending.size >= MAX_UNRECORDED) await Promise.race(this.pending);
    this.check();
  }

  async settle(): Promise<void> {
    await Promise.all(this.pending);
    this.check();
  }
}

async function applyOne(ctx: SyncContext, planned: PlannedApply, progress: Progress, records: Records): Promise<void> {
  records.check();
  const { desired } = planned;
  const force = ctx.target.settings.forceConflicts;
  let { live, diff } = planned;
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal?.aborted) throw new ReconcilerException('busy', 'the service is shutting down; the sync resumes at the next start', undefined, 'waiting');
    try {
      const { object, created } = await ctx.kube.applyWithStatus(diff.patched, { force });
      progress.applied++;
      await records.add(ctx.recorder.recordApplied({
        key: desired.key,
        apiVersion: desired.apiVersion,
        syncSeq: ctx.syncSeq,
        commit: ctx.commit,
        hash: desired.hash,
        operation: live ? 'updated' : created ? 'created' : 'adopted',
        changes: diff.changes,
        result: object,
        tookOwnership: force ? taken(diff.changes) : [],
      }));
      return;
    } catch (err) {
      if (!isApiCode(err, 'kube-conflict') || attempt >= MAX_APPLY_ATTEMPTS) throw err;
      await sleep(50 * 2 ** attempt * (0.5 + Math.random()), ctx.signal);
      live = await ctx.kube.get(refOf(desired.object));
      diff = diffObject(desired.object, live, { ignore: ignoreFor(ctx.target.settings.ignoreDifferences, desired.key), removalsOf: FIELD_MANAGER });
      if (live && diff.changes.length === 0) {
        progress.unchanged++;
        return;
      }
    }
  }
}

function established(crd: KubeObject | undefined): boolean {
  const status = crd && isJsonObject(crd.status) ? crd.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isJsonObject(c) && c.type === 'Established' && c.status === 'True');
}

/** CRDs must be served before their custom resources are applied. */
async function waitForCrds(ctx: SyncContext, crds: readonly PlannedApply[]): Promise<void> {
  const deadline = Date.now() + CRD_ESTABLISH_TIMEOUT_MS;
  for (const p of crds) {
    for (let wait = 50; !established(await ctx.kube.get(refOf(p.desired.object))); wait = Math.min(wait * 2, 1000)) {
      if (Date.now() > deadline) throw new ReconcilerException('kube-unavailable', `CustomResourceDefinition ${p.desired.key.name} is not Established after ${CRD_ESTABLISH_TIMEOUT_MS / 1000}s`, undefined, 'waiting');
      await sleep(wait, ctx.signal);
    }
  }
  ctx.kube.discovery.invalidate();
}

/**
 * Applies what differs, in install order (a kind's rank at a time, several objects of a rank in
 * flight), each recorded as soon as its apply returns. The first failure stops new applies.
 */
export async function applyStep(ctx: SyncContext, planned: readonly PlannedApply[], progress: Progress): Promise<void> {
  const ranks = [...new Set(planned.map((p) => kindRank(p.desired.key.kind)))].sort((a, b) => a - b);
  const records = new Records();
  try {
    for (const rank of ranks) {
      const group = planned.filter((p) => kindRank(p.desired.key.kind) === rank);
      await eachLimit(group, APPLY_CONCURRENCY, (p) => applyOne(ctx, p, progress, records));
      const crds = group.filter((p) => p.desired.key.kind === 'CustomResourceDefinition' && p.desired.key.group === 'apiextensions.k8s.io');
      if (crds.length > 0) await waitForCrds(ctx, crds);
    }
  } finally {
    // Whatever happened, every apply that returned is recorded before the step ends.
    await records.settle().finally(() => ctx.recorder.flushInventory());
  }
}
