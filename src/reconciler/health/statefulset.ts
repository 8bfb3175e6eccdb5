import type { KubeObject } from '../kube/kube-object';
import { generationObserved, num, specOf, statusOf, text } from './health-fields';
import type { Health } from './health.types';

export function statefulSetHealth(obj: KubeObject): Health {
  const spec = specOf(obj);
  const status = statusOf(obj);
  if (!generationObserved(obj)) return { status: 'Progressing', message: 'waiting for the update to be observed' };
  const replicas = num(spec.replicas, 1);
  const ready = num(status.readyReplicas);
  if (ready < replicas) return { status: 'Progressing', message: `${ready} of ${replicas} replicas ready` };
  const strategy = typeof spec.updateStrategy === 'object' && spec.updateStrategy !== null && !Array.isArray(spec.updateStrategy) ? spec.updateStrategy : {};
  if (strategy.type === 'OnDelete') return { status: 'Healthy', message: 'updated on delete' };
  if (num(status.updatedReplicas) < replicas) return { status: 'Progressing', message: `${num(status.updatedReplicas)} of ${replicas} replicas updated` };
  if (text(status.updateRevision) !== '' && status.currentRevision !== status.updateRevision) return { status: 'Progressing', message: 'waiting for the update to finish' };
  return { status: 'Healthy' };
}
