import { ApiError, badRequest } from './api-error';
import { type JsonObject, type JsonValue, deepClone, deepEqual, isObject } from './sandbox.types';

/** RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else replaces. */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return deepClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function patchError(message: string): ApiError {
  return new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonObject | JsonValue[];

function resolveParent(doc: JsonValue, parts: string[], pointer: string): { parent: Container; key: string } {
  let cur: JsonValue = doc;
  for (const part of parts.slice(0, -1)) {
    const next: JsonValue | undefined = Array.isArray(cur) ? cur[arrayIndex(cur, part, false, pointer)] : isObject(cur) ? cur[part] : undefined;
    if (next === undefined || next === null || typeof next !== 'object') throw patchError(`missing path "${pointer}"`);
    cur = next;
  }
  if (cur === null || typeof cur !== 'object') throw patchError(`missing path "${pointer}"`);
  return { parent: cur, key: parts[parts.length - 1] };
}

function arrayIndex(list: JsonValue[], key: string, forInsert: boolean, pointer: string): number {
  if (forInsert && key === '-') return list.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw patchError(`invalid array index "${key}" in "${pointer}"`);
  const i = Number(key);
  if (i > list.length || (!forInsert && i === list.length)) throw patchError(`index ${i} out of bounds in "${pointer}"`);
  return i;
}

function getAt(doc: JsonValue, pointer: string): JsonValue {
  const parts = parsePointer(pointer);
  if (parts.length === 0) return doc;
  const { parent, key } = resolveParent(doc, parts, pointer);
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, key, false, pointer)] : parent[key];
  if (value === undefined) throw patchError(`missing path "${pointer}"`);
  return value;
}

function addAt(doc: JsonValue, pointer: string, value: JsonValue): JsonValue {
  const parts = parsePointer(pointer);
  if (parts.length === 0) return value;
  const { parent, key } = resolveParent(doc, parts, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, pointer), 0, value);
  else parent[key] = value;
  return doc;
}

function removeAt(doc: JsonValue, pointer: string): JsonValue {
  const parts = parsePointer(pointer);
  if (parts.length === 0) throw patchError('cannot remove the whole document');
  const { parent, key } = resolveParent(doc, parts, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false, pointer), 1);
  else {
    if (!(key in parent)) throw patchError(`Unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
  return doc;
}

/** RFC 6902 JSON patch over a copy of `target`. */
export function jsonPatch(target: JsonValue, ops: JsonValue): JsonValue {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = deepClone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') throw patchError('invalid operation');
    const path = raw.path;
    const from = typeof raw.from === 'string' ? raw.from : '';
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, path, deepClone(raw.value ?? null));
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'replace':
        getAt(doc, path);
        doc = addAt(removeAt(doc, path), path, deepClone(raw.value ?? null));
        break;
      case 'move': {
        const value = getAt(doc, from);
        doc = addAt(removeAt(doc, from), path, value);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, deepClone(getAt(doc, from)));
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path), raw.value ?? null)) throw patchError(`testing value ${path} failed`);
        break;
      default:
        throw patchError(`Unexpected kind: ${raw.op}`);
    }
  }
  return doc;
}
