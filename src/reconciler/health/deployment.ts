import type { KubeObject } from '../kube/kube-object';
import { condition, generationObserved, num, specOf, statusOf, text } from './health-fields';
import type { Health } from './health.types';

/** As `kubectl rollout status` decides: observed, updated, old replicas gone, available; deadline exceeded is Degraded. */
export function deploymentHealth(obj: KubeObject): Health {
  const spec = specOf(obj);
  const status = statusOf(obj);
  if (spec.paused === true) return { status: 'Suspended', message: 'the Deployment is paused' };
  if (!generationObserved(obj)) return { status: 'Progressing', message: 'waiting for the rollout to be observed' };
  const progressing = condition(obj, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { status: 'Degraded', message: text(progressing.message) || 'the rollout exceeded its progress deadline' };
  const replicas = num(spec.replicas, 1);
  const updated = num(status.updatedReplicas);
  if (updated < replicas) return { status: 'Progressing', message: `${updated} of ${replicas} replicas updated` };
  if (num(status.replicas) > updated) return { status: 'Progressing', message: `${num(status.replicas) - updated} old replicas pending termination` };
  if (num(status.availableReplicas) < updated) return { status: 'Progressing', message: `${num(status.availableReplicas)} of ${updated} updated replicas available` };
  return { status: 'Healthy' };
}
