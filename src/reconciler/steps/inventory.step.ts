import type { KubeObject } from '../kube/kube-object';
import { stringMap } from '../kube/kube-object';
import { COMMIT_ANNOTATION, type DesiredObject } from '../render/render';
import type { SyncContext } from './sync-context';

/**
 * Brings the inventory in line for objects that need no apply. On a resumed sync, an object the
 * interrupted run applied (it carries this commit) but never recorded is recorded now, marked
 * `recovered`; otherwise only the inventory row is refreshed (nothing changed in the cluster).
 */
export async function reconcileInventory(ctx: SyncContext, unchanged: ReadonlyArray<{ desired: DesiredObject; live: KubeObject }>, recordedInResumedSync: Set<string> | undefined): Promise<void> {
  const refresh = [];
  for (const { desired, live } of unchanged) {
    const row = ctx.inventory.get(desired.id);
    if (row && row.appliedHash === desired.hash) continue;
    const liveCommit = stringMap(live.metadata.annotations)[COMMIT_ANNOTATION];
    if (recordedInResumedSync && liveCommit === ctx.commit && !recordedInResumedSync.has(desired.id)) {
      await ctx.recorder.recordApplied({ key: desired.key, apiVersion: desired.apiVersion, syncSeq: ctx.syncSeq, commit: ctx.commit, hash: desired.hash, operation: row ? 'updated' : 'created', changes: [], result: live, tookOwnership: [], recovered: true });
      continue;
    }
    refresh.push({
      key: desired.key,
      apiVersion: desired.apiVersion,
      uid: typeof live.metadata.uid === 'string' ? live.metadata.uid : null,
      resourceVersion: typeof live.metadata.resourceVersion === 'string' ? live.metadata.resourceVersion : null,
      appliedHash: desired.hash,
      commit: liveCommit && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(liveCommit) ? liveCommit : ctx.commit,
      appliedSeq: row?.appliedSeq ?? null,
      appliedAt: ctx.clock.now().toISOString(),
    });
  }
  if (refresh.length > 0) await ctx.recorder.refreshInventory(refresh);
}
