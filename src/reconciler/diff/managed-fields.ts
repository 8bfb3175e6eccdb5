import { deepEqual, isJsonObject, type JsonObject, type JsonValue, type KubeObject } from '../kube/kube-object';

/**
 * Reading `metadata.managedFields` (FieldsV1): which manager owns which field of a live object.
 * `f:<name>` is a field, `k:<json>` a list item by its keys, `v:<json>` a set item by value,
 * `i:<n>` an item by index, `.` the node itself; an empty node owns everything beneath it.
 */
export interface ManagedEntry {
  manager: string;
  operation: string;
  time?: string;
  subresource?: string;
  fields: JsonObject;
}

/** One step of a field path: into an object by name, or into a list by index (of the object walked). */
export type Step = { field: string } | { index: number; match: ItemMatch };
export type ItemMatch = { key: JsonObject } | { value: JsonValue } | { position: number };

export function managedEntries(obj: KubeObject | undefined): ManagedEntry[] {
  const list = obj?.metadata.managedFields;
  if (!Array.isArray(list)) return [];
  const out: ManagedEntry[] = [];
  for (const e of list) {
    if (!isJsonObject(e) || typeof e.manager !== 'string' || !isJsonObject(e.fieldsV1)) continue;
    out.push({
      manager: e.manager,
      operation: typeof e.operation === 'string' ? e.operation : '',
      time: typeof e.time === 'string' ? e.time : undefined,
      subresource: typeof e.subresource === 'string' ? e.subresource : undefined,
      fields: e.fieldsV1,
    });
  }
  return out;
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

export function itemMatches(match: ItemMatch, item: JsonValue, position: number): boolean {
  if ('position' in match) return match.position === position;
  if ('value' in match) return deepEqual(match.value, item);
  if (!isJsonObject(item)) return false;
  return Object.entries(match.key).every(([k, v]) => deepEqual(item[k], v));
}

function matchOf(member: string): ItemMatch | undefined {
  if (member.startsWith('k:')) {
    const key = parseJson(member.slice(2));
    return isJsonObject(key) ? { key } : undefined;
  }
  if (member.startsWith('v:')) {
    const value = parseJson(member.slice(2));
    return value === undefined ? undefined : { value };
  }
  if (member.startsWith('i:') && /^\d+$/.test(member.slice(2))) return { position: Number(member.slice(2)) };
  return undefined;
}

function isLeaf(node: JsonObject): boolean {
  return Object.keys(node).every((k) => k === '.');
}

/** The member of `node` that names `segment` of the live value `parent`, if any. */
function child(node: JsonObject, parent: JsonValue | undefined, segment: string): JsonObject | undefined {
  if (Array.isArray(parent)) {
    const position = Number(segment);
    const item = parent[position];
    if (item === undefined) return undefined;
    for (const [member, sub] of Object.entries(node)) {
      const m = matchOf(member);
      if (m && isJsonObject(sub) && itemMatches(m, item, position)) return sub;
    }
    return undefined;
  }
  const sub = node[`f:${segment}`];
  return isJsonObject(sub) ? sub : undefined;
}

/** Whether `fields` covers the field at `path` (segments over `live`: names, and list positions as digits). */
export function covers(fields: JsonObject, live: JsonValue, path: readonly string[]): boolean {
  let node: JsonObject = fields;
  let value: JsonValue | undefined = live;
  for (const segment of path) {
    if (Object.keys(node).length === 0) return true;
    const next = child(node, value, segment);
    if (!next) return false;
    node = next;
    value = Array.isArray(value) ? value[Number(segment)] : isJsonObject(value) ? value[segment] : undefined;
  }
  return true;
}

/** The managers (main resource, not subresources) that own the field at `path` of `live`. */
export function ownersOf(live: KubeObject, path: readonly string[]): string[] {
  return managedEntries(live)
    .filter((e) => !e.subresource && covers(e.fields, live, path))
    .map((e) => e.manager);
}

/** The leaf fields `fields` owns, as steps over `live`; fields it names that `live` lacks are skipped. */
export function ownedLeaves(fields: JsonObject, live: JsonValue): Step[][] {
  const out: Step[][] = [];
  const walk = (node: JsonObject, value: JsonValue | undefined, path: Step[]): void => {
    for (const [member, sub] of Object.entries(node)) {
      if (member === '.' || !isJsonObject(sub)) continue;
      let step: Step | undefined;
      let next: JsonValue | undefined;
      if (member.startsWith('f:') && isJsonObject(value)) {
        step = { field: member.slice(2) };
        next = value[step.field];
      } else if (Array.isArray(value)) {
        const m = matchOf(member);
        const position = m ? value.findIndex((item, i) => itemMatches(m, item, i)) : -1;
        if (m && position >= 0) {
          step = { index: position, match: m };
          next = value[position];
        }
      }
      if (!step || next === undefined) continue;
      if (isLeaf(sub)) out.push([...path, step]);
      else walk(sub, next, [...path, step]);
    }
  };
  walk(fields, live, []);
  return out;
}

export function stepsToSegments(steps: readonly Step[]): string[] {
  return steps.map((s) => ('field' in s ? s.field : String(s.index)));
}
