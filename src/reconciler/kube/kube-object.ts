/** Plain JSON as read from manifests and the API server; objects are never typed models. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface KubeObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject;
}

/** Identity of an object across versions of its API: group, kind, namespace ('' when cluster-scoped), name. */
export interface ObjectKey {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function keyString(k: ObjectKey): string {
  return `${k.group}/${k.kind}/${k.namespace}/${k.name}`;
}

export function describeKey(k: ObjectKey): string {
  const kind = k.group ? `${k.kind}.${k.group}` : k.kind;
  return k.namespace ? `${kind} ${k.namespace}/${k.name}` : `${kind} ${k.name}`;
}

export function keyOf(obj: KubeObject): ObjectKey {
  const meta = obj.metadata;
  return {
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
    namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
    name: typeof meta.name === 'string' ? meta.name : '',
  };
}

export function stringMap(value: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isJsonObject(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}
