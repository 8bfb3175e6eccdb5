import { groupOf, type KubeObject } from '../kube/kube-object';
import { daemonSetHealth } from './daemonset';
import { deploymentHealth } from './deployment';
import type { Health, HealthCheck } from './health.types';
import { jobHealth } from './job';
import { pvcHealth } from './persistentvolumeclaim';
import { podHealth } from './pod';
import { serviceHealth } from './service';
import { statefulSetHealth } from './statefulset';

const CHECKS: Record<string, HealthCheck> = {
  'apps/Deployment': deploymentHealth,
  'apps/StatefulSet': statefulSetHealth,
  'apps/DaemonSet': daemonSetHealth,
  'batch/Job': jobHealth,
  '/Pod': podHealth,
  '/Service': serviceHealth,
  '/PersistentVolumeClaim': pvcHealth,
};

/** The health of one live object (undefined: it does not exist). Kinds without a check are healthy once applied. */
export function healthOf(live: KubeObject | undefined): Health {
  if (!live) return { status: 'Missing', message: 'the object does not exist' };
  if (live.metadata.deletionTimestamp !== undefined) return { status: 'Progressing', message: 'the object is being deleted' };
  const check = CHECKS[`${groupOf(live.apiVersion)}/${live.kind}`];
  return check ? check(live) : { status: 'Healthy' };
}
