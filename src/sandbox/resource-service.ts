import { ApiError, STALE_OBJECT, alreadyExists, badRequest, conflict, expired, forbidden, notFound } from './api-error';
import { serverSideApply } from './apply-merge';
import { type FieldRequirement, matchesFields, parseFieldSelector } from './field-selector';
import { jsonPatch, mergePatch } from './json-patches';
import { type LabelSelector, matchesLabels, parseLabelSelector } from './label-selector';
import { listSchemaFor } from './list-schema';
import { type ManagerEntry, type Writer, decodeManagedFields, encodeManagedFields, managerFromUserAgent, recordUpdate } from './managed-fields';
import { asKubeObject, carryOver, checkName, checkNamespace, finish, initNew, refOf } from './object-prepare';
import { storageKey } from './object-store';
import type { ObjectWriter } from './object-writer';
import { type ResourceType, apiVersionOf } from './resource-types';
import { type JsonObject, type JsonValue, type KubeObject, isObject, metaOf, str, stringMap } from './sandbox.types';
import { strategicMergePatch } from './strategic-merge-patch';

/** One request against one resource, as the router parsed it. */
export interface ResourceRequest {
  type: ResourceType;
  namespace: string;
  name: string;
  subresource?: string;
  dryRun: boolean;
  fieldManager?: string;
  userAgent?: string;
  force?: boolean;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

const BUILTIN_GROUPS = new Set(['', 'apps', 'batch', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'apiextensions.k8s.io', 'policy', 'autoscaling']);

/** get, list, create, replace and patch (including server-side apply) over the store. */
export class ResourceService {
  constructor(private readonly w: ObjectWriter) {}

  find(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return this.w.store.get(storageKey(type), type.namespaced ? namespace : '', name);
  }

  get(req: ResourceRequest): KubeObject {
    const obj = this.find(req.type, req.namespace, req.name);
    if (!obj) throw notFound(refOf(req.type), req.name);
    return this.w.serve(obj, req.type);
  }

  list(type: ResourceType, namespace: string | undefined, query: ListQuery): JsonObject {
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(query.fieldSelector, type.kind);
    const token = query.continue ? this.decodeContinue(query.continue) : undefined;
    const rv = token?.rv ?? this.w.store.currentRv;
    let items = this.w.store.list(storageKey(type), type.namespaced ? namespace : undefined).filter((o) => selects(o, labels, fields));
    if (token) items = items.filter((o) => objectKey(o) > token.start);
    const limit = query.limit && query.limit > 0 ? query.limit : undefined;
    const metadata: JsonObject = { resourceVersion: String(rv) };
    if (limit !== undefined && items.length > limit) {
      const page = items.slice(0, limit);
      metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: objectKey(page[page.length - 1]) })).toString('base64');
      metadata.remainingItemCount = items.length - limit;
      items = page;
    }
    const builtin = BUILTIN_GROUPS.has(type.group);
    const served = items.map((o) => {
      const obj: JsonObject = { ...this.w.serve(o, type) };
      if (builtin) {
        delete obj.apiVersion;
        delete obj.kind;
      }
      return obj;
    });
    return { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata, items: served };
  }

  private decodeContinue(token: string): { rv: number; start: string } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
    if (!isObject(parsed) || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    if (!this.w.hub.canResumeFrom(parsed.rv)) {
      throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    return { rv: parsed.rv, start: parsed.start };
  }

  create(req: ResourceRequest, body: JsonValue): KubeObject {
    const obj = asKubeObject(body, req.type);
    checkNamespace(obj, req.type, req.namespace);
    const meta = obj.metadata;
    let name = str(meta.name) ?? '';
    if (!name && str(meta.generateName)) name = `${str(meta.generateName)}${randomSuffix()}`;
    if (!name) throw new ApiError(422, 'Invalid', `${req.type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind: req.type.kind, causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }] });
    meta.name = name;
    return this.createObject({ ...req, name }, obj, (o) => recordUpdate([], {}, o, this.writer(req, 'Update'), listSchemaFor(req.type), req.type.hasStatus));
  }

  private createObject(req: ResourceRequest, obj: KubeObject, managed: (o: KubeObject) => ManagerEntry[]): KubeObject {
    this.checkNamespaceWritable(req);
    if (this.find(req.type, req.namespace, req.name)) throw alreadyExists(refOf(req.type), req.name);
    initNew(obj, req.type, this.w.newUid(), this.w.now());
    finish(req.type, undefined, obj, () => this.w.allocateIp());
    obj.metadata.managedFields = encodeManagedFields(managed(obj));
    return this.w.serve(this.w.create(req.type, obj, req.dryRun), req.type);
  }

  private checkNamespaceWritable(req: ResourceRequest): void {
    if (!req.type.namespaced) return;
    const ns = this.w.store.get('/namespaces', '', req.namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces', kind: 'Namespace' }, req.namespace);
    if (ns.metadata.deletionTimestamp !== undefined) {
      throw forbidden(refOf(req.type), req.name, `unable to create new content in namespace ${req.namespace} because it is being terminated`, [
        { reason: 'NamespaceTerminating', message: `namespace ${req.namespace} is being terminated`, field: 'metadata.namespace' },
      ]);
    }
  }

  replace(req: ResourceRequest, body: JsonValue): KubeObject {
    const old = this.find(req.type, req.namespace, req.name);
    if (!old) throw notFound(refOf(req.type), req.name);
    const obj = asKubeObject(body, req.type);
    checkNamespace(obj, req.type, req.namespace);
    checkName(obj, req.name);
    this.checkRv(obj, old, req);
    return this.updateObject(req, old, obj);
  }

  patch(req: ResourceRequest, contentType: string, body: JsonValue): { object: KubeObject; created: boolean } {
    if (contentType === PATCH_TYPES.apply) return this.apply(req, body);
    if (req.force !== undefined) throw new ApiError(422, 'Invalid', 'force: Forbidden: may not be specified for non-apply patch');
    const old = this.find(req.type, req.namespace, req.name);
    if (!old) throw notFound(refOf(req.type), req.name);
    const current = this.w.serve(old, req.type);
    let patched: JsonValue;
    if (contentType === PATCH_TYPES.merge) patched = mergePatch(current, body);
    else if (contentType === PATCH_TYPES.json) patched = jsonPatch(current, body);
    else if (contentType === PATCH_TYPES.strategic && BUILTIN_GROUPS.has(req.type.group)) patched = strategicMergePatch(current, body, listSchemaFor(req.type));
    else throw unsupportedPatch();
    const obj = asKubeObject(patched, req.type);
    checkNamespace(obj, req.type, req.namespace);
    checkName(obj, req.name);
    this.checkRv(obj, old, req);
    return { object: this.updateObject(req, old, obj), created: false };
  }

  private checkRv(obj: KubeObject, old: KubeObject, req: ResourceRequest): void {
    const rv = str(obj.metadata.resourceVersion);
    if (rv && rv !== str(old.metadata.resourceVersion)) throw conflict(refOf(req.type), req.name, STALE_OBJECT);
  }

  private updateObject(req: ResourceRequest, old: KubeObject, obj: KubeObject): KubeObject {
    const given = obj.metadata.managedFields;
    const next = carryOver(req.type, old, obj, req.subresource);
    finish(req.type, old, next, () => this.w.allocateIp());
    const stored = decodeManagedFields(old.metadata.managedFields);
    const sent = Array.isArray(given) ? decodeManagedFields(given) : undefined;
    const base = sent && JSON.stringify(encodeManagedFields(sent)) !== JSON.stringify(encodeManagedFields(stored)) ? sent : stored;
    next.metadata.managedFields = encodeManagedFields(recordUpdate(base, old, next, this.writer(req, 'Update'), listSchemaFor(req.type), req.type.hasStatus));
    return this.w.serve(this.store(req, old, next), req.type);
  }

  /** Stores an update; an object being deleted whose last finalizer went goes for good. */
  store(req: Pick<ResourceRequest, 'type' | 'dryRun'>, old: KubeObject, next: KubeObject): KubeObject {
    const finalizers = next.metadata.finalizers;
    const deleting = next.metadata.deletionTimestamp !== undefined;
    const specFinalizers = next.kind === 'Namespace' && isObject(next.spec) ? next.spec.finalizers : undefined;
    const pending = (Array.isArray(finalizers) && finalizers.length > 0) || (Array.isArray(specFinalizers) && specFinalizers.length > 0);
    if (deleting && !pending) return this.w.remove(req.type, next, req.dryRun);
    return this.w.update(req.type, old, next, req.dryRun);
  }

  private apply(req: ResourceRequest, body: JsonValue): { object: KubeObject; created: boolean } {
    if (!req.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
    const config = applyConfig(req, body);
    const schema = listSchemaFor(req.type);
    const writer = this.writer(req, 'Apply');
    const old = this.find(req.type, req.namespace, req.name);
    if (!old) {
      if (req.subresource) throw notFound(refOf(req.type), req.name);
      const live: KubeObject = { apiVersion: config.apiVersion, kind: config.kind, metadata: { name: req.name } };
      const outcome = serverSideApply(live, config, [], writer, req.force === true, schema);
      const obj = asKubeObject(outcome.object, req.type);
      checkNamespace(obj, req.type, req.namespace);
      return { object: this.createObject(req, obj, () => outcome.entries), created: true };
    }
    this.checkRv(config, old, req);
    const live = this.w.serve(old, req.type);
    const outcome = serverSideApply(live, config, decodeManagedFields(old.metadata.managedFields), writer, req.force === true, schema);
    const next = carryOver(req.type, old, asKubeObject(outcome.object, req.type), req.subresource);
    finish(req.type, old, next, () => this.w.allocateIp());
    next.metadata.managedFields = encodeManagedFields(outcome.entries);
    return { object: this.w.serve(this.store(req, old, next), req.type), created: false };
  }

  private writer(req: ResourceRequest, operation: 'Apply' | 'Update'): Writer {
    const manager = req.fieldManager || managerFromUserAgent(req.userAgent);
    const writer: Writer = { manager, operation, apiVersion: apiVersionOf(req.type), time: this.w.now() };
    if (req.subresource) writer.subresource = req.subresource;
    return writer;
  }

  /** A controller's status write: an Update of the status subresource by `manager`. */
  writeStatus(type: ResourceType, namespace: string, name: string, status: JsonObject, manager: string): KubeObject | undefined {
    const old = this.find(type, namespace, name);
    if (!old) return undefined;
    const req: ResourceRequest = { type, namespace, name, subresource: 'status', dryRun: false, fieldManager: manager };
    return this.updateObject(req, old, { ...old, status });
  }
}

function selects(obj: KubeObject, labels: LabelSelector, fields: FieldRequirement[]): boolean {
  if (labels.length > 0 && !matchesLabels(labels, stringMap(metaOf(obj).labels))) return false;
  return fields.length === 0 || matchesFields(fields, obj);
}

function objectKey(obj: KubeObject): string {
  const meta = metaOf(obj);
  return `${str(meta.namespace) ?? ''}/${str(meta.name) ?? ''}`;
}

function unsupportedPatch(): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
}

function applyConfig(req: ResourceRequest, body: JsonValue): KubeObject {
  if (!isObject(body)) throw badRequest('error decoding YAML: the applied configuration must be an object');
  if (typeof body.apiVersion !== 'string' || body.apiVersion === '') throw badRequest("Object 'apiVersion' is missing in the applied configuration");
  if (typeof body.kind !== 'string' || body.kind === '') throw badRequest("Object 'Kind' is missing in the applied configuration");
  const config = asKubeObject(body, req.type);
  if (config.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
  checkName(config, req.name);
  if (req.type.namespaced && str(config.metadata.namespace) && config.metadata.namespace !== req.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (!req.type.namespaced || !config.metadata.namespace) delete config.metadata.namespace;
  if (req.subresource === 'status') return { apiVersion: config.apiVersion, kind: config.kind, metadata: { name: req.name }, status: config.status ?? {} };
  if (req.type.hasStatus) delete config.status;
  return config;
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return s;
}
