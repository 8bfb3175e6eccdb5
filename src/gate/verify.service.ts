import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../cli/command';
import { DomainException, errorMessage } from '../common/domain.exception';
import { normaliseManifestPath } from '../config/manifest-path';
import type { PolicyEngine } from '../policy/policy-engine';
import { RegoPolicyEngine } from '../policy/rego-policy-engine';
import { readPolicyFiles } from '../policy/rego/loader';
import { GitObjectReader } from '../source/git-object-reader';
import { readConfig, resolveCommit, runGit, type GitRunOptions } from '../source/git-rev';
import { loadTrustFile } from '../verification/trust-file';
import type { TrustStore } from '../verification/trust-store';
import { NotesApprovalProvider } from './approval-provider';
import { decideRange } from './gate-engine';
import type { CommitDecision, GateMode, GateRange, GateRepository } from './gate.types';

/**
 * `gitseal verify` without the argument parsing: loads the trust file and the policies (failing
 * with a usage error, exit 2, when either cannot be loaded: fail closed), resolves the revision or
 * range, and decides it with the gate engine, approvals read from the repository's notes.
 */
export interface VerifyRequest {
  repo: string;
  /** One commit (any rev naming one). */
  rev?: string;
  /** `A..B`; A may be the all-zero id (a new ref): then B's whole history. */
  range?: string;
  trustFile: string;
  policiesDir?: string;
  bundleFile?: string;
  mode: GateMode;
  repositoryId?: string;
  url?: string;
  branch?: string;
  manifestPath: string;
  requiredApprovals: number;
  policyTimeoutMs: number;
  approvalsRef?: string;
  now: Date;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface VerifyResult {
  decisions: CommitDecision[];
  repository: GateRepository;
  policyDigest: string;
}

export async function runVerify(request: VerifyRequest): Promise<VerifyResult> {
  const repo = absolute(request.cwd, request.repo);
  const git: GitRunOptions = { env: request.env };
  const range = await resolveRange(repo, request, git);
  const repository: GateRepository = {
    id: await repositoryId(repo, request, git),
    url: request.url ?? (await readConfig(repo, 'remote.origin.url', git).catch(() => null)) ?? repo,
    branch: request.branch ?? (await currentBranch(repo, git)),
    gitDir: repo,
    manifestPath: manifestPath(request.manifestPath),
    // one revision is one decision: its own checks (ancestors are walked only for a range)
    mode: request.range === undefined ? 'head' : request.mode,
    requiredApprovals: request.requiredApprovals,
    env: request.env,
  };
  const trust = await loadTrust(absolute(request.cwd, request.trustFile));
  const policy = await loadPolicy(request);
  const notes = new GitObjectReader(repo, { env: request.env });
  try {
    const approvals = new NotesApprovalProvider(repo, notes, { env: request.env, ref: request.approvalsRef });
    const decisions = await decideRange(repository, range, { trust, policy: policy.engine, approvals, now: request.now, policyTimeoutMs: request.policyTimeoutMs });
    return { decisions, repository, policyDigest: policy.engine.digest };
  } catch (err) {
    if (err instanceof DomainException && err.category !== 'internal') throw new UsageError(err.message);
    throw err;
  } finally {
    await notes.close();
    await policy.close();
  }
}

const ZERO_ID = /^0{40}$|^0{64}$/;

async function resolveRange(repo: string, request: VerifyRequest, git: GitRunOptions): Promise<GateRange> {
  const resolveRev = async (rev: string) => {
    try {
      return await resolveCommit(repo, rev, git);
    } catch (err) {
      throw new UsageError(`${errorMessage(err)} in ${repo}`);
    }
  };
  if (request.range === undefined) return { anchor: null, head: await resolveRev(request.rev ?? 'HEAD') };
  const parts = request.range.split('..');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '' || parts[1].startsWith('.')) {
    throw new UsageError(`--range must be A..B (two revisions), not ${JSON.stringify(request.range)}`);
  }
  const head = await resolveRev(parts[1]);
  return { anchor: ZERO_ID.test(parts[0]) ? null : await resolveRev(parts[0]), head };
}

async function repositoryId(repo: string, request: VerifyRequest, git: GitRunOptions): Promise<string> {
  const id = request.repositoryId ?? (await readConfig(repo, 'gitseal.repository', git).catch(() => null));
  if (!id) throw new UsageError('no repository id: give --repository-id ID or set it once with `git config gitseal.repository ID`');
  return id;
}

async function currentBranch(repo: string, git: GitRunOptions): Promise<string> {
  const r = await runGit(repo, ['symbolic-ref', '--short', '-q', 'HEAD'], { ...git, okCodes: [0, 1, 128] }).catch(() => null);
  const name = r?.code === 0 ? r.stdout.toString('utf8').trim() : '';
  return name === '' ? 'HEAD' : name;
}

function manifestPath(path: string): string {
  try {
    return normaliseManifestPath(path);
  } catch (err) {
    throw new UsageError(`--manifest-path: ${errorMessage(err)}`);
  }
}

async function loadTrust(path: string): Promise<TrustStore> {
  try {
    return await loadTrustFile(path);
  } catch (err) {
    throw new UsageError(`cannot load the trust file: ${errorMessage(err)}`);
  }
}

async function loadPolicy(request: VerifyRequest): Promise<{ engine: PolicyEngine; close: () => Promise<void> }> {
  if ((request.policiesDir === undefined) === (request.bundleFile === undefined)) {
    throw new UsageError('give the policies: --policies DIR (Rego) or --bundle FILE (opa build -t wasm), one of them');
  }
  if (request.bundleFile !== undefined) {
    const { loadWasmPolicyEngine } = await import('../policy/wasm'); // only for bundles
    const loaded = await loadWasmPolicyEngine(absolute(request.cwd, request.bundleFile));
    if (!loaded.ok) throw new UsageError(`cannot load the policy bundle (${loaded.error.reason}): ${loaded.error.message}`);
    return { engine: loaded.value, close: () => loaded.value.close() };
  }
  const dir = absolute(request.cwd, request.policiesDir as string);
  const loaded = RegoPolicyEngine.load(dir);
  if (!loaded.ok) throw new UsageError(`cannot load the policies (${loaded.error.code}): ${loaded.error.message}`);
  if (!readPolicyFiles(dir, { excludeTests: true }).some((f) => f.path.endsWith('.rego'))) {
    throw new UsageError(`the policy folder ${request.policiesDir} holds no .rego module: nothing would be checked`);
  }
  return { engine: loaded.engine, close: async () => undefined };
}

function absolute(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}
