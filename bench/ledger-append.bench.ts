import { randomBytes } from 'node:crypto';
import { systemClock } from '../src/common/clock';
import { LedgerStore } from '../src/ledger/ledger-store';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../test/support/test-database';
import type { Bench } from './run';

/**
 * Ledger append throughput against plain INSERTs of the same rows into an unconstrained table, in
 * the same run and database. Both sides commit one row per transaction, as the gate does for
 * single events. Set GITSEAL_TEST_DATABASE_URL to include PostgreSQL (the goal is stated for it).
 */
const N = Number(process.env.BENCH_LEDGER_APPENDS ?? 2000);

function body(i: number) {
  return { repository: 'shop-config', decision: i % 7 === 0 ? 'block' : 'allow', reasons: [{ code: 'policy-denied', message: `image ${i} uses latest` }], nonce: randomBytes(8).toString('hex') };
}

async function plainInserts(db: TestDatabase, rows: Array<{ seq: number; bytes: Buffer; leaf: Buffer; chain: Buffer; at: string }>): Promise<number> {
  await db.ownerQuery('CREATE TABLE bench_plain (seq bigint, entry_type text, recorded_at timestamptz, commit_sha text, bytes bytea, leaf_hash bytea, chain_hash bytea)');
  await db.ownerQuery('GRANT INSERT ON bench_plain TO gitseal_app');
  const started = process.hrtime.bigint();
  for (const r of rows) {
    await db.dataSource.query('INSERT INTO bench_plain (seq, entry_type, recorded_at, commit_sha, bytes, leaf_hash, chain_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      r.seq,
      'gate.decided',
      r.at,
      null,
      r.bytes,
      r.leaf,
      r.chain,
    ]);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function runOn(kind: (typeof TEST_DATABASE_KINDS)[number]): Promise<void> {
  const db = await createTestDatabase(kind);
  try {
    const store = new LedgerStore(db.dataSource, systemClock);
    await store.append([{ type: 'gate.decided', body: body(-1) }]); // warm up
    const rows: Array<{ seq: number; bytes: Buffer; leaf: Buffer; chain: Buffer; at: string }> = [];
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const [a] = await store.append([{ type: 'gate.decided', body: body(i) }]);
      rows.push({ seq: a.entry.seq, bytes: a.bytes, leaf: a.leafHash, chain: a.chainHash, at: a.entry.recordedAt });
    }
    const ledgerSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const plainSeconds = await plainInserts(db, rows);
    const ledgerRate = N / ledgerSeconds;
    const plainRate = N / plainSeconds;
    process.stdout.write(
      `${kind.padEnd(8)} ledger append ${ledgerRate.toFixed(0)}/s   plain INSERT ${plainRate.toFixed(0)}/s   ratio ${(ledgerRate / plainRate * 100).toFixed(0)}% of plain INSERT (goal on PostgreSQL: >= 50%)\n`,
    );
  } finally {
    await db.close();
  }
}

export const bench: Bench = {
  name: `ledger append: ${N} single-entry appends vs plain INSERTs`,
  async run() {
    for (const kind of TEST_DATABASE_KINDS) await runOn(kind);
  },
};
