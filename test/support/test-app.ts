import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app.factory';
import { TokenService } from '../../src/auth/token.service';
import type { Role } from '../../src/auth/roles';
import type { Clock } from '../../src/common/clock';
import { loadConfig, type AppConfig } from '../../src/config/config.schema';
import type { GitsealFileConfig } from '../../src/config/gitseal-file';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './test-database';

export interface TestApp {
  app: INestApplication;
  db: TestDatabase;
  config: AppConfig;
  dataDir: string;
  /** A token holding exactly these roles. */
  token(...roles: Role[]): Promise<string>;
  close(): Promise<void>;
}

/** The whole service on a fresh test database, not listening (use supertest on app.getHttpServer()). */
export async function createTestApp(
  kind: TestDatabaseKind,
  options: { env?: Record<string, string>; clock?: Clock; database?: TestDatabase; fileConfig?: GitsealFileConfig } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gitseal-app-'));
  const db = options.database ?? (await createTestDatabase(kind));
  const config = loadConfig({ GITSEAL_DATA_DIR: dataDir, GITSEAL_CHECKPOINT_INTERVAL_SECONDS: '3600', ...options.env });
  const app = await createApp({ config, database: db, clock: options.clock, logger: false, fileConfig: options.fileConfig });
  await app.init();
  const tokens = app.get(TokenService);
  const cache = new Map<string, string>();
  return {
    app,
    db,
    config,
    dataDir,
    async token(...roles: Role[]) {
      const key = roles.join('+');
      const known = cache.get(key);
      if (known) return known;
      const created = await tokens.create(`test ${key}`, roles, 'test');
      cache.set(key, created.token);
      return created.token;
    },
    async close() {
      await app.close();
      if (!options.database) await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every route the application serves, as `METHOD /path` (from Express's router). */
export function listRoutes(app: INestApplication): string[] {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const stack = (instance.router ?? instance._router)?.stack ?? [];
  const routes: string[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) routes.push(`${method.toUpperCase()} ${layer.route.path}`);
  }
  return routes;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}
