import { isJsonObject, type KubeObject } from '../kube/kube-object';
import { specOf, statusOf } from './health-fields';
import type { Health } from './health.types';

/** A LoadBalancer Service is healthy once it has an ingress address; other Services at once. */
export function serviceHealth(obj: KubeObject): Health {
  if (specOf(obj).type !== 'LoadBalancer') return { status: 'Healthy' };
  const lb = statusOf(obj).loadBalancer;
  const ingress = isJsonObject(lb) && Array.isArray(lb.ingress) ? lb.ingress : [];
  return ingress.length > 0 ? { status: 'Healthy' } : { status: 'Progressing', message: 'waiting for a load balancer address' };
}
