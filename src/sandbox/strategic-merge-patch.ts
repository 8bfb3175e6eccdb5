import { badRequest } from './api-error';
import { keyElement } from './field-set';
import type { ListSchema } from './list-schema';
import { type JsonObject, type JsonValue, deepClone, deepEqual, isObject } from './sandbox.types';

const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const ELEMENT_ORDER = '$setElementOrder/';
const RETAIN_KEYS = '$retainKeys';

/**
 * Strategic merge patch for the list-merge keys the sandbox knows (containers by name, ports by
 * containerPort, finalizers as a set, …): `$patch: delete|replace|merge`,
 * `$deleteFromPrimitiveList/<field>`, `$retainKeys`; other lists are replaced.
 */
export function strategicMergePatch(target: JsonObject, patch: JsonValue, schema: ListSchema): JsonObject {
  if (!isObject(patch)) throw badRequest('the body of the request was in an unknown format - a strategic merge patch must be an object');
  return patchMap(target, patch, [], schema);
}

function patchMap(target: JsonObject | undefined, patch: JsonObject, names: string[], schema: ListSchema): JsonObject {
  const directive = patch.$patch;
  if (directive === 'replace') return stripDirectives(patch);
  if (directive === 'delete') return {};
  const out: JsonObject = target ? { ...target } : {};
  const retain = patch[RETAIN_KEYS];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === RETAIN_KEYS || k.startsWith(ELEMENT_ORDER)) continue;
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(v)) out[field] = current.filter((x) => !v.some((d) => deepEqual(d, x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const current = out[k];
    const childNames = [...names, k];
    if (isObject(v)) out[k] = patchMap(isObject(current) ? current : undefined, v, childNames, schema);
    else if (Array.isArray(v)) out[k] = patchList(Array.isArray(current) ? current : undefined, v, childNames, schema);
    else out[k] = v;
  }
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}

function patchList(target: JsonValue[] | undefined, patch: JsonValue[], names: string[], schema: ListSchema): JsonValue[] {
  const lt = schema.listType(names);
  const replace = patch.find((x) => isObject(x) && x.$patch === 'replace');
  if (replace !== undefined) return patch.filter((x) => x !== replace).map((x) => (isObject(x) ? stripDirectives(x) : x));
  if (lt.type === 'atomic' || !target) return patch.filter((x) => !(isObject(x) && x.$patch === 'delete')).map(clean);
  if (lt.type === 'set') {
    const out = [...target];
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(v);
    return out;
  }
  const out = [...target];
  const mergeKeys = lt.keys.slice(0, 1);
  const indexOf = (item: JsonObject): number => {
    const el = keyElement(item, mergeKeys, lt.defaults);
    return out.findIndex((x) => isObject(x) && keyElement(x, mergeKeys, lt.defaults) === el);
  };
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`${names.join('.')}: list items must be objects to merge by ${mergeKeys[0]}`);
    if (keyElement(item, mergeKeys, lt.defaults) === undefined) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKeys[0]}`);
    const at = indexOf(item);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = patchMap(out[at] as JsonObject, item, names, schema);
    else out.push(clean(item));
  }
  return out;
}

function clean(value: JsonValue): JsonValue {
  return isObject(value) ? stripDirectives(value) : deepClone(value);
}

function stripDirectives(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === '$patch' || k === RETAIN_KEYS || k.startsWith(ELEMENT_ORDER) || k.startsWith(DELETE_PRIMITIVE)) continue;
    out[k] = isObject(v) ? stripDirectives(v) : Array.isArray(v) ? v.map(clean) : v;
  }
  return out;
}
