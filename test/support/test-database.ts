import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, openOnEmbedded, type Database } from '../../src/database/data-source.factory';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * A fresh, migrated database: on PGlite in memory, or on the PostgreSQL server named by
 * GITSEAL_TEST_DATABASE_URL (a role that may create databases; .ci/run starts one). Database
 * tests run once per kind in TEST_DATABASE_KINDS: `describe.each(TEST_DATABASE_KINDS)(...)`. `ownerQuery` runs SQL as the owning role (the migrations' role), to prove
 * the database refuses what the application role must never do, even to its owner.
 */
export interface TestDatabase extends Database {
  readonly label: 'postgres' | 'pglite';
  /** A pg connection string for the app's own data source (PostgreSQL only). */
  readonly url?: string;
  ownerQuery(sql: string, params?: unknown[]): Promise<unknown[]>;
  /** Opens one more independent application connection pool to the same database (PostgreSQL only). */
  openAnother(poolSize?: number): Promise<Database>;
}

export type TestDatabaseKind = 'pglite' | 'postgres';

export const testServerUrl = (): string | undefined => process.env.GITSEAL_TEST_DATABASE_URL || undefined;

/** PGlite always; PostgreSQL too when a server is given. */
export const TEST_DATABASE_KINDS: TestDatabaseKind[] = testServerUrl() ? ['pglite', 'postgres'] : ['pglite'];

export async function createTestDatabase(kind: TestDatabaseKind = TEST_DATABASE_KINDS[TEST_DATABASE_KINDS.length - 1]): Promise<TestDatabase> {
  if (kind === 'pglite') return createOnPglite();
  const serverUrl = testServerUrl();
  if (!serverUrl) throw new Error('GITSEAL_TEST_DATABASE_URL is not set');
  return createOnServer(serverUrl);
}

async function createOnServer(serverUrl: string): Promise<TestDatabase> {
  const name = `gitseal_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const config = { kind: 'postgres' as const, url: dbUrl, migrationUrl: dbUrl, setRole: true, poolSize: 5 };
  const db = await openDatabase(config);
  const owner = new Client({ connectionString: dbUrl });
  await owner.connect();
  return {
    ...db,
    label: 'postgres',
    url: dbUrl,
    ownerQuery: async (sql, params) => (await owner.query(sql, params)).rows,
    openAnother: (poolSize = 2) => openDatabase({ ...config, poolSize }, { migrate: false }),
    async close() {
      await db.close();
      await owner.end();
      const dropper = new Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

async function createOnPglite(): Promise<TestDatabase> {
  const embedded = await startEmbeddedPostgres();
  const db = await openOnEmbedded(embedded, true);
  // PGlite has one session: owner statements run in a transaction that drops the role until it ends.
  const ownerQuery = async (sql: string, params: unknown[] = []) =>
    db.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL ROLE NONE');
      const result = (await m.query(sql, params)) as unknown[];
      // TypeORM answers UPDATE/DELETE … RETURNING with [rows, count]; pg's rows alone, like the server path.
      return result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? (result[0] as unknown[]) : result;
    });
  return {
    ...db,
    label: 'pglite',
    ownerQuery,
    openAnother: () => Promise.reject(new Error('PGlite has a single session; use PostgreSQL for multi-connection tests')),
  };
}
