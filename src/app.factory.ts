import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger, ValidationPipe, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, type NextFunction, type Request, type Response } from 'express';
import { AppModule } from './app.module';
import { bearerToken } from './auth/roles.guard';
import { TokenService } from './auth/token.service';
import type { Clock } from './common/clock';
import { HttpExceptionFilter } from './common/http-exception.filter';
import type { AppConfig } from './config/config.schema';
import { EMPTY_FILE_CONFIG, loadGitsealFile, type GitsealFileConfig } from './config/gitseal-file';
import { acquireDataDirLock } from './database/data-dir-lock';
import { openDatabase, type Database } from './database/data-source.factory';
import { MetricsService } from './metrics/metrics.service';

export interface CreateAppOptions {
  config: AppConfig;
  /** An already opened database (tests); otherwise the configured one is opened and owned. */
  database?: Database;
  clock?: Clock;
  logger?: ConsoleLogger | false;
  /** Overrides GITSEAL_CONFIG_FILE (tests). */
  fileConfig?: GitsealFileConfig;
}

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

export function jsonLogger(level: AppConfig['logLevel']): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS[level], colors: false });
}

/** Builds the whole service, configured and ready to listen. */
export async function createApp(options: CreateAppOptions): Promise<INestApplication> {
  const { config } = options;
  const logger = options.logger === undefined ? jsonLogger(config.logLevel) : options.logger;
  const fileConfig = options.fileConfig ?? (config.configFile ? loadGitsealFile(config.configFile) : EMPTY_FILE_CONFIG);
  let releaseLock: (() => void) | undefined;
  let database = options.database;
  if (!database) {
    if (config.database.kind === 'pglite') releaseLock = acquireDataDirLock(config.dataDir, 'gitseal serve');
    try {
      database = await openDatabase(config.database);
    } catch (err) {
      releaseLock?.();
      throw err;
    }
  }
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ config, database, clock: options.clock, closeDatabase: !options.database, fileConfig }),
    { logger, bodyParser: false, abortOnError: false },
  );
  app.use(jsonBody(config.httpBodyLimit));
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use(requestMetrics(app.get(MetricsService), logger || undefined));
  await setUpApiDocs(app, config);
  app.enableShutdownHooks();
  if (releaseLock) {
    const release = releaseLock;
    const close = app.close.bind(app);
    app.close = async () => {
      try {
        await close();
      } finally {
        release();
      }
    };
  }
  await bootstrapTokens(app.get(TokenService), config, logger || undefined);
  return app;
}

/**
 * Every answer: never cached by a browser or proxy (tokens, ledger data), never sniffed as another
 * type, never framed, no referrer sent on.
 */
function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
}

/** Request with the exact bytes received, for signatures over the body (webhooks, approvals). */
export type RawBodyRequest = Request & { rawBody?: Buffer };

/** JSON bodies up to `limit`, keeping the raw bytes; parse failures answered here, clearly. */
function jsonBody(limit: string) {
  const parse = json({
    limit,
    verify: (req, _res, buf) => {
      (req as RawBodyRequest).rawBody = Buffer.from(buf);
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { type?: string; message?: string; status?: number };
      if (e.type === 'entity.too.large') return res.status(413).json({ error: { code: 'too-large', message: `request body is larger than ${limit}` } });
      if (e.type === 'entity.parse.failed') return res.status(400).json({ error: { code: 'invalid-json', message: `request body is not valid JSON: ${e.message}` } });
      if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return res.status(415).json({ error: { code: 'unsupported-media-type', message: e.message } });
      return res.status(e.status && e.status >= 400 && e.status < 500 ? e.status : 400).json({ error: { code: 'invalid-request', message: 'request body could not be read' } });
    });
  };
}

function requestMetrics(metrics: MetricsService, logger?: ConsoleLogger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req);
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      if (route !== '/metrics' && route !== '/healthz' && route !== '/readyz') {
        // The path only: query strings may carry things that do not belong in logs.
        logger?.log({ msg: 'request', method: req.method, path: req.path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'http');
      }
    });
    next();
  };
}

function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: string } }).route?.path;
  return typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched';
}

async function setUpApiDocs(app: NestExpressApplication, config: AppConfig): Promise<void> {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('gitseal')
      .setDescription('Policy-gated GitOps with a tamper-evident audit ledger')
      .setVersion(process.env.npm_package_version ?? '0.1.0')
      .addBearerAuth()
      .build(),
  );
  if (!config.publicApiDocs) {
    // Only health and metrics are open: the API description needs a token (any role).
    const tokens = app.get(TokenService);
    app.use(['/api/docs', '/api/docs-json'], (req: Request, res: Response, next: NextFunction) => {
      tokens.authenticate(bearerToken(req)).then(
        () => next(),
        () => res.status(401).setHeader('WWW-Authenticate', 'Bearer realm="gitseal"').json({ error: { code: 'unauthenticated', message: 'an API token is required' } }),
      );
    });
  }
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

async function bootstrapTokens(tokens: TokenService, config: AppConfig, logger?: ConsoleLogger): Promise<void> {
  if (config.adminToken) {
    await tokens.ensureBootstrapToken(config.adminToken);
    return;
  }
  // Embedded, first start: nobody can call the API yet. Hand the operator one admin token in a
  // private file instead of the log (logs must never carry secrets).
  if (config.database.kind === 'pglite' && (await tokens.count()) === 0) {
    const created = await tokens.create('initial admin', ['admin'], 'first start');
    const path = join(config.dataDir, 'initial-admin-token');
    writeFileSync(path, `${created.token}\n`, { mode: 0o600, flag: 'w' });
    logger?.warn(`no API token existed: created an admin token in ${path} (readable by this user only); revoke it once you have made your own`, 'auth');
  }
}
