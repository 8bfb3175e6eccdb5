import { createHash } from 'node:crypto';
import { canonicalJson } from '../diff/canonical';
import { describeKey, groupOf, isJsonObject, keyString, type JsonObject, type KubeObject, type ObjectKey } from '../kube/kube-object';
import { ReconcilerException } from '../reconciler.exception';
import { where, type ManifestDocument } from './manifest-parser';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'gitseal';
export const TARGET_LABEL = 'gitseal.dev/target';
export const TARGET_ANNOTATION = 'gitseal.dev/target';
/** The commit that last changed the object (not every synced commit: that would rewrite every object on every commit). */
export const COMMIT_ANNOTATION = 'gitseal.dev/commit';

export type Scope = 'namespaced' | 'cluster';

/** Whether a kind is namespaced, from discovery or from a CRD in the same commit; undefined if unknown. */
export type ScopeResolver = (apiVersion: string, kind: string) => Scope | undefined;

export interface RenderTarget {
  id: string;
  namespace: string;
  clusterResources: readonly string[];
  namespaces?: readonly string[];
  maxObjects?: number;
}

export interface DesiredObject {
  key: ObjectKey;
  /** `group/kind/namespace/name`, the inventory key. */
  id: string;
  apiVersion: string;
  namespaced: boolean;
  source: string;
  /** What gitseal applies: labelled, annotated, server-only fields removed. */
  object: KubeObject;
  /** SHA-256 of the canonical object without the commit annotation: unchanged objects keep their hash across commits. */
  hash: string;
}

export const DEFAULT_MAX_OBJECTS = 10_000;
const SERVER_FIELDS = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
const NAME = /^[A-Za-z0-9]([A-Za-z0-9._:-]{0,251}[A-Za-z0-9])?$/;

/** Install order: namespaces, then CRDs, then what others depend on (Helm's order otherwise). */
const ORDER = [
  'Namespace', 'CustomResourceDefinition', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodDisruptionBudget', 'ServiceAccount',
  'Secret', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'ClusterRole', 'ClusterRoleBinding', 'Role',
  'RoleBinding', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler',
  'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];
const RANK = new Map(ORDER.map((k, i) => [k, i]));

export function kindRank(kind: string): number {
  return RANK.get(kind) ?? ORDER.length;
}

/** Scopes of the kinds that CRDs in the commit define (their objects may be applied once the CRD is established). */
export function crdScopes(docs: readonly ManifestDocument[]): Map<string, Scope> {
  const scopes = new Map<string, Scope>();
  for (const { object } of docs) {
    if (object.kind !== 'CustomResourceDefinition' || groupOf(object.apiVersion) !== 'apiextensions.k8s.io' || !isJsonObject(object.spec)) continue;
    const spec = object.spec;
    const names = isJsonObject(spec.names) ? spec.names : {};
    if (typeof spec.group !== 'string' || typeof names.kind !== 'string') continue;
    const scope: Scope = spec.scope === 'Cluster' ? 'cluster' : 'namespaced';
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isJsonObject) : [];
    for (const v of versions) if (typeof v.name === 'string') scopes.set(`${spec.group}/${v.name}/${names.kind}`, scope);
  }
  return scopes;
}

function glob(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

export function clusterResourceAllowed(patterns: readonly string[], group: string, kind: string): boolean {
  return patterns.some((p) => {
    if (p === '*') return true;
    const slash = p.lastIndexOf('/');
    if (slash < 0) return p === kind;
    const g = p.slice(0, slash);
    const k = p.slice(slash + 1);
    return g === group && (k === '*' || k === kind);
  });
}

function checkName(value: unknown, what: string, at: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new ReconcilerException('invalid-manifest', `${at}: ${what} ${value === undefined ? 'is missing' : `${JSON.stringify(value)} is not a valid name`}`, { where: at });
  }
  return value;
}

/** Secrets are applied with `data` only: the server folds `stringData` into `data`, which would otherwise look like drift forever. */
function foldStringData(obj: KubeObject): void {
  if (obj.kind !== 'Secret' || groupOf(obj.apiVersion) !== '' || !isJsonObject(obj.stringData)) return;
  const data: JsonObject = isJsonObject(obj.data) ? { ...obj.data } : {};
  for (const [k, v] of Object.entries(obj.stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  obj.data = data;
  delete obj.stringData;
}

function prepare(doc: ManifestDocument, target: RenderTarget, scope: Scope, commit: string): KubeObject {
  const at = where(doc.path, doc.index, doc.item);
  const obj = structuredClone(doc.object);
  const meta: JsonObject = { ...obj.metadata };
  checkName(meta.name, 'metadata.name', at);
  for (const f of SERVER_FIELDS) delete meta[f];
  if (scope === 'namespaced') meta.namespace = checkName(meta.namespace ?? target.namespace, 'metadata.namespace', at);
  else delete meta.namespace;
  const labels = isJsonObject(meta.labels) ? { ...meta.labels } : {};
  const annotations = isJsonObject(meta.annotations) ? { ...meta.annotations } : {};
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  labels[TARGET_LABEL] = target.id;
  annotations[TARGET_ANNOTATION] = target.id;
  annotations[COMMIT_ANNOTATION] = commit;
  meta.labels = labels;
  meta.annotations = annotations;
  obj.metadata = meta;
  delete obj.status;
  foldStringData(obj);
  return obj;
}

function checkAllowed(target: RenderTarget, key: ObjectKey, namespaced: boolean, at: string): void {
  if (!namespaced && !clusterResourceAllowed(target.clusterResources, key.group, key.kind)) {
    throw new ReconcilerException('forbidden-object', `${at}: ${describeKey(key)} is cluster-scoped and the target may not manage ${key.group ? `${key.group}/` : ''}${key.kind} (clusterResources: ${target.clusterResources.join(', ') || 'none'})`, { where: at });
  }
  const ns = namespaced ? key.namespace : key.kind === 'Namespace' && key.group === '' ? key.name : undefined;
  if (ns !== undefined && target.namespaces && !target.namespaces.some((p) => glob(p, ns))) {
    throw new ReconcilerException('forbidden-object', `${at}: ${describeKey(key)} is in namespace ${ns}, outside the target's namespaces (${target.namespaces.join(', ')})`, { where: at });
  }
}

export function objectHash(obj: KubeObject): string {
  const meta = obj.metadata;
  const annotations = isJsonObject(meta.annotations) ? { ...meta.annotations } : {};
  delete annotations[COMMIT_ANNOTATION];
  return createHash('sha256').update(canonicalJson({ ...obj, metadata: { ...meta, annotations } })).digest('hex');
}

/**
 * The desired objects of a commit: scoped, defaulted, labelled and annotated, in install order.
 * Unknown kinds, duplicates and objects the target may not manage stop the render with a
 * message naming the file and document.
 */
export function renderDesired(docs: readonly ManifestDocument[], target: RenderTarget, resolve: ScopeResolver, commit: string): DesiredObject[] {
  const max = target.maxObjects ?? DEFAULT_MAX_OBJECTS;
  if (docs.length > max) throw new ReconcilerException('too-many-objects', `the commit holds ${docs.length} objects, more than the limit ${max}`);
  const fromCrds = crdScopes(docs);
  const seen = new Map<string, string>();
  const out: DesiredObject[] = [];
  for (const doc of docs) {
    const at = where(doc.path, doc.index, doc.item);
    const { apiVersion, kind } = doc.object;
    const scope = resolve(apiVersion, kind) ?? fromCrds.get(`${groupOf(apiVersion)}/${apiVersion.split('/').pop()}/${kind}`);
    if (!scope) throw new ReconcilerException('unknown-kind', `${at}: the cluster does not serve ${kind} in ${apiVersion}, and no CustomResourceDefinition in this commit defines it`, { where: at });
    const object = prepare(doc, target, scope, commit);
    const key: ObjectKey = { group: groupOf(apiVersion), kind, namespace: scope === 'namespaced' ? String(object.metadata.namespace) : '', name: String(object.metadata.name) };
    checkAllowed(target, key, scope === 'namespaced', at);
    const id = keyString(key);
    const first = seen.get(id);
    if (first) throw new ReconcilerException('duplicate-object', `${at}: ${describeKey(key)} is already defined in ${first}`, { where: at });
    seen.set(id, at);
    out.push({ key, id, apiVersion, namespaced: scope === 'namespaced', source: at, object, hash: objectHash(object) });
  }
  return out.sort((a, b) => kindRank(a.key.kind) - kindRank(b.key.kind));
}
