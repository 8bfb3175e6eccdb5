import { createHash } from 'node:crypto';
import { type JsonObject, type JsonValue, type KubeObject, isObject, metaOf, str } from '../sandbox.types';
import { compact, conditions } from './conditions';

/** Where a simulated rollout stands: just observed, finished, or failed after the delay. */
export type Stage = 'progressing' | 'ready' | 'failed';

export interface StatusContext {
  stage: Stage;
  now: string;
  nodes: number;
  /** A stable small number per object, for pod and load-balancer addresses. */
  ordinal: number;
}

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod-template-hash style name suffix for a template. */
export function templateHash(template: JsonValue | undefined): string {
  const digest = createHash('sha256').update(JSON.stringify(template ?? null)).digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += HASH_ALPHABET[digest[i] % HASH_ALPHABET.length];
  return out;
}

function specOf(obj: KubeObject): JsonObject {
  return isObject(obj.spec) ? obj.spec : {};
}

function oldStatus(obj: KubeObject): JsonObject {
  return isObject(obj.status) ? obj.status : {};
}

function num(value: JsonValue | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function deploymentStatus(obj: KubeObject, ctx: StatusContext): JsonObject {
  const spec = specOf(obj);
  const prev = oldStatus(obj);
  const replicas = num(spec.replicas, 1);
  const rs = `${str(metaOf(obj).name)}-${templateHash(spec.template)}`;
  const ready = ctx.stage === 'ready';
  const available = ready ? replicas : Math.min(num(prev.availableReplicas, 0), replicas);
  const progressing =
    spec.paused === true
      ? ({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' } as const)
      : ctx.stage === 'failed'
        ? ({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs}" has timed out progressing.` } as const)
        : ready
          ? ({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs}" has successfully progressed.` } as const)
          : ({ status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.` } as const);
  const isAvailable = available >= replicas || (available > 0 && !ready);
  return compact({
    observedGeneration: num(metaOf(obj).generation, 1),
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready ? replicas : Math.min(num(prev.readyReplicas, 0), replicas),
    availableReplicas: available,
    unavailableReplicas: replicas - available,
    conditions: conditions(
      prev.conditions,
      [
        isAvailable
          ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
          : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
        { type: 'Progressing', ...progressing },
      ],
      ctx.now,
      true,
    ),
  });
}

function statefulSetStatus(obj: KubeObject, ctx: StatusContext): JsonObject {
  const spec = specOf(obj);
  const prev = oldStatus(obj);
  const replicas = num(spec.replicas, 1);
  const updateRevision = `${str(metaOf(obj).name)}-${templateHash(spec.template).slice(0, 10)}`;
  const ready = ctx.stage === 'ready';
  const currentRevision = ready ? updateRevision : (str(prev.currentRevision) ?? updateRevision);
  const count = ready ? replicas : Math.min(num(prev.readyReplicas, 0), replicas);
  return compact({
    observedGeneration: num(metaOf(obj).generation, 1),
    replicas,
    readyReplicas: count,
    currentReplicas: ready ? replicas : num(prev.currentReplicas, 0),
    updatedReplicas: ready ? replicas : 0,
    availableReplicas: count,
    currentRevision,
    updateRevision,
    collisionCount: 0,
  });
}

function daemonSetStatus(obj: KubeObject, ctx: StatusContext): JsonObject {
  const prev = oldStatus(obj);
  const n = ctx.nodes;
  const ready = ctx.stage === 'ready';
  const numberReady = ready ? n : Math.min(num(prev.numberReady, 0), n);
  return compact({
    currentNumberScheduled: n,
    desiredNumberScheduled: n,
    numberMisscheduled: 0,
    numberReady,
    observedGeneration: num(metaOf(obj).generation, 1),
    updatedNumberScheduled: ready ? n : 0,
    numberAvailable: numberReady,
    numberUnavailable: n - numberReady,
  });
}

function replicaSetStatus(obj: KubeObject, ctx: StatusContext): JsonObject {
  const replicas = num(specOf(obj).replicas, 1);
  const ready = ctx.stage === 'ready' ? replicas : 0;
  return compact({ replicas, fullyLabeledReplicas: replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: num(metaOf(obj).generation, 1) });
}

function jobStatus(obj: KubeObject, ctx: StatusContext): JsonObject {
  const spec = specOf(obj);
  const prev = oldStatus(obj);
  const startTime = str(prev.startTime) ?? ctx.now;
  if (spec.suspend === true) return { ...prev };
  if (ctx.stage === 'progressing') return { startTime, active: num(spec.parallelism, 1), ready: 0, terminating: 0, uncountedTerminatedPods: {} };
  if (ctx.stage === 'failed') {
    const message = 'Job has reached the specified backoff limit';
    return {
      conditions: conditions(prev.conditions, [
        { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message },
        { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message },
      ], ctx.now, true),
      startTime,
      failed: num(spec.backoffLimit, 6) + 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
  }
  const message = 'Reached expected number of succeeded pods';
  return {
    conditions: conditions(prev.conditions, [
      { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message },
      { type: 'Complete', status: 'True', reason: 'CompletionsReached', message },
    ], ctx.now, true),
    startTime,
    completionTime: str(prev.completionTime) ?? ctx.now,
    succeeded: num(spec.completions, 1),
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
  };
}

function containerNames(obj: KubeObject): { name: string; image: string }[] {
  const list = specOf(obj).containers;
  return (Array.isArray(list) ? list.filter(isObject) : []).map((c) => ({ name: str(c.name) ?? '', image: str(c.image) ?? '' }));
}

function podStatus(obj: KubeObject, ctx: StatusContext): JsonObject {
  const prev = oldStatus(obj);
  const scheduled = { type: 'PodScheduled', status: 'True', reason: '', message: '' } as const;
  if (ctx.stage === 'progressing') {
    return { phase: 'Pending', conditions: conditions(prev.conditions, [scheduled], ctx.now, false).map(stripEmpty), qosClass: 'BestEffort' };
  }
  const ok = ctx.stage === 'ready';
  const containers = containerNames(obj);
  const startedAt = str(prev.startTime) ?? ctx.now;
  const notReady = ok ? undefined : { reason: 'ContainersNotReady', message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]` };
  const readyCond = (type: string) => (ok ? { type, status: 'True' as const, reason: '', message: '' } : { type, status: 'False' as const, ...(notReady as { reason: string; message: string }) });
  const ip = `10.244.${Math.floor(ctx.ordinal / 250) % 250}.${(ctx.ordinal % 250) + 2}`;
  return {
    phase: 'Running',
    conditions: conditions(prev.conditions, [
      { type: 'Initialized', status: 'True', reason: '', message: '' },
      readyCond('Ready'),
      readyCond('ContainersReady'),
      scheduled,
    ], ctx.now, false).map(stripEmpty),
    hostIP: '172.18.0.2',
    podIP: ip,
    podIPs: [{ ip }],
    startTime: startedAt,
    containerStatuses: containers.map((c): JsonObject => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: ok,
      started: ok,
      restartCount: ok ? 0 : 3,
      state: ok ? ({ running: { startedAt } } as JsonObject) : { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=${c.name}` } },
    })),
    qosClass: 'BestEffort',
  };
}

function stripEmpty(c: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(c)) if (v !== '') out[k] = v;
  return out;
}

function pvcStatus(obj: KubeObject, ctx: StatusContext): JsonObject {
  if (ctx.stage !== 'ready') return { phase: 'Pending' };
  const spec = specOf(obj);
  const resources = isObject(spec.resources) ? spec.resources : {};
  const out: JsonObject = { phase: 'Bound' };
  if (Array.isArray(spec.accessModes)) out.accessModes = spec.accessModes;
  if (isObject(resources.requests)) out.capacity = resources.requests;
  return out;
}

function serviceStatus(obj: KubeObject, ctx: StatusContext): JsonObject {
  if (specOf(obj).type !== 'LoadBalancer' || ctx.stage !== 'ready') return { loadBalancer: {} };
  return { loadBalancer: { ingress: [{ ip: `198.51.100.${(ctx.ordinal % 250) + 1}`, ipMode: 'VIP' }] } };
}

const BY_KIND: Record<string, (obj: KubeObject, ctx: StatusContext) => JsonObject> = {
  Deployment: deploymentStatus,
  StatefulSet: statefulSetStatus,
  DaemonSet: daemonSetStatus,
  ReplicaSet: replicaSetStatus,
  Job: jobStatus,
  Pod: podStatus,
  PersistentVolumeClaim: pvcStatus,
  Service: serviceStatus,
};

export const SIMULATED_KINDS = new Set(Object.keys(BY_KIND));

/** The status a controller would write for `obj` at `ctx.stage`; pure. */
export function simulatedStatus(obj: KubeObject, ctx: StatusContext): JsonObject | undefined {
  const fn = BY_KIND[obj.kind];
  return fn ? fn(obj, ctx) : undefined;
}

/** Which controller writes the status of each kind, as the managedFields of a real cluster show. */
export function statusManager(kind: string): string {
  if (kind === 'Pod') return 'kubelet';
  if (kind === 'Service') return 'cloud-controller-manager';
  return 'kube-controller-manager';
}
