import { ApiError, conflict, forbidden, notFound } from './api-error';
import { type ListQuery, type ResourceRequest, type ResourceService } from './resource-service';
import { refOf } from './object-prepare';
import type { ObjectWriter } from './object-writer';
import type { ResourceType } from './resource-types';
import { type JsonObject, type JsonValue, type KubeObject, isObject, str } from './sandbox.types';

export type Propagation = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  propagationPolicy?: Propagation;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** DeleteOptions from the query string and the body; the body wins where both set a field. */
export function readDeleteOptions(query: URLSearchParams, body: JsonValue | undefined): DeleteOptions {
  const opts: DeleteOptions = {};
  const b = isObject(body) ? body : {};
  const policy = str(b.propagationPolicy) ?? query.get('propagationPolicy') ?? undefined;
  if (policy !== undefined) {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    }
    opts.propagationPolicy = policy;
  }
  const orphan = b.orphanDependents ?? query.get('orphanDependents');
  if (opts.propagationPolicy === undefined && (orphan === true || orphan === 'true')) opts.propagationPolicy = 'Orphan';
  const grace = b.gracePeriodSeconds ?? query.get('gracePeriodSeconds');
  if (grace !== undefined && grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n) || n < 0) throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: gracePeriodSeconds: Invalid value: ${String(grace)}: must be >= 0`);
    opts.gracePeriodSeconds = n;
  }
  if (isObject(b.preconditions)) {
    opts.preconditions = {};
    if (typeof b.preconditions.uid === 'string') opts.preconditions.uid = b.preconditions.uid;
    if (typeof b.preconditions.resourceVersion === 'string') opts.preconditions.resourceVersion = b.preconditions.resourceVersion;
  }
  return opts;
}

/** DELETE of one object or a collection: preconditions, finalizers, propagation. */
export class DeletionService {
  constructor(
    private readonly w: ObjectWriter,
    private readonly resources: ResourceService,
  ) {}

  delete(req: ResourceRequest, opts: DeleteOptions): KubeObject | JsonObject {
    const old = this.resources.find(req.type, req.namespace, req.name);
    if (!old) throw notFound(refOf(req.type), req.name);
    this.checkPreconditions(req, old, opts);
    if (req.type.kind === 'Namespace' && PROTECTED_NAMESPACES.has(req.name)) {
      throw forbidden(refOf(req.type), req.name, 'this namespace may not be deleted');
    }
    if (old.metadata.deletionTimestamp !== undefined) return this.w.serve(old, req.type);
    const finalizers = Array.isArray(old.metadata.finalizers) ? [...old.metadata.finalizers] : [];
    const policy = opts.propagationPolicy;
    if (policy === 'Foreground' && !finalizers.includes(FOREGROUND_FINALIZER)) finalizers.push(FOREGROUND_FINALIZER);
    if (policy === 'Orphan' && !finalizers.includes(ORPHAN_FINALIZER)) finalizers.push(ORPHAN_FINALIZER);
    const graceful = finalizers.length > 0 || req.type.kind === 'Namespace';
    if (!graceful) {
      const gone = this.w.remove(req.type, old, req.dryRun);
      return req.type.returnDeletedObject ? this.w.serve(gone, req.type) : successStatus(req.type, req.name, str(old.metadata.uid) ?? '');
    }
    const next: KubeObject = { ...old, metadata: { ...old.metadata, deletionTimestamp: this.w.now(), deletionGracePeriodSeconds: 0 } };
    if (finalizers.length > 0) next.metadata.finalizers = finalizers;
    if (req.type.generation && typeof old.metadata.generation === 'number') next.metadata.generation = old.metadata.generation + 1;
    if (req.type.kind === 'Namespace') next.status = { ...(isObject(old.status) ? old.status : {}), phase: 'Terminating' };
    return this.w.serve(this.w.update(req.type, old, next, req.dryRun), req.type);
  }

  private checkPreconditions(req: ResourceRequest, old: KubeObject, opts: DeleteOptions): void {
    const pre = opts.preconditions;
    if (!pre) return;
    const uid = str(old.metadata.uid);
    const rv = str(old.metadata.resourceVersion);
    if (pre.uid !== undefined && pre.uid !== uid) {
      throw conflict(refOf(req.type), req.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid}`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== rv) {
      throw conflict(refOf(req.type), req.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${rv}`);
    }
  }

  /** DELETE on a list path: deletes what the selectors select; answers the list of them. */
  deleteCollection(req: Omit<ResourceRequest, 'name'>, query: ListQuery, opts: DeleteOptions): JsonObject {
    const list = this.resources.list(req.type, req.type.namespaced ? req.namespace : undefined, { labelSelector: query.labelSelector, fieldSelector: query.fieldSelector });
    const items = Array.isArray(list.items) ? list.items.filter(isObject) : [];
    const deleted: JsonValue[] = [];
    for (const item of items) {
      const meta = isObject(item.metadata) ? item.metadata : {};
      const name = str(meta.name) ?? '';
      const namespace = str(meta.namespace) ?? '';
      const out = this.delete({ ...req, namespace, name }, { propagationPolicy: opts.propagationPolicy, gracePeriodSeconds: opts.gracePeriodSeconds });
      deleted.push(out.kind === 'Status' ? item : out);
    }
    return { ...list, items: deleted };
  }
}

function successStatus(type: ResourceType, name: string, uid: string): JsonObject {
  const details: JsonObject = { name };
  if (type.group) details.group = type.group;
  details.kind = type.resource;
  details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
