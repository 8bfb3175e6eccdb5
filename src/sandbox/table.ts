import { type JsonObject, type JsonValue, isObject } from './sandbox.types';

/** Whether the client asked for the server-side printing format (`kubectl get` does). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',')[0];
  return /(^|;)\s*as=Table/.test(first);
}

const COLUMNS: JsonObject[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
];

function row(obj: JsonObject): JsonObject {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  return {
    cells: [meta.name ?? '', meta.creationTimestamp ?? ''],
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta },
  };
}

/** The default table the real server prints for kinds without their own columns. */
export function toTable(body: JsonValue): JsonObject {
  const isList = isObject(body) && Array.isArray(body.items);
  const items = isList ? (body.items as JsonValue[]).filter(isObject) : isObject(body) ? [body] : [];
  const metadata: JsonObject = {};
  if (isList && isObject(body.metadata) && body.metadata.resourceVersion !== undefined) metadata.resourceVersion = body.metadata.resourceVersion;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: COLUMNS, rows: items.map(row) };
}
