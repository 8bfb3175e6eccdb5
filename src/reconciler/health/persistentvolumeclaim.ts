import type { KubeObject } from '../kube/kube-object';
import { statusOf, text } from './health-fields';
import type { Health } from './health.types';

export function pvcHealth(obj: KubeObject): Health {
  const phase = text(statusOf(obj).phase);
  if (phase === 'Bound') return { status: 'Healthy' };
  if (phase === 'Lost') return { status: 'Degraded', message: 'the claim lost its volume' };
  return { status: 'Progressing', message: `the claim is ${phase || 'not bound yet'}` };
}
