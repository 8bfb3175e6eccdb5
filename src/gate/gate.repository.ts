import type { EntityManager } from 'typeorm';

export interface StoredDecision {
  id: number;
  repositoryId: string;
  sha: string;
  decision: 'allow' | 'block';
  reasons: Array<{ code: string; message: string }>;
  warnings: string[];
  mode: 'strict' | 'head';
  policyDigest: string | null;
  inputHash: string | null;
  evidence: Record<string, unknown>;
  trigger: string;
  decidedAt: string;
  gateSeq: number;
}

export type NewDecision = Omit<StoredDecision, 'id'>;

export interface RepositoryGateState {
  repositoryId: string;
  anchor: string | null;
  decidedHead: string | null;
  decidedNotes: string | null;
  updatedAt: string;
}

export interface PostedApproval {
  repositoryId: string;
  commit: string;
  text: string;
  fingerprint: string;
  seal: boolean;
  postedBy: string;
  postedAt: Date;
}

interface DecisionRow {
  id: string;
  repository_id: string;
  sha: string;
  decision: 'allow' | 'block';
  reasons: Array<{ code: string; message: string }>;
  warnings: string[];
  mode: 'strict' | 'head';
  policy_digest: string | null;
  input_hash: string | null;
  evidence: Record<string, unknown>;
  trigger: string;
  decided_at: Date;
  gate_seq: string;
}

const COLUMNS = 'id, repository_id, sha, decision, reasons, warnings, mode, policy_digest, input_hash, evidence, trigger, decided_at, gate_seq';

function toDecision(r: DecisionRow): StoredDecision {
  return {
    id: Number(r.id),
    repositoryId: r.repository_id,
    sha: r.sha,
    decision: r.decision,
    reasons: r.reasons,
    warnings: r.warnings,
    mode: r.mode,
    policyDigest: r.policy_digest,
    inputHash: r.input_hash,
    evidence: r.evidence,
    trigger: r.trigger,
    decidedAt: r.decided_at.toISOString(),
    gateSeq: Number(r.gate_seq),
  };
}

/** SQL for the gate's tables. */
export class GateRepository {
  async insertDecision(m: EntityManager, d: NewDecision): Promise<number> {
    const [row] = (await m.query(
      `INSERT INTO gate_decisions (repository_id, sha, decision, reasons, warnings, mode, policy_digest, input_hash, evidence, trigger, decided_at, gate_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [d.repositoryId, d.sha, d.decision, JSON.stringify(d.reasons), JSON.stringify(d.warnings), d.mode, d.policyDigest, d.inputHash, JSON.stringify(d.evidence), d.trigger, d.decidedAt, d.gateSeq],
    )) as Array<{ id: string }>;
    return Number(row.id);
  }

  async insertInput(m: EntityManager, hash: string, document: unknown, at: Date): Promise<void> {
    await m.query('INSERT INTO policy_inputs (input_hash, document, first_seen) VALUES ($1, $2, $3) ON CONFLICT (input_hash) DO NOTHING', [
      hash,
      JSON.stringify(document),
      at,
    ]);
  }

  async input(m: EntityManager, hash: string): Promise<unknown> {
    const rows = (await m.query('SELECT document FROM policy_inputs WHERE input_hash = $1', [hash])) as Array<{ document: unknown }>;
    return rows[0]?.document;
  }

  /** The current (newest) decision on each of the given commits. */
  async latestFor(m: EntityManager, repositoryId: string, shas: string[]): Promise<Map<string, StoredDecision>> {
    if (shas.length === 0) return new Map();
    const rows = (await m.query(
      `SELECT DISTINCT ON (sha) ${COLUMNS} FROM gate_decisions WHERE repository_id = $1 AND sha = ANY($2::text[]) ORDER BY sha, id DESC`,
      [repositoryId, shas],
    )) as DecisionRow[];
    return new Map(rows.map((r) => [r.sha, toDecision(r)]));
  }

  async history(m: EntityManager, repositoryId: string | null, sha: string): Promise<StoredDecision[]> {
    const rows = (await m.query(
      `SELECT ${COLUMNS} FROM gate_decisions WHERE sha = $1 AND ($2::text IS NULL OR repository_id = $2) ORDER BY id DESC LIMIT 100`,
      [sha, repositoryId],
    )) as DecisionRow[];
    return rows.map(toDecision);
  }

  /** The newest decision per commit, most recently decided first. */
  async recent(m: EntityManager, filter: { repositoryId?: string; decision?: 'allow' | 'block'; limit: number; before?: number }): Promise<StoredDecision[]> {
    const rows = (await m.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (repository_id, sha) ${COLUMNS} FROM gate_decisions
         WHERE ($1::text IS NULL OR repository_id = $1)
         ORDER BY repository_id, sha, id DESC
       ) latest
       WHERE ($2::text IS NULL OR decision = $2) AND ($3::bigint IS NULL OR id < $3)
       ORDER BY id DESC LIMIT $4`,
      [filter.repositoryId ?? null, filter.decision ?? null, filter.before ?? null, filter.limit],
    )) as DecisionRow[];
    return rows.map(toDecision);
  }

  async state(m: EntityManager, repositoryId: string): Promise<RepositoryGateState | undefined> {
    const rows = (await m.query('SELECT repository_id, anchor_sha, decided_head, decided_notes, updated_at FROM gate_repositories WHERE repository_id = $1', [
      repositoryId,
    ])) as Array<{ repository_id: string; anchor_sha: string | null; decided_head: string | null; decided_notes: string | null; updated_at: Date }>;
    const r = rows[0];
    return r ? { repositoryId: r.repository_id, anchor: r.anchor_sha, decidedHead: r.decided_head, decidedNotes: r.decided_notes, updatedAt: r.updated_at.toISOString() } : undefined;
  }

  async saveState(m: EntityManager, s: RepositoryGateState): Promise<void> {
    await m.query(
      `INSERT INTO gate_repositories (repository_id, anchor_sha, decided_head, decided_notes, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (repository_id) DO UPDATE SET anchor_sha = EXCLUDED.anchor_sha, decided_head = EXCLUDED.decided_head,
         decided_notes = EXCLUDED.decided_notes, updated_at = EXCLUDED.updated_at`,
      [s.repositoryId, s.anchor, s.decidedHead, s.decidedNotes, s.updatedAt],
    );
  }

  async insertApproval(m: EntityManager, a: PostedApproval, ledgerSeq: number): Promise<void> {
    await m.query(
      'INSERT INTO posted_approvals (repository_id, commit_sha, text, fingerprint, seal, posted_by, posted_at, ledger_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [a.repositoryId, a.commit, a.text, a.fingerprint, a.seal, a.postedBy, a.postedAt, ledgerSeq],
    );
  }

  async approvalsFor(m: EntityManager, repositoryId: string, commit: string): Promise<string[]> {
    const rows = (await m.query('SELECT text FROM posted_approvals WHERE repository_id = $1 AND commit_sha = $2 ORDER BY posted_at', [repositoryId, commit])) as Array<{
      text: string;
    }>;
    return rows.map((r) => r.text);
  }
}
