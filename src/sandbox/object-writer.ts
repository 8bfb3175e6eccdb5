import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock';
import { type ObjectStore, storageKey } from './object-store';
import type { ResourceRegistry } from './resource-registry';
import { type ResourceType, apiVersionOf } from './resource-types';
import { type KubeObject, deepEqual, isObject, metaOf, rfc3339, str } from './sandbox.types';
import type { StoreEvent, WatchHub } from './watch-hub';

/** Stores writes: resourceVersions, watch events, CRD registration, the change hook. */
export class ObjectWriter {
  private nextIp = 10;

  constructor(
    readonly store: ObjectStore,
    readonly hub: WatchHub,
    readonly registry: ResourceRegistry,
    readonly clock: Clock,
    private readonly onChange: () => void,
  ) {}

  now(): string {
    return rfc3339(this.clock.now());
  }

  newUid(): string {
    return randomUUID();
  }

  allocateIp(): string {
    const n = this.nextIp++;
    return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  }

  /** The object as served under `type`'s version (custom resources share storage across versions). */
  serve(obj: KubeObject, type: ResourceType): KubeObject {
    const apiVersion = apiVersionOf(type);
    return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
  }

  create(type: ResourceType, obj: KubeObject, dryRun: boolean): KubeObject {
    if (dryRun) return obj;
    if (type.kind === 'CustomResourceDefinition') this.registry.registerCrd(obj);
    return this.commit(type, 'ADDED', obj);
  }

  /** Stores `next` unless it equals `old` apart from managedFields times (a no-op write). */
  update(type: ResourceType, old: KubeObject, next: KubeObject, dryRun: boolean): KubeObject {
    if (isNoop(old, next)) return old;
    if (dryRun) return next;
    if (type.kind === 'CustomResourceDefinition' && !deepEqual(old.spec, next.spec)) this.registry.registerCrd(next);
    return this.commit(type, 'MODIFIED', next, old);
  }

  /** Removes the object for good; the DELETED event carries a new resourceVersion. */
  remove(type: ResourceType, old: KubeObject, dryRun: boolean): KubeObject {
    if (dryRun) return old;
    const meta = metaOf(old);
    const key = storageKey(type);
    const rv = this.store.nextRv();
    const final: KubeObject = { ...old, metadata: { ...meta, resourceVersion: String(rv) } };
    this.store.remove(key, str(meta.namespace) ?? '', str(meta.name) ?? '');
    this.hub.publish({ type: 'DELETED', rv, key, namespace: str(meta.namespace) ?? '', object: final });
    if (type.kind === 'CustomResourceDefinition') this.dropCustomResources(old);
    this.onChange();
    return final;
  }

  private commit(type: ResourceType, eventType: StoreEvent['type'], obj: KubeObject, previous?: KubeObject): KubeObject {
    const key = storageKey(type);
    const rv = this.store.nextRv();
    const stored: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    this.store.put(key, stored);
    const namespace = str(stored.metadata.namespace) ?? '';
    this.hub.publish({ type: eventType, rv, key, namespace, object: stored, previous });
    this.onChange();
    return stored;
  }

  /** A deleted CRD takes its custom resources with it. */
  private dropCustomResources(crd: KubeObject): void {
    const spec = isObject(crd.spec) ? crd.spec : {};
    const names = isObject(spec.names) ? spec.names : {};
    const key = storageKey({ group: str(spec.group) ?? '', resource: str(names.plural) ?? '' });
    for (const obj of this.store.list(key)) {
      const meta = metaOf(obj);
      const rv = this.store.nextRv();
      this.store.remove(key, str(meta.namespace) ?? '', str(meta.name) ?? '');
      const final: KubeObject = { ...obj, metadata: { ...meta, resourceVersion: String(rv) } };
      this.hub.publish({ type: 'DELETED', rv, key, namespace: str(meta.namespace) ?? '', object: final });
    }
    this.store.dropResource(key);
    this.hub.closeWatchers(key);
    this.registry.unregisterCrd(str(metaOf(crd).name) ?? '');
  }
}

function withoutTimes(obj: KubeObject): unknown {
  const mf = metaOf(obj).managedFields;
  const entries = Array.isArray(mf) ? mf.map((e) => (isObject(e) ? { ...e, time: '' } : e)) : mf;
  return { ...obj, metadata: { ...obj.metadata, managedFields: entries ?? null, resourceVersion: '' } };
}

function isNoop(old: KubeObject, next: KubeObject): boolean {
  return deepEqual(withoutTimes(old) as KubeObject, withoutTimes(next) as KubeObject);
}
