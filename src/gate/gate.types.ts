import type { PolicyEngine, PolicyError, PolicyMessage } from '../policy/policy-engine';
import type { ApprovalInfo, RejectedApproval } from '../verification/approval-verifier';
import type { TrustStore } from '../verification/trust-store';
import type { CommitVerification, Signer } from '../verification/verification.types';
import type { ApprovalProvider } from './approval-provider';
import type { InputLimits } from './input-limits';
import type { PolicyInputDocument } from './policy-input';

/** Contract §2: every reason a commit can be blocked for. No other code is ever produced. */
export const GATE_REASON_CODES = [
  'unsigned',
  'bad-signature',
  'untrusted-signer',
  'expired-key',
  'revoked-key',
  'unsupported-signature',
  'policy-denied',
  'policy-error',
  'approval-missing',
  'history-rewritten',
  'ancestor-blocked',
] as const;

export type GateReasonCode = (typeof GATE_REASON_CODES)[number];

export interface GateReason {
  code: GateReasonCode;
  message: string;
}

export type GateMode = 'strict' | 'head';

/** The repository being gated, as the service (or `gitseal verify`) configures it. */
export interface GateRepository {
  /** Repository id: approvals name it, the input document carries it. */
  id: string;
  url: string;
  branch: string;
  /** The Git directory (a bare mirror, or a work tree) read with the system git. */
  gitDir: string;
  /** Folder of the manifests inside the repository ('' for the whole tree). */
  manifestPath: string;
  mode: GateMode;
  /** Distinct approvers (not the commit's signer) every commit needs; 0: only the policies decide. */
  requiredApprovals: number;
  /** Base environment of git (default: this process's, so a pre-receive hook's quarantine variables reach git). */
  env?: NodeJS.ProcessEnv;
}

export interface GateRange {
  /** The last synced (allowed) commit, or null when nothing was synced yet. Full object id. */
  anchor: string | null;
  /** The target: the commit the branch points at. Full object id. */
  head: string;
}

export interface GateContext {
  trust: TrustStore;
  policy: PolicyEngine;
  approvals: ApprovalProvider;
  /** The clock reading the decision is made at (key expiry "now"); a replay passes the original. */
  now: Date;
  /** Budget of one policy decision (default 5000 ms). */
  policyTimeoutMs?: number;
  limits?: Partial<InputLimits>;
  /**
   * Worker threads verifying signatures while this thread reads and parses manifests (default:
   * on more than two cores, one per core but one, at most 4, for ranges of 200 commits or more;
   * else 0: verified in this thread).
   */
  signatureWorkers?: number;
  /**
   * Parse manifest files in a worker thread (true), in this thread (false), or decide by the work
   * (default: a worker when a run has 200 files or more to parse and there is more than one core).
   */
  manifestWorker?: boolean;
}

/** What the policies said about one commit (the `policy.decided` ledger entry). */
export interface PolicyEvidence {
  engine: PolicyEngine['kind'];
  /** Digest of the policy bundle evaluated. */
  digest: string;
  /** sha256 of the input document's canonical JSON; null when the input could not be built. */
  inputHash: string | null;
  /** Null when the policies were not evaluated (no input) or failed. */
  deny: PolicyMessage[];
  warn: PolicyMessage[];
  /** Why the policies could not be evaluated, or null. */
  error: PolicyError | null;
  /** Problems building the input (unparseable manifests, bounds exceeded, unreadable approvals). */
  inputProblems: string[];
}

/** The seal that let a commit through despite a blocked ancestor or a rewritten history. */
export interface SealUse {
  /** The sealed commit (this commit or an ancestor). */
  commit: string;
  fingerprint: string;
  signer: Signer;
  signedAt: string;
  /** The blocked commit it vouched for (the oldest one), or null when it vouched for a rewritten history. */
  covers: string | null;
  historyRewritten: boolean;
}

export interface ApprovalEvidence {
  /** Verified approvals (the `approval.recorded` entries). */
  valid: ApprovalInfo[];
  rejected: RejectedApproval[];
  /** Approvals the configuration requires. */
  required: number;
  /** Fingerprints that counted towards `required` (approvers other than the commit's signer). */
  counted: string[];
}

/** One commit's decision (contract §2) with all the evidence the ledger entries need. */
export interface CommitDecision {
  sha: string;
  decision: 'allow' | 'block';
  /** All the reasons; non-empty exactly when blocked. */
  reasons: GateReason[];
  /** Recorded, never blocking: policy warn messages, rejected approvals, seals used, signature notes. */
  warnings: string[];
  mode: GateMode;
  /** The `commit.verified` entry: signature verification as the verifier returned it. */
  verification: CommitVerification;
  approvals: ApprovalEvidence;
  policy: PolicyEvidence;
  /** The policy input document (stored so the decision can be replayed); null when it could not be built. */
  input: PolicyInputDocument | null;
  seal: SealUse | null;
  /** The blocked ancestor named by an `ancestor-blocked` reason, or null. */
  blockedAncestor: string | null;
  /** The anchor this range was decided from, and the clock reading. */
  anchor: string | null;
  decidedAt: string;
}
