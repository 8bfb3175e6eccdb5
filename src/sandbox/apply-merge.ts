import { ApiError } from './api-error';
import { FieldSet, keyElement, pathToString, valueElement } from './field-set';
import { appliedFieldSet, compareObjects, keyedItems } from './field-paths';
import type { ListSchema } from './list-schema';
import { type ManagerEntry, type Writer, sameManager, withTime } from './managed-fields';
import { type JsonObject, type JsonValue, deepClone, isObject } from './sandbox.types';

/** Merges an applied configuration into the live object: config wins, keyed lists merge by key. */
export function mergeApplied(live: JsonValue | undefined, config: JsonValue, names: string[], schema: ListSchema): JsonValue {
  if (isObject(config)) {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete out[k];
      else out[k] = mergeApplied(out[k], v, [...names, k], schema);
    }
    return out;
  }
  if (Array.isArray(config)) return mergeList(Array.isArray(live) ? live : undefined, config, names, schema);
  return config;
}

function mergeList(live: JsonValue[] | undefined, config: JsonValue[], names: string[], schema: ListSchema): JsonValue[] {
  const lt = schema.listType(names);
  if (!live || lt.type === 'atomic') return deepClone(config);
  if (lt.type === 'set') {
    const seen = new Set(live.map(valueElement));
    return [...live, ...config.filter((v) => !seen.has(valueElement(v)))];
  }
  const liveItems = keyedItems(live, lt, false, '');
  if (!liveItems) return deepClone(config);
  const configKeys = new Set<string>();
  const out: JsonValue[] = config.map((item) => {
    const el = isObject(item) ? keyElement(item, lt.keys, lt.defaults) : undefined;
    if (el) configKeys.add(el);
    return mergeApplied(el ? liveItems.get(el) : undefined, item, names, schema);
  });
  for (const [el, item] of liveItems) if (!configKeys.has(el)) out.push(item);
  return out;
}

/** Removes the field at `path` (managedFields path elements) from `obj` in place. */
export function removePath(obj: JsonObject, path: string[], names: string[], schema: ListSchema): void {
  if (path.length === 0) return;
  const [step, ...rest] = path;
  if (step.startsWith('f:')) {
    const name = step.slice(2);
    if (rest.length === 0) {
      delete obj[name];
      return;
    }
    const child = obj[name];
    if (isObject(child)) removePath(child, rest, [...names, name], schema);
    else if (Array.isArray(child)) {
      const next = removeFromList(child, rest, [...names, name], schema);
      obj[name] = next;
    }
  }
}

function removeFromList(list: JsonValue[], path: string[], names: string[], schema: ListSchema): JsonValue[] {
  const [step, ...rest] = path;
  const lt = schema.listType(names);
  const matches = (item: JsonValue): boolean => {
    if (step.startsWith('v:')) return valueElement(item) === step;
    return lt.type === 'map' && isObject(item) && keyElement(item, lt.keys, lt.defaults) === step;
  };
  if (rest.length === 0) return list.filter((item) => !matches(item));
  for (const item of list) if (matches(item) && isObject(item)) removePath(item, rest, names, schema);
  return list;
}

export interface ApplyOutcome {
  object: JsonObject;
  entries: ManagerEntry[];
}

/**
 * Server-side apply of `config` by `writer` onto `live` (structured-merge-diff's `Updater.Apply`):
 * merge, prune what this manager applied before and no longer applies (unless someone else owns
 * it), then check conflicts with the other managers; `force` takes their fields.
 */
export function serverSideApply(live: JsonObject, config: JsonObject, entries: ManagerEntry[], writer: Writer, force: boolean, schema: ListSchema): ApplyOutcome {
  const applied = appliedFieldSet(config, schema);
  const merged = mergeApplied(live, config, [], schema) as JsonObject;
  const previous = entries.find((e) => sameManager(e, writer));
  const others = entries.filter((e) => e !== previous);
  if (previous) prune(merged, previous.set, applied, others, schema);
  const c = compareObjects(live, merged, schema);
  const changed = c.modified.union(c.added);
  const conflicts: { manager: ManagerEntry; paths: string[][] }[] = [];
  for (const e of others) {
    if (e.manager === writer.manager) continue;
    const overlap = e.set.intersection(changed);
    if (!overlap.isEmpty()) conflicts.push({ manager: e, paths: overlap.paths() });
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  const out: ManagerEntry[] = [];
  for (const e of others) {
    let set = e.set.difference(c.removed);
    if (force && e.manager !== writer.manager) set = set.difference(changed);
    if (!set.isEmpty()) out.push({ ...e, set });
  }
  const entry = withTime({ manager: writer.manager, operation: 'Apply', apiVersion: writer.apiVersion, set: applied }, previous, writer.time);
  if (writer.subresource) entry.subresource = writer.subresource;
  out.push(entry);
  return { object: merged, entries: out };
}

function prune(merged: JsonObject, lastSet: FieldSet, applied: FieldSet, others: ManagerEntry[], schema: ListSchema): void {
  let owned = applied;
  for (const e of others) owned = owned.union(e.set);
  const candidates = lastSet.difference(owned).paths();
  for (const path of candidates) {
    const below = owned.at(path);
    if (below && !below.isEmpty()) continue;
    if (isKeyField(path)) continue;
    removePath(merged, path, [], schema);
  }
}

/** A key field of a list item (`k:{"name":"app"}` → `f:name`) goes only with its item. */
function isKeyField(path: string[]): boolean {
  const parent = path[path.length - 2];
  const last = path[path.length - 1];
  if (!parent?.startsWith('k:') || !last.startsWith('f:')) return false;
  return Object.prototype.hasOwnProperty.call(JSON.parse(parent.slice(2)) as object, last.slice(2));
}

function describeManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += e.time ? ` using ${e.apiVersion} at ${e.time}` : ` using ${e.apiVersion}`;
  return s;
}

/** The real `NewConflictError`: 409 Conflict, one `FieldManagerConflict` cause per field. */
function conflictError(conflicts: { manager: ManagerEntry; paths: string[][] }[]): ApiError {
  const flat = conflicts.flatMap((c) => c.paths.map((p) => ({ manager: describeManager(c.manager), path: pathToString(p) })));
  const causes = flat.map((f) => ({ reason: 'FieldManagerConflict', message: `conflict with ${f.manager}`, field: f.path }));
  let message: string;
  if (flat.length === 1) message = `Apply failed with 1 conflict: conflict with ${flat[0].manager}: ${flat[0].path}`;
  else {
    const lines: string[] = [];
    const managers = [...new Set(flat.map((f) => f.manager))].sort();
    for (const m of managers) {
      lines.push(`conflicts with ${m}:`);
      for (const f of flat.filter((x) => x.manager === m)) lines.push(`- ${f.path}`);
    }
    message = `Apply failed with ${flat.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}
