import type { EntityManager } from 'typeorm';

/**
 * SQL for the ledger tables. The ledger is bytes and hashes, so it is queried directly rather than
 * through entities; every method takes the EntityManager of the caller's transaction.
 */
export interface StoredEntryRow {
  seq: number;
  type: string;
  recordedAt: string;
  commitSha: string | null;
  bytes: Buffer;
  leafHash: Buffer;
  chainHash: Buffer;
}

export interface StoredSubtree {
  level: number;
  index: number;
  hash: Buffer;
}

export interface StoredCheckpoint {
  size: number;
  root: Buffer;
  chainHead: Buffer;
  note: string;
  signedAt: string;
}

export interface LedgerHead {
  size: number;
  chainHash: Buffer | null;
  recordedAt: string | null;
}

/** Key of the transaction-scoped advisory lock that serialises appends (ASCII "gitseal\0"). */
export const LEDGER_LOCK_KEY = '7451615097432140800';

const num = (v: string | number): number => (typeof v === 'number' ? v : Number(v));

function hex(b: Buffer): string {
  return `decode('${b.toString('hex')}','hex')`;
}

/** A standard-conforming string literal; refuses NUL, which PostgreSQL text cannot hold. */
function quoteText(s: string): string {
  if (s.includes('\0')) throw new Error('text with NUL cannot be stored');
  return `'${s.replace(/'/g, "''")}'`;
}

export class LedgerRepository {
  async lock(m: EntityManager): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock($1::bigint)', [LEDGER_LOCK_KEY]);
  }

  async head(m: EntityManager): Promise<LedgerHead> {
    const rows = (await m.query(
      'SELECT seq, chain_hash, recorded_at FROM ledger_entries ORDER BY seq DESC LIMIT 1',
    )) as Array<{ seq: string; chain_hash: Buffer; recorded_at: Date }>;
    const row = rows[0];
    if (!row) return { size: 0, chainHash: null, recordedAt: null };
    return { size: num(row.seq) + 1, chainHash: row.chain_hash, recordedAt: row.recorded_at.toISOString() };
  }

  async insertEntries(m: EntityManager, rows: StoredEntryRow[]): Promise<void> {
    if (rows.length === 0) return;
    await m.query(
      `INSERT INTO ledger_entries (seq, entry_type, recorded_at, commit_sha, bytes, leaf_hash, chain_hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[])`,
      [
        rows.map((r) => r.seq),
        rows.map((r) => r.type),
        rows.map((r) => r.recordedAt),
        rows.map((r) => r.commitSha),
        rows.map((r) => r.bytes),
        rows.map((r) => r.leafHash),
        rows.map((r) => r.chainHash),
      ],
    );
  }

  /**
   * One statement batch (simple query protocol: one round trip, one implicit transaction) that
   * takes the append lock and inserts entries and subtrees. Values are literals we generate: hex
   * bytea, integers, and strings that passed the entry checks, quoted by quoteText.
   */
  appendBatchSql(rows: StoredEntryRow[], nodes: StoredSubtree[]): string {
    const entryValues = rows
      .map((r) => `(${r.seq},${quoteText(r.type)},${quoteText(r.recordedAt)},${r.commitSha === null ? 'NULL' : quoteText(r.commitSha)},${hex(r.bytes)},${hex(r.leafHash)},${hex(r.chainHash)})`)
      .join(',');
    const inner = nodes.filter((n) => n.level > 0).sort((a, b) => a.level - b.level || a.index - b.index);
    const statements = [
      `SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`,
      `INSERT INTO ledger_entries (seq, entry_type, recorded_at, commit_sha, bytes, leaf_hash, chain_hash) VALUES ${entryValues}`,
    ];
    // Subtrees one statement per level: the link trigger of a level reads the level below it.
    for (const level of [...new Set(inner.map((n) => n.level))]) {
      const values = inner.filter((n) => n.level === level).map((n) => `(${n.level},${n.index},${hex(n.hash)})`);
      statements.push(`INSERT INTO ledger_subtrees (level, idx, hash) VALUES ${values.join(',')}`);
    }
    return statements.join(';\n');
  }

  async insertSubtrees(m: EntityManager, nodes: StoredSubtree[]): Promise<void> {
    const inner = nodes.filter((n) => n.level > 0);
    if (inner.length === 0) return;
    // Children first: the insert trigger checks each hash against the two below it.
    inner.sort((a, b) => a.level - b.level || a.index - b.index);
    await m.query(
      `INSERT INTO ledger_subtrees (level, idx, hash)
       SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
      [inner.map((n) => n.level), inner.map((n) => n.index), inner.map((n) => n.hash)],
    );
  }

  /** Perfect subtree hashes in the order asked; level 0 are leaf hashes. Missing ones are undefined. */
  async readSubtrees(m: EntityManager, refs: Array<{ level: number; index: number }>): Promise<Array<Buffer | undefined>> {
    if (refs.length === 0) return [];
    const leaves = refs.filter((r) => r.level === 0).map((r) => r.index);
    const inner = refs.filter((r) => r.level > 0);
    const rows = (await m.query(
      `SELECT 0 AS level, seq AS idx, leaf_hash AS hash FROM ledger_entries WHERE seq = ANY($1::bigint[])
       UNION ALL
       SELECT s.level, s.idx, s.hash FROM ledger_subtrees s
         JOIN unnest($2::smallint[], $3::bigint[]) AS want(level, idx) ON s.level = want.level AND s.idx = want.idx`,
      [leaves, inner.map((r) => r.level), inner.map((r) => r.index)],
    )) as Array<{ level: number; idx: string; hash: Buffer }>;
    const found = new Map(rows.map((r) => [`${r.level}:${r.idx}`, r.hash]));
    return refs.map((r) => found.get(`${r.level}:${r.index}`));
  }

  async entries(m: EntityManager, from: number, to: number): Promise<StoredEntryRow[]> {
    const rows = (await m.query(
      `SELECT seq, entry_type, recorded_at, commit_sha, bytes, leaf_hash, chain_hash
       FROM ledger_entries WHERE seq BETWEEN $1 AND $2 ORDER BY seq`,
      [from, to],
    )) as EntryDbRow[];
    return rows.map(toEntryRow);
  }

  /** Up to `limit` entries from `from` on, of one type and/or about one commit. */
  async find(m: EntityManager, from: number, limit: number, filter: { type?: string; commit?: string }): Promise<StoredEntryRow[]> {
    const rows = (await m.query(
      `SELECT seq, entry_type, recorded_at, commit_sha, bytes, leaf_hash, chain_hash FROM ledger_entries
       WHERE seq >= $1 AND ($2::text IS NULL OR entry_type = $2) AND ($3::text IS NULL OR commit_sha = $3)
       ORDER BY seq LIMIT $4`,
      [from, filter.type ?? null, filter.commit ?? null, limit],
    )) as EntryDbRow[];
    return rows.map(toEntryRow);
  }

  async leafHashes(m: EntityManager, from: number, to: number): Promise<Buffer[]> {
    const rows = (await m.query('SELECT leaf_hash FROM ledger_entries WHERE seq BETWEEN $1 AND $2 ORDER BY seq', [from, to])) as Array<{ leaf_hash: Buffer }>;
    return rows.map((r) => r.leaf_hash);
  }

  async chainAt(m: EntityManager, seq: number): Promise<Buffer | undefined> {
    const rows = (await m.query('SELECT chain_hash FROM ledger_entries WHERE seq = $1', [seq])) as Array<{ chain_hash: Buffer }>;
    return rows[0]?.chain_hash;
  }

  async insertCheckpoint(m: EntityManager, c: StoredCheckpoint): Promise<void> {
    await m.query('INSERT INTO ledger_checkpoints (size, root, chain_head, note, signed_at) VALUES ($1, $2, $3, $4, $5)', [
      c.size,
      c.root,
      c.chainHead,
      c.note,
      c.signedAt,
    ]);
  }

  async latestCheckpoint(m: EntityManager): Promise<StoredCheckpoint | undefined> {
    return this.oneCheckpoint(m, 'SELECT * FROM ledger_checkpoints ORDER BY size DESC LIMIT 1', []);
  }

  /** The smallest checkpoint covering `size` entries, to anchor an export near its range. */
  async checkpointCovering(m: EntityManager, size: number): Promise<StoredCheckpoint | undefined> {
    return this.oneCheckpoint(m, 'SELECT * FROM ledger_checkpoints WHERE size >= $1 ORDER BY size ASC LIMIT 1', [size]);
  }

  async checkpointAt(m: EntityManager, size: number): Promise<StoredCheckpoint | undefined> {
    return this.oneCheckpoint(m, 'SELECT * FROM ledger_checkpoints WHERE size = $1', [size]);
  }

  private async oneCheckpoint(m: EntityManager, sql: string, params: unknown[]): Promise<StoredCheckpoint | undefined> {
    const rows = (await m.query(sql, params)) as Array<{ size: string; root: Buffer; chain_head: Buffer; note: string; signed_at: Date }>;
    const r = rows[0];
    return r ? { size: num(r.size), root: r.root, chainHead: r.chain_head, note: r.note, signedAt: r.signed_at.toISOString() } : undefined;
  }
}

/** An entry row as the driver returns it (bigint seq as text). */
interface EntryDbRow {
  seq: string;
  entry_type: string;
  recorded_at: Date;
  commit_sha: string | null;
  bytes: Buffer;
  leaf_hash: Buffer;
  chain_hash: Buffer;
}

function toEntryRow(r: EntryDbRow): StoredEntryRow {
  return {
    seq: num(r.seq),
    type: r.entry_type,
    recordedAt: r.recorded_at.toISOString(),
    commitSha: r.commit_sha,
    bytes: r.bytes,
    leafHash: r.leaf_hash,
    chainHash: r.chain_hash,
  };
}
