import type { PolicyEngine, PolicyMessage } from '../policy/policy-engine';
import type { CommitDecision } from './gate.types';
import { inputHash } from './policy-input';

/**
 * Replays the policy part of a stored decision: the stored input document evaluated again by a
 * policy engine, compared with what was recorded. The same bundle (digest) and the same input
 * (hash) must give the same deny and warn messages; anything else is reported, not hidden. The
 * signature part is replayed by deciding the commit again with the recorded clock reading
 * (`gitseal verify --now`).
 */
export interface ReplayReport {
  /** The engine evaluates the bundle the decision recorded. */
  digestMatches: boolean;
  /** The stored document still hashes to the recorded inputHash (it was not altered). */
  inputHashMatches: boolean;
  /** Same deny and same warn messages (package and text), and no error where there was none. */
  sameOutcome: boolean;
  deny: PolicyMessage[];
  warn: PolicyMessage[];
  error: string | null;
}

export async function replayPolicy(
  decision: Pick<CommitDecision, 'input' | 'policy'>,
  engine: PolicyEngine,
  options: { timeoutMs?: number } = {},
): Promise<ReplayReport> {
  const { input, policy } = decision;
  if (!input) throw new Error('this decision has no input document to replay (it could not be built)');
  let hashMatches: boolean;
  try {
    hashMatches = inputHash(input) === policy.inputHash;
  } catch {
    hashMatches = false;
  }
  const outcome = await engine.decide(input, { timeoutMs: options.timeoutMs });
  const deny = outcome.ok ? outcome.decision.deny : [];
  const warn = outcome.ok ? outcome.decision.warn : [];
  const error = outcome.ok ? null : `${outcome.error.code}: ${outcome.error.message}`;
  const same =
    (outcome.ok ? policy.error === null : policy.error?.code === outcome.error.code) &&
    sameMessages(deny, policy.deny) &&
    sameMessages(warn, policy.warn);
  return { digestMatches: engine.digest === policy.digest, inputHashMatches: hashMatches, sameOutcome: same, deny, warn, error };
}

function sameMessages(a: readonly PolicyMessage[], b: readonly PolicyMessage[]): boolean {
  const text = (list: readonly PolicyMessage[]) => list.map((m) => `${m.package}\0${m.msg}`).sort();
  const x = text(a);
  const y = text(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
