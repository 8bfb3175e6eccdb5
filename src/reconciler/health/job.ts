import type { KubeObject } from '../kube/kube-object';
import { condition, specOf, text } from './health-fields';
import type { Health } from './health.types';

export function jobHealth(obj: KubeObject): Health {
  const failed = condition(obj, 'Failed');
  if (failed?.status === 'True') return { status: 'Degraded', message: text(failed.message) || text(failed.reason) || 'the Job failed' };
  const complete = condition(obj, 'Complete');
  if (complete?.status === 'True') return { status: 'Healthy', message: text(complete.message) || 'the Job completed' };
  if (specOf(obj).suspend === true) return { status: 'Suspended', message: 'the Job is suspended' };
  return { status: 'Progressing', message: 'the Job is running' };
}
