import { createHash } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';

/** One reconciler per target across replicas. */
export interface LeaderLock {
  /** Whether this process leads the target now (taking the lock when free). */
  acquire(targetId: string): Promise<boolean>;
  release(targetId: string): Promise<void>;
  close(): Promise<void>;
}

/** A single process (PGlite, tests): it always leads. */
export class LocalLeaderLock implements LeaderLock {
  async acquire(): Promise<boolean> {
    return true;
  }

  async release(): Promise<void> {}

  async close(): Promise<void> {}
}

/** "gslr": the advisory lock class of reconciler targets (two-key form; the ledger uses the one-key form). */
export const LOCK_CLASS = 0x67736c72;

export function lockKey(targetId: string): number {
  return createHash('sha256').update(targetId).digest().readInt32BE(0);
}

/**
 * PostgreSQL session advisory locks, one per target, held on one dedicated connection: if this
 * replica dies or loses the connection, the server releases them and another replica takes over.
 * Holding is checked on the connection itself before each use.
 */
export class PgAdvisoryLeaderLock implements LeaderLock {
  private runner: QueryRunner | undefined;
  private readonly held = new Set<string>();

  constructor(private readonly ds: DataSource) {}

  private async connection(): Promise<QueryRunner> {
    if (this.runner && !this.runner.isReleased) {
      try {
        await this.runner.query('SELECT 1');
        return this.runner;
      } catch {
        this.held.clear();
        await this.runner.release().catch(() => undefined);
      }
    }
    this.held.clear();
    this.runner = this.ds.createQueryRunner();
    await this.runner.connect();
    return this.runner;
  }

  async acquire(targetId: string): Promise<boolean> {
    const qr = await this.connection();
    const key = lockKey(targetId);
    if (this.held.has(targetId)) {
      const rows = (await qr.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = $1::int::oid AND objid = $2::int::oid AND objsubid = 2 AND granted`,
        [LOCK_CLASS, key],
      )) as unknown[];
      if (rows.length > 0) return true;
      this.held.delete(targetId);
    }
    const [row] = (await qr.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [LOCK_CLASS, key])) as Array<{ ok: boolean }>;
    if (row?.ok) this.held.add(targetId);
    return row?.ok === true;
  }

  async release(targetId: string): Promise<void> {
    if (!this.held.delete(targetId) || !this.runner || this.runner.isReleased) return;
    await this.runner.query('SELECT pg_advisory_unlock($1::int, $2::int)', [LOCK_CLASS, lockKey(targetId)]).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.held.clear();
    if (this.runner && !this.runner.isReleased) await this.runner.release().catch(() => undefined);
    this.runner = undefined;
  }
}
