import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/common/clock';
import { CHAIN_GENESIS, chainHash } from '../../src/ledger/chain';
import { decodeEntry } from '../../src/ledger/entry';
import { LedgerStore } from '../../src/ledger/ledger-store';
import { leafHash, rootAt, rootFromLeafHashes } from '../../src/ledger/merkle';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../support/test-database';

const SHA = 'a'.repeat(40);

async function allRows(db: TestDatabase) {
  return (await db.dataSource.query('SELECT seq, bytes, leaf_hash, chain_hash, commit_sha FROM ledger_entries ORDER BY seq')) as Array<{
    seq: string;
    bytes: Buffer;
    leaf_hash: Buffer;
    chain_hash: Buffer;
    commit_sha: string | null;
  }>;
}

/** Recomputes everything from the stored bytes alone: leaves, chain, root. */
async function checkWholeLog(db: TestDatabase, store: LedgerStore) {
  const rows = await allRows(db);
  let chain = CHAIN_GENESIS;
  rows.forEach((r, i) => {
    expect(Number(r.seq)).toBe(i);
    expect(decodeEntry(r.bytes).seq).toBe(i);
    expect(leafHash(r.bytes).equals(r.leaf_hash)).toBe(true);
    chain = chainHash(chain, r.leaf_hash);
    expect(chain.equals(r.chain_hash)).toBe(true);
  });
  const root = await db.dataSource.transaction((m) => rootAt(rows.length, store.reader(m)));
  expect(root.equals(rootFromLeafHashes(rows.map((r) => r.leaf_hash)))).toBe(true);
  return rows.length;
}

describe.each(TEST_DATABASE_KINDS)('ledger appends on %s', (kind) => {
  let db: TestDatabase;
  let now = Date.parse('2026-11-21T10:00:00.000Z');
  const clock: Clock = { now: () => new Date(now) };
  let store: LedgerStore;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    store = new LedgerStore(db.dataSource, clock);
  });
  afterAll(async () => db?.close());

  it('assigns gap-free seq numbers, canonical bytes, leaves, chain and subtrees', async () => {
    const first = await store.append([
      { type: 'trust.changed', body: { action: 'add', fingerprint: 'F00D' } },
      { type: 'commit.verified', commit: SHA, follows: [0], body: { status: 'good' } },
    ]);
    expect(first.map((a) => a.entry.seq)).toEqual([0, 1]);
    expect(first[1].entry.body).toEqual({ status: 'good', commit: SHA, follows: [0] });
    expect(first[1].bytes.toString()).toBe(
      `{"body":{"commit":"${SHA}","follows":[0],"status":"good"},"recordedAt":"2026-11-21T10:00:00.000Z","seq":1,"type":"commit.verified","v":1}`,
    );
    for (let i = 0; i < 10; i++) await store.append([{ type: 'gate.decided', body: { i } }]);
    expect(await checkWholeLog(db, store)).toBe(12);
    const rows = await allRows(db);
    expect(rows[1].commit_sha).toBe(SHA);
  });

  it('never lets recordedAt go backwards when the clock does', async () => {
    now -= 3_600_000;
    const [a] = await store.append([{ type: 'gate.decided', body: {} }]);
    expect(a.entry.recordedAt).toBe('2026-11-21T10:00:00.000Z');
    now += 7_200_000;
  });

  it('leaves nothing behind when the caller rolls back, and carries on after', async () => {
    const before = (await allRows(db)).length;
    await expect(
      db.dataSource.transaction(async (m) => {
        await store.append([{ type: 'gate.decided', body: { doomed: true } }], m);
        throw new Error('caller fails after appending');
      }),
    ).rejects.toThrow('caller fails');
    expect((await allRows(db)).length).toBe(before);
    await store.append([{ type: 'gate.decided', body: { after: true } }]);
    expect(await checkWholeLog(db, store)).toBe(before + 1);
  });

  it('picks up entries appended by another writer', async () => {
    const other = new LedgerStore(db.dataSource, clock);
    await other.append([{ type: 'drift.detected', body: { by: 'other' } }]);
    await store.append([{ type: 'drift.healed', body: { by: 'first' } }]);
    await checkWholeLog(db, store);
  });

  it('refuses a body that cannot be canonical JSON, and stores nothing', async () => {
    const before = (await allRows(db)).length;
    await expect(store.append([{ type: 'gate.decided', body: { bad: Number.NaN } }])).rejects.toThrow();
    await expect(store.append([{ type: 'gate.decided', follows: [999999], body: {} }])).rejects.toThrow(/follows/);
    expect((await allRows(db)).length).toBe(before);
  });

  it('serialises concurrent appends into one gap-free, fork-free chain', async () => {
    const before = (await allRows(db)).length;
    const writers = kind === 'postgres' ? await Promise.all([1, 2, 3, 4].map(() => db.openAnother(3))) : [];
    const stores = writers.length > 0 ? writers.map((w) => new LedgerStore(w.dataSource, clock)) : [store, new LedgerStore(db.dataSource, clock)];
    try {
      await Promise.all(
        stores.flatMap((s, w) => Array.from({ length: 25 }, (_, i) => s.append([{ type: 'gate.decided', body: { writer: w, i } }, { type: 'sync.started', body: { writer: w, i } }]))),
      );
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
    expect(await checkWholeLog(db, store)).toBe(before + stores.length * 50);
    // Each append's two entries are adjacent: no interleaving inside an atomic append.
    const rows = await allRows(db);
    for (let i = before; i < rows.length; i += 2) {
      const a = decodeEntry(rows[i].bytes);
      const b = decodeEntry(rows[i + 1].bytes);
      expect([a.type, b.type]).toEqual(['gate.decided', 'sync.started']);
      expect(b.body.writer).toBe(a.body.writer);
      expect(b.body.i).toBe(a.body.i);
    }
  });
});

describe.each(TEST_DATABASE_KINDS)('ledger appends after another writer on %s', (kind) => {
  it('takes the slow path when a draft follows entries this process has not seen, and keeps working', async () => {
    const db = await createTestDatabase(kind);
    try {
      const clock: Clock = { now: () => new Date('2026-11-21T10:00:00.000Z') };
      const mine = new LedgerStore(db.dataSource, clock);
      const other = new LedgerStore(db.dataSource, clock);
      await mine.append([{ type: 'gate.decided', body: {} }]); // mine caches size 1
      const [theirs] = await other.append([{ type: 'gate.decided', body: {} }]); // seq 1, unseen by mine
      const [followed] = await mine.append([{ type: 'sync.started', follows: [theirs.entry.seq], body: {} }]);
      expect(followed.entry.seq).toBe(2);
      const [next] = await mine.append([{ type: 'sync.finished', follows: [followed.entry.seq], body: {} }]);
      expect(next.entry.seq).toBe(3);
      // A draft that is wrong on any head is still refused, and nothing is stored.
      await expect(mine.append([{ type: 'sync.finished', follows: [99], body: {} }])).rejects.toThrow(/follows/);
      expect(await checkWholeLog(db, mine)).toBe(4);
    } finally {
      await db.close();
    }
  });
});
