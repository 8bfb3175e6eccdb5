import { isApiCode } from '../kube/kube-errors';
import type { ObjectRef } from '../kube/kube.adapter';
import { stringMap, type KubeObject } from '../kube/kube-object';
import { MANAGED_BY, MANAGED_BY_LABEL, TARGET_LABEL } from '../render/render';
import type { InventoryRow } from '../state/reconciler.store';
import type { Progress } from './apply.step';
import type { SyncContext } from './sync-context';

function refOfRow(row: InventoryRow): ObjectRef {
  return { apiVersion: row.apiVersion, kind: row.key.kind, namespace: row.key.namespace, name: row.key.name };
}

async function readOrGone(ctx: SyncContext, ref: ObjectRef): Promise<KubeObject | undefined> {
  try {
    return await ctx.kube.get(ref);
  } catch (err) {
    if (isApiCode(err, 'unknown-kind')) return undefined; // its CRD is gone, and the object with it
    throw err;
  }
}

/**
 * Deletes what gitseal applied before and no longer wants. Only inventory rows are candidates,
 * and only objects that still carry this target's label and the uid gitseal recorded are
 * deleted; anything else is released from the inventory and left alone.
 */
export async function pruneStep(ctx: SyncContext, rows: readonly InventoryRow[], progress: Progress, release: (row: InventoryRow) => Promise<void>): Promise<void> {
  for (const row of rows) {
    const ref = refOfRow(row);
    const live = await readOrGone(ctx, ref);
    const base = { key: row.key, apiVersion: row.apiVersion, syncSeq: ctx.syncSeq, commit: ctx.commit };
    if (!live) {
      await ctx.recorder.pruned({ ...base, uid: row.uid, alreadyGone: true });
      progress.pruned++;
      continue;
    }
    const labels = stringMap(live.metadata.labels);
    const uid = typeof live.metadata.uid === 'string' ? live.metadata.uid : null;
    if (labels[TARGET_LABEL] !== ctx.target.id || labels[MANAGED_BY_LABEL] !== MANAGED_BY || (row.uid !== null && uid !== row.uid)) {
      await release(row);
      continue;
    }
    const deleted = await ctx.kube.delete(ref, uid ?? undefined);
    await ctx.recorder.pruned({ ...base, uid, alreadyGone: !deleted });
    progress.pruned++;
  }
}
