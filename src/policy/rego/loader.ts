/**
 * Reads a policy folder (or files) as hostile input: only regular files, symlinks only when they
 * stay inside the folder, capped in count and size. `.rego` files are modules; `.json`, `.yaml`
 * and `.yml` files are data placed at their folder's path under `data` (as `opa -d` does).
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ModuleSource } from './rego';
import { ObjectBuilder, isObject, sortedEntries, type Value } from './value';
import { checkJson } from './value-json';
import { parseJsonValue } from './builtins/encoding';

export const MAX_FILES = 2000;
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
const MAX_DIR_DEPTH = 32;

export class LoadError extends Error {}

export interface LoadedFile {
  /** Path relative to the root given (forward slashes). */
  path: string;
  bytes: Buffer;
}

export interface LoadedBundle {
  modules: ModuleSource[];
  data: Value;
  files: LoadedFile[];
  /** sha256 hex over the sorted relative paths and bytes of the files loaded. */
  digest: string;
}

export interface LoadOptions {
  /** Leave out `*_test.rego` (the gate never runs tests). */
  excludeTests?: boolean;
}

function isPolicyFile(name: string, opts: LoadOptions): boolean {
  if (name.endsWith('.rego')) return !(opts.excludeTests && name.endsWith('_test.rego'));
  return name.endsWith('.json') || name.endsWith('.yaml') || name.endsWith('.yml');
}

/** Files under root (a folder or a single file), checked and read. */
export function readPolicyFiles(root: string, opts: LoadOptions = {}): LoadedFile[] {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    throw new LoadError(`${root}: no such file or folder`);
  }
  if (statSync(realRoot).isFile()) {
    if (!isPolicyFile(root, {})) throw new LoadError(`${root}: not a .rego, .json or .yaml file`);
    return [{ path: basename(root), bytes: readCapped(realRoot, root) }];
  }
  const out: LoadedFile[] = [];
  let total = 0;
  const walk = (dir: string, depth: number) => {
    if (depth > MAX_DIR_DEPTH) throw new LoadError(`${dir}: folders nested deeper than ${MAX_DIR_DEPTH}`);
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      const st = lstatSync(p);
      let real = p;
      if (st.isSymbolicLink()) {
        try {
          real = realpathSync(p);
        } catch {
          throw new LoadError(`${relative(root, p)}: broken symlink`);
        }
        if (real !== realRoot && !real.startsWith(realRoot + sep)) throw new LoadError(`${relative(root, p)}: symlink leaves the policy folder`);
      }
      const target = statSync(real);
      if (target.isDirectory()) walk(p, depth + 1);
      else if (target.isFile() && isPolicyFile(name, opts)) {
        if (out.length >= MAX_FILES) throw new LoadError(`more than ${MAX_FILES} policy files`);
        const bytes = readCapped(real, relative(root, p));
        total += bytes.length;
        if (total > MAX_TOTAL_BYTES) throw new LoadError(`policy files larger than ${MAX_TOTAL_BYTES} bytes in total`);
        out.push({ path: relative(root, p).split(sep).join('/'), bytes });
      }
    }
  };
  walk(realRoot, 0);
  return out;
}

function readCapped(real: string, shown: string): Buffer {
  if (statSync(real).size > MAX_FILE_BYTES) throw new LoadError(`${shown}: larger than ${MAX_FILE_BYTES} bytes`);
  return readFileSync(real);
}

function parseDataFile(f: LoadedFile): Value {
  const text = f.bytes.toString('utf8');
  try {
    if (f.path.endsWith('.json')) return parseJsonValue(text);
    return checkJson(parseYaml(text, { maxAliasCount: 100, uniqueKeys: true }) ?? {}, f.path);
  } catch (e) {
    throw new LoadError(`${f.path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function merge(a: Value, b: Value, path: string): Value {
  if (!isObject(a) || !isObject(b)) throw new LoadError(`data conflict at ${path || 'data'}`);
  const out = new ObjectBuilder();
  for (const [k, v] of sortedEntries(a)) out.set(k, v);
  for (const [k, v] of sortedEntries(b)) {
    const prev = out.get(k);
    out.set(k, prev === undefined ? v : merge(prev, v, `${path}.${String(k)}`));
  }
  return out.build();
}

function nest(path: string[], v: Value): Value {
  let out = v;
  for (let i = path.length - 1; i >= 0; i--) {
    const b = new ObjectBuilder();
    b.set(path[i], out);
    out = b.build();
  }
  return out;
}

export function digestOf(files: LoadedFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(f.path, 'utf8');
    h.update('\0');
    h.update(String(f.bytes.length));
    h.update('\0');
    h.update(f.bytes);
  }
  return h.digest('hex');
}

/** Modules and data from files already read (paths relative to their root). */
export function bundleOf(files: LoadedFile[], prefix = ''): LoadedBundle {
  const modules: ModuleSource[] = [];
  let data: Value = new ObjectBuilder().build();
  for (const f of files) {
    if (f.path.endsWith('.rego')) modules.push({ path: prefix + f.path, source: f.bytes.toString('utf8') });
    else {
      const dir = dirname(f.path);
      const place = dir === '.' ? [] : dir.split('/');
      data = merge(data, nest(place, parseDataFile(f)), '');
    }
  }
  return { modules, data, files, digest: digestOf(files) };
}

/** Loads a policy folder (or file). Throws LoadError for hostile or unreadable input. */
export function loadPolicyFolder(root: string, opts: LoadOptions = {}): LoadedBundle {
  return bundleOf(readPolicyFiles(root, opts), root.endsWith('/') ? root : `${root}/`);
}

export interface Root {
  /** Where to read (absolute or relative to the process). */
  path: string;
  /** How to name it in messages (as the user wrote it). */
  shown: string;
}

/** Loads several roots (as `opa eval -d a -d b`), merging their data. */
export function loadPolicyRoots(roots: Root[], opts: LoadOptions = {}): LoadedBundle {
  const all: LoadedBundle = { modules: [], data: new ObjectBuilder().build(), files: [], digest: '' };
  for (const root of roots) {
    const files = readPolicyFiles(root.path, opts);
    const isFile = statSync(root.path).isFile();
    const shownDir = isFile ? dirname(root.shown) : root.shown.replace(/\/+$/, '');
    const b = bundleOf(files, `${shownDir}/`);
    all.modules.push(...b.modules);
    all.data = merge(all.data, b.data, '');
    all.files.push(...files.map((f) => ({ ...f, path: `${shownDir}/${f.path}` })));
  }
  all.digest = digestOf(all.files);
  return all;
}
