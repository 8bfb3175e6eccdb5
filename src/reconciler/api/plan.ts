import { errorMessage } from '../../common/domain.exception';
import type { AllowedCommit } from '../gate-reader';
import type { KubeAdapter } from '../kube/kube.adapter';
import { storedDiff } from '../diff/json-diff';
import { describeKey, keyString } from '../kube/kube-object';
import { codeOf } from '../reconciler.exception';
import { recordedChanges, type RecordedChange } from '../state/redact';
import type { InventoryRow } from '../state/reconciler.store';
import { readLive } from '../steps/live.step';
import { planSync } from '../steps/plan.step';
import { renderCommit } from '../steps/render.step';
import { eachLimit } from '../steps/sync-context';
import type { Target } from '../target';

export interface PlannedObject {
  object: string;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  source: string;
  operation: 'create' | 'update';
  /** Updates: every field the API server says it would store differently (server-side dry run); creations: the object. */
  changes: RecordedChange[];
  ignoredDifferences: number;
  /** The API server's verdict on the apply (server-side dry run): nothing is stored. */
  dryRun: { ok: true } | { ok: false; code: string; message: string };
}

export interface PlanView {
  target: string;
  commit: string;
  syncedCommit: string | null;
  apply: PlannedObject[];
  prune: Array<{ object: string; apiVersion: string; kind: string; namespace: string | null; name: string; willPrune: boolean }>;
  unchanged: number;
}

/**
 * What a sync of the newest allowed commit would do, without doing it: the diff of every object
 * that differs (Secret values redacted), each apply checked by the API server in dry-run mode,
 * and what prune would delete.
 */
export async function buildPlan(target: Target, allowed: AllowedCommit, kube: KubeAdapter, inventory: InventoryRow[], syncedCommit: string | null): Promise<PlanView> {
  const byId = new Map(inventory.map((r) => [keyString(r.key), r]));
  const desired = await renderCommit(allowed, target, kube);
  const kinds = [...desired.map((d) => ({ apiVersion: d.apiVersion, kind: d.key.kind })), ...inventory.map((r) => ({ apiVersion: r.apiVersion, kind: r.key.kind }))];
  const plan = planSync(desired, await readLive(kube, kinds), byId, target.id, target.settings.ignoreDifferences);
  const apply: PlannedObject[] = plan.apply.map((p) => ({
    object: describeKey(p.desired.key),
    apiVersion: p.desired.apiVersion,
    kind: p.desired.key.kind,
    namespace: p.desired.key.namespace || null,
    name: p.desired.key.name,
    source: p.desired.source,
    operation: p.live ? 'update' : 'create',
    changes: recordedChanges(p.desired.key, p.diff.changes),
    ignoredDifferences: p.diff.ignored.length,
    dryRun: { ok: true },
  }));
  await eachLimit(plan.apply.map((p, i) => ({ p, i })), 8, async ({ p, i }) => {
    try {
      const wouldStore = await kube.apply(p.diff.patched, { force: target.settings.forceConflicts, dryRun: true });
      // The server's own answer: what it would store, against what it stores now.
      if (p.live) apply[i].changes = recordedChanges(p.desired.key, storedDiff(p.live, wouldStore));
    } catch (err) {
      apply[i].dryRun = { ok: false, code: codeOf(err), message: errorMessage(err) };
    }
  });
  return {
    target: target.id,
    commit: allowed.sha,
    syncedCommit,
    apply,
    prune: plan.prune.map((r) => ({ object: describeKey(r.key), apiVersion: r.apiVersion, kind: r.key.kind, namespace: r.key.namespace || null, name: r.key.name, willPrune: target.settings.prune })),
    unchanged: plan.unchanged.length,
  };
}
