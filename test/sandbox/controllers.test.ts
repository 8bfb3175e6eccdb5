import { AppsV1Api, type KubernetesObject, PatchStrategy, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAIL_ANNOTATION, type KubeObject, type SandboxApiServer } from '../../src/sandbox';
import { deployment, objectApi, startSandbox, waitFor } from './helpers';

type Condition = { type: string; status: string; reason: string; message: string };

function condition(obj: KubeObject | V1Deployment | undefined, type: string): Condition | undefined {
  const status = obj?.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

const podTemplate = (name: string) => ({ metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } });

describe('sandbox simulated controllers', () => {
  let sandbox: SandboxApiServer;
  const apply = (obj: KubernetesObject) => objectApi(sandbox).patch(obj, undefined, undefined, 'gitseal', true, PatchStrategy.ServerSideApply);

  beforeAll(async () => {
    sandbox = await startSandbox({ controllerDelayMs: 150, nodes: 3 });
    await objectApi(sandbox).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ctl' } });
  });
  afterAll(async () => sandbox.close());

  it('rolls a Deployment out: progressing first, then available, with a controller managedFields entry', async () => {
    const created = await apply(deployment('web', 'ctl', { replicas: 3 }));
    const progressing = await waitFor(() => {
      const d = sandbox.getObject('apps/v1', 'Deployment', 'ctl', 'web');
      return condition(d, 'Progressing')?.reason === 'ReplicaSetUpdated' ? d : undefined;
    }, 'progressing');
    expect(progressing.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, unavailableReplicas: 3 });
    expect(condition(progressing, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    await sandbox.controllers.idle();
    const apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
    const ready = await apps.readNamespacedDeployment({ name: 'web', namespace: 'ctl' });
    expect(ready.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(condition(ready, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(condition(ready, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(condition(ready, 'Progressing')?.message).toMatch(/^ReplicaSet "web-[a-z0-9]{10}" has successfully progressed\.$/);
    expect(Number(ready.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const controller = ready.metadata?.managedFields?.find((m) => m.manager === 'kube-controller-manager');
    expect(controller).toMatchObject({ operation: 'Update', subresource: 'status' });

    await apply(deployment('web', 'ctl', { replicas: 3, image: 'nginx:2' }));
    const rolling = await waitFor(() => {
      const d = sandbox.getObject('apps/v1', 'Deployment', 'ctl', 'web');
      return (d?.status as { observedGeneration?: number } | undefined)?.observedGeneration === 2 ? d : undefined;
    }, 'observed generation 2');
    expect(rolling.metadata.generation).toBe(2);
    await sandbox.controllers.idle();
    expect(condition(sandbox.getObject('apps/v1', 'Deployment', 'ctl', 'web'), 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('reports ProgressDeadlineExceeded when told to fail, and recovers', async () => {
    sandbox.controllers.failDeployment('ctl', 'bad');
    await apply(deployment('bad', 'ctl', { replicas: 2 }));
    await sandbox.controllers.idle();
    const failed = sandbox.getObject('apps/v1', 'Deployment', 'ctl', 'bad');
    expect(condition(failed, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(condition(failed, 'Available')).toMatchObject({ status: 'False' });
    expect((failed?.status as { readyReplicas?: number }).readyReplicas).toBeUndefined();
    sandbox.controllers.recoverDeployment('ctl', 'bad');
    await waitFor(() => (condition(sandbox.getObject('apps/v1', 'Deployment', 'ctl', 'bad'), 'Available')?.status === 'True' ? true : undefined), 'recovered');
  });

  it('fails a Deployment annotated for the demo', async () => {
    await apply(deployment('annotated', 'ctl', { annotations: { [FAIL_ANNOTATION]: 'true' } }));
    await sandbox.controllers.idle();
    await waitFor(() => (condition(sandbox.getObject('apps/v1', 'Deployment', 'ctl', 'annotated'), 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? true : undefined), 'failed by annotation');
  });

  it('simulates StatefulSet, DaemonSet, Job, Pod, PVC and LoadBalancer Service status', async () => {
    await apply({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'ctl' }, spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: podTemplate('db') } } as KubernetesObject);
    await apply({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'ctl' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: podTemplate('agent') } } as KubernetesObject);
    await apply({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'ctl' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } } } } as KubernetesObject);
    await apply({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'broken', namespace: 'ctl', annotations: { [FAIL_ANNOTATION]: 'true' } }, spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } } } } as KubernetesObject);
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', namespace: 'ctl' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as KubernetesObject);
    await apply({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'ctl' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } as KubernetesObject);
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb', namespace: 'ctl' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] } } as KubernetesObject);
    await waitFor(() => (sandbox.getObject('v1', 'PersistentVolumeClaim', 'ctl', 'data')?.status as { phase?: string })?.phase === 'Bound' || undefined, 'pvc bound');
    await sandbox.controllers.idle();

    const sts = sandbox.getObject('apps/v1', 'StatefulSet', 'ctl', 'db')?.status as Record<string, unknown>;
    expect(sts).toMatchObject({ replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, observedGeneration: 1 });
    expect(sts.currentRevision).toBe(sts.updateRevision);
    expect(String(sts.updateRevision)).toMatch(/^db-/);
    expect(sandbox.getObject('apps/v1', 'DaemonSet', 'ctl', 'agent')?.status).toMatchObject({ desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3 });
    const job = sandbox.getObject('batch/v1', 'Job', 'ctl', 'migrate');
    expect(job?.status).toMatchObject({ succeeded: 1, completionTime: expect.any(String) });
    expect(condition(job, 'Complete')).toMatchObject({ status: 'True' });
    const broken = sandbox.getObject('batch/v1', 'Job', 'ctl', 'broken');
    expect(broken?.status).toMatchObject({ failed: 3 });
    expect(condition(broken, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    const pod = sandbox.getObject('v1', 'Pod', 'ctl', 'solo');
    expect(pod?.status).toMatchObject({ phase: 'Running', containerStatuses: [{ name: 'c', ready: true }] });
    expect(condition(pod, 'Ready')).toMatchObject({ status: 'True' });
    expect(pod?.metadata.managedFields).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'kubelet', subresource: 'status' })]));
    expect(sandbox.getObject('v1', 'PersistentVolumeClaim', 'ctl', 'data')?.status).toMatchObject({ phase: 'Bound', capacity: { storage: '1Gi' } });
    expect(sandbox.getObject('v1', 'Service', 'ctl', 'lb')?.status).toMatchObject({ loadBalancer: { ingress: [{ ip: expect.stringMatching(/^198\.51\.100\./) }] } });
  });

  it('does nothing while paused, and catches up on resume', async () => {
    sandbox.controllers.pause();
    await apply(deployment('later', 'ctl'));
    await new Promise((r) => setTimeout(r, 250));
    expect(sandbox.getObject('apps/v1', 'Deployment', 'ctl', 'later')?.status).toBeUndefined();
    sandbox.controllers.resume();
    await waitFor(() => condition(sandbox.getObject('apps/v1', 'Deployment', 'ctl', 'later'), 'Available')?.status === 'True' || undefined, 'resumed');
  });
});
