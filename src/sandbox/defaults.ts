import { type JsonObject, type JsonValue, isObject, metaOf, str } from './sandbox.types';

function setDefault(obj: JsonObject, key: string, value: JsonValue): void {
  if (obj[key] === undefined) obj[key] = value;
}

function objectAt(obj: JsonObject, key: string): JsonObject {
  const v = obj[key];
  if (isObject(v)) return v;
  const created: JsonObject = {};
  obj[key] = created;
  return created;
}

function defaultContainer(c: JsonValue): void {
  if (!isObject(c)) return;
  const image = str(c.image) ?? '';
  const tag = image.includes('@') ? 'digest' : (image.split('/').pop() ?? '').split(':')[1];
  setDefault(c, 'imagePullPolicy', tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObject(p)) setDefault(p, 'protocol', 'TCP');
}

function defaultPodSpec(spec: JsonObject, restartPolicy: string): void {
  setDefault(spec, 'restartPolicy', restartPolicy);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  for (const key of ['containers', 'initContainers']) {
    const list = spec[key];
    if (Array.isArray(list)) list.forEach(defaultContainer);
  }
}

function defaultTemplate(spec: JsonObject, restartPolicy: string): void {
  const template = spec.template;
  if (isObject(template) && isObject(template.spec)) defaultPodSpec(template.spec, restartPolicy);
}

function defaultService(obj: JsonObject, allocateIp: () => string): void {
  const spec = objectAt(obj, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.type !== 'ExternalName') {
    setDefault(spec, 'clusterIP', allocateIp());
    setDefault(spec, 'clusterIPs', [spec.clusterIP as JsonValue]);
    setDefault(spec, 'ipFamilies', ['IPv4']);
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  }
  if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!isObject(p)) continue;
      setDefault(p, 'protocol', 'TCP');
      if (p.port !== undefined) setDefault(p, 'targetPort', p.port);
    }
  }
}

function encodeStringData(obj: JsonObject): void {
  const stringData = obj.stringData;
  delete obj.stringData;
  setDefault(obj, 'type', 'Opaque');
  if (!isObject(stringData)) return;
  const data = objectAt(obj, 'data');
  for (const [k, v] of Object.entries(stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
}

/**
 * The defaults the real API server fills in for the fields a GitOps diff meets most often
 * (replicas, strategies, pod template defaults, Service cluster IPs, Secret stringData).
 * Mutates `obj`, a fresh copy owned by the caller.
 */
export function applyDefaults(obj: JsonObject, allocateIp: () => string): void {
  const spec = isObject(obj.spec) ? obj.spec : undefined;
  switch (obj.kind) {
    case 'Deployment':
      if (!spec) return;
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      setDefault(spec, 'strategy', { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
      return defaultTemplate(spec, 'Always');
    case 'StatefulSet':
      if (!spec) return;
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      return defaultTemplate(spec, 'Always');
    case 'DaemonSet':
      if (!spec) return;
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
      return defaultTemplate(spec, 'Always');
    case 'ReplicaSet':
      if (!spec) return;
      setDefault(spec, 'replicas', 1);
      return defaultTemplate(spec, 'Always');
    case 'Job':
      if (!spec) return;
      setDefault(spec, 'parallelism', 1);
      setDefault(spec, 'completions', 1);
      setDefault(spec, 'backoffLimit', 6);
      setDefault(spec, 'completionMode', 'NonIndexed');
      setDefault(spec, 'suspend', false);
      return defaultTemplate(spec, 'Never');
    case 'Pod':
      if (spec) defaultPodSpec(spec, 'Always');
      return;
    case 'Service':
      return defaultService(obj, allocateIp);
    case 'Secret':
      return encodeStringData(obj);
    case 'PersistentVolumeClaim':
      if (spec) setDefault(spec, 'volumeMode', 'Filesystem');
      return;
    case 'Namespace': {
      const labels = objectAt(objectAt(obj, 'metadata'), 'labels');
      labels['kubernetes.io/metadata.name'] = str(metaOf(obj).name) ?? '';
      return;
    }
    default:
      return;
  }
}
