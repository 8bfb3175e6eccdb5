import { healthOf } from '../health/health';
import { worst, type Health, type HealthStatus } from '../health/health.types';
import { describeKey, type KubeObject } from '../kube/kube-object';
import type { DesiredObject } from '../render/render';
import { ReconcilerException } from '../reconciler.exception';
import { readLive } from './live.step';
import { sleep, type SyncContext } from './sync-context';

const WATCHED = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'batch/Job', '/Pod', '/Service', '/PersistentVolumeClaim']);

export interface TargetHealth extends Health {
  /** Objects that are not healthy, with why. */
  unhealthy: Array<{ object: string; status: HealthStatus; message?: string }>;
}

/** Pure: the health of the desired objects given the live ones (kinds without a check are healthy once they exist). */
export function aggregateHealth(desired: readonly DesiredObject[], live: ReadonlyMap<string, KubeObject>): TargetHealth {
  let status: HealthStatus = 'Healthy';
  const unhealthy: TargetHealth['unhealthy'] = [];
  for (const d of desired) {
    const h = healthOf(live.get(d.id));
    status = worst(status, h.status);
    if (h.status !== 'Healthy') unhealthy.push({ object: describeKey(d.key), status: h.status, ...(h.message ? { message: h.message } : {}) });
  }
  const first = unhealthy[0];
  return { status, unhealthy, ...(first ? { message: `${first.object}: ${first.status}${first.message ? ` (${first.message})` : ''}${unhealthy.length > 1 ? ` and ${unhealthy.length - 1} more` : ''}` } : {}) };
}

/** Reads the live objects whose health can change and aggregates. */
export async function currentHealth(ctx: Pick<SyncContext, 'kube'>, desired: readonly DesiredObject[]): Promise<TargetHealth> {
  const checked = desired.filter((d) => WATCHED.has(`${d.key.group}/${d.key.kind}`));
  const live = await readLive(ctx.kube, checked.map((d) => ({ apiVersion: d.apiVersion, kind: d.key.kind })));
  const present = new Map<string, KubeObject>();
  for (const d of desired) {
    // Kinds without a health check are not read again: applied is healthy.
    const obj = WATCHED.has(`${d.key.group}/${d.key.kind}`) ? live.get(d.id) : d.object;
    if (obj) present.set(d.id, obj);
  }
  return aggregateHealth(desired, present);
}

/**
 * Waits until every desired object is healthy (or suspended). A Degraded object ends the wait at
 * once (it needs a person); still progressing after the timeout is a health-timeout.
 */
export async function waitForHealth(ctx: SyncContext, desired: readonly DesiredObject[], timeoutSeconds: number): Promise<TargetHealth> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    const health = await currentHealth(ctx, desired);
    if (health.status === 'Healthy' || health.status === 'Suspended') return health;
    if (health.status === 'Degraded') throw new ReconcilerException('health-degraded', `not healthy: ${health.message}`, { health });
    if (Date.now() >= deadline || ctx.signal?.aborted) throw new ReconcilerException('health-timeout', `not healthy after ${timeoutSeconds}s: ${health.message}`, { health });
    await sleep(Math.min(wait, Math.max(0, deadline - Date.now())), ctx.signal);
  }
}
