import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../sandbox.types';
import { simulatedStatus, templateHash } from './workload-status';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', generation: 3 },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'a', image: 'x' }] } } },
};
const ctx = { now: '2024-01-01T00:00:00Z', nodes: 1, ordinal: 0 };

describe('simulated deployment status', () => {
  it('reports progress, then availability, then a deadline failure with the real reasons', () => {
    const progressing = simulatedStatus(deployment, { ...ctx, stage: 'progressing' });
    expect(progressing).toMatchObject({ observedGeneration: 3, replicas: 2, updatedReplicas: 2, unavailableReplicas: 2 });
    expect(progressing?.readyReplicas).toBeUndefined();
    const ready = simulatedStatus({ ...deployment, status: progressing ?? {} }, { ...ctx, stage: 'ready', now: '2024-01-01T00:01:00Z' });
    expect(ready).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
    const conditions = ready?.conditions as { type: string; reason: string; lastTransitionTime: string }[];
    expect(conditions.map((c) => `${c.type}:${c.reason}`)).toEqual(['Available:MinimumReplicasAvailable', 'Progressing:NewReplicaSetAvailable']);
    expect(conditions[1].lastTransitionTime).toBe('2024-01-01T00:00:00Z');
    const failed = simulatedStatus(deployment, { ...ctx, stage: 'failed' });
    expect((failed?.conditions as { type: string; status: string; reason: string; message: string }[])[1]).toEqual(
      expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "web-${templateHash(deployment.spec && (deployment.spec as { template: never }).template)}" has timed out progressing.` }),
    );
  });

  it('leaves kinds without a simulated controller alone', () => {
    expect(simulatedStatus({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, { ...ctx, stage: 'ready' })).toBeUndefined();
  });
});
