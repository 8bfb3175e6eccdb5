import { ApiError, badRequest, methodNotAllowed, notFound, pathNotFound } from './api-error';
import { type DeletionService, readDeleteOptions } from './deletion';
import { SANDBOX_VERSION, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery';
import { refOf } from './object-prepare';
import type { ResourceRegistry } from './resource-registry';
import type { ListQuery, ResourceRequest, ResourceService } from './resource-service';
import type { ResourceType } from './resource-types';
import type { Route } from './request-info';
import { SCALABLE_KINDS, getScale, updateScale } from './scale';
import { toTable, wantsTable } from './table';
import { type JsonObject, type JsonValue, isObject } from './sandbox.types';

export interface Handled {
  status: number;
  body: JsonValue | string;
}

export interface RouteInput {
  method: string;
  route: Route;
  query: URLSearchParams;
  contentType: string;
  userAgent?: string;
  accept?: string;
  body: () => JsonValue | undefined;
  serverAddress: string;
  /** Starts a watch stream; the router only decides that one is wanted. */
  watch: (type: ResourceType, namespace: string | undefined) => void;
}

const ROOT_PATHS = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/readyz', '/version'];

/** Maps a parsed request to the discovery documents and the resource services. */
export class HttpRouter {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
    private readonly deletion: DeletionService,
  ) {}

  handle(input: RouteInput): Handled | undefined {
    const { route, method } = input;
    if (route.kind !== 'resource' && method !== 'GET') throw methodNotAllowed();
    switch (route.kind) {
      case 'root':
        return { status: 200, body: { paths: ROOT_PATHS } };
      case 'version':
        return { status: 200, body: SANDBOX_VERSION };
      case 'health':
        return { status: 200, body: 'ok' };
      case 'api':
        return { status: 200, body: apiVersions(input.serverAddress) };
      case 'apis':
        return { status: 200, body: apiGroupList(this.registry) };
      case 'group':
        return { status: 200, body: apiGroup(this.registry, route.group) };
      case 'resourceList':
        return { status: 200, body: apiResourceList(this.registry, route.group, route.version) };
      case 'resource':
        return this.resource(input, route);
      default:
        throw pathNotFound();
    }
  }

  private resource(input: RouteInput, route: Extract<Route, { kind: 'resource' }>): Handled | undefined {
    const type = this.registry.lookup(route.group, route.version, route.resource);
    if (!type) throw pathNotFound();
    if (!type.namespaced && route.namespace !== undefined) throw pathNotFound();
    const sub = route.subresource;
    const scalable = SCALABLE_KINDS.has(type.kind) && !type.schema;
    if (sub !== undefined && !(sub === 'status' && type.hasStatus) && !(sub === 'finalize' && type.kind === 'Namespace') && !(sub === 'scale' && scalable)) throw pathNotFound();
    const q = input.query;
    const req: ResourceRequest = {
      type,
      namespace: route.namespace ?? '',
      name: route.name ?? '',
      subresource: sub,
      dryRun: readDryRun(q),
      fieldManager: readFieldManager(q),
      userAgent: input.userAgent,
      force: readForce(q),
    };
    const watching = route.watchPath || q.get('watch') === 'true' || q.get('watch') === '1';
    if (route.name === undefined) return this.collection(input, req, watching);
    if (watching) throw methodNotAllowed();
    if (sub === 'scale') return this.scale(input, req);
    switch (input.method) {
      case 'GET':
        return { status: 200, body: this.printable(input, this.resources.get(req)) };
      case 'PUT':
        if (sub === 'finalize') return { status: 200, body: this.finalize(req, input.body()) };
        return { status: 200, body: this.resources.replace(req, input.body() ?? null) };
      case 'PATCH': {
        const out = this.resources.patch(req, input.contentType, input.body() ?? null);
        return { status: out.created ? 201 : 200, body: out.object };
      }
      case 'DELETE':
        if (sub) throw methodNotAllowed();
        return { status: 200, body: this.deletion.delete(req, readDeleteOptions(q, input.body())) };
      default:
        throw methodNotAllowed();
    }
  }

  private collection(input: RouteInput, req: ResourceRequest, watching: boolean): Handled | undefined {
    const q = input.query;
    const namespaced = req.type.namespaced && req.namespace !== '';
    const listQuery: ListQuery = {
      labelSelector: q.get('labelSelector') ?? undefined,
      fieldSelector: q.get('fieldSelector') ?? undefined,
      limit: readLimit(q),
      continue: q.get('continue') ?? undefined,
    };
    switch (input.method) {
      case 'GET':
        if (watching) {
          input.watch(req.type, namespaced ? req.namespace : undefined);
          return undefined;
        }
        return { status: 200, body: this.printable(input, this.resources.list(req.type, namespaced ? req.namespace : undefined, listQuery)) };
      case 'POST':
        if (req.type.namespaced && !namespaced) throw methodNotAllowed();
        return { status: 201, body: this.resources.create(req, input.body() ?? null) };
      case 'DELETE':
        if (req.type.kind === 'Namespace') throw methodNotAllowed();
        return { status: 200, body: this.deletion.deleteCollection(req, listQuery, readDeleteOptions(q, input.body())) };
      default:
        throw methodNotAllowed();
    }
  }

  private scale(input: RouteInput, req: ResourceRequest): Handled {
    if (input.method === 'GET') return { status: 200, body: getScale(this.resources, req) };
    if (input.method === 'PUT') return { status: 200, body: updateScale(this.resources, { ...req, subresource: undefined }, undefined, input.body() ?? null) };
    if (input.method === 'PATCH') return { status: 200, body: updateScale(this.resources, { ...req, subresource: undefined }, input.contentType, input.body() ?? null) };
    throw methodNotAllowed();
  }

  private printable(input: RouteInput, body: JsonObject): JsonObject {
    return wantsTable(input.accept) ? toTable(body) : body;
  }

  /** `PUT /api/v1/namespaces/<name>/finalize`: only `spec.finalizers` changes. */
  private finalize(req: ResourceRequest, body: JsonValue | undefined): JsonObject {
    const current = this.resources.find(req.type, '', req.name);
    if (!current) throw notFound(refOf(req.type), req.name);
    const spec = isObject(body) && isObject(body.spec) ? body.spec : {};
    const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
    const next = { ...current, spec: { ...(isObject(current.spec) ? current.spec : {}), finalizers } };
    return this.resources.store(req, current, next);
  }
}

function readDryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw new ApiError(400, 'BadRequest', `Invalid dry run value: "${v}": supported values: "All"`);
  return values.length > 0;
}

function readFieldManager(q: URLSearchParams): string | undefined {
  const m = q.get('fieldManager') ?? undefined;
  if (m !== undefined && m.length > 128) throw new ApiError(422, 'Invalid', 'fieldManager: Too long: must have at most 128 bytes');
  if (m !== undefined && /[^\x20-\x7e]/.test(m)) throw new ApiError(422, 'Invalid', `fieldManager: Invalid value: ${JSON.stringify(m)}: must only contain printable characters`);
  return m;
}

function readForce(q: URLSearchParams): boolean | undefined {
  const f = q.get('force');
  if (f === null) return undefined;
  if (f !== 'true' && f !== 'false') throw badRequest(`force: Invalid value: "${f}": must be true or false`);
  return f === 'true';
}

function readLimit(q: URLSearchParams): number | undefined {
  const raw = q.get('limit');
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`limit: Invalid value: "${raw}": must be a non-negative integer`);
  return Number(raw);
}
