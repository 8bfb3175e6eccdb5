import { parse as parseYaml } from 'yaml';
import { isPrefix, rootSegments } from './bundle-manifest';
import type { TarEntry } from './tar-reader';
import { WasmBundleException } from './wasm-bundle.exception';

/**
 * Builds the `data` document from a bundle's data files as OPA does: every `data.json` or
 * `data.yaml` is placed at the path of its folder (`/roles/bindings/data.json` → data.roles.bindings),
 * objects from several files merge, two files giving different values to one path conflict, and
 * with manifest roots every value must lie under one of them. `opa build` collapses all data into
 * one `/data.json`, which must then be an object.
 */
export type JsonObject = Record<string, unknown>;

const MAX_DEPTH = 256;
const DATA_FILES = new Set(['data.json', 'data.yaml']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function isDataFile(path: string): boolean {
  return DATA_FILES.has(path.slice(path.lastIndexOf('/') + 1));
}

export function assembleData(files: TarEntry[], roots: string[] | undefined): JsonObject {
  const data: JsonObject = {};
  const rootSegs = roots === undefined ? undefined : rootSegments(roots);
  for (const file of files.filter((f) => isDataFile(f.path))) {
    const segments = file.path.split('/').filter((s) => s !== '').slice(0, -1);
    const value = parseDataFile(file);
    if (segments.length === 0 && !isObject(value)) throw bad(file.path, 'a data file at the root must hold an object');
    if (rootSegs !== undefined) checkRoots(file.path, segments, value, rootSegs);
    insert(data, segments, value, file.path);
  }
  return data;
}

function parseDataFile(file: TarEntry): unknown {
  let text: string;
  try {
    text = utf8.decode(file.data);
  } catch {
    throw bad(file.path, 'it is not valid UTF-8');
  }
  try {
    const value: unknown = file.path.endsWith('.json')
      ? JSON.parse(text)
      : parseYaml(text, { schema: 'core', maxAliasCount: 100, uniqueKeys: true });
    assertJson(value, file.path, 0);
    return value;
  } catch (err) {
    if (err instanceof WasmBundleException) throw err;
    throw bad(file.path, err instanceof Error ? err.message.split('\n')[0] : String(err));
  }
}

/** YAML can produce values JSON cannot hold; refuse them rather than silently changing them. */
function assertJson(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw bad(path, `it nests deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw bad(path, 'it holds a number JSON cannot represent');
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) assertJson(item, path, depth + 1);
    return;
  }
  if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) assertJson(item, path, depth + 1);
    return;
  }
  throw bad(path, 'it holds a value JSON cannot represent');
}

/** Every part of the value must lie under a root: walk down while the path is above the roots. */
function checkRoots(file: string, path: string[], value: unknown, roots: string[][]): void {
  if (roots.some((root) => isPrefix(root, path))) return;
  const below = roots.some((root) => isPrefix(path, root));
  if (!below || !isObject(value)) {
    throw bad(file, `data at ${JSON.stringify(path.join('/'))} lies outside the manifest roots`);
  }
  for (const [key, child] of Object.entries(value)) checkRoots(file, [...path, key], child, roots);
}

function insert(data: JsonObject, path: string[], value: unknown, file: string): void {
  if (path.length === 0) {
    merge(data, value as JsonObject, path, file, 0);
    return;
  }
  let node = data;
  for (let i = 0; i < path.length - 1; i++) {
    const next = getOwn(node, path[i]);
    if (next === undefined) setOwn(node, path[i], {});
    else if (!isObject(next)) throw conflict(file, path.slice(0, i + 1));
    node = getOwn(node, path[i]) as JsonObject;
  }
  const last = path[path.length - 1];
  const existing = getOwn(node, last);
  if (existing === undefined) setOwn(node, last, value);
  else if (isObject(existing) && isObject(value)) merge(existing, value, path, file, 0);
  else throw conflict(file, path);
}

function merge(target: JsonObject, source: JsonObject, path: string[], file: string, depth: number): void {
  if (depth > MAX_DEPTH) throw bad(file, `it nests deeper than ${MAX_DEPTH} levels`);
  for (const [key, value] of Object.entries(source)) {
    const existing = getOwn(target, key);
    if (existing === undefined) setOwn(target, key, value);
    else if (isObject(existing) && isObject(value)) merge(existing, value, [...path, key], file, depth + 1);
    else throw conflict(file, [...path, key]);
  }
}

/** Own properties only, so a key named `__proto__` is data, never the prototype. */
function getOwn(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function setOwn(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function conflict(file: string, path: string[]): WasmBundleException {
  return bad(file, `it conflicts with other data at ${JSON.stringify(path.join('/'))}`);
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function bad(file: string, why: string): WasmBundleException {
  return new WasmBundleException('bad-data', `${file}: ${why}`);
}
