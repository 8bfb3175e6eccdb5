import { createHash } from 'node:crypto';
import type { EntryDraft } from '../ledger/ledger-store';
import type { CommitDecision } from './gate.types';

/**
 * How one gate decision becomes ledger entries: `commit.verified`, one `approval.recorded` per
 * approval (valid or rejected), `policy.decided` (following those), `gate.decided` (following
 * all of them). Each names the commit and the repository.
 */
export function commitVerifiedDraft(repositoryId: string, d: CommitDecision): EntryDraft {
  const v = d.verification;
  return {
    type: 'commit.verified',
    commit: d.sha,
    body: {
      repository: repositoryId,
      tree: v.commit?.tree ?? null,
      parents: v.commit?.parents ?? [],
      author: v.commit?.author ?? null,
      committer: v.commit?.committer ?? null,
      subject: v.commit ? subjectOf(v.commit.message) : null,
      signature: v.signature,
      reasons: v.reasons,
      warnings: v.warnings,
      mergetags: v.mergetags,
    },
  };
}

export function approvalDrafts(repositoryId: string, d: CommitDecision): EntryDraft[] {
  return [
    ...d.approvals.valid.map((a) => ({ type: 'approval.recorded' as const, commit: d.sha, body: { repository: repositoryId, status: 'valid', approval: a } })),
    ...d.approvals.rejected.map((r) => ({ type: 'approval.recorded' as const, commit: d.sha, body: { repository: repositoryId, status: 'rejected', rejection: r } })),
  ];
}

export function policyDecidedDraft(repositoryId: string, d: CommitDecision, follows: number[]): EntryDraft {
  const p = d.policy;
  return {
    type: 'policy.decided',
    commit: d.sha,
    follows,
    body: { repository: repositoryId, engine: p.engine, digest: p.digest, inputHash: p.inputHash, deny: p.deny, warn: p.warn, error: p.error, inputProblems: p.inputProblems },
  };
}

export function gateDecidedDraft(repositoryId: string, d: CommitDecision, trigger: string, follows: number[]): EntryDraft {
  return {
    type: 'gate.decided',
    commit: d.sha,
    follows,
    body: {
      repository: repositoryId,
      decision: d.decision,
      reasons: d.reasons,
      warnings: d.warnings,
      mode: d.mode,
      anchor: d.anchor,
      seal: d.seal,
      blockedAncestor: d.blockedAncestor,
      approvals: { required: d.approvals.required, counted: d.approvals.counted },
      trigger,
    },
  };
}

/**
 * What makes two decisions on a commit the same for the record: a commit is recorded again only
 * when one of these changes (new approvals, other policies, another outcome).
 */
export function decisionFingerprint(d: CommitDecision): string {
  const material = {
    decision: d.decision,
    reasons: d.reasons,
    digest: d.policy.digest,
    inputHash: d.policy.inputHash,
    approvals: d.approvals.valid.map((a) => [a.fingerprint, a.signedAt, a.seal]),
    rejected: d.approvals.rejected.map((r) => [r.code, r.fingerprint, r.signedAt]),
    seal: d.seal ? [d.seal.commit, d.seal.fingerprint] : null,
    signature: d.verification.signature.status,
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

function subjectOf(message: string): string {
  const first = message.split('\n', 1)[0] ?? '';
  return first.length > 200 ? `${first.slice(0, 200)}…` : first;
}
