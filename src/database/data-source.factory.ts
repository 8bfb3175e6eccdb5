import { DataSource, type DataSourceOptions } from 'typeorm';
import * as pg from 'pg';
import { MIGRATIONS } from '../../migrations';
import type { AppConfig } from '../config/config.schema';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { APP_ROLE, pgWithRole } from './role-pool';
import { ENTITIES } from './entities';

export interface Database {
  readonly dataSource: DataSource;
  readonly kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

type Connection = { url: string } | { host: string; port: number; user: string; database: string };

function baseOptions(conn: Connection): DataSourceOptions {
  const where = 'url' in conn ? { url: conn.url } : { host: conn.host, port: conn.port, username: conn.user, database: conn.database };
  return { type: 'postgres', ...where, entities: ENTITIES, synchronize: false, logging: false };
}

/** Runs every pending migration as the owning role, then closes that connection. */
export async function runMigrations(conn: Connection): Promise<void> {
  const ds = new DataSource({
    ...baseOptions(conn),
    migrations: MIGRATIONS,
    migrationsTableName: 'gitseal_migrations',
    migrationsTransactionMode: 'each',
    extra: { max: 1 },
  } as DataSourceOptions);
  await ds.initialize();
  try {
    await ds.runMigrations();
  } finally {
    await ds.destroy();
  }
}

async function openAppDataSource(conn: Connection, poolSize: number, setRole: boolean): Promise<DataSource> {
  const ds = new DataSource({
    ...baseOptions(conn),
    driver: setRole ? pgWithRole(APP_ROLE) : pg,
    extra: { max: poolSize, idleTimeoutMillis: 30_000 },
  } as DataSourceOptions);
  await ds.initialize();
  if (setRole) {
    const [row] = (await ds.query('SELECT current_user AS role')) as Array<{ role: string }>;
    if (row?.role !== APP_ROLE) {
      await ds.destroy();
      throw new Error(`database connections run as ${row?.role}, not ${APP_ROLE}: check the login role's membership`);
    }
  }
  return ds;
}

/**
 * Opens the database the configuration names: PostgreSQL through `pg`, or PGlite in the data
 * folder served on a private Unix socket (pool of one: PGlite has a single session).
 */
export async function openDatabase(config: AppConfig['database'], options: { migrate?: boolean } = {}): Promise<Database> {
  const migrate = options.migrate ?? true;
  if (config.kind === 'postgres') {
    if (migrate) await runMigrations({ url: config.migrationUrl });
    const dataSource = await openAppDataSource({ url: config.url }, config.poolSize, config.setRole);
    return { dataSource, kind: 'postgres', close: () => dataSource.destroy() };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir);
  return openOnEmbedded(embedded, config.setRole, migrate);
}

export async function openOnEmbedded(embedded: EmbeddedPostgres, setRole: boolean, migrate = true): Promise<Database> {
  try {
    if (migrate) await runMigrations(embedded.connection);
    const dataSource = await openAppDataSource(embedded.connection, 1, setRole);
    return {
      dataSource,
      kind: 'pglite',
      async close() {
        await dataSource.destroy();
        await embedded.close();
      },
    };
  } catch (err) {
    await embedded.close();
    throw err;
  }
}
