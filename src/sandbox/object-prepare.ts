import { type ResourceRef, badRequest, invalid } from './api-error';
import { applyDefaults } from './defaults';
import { type ResourceType, apiVersionOf } from './resource-types';
import { type JsonObject, type JsonValue, type KubeObject, deepEqual, isObject, metaOf, str } from './sandbox.types';
import { validateObject } from './validation';

export function refOf(type: ResourceType): ResourceRef {
  return { group: type.group, resource: type.resource, kind: type.kind };
}

/** The body as an object of `type`: apiVersion and kind filled in when missing, checked when not. */
export function asKubeObject(body: JsonValue, type: ResourceType): KubeObject {
  if (!isObject(body)) throw badRequest(`the body of the request was not a ${type.kind} object`);
  const expected = apiVersionOf(type);
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`);
  }
  if (body.kind !== undefined && body.kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`);
  }
  if (body.metadata !== undefined && !isObject(body.metadata)) throw badRequest('metadata must be an object');
  return { ...body, apiVersion: expected, kind: type.kind, metadata: { ...(isObject(body.metadata) ? body.metadata : {}) } };
}

/** The object's namespace must be the request's; a cluster-scoped object has none. */
export function checkNamespace(obj: KubeObject, type: ResourceType, namespace: string): void {
  const given = str(obj.metadata.namespace);
  if (!type.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  if (given !== undefined && given !== '' && given !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = namespace;
}

export function checkName(obj: KubeObject, urlName: string): void {
  const given = str(obj.metadata.name);
  if (given !== undefined && given !== '' && given !== urlName) {
    throw badRequest(`the name of the object (${given}) does not match the name on the URL (${urlName})`);
  }
  obj.metadata.name = urlName;
}

const INITIAL_STATUS: Record<string, JsonObject> = {
  Namespace: { phase: 'Active' },
  Pod: { phase: 'Pending', qosClass: 'BestEffort' },
  PersistentVolumeClaim: { phase: 'Pending' },
  Service: { loadBalancer: {} },
};

/** Server-set metadata and initial status of a new object. */
export function initNew(obj: KubeObject, type: ResourceType, uid: string, now: string): void {
  const meta = obj.metadata;
  for (const k of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields']) delete meta[k];
  meta.uid = uid;
  meta.creationTimestamp = now;
  if (type.generation) meta.generation = 1;
  else delete meta.generation;
  if (type.hasStatus) {
    const initial = INITIAL_STATUS[type.kind];
    if (initial) obj.status = structuredClone(initial);
    else delete obj.status;
  }
  if (type.kind === 'Namespace') {
    const spec = isObject(obj.spec) ? obj.spec : {};
    if (spec.finalizers === undefined) spec.finalizers = ['kubernetes'];
    obj.spec = spec;
  }
}

const SERVER_META = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'name', 'namespace', 'resourceVersion'];

/**
 * What an update may change: a main-resource write keeps the old status, a status write keeps
 * everything but the status; server-set metadata always comes from the stored object.
 */
export function carryOver(type: ResourceType, old: KubeObject, next: KubeObject, subresource: string | undefined): KubeObject {
  let out: KubeObject;
  if (subresource === 'status') {
    out = { ...old, metadata: { ...old.metadata } };
    if (next.status === undefined) delete out.status;
    else out.status = next.status;
  } else {
    out = { ...next, metadata: { ...next.metadata } };
    if (type.hasStatus) {
      if (old.status === undefined) delete out.status;
      else out.status = old.status;
    }
  }
  for (const k of SERVER_META) {
    if (old.metadata[k] === undefined) delete out.metadata[k];
    else out.metadata[k] = old.metadata[k];
  }
  if (type.kind === 'Service') keepClusterIp(old, out);
  return out;
}

function keepClusterIp(old: KubeObject, next: KubeObject): void {
  const before = isObject(old.spec) ? old.spec : {};
  const after = isObject(next.spec) ? { ...next.spec } : undefined;
  if (!after) return;
  for (const k of ['clusterIP', 'clusterIPs']) if (after[k] === undefined && before[k] !== undefined) after[k] = before[k];
  next.spec = after;
}

function specPart(obj: KubeObject): JsonObject {
  const rest: JsonObject = { ...obj };
  delete rest.metadata;
  delete rest.status;
  return rest;
}

/** Defaults, validation and the generation bump shared by every create and update. */
export function finish(type: ResourceType, old: KubeObject | undefined, obj: KubeObject, allocateIp: () => string): KubeObject {
  applyDefaults(obj, allocateIp);
  const causes = validateObject(obj, old);
  if (old && isObject(old.metadata) && old.metadata.deletionTimestamp !== undefined) causes.push(...newFinalizers(old, obj));
  if (causes.length > 0) throw invalid(refOf(type), str(obj.metadata.name) ?? '', causes);
  if (old && type.generation && !deepEqual(specPart(old), specPart(obj))) {
    obj.metadata.generation = (typeof old.metadata.generation === 'number' ? old.metadata.generation : 0) + 1;
  }
  return obj;
}

function newFinalizers(old: KubeObject, next: KubeObject): { reason: string; message: string; field: string }[] {
  const before = metaOf(old).finalizers;
  const after = metaOf(next).finalizers;
  const had = new Set(Array.isArray(before) ? before : []);
  const added = (Array.isArray(after) ? after : []).filter((f) => !had.has(f));
  if (added.length === 0) return [];
  return [{ reason: 'FieldValueForbidden', message: 'Forbidden: no new finalizers can be added if the object is being deleted', field: 'metadata.finalizers' }];
}
