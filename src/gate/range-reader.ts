import { DomainException, errorMessage } from '../common/domain.exception';
import type { GitObjectReader } from '../source/git-object-reader';
import { assertObjectId, isAncestor, listCommits, type GitRunOptions } from '../source/git-rev';
import type { RawCommit } from '../verification/commit-verifier';
import type { CommitVerification } from '../verification/verification.types';
import { GateException } from './gate.exception';
import type { GateMode, GateRange } from './gate.types';
import { commitTreeId } from './git-tree';

/**
 * The commits a range decides and their raw objects: strict mode, every commit reachable from the
 * head and not from the anchor (oldest first, parents before children); head mode, the head alone.
 * A commit whose object cannot be read (over the size cap, missing) is not verified: it gets a
 * stand-in verification that blocks it (`bad-signature`: its signature cannot be checked).
 */
export interface RangeCommits {
  shas: string[];
  /** The head does not descend from the anchor. */
  rewritten: boolean;
  readable: RawCommit[];
  unreadable: CommitVerification[];
}

export async function readRange(repo: string, range: GateRange, mode: GateMode, objects: GitObjectReader, git: GitRunOptions): Promise<RangeCommits> {
  const head = checkId(range.head, 'head');
  const anchor = range.anchor === null ? null : checkId(range.anchor, 'anchor');
  await expectCommits(objects, anchor === null ? [head] : [head, anchor]);
  let shas: string[];
  let rewritten = false;
  try {
    rewritten = anchor !== null && !(await isAncestor(repo, anchor, head, git));
    shas = mode === 'head' ? [head] : await listCommits(repo, { from: anchor, to: head }, git);
  } catch (err) {
    throw new GateException('gate.repository-unreadable', `cannot list the commits of ${anchor ? `${anchor}..` : ''}${head}: ${errorMessage(err)}`);
  }
  const objectsRead = await objects.readMany(shas);
  const readable: RawCommit[] = [];
  const unreadable: CommitVerification[] = [];
  for (const o of objectsRead) {
    if (o.status === 'ok' && o.type === 'commit') readable.push({ sha: o.sha, raw: o.data });
    else {
      const why = o.status === 'missing' ? 'is missing from the repository' : o.status === 'too-large' ? `is ${o.size} bytes, over the size limit` : `is a ${o.type}, not a commit`;
      unreadable.push(unreadableCommit(o.sha, why));
    }
  }
  return { shas, rewritten, readable, unreadable };
}

/** The root trees of commits outside the range (first parents of its oldest commits), in one round trip. */
export async function treesOf(objects: GitObjectReader, shas: readonly string[]): Promise<Map<string, string | null>> {
  const trees = new Map<string, string | null>();
  const unique = [...new Set(shas)];
  if (unique.length === 0) return trees;
  for (const o of await objects.readMany(unique)) trees.set(o.sha, o.status === 'ok' && o.type === 'commit' ? commitTreeId(o.data) : null);
  return trees;
}

export function unreadableCommit(sha: string, why: string): CommitVerification {
  return {
    sha,
    commit: null,
    signature: { status: 'bad', format: null, keyId: null, fingerprint: null, signer: null, signedAt: null },
    reasons: [{ code: 'bad-signature', message: `commit ${sha} ${why}: its signature cannot be checked` }],
    warnings: [],
    mergetags: [],
  };
}

function checkId(id: string, what: string): string {
  try {
    return assertObjectId(id);
  } catch (err) {
    throw new GateException('gate.invalid-request', `the ${what} must be a full commit id: ${errorMessage(err)}`);
  }
}

async function expectCommits(objects: GitObjectReader, ids: string[]): Promise<void> {
  let found;
  try {
    found = await objects.readMany(ids);
  } catch (err) {
    if (err instanceof DomainException) throw new GateException('gate.repository-unreadable', `cannot read the repository: ${err.message}`);
    throw err;
  }
  for (const o of found) {
    if (o.status === 'missing') throw new GateException('gate.unknown-commit', `commit ${o.sha} is not in the repository`);
    if (o.type !== 'commit') throw new GateException('gate.invalid-request', `object ${o.sha} is a ${o.type}, not a commit`);
  }
}
