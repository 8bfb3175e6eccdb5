import { parseAllDocuments } from 'yaml';
import { isJsonObject, type JsonValue, type KubeObject } from '../kube/kube-object';
import { ReconcilerException } from '../reconciler.exception';
import { readPlainYaml } from './plain-yaml';

/** One Kubernetes object as written in the repository, with where it came from. */
export interface ManifestDocument {
  path: string;
  /** Index of the document in its file (and `item` within a `List`). */
  index: number;
  item?: number;
  object: KubeObject;
}

export const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;
export const MAX_MANIFEST_FILE_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 64;

function fail(where: string, message: string): never {
  throw new ReconcilerException('invalid-manifest', `${where}: ${message}`, { where });
}

export function where(path: string, index: number, item?: number): string {
  return `${path} document ${index + 1}${item === undefined ? '' : ` item ${item + 1}`}`;
}

/** Refuses anything JSON cannot carry (YAML maps with non-string keys, binary, NaN, Infinity) and absurd nesting. */
function checkJson(value: unknown, at: string, depth = 0): asserts value is JsonValue {
  if (depth > MAX_DEPTH) fail(at, `nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(at, 'a number that is not finite (.inf or .nan) cannot be sent to the API server');
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) checkJson(v, at, depth + 1);
    return;
  }
  if (isJsonObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) checkJson(v, at, depth + 1);
    return;
  }
  fail(at, `holds a value JSON cannot represent (${Object.prototype.toString.call(value)})`);
}

function asObject(value: JsonValue, at: string): KubeObject {
  if (!isJsonObject(value)) fail(at, 'is not a mapping (a Kubernetes object must be one)');
  if (typeof value.apiVersion !== 'string' || !/^([a-z0-9.-]+\/)?[a-z0-9]+$/.test(value.apiVersion)) fail(at, 'has no valid apiVersion');
  if (typeof value.kind !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,62}$/.test(value.kind)) fail(at, 'has no valid kind');
  if (!isJsonObject(value.metadata)) fail(at, `${value.kind} has no metadata`);
  return value as KubeObject;
}

/** Expands `kind: List` (what `kubectl get -o yaml` writes) into its items. */
function expand(path: string, index: number, value: JsonValue): ManifestDocument[] {
  const at = where(path, index);
  if (isJsonObject(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    return value.items.map((item, i) => ({ path, index, item: i, object: asObject(item, where(path, index, i)) }));
  }
  return [{ path, index, object: asObject(value, at) }];
}

/**
 * The objects of one manifest file: YAML (multi-document, YAML 1.2; duplicate keys refused;
 * aliases capped) or JSON (read by the same parser, so duplicate keys are refused there too).
 * Empty documents are skipped. Errors name the file, the document and the line. Plain manifests
 * are read by readPlainYaml (same values, faster); the rest, and every error, by `yaml`.
 */
export function parseManifestFile(path: string, content: Buffer): ManifestDocument[] {
  if (content.length > MAX_MANIFEST_FILE_BYTES) fail(path, `is ${content.length} bytes, more than the ${MAX_MANIFEST_FILE_BYTES}-byte limit per manifest file`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    fail(path, 'is not valid UTF-8');
  }
  const out: ManifestDocument[] = [];
  const plain = readPlainYaml(text);
  if (plain) {
    plain.forEach((value, index) => {
      if (value === null) return;
      checkJson(value, where(path, index));
      out.push(...expand(path, index, value));
    });
    return out;
  }
  const docs = parseAllDocuments(text, { uniqueKeys: true, merge: true, prettyErrors: true, strict: true });
  if (!Array.isArray(docs)) return [];
  docs.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0];
      fail(where(path, index), `${line ? `line ${line.line}: ` : ''}${error.message.split('\n')[0]}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      fail(where(path, index), (err as Error).message.split('\n')[0]);
    }
    if (value === null || value === undefined) return;
    checkJson(value, where(path, index));
    out.push(...expand(path, index, value));
  });
  return out;
}
