import { type DeletionService, FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../deletion';
import type { ObjectRef } from '../object-store';
import type { ObjectWriter } from '../object-writer';
import type { ResourceService } from '../resource-service';
import type { ResourceType } from '../resource-types';
import { type JsonObject, type JsonValue, type KubeObject, isObject, metaOf, str } from '../sandbox.types';
import type { StoreEvent } from '../watch-hub';

type Job = { kind: 'dependent' | 'foreground' | 'orphan'; ref: ObjectRef } | { kind: 'namespace'; name: string };

/**
 * The garbage collector and the namespace controller: deletes dependents whose owners are gone,
 * runs foreground and orphan deletion, and empties then removes terminating namespaces.
 */
export class GarbageCollector {
  private readonly queue = new Map<string, Job>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly w: ObjectWriter,
    private readonly resources: ResourceService,
    private readonly deletion: DeletionService,
  ) {
    w.hub.onEvent((e) => this.observe(e));
  }

  stop(): void {
    this.stopped = true;
  }

  private observe(e: StoreEvent): void {
    const meta = metaOf(e.object);
    const uid = str(meta.uid) ?? '';
    if (e.type === 'DELETED') {
      for (const ref of this.w.store.dependentsOf(uid)) this.enqueue({ kind: 'dependent', ref });
      for (const owner of ownerRefsOf(e.object)) this.enqueueOwner(e, owner);
      if (e.namespace) this.enqueue({ kind: 'namespace', name: e.namespace });
      return;
    }
    if (meta.deletionTimestamp === undefined) return;
    const ref = { key: e.key, namespace: e.namespace, name: str(meta.name) ?? '' };
    if (e.object.kind === 'Namespace') this.enqueue({ kind: 'namespace', name: ref.name });
    const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers : [];
    if (finalizers.includes(FOREGROUND_FINALIZER)) this.enqueue({ kind: 'foreground', ref });
    if (finalizers.includes(ORPHAN_FINALIZER)) this.enqueue({ kind: 'orphan', ref });
  }

  private enqueueOwner(e: StoreEvent, owner: { apiVersion: string; kind: string; name: string }): void {
    const type = this.w.registry.byKind(owner.apiVersion, owner.kind);
    if (!type) return;
    const key = `${type.group}/${type.resource}`;
    this.enqueue({ kind: 'foreground', ref: { key, namespace: type.namespaced ? e.namespace : '', name: owner.name } });
  }

  private enqueue(job: Job): void {
    const id = JSON.stringify(job);
    this.queue.set(id, job);
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const jobs = [...this.queue.values()];
    this.queue.clear();
    for (const job of jobs) {
      try {
        this.run(job);
      } catch {
        // A race with another writer (already gone, conflict): the next event brings it back.
      }
    }
  }

  private run(job: Job): void {
    if (job.kind === 'namespace') return this.finishNamespace(job.name);
    const type = this.w.registry.byStorageKey(job.ref.key);
    const obj = this.w.store.get(job.ref.key, job.ref.namespace, job.ref.name);
    if (!type || !obj) return;
    if (job.kind === 'dependent') return this.collectIfOrphaned(type, obj);
    if (obj.metadata.deletionTimestamp === undefined) return;
    const dependents = this.w.store.dependentsOf(str(obj.metadata.uid) ?? '');
    if (job.kind === 'orphan') {
      for (const ref of dependents) this.dropOwnerRef(ref, str(obj.metadata.uid) ?? '');
      return this.removeFinalizer(type, obj, ORPHAN_FINALIZER);
    }
    if (dependents.length === 0) return this.removeFinalizer(type, obj, FOREGROUND_FINALIZER);
    for (const ref of dependents) this.deleteRef(ref, 'Foreground');
  }

  private collectIfOrphaned(type: ResourceType, obj: KubeObject): void {
    if (obj.metadata.deletionTimestamp !== undefined) return;
    const ns = str(obj.metadata.namespace) ?? '';
    const alive = ownerRefsOf(obj).some((o) => {
      const ownerType = this.w.registry.byKind(o.apiVersion, o.kind);
      if (!ownerType) return false;
      const owner = this.w.store.get(`${ownerType.group}/${ownerType.resource}`, ownerType.namespaced ? ns : '', o.name);
      return owner !== undefined && str(owner.metadata.uid) === o.uid;
    });
    if (!alive) this.deleteRef({ key: `${type.group}/${type.resource}`, namespace: ns, name: str(obj.metadata.name) ?? '' }, 'Background');
  }

  private deleteRef(ref: ObjectRef, policy: 'Background' | 'Foreground'): void {
    const type = this.w.registry.byStorageKey(ref.key);
    if (!type) return;
    this.deletion.delete({ type, namespace: ref.namespace, name: ref.name, dryRun: false }, { propagationPolicy: policy });
  }

  private dropOwnerRef(ref: ObjectRef, uid: string): void {
    const type = this.w.registry.byStorageKey(ref.key);
    const obj = this.w.store.get(ref.key, ref.namespace, ref.name);
    if (!type || !obj) return;
    const refs = ownerRefsOf(obj).filter((o) => o.uid !== uid).map((o) => o.raw);
    const meta: JsonObject = { ...obj.metadata };
    if (refs.length > 0) meta.ownerReferences = refs;
    else delete meta.ownerReferences;
    this.resources.store({ type, dryRun: false }, obj, { ...obj, metadata: meta });
  }

  private removeFinalizer(type: ResourceType, obj: KubeObject, finalizer: string): void {
    const finalizers = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers.filter((f) => f !== finalizer) : [];
    const meta: JsonObject = { ...obj.metadata, finalizers };
    if (finalizers.length === 0) delete meta.finalizers;
    this.resources.store({ type, dryRun: false }, obj, { ...obj, metadata: meta });
  }

  /** Deletes what is left in a terminating namespace; removes the namespace once it is empty. */
  private finishNamespace(name: string): void {
    const ns = this.w.store.get('/namespaces', '', name);
    if (!ns || ns.metadata.deletionTimestamp === undefined) return;
    for (const key of this.w.store.keys()) {
      if (key === '/namespaces') continue;
      for (const obj of this.w.store.list(key, name)) {
        if (obj.metadata.deletionTimestamp === undefined) this.deleteRef({ key, namespace: name, name: str(obj.metadata.name) ?? '' }, 'Background');
      }
    }
    if (this.w.store.countInNamespace(name) > 0) return;
    const type = this.w.registry.byStorageKey('/namespaces') as ResourceType;
    const spec = isObject(ns.spec) ? { ...ns.spec, finalizers: [] } : { finalizers: [] };
    const emptied: KubeObject = { ...ns, spec };
    const finalizers = ns.metadata.finalizers;
    if (Array.isArray(finalizers) && finalizers.length > 0) return void this.w.update(type, ns, emptied, false);
    this.w.remove(type, emptied, false);
  }
}

function ownerRefsOf(obj: KubeObject): { apiVersion: string; kind: string; name: string; uid: string; raw: JsonValue }[] {
  const refs = metaOf(obj).ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs.filter(isObject).map((r) => ({ apiVersion: str(r.apiVersion) ?? '', kind: str(r.kind) ?? '', name: str(r.name) ?? '', uid: str(r.uid) ?? '', raw: r }));
}
