import type { INestApplication } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadConfig, type AppConfig } from './config/config.schema';

/** Starts the service on the configured host and port; resolves once it listens. */
export async function startServer(env: NodeJS.ProcessEnv, cwd = process.cwd()): Promise<{ app: INestApplication; config: AppConfig; url: string }> {
  const config = loadConfig(env, cwd);
  const app = await createApp({ config });
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number } | null;
  return { app, config, url: `http://${config.host}:${address?.port ?? config.port}` };
}
