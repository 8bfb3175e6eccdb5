/**
 * Git tree objects, parsed from their raw bytes (`<mode> SP <name> NUL <binary id>` repeated), so
 * the gate reads every tree it needs through one `git cat-file` process instead of one
 * `git ls-tree` per commit. A tree that does not parse is reported, never guessed at.
 */
export type TreeEntryType = 'tree' | 'blob' | 'executable' | 'symlink' | 'submodule';

export interface GitTreeEntry {
  name: string;
  type: TreeEntryType;
  /** Lower-case hex object id. */
  id: string;
}

export class TreeFormatError extends Error {}

const MODES: Record<string, TreeEntryType> = {
  '40000': 'tree',
  '040000': 'tree',
  '100644': 'blob',
  '100664': 'blob', // written by very old git versions; git still reads it as a regular file
  '100755': 'executable',
  '120000': 'symlink',
  '160000': 'submodule',
};

/** Parses a tree object whose ids are `idBytes` long (20 for SHA-1 repositories, 32 for SHA-256). */
export function parseTree(raw: Buffer, idBytes: 20 | 32): GitTreeEntry[] {
  const entries: GitTreeEntry[] = [];
  let at = 0;
  while (at < raw.length) {
    const space = raw.indexOf(0x20, at);
    const nul = space < 0 ? -1 : raw.indexOf(0x00, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + idBytes > raw.length) throw new TreeFormatError(`truncated tree entry at byte ${at}`);
    const mode = raw.toString('latin1', at, space);
    const type = MODES[mode];
    if (type === undefined) throw new TreeFormatError(`unknown mode ${JSON.stringify(mode.slice(0, 16))} at byte ${at}`);
    const name = raw.toString('utf8', space + 1, nul);
    if (name === '' || name === '.' || name === '..' || name.includes('/')) {
      throw new TreeFormatError(`invalid entry name ${JSON.stringify(name.slice(0, 100))} at byte ${at}`);
    }
    entries.push({ name, type, id: raw.toString('hex', nul + 1, nul + 1 + idBytes) });
    at = nul + 1 + idBytes;
  }
  return entries;
}

/** The id length of a repository, from any of its object ids. */
export function idBytesOf(objectId: string): 20 | 32 {
  return objectId.length === 64 ? 32 : 20;
}

/** The tree id on the first line of a raw commit object (`tree <id>`), or null when it is not there. */
export function commitTreeId(raw: Buffer): string | null {
  const match = /^tree ([0-9a-f]{40}|[0-9a-f]{64})\n/.exec(raw.toString('latin1', 0, 70));
  return match ? match[1] : null;
}

/**
 * The tree and parents from a raw commit's header lines, read quickly so that trees and changed
 * files can be fetched while signatures are still being verified. Decisions use the verifier's
 * parse; this only schedules reads (and the gate checks that both agree before using them).
 */
export function commitHeads(raw: Buffer): { tree: string; parents: string[] } | null {
  const end = raw.indexOf('\n\n');
  const lines = raw.toString('latin1', 0, end < 0 ? raw.length : end).split('\n');
  const tree = /^tree ([0-9a-f]{40}|[0-9a-f]{64})$/.exec(lines[0] ?? '')?.[1];
  if (!tree) return null;
  const parents: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const parent = /^parent ([0-9a-f]{40}|[0-9a-f]{64})$/.exec(lines[i])?.[1];
    if (!parent) break;
    parents.push(parent);
  }
  return { tree, parents };
}
