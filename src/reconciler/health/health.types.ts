import type { KubeObject } from '../kube/kube-object';

/** Argo CD's health vocabulary: what `GET /api/targets/:id` and the ledger report. */
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

export interface Health {
  status: HealthStatus;
  message?: string;
}

export type HealthCheck = (live: KubeObject) => Health;

/** Worst first: the health of a set of objects is the worst of theirs. */
const SEVERITY: Record<HealthStatus, number> = { Degraded: 5, Missing: 4, Unknown: 3, Progressing: 2, Suspended: 1, Healthy: 0 };

export function worst(a: HealthStatus, b: HealthStatus): HealthStatus {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}
