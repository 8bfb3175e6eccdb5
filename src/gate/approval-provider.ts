import type { GitObjectReader } from '../source/git-object-reader';
import { APPROVALS_NOTES_REF, assertRev, isObjectId, parseLsTree, runGit, type GitRunOptions } from '../source/git-rev';
import type { ApprovalMessage } from '../verification/approval-verifier';

/**
 * Where the gate gets the approval messages of a commit (contracts §5): the approvals notes of the
 * repository, messages posted to the API (the service adds those), or both. The gate verifies
 * every message itself; a provider only finds them. A provider that fails makes the commit a
 * `policy-error` (its input cannot be built): approvals are never silently taken as absent.
 */
export interface ApprovalProvider {
  forCommit(sha: string): Promise<ApprovalMessage[]>;
}

export const NO_APPROVALS: ApprovalProvider = { forCommit: async () => [] };

/** Messages from every provider, in order. */
export function combineApprovals(...providers: ApprovalProvider[]): ApprovalProvider {
  return {
    async forCommit(sha) {
      const all: ApprovalMessage[] = [];
      for (const p of providers) all.push(...(await p.forCommit(sha)));
      return all;
    },
  };
}

export const MAX_NOTE_BYTES = 1024 * 1024;

/**
 * Approvals from the notes under `refs/notes/gitseal-approvals` (or another ref or notes commit,
 * e.g. the one being pushed, in a pre-receive hook). The notes tree is listed once (one
 * `git ls-tree`), and each note read through the object reader only for commits that have one.
 */
export class NotesApprovalProvider implements ApprovalProvider {
  private listing: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly repo: string,
    private readonly blobs: GitObjectReader,
    private readonly options: GitRunOptions & { ref?: string; maxNoteBytes?: number } = {},
  ) {}

  async forCommit(sha: string): Promise<ApprovalMessage[]> {
    const notes = await (this.listing ??= this.list());
    const blob = notes.get(sha);
    if (!blob) return [];
    const [object] = await this.blobs.readMany([blob]);
    const max = this.options.maxNoteBytes ?? MAX_NOTE_BYTES;
    if (object.status === 'missing') throw new Error(`the approvals note of ${sha} (blob ${blob}) is missing from the repository`);
    if (object.status === 'too-large' || object.size > max) throw new Error(`the approvals note of ${sha} is ${object.size} bytes, over the limit ${max}`);
    if (object.type !== 'blob') throw new Error(`the approvals note of ${sha} is a ${object.type}, not a blob`);
    return [{ text: object.data.toString('utf8'), source: 'git-note' }];
  }

  /** commit id → note blob id, from the notes tree (fan-out folders joined back into ids). */
  private async list(): Promise<Map<string, string>> {
    const ref = assertRev(this.options.ref ?? APPROVALS_NOTES_REF);
    const exists = await runGit(this.repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{tree}`], { ...this.options, okCodes: [0, 1] });
    const notes = new Map<string, string>();
    if (exists.code !== 0) return notes;
    const tree = exists.stdout.toString('utf8').trim();
    const listed = await runGit(this.repo, ['ls-tree', '-r', '-z', '--full-tree', tree], this.options);
    for (const entry of parseLsTree(listed.stdout)) {
      const commit = entry.path.replace(/\//g, '');
      if (entry.type === 'blob' && isObjectId(commit)) notes.set(commit, entry.sha);
    }
    return notes;
  }
}
