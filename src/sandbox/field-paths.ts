import { badRequest } from './api-error';
import { FieldSet, fieldElement, keyElement, valueElement } from './field-set';
import type { ListSchema, ListType } from './list-schema';
import { type JsonObject, type JsonValue, deepEqual, isObject } from './sandbox.types';

/** metadata fields the server sets; they never appear in managedFields. */
const SERVER_METADATA = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/** The object without what managedFields never track (apiVersion, kind, server-set metadata). */
export function trackedPart(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata' && isObject(v)) {
      const meta: JsonObject = {};
      for (const [mk, mv] of Object.entries(v)) if (!SERVER_METADATA.includes(mk)) meta[mk] = mv;
      if (Object.keys(meta).length > 0) out.metadata = meta;
      continue;
    }
    out[k] = v;
  }
  return out;
}

interface Walk {
  schema: ListSchema;
  /** Update semantics mark small maps of scalars as members (`.`), as the real compare does. */
  update: boolean;
  /** Apply rejects items without their keys; Update treats such lists as atomic. */
  strictKeys: boolean;
}

function isScalarMap(obj: JsonObject): boolean {
  return Object.values(obj).every((v) => v === null || typeof v !== 'object');
}

/** The keyed items of a list, or undefined when keys are missing or repeated. */
export function keyedItems(list: JsonValue[], lt: Extract<ListType, { type: 'map' }>, strict: boolean, path: string): Map<string, JsonObject> | undefined {
  const out = new Map<string, JsonObject>();
  for (const [i, item] of list.entries()) {
    const el = isObject(item) ? keyElement(item, lt.keys, lt.defaults) : undefined;
    if (el === undefined || out.has(el)) {
      if (!strict) return undefined;
      const why = el === undefined ? `associative list with keys has an element that omits key field "${lt.keys.join('", "')}"` : `duplicate entries for key ${el.slice(2)}`;
      throw badRequest(`${path}: element ${i}: ${why}`);
    }
    out.set(el, item as JsonObject);
  }
  return out;
}

function addValue(set: FieldSet, value: JsonValue, path: string[], names: string[], w: Walk): void {
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 || (w.update && path.length > 1 && isScalarMap(value))) set.insert(path);
    for (const [k, v] of entries) {
      const p = [...path, fieldElement(k)];
      if (v === null) set.insert(p);
      else addValue(set, v, p, [...names, k], w);
    }
    return;
  }
  if (Array.isArray(value)) {
    addList(set, value, path, names, w);
    return;
  }
  set.insert(path);
}

function addList(set: FieldSet, list: JsonValue[], path: string[], names: string[], w: Walk): void {
  const lt = w.schema.listType(names);
  if (list.length === 0 || lt.type === 'atomic') {
    set.insert(path);
    return;
  }
  if (lt.type === 'set') {
    for (const v of list) set.insert([...path, valueElement(v)]);
    return;
  }
  const items = keyedItems(list, lt, w.strictKeys, names.join('.'));
  if (!items) {
    set.insert(path);
    return;
  }
  for (const [el, item] of items) {
    const p = [...path, el];
    set.insert(p);
    addValue(set, item, p, names, w);
  }
}

/** The fields an applied configuration sets (the real `ToFieldSet`). */
export function appliedFieldSet(config: JsonObject, schema: ListSchema): FieldSet {
  const set = new FieldSet();
  addValue(set, trackedPart(config), [], [], { schema, update: false, strictKeys: true });
  set.member = false;
  return set;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Which fields an update added, changed and removed (the real `TypedValue.Compare`). */
export function compareObjects(oldObj: JsonObject, newObj: JsonObject, schema: ListSchema): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const w: Walk = { schema, update: true, strictKeys: false };
  compareValues(trackedPart(oldObj), trackedPart(newObj), [], [], w, c);
  return c;
}

function compareValues(a: JsonValue | undefined, b: JsonValue | undefined, path: string[], names: string[], w: Walk, c: Comparison): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) return addValue(c.added, b as JsonValue, path, names, w);
  if (b === undefined) {
    c.removed.insert(path);
    return addValue(c.removed, a, path, names, w);
  }
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      compareValues(a[k], b[k], [...path, fieldElement(k)], [...names, k], w, c);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) return compareLists(a, b, path, names, w, c);
  if (!deepEqual(a, b)) c.modified.insert(path);
}

function compareLists(a: JsonValue[], b: JsonValue[], path: string[], names: string[], w: Walk, c: Comparison): void {
  const lt = w.schema.listType(names);
  if (lt.type === 'set') {
    const before = new Set(a.map(valueElement));
    const after = new Set(b.map(valueElement));
    for (const el of after) if (!before.has(el)) c.added.insert([...path, el]);
    for (const el of before) if (!after.has(el)) c.removed.insert([...path, el]);
    return;
  }
  const ia = lt.type === 'map' ? keyedItems(a, lt, false, '') : undefined;
  const ib = lt.type === 'map' ? keyedItems(b, lt, false, '') : undefined;
  if (!ia || !ib || a.length === 0 || b.length === 0) {
    if (!deepEqual(a, b)) c.modified.insert(path);
    return;
  }
  for (const [el, item] of ib) {
    const p = [...path, el];
    const before = ia.get(el);
    if (before === undefined) {
      c.added.insert(p);
      addValue(c.added, item, p, names, w);
    } else compareValues(before, item, p, names, w, c);
  }
  for (const [el, item] of ia) {
    if (ib.has(el)) continue;
    const p = [...path, el];
    c.removed.insert(p);
    addValue(c.removed, item, p, names, w);
  }
}
