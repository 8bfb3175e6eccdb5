import { type KubeObject, isObject, metaOf, str } from './sandbox.types';

/** `apps/deployments`: every version of one resource shares storage, as in the real server. */
export function storageKey(t: { group: string; resource: string }): string {
  return `${t.group}/${t.resource}`;
}

export interface ObjectRef {
  key: string;
  namespace: string;
  name: string;
}

/**
 * The objects, indexed by resource, namespace and name, plus the owner index the garbage
 * collector needs. Stored objects are never mutated: every write stores a new object.
 */
export class ObjectStore {
  private resourceVersion = 0;
  private readonly buckets = new Map<string, Map<string, Map<string, KubeObject>>>();
  private readonly dependents = new Map<string, Set<string>>();

  get currentRv(): number {
    return this.resourceVersion;
  }

  /** Consumes the next resourceVersion. */
  nextRv(): number {
    this.resourceVersion += 1;
    return this.resourceVersion;
  }

  restoreRv(rv: number): void {
    this.resourceVersion = Math.max(this.resourceVersion, rv);
  }

  get(key: string, namespace: string, name: string): KubeObject | undefined {
    return this.buckets.get(key)?.get(namespace)?.get(name);
  }

  /** Objects of one resource, in one namespace or all, ordered by namespace then name. */
  list(key: string, namespace?: string): KubeObject[] {
    const bucket = this.buckets.get(key);
    if (!bucket) return [];
    const spaces = namespace === undefined ? [...bucket.keys()].sort() : [namespace];
    const out: KubeObject[] = [];
    for (const ns of spaces) {
      const names = bucket.get(ns);
      if (!names) continue;
      for (const name of [...names.keys()].sort()) out.push(names.get(name) as KubeObject);
    }
    return out;
  }

  countInNamespace(namespace: string): number {
    let n = 0;
    for (const bucket of this.buckets.values()) n += bucket.get(namespace)?.size ?? 0;
    return n;
  }

  keys(): string[] {
    return [...this.buckets.keys()];
  }

  put(key: string, obj: KubeObject): void {
    const meta = metaOf(obj);
    const ns = str(meta.namespace) ?? '';
    const name = str(meta.name) ?? '';
    const previous = this.get(key, ns, name);
    if (previous) this.unindexOwners(key, previous);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(key, bucket);
    }
    let names = bucket.get(ns);
    if (!names) {
      names = new Map();
      bucket.set(ns, names);
    }
    names.set(name, obj);
    this.indexOwners(key, obj);
  }

  remove(key: string, namespace: string, name: string): KubeObject | undefined {
    const names = this.buckets.get(key)?.get(namespace);
    const obj = names?.get(name);
    if (!names || !obj) return undefined;
    names.delete(name);
    if (names.size === 0) this.buckets.get(key)?.delete(namespace);
    this.unindexOwners(key, obj);
    return obj;
  }

  dropResource(key: string): void {
    for (const obj of this.list(key)) this.unindexOwners(key, obj);
    this.buckets.delete(key);
  }

  /** Objects whose ownerReferences name `uid`. */
  dependentsOf(uid: string): ObjectRef[] {
    return [...(this.dependents.get(uid) ?? [])].map((ref) => JSON.parse(ref) as ObjectRef);
  }

  all(): { key: string; object: KubeObject }[] {
    const out: { key: string; object: KubeObject }[] = [];
    for (const key of [...this.buckets.keys()].sort()) for (const object of this.list(key)) out.push({ key, object });
    return out;
  }

  private ownerUids(obj: KubeObject): string[] {
    const refs = metaOf(obj).ownerReferences;
    if (!Array.isArray(refs)) return [];
    return refs.filter(isObject).map((r) => str(r.uid) ?? '').filter((u) => u !== '');
  }

  private refOf(key: string, obj: KubeObject): string {
    const meta = metaOf(obj);
    return JSON.stringify({ key, namespace: str(meta.namespace) ?? '', name: str(meta.name) ?? '' });
  }

  private indexOwners(key: string, obj: KubeObject): void {
    for (const uid of this.ownerUids(obj)) {
      let set = this.dependents.get(uid);
      if (!set) {
        set = new Set();
        this.dependents.set(uid, set);
      }
      set.add(this.refOf(key, obj));
    }
  }

  private unindexOwners(key: string, obj: KubeObject): void {
    const ref = this.refOf(key, obj);
    for (const uid of this.ownerUids(obj)) {
      const set = this.dependents.get(uid);
      set?.delete(ref);
      if (set?.size === 0) this.dependents.delete(uid);
    }
  }
}
