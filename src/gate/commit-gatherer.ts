import { errorMessage } from '../common/domain.exception';
import type { GitObjectReader } from '../source/git-object-reader';
import type { FileChange } from '../source/git-rev';
import { verifyApprovals, type ApprovalVerification } from '../verification/approval-verifier';
import type { CommitVerification } from '../verification/verification.types';
import { approvalCheck, policyCheck, sealOf, signatureReasons } from './commit-checks';
import { changesOf } from './commit-changes';
import type { OwnCheck } from './decision-assembly';
import type { GateContext, GateRepository, PolicyEvidence } from './gate.types';
import type { ManifestLoader, ManifestSnapshot } from './manifest-loader';
import { buildPolicyInput } from './policy-input';
import { treesOf } from './range-reader';

export const DEFAULT_POLICY_TIMEOUT_MS = 5000;

/** What is read for all the commits of a range at once, while their signatures are verified. */
export interface ReadAhead {
  /** Changed files, with the first parent they were computed against. */
  changes: Map<string, { firstParent: string | null; changes: FileChange[] }>;
  changesError: string | null;
  /** Root trees of first parents outside the range. */
  outsideTrees: Map<string, string | null>;
  parentsError: string | null;
  /** The manifest trees and files of the whole range being read ahead (never rejects). */
  prefetched: Promise<void>;
  /** Settled once the read-ahead knows which files it reads (its trees are read): see decideRange. */
  listed: Promise<void>;
}

interface Heads {
  sha: string;
  heads: { tree: string; parents: string[] } | null;
}

/**
 * Starts reading, for the whole range, the changed files (one `git diff-tree --stdin`), the trees
 * of first parents outside the range, and the manifest trees and files (not awaited: load() waits
 * for what it needs). Returns at once; `listed` and the changed files are awaited by the caller.
 */
export function readAhead(repo: GateRepository, loader: ManifestLoader, objects: GitObjectReader, commits: readonly Heads[]): ReadAhead & { ready: Promise<void> } {
  const ahead: ReadAhead = { changes: new Map(), changesError: null, outsideTrees: new Map(), parentsError: null, prefetched: Promise.resolve(), listed: Promise.resolve() };
  let listed!: () => void;
  ahead.listed = new Promise<void>((resolve) => (listed = resolve));
  const ready = startReading(repo, loader, objects, commits, ahead, listed).finally(listed);
  return Object.assign(ahead, { ready });
}

async function startReading(
  repo: GateRepository,
  loader: ManifestLoader,
  objects: GitObjectReader,
  commits: readonly Heads[],
  ahead: ReadAhead,
  listed: () => void,
): Promise<void> {
  const known = commits.flatMap((c) => (c.heads ? [{ sha: c.sha, ...c.heads }] : []));
  const inRange = new Set(commits.map((c) => c.sha));
  const requests = known.map((c) => ({ sha: c.sha, firstParent: c.parents[0] ?? null }));
  const changing = changesOf(repo.gitDir, requests, { env: repo.env }).then(
    (changes) => requests.forEach((r) => ahead.changes.set(r.sha, { firstParent: r.firstParent, changes: changes.get(r.sha) ?? [] })),
    (err: unknown) => (ahead.changesError = `the changed files cannot be read: ${errorMessage(err)}`),
  );
  const outside = known.map((c) => c.parents[0]).filter((p): p is string => p !== undefined && !inRange.has(p));
  try {
    ahead.outsideTrees = await treesOf(objects, outside);
  } catch (err) {
    ahead.parentsError = errorMessage(err);
  }
  const roots = [...known.map((c) => c.tree), ...[...ahead.outsideTrees.values()].filter((t): t is string => t !== null)];
  // a cache warm-up, not awaited: load() waits for what it needs, and reports any failure itself
  const prefetch = loader.prefetch(roots);
  ahead.prefetched = prefetch.done.catch(() => undefined);
  void prefetch.listed.then(listed);
  await changing;
}

/**
 * Gathers one commit's evidence (manifests now and at the first parent, changed files, approvals)
 * and runs its own checks. Never throws: a failure blocks the commit with a reason (fail closed).
 */
export class CommitGatherer {
  private readonly inRange: Map<string, CommitVerification>;

  constructor(
    private readonly repo: GateRepository,
    private readonly ctx: GateContext,
    private readonly loader: ManifestLoader,
    commits: CommitVerification[],
    private readonly ahead: ReadAhead,
  ) {
    this.inRange = new Map(commits.map((c) => [c.sha, c]));
  }

  async check(v: CommitVerification): Promise<OwnCheck> {
    const signature = signatureReasons(v);
    const parents = v.commit?.parents ?? [];
    try {
      if (!v.commit) {
        const policy = await policyCheck(this.ctx.policy, null, ['the commit object does not parse'], this.timeout());
        return this.failed(v, [...signature, ...policy.reasons], policy.evidence);
      }
      const commit = v.commit;
      const problems: string[] = [];
      const current = await this.loader.load(commit.tree);
      const previous = await this.previousSnapshot(commit.parents[0], problems);
      const approvals = await this.approvals(v, problems);
      const approval = approvalCheck(v.sha, approvals, v.signature.fingerprint, this.repo.requiredApprovals);
      const changes = this.changesOf(v.sha, commit.parents[0] ?? null, problems);
      problems.push(...current.problems);
      // the first parent was decided on its own: what could not be read there is noted, not held against this commit (a fix must be able to pass)
      const warnings = [...current.warnings, ...previous.problems.map((p) => `previous manifests incomplete: at the first parent, ${p}`)];
      const input = buildPolicyInput({
        repository: { id: this.repo.id, url: this.repo.url, branch: this.repo.branch },
        commit,
        signature: v.signature,
        approvals: approvals.approvals,
        changes,
        manifests: current.manifests,
        previousManifests: previous.manifests,
      });
      const policy = await policyCheck(this.ctx.policy, input, problems, this.timeout());
      const reasons = [...signature, ...(approval.reason ? [approval.reason] : []), ...policy.reasons];
      return { verification: v, parents, reasons, warnings, approvals: approval.evidence, policy: policy.evidence, input, seal: sealOf(approvals.approvals) };
    } catch (err) {
      const message = `deciding commit ${v.sha} failed: ${errorMessage(err)}`;
      const evidence: PolicyEvidence = { engine: this.ctx.policy.kind, digest: this.ctx.policy.digest, inputHash: null, deny: [], warn: [], error: null, inputProblems: [message] };
      return this.failed(v, [...signature, { code: 'policy-error', message }], evidence);
    }
  }

  private failed(v: CommitVerification, reasons: OwnCheck['reasons'], policy: PolicyEvidence): OwnCheck {
    const approvals = { valid: [], rejected: [], required: this.repo.requiredApprovals, counted: [] };
    return { verification: v, parents: v.commit?.parents ?? [], reasons, warnings: [], approvals, policy, input: null, seal: null };
  }

  private timeout(): number {
    return this.ctx.policyTimeoutMs ?? DEFAULT_POLICY_TIMEOUT_MS;
  }

  private changesOf(sha: string, firstParent: string | null, problems: string[]): FileChange[] {
    if (this.ahead.changesError) {
      problems.push(this.ahead.changesError);
      return [];
    }
    const found = this.ahead.changes.get(sha);
    if (!found || found.firstParent !== firstParent) {
      problems.push(`the changed files of ${sha} cannot be determined`);
      return [];
    }
    return found.changes;
  }

  private async previousSnapshot(parent: string | undefined, problems: string[]): Promise<ManifestSnapshot> {
    if (parent === undefined) return { manifests: [], problems: [], warnings: [] };
    const tree = this.inRange.get(parent)?.commit?.tree ?? this.ahead.outsideTrees.get(parent) ?? null;
    if (tree === null) {
      problems.push(`the first parent ${parent} cannot be read${this.ahead.parentsError ? `: ${this.ahead.parentsError}` : ''}`);
      return { manifests: [], problems: [], warnings: [] };
    }
    return this.loader.load(tree);
  }

  private async approvals(v: CommitVerification, problems: string[]): Promise<ApprovalVerification> {
    const commit = v.commit;
    if (!commit) return { approvals: [], rejected: [] };
    let messages;
    try {
      messages = await this.ctx.approvals.forCommit(v.sha);
    } catch (err) {
      problems.push(`the approvals of ${v.sha} cannot be read: ${errorMessage(err)}`);
      return { approvals: [], rejected: [] };
    }
    const subject = { repositoryId: this.repo.id, commit: v.sha, tree: commit.tree };
    return verifyApprovals(subject, messages, this.ctx.trust, { now: this.ctx.now });
  }
}
