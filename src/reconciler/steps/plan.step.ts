import { diffObject, type ObjectDiff } from '../diff/diff';
import { ignoreFor } from '../diff/ignore';
import { describeKey, stringMap, type KubeObject } from '../kube/kube-object';
import { FIELD_MANAGER } from '../kube/kube.adapter';
import { kindRank, TARGET_LABEL, type DesiredObject } from '../render/render';
import { ReconcilerException } from '../reconciler.exception';
import type { InventoryRow } from '../state/reconciler.store';
import type { IgnoreRule } from '../target-settings';

export interface PlannedApply {
  desired: DesiredObject;
  live?: KubeObject;
  diff: ObjectDiff;
}

export interface Plan {
  apply: PlannedApply[];
  /** In sync: nothing to send. */
  unchanged: Array<{ desired: DesiredObject; live: KubeObject }>;
  /** In the inventory, no longer desired (pruned only when the target prunes). */
  prune: InventoryRow[];
}

/** Refuses to take over an object another target manages (two targets fighting over one object). */
function checkOwner(desired: DesiredObject, live: KubeObject | undefined, targetId: string): void {
  const owner = live ? stringMap(live.metadata.labels)[TARGET_LABEL] : undefined;
  if (owner !== undefined && owner !== targetId) {
    throw new ReconcilerException('owned-elsewhere', `${desired.source}: ${describeKey(desired.key)} is managed by target ${JSON.stringify(owner)}; remove it from one of the two targets`, { object: desired.id, owner });
  }
}

/** Pure: what a sync must apply and prune, from the desired objects, the live ones and the inventory. */
export function planSync(desired: readonly DesiredObject[], live: ReadonlyMap<string, KubeObject>, inventory: ReadonlyMap<string, InventoryRow>, targetId: string, ignore: readonly IgnoreRule[]): Plan {
  const plan: Plan = { apply: [], unchanged: [], prune: [] };
  const wanted = new Set<string>();
  for (const d of desired) {
    wanted.add(d.id);
    const current = live.get(d.id);
    checkOwner(d, current, targetId);
    const diff = diffObject(d.object, current, { ignore: ignoreFor(ignore, d.key), removalsOf: FIELD_MANAGER });
    if (current && diff.changes.length === 0) plan.unchanged.push({ desired: d, live: current });
    else plan.apply.push({ desired: d, live: current, diff });
  }
  for (const [id, row] of inventory) if (!wanted.has(id)) plan.prune.push(row);
  // Dependents first, namespaces and CRDs last.
  plan.prune.sort((a, b) => kindRank(b.key.kind) - kindRank(a.key.kind));
  return plan;
}
