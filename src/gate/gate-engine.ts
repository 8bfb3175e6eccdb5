import { errorMessage } from '../common/domain.exception';
import { GitObjectReader } from '../source/git-object-reader';
import type { FileChange, GitRunOptions } from '../source/git-rev';
import { verifyApprovals, type ApprovalVerification } from '../verification/approval-verifier';
import { verifyCommits } from '../verification/batch-verifier';
import type { CommitVerification } from '../verification/verification.types';
import { approvalCheck, policyCheck, sealOf, signatureReasons } from './commit-checks';
import { changesOf } from './commit-changes';
import { assembleDecision, type OwnCheck } from './decision-assembly';
import { GateException } from './gate.exception';
import type { CommitDecision, GateContext, GateRange, GateRepository } from './gate.types';
import { walkHead, walkStrict, type WalkNode } from './gate-walk';
import { idBytesOf } from './git-tree';
import { resolveLimits } from './input-limits';
import { ManifestLoader, type ManifestSnapshot } from './manifest-loader';
import { buildPolicyInput } from './policy-input';
import { readRange, treesOf } from './range-reader';
import { TreeReader } from './tree-reader';

export const DEFAULT_POLICY_TIMEOUT_MS = 5000;

/**
 * Decides every commit of a range (contracts §2): one decision per commit, oldest first, each
 * `allow` or `block` with all its reasons and the evidence behind them. Work is batched: the
 * commits' raw objects in one `git cat-file` round trip, signatures verified together, the changed
 * files of all commits from one `git diff-tree --stdin`, each tree read once, manifests re-parsed
 * only for blobs not seen before (a commit that leaves the manifest folder alone reuses its
 * parent's), the policies prepared once by the caller. Anything that fails while deciding ONE
 * commit blocks that commit with a reason saying what failed; only a range that cannot be read at
 * all throws (GateException).
 */
export async function decideRange(repo: GateRepository, range: GateRange, ctx: GateContext): Promise<CommitDecision[]> {
  validateRepository(repo);
  const limits = resolveLimits(ctx.limits);
  const git: GitRunOptions = { env: repo.env };
  const objects = new GitObjectReader(repo.gitDir, { env: repo.env });
  const blobs = new GitObjectReader(repo.gitDir, { env: repo.env, maxObjectBytes: limits.maxFileBytes });
  try {
    const commits = await readRange(repo.gitDir, range, repo.mode, objects, git);
    const verified = await verifyCommits(commits.readable, ctx.trust, { now: ctx.now });
    const bySha = new Map<string, CommitVerification>([...verified, ...commits.unreadable].map((v) => [v.sha, v]));
    const ordered = commits.shas.map((sha) => bySha.get(sha) as CommitVerification);
    const loader = new ManifestLoader(new TreeReader(objects, idBytesOf(range.head)), blobs, repo.manifestPath, limits);
    const gather = new Gatherer(repo, ctx, loader, objects, ordered);
    await gather.prepare();
    const own: OwnCheck[] = [];
    for (const v of ordered) own.push(await gather.check(v));
    const nodes: WalkNode[] = own.map((o) => ({ sha: o.verification.sha, parents: o.parents, ownBlocked: o.reasons.length > 0, firstReason: o.reasons[0]?.code ?? null, seal: o.seal }));
    const walked = repo.mode === 'head' ? [walkHead(nodes[0], commits.rewritten)] : walkStrict(nodes, commits.rewritten);
    const context = { mode: repo.mode, anchor: range.anchor, head: range.head, decidedAt: ctx.now.toISOString() };
    return own.map((o, i) => assembleDecision(o, walked[i], context));
  } finally {
    await Promise.all([objects.close(), blobs.close()]);
  }
}

function validateRepository(repo: GateRepository): void {
  if (!Number.isSafeInteger(repo.requiredApprovals) || repo.requiredApprovals < 0) {
    throw new GateException('gate.invalid-request', `requiredApprovals must be a whole number ≥ 0, not ${repo.requiredApprovals}`);
  }
  if (repo.mode !== 'strict' && repo.mode !== 'head') throw new GateException('gate.invalid-request', `mode must be strict or head, not ${String(repo.mode)}`);
  if (repo.id === '') throw new GateException('gate.invalid-request', 'the repository id is empty');
}

/** Gathers one commit's evidence and runs its own checks; never throws (fail closed). */
class Gatherer {
  private changes = new Map<string, FileChange[]>();
  private changesError: string | null = null;
  private parentsError: string | null = null;
  private outsideTrees = new Map<string, string | null>();
  private readonly inRange: Map<string, CommitVerification>;

  constructor(
    private readonly repo: GateRepository,
    private readonly ctx: GateContext,
    private readonly loader: ManifestLoader,
    private readonly objects: GitObjectReader,
    private readonly commits: CommitVerification[],
  ) {
    this.inRange = new Map(commits.map((c) => [c.sha, c]));
  }

  /** What is read for all commits at once: changed files, trees of first parents outside the range. */
  async prepare(): Promise<void> {
    const parsed = this.commits.flatMap((v) => (v.commit ? [v.commit] : []));
    try {
      this.changes = await changesOf(this.repo.gitDir, parsed.map((c) => ({ sha: c.sha, firstParent: c.parents[0] ?? null })), { env: this.repo.env });
    } catch (err) {
      this.changesError = `the changed files cannot be read: ${errorMessage(err)}`;
    }
    const outside = parsed.map((c) => c.parents[0]).filter((p): p is string => p !== undefined && !this.inRange.has(p));
    try {
      this.outsideTrees = await treesOf(this.objects, outside);
    } catch (err) {
      this.parentsError = errorMessage(err);
    }
  }

  async check(v: CommitVerification): Promise<OwnCheck> {
    const signature = signatureReasons(v);
    const parents = v.commit?.parents ?? [];
    const noApprovals = approvalCheck(v.sha, { approvals: [], rejected: [] }, null, 0).evidence;
    try {
      if (!v.commit) {
        const policy = await policyCheck(this.ctx.policy, null, ['the commit object does not parse'], this.timeout());
        return { verification: v, parents, reasons: [...signature, ...policy.reasons], warnings: [], approvals: { ...noApprovals, required: this.repo.requiredApprovals }, policy: policy.evidence, input: null, seal: null };
      }
      const commit = v.commit;
      const problems: string[] = [];
      const current = await this.loader.load(commit.tree);
      const previous = await this.previousSnapshot(commit.parents[0], problems);
      const approvals = await this.approvals(v, problems);
      const approval = approvalCheck(v.sha, approvals, v.signature.fingerprint, this.repo.requiredApprovals);
      if (this.changesError) problems.push(this.changesError);
      problems.push(...current.problems, ...previous.problems.map((p) => `at the first parent: ${p}`));
      const input = buildPolicyInput({
        repository: { id: this.repo.id, url: this.repo.url, branch: this.repo.branch },
        commit,
        signature: v.signature,
        approvals: approvals.approvals,
        changes: this.changes.get(v.sha) ?? [],
        manifests: current.manifests,
        previousManifests: previous.manifests,
      });
      const policy = await policyCheck(this.ctx.policy, input, problems, this.timeout());
      const reasons = [...signature, ...(approval.reason ? [approval.reason] : []), ...policy.reasons];
      return { verification: v, parents, reasons, warnings: current.warnings, approvals: approval.evidence, policy: policy.evidence, input, seal: sealOf(approvals.approvals) };
    } catch (err) {
      const message = `deciding commit ${v.sha} failed: ${errorMessage(err)}`;
      const policy = { engine: this.ctx.policy.kind, digest: this.ctx.policy.digest, inputHash: null, deny: [], warn: [], error: null, inputProblems: [message] };
      return { verification: v, parents, reasons: [...signature, { code: 'policy-error', message }], warnings: [], approvals: { ...noApprovals, required: this.repo.requiredApprovals }, policy, input: null, seal: null };
    }
  }

  private timeout(): number {
    return this.ctx.policyTimeoutMs ?? DEFAULT_POLICY_TIMEOUT_MS;
  }

  private async previousSnapshot(parent: string | undefined, problems: string[]): Promise<ManifestSnapshot> {
    if (parent === undefined) return { manifests: [], problems: [], warnings: [] };
    const tree = this.inRange.get(parent)?.commit?.tree ?? this.outsideTrees.get(parent) ?? null;
    if (tree === null) {
      problems.push(`the first parent ${parent} cannot be read${this.parentsError ? `: ${this.parentsError}` : ''}`);
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
