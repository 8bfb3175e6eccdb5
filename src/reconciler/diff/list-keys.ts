import type { JsonValue } from '../kube/kube-object';

/**
 * How built-in lists merge (the OpenAPI `x-kubernetes-list-type` and `-map-keys` of the
 * Kubernetes types): items matched by keys, sets, or atomic. Other lists are compared position
 * by position. `names` are the field names from the root to the list (list positions left out).
 */
export type ListKind = { type: 'map'; keys: string[]; defaults: Record<string, JsonValue> } | { type: 'set' } | { type: 'positional' };

const byName: ListKind = { type: 'map', keys: ['name'], defaults: {} };
const map = (keys: string[], defaults: Record<string, JsonValue> = {}): ListKind => ({ type: 'map', keys, defaults });

const BY_FIELD: Record<string, ListKind> = {
  containers: byName,
  initContainers: byName,
  ephemeralContainers: byName,
  env: byName,
  volumes: byName,
  imagePullSecrets: byName,
  resourceClaims: byName,
  schedulingGates: byName,
  volumeMounts: map(['mountPath']),
  volumeDevices: map(['devicePath']),
  hostAliases: map(['ip']),
  conditions: map(['type']),
  topologySpreadConstraints: map(['topologyKey', 'whenUnsatisfiable']),
};

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

export function listKind(kind: string, names: readonly string[]): ListKind {
  const last = names[names.length - 1];
  const parent = names[names.length - 2];
  if (parent === 'metadata' && names.length === 2) {
    if (last === 'finalizers') return { type: 'set' };
    if (last === 'ownerReferences') return map(['uid']);
  }
  if (last === 'ports') {
    if (CONTAINER_LISTS.has(parent)) return map(['containerPort', 'protocol'], { protocol: 'TCP' });
    if (kind === 'Service' && names.length === 2 && names[0] === 'spec') return map(['port', 'protocol'], { protocol: 'TCP' });
  }
  if (kind === 'Namespace' && last === 'finalizers') return { type: 'set' };
  return BY_FIELD[last] ?? { type: 'positional' };
}
