import { DomainException, errorMessage } from '../common/domain.exception';
import { parseManifestFile } from '../reconciler/render/manifest-parser';
import type { GitObjectReader } from '../source/git-object-reader';
import type { TreeEntryType } from './git-tree';
import { jsonSize, type InputLimits } from './input-limits';
import type { ManifestEntry } from './policy-input';
import { TreeReadError, type PathTarget, type TreeReader } from './tree-reader';

/**
 * The Kubernetes objects under a repository's manifest path at one commit (contract §3
 * `manifests`), read through the gate's object readers: every `.yaml`, `.yml` and `.json` file
 * (the reconciler's rule), multi-document YAML, empty documents skipped, `kind: List` expanded
 * (each item keeps its document's index), parsed by the reconciler's own parser so the policies
 * judge exactly what would be applied. Snapshots are cached by the manifest folder's tree id (a
 * commit that did not touch the folder reuses its parent's) and files by blob id.
 *
 * Problems (a file that does not parse, a symbolic link named like a manifest, a bound exceeded)
 * block the commit as `policy-error`; warnings (other symbolic links, submodules) are recorded.
 */
export interface ManifestSnapshot {
  manifests: ManifestEntry[];
  problems: string[];
  warnings: string[];
}

/** The reconciler reads these files (src/reconciler/render/manifest-parser.ts MANIFEST_EXTENSIONS). */
export const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const READ_CHUNK = 32;

interface FileRef {
  path: string;
  type: TreeEntryType;
  id: string;
}

interface ParsedFile {
  bytes: number;
  objectBytes: number;
  entries: ManifestEntry[];
  problem: string | null;
}

const EMPTY: ManifestSnapshot = Object.freeze({ manifests: [], problems: [], warnings: [] }) as ManifestSnapshot;

export class ManifestLoader {
  private readonly snapshots = new Map<string, Promise<ManifestSnapshot>>();
  private readonly parsed = new Map<string, ParsedFile>();

  constructor(
    private readonly trees: TreeReader,
    private readonly blobs: GitObjectReader,
    private readonly manifestPath: string,
    private readonly limits: InputLimits,
  ) {}

  /** The manifests of the commit whose root tree is `rootTree`. Throws only when git itself fails. */
  async load(rootTree: string): Promise<ManifestSnapshot> {
    let target: PathTarget | null;
    try {
      target = await this.trees.resolve(rootTree, this.manifestPath);
    } catch (err) {
      if (err instanceof TreeReadError) return { manifests: [], problems: [`cannot read the manifests: ${err.message}`], warnings: [] };
      throw err;
    }
    if (!target) return EMPTY;
    const key = `${target.type}:${target.id}`;
    let snapshot = this.snapshots.get(key);
    if (!snapshot) {
      snapshot = this.build(target);
      this.snapshots.set(key, snapshot);
      snapshot.catch(() => this.snapshots.delete(key));
    }
    return snapshot;
  }

  private async build(target: PathTarget): Promise<ManifestSnapshot> {
    const problems: string[] = [];
    const warnings: string[] = [];
    let files: FileRef[];
    try {
      files = target.type === 'tree' ? await this.list(target.id, problems) : [{ path: this.manifestPath, type: target.type, id: target.id }];
    } catch (err) {
      if (err instanceof TreeReadError) return { manifests: [], problems: [`cannot read the manifests: ${err.message}`], warnings };
      throw err;
    }
    const readable = this.classify(files, problems, warnings);
    await this.readAndParse(readable, problems);
    return { ...this.assemble(readable, problems), warnings };
  }

  /** Every entry under the folder, breadth first, one round trip per level. */
  private async list(root: string, problems: string[]): Promise<FileRef[]> {
    const files: FileRef[] = [];
    let level = [{ path: this.manifestPath, id: root }];
    let count = 0;
    for (let depth = 0; level.length > 0; depth++) {
      if (depth > this.limits.maxTreeDepth) {
        problems.push(`the manifest path holds folders nested deeper than ${this.limits.maxTreeDepth} levels (limit maxTreeDepth)`);
        break;
      }
      const listed = await this.trees.read(level.map((d) => d.id));
      const next: typeof level = [];
      for (let i = 0; i < level.length; i++) {
        for (const entry of listed[i]) {
          if (++count > this.limits.maxFiles) {
            problems.push(`the manifest path holds more than ${this.limits.maxFiles} files and folders (limit maxFiles)`);
            return files;
          }
          const path = level[i].path === '' ? entry.name : `${level[i].path}/${entry.name}`;
          if (entry.type === 'tree') next.push({ path, id: entry.id });
          else files.push({ path, type: entry.type, id: entry.id });
        }
      }
      level = next;
    }
    return files;
  }

  /** The manifest files to read, in path order; links and submodules reported. */
  private classify(files: FileRef[], problems: string[], warnings: string[]): FileRef[] {
    const readable: FileRef[] = [];
    for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      const manifest = MANIFEST_FILE.test(f.path);
      if (f.type === 'symlink') {
        if (manifest) problems.push(`${f.path}: is a symbolic link; links are never followed, and the reconciler refuses them`);
        else warnings.push(`${f.path}: symbolic link not followed`);
      } else if (f.type === 'submodule') {
        if (manifest) warnings.push(`${f.path}: is a submodule; its content is not read`);
      } else if (manifest) readable.push(f);
    }
    return readable;
  }

  /** Reads and parses the files not parsed before, a chunk at a time, within maxTotalBytes. */
  private async readAndParse(files: FileRef[], problems: string[]): Promise<void> {
    let total = 0;
    const unread: FileRef[] = [];
    for (const f of files) {
      const known = this.parsed.get(cacheKey(f));
      if (known) total += known.bytes;
      else unread.push(f);
    }
    for (let at = 0; at < unread.length; at += READ_CHUNK) {
      if (total > this.limits.maxTotalBytes) break;
      const chunk = unread.slice(at, at + READ_CHUNK);
      const objects = await this.blobs.readMany(chunk.map((f) => f.id));
      chunk.forEach((f, i) => {
        const parsed = this.parseOne(f, objects[i]);
        total += parsed.bytes;
        this.parsed.set(cacheKey(f), parsed);
      });
    }
    if (total > this.limits.maxTotalBytes) {
      problems.push(`the manifest files hold more than ${this.limits.maxTotalBytes} bytes together (limit maxTotalBytes)`);
    }
  }

  private parseOne(f: FileRef, object: Awaited<ReturnType<GitObjectReader['read']>>): ParsedFile {
    const failed = (bytes: number, problem: string): ParsedFile => ({ bytes, objectBytes: 0, entries: [], problem });
    if (object.status === 'missing') return failed(0, `${f.path}: blob ${f.id} is missing from the repository`);
    if (object.status === 'too-large') {
      return failed(object.size, `${f.path}: is ${object.size} bytes, more than the ${this.limits.maxFileBytes}-byte limit per manifest file (limit maxFileBytes)`);
    }
    if (object.type !== 'blob') return failed(object.size, `${f.path}: object ${f.id} is a ${object.type}, not a file`);
    try {
      const entries = parseManifestFile(f.path, object.data).map((d) => ({ path: d.path, index: d.index, object: d.object }));
      let objectBytes = 0;
      for (const e of entries) objectBytes += jsonSize(e.object, this.limits.maxObjectBytes - objectBytes + 1);
      return { bytes: object.size, objectBytes, entries, problem: null };
    } catch (err) {
      const message = errorMessage(err).split('\n')[0];
      return failed(object.size, err instanceof DomainException ? message : `${f.path}: cannot be parsed: ${message}`);
    }
  }

  private assemble(files: FileRef[], problems: string[]): Omit<ManifestSnapshot, 'warnings'> {
    const manifests: ManifestEntry[] = [];
    let objectBytes = 0;
    for (const f of files) {
      const parsed = this.parsed.get(cacheKey(f));
      if (!parsed) continue; // not read: maxTotalBytes was reached, already reported
      if (parsed.problem) {
        problems.push(parsed.problem);
        continue;
      }
      if (manifests.length + parsed.entries.length > this.limits.maxDocuments) {
        problems.push(`the manifest files hold more than ${this.limits.maxDocuments} objects (limit maxDocuments)`);
        break;
      }
      objectBytes += parsed.objectBytes;
      if (objectBytes > this.limits.maxObjectBytes) {
        problems.push(`the manifests' objects take more than ${this.limits.maxObjectBytes} bytes as JSON, YAML aliases expanded (limit maxObjectBytes)`);
        break;
      }
      manifests.push(...parsed.entries);
    }
    return { manifests, problems };
  }
}

function cacheKey(f: FileRef): string {
  return `${f.id}\0${f.path}`;
}
