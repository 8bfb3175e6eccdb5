import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/kube-object';
import { healthOf } from './health';
import { worst, type HealthStatus } from './health.types';

function fixture(name: string): KubeObject {
  return parse(readFileSync(join(__dirname, 'testdata', `${name}.yaml`), 'utf8')) as KubeObject;
}

const CASES: Array<[string, HealthStatus, RegExp?]> = [
  ['deployment-healthy', 'Healthy'],
  ['deployment-not-observed', 'Progressing', /observed/],
  ['deployment-rolling', 'Progressing', /2 of 3 replicas updated/],
  ['deployment-old-pending', 'Progressing', /1 old replicas pending/],
  ['deployment-unavailable', 'Progressing', /1 of 3 updated replicas available/],
  ['deployment-deadline', 'Degraded', /timed out progressing/],
  ['deployment-paused', 'Suspended'],
  ['deployment-no-status', 'Progressing'],
  ['statefulset-healthy', 'Healthy'],
  ['statefulset-updating', 'Progressing', /update to finish/],
  ['statefulset-not-ready', 'Progressing', /1 of 3 replicas ready/],
  ['statefulset-ondelete', 'Healthy'],
  ['daemonset-healthy', 'Healthy'],
  ['daemonset-rolling', 'Progressing', /1 of 3 pods updated/],
  ['daemonset-unavailable', 'Progressing', /2 of 3/],
  ['job-complete', 'Healthy'],
  ['job-failed', 'Degraded', /backoff limit/],
  ['job-running', 'Progressing'],
  ['job-suspended', 'Suspended'],
  ['pod-running', 'Healthy'],
  ['pod-crashloop', 'Degraded', /CrashLoopBackOff/],
  ['pod-pending', 'Progressing', /Pending/],
  ['pod-succeeded', 'Healthy'],
  ['pod-failed', 'Degraded', /OOMKilled/],
  ['pod-unready', 'Progressing', /app/],
  ['service-clusterip', 'Healthy'],
  ['service-lb-pending', 'Progressing', /load balancer/],
  ['service-lb-ready', 'Healthy'],
  ['pvc-bound', 'Healthy'],
  ['pvc-pending', 'Progressing'],
  ['pvc-lost', 'Degraded'],
  ['configmap', 'Healthy'],
  ['deleting', 'Progressing', /being deleted/],
];

describe('health per kind', () => {
  it.each(CASES)('%s is %s', (name, status, message) => {
    const health = healthOf(fixture(name));
    expect(health.status).toBe(status);
    if (message) expect(health.message).toMatch(message);
  });

  it('reports a missing object as Missing', () => {
    expect(healthOf(undefined).status).toBe('Missing');
  });

  it('orders statuses worst first', () => {
    expect(worst('Healthy', 'Progressing')).toBe('Progressing');
    expect(worst('Degraded', 'Progressing')).toBe('Degraded');
    expect(worst('Suspended', 'Healthy')).toBe('Suspended');
    expect(worst('Missing', 'Progressing')).toBe('Missing');
  });
});
