import type { ApprovalInfo } from '../verification/approval-verifier';
import type { GateReasonCode, SealUse } from './gate.types';

/**
 * The history rules of the gate, as a pure function over the commits of a range (oldest first,
 * parents before children) and the outcome of their own checks:
 *
 * - strict mode: a commit with a blocked commit in its history within the range is
 *   `ancestor-blocked` (naming the oldest such commit), unless a seal stops the walk first: a
 *   valid approval with `seal: true` on a commit vouches for the history before that commit, so
 *   walking back from a commit stops at the first sealed commit (which itself is still checked);
 * - when the range is rewritten (the head does not descend from the anchor), every commit is
 *   `history-rewritten` unless a seal lies on it or on one of its ancestors in the range (the
 *   approver who sealed it vouched for that history, rewrite included);
 * - head mode: the target alone; only a seal on the target itself vouches for a rewrite.
 *
 * Commits outside the range (the anchor's history) count as passed: they were synced before.
 */
export interface WalkNode {
  sha: string;
  parents: readonly string[];
  /** Blocked by its own checks (signature, approvals, policies). */
  ownBlocked: boolean;
  /** Its first own reason, to name in an ancestor's message. */
  firstReason: GateReasonCode | null;
  /** A valid seal on this commit, if any. */
  seal: ApprovalInfo | null;
}

export interface BlockingAncestor {
  sha: string;
  code: GateReasonCode;
}

export interface WalkOutcome {
  sha: string;
  historyRewritten: boolean;
  blockedAncestor: BlockingAncestor | null;
  seal: SealUse | null;
}

interface Carry {
  /** Index of the oldest commit in this commit's unsealed history (itself included) blocked by its own checks. */
  blocker: number;
  /** Index of the oldest one blocked only because the history was rewritten. */
  rewriteBlocker: number;
  /** A seal lies on this commit or an ancestor in the range. */
  sealSeen: boolean;
  seal: SealUse | null;
}

const NONE = Number.MAX_SAFE_INTEGER;

export function walkStrict(nodes: readonly WalkNode[], rewritten: boolean): WalkOutcome[] {
  const index = new Map(nodes.map((n, i) => [n.sha, i]));
  const carries: Carry[] = [];
  const outcomes: WalkOutcome[] = [];
  nodes.forEach((node, i) => {
    const incoming = gather(node, index, carries, i);
    const name = (at: number): BlockingAncestor => ({ sha: nodes[at].sha, code: nodes[at].ownBlocked ? (nodes[at].firstReason ?? 'policy-error') : 'history-rewritten' });
    if (node.seal) {
      const coversRewrite = rewritten && !incoming.sealSeen;
      const covered = Math.min(incoming.blocker, incoming.rewriteBlocker);
      const seal = covered !== NONE || coversRewrite ? sealUse(node.sha, node.seal, covered === NONE ? null : nodes[covered].sha, coversRewrite) : null;
      outcomes.push({ sha: node.sha, historyRewritten: false, blockedAncestor: null, seal });
      carries.push({ blocker: node.ownBlocked ? i : NONE, rewriteBlocker: NONE, sealSeen: true, seal });
      return;
    }
    const selfRewritten = rewritten && !incoming.sealSeen;
    const ancestor = incoming.blocker !== NONE ? incoming.blocker : !selfRewritten ? incoming.rewriteBlocker : NONE;
    outcomes.push({ sha: node.sha, historyRewritten: selfRewritten, blockedAncestor: ancestor === NONE ? null : name(ancestor), seal: incoming.seal });
    carries.push({
      blocker: node.ownBlocked ? Math.min(incoming.blocker, i) : incoming.blocker,
      rewriteBlocker: selfRewritten && !node.ownBlocked ? Math.min(incoming.rewriteBlocker, i) : incoming.rewriteBlocker,
      sealSeen: incoming.sealSeen,
      seal: incoming.seal,
    });
  });
  return outcomes;
}

export function walkHead(node: WalkNode, rewritten: boolean): WalkOutcome {
  const coversRewrite = rewritten && node.seal !== null;
  return {
    sha: node.sha,
    historyRewritten: rewritten && !node.seal,
    blockedAncestor: null,
    seal: coversRewrite && node.seal ? sealUse(node.sha, node.seal, null, true) : null,
  };
}

function gather(node: WalkNode, index: Map<string, number>, carries: Carry[], self: number): Carry {
  const incoming: Carry = { blocker: NONE, rewriteBlocker: NONE, sealSeen: false, seal: null };
  for (const parent of node.parents) {
    const at = index.get(parent);
    if (at === undefined) continue; // outside the range: synced before
    if (at >= self) throw new Error(`range is not in topological order: ${parent} comes after its child ${node.sha}`);
    const c = carries[at];
    incoming.blocker = Math.min(incoming.blocker, c.blocker);
    incoming.rewriteBlocker = Math.min(incoming.rewriteBlocker, c.rewriteBlocker);
    incoming.sealSeen ||= c.sealSeen;
    incoming.seal ??= c.seal;
  }
  return incoming;
}

function sealUse(commit: string, seal: ApprovalInfo, covers: string | null, historyRewritten: boolean): SealUse {
  return { commit, fingerprint: seal.fingerprint, signer: seal.signer, signedAt: seal.signedAt, covers, historyRewritten };
}
