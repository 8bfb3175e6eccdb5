import type { KubeObject } from '../kube/kube-object';
import { generationObserved, num, specOf, statusOf } from './health-fields';
import type { Health } from './health.types';

export function daemonSetHealth(obj: KubeObject): Health {
  const status = statusOf(obj);
  if (!generationObserved(obj)) return { status: 'Progressing', message: 'waiting for the rollout to be observed' };
  const strategy = specOf(obj).updateStrategy;
  if (typeof strategy === 'object' && strategy !== null && !Array.isArray(strategy) && strategy.type === 'OnDelete') return { status: 'Healthy', message: 'updated on delete' };
  const desired = num(status.desiredNumberScheduled);
  const updated = num(status.updatedNumberScheduled);
  if (updated < desired) return { status: 'Progressing', message: `${updated} of ${desired} pods updated` };
  const available = num(status.numberAvailable);
  if (available < desired) return { status: 'Progressing', message: `${available} of ${desired} updated pods available` };
  return { status: 'Healthy' };
}
