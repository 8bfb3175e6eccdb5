/**
 * The boundary between the gate and the reconciler. The reconciler applies a commit only after
 * asking the gate about that exact commit; every apply path (automated, manual, rollback,
 * self-heal) goes through `decision`. The gate module provides the implementation under the
 * GATE_READER token; tests provide one backed by real repositories.
 */
export interface AllowedCommit {
  sha: string;
  allowed: true;
  /** Seq of the commit's `gate.decided` ledger entry: `sync.started` follows it. */
  gateSeq: number;
  /** The repository (a bare mirror) the commit's tree is read from. */
  mirrorPath: string;
}

export interface BlockedCommit {
  sha: string;
  allowed: false;
  reasons: string[];
}

export interface GateReader {
  /** The newest commit of the repository's branch that the gate allowed, or null. */
  newestAllowed(repositoryId: string): Promise<AllowedCommit | null>;
  /** The gate's decision on this exact commit, or null when it has not decided one. */
  decision(repositoryId: string, sha: string): Promise<AllowedCommit | BlockedCommit | null>;
  /** Called when a commit is newly allowed (webhook → fetch → gate → sync); returns an unsubscribe function. */
  onAllowed(listener: (event: AllowedCommit & { repositoryId: string }) => void): () => void;
}

export const GATE_READER = Symbol('GATE_READER');
