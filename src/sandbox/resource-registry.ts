import { ApiError } from './api-error';
import { BUILTIN_RESOURCES, type ResourceType, apiVersionOf } from './resource-types';
import { type JsonObject, type JsonValue, isObject, str } from './sandbox.types';

/** The served resources: the built-in kinds plus those of every established CRD. */
export class ResourceRegistry {
  private readonly byGvr = new Map<string, ResourceType>();
  private readonly byGvk = new Map<string, ResourceType>();
  private readonly crdTypes = new Map<string, ResourceType[]>();
  private readonly groupOrder: string[] = [];

  constructor() {
    for (const t of BUILTIN_RESOURCES) this.add(t);
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGvr.get(`${group}/${version}/${resource}`);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byGvk.get(`${apiVersion}/${kind}`);
  }

  /** A served type stored under `key` (`group/resource`), whatever its version. */
  byStorageKey(key: string): ResourceType | undefined {
    for (const t of this.byGvr.values()) if (`${t.group}/${t.resource}` === key) return t;
    return undefined;
  }

  /** Group names in discovery order: built-in groups first, CRD groups as they arrive. */
  groups(): { name: string; versions: string[] }[] {
    const out: { name: string; versions: string[] }[] = [];
    for (const group of this.groupOrder) {
      const versions = new Set<string>();
      for (const t of this.byGvr.values()) if (t.group === group) versions.add(t.version);
      if (versions.size > 0) out.push({ name: group, versions: sortVersions([...versions]) });
    }
    return out;
  }

  resourcesOf(group: string, version: string): ResourceType[] {
    return [...this.byGvr.values()].filter((t) => t.group === group && t.version === version);
  }

  /** Whether any resource is served under this group and version. */
  hasVersion(group: string, version: string): boolean {
    for (const t of this.byGvr.values()) if (t.group === group && t.version === version) return true;
    return false;
  }

  /** Serve the versions of a CRD; replaces what the same CRD served before. */
  registerCrd(crd: JsonObject): ResourceType[] {
    const name = str(crd.metadata && isObject(crd.metadata) ? crd.metadata.name : undefined) ?? '';
    this.unregisterCrd(name);
    const types = typesFromCrd(crd);
    for (const t of types) {
      if (this.byGvr.has(`${t.group}/${t.version}/${t.resource}`)) {
        throw new ApiError(409, 'Conflict', `resource ${t.resource}.${t.group} is already served`);
      }
    }
    for (const t of types) this.add(t);
    this.crdTypes.set(name, types);
    return types;
  }

  unregisterCrd(name: string): void {
    for (const t of this.crdTypes.get(name) ?? []) {
      this.byGvr.delete(`${t.group}/${t.version}/${t.resource}`);
      this.byGvk.delete(`${apiVersionOf(t)}/${t.kind}`);
    }
    this.crdTypes.delete(name);
  }

  private add(t: ResourceType): void {
    this.byGvr.set(`${t.group}/${t.version}/${t.resource}`, t);
    this.byGvk.set(`${apiVersionOf(t)}/${t.kind}`, t);
    if (t.group && !this.groupOrder.includes(t.group)) this.groupOrder.push(t.group);
  }
}

function typesFromCrd(crd: JsonObject): ResourceType[] {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const group = str(spec.group) ?? '';
  const kind = str(names.kind) ?? '';
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
  return versions
    .filter((v) => v.served === true)
    .map((v) => {
      const subresources = isObject(v.subresources) ? v.subresources : {};
      const schema = isObject(v.schema) && isObject(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
      return {
        group,
        version: str(v.name) ?? '',
        resource: str(names.plural) ?? '',
        singular: str(names.singular) ?? kind.toLowerCase(),
        kind,
        namespaced: spec.scope !== 'Cluster',
        shortNames: stringList(names.shortNames),
        hasStatus: subresources.status !== undefined,
        generation: true,
        returnDeletedObject: true,
        categories: stringList(names.categories),
        schema,
      };
    });
}

function stringList(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

const VERSION_RE = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Kubernetes version priority: GA before beta before alpha, higher numbers first, others last. */
export function sortVersions(versions: string[]): string[] {
  const rank = (v: string): [number, number, number] => {
    const m = VERSION_RE.exec(v);
    if (!m) return [3, 0, 0];
    const level = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  return [...versions].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return a.localeCompare(b);
  });
}
