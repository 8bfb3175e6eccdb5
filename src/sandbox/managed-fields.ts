import { FieldSet } from './field-set';
import { type Comparison, compareObjects } from './field-paths';
import type { ListSchema } from './list-schema';
import { type JsonObject, type JsonValue, isObject, rfc3339, str } from './sandbox.types';

export type Operation = 'Apply' | 'Update';

/** One `metadata.managedFields` entry with its field set decoded. */
export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time: string;
  subresource?: string;
  set: FieldSet;
}

export interface Writer {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time: string;
}

/** Entries of the same manager, operation and subresource (and version, for Update) are one. */
export function sameManager(a: Omit<ManagerEntry, 'set' | 'time'>, b: Omit<Writer, 'time'>): boolean {
  return (
    a.manager === b.manager &&
    a.operation === b.operation &&
    (a.subresource ?? '') === (b.subresource ?? '') &&
    (a.operation === 'Apply' || a.apiVersion === b.apiVersion)
  );
}

export function decodeManagedFields(value: JsonValue | undefined): ManagerEntry[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((e) => {
    const entry: ManagerEntry = {
      manager: str(e.manager) ?? '',
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: str(e.apiVersion) ?? '',
      time: normalizeTime(str(e.time)),
      set: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    const sub = str(e.subresource);
    if (sub) entry.subresource = sub;
    return entry;
  });
}

/** Sorted as the real server sorts them: Apply before Update, then by time and manager. */
export function encodeManagedFields(entries: ManagerEntry[]): JsonObject[] {
  const sorted = entries
    .filter((e) => !e.set.isEmpty())
    .sort(
      (p, q) =>
        cmp(p.operation, q.operation) ||
        cmp(p.time, q.time) ||
        cmp(p.manager, q.manager) ||
        cmp(p.apiVersion, q.apiVersion) ||
        cmp(p.subresource ?? '', q.subresource ?? ''),
    );
  return sorted.map((e) => {
    const out: JsonObject = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: e.set.toFieldsV1(),
    };
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** Times as the server writes them (RFC 3339, seconds), whatever precision a client sent back. */
function normalizeTime(time: string | undefined): string {
  if (!time) return '';
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? '' : rfc3339(new Date(ms));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keeps the old time of an entry whose fields did not change. */
export function withTime(entry: Omit<ManagerEntry, 'time'>, previous: ManagerEntry | undefined, now: string): ManagerEntry {
  const unchanged = previous && JSON.stringify(previous.set.toFieldsV1()) === JSON.stringify(entry.set.toFieldsV1());
  return { ...entry, time: unchanged && previous ? previous.time : now };
}

/**
 * Takes the fields a non-apply write changed away from every other manager and gives them to
 * the writer (structured-merge-diff's `Updater.Update`).
 */
export function recordUpdate(entries: ManagerEntry[], oldObj: JsonObject, newObj: JsonObject, writer: Writer, schema: ListSchema, hasStatus: boolean): ManagerEntry[] {
  return recordComparison(entries, scopeComparison(compareObjects(oldObj, newObj, schema), writer.subresource, hasStatus), writer);
}

const STATUS_ONLY = (() => {
  const s = new FieldSet();
  s.insert(['f:status']);
  return s;
})();

/**
 * The fields a write may own, as the real strategies' reset fields say: a status write owns only
 * `status`, a main-resource write of a kind with a status subresource never owns `status`.
 */
export function scopeComparison(c: Comparison, subresource: string | undefined, hasStatus: boolean): Comparison {
  if (subresource === 'status') {
    const keep = (s: FieldSet): FieldSet => {
      const out = new FieldSet();
      const status = s.children.get('f:status');
      if (status) out.children.set('f:status', status.clone());
      return out;
    };
    return { added: keep(c.added), modified: keep(c.modified), removed: keep(c.removed) };
  }
  if (!hasStatus) return c;
  return {
    added: c.added.recursiveDifference(STATUS_ONLY),
    modified: c.modified.recursiveDifference(STATUS_ONLY),
    removed: c.removed.recursiveDifference(STATUS_ONLY),
  };
}

export function recordComparison(entries: ManagerEntry[], c: Comparison, writer: Writer): ManagerEntry[] {
  const changed = c.modified.union(c.added);
  const out: ManagerEntry[] = [];
  let previous: ManagerEntry | undefined;
  for (const e of entries) {
    if (sameManager(e, writer)) {
      previous = e;
      continue;
    }
    const set = e.set.difference(changed).difference(c.removed);
    if (!set.isEmpty()) out.push({ ...e, set });
  }
  const base = previous ? previous.set : new FieldSet();
  const set = base.union(changed).difference(c.removed);
  if (!set.isEmpty()) {
    const entry = withTime({ manager: writer.manager, operation: 'Update', apiVersion: writer.apiVersion, subresource: writer.subresource, set }, previous, writer.time);
    if (!writer.subresource) delete entry.subresource;
    out.push(entry);
  }
  return out;
}

/** The field manager the real server derives from a User-Agent: the part before the first `/`. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0].slice(0, 128);
  return prefix || 'unknown';
}
