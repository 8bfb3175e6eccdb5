import type { EntityManager } from 'typeorm';
import type { TrustRole } from '../verification/verification.types';

export interface StoredTrustKey {
  fingerprint: string;
  armoredKey: string;
  roles: TrustRole[];
  validFrom: Date | null;
  validUntil: Date | null;
  addedBy: string;
  addedAt: Date;
}

export interface StoredRevocation {
  fingerprint: string;
  revokedAt: Date;
  reason: string;
  revokedBy: string;
}

/** SQL for the trust tables (append-only by grant: the app role may SELECT and INSERT). */
export class TrustRepository {
  async keys(m: EntityManager): Promise<StoredTrustKey[]> {
    const rows = (await m.query(
      'SELECT fingerprint, armored_key, roles, valid_from, valid_until, added_by, added_at FROM trust_keys ORDER BY added_at, fingerprint',
    )) as Array<{ fingerprint: string; armored_key: string; roles: TrustRole[]; valid_from: Date | null; valid_until: Date | null; added_by: string; added_at: Date }>;
    return rows.map((r) => ({
      fingerprint: r.fingerprint,
      armoredKey: r.armored_key,
      roles: r.roles,
      validFrom: r.valid_from,
      validUntil: r.valid_until,
      addedBy: r.added_by,
      addedAt: r.added_at,
    }));
  }

  async revocations(m: EntityManager): Promise<StoredRevocation[]> {
    const rows = (await m.query('SELECT fingerprint, revoked_at, reason, revoked_by FROM trust_revocations')) as Array<{
      fingerprint: string;
      revoked_at: Date;
      reason: string;
      revoked_by: string;
    }>;
    return rows.map((r) => ({ fingerprint: r.fingerprint, revokedAt: r.revoked_at, reason: r.reason, revokedBy: r.revoked_by }));
  }

  /** A cheap fingerprint of the tables' contents, to notice changes made by another replica. */
  async version(m: EntityManager): Promise<string> {
    const [row] = (await m.query(
      'SELECT (SELECT count(*) FROM trust_keys) AS k, (SELECT count(*) FROM trust_revocations) AS r',
    )) as Array<{ k: string; r: string }>;
    return `${row.k}/${row.r}`;
  }

  async insertKey(m: EntityManager, key: StoredTrustKey, ledgerSeq: number): Promise<void> {
    await m.query(
      'INSERT INTO trust_keys (fingerprint, armored_key, roles, valid_from, valid_until, added_by, added_at, ledger_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [key.fingerprint, key.armoredKey, key.roles, key.validFrom, key.validUntil, key.addedBy, key.addedAt, ledgerSeq],
    );
  }

  async insertRevocation(m: EntityManager, r: StoredRevocation, ledgerSeq: number): Promise<void> {
    await m.query('INSERT INTO trust_revocations (fingerprint, revoked_at, reason, revoked_by, ledger_seq) VALUES ($1, $2, $3, $4, $5)', [
      r.fingerprint,
      r.revokedAt,
      r.reason,
      r.revokedBy,
      ledgerSeq,
    ]);
  }

  /** The digest recorded by the newest `trust.changed` entry for a trust.yaml load, if any. */
  async lastFileDigest(m: EntityManager): Promise<string | null> {
    const rows = (await m.query(
      `SELECT convert_from(bytes, 'UTF8')::jsonb #>> '{body,digest}' AS digest
       FROM ledger_entries
       WHERE entry_type = 'trust.changed' AND convert_from(bytes, 'UTF8')::jsonb #>> '{body,action}' = 'file-loaded'
       ORDER BY seq DESC LIMIT 1`,
    )) as Array<{ digest: string | null }>;
    return rows[0]?.digest ?? null;
  }
}
