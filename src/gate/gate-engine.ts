import { availableParallelism } from 'node:os';
import { GitObjectReader } from '../source/git-object-reader';
import type { GitRunOptions } from '../source/git-rev';
import { verifyCommits } from '../verification/batch-verifier';
import type { CommitVerification } from '../verification/verification.types';
import { CommitGatherer, readAhead } from './commit-gatherer';
import { assembleDecision, type OwnCheck } from './decision-assembly';
import { GateException } from './gate.exception';
import type { CommitDecision, GateContext, GateRange, GateRepository } from './gate.types';
import { walkHead, walkStrict, type WalkNode } from './gate-walk';
import { commitHeads, idBytesOf } from './git-tree';
import { resolveLimits } from './input-limits';
import { ManifestLoader } from './manifest-loader';
import { ManifestParsePool } from './manifest-parse-pool';
import { readRange } from './range-reader';
import { TreeReader } from './tree-reader';

export { DEFAULT_POLICY_TIMEOUT_MS } from './commit-gatherer';

const MIN_BATCH_FOR_WORKERS = 200;

/**
 * Signature checks are mostly CPU work in this thread; on more than two cores, worker threads
 * take them off the thread that parses manifests and evaluates policies. On two cores they only
 * add start-up cost (measured in bench/verify.bench.ts), as the verifier's own default says.
 */
function defaultWorkers(commits: number): number {
  const cores = availableParallelism();
  return commits >= MIN_BATCH_FOR_WORKERS && cores > 2 ? Math.min(cores - 1, 4) : 0;
}

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
  const parser = new ManifestParsePool(ctx.manifestWorker === undefined ? 'auto' : ctx.manifestWorker ? 'worker' : 'thread');
  const loader = new ManifestLoader(new TreeReader(objects, idBytesOf(range.head)), blobs, repo.manifestPath, limits, parser);
  let prefetched: Promise<void> = Promise.resolve();
  try {
    const commits = await readRange(repo.gitDir, range, repo.mode, objects, git);
    const heads = commits.readable.map((c) => ({ sha: c.sha, heads: commitHeads(c.raw) }));
    // the trees are read first (so the manifest files go to the parser early), then signatures
    // verify while the files are read and parsed and the changed files are listed
    const ahead = readAhead(repo, loader, objects, heads);
    prefetched = ahead.ready.then(() => ahead.prefetched).catch(() => undefined);
    await ahead.listed;
    const workers = ctx.signatureWorkers ?? defaultWorkers(commits.readable.length);
    const verifying = verifyCommits(commits.readable, ctx.trust, { now: ctx.now, workers, minBatchForWorkers: 1 });
    const [verified] = await Promise.all([verifying, ahead.ready]);
    const bySha = new Map<string, CommitVerification>([...verified, ...commits.unreadable].map((v) => [v.sha, v]));
    const ordered = commits.shas.map((sha) => bySha.get(sha) as CommitVerification);
    const gather = new CommitGatherer(repo, ctx, loader, ordered, ahead);
    const own: OwnCheck[] = [];
    for (const v of ordered) own.push(await gather.check(v));
    const nodes: WalkNode[] = own.map((o) => ({ sha: o.verification.sha, parents: o.parents, ownBlocked: o.reasons.length > 0, firstReason: o.reasons[0]?.code ?? null, seal: o.seal }));
    const walked = repo.mode === 'head' ? [walkHead(nodes[0], commits.rewritten)] : walkStrict(nodes, commits.rewritten);
    const context = { mode: repo.mode, anchor: range.anchor, head: range.head, decidedAt: ctx.now.toISOString() };
    return own.map((o, i) => assembleDecision(o, walked[i], context));
  } finally {
    await prefetched;
    parser.close();
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

