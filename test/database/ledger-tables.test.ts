import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../support/test-database';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const ZERO = Buffer.alloc(32);

function row(seq: number, prevChain: Buffer, type = 'trust.changed') {
  const bytes = Buffer.from(`{"body":{},"recordedAt":"2026-11-21T10:00:00.000Z","seq":${seq},"type":"${type}","v":1}`);
  const leaf = sha(Buffer.from([0]), bytes);
  const chain = sha(Buffer.from([2]), prevChain, leaf);
  return { seq, type, bytes, leaf, chain };
}

const INSERT = `INSERT INTO ledger_entries (seq, entry_type, recorded_at, bytes, leaf_hash, chain_hash) VALUES ($1, $2, '2026-11-21T10:00:00Z', $3, $4, $5)`;

describe.each(TEST_DATABASE_KINDS)('ledger tables on %s refuse anything but appending', (kind) => {
  let db: TestDatabase;
  const e0 = row(0, ZERO);
  const e1 = row(1, e0.chain);

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    for (const e of [e0, e1]) await db.dataSource.query(INSERT, [e.seq, e.type, e.bytes, e.leaf, e.chain]);
  });
  afterAll(async () => db?.close());

  it('connects as the least-privileged application role', async () => {
    const [r] = await db.dataSource.query('SELECT current_user AS u');
    expect(r.u).toBe('gitseal_app');
  });

  it.each(['ledger_entries', 'ledger_subtrees', 'ledger_checkpoints'])('%s: the application role may not UPDATE, DELETE or TRUNCATE', async (table) => {
    const column = table === 'ledger_entries' ? 'seq' : table === 'ledger_subtrees' ? 'level' : 'size';
    await expect(db.dataSource.query(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toThrow(/permission denied|append-only/);
    await expect(db.dataSource.query(`DELETE FROM ${table}`)).rejects.toThrow(/permission denied|append-only/);
    await expect(db.dataSource.query(`TRUNCATE ${table}`)).rejects.toThrow(/permission denied|append-only/);
  });

  it.each(['ledger_entries', 'ledger_subtrees', 'ledger_checkpoints'])('%s: even the owner is refused UPDATE, DELETE and TRUNCATE', async (table) => {
    const column = table === 'ledger_entries' ? 'seq' : table === 'ledger_subtrees' ? 'level' : 'size';
    await expect(db.ownerQuery(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(db.ownerQuery(`DELETE FROM ${table}`)).rejects.toThrow(/append-only: DELETE/);
    await expect(db.ownerQuery(`TRUNCATE ${table}`)).rejects.toThrow(/append-only: TRUNCATE/);
  });

  it('keeps the rows after every refused attempt', async () => {
    const rows = await db.dataSource.query('SELECT seq, bytes FROM ledger_entries ORDER BY seq');
    expect(rows.map((r: { seq: string }) => Number(r.seq))).toEqual([0, 1]);
    expect(Buffer.compare(rows[0].bytes, e0.bytes)).toBe(0);
  });

  it('refuses a second entry with the same seq (no fork, even without the lock)', async () => {
    const fork = row(1, e0.chain, 'gate.decided');
    await expect(db.dataSource.query(INSERT, [fork.seq, fork.type, fork.bytes, fork.leaf, fork.chain])).rejects.toThrow(/duplicate key|unique/);
  });

  it('refuses a gap in the sequence', async () => {
    const gap = row(3, e1.chain);
    await expect(db.dataSource.query(INSERT, [gap.seq, gap.type, gap.bytes, gap.leaf, gap.chain])).rejects.toThrow(/entry 2 does not exist/);
  });

  it('refuses an entry that does not link to its predecessor', async () => {
    const bad = row(2, ZERO);
    await expect(db.dataSource.query(INSERT, [bad.seq, bad.type, bad.bytes, bad.leaf, bad.chain])).rejects.toThrow(/chain hash does not link/);
  });

  it('refuses an entry whose leaf hash is not the hash of its bytes', async () => {
    const good = row(2, e1.chain);
    const leaf = sha(Buffer.from('other'));
    await expect(db.dataSource.query(INSERT, [2, good.type, good.bytes, leaf, sha(Buffer.from([2]), e1.chain, leaf)])).rejects.toThrow(/leaf hash does not match/);
  });

  it('refuses an entry whose columns disagree with its hashed bytes', async () => {
    const good = row(2, e1.chain);
    await expect(db.dataSource.query(INSERT, [2, 'gate.decided', good.bytes, good.leaf, good.chain])).rejects.toThrow(/differ from the hashed entry/);
  });

  it('checks subtree hashes against their children', async () => {
    const wrong = sha(Buffer.from([1]), e1.leaf, e0.leaf);
    await expect(db.dataSource.query('INSERT INTO ledger_subtrees (level, idx, hash) VALUES (1, 0, $1)', [wrong])).rejects.toThrow(/does not match its children/);
    const right = sha(Buffer.from([1]), e0.leaf, e1.leaf);
    await db.dataSource.query('INSERT INTO ledger_subtrees (level, idx, hash) VALUES (1, 0, $1)', [right]);
    await expect(db.dataSource.query('INSERT INTO ledger_subtrees (level, idx, hash) VALUES (2, 0, $1)', [right])).rejects.toThrow(/does not match its children/);
  });
});
