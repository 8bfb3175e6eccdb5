import type { ApprovalInfo } from '../verification/approval-verifier';
import type { CommitVerification } from '../verification/verification.types';
import type { ApprovalEvidence, CommitDecision, GateMode, GateReason, PolicyEvidence } from './gate.types';
import type { WalkOutcome } from './gate-walk';
import type { PolicyInputDocument } from './policy-input';

/** A commit's own checks, before the history rules. */
export interface OwnCheck {
  verification: CommitVerification;
  parents: string[];
  /** Signature, approval and policy reasons. */
  reasons: GateReason[];
  /** Manifest warnings (links not followed, submodules, what could not be read at the first parent). */
  warnings: string[];
  approvals: ApprovalEvidence;
  policy: PolicyEvidence;
  input: PolicyInputDocument | null;
  seal: ApprovalInfo | null;
}

export interface DecisionContext {
  mode: GateMode;
  anchor: string | null;
  head: string;
  decidedAt: string;
}

/** Own checks plus the history rules give the decision; every warning gathered in one list. */
export function assembleDecision(own: OwnCheck, walked: WalkOutcome, context: DecisionContext): CommitDecision {
  const sha = own.verification.sha;
  const reasons = [...own.reasons];
  if (walked.historyRewritten) reasons.push({ code: 'history-rewritten', message: rewrittenMessage(sha, context) });
  if (walked.blockedAncestor) {
    const a = walked.blockedAncestor;
    reasons.push({ code: 'ancestor-blocked', message: `ancestor ${a.sha} is blocked (${a.code}) and no seal covers it` });
  }
  const warnings = [
    ...own.verification.warnings,
    ...own.policy.warn.map((w) => `${w.package}: ${w.msg}`),
    ...own.approvals.rejected.map((r) => `approval rejected (${r.code}): ${r.message}`),
    ...own.warnings,
  ];
  if (walked.seal) {
    const s = walked.seal;
    const what = [s.covers ? `blocked commit ${s.covers}` : null, s.historyRewritten ? 'a rewritten history' : null].filter(Boolean).join(' and ');
    warnings.push(`seal exception: ${s.signer.name} <${s.signer.email}> (${s.fingerprint}) sealed ${s.commit}, vouching for the history before it, which includes ${what}`);
  }
  return {
    sha,
    decision: reasons.length === 0 ? 'allow' : 'block',
    reasons,
    warnings,
    mode: context.mode,
    verification: own.verification,
    approvals: own.approvals,
    policy: own.policy,
    input: own.input,
    seal: walked.seal,
    blockedAncestor: walked.blockedAncestor?.sha ?? null,
    anchor: context.anchor,
    decidedAt: context.decidedAt,
  };
}

function rewrittenMessage(sha: string, context: DecisionContext): string {
  const target = sha === context.head ? 'the target' : `commit ${sha} (on the way to ${context.head})`;
  return `history rewritten: ${target} does not descend from the last synced commit ${context.anchor}`;
}
