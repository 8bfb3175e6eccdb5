import { WasmBundleException } from './wasm-bundle.exception';

/** The fields of OPA's `/.manifest` that gitseal reads; others (rego_version, …) are ignored. */
export interface BundleManifest {
  revision?: string;
  /** Data paths the bundle owns, slash-separated (`roles`, `http/example`); `""` owns everything. */
  roots?: string[];
  wasm?: WasmResolver[];
  metadata?: Record<string, unknown>;
}

export interface WasmResolver {
  /** Query path the module answers, slash-separated: `gitseal`, `example/allow`. */
  entrypoint: string;
  /** Path of the module inside the bundle, normalised to start with `/`. */
  module: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseManifest(bytes: Uint8Array): BundleManifest {
  const doc = parseJsonObject(bytes);
  const manifest: BundleManifest = {};
  if (doc.revision !== undefined) {
    if (typeof doc.revision !== 'string') throw bad('"revision" must be a string');
    manifest.revision = doc.revision;
  }
  if (doc.roots !== undefined) manifest.roots = parseRoots(doc.roots);
  if (doc.wasm !== undefined) manifest.wasm = parseResolvers(doc.wasm);
  if (doc.metadata !== undefined) {
    if (!isObject(doc.metadata)) throw bad('"metadata" must be an object');
    manifest.metadata = doc.metadata;
  }
  return manifest;
}

/** Root paths as segment lists; `""` becomes `[]` (the whole data tree). */
export function rootSegments(roots: string[]): string[][] {
  return roots.map((r) => r.split('/').filter((s) => s !== ''));
}

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw bad(`it is not valid UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isObject(doc)) throw bad('it must be a JSON object');
  return doc;
}

function parseRoots(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((r): r is string => typeof r === 'string')) {
    throw bad('"roots" must be an array of strings');
  }
  const segs = rootSegments(value);
  for (let i = 0; i < segs.length; i++) {
    for (let j = i + 1; j < segs.length; j++) {
      if (isPrefix(segs[i], segs[j]) || isPrefix(segs[j], segs[i])) {
        throw bad(`roots ${JSON.stringify(value[i])} and ${JSON.stringify(value[j])} overlap`);
      }
    }
  }
  return value;
}

function parseResolvers(value: unknown): WasmResolver[] {
  if (!Array.isArray(value)) throw bad('"wasm" must be an array');
  return value.map((item, i) => {
    if (!isObject(item) || typeof item.entrypoint !== 'string' || typeof item.module !== 'string') {
      throw bad(`"wasm[${i}]" must be an object with string "entrypoint" and "module"`);
    }
    const module = `/${item.module.split('/').filter((s) => s !== '' && s !== '.').join('/')}`;
    return { entrypoint: item.entrypoint, module };
  });
}

export function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => path[i] === seg);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function bad(why: string): WasmBundleException {
  return new WasmBundleException('bad-manifest', `/.manifest: ${why}`);
}
