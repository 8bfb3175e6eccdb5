import type { SyncResult } from '../loop';
import type { RegisteredTarget } from '../reconciler.service';
import type { TargetStatusRow } from '../state/reconciler.store';
import type { ClusterConfig } from '../target-settings';

/** How a target reaches its cluster, without anything secret (no kubeconfig contents, no tokens). */
export function clusterView(c: ClusterConfig): Record<string, unknown> {
  if (c.sandbox) return { kind: 'sandbox' };
  if (c.inCluster) return { kind: 'in-cluster' };
  return { kind: 'kubeconfig', ...(c.context ? { context: c.context } : {}) };
}

export function targetView(t: RegisteredTarget, status: TargetStatusRow) {
  const { target } = t;
  return {
    id: target.id,
    repository: target.repositoryId,
    branch: target.branch,
    manifestPath: target.manifestPath,
    namespace: target.namespace,
    cluster: clusterView(target.cluster),
    clusterResources: target.clusterResources,
    ...(target.namespaces ? { namespaces: target.namespaces } : {}),
    settings: target.settings,
    settingsUpdatedAt: t.updatedAt ?? null,
    settingsUpdatedBy: t.updatedBy ?? null,
    status: {
      syncedCommit: status.syncedCommit,
      syncedAt: status.syncedAt,
      health: status.health,
      healthMessage: status.healthMessage,
      syncing: status.openSync !== null,
      lastSync: status.lastSync,
      lastError: t.error ? { class: 'stalled', code: 'kube-config', message: t.error } : status.lastError,
      lastDrift: status.lastDrift,
    },
  };
}

export function syncResultView(r: SyncResult) {
  return {
    outcome: r.outcome,
    commit: r.commit,
    trigger: r.trigger,
    startedSeq: r.startedSeq ?? null,
    finishedSeq: r.finishedSeq ?? null,
    counts: r.counts,
    health: r.health ? { status: r.health.status, message: r.health.message ?? null } : null,
    error: r.error ?? null,
  };
}
