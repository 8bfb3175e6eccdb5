import type { IncomingMessage } from 'node:http';
import type { Route } from './request-info';
import type { ResourceRegistry } from './resource-registry';

/** What the sandbox knows about one request once it has parsed it. */
export interface RequestRecord {
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  userAgent?: string;
  fieldManager?: string;
  dryRun: boolean;
  force?: boolean;
  watch: boolean;
  /** Resource details when the path names a resource. */
  group?: string;
  version?: string;
  resource?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The HTTP status answered, or `dropped` for a connection the faults cut. */
  status?: number | 'dropped';
}

/** The request log tests inspect; bounded, oldest entries fall out first. */
export class RequestLog {
  private readonly records: RequestRecord[] = [];

  constructor(private readonly capacity = 10_000) {}

  add(record: RequestRecord): void {
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
  }

  entries(): readonly RequestRecord[] {
    return [...this.records];
  }

  filter(predicate: (r: RequestRecord) => boolean): RequestRecord[] {
    return this.records.filter(predicate);
  }

  clear(): void {
    this.records.length = 0;
  }
}

/** The log record of a request, with the resource it addresses when the path names one. */
export function recordOf(req: IncomingMessage, url: URL, route: Route, registry: ResourceRegistry): RequestRecord {
  const q = url.searchParams;
  const record: RequestRecord = {
    time: new Date().toISOString(),
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(q.entries()),
    dryRun: q.getAll('dryRun').length > 0,
    watch: q.get('watch') === 'true' || q.get('watch') === '1' || (route.kind === 'resource' && route.watchPath),
  };
  const contentType = req.headers['content-type'];
  if (contentType) record.contentType = contentType;
  if (req.headers['user-agent']) record.userAgent = req.headers['user-agent'];
  const manager = q.get('fieldManager');
  if (manager !== null) record.fieldManager = manager;
  const force = q.get('force');
  if (force !== null) record.force = force === 'true';
  if (route.kind === 'resource') {
    Object.assign(record, { group: route.group, version: route.version, resource: route.resource, namespace: route.namespace, name: route.name, subresource: route.subresource });
    const type = registry.lookup(route.group, route.version, route.resource);
    if (type) record.kind = type.kind;
  }
  return record;
}
