import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_CLASS, lockKey, PgAdvisoryLeaderLock } from '../../src/reconciler/state/leader-lock';
import { createTestDatabase, testServerUrl, type TestDatabase } from '../support/test-database';
import type { Database } from '../../src/database/data-source.factory';

describe.skipIf(!testServerUrl())('one reconciler per target across replicas (PostgreSQL advisory locks)', () => {
  let db: TestDatabase;
  let other: Database;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    other = await db.openAnother(2);
  });
  afterAll(async () => {
    await other?.close();
    await db?.close();
  });

  it('lets one replica lead a target, hands it over when the leader lets go or its connection dies', async () => {
    const a = new PgAdvisoryLeaderLock(db.dataSource);
    const b = new PgAdvisoryLeaderLock(other.dataSource);
    expect(await a.acquire('shop')).toBe(true);
    expect(await a.acquire('shop')).toBe(true);
    expect(await b.acquire('shop')).toBe(false);
    // Other targets are independent.
    expect(await b.acquire('billing')).toBe(true);
    expect(await a.acquire('billing')).toBe(false);
    await a.release('shop');
    expect(await b.acquire('shop')).toBe(true);
    expect(await a.acquire('shop')).toBe(false);

    // The leader's connection dies: the server releases its locks and the other replica takes over.
    const [{ pid }] = (await other.dataSource.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int::oid AND objid = $2::int::oid`, [LOCK_CLASS, lockKey('shop')])) as Array<{ pid: number }>;
    await db.ownerQuery('SELECT pg_terminate_backend($1)', [pid]);
    await new Promise((r) => setTimeout(r, 100));
    expect(await a.acquire('shop')).toBe(true);
    // …and b notices it no longer holds it.
    expect(await b.acquire('shop')).toBe(false);
    await a.close();
    await b.close();
  });
});
