import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * PGlite (PostgreSQL compiled to WebAssembly) served over the PostgreSQL wire protocol on a Unix
 * socket in a private (0700) folder, so the service talks to it through `pg` exactly as it talks
 * to a PostgreSQL server: one code path, one set of migrations. PGlite is single-connection, so
 * clients must use a pool of one.
 */
export interface EmbeddedPostgres {
  /** `pg` connection settings: host is the socket folder. */
  readonly connection: { host: string; port: number; user: string; database: string };
  close(): Promise<void>;
}

const SOCKET_PORT = 5432;

/** dataDir undefined: in memory (tests). */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(dataDir);
  // Socket paths are limited to ~107 bytes, so the socket lives in a short private temp folder.
  const socketDir = mkdtempSync(join(tmpdir(), 'gitseal-pg-'));
  // Two slots: a pool that closes and the next that opens may overlap for a moment; gitseal itself
  // never keeps more than one connection open to PGlite.
  const server = new PGLiteSocketServer({ db, path: join(socketDir, `.s.PGSQL.${SOCKET_PORT}`), maxConnections: 2 });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }
  return {
    connection: { host: socketDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' },
    async close() {
      await server.stop();
      await db.close();
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
