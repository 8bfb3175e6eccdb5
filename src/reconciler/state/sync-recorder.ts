import type { Clock } from '../../common/clock';
import type { AppendedEntry, EntryDraft } from '../../ledger/ledger-store';
import type { FieldChange } from '../diff/diff';
import type { HealthStatus } from '../health/health.types';
import type { KubeObject, ObjectKey } from '../kube/kube-object';
import type { ErrorClass } from '../reconciler.exception';
import { GroupCommit } from './group-commit';
import type { DriftFinding } from '../drift/drift';
import { boundedChanges, recordedChanges } from './redact';
import type { InventoryRow, ReconcilerStore, SyncTrigger } from './reconciler.store';

/** The ledger as the reconciler needs it (LedgerService implements it). */
export interface LedgerWriter {
  append(drafts: EntryDraft[]): Promise<AppendedEntry[]>;
}

export interface ObjectIdentity {
  key: ObjectKey;
  apiVersion: string;
}

export interface AppliedRecord extends ObjectIdentity {
  syncSeq: number;
  commit: string;
  hash: string;
  operation: 'created' | 'updated' | 'adopted';
  changes: readonly FieldChange[];
  result: KubeObject;
  /** Fields taken from other managers (force): path and the managers that owned it. */
  tookOwnership: Array<{ path: string; from: string[] }>;
  /** Applied before a restart, recorded only now (the record was lost with the process). */
  recovered?: boolean;
}

export interface FinishedRecord {
  startedSeq: number;
  commit: string;
  trigger: SyncTrigger;
  outcome: 'succeeded' | 'failed' | 'partial';
  health: HealthStatus;
  healthMessage?: string;
  durationMs: number;
  counts: { applied: number; pruned: number; unchanged: number };
  error?: { class: ErrorClass; code: string; message: string };
}

function objectFields(o: ObjectIdentity) {
  return { apiVersion: o.apiVersion, kind: o.key.kind, namespace: o.key.namespace || null, name: o.key.name };
}

/**
 * Writes the reconciler's ledger entries. `resource.applied` goes out right after each apply
 * returns (group commit), then the inventory row: the ledger never misses an object the
 * inventory has, and a restart repairs the other direction from the cluster.
 */
/** Inventory rows are written in batches of this size (a resumed sync repairs rows a crash lost). */
const INVENTORY_BATCH = 250;

export class SyncRecorder {
  private readonly applied: GroupCommit<AppliedRecord, number>;
  private inventoryRows: InventoryRow[] = [];

  constructor(
    private readonly ledger: LedgerWriter,
    private readonly store: ReconcilerStore,
    private readonly clock: Clock,
    private readonly targetId: string,
  ) {
    this.applied = new GroupCommit((records) => this.flushApplied(records));
  }

  async append(draft: EntryDraft): Promise<number> {
    const [entry] = await this.ledger.append([draft]);
    return entry.entry.seq;
  }

  started(input: { commit: string; trigger: SyncTrigger; follows: number[]; planned: { apply: number; prune: number }; actor?: string; reason?: string }): Promise<number> {
    return this.append({
      type: 'sync.started',
      commit: input.commit,
      follows: input.follows,
      body: { target: this.targetId, trigger: input.trigger, planned: input.planned, ...(input.actor ? { actor: input.actor } : {}), ...(input.reason ? { reason: input.reason } : {}) },
    });
  }

  recordApplied(record: AppliedRecord): Promise<number> {
    return this.applied.submit(record);
  }

  private async flushApplied(records: AppliedRecord[]): Promise<number[]> {
    const drafts: EntryDraft[] = records.map((r) => ({
      type: 'resource.applied',
      commit: r.commit,
      follows: [r.syncSeq],
      body: {
        target: this.targetId,
        ...objectFields(r),
        operation: r.operation,
        diff: boundedChanges(recordedChanges(r.key, r.changes)),
        resourceVersion: typeof r.result.metadata.resourceVersion === 'string' ? r.result.metadata.resourceVersion : null,
        uid: typeof r.result.metadata.uid === 'string' ? r.result.metadata.uid : null,
        ...(r.tookOwnership.length > 0 ? { tookOwnership: r.tookOwnership } : {}),
        ...(r.recovered ? { recovered: true } : {}),
      },
    }));
    const appended = await this.ledger.append(drafts);
    const seqs = appended.map((a) => a.entry.seq);
    const at = this.clock.now().toISOString();
    const rows: InventoryRow[] = records.map((r, i) => ({
      key: r.key,
      apiVersion: r.apiVersion,
      uid: typeof r.result.metadata.uid === 'string' ? r.result.metadata.uid : null,
      resourceVersion: typeof r.result.metadata.resourceVersion === 'string' ? r.result.metadata.resourceVersion : null,
      appliedHash: r.hash,
      commit: r.commit,
      appliedSeq: seqs[i],
      appliedAt: at,
    }));
    this.inventoryRows.push(...rows);
    if (this.inventoryRows.length >= INVENTORY_BATCH) await this.flushInventory();
    return seqs;
  }

  /** Writes the inventory rows of the objects recorded so far. */
  async flushInventory(): Promise<void> {
    const rows = this.inventoryRows;
    this.inventoryRows = [];
    if (rows.length > 0) await this.store.upsertInventory(this.targetId, rows);
  }

  /** Inventory rows of objects that needed no apply (no ledger entry: nothing changed in the cluster). */
  async refreshInventory(rows: InventoryRow[]): Promise<void> {
    await this.flushInventory();
    await this.store.upsertInventory(this.targetId, rows);
  }

  async pruned(input: ObjectIdentity & { syncSeq: number; commit: string; uid: string | null; alreadyGone: boolean }): Promise<number> {
    await this.flushInventory();
    const seq = await this.append({
      type: 'resource.pruned',
      commit: input.commit,
      follows: [input.syncSeq],
      body: { target: this.targetId, ...objectFields(input), uid: input.uid, ...(input.alreadyGone ? { alreadyGone: true } : {}) },
    });
    await this.store.deleteInventory(this.targetId, input.key);
    return seq;
  }

  /** One drift.detected per object: the fields, what gitseal applied (before), what is live (after), who changed them. */
  driftDetected(finding: DriftFinding, commit: string, selfHeal: boolean): Promise<number> {
    const { desired } = finding;
    const redacted = recordedChanges(desired.key, finding.changes.map((c) => ({ path: c.path, live: c.before, desired: c.after })));
    const bounded = boundedChanges(redacted);
    const values = Array.isArray(bounded) ? bounded : bounded.changes;
    const changes = finding.changes.slice(0, values.length).map((c, i) => ({ path: c.path, before: values[i].before ?? null, after: values[i].after ?? null, manager: c.manager, ...(c.lastWriter ? { lastWriter: c.lastWriter } : {}) }));
    return this.append({
      type: 'drift.detected',
      commit,
      body: { target: this.targetId, ...objectFields(desired), deleted: finding.deleted, changes, ...(Array.isArray(bounded) ? {} : { truncated: true }), ignoredDifferences: finding.ignored, selfHeal },
    });
  }

  driftHealed(input: { commit: string; objects: ObjectIdentity[]; driftSeqs: number[]; syncStartedSeq: number; syncFinishedSeq: number }): Promise<number> {
    return this.append({
      type: 'drift.healed',
      commit: input.commit,
      follows: [...input.driftSeqs, input.syncFinishedSeq],
      body: { target: this.targetId, objects: input.objects.map(objectFields), syncStartedSeq: input.syncStartedSeq, syncFinishedSeq: input.syncFinishedSeq },
    });
  }

  finished(r: FinishedRecord): Promise<number> {
    return this.append({
      type: 'sync.finished',
      commit: r.commit,
      follows: [r.startedSeq],
      body: {
        target: this.targetId,
        trigger: r.trigger,
        outcome: r.outcome,
        health: r.health,
        ...(r.healthMessage ? { healthMessage: r.healthMessage } : {}),
        durationMs: r.durationMs,
        counts: r.counts,
        error: r.error ?? null,
      },
    });
  }
}
