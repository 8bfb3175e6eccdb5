import { errorMessage } from '../common/domain.exception';
import type { PolicyEngine, PolicyOutcome } from '../policy/policy-engine';
import type { ApprovalInfo, ApprovalVerification } from '../verification/approval-verifier';
import type { CommitVerification } from '../verification/verification.types';
import type { ApprovalEvidence, GateReason, PolicyEvidence } from './gate.types';
import { inputHash, type PolicyInputDocument } from './policy-input';

/**
 * A commit's own checks, each a pure function of what was gathered: the signature (verifier
 * reasons), the approvals the configuration requires, and the policies' decision.
 */

/** The verifier's reasons, as they are (they are contract §2 codes). */
export function signatureReasons(verification: CommitVerification): GateReason[] {
  return verification.reasons.map((r) => ({ code: r.code, message: r.message }));
}

/**
 * Approvals that count: distinct approvers other than the commit's signer (an approval by the
 * signer is no second pair of eyes). `approval-missing` when fewer than `required`.
 */
export function approvalCheck(
  sha: string,
  verified: ApprovalVerification,
  signerFingerprint: string | null,
  required: number,
): { evidence: ApprovalEvidence; reason: GateReason | null } {
  const counted = [...new Set(verified.approvals.filter((a) => a.fingerprint !== signerFingerprint).map((a) => a.fingerprint))].sort();
  const evidence = { valid: verified.approvals, rejected: verified.rejected, required, counted };
  if (counted.length >= required) return { evidence, reason: null };
  const bySigner = verified.approvals.some((a) => a.fingerprint === signerFingerprint) ? ' (an approval by the commit\'s own signer does not count)' : '';
  const have = counted.length === 0 ? 'none' : `${counted.length} (${counted.join(', ')})`;
  return {
    evidence,
    reason: {
      code: 'approval-missing',
      message: `commit ${sha} needs ${required} approval${required === 1 ? '' : 's'} by approvers other than its signer; it has ${have}${bySigner}`,
    },
  };
}

/** The seal on this commit, if a valid approval carries `seal: true` (the latest signed one). */
export function sealOf(approvals: readonly ApprovalInfo[]): ApprovalInfo | null {
  const seals = approvals.filter((a) => a.seal).sort((a, b) => (a.signedAt < b.signedAt ? 1 : a.signedAt > b.signedAt ? -1 : 0));
  return seals[0] ?? null;
}

/**
 * Evaluates the policies on the input (null: it could not be built). Problems building the input
 * and policy errors are `policy-error`; each deny message is its own `policy-denied`. Never throws.
 */
export async function policyCheck(
  engine: PolicyEngine,
  input: PolicyInputDocument | null,
  inputProblems: string[],
  timeoutMs: number,
): Promise<{ evidence: PolicyEvidence; reasons: GateReason[] }> {
  const evidence: PolicyEvidence = { engine: engine.kind, digest: engine.digest, inputHash: null, deny: [], warn: [], error: null, inputProblems };
  const reasons: GateReason[] = inputProblems.map((p) => ({ code: 'policy-error', message: `the policy input cannot be built: ${p}` }));
  if (!input) return { evidence, reasons };
  try {
    evidence.inputHash = inputHash(input);
  } catch (err) {
    const message = `the policy input cannot be built: it is not canonical JSON (${errorMessage(err)})`;
    return { evidence: { ...evidence, inputProblems: [...inputProblems, message] }, reasons: [...reasons, { code: 'policy-error', message }] };
  }
  let outcome: PolicyOutcome;
  try {
    outcome = await engine.decide(input, { timeoutMs });
  } catch (err) {
    outcome = { ok: false, error: { code: 'eval', message: `the policy engine failed: ${errorMessage(err)}` } };
  }
  if (!outcome.ok) {
    evidence.error = outcome.error;
    reasons.push({ code: 'policy-error', message: `the policies could not be evaluated (${outcome.error.code}): ${outcome.error.message}` });
    return { evidence, reasons };
  }
  evidence.deny = outcome.decision.deny;
  evidence.warn = outcome.decision.warn;
  for (const d of outcome.decision.deny) reasons.push({ code: 'policy-denied', message: `${d.package}: ${d.msg}` });
  return { evidence, reasons };
}
