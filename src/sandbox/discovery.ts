import { pathNotFound } from './api-error';
import type { ResourceRegistry } from './resource-registry';
import { ALL_VERBS, NAMESPACE_VERBS, type ResourceType } from './resource-types';
import type { JsonObject } from './sandbox.types';
import { SCALABLE_KINDS } from './scale';

/** The version the sandbox claims to be: recent enough for every client-side feature gate. */
export const SANDBOX_VERSION: JsonObject = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(group: { name: string; versions: string[] }): JsonObject {
  const versions = group.versions.map((v) => ({ groupVersion: `${group.name}/${v}`, version: v }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(registry: ResourceRegistry): JsonObject {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups().map(groupDoc) };
}

export function apiGroup(registry: ResourceRegistry, name: string): JsonObject {
  const group = registry.groups().find((g) => g.name === name);
  if (!group) throw pathNotFound();
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group) };
}

function resourceEntry(t: ResourceType): JsonObject {
  const entry: JsonObject = {
    name: t.resource,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.resource === 'namespaces' ? NAMESPACE_VERBS : ALL_VERBS,
  };
  if (t.shortNames.length > 0) entry.shortNames = t.shortNames;
  if (t.categories.length > 0) entry.categories = t.categories;
  return entry;
}

function statusEntry(t: ResourceType): JsonObject {
  return { name: `${t.resource}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] };
}

function scaleEntry(t: ResourceType): JsonObject {
  return { name: `${t.resource}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
}

/** `/api/v1` or `/apis/<group>/<version>`: the resources and subresources served there. */
export function apiResourceList(registry: ResourceRegistry, group: string, version: string): JsonObject {
  if (!registry.hasVersion(group, version)) throw pathNotFound();
  const resources: JsonObject[] = [];
  const types = registry.resourcesOf(group, version).sort((a, b) => a.resource.localeCompare(b.resource));
  for (const t of types) {
    resources.push(resourceEntry(t));
    if (t.hasStatus) resources.push(statusEntry(t));
    if (SCALABLE_KINDS.has(t.kind) && !t.schema) resources.push(scaleEntry(t));
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
