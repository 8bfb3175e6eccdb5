import type { GitObjectReader } from '../source/git-object-reader';
import { parseTree, TreeFormatError, type GitTreeEntry, type TreeEntryType } from './git-tree';

/** A tree that cannot be read: missing from the repository, too large, not a tree, or malformed. */
export class TreeReadError extends Error {}

export interface PathTarget {
  type: TreeEntryType;
  id: string;
}

/**
 * Reads tree objects through the gate's object reader, each at most once per run (trees are
 * immutable: an id always names the same entries).
 */
export class TreeReader {
  private readonly cache = new Map<string, GitTreeEntry[]>();

  constructor(
    private readonly objects: GitObjectReader,
    private readonly idBytes: 20 | 32,
  ) {}

  /** Entries of each tree, in the order asked; one round trip to git for the ones not read yet. */
  async read(ids: readonly string[]): Promise<GitTreeEntry[][]> {
    const wanted = [...new Set(ids.filter((id) => !this.cache.has(id)))];
    if (wanted.length > 0) {
      const objects = await this.objects.readMany(wanted);
      for (const object of objects) {
        if (object.status !== 'ok') throw new TreeReadError(`tree ${object.sha} is ${object.status === 'missing' ? 'missing from the repository' : `${object.size} bytes, too large to read`}`);
        if (object.type !== 'tree') throw new TreeReadError(`object ${object.sha} is a ${object.type}, not a tree`);
        try {
          this.cache.set(object.sha, parseTree(object.data, this.idBytes));
        } catch (err) {
          if (err instanceof TreeFormatError) throw new TreeReadError(`tree ${object.sha} is malformed: ${err.message}`);
          throw err;
        }
      }
    }
    return ids.map((id) => this.cache.get(id) as GitTreeEntry[]);
  }

  /**
   * What `path` ('' for the root) names inside the tree `root`, or null when nothing is there.
   * A component on the way that is not a folder (a file, a symbolic link, a submodule) is a
   * TreeReadError: links are never followed, and such a path is no place for manifests.
   */
  async resolve(root: string, path: string): Promise<PathTarget | null> {
    let current: PathTarget = { type: 'tree', id: root };
    const parts = path === '' ? [] : path.split('/');
    for (let i = 0; i < parts.length; i++) {
      if (current.type !== 'tree') throw new TreeReadError(`${parts.slice(0, i).join('/')} on the manifest path is a ${current.type}, not a folder`);
      const [entries] = await this.read([current.id]);
      const entry = entries.find((e) => e.name === parts[i]);
      if (!entry) return null;
      current = { type: entry.type, id: entry.id };
    }
    if (current.type === 'symlink' || current.type === 'submodule') throw new TreeReadError(`the manifest path ${path} is a ${current.type === 'symlink' ? 'symbolic link' : 'submodule'}, never followed`);
    return current;
  }
}
