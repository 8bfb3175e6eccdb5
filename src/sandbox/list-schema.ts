import type { ResourceType } from './resource-types';
import { type JsonObject, type JsonValue, isObject, str } from './sandbox.types';

/**
 * How a list merges and how managedFields name its items, as the OpenAPI extensions
 * `x-kubernetes-list-type` / `x-kubernetes-list-map-keys` (and `patchMergeKey`) say.
 * Written apart from the reconciler's own table (src/reconciler/diff/list-keys.ts) on purpose: the
 * stand-in API server must not share the code it tests, or a wrong key would agree with itself.
 */
export type ListType =
  | { type: 'atomic' }
  | { type: 'set' }
  | { type: 'map'; keys: string[]; defaults: Record<string, JsonValue> };

export interface ListSchema {
  /** `path` holds the field names from the root to the list; list items are not steps. */
  listType(path: readonly string[]): ListType;
}

const ATOMIC: ListType = { type: 'atomic' };
const SET: ListType = { type: 'set' };
const byName = mapList(['name']);

function mapList(keys: string[], defaults: Record<string, JsonValue> = {}): ListType {
  return { type: 'map', keys, defaults };
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Lists keyed the same wherever they appear in a built-in kind. */
const BY_FIELD: Record<string, ListType> = {
  containers: byName,
  initContainers: byName,
  ephemeralContainers: byName,
  env: byName,
  volumes: byName,
  imagePullSecrets: byName,
  resourceClaims: byName,
  schedulingGates: byName,
  volumeMounts: mapList(['mountPath']),
  volumeDevices: mapList(['devicePath']),
  hostAliases: mapList(['ip']),
  conditions: mapList(['type']),
  topologySpreadConstraints: mapList(['topologyKey', 'whenUnsatisfiable']),
  containerStatuses: ATOMIC,
};

function metadataList(path: readonly string[]): ListType | undefined {
  const last = path[path.length - 1];
  if (path[path.length - 2] !== 'metadata') return undefined;
  if (last === 'finalizers') return SET;
  if (last === 'ownerReferences') return mapList(['uid']);
  return undefined;
}

function builtinListType(kind: string, path: readonly string[]): ListType {
  const meta = metadataList(path);
  if (meta) return meta;
  const last = path[path.length - 1];
  if (last === 'ports') {
    if (CONTAINER_LISTS.has(path[path.length - 2])) return mapList(['containerPort', 'protocol'], { protocol: 'TCP' });
    if (kind === 'Service' && path.length === 2 && path[0] === 'spec') return mapList(['port', 'protocol'], { protocol: 'TCP' });
    return ATOMIC;
  }
  if (last === 'finalizers' && kind === 'Namespace') return SET;
  return BY_FIELD[last] ?? ATOMIC;
}

function schemaListType(schema: JsonObject, path: readonly string[]): ListType | undefined {
  let node: JsonValue | undefined = schema;
  for (const name of path) {
    if (!isObject(node)) return undefined;
    if (node.type === 'array') node = isObject(node.items) ? node.items : undefined;
    const props: JsonValue | undefined = isObject(node) ? node.properties : undefined;
    node = isObject(props) ? props[name] : undefined;
  }
  if (!isObject(node)) return undefined;
  const listType = str(node['x-kubernetes-list-type']);
  if (listType === 'set') return SET;
  if (listType === 'map') {
    const keys = node['x-kubernetes-list-map-keys'];
    const names = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
    if (names.length > 0) return mapList(names);
  }
  return ATOMIC;
}

/** The list schema of one resource: custom resources use their CRD's schema, built-ins a table. */
export function listSchemaFor(type: Pick<ResourceType, 'kind' | 'schema'>): ListSchema {
  const schema = type.schema;
  if (!schema) return { listType: (path) => builtinListType(type.kind, path) };
  return {
    listType: (path) => metadataList(path) ?? schemaListType(schema, path) ?? ATOMIC,
  };
}
