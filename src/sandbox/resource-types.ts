import type { JsonObject } from './sandbox.types';

/** One served resource: what discovery lists and what the handlers need to know about it. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: `deployments`. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Has a `/status` subresource: main writes keep status, status writes keep the rest. */
  hasStatus: boolean;
  /** Keeps `metadata.generation`, bumped on changes outside metadata and status. */
  generation: boolean;
  /** DELETE answers with the deleted object instead of a success Status. */
  returnDeletedObject: boolean;
  categories: string[];
  /** For custom resources: the version's openAPIV3Schema, used for list types. */
  schema?: JsonObject;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const NAMESPACE_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** `apps/v1/deployments`: the key the store and the registry index a resource by. */
export function typeKey(t: { group: string; version: string; resource: string }): string {
  return `${t.group}/${t.version}/${t.resource}`;
}

interface Spec {
  resource: string;
  kind: string;
  shortNames?: string[];
  cluster?: boolean;
  status?: boolean;
  generation?: boolean;
  returnDeleted?: boolean;
  categories?: string[];
}

function build(group: string, version: string, specs: Spec[]): ResourceType[] {
  return specs.map((s) => ({
    group,
    version,
    resource: s.resource,
    singular: s.kind.toLowerCase(),
    kind: s.kind,
    namespaced: !s.cluster,
    shortNames: s.shortNames ?? [],
    hasStatus: s.status ?? false,
    generation: s.generation ?? false,
    returnDeletedObject: s.returnDeleted ?? false,
    categories: s.categories ?? [],
  }));
}

const ALL = ['all'];

/** The built-in kinds the sandbox serves, grouped as the real server groups them. */
export const BUILTIN_RESOURCES: ResourceType[] = [
  ...build('', 'v1', [
    { resource: 'namespaces', kind: 'Namespace', shortNames: ['ns'], cluster: true, status: true, returnDeleted: true },
    { resource: 'pods', kind: 'Pod', shortNames: ['po'], status: true, returnDeleted: true, categories: ALL },
    { resource: 'services', kind: 'Service', shortNames: ['svc'], status: true, returnDeleted: true, categories: ALL },
    { resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] },
    { resource: 'secrets', kind: 'Secret' },
    { resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] },
    { resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', shortNames: ['pvc'], status: true },
    { resource: 'events', kind: 'Event', shortNames: ['ev'] },
  ]),
  ...build('apps', 'v1', [
    { resource: 'deployments', kind: 'Deployment', shortNames: ['deploy'], status: true, generation: true, categories: ALL },
    { resource: 'statefulsets', kind: 'StatefulSet', shortNames: ['sts'], status: true, generation: true, categories: ALL },
    { resource: 'daemonsets', kind: 'DaemonSet', shortNames: ['ds'], status: true, generation: true, categories: ALL },
    { resource: 'replicasets', kind: 'ReplicaSet', shortNames: ['rs'], status: true, generation: true, categories: ALL },
  ]),
  ...build('batch', 'v1', [
    { resource: 'jobs', kind: 'Job', status: true, generation: true, categories: ALL },
    { resource: 'cronjobs', kind: 'CronJob', shortNames: ['cj'], status: true, generation: true, categories: ALL },
  ]),
  ...build('networking.k8s.io', 'v1', [
    { resource: 'ingresses', kind: 'Ingress', shortNames: ['ing'], status: true, generation: true },
    { resource: 'networkpolicies', kind: 'NetworkPolicy', shortNames: ['netpol'], generation: true },
  ]),
  ...build('rbac.authorization.k8s.io', 'v1', [
    { resource: 'roles', kind: 'Role' },
    { resource: 'rolebindings', kind: 'RoleBinding' },
    { resource: 'clusterroles', kind: 'ClusterRole', cluster: true },
    { resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', cluster: true },
  ]),
  ...build('apiextensions.k8s.io', 'v1', [
    {
      resource: 'customresourcedefinitions',
      kind: 'CustomResourceDefinition',
      shortNames: ['crd', 'crds'],
      cluster: true,
      status: true,
      generation: true,
    },
  ]),
  ...build('policy', 'v1', [{ resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', shortNames: ['pdb'], status: true, generation: true }]),
  ...build('autoscaling', 'v2', [
    { resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], status: true, categories: ALL },
  ]),
];
