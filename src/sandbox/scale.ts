import { ApiError, notFound } from './api-error';
import { jsonPatch, mergePatch } from './json-patches';
import { refOf } from './object-prepare';
import { PATCH_TYPES, type ResourceRequest, type ResourceService } from './resource-service';
import { type JsonObject, type JsonValue, type KubeObject, isObject, str, stringMap } from './sandbox.types';

/** Kinds with a `scale` subresource (replicas at `spec.replicas`). */
export const SCALABLE_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

function selectorString(obj: KubeObject): string {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const selector = isObject(spec.selector) ? spec.selector : {};
  return Object.entries(stringMap(selector.matchLabels))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The `autoscaling/v1` Scale view of a workload, as `kubectl scale` and autoscalers read it. */
export function scaleOf(obj: KubeObject): JsonObject {
  const meta = obj.metadata;
  const spec = isObject(obj.spec) ? obj.spec : {};
  const status = isObject(obj.status) ? obj.status : {};
  const metadata: JsonObject = {};
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp']) if (meta[k] !== undefined) metadata[k] = meta[k];
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, selector: selectorString(obj) },
  };
}

export function getScale(resources: ResourceService, req: ResourceRequest): JsonObject {
  return scaleOf(resources.get(req));
}

/** PUT or PATCH of `/scale`: only the parent's `spec.replicas` changes, recorded under subresource `scale`. */
export function updateScale(resources: ResourceService, req: ResourceRequest, contentType: string | undefined, body: JsonValue): JsonObject {
  const current = resources.find(req.type, req.namespace, req.name);
  if (!current) throw notFound(refOf(req.type), req.name);
  const scale = scaleOf(current);
  let next: JsonValue;
  if (contentType === undefined) next = body;
  else if (contentType === PATCH_TYPES.merge || contentType === PATCH_TYPES.strategic) next = mergePatch(scale, body);
  else if (contentType === PATCH_TYPES.json) next = jsonPatch(scale, body);
  else throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json');
  const spec = isObject(next) && isObject(next.spec) ? next.spec : {};
  const replicas = spec.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(422, 'Invalid', `Scale.autoscaling "${req.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`);
  }
  const rv = isObject(next) && isObject(next.metadata) ? str(next.metadata.resourceVersion) : undefined;
  const parent: KubeObject = { ...current, metadata: { ...current.metadata }, spec: { ...(isObject(current.spec) ? current.spec : {}), replicas } };
  if (rv) parent.metadata.resourceVersion = rv;
  else delete parent.metadata.resourceVersion;
  return scaleOf(resources.replace({ ...req, subresource: 'scale' }, parent));
}
