import type { GitObjectReader } from '../source/git-object-reader';
import type { InputLimits } from './input-limits';
import { FileTable, ManifestFiles, type FileRef } from './manifest-files';
import type { ManifestParsePool } from './manifest-parse-pool';
import type { ManifestEntry } from './policy-input';
import { TreeReadError, type PathTarget, type TreeReader } from './tree-reader';

/**
 * The Kubernetes objects under a repository's manifest path at one commit (contract §3
 * `manifests`), read through the gate's object readers: every `.yaml`, `.yml` and `.json` file
 * (the reconciler's rule), multi-document YAML, empty documents skipped, `kind: List` expanded
 * (each item keeps its document's index), parsed by the reconciler's own parser so the policies
 * judge exactly what would be applied. Snapshots are cached by the manifest folder's tree id (a
 * commit that did not touch the folder reuses its parent's) and files by blob id; prefetch()
 * reads the trees and blobs of many commits in a few round trips.
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

const EMPTY: ManifestSnapshot = Object.freeze({ manifests: [], problems: [], warnings: [] }) as ManifestSnapshot;

export class ManifestLoader {
  private readonly snapshots = new Map<string, Promise<ManifestSnapshot>>();
  private readonly files: ManifestFiles;
  /** A prefetch in progress: `listed` when its files are reserved (or it ended), `done` when it ended. */
  private prefetching: { listed: Promise<void>; done: Promise<void> } | null = null;

  constructor(
    private readonly trees: TreeReader,
    blobs: GitObjectReader,
    private readonly manifestPath: string,
    private readonly limits: InputLimits,
    parser: ManifestParsePool,
  ) {
    this.files = new ManifestFiles(blobs, limits, parser);
  }

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

  /**
   * Reads ahead, for many commits at once, what load() will need: the trees on the way to the
   * manifest path, the folders under it and the manifest files, a level (or a chunk of blobs) per
   * round trip. Only warms caches: whatever it cannot read is left for load() to report.
   */
  prefetch(rootTrees: readonly string[]): { listed: Promise<void>; done: Promise<void> } {
    let listed!: () => void;
    const state = { listed: new Promise<void>((resolve) => (listed = resolve)), done: Promise.resolve() };
    state.done = this.walkAndRead(rootTrees, listed).finally(() => {
      listed();
      if (this.prefetching === state) this.prefetching = null;
    });
    this.prefetching = state;
    return state;
  }

  private async walkAndRead(rootTrees: readonly string[], reserved: () => void): Promise<void> {
    try {
      let level = [...new Set(rootTrees)];
      for (const part of this.manifestPath === '' ? [] : this.manifestPath.split('/')) {
        const listed = await this.trees.read(level);
        level = [...new Set(listed.flatMap((entries) => entries.filter((e) => e.name === part && e.type === 'tree').map((e) => e.id)))];
      }
      const files: FileRef[] = [];
      const listedFiles = new FileTable<true>(); // the same file in many commits' folders is read once
      let paths = level.map((id) => ({ id, path: this.manifestPath }));
      for (let depth = 0, seen = 0; paths.length > 0 && depth <= this.limits.maxTreeDepth && seen <= this.limits.maxFiles * 4; depth++) {
        const listed = await this.trees.read(paths.map((p) => p.id));
        const next = new Map<string, { id: string; path: string }>();
        listed.forEach((entries, i) => {
          seen += entries.length;
          for (const e of entries) {
            const path = paths[i].path === '' ? e.name : `${paths[i].path}/${e.name}`;
            if (e.type === 'tree') next.set(`${e.id}\0${path}`, { id: e.id, path });
            else if ((e.type === 'blob' || e.type === 'executable') && MANIFEST_FILE.test(path)) {
              const file = { path, type: e.type, id: e.id };
              if (!listedFiles.has(file)) files.push(file);
              listedFiles.set(file, true);
            }
          }
        });
        paths = [...next.values()];
      }
      const reading = this.files.read(files); // reserves the files at once: load() waits for them
      reserved();
      await reading;
    } catch (err) {
      if (!(err instanceof TreeReadError)) throw err;
    }
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
    await this.afterPrefetch(readable);
    const total = await this.files.read(readable, (bytes) => bytes > this.limits.maxTotalBytes);
    if (total > this.limits.maxTotalBytes) {
      problems.push(`the manifest files hold more than ${this.limits.maxTotalBytes} bytes together (limit maxTotalBytes)`);
    } else if (readable.some((f) => !this.files.has(f))) {
      problems.push(`the commits of this range hold more than ${this.limits.maxRangeBytes} bytes of manifests together (limit maxRangeBytes): decide a shorter range`);
    }
    return { ...(await this.assemble(readable, problems)), warnings };
  }

  /**
   * With a prefetch in progress: waits until it has reserved its files, and, when this commit
   * needs a file it does not read, until it ended, so that files are read (and counted against
   * the run's byte budget) in the same order as when the prefetch is over before anything else.
   */
  private async afterPrefetch(files: readonly FileRef[]): Promise<void> {
    const prefetch = this.prefetching;
    if (!prefetch) return;
    await prefetch.listed;
    if (files.some((f) => !this.files.covers(f))) await prefetch.done;
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

  private async assemble(files: FileRef[], problems: string[]): Promise<Omit<ManifestSnapshot, 'warnings'>> {
    const manifests: ManifestEntry[] = [];
    let objectBytes = 0;
    const all = await Promise.all(files.map((f) => this.files.get(f)));
    for (const parsed of all) {
      if (!parsed) continue; // not read: a byte limit was reached, already reported
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
