import type { AllowedCommit, GateReader } from '../gate-reader';
import { ReconcilerException } from '../reconciler.exception';

/**
 * The only way to a commit the reconciler may apply: the gate's decision on that exact commit.
 * Anything but an explicit allow — blocked, undecided, a gate that fails — refuses (fail closed).
 */
export async function authorizeCommit(gate: GateReader, repositoryId: string, sha: string): Promise<AllowedCommit> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) throw new ReconcilerException('invalid-request', `${JSON.stringify(sha.slice(0, 80))} is not a full commit sha`);
  const decision = await gate.decision(repositoryId, sha);
  if (!decision) throw new ReconcilerException('commit-not-allowed', `the gate has not decided on commit ${sha} of ${repositoryId}; only commits it allowed are applied`, { commit: sha });
  if (decision.allowed !== true || decision.sha !== sha) {
    const reasons = decision.allowed === false ? decision.reasons : [];
    throw new ReconcilerException('commit-not-allowed', `the gate blocked commit ${sha} of ${repositoryId}${reasons.length ? `: ${reasons.join('; ')}` : ''}`, { commit: sha, reasons });
  }
  if (!Number.isSafeInteger(decision.gateSeq) || decision.gateSeq < 0) throw new ReconcilerException('commit-not-allowed', `the gate's decision on ${sha} names no ledger entry`);
  return decision;
}
