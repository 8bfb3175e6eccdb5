import { isObjectId, runGit, type FileChange, type GitRunOptions } from '../source/git-rev';

/**
 * Files changed by each commit against its first parent (every file for a root commit), renames
 * detected as `git diff-tree -M` detects them (contract §3 `changes`), for many commits with ONE
 * `git diff-tree --stdin` process: each input line is `<commit> <first parent>` (or `<commit>`
 * for a root commit, with --root), so a merge is compared with its first parent only.
 */
export interface ChangeRequest {
  sha: string;
  firstParent: string | null;
}

export async function changesOf(repo: string, commits: readonly ChangeRequest[], options: GitRunOptions = {}): Promise<Map<string, FileChange[]>> {
  const result = new Map<string, FileChange[]>(commits.map((c) => [c.sha, []]));
  if (commits.length === 0) return result;
  const lines = commits.map((c) => (c.firstParent ? `${c.sha} ${c.firstParent}\n` : `${c.sha}\n`)).join('');
  const out = await runGit(repo, ['diff-tree', '--stdin', '-r', '-M', '--root', '--name-status', '-z', '--no-ext-diff', '--no-textconv'], {
    ...options,
    input: lines,
  });
  for (const [sha, changes] of parseDiffTreeStdin(out.stdout)) {
    const list = result.get(sha);
    if (!list) throw new Error(`git diff-tree answered for ${sha}, which was not asked`);
    list.push(...changes);
  }
  for (const list of result.values()) list.sort(byPath);
  return result;
}

/**
 * Parses `diff-tree --stdin -z --name-status` output: a commit id field, then its records
 * (`S\0path\0` or `R087\0old\0new\0`), then the next commit id. Commits with no change print
 * nothing. A status field is never an object id, so the two cannot be confused.
 */
export function parseDiffTreeStdin(output: Buffer): Map<string, FileChange[]> {
  const fields = output.toString('utf8').split('\0');
  if (fields[fields.length - 1] === '') fields.pop();
  const byCommit = new Map<string, FileChange[]>();
  let current: FileChange[] | undefined;
  for (let i = 0; i < fields.length; ) {
    const field = fields[i++];
    if (isObjectId(field.trim())) {
      current = [];
      byCommit.set(field.trim(), current);
      continue;
    }
    if (!current) throw new Error(`git diff-tree printed a change before any commit: ${JSON.stringify(field.slice(0, 80))}`);
    const letter = field.charAt(0);
    if (letter === 'R' || letter === 'C') {
      const oldPath = fields[i++];
      const path = fields[i++];
      if (oldPath === undefined || path === undefined) throw new Error(`git diff-tree: truncated ${field} record`);
      current.push({ path, oldPath, status: letter === 'R' ? 'renamed' : 'added' });
      continue;
    }
    const path = fields[i++];
    const status = ({ A: 'added', M: 'modified', T: 'modified', D: 'deleted' } as const)[letter as 'A'];
    if (path === undefined || !status || field.length !== 1) throw new Error(`git diff-tree: unexpected status ${JSON.stringify(field.slice(0, 20))}`);
    current.push({ path, status, oldPath: null });
  }
  return byCommit;
}

function byPath(a: FileChange, b: FileChange): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
