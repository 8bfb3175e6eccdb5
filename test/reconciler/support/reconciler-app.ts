import { Global, Module, ValidationPipe, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule } from '../../../src/auth/auth.module';
import type { Role } from '../../../src/auth/roles';
import { TokenService } from '../../../src/auth/token.service';
import { CLOCK, systemClock } from '../../../src/common/clock';
import { HttpExceptionFilter } from '../../../src/common/http-exception.filter';
import { APP_CONFIG, loadConfig } from '../../../src/config/config.schema';
import { FILE_CONFIG, type GitsealFileConfig } from '../../../src/config/gitseal-file';
import { DatabaseModule } from '../../../src/database/database.module';
import { LedgerModule } from '../../../src/ledger/ledger.module';
import { MetricsModule } from '../../../src/metrics/metrics.module';
import { GATE_READER, type GateReader } from '../../../src/reconciler/gate-reader';
import { ReconcilerModule } from '../../../src/reconciler/reconciler.module';
import type { TestDatabase } from '../../support/test-database';

/**
 * The service's ledger, auth and reconciler modules with a test gate in place of the real one
 * (the boundary the reconciler depends on), on a test database; not listening (use supertest).
 */
export async function createReconcilerApp(db: TestDatabase, gate: GateReader, fileConfig: GitsealFileConfig, dataDir: string): Promise<{ app: INestApplication; token(...roles: Role[]): Promise<string> }> {
  const config = loadConfig({ GITSEAL_DATA_DIR: dataDir, GITSEAL_CHECKPOINT_INTERVAL_SECONDS: '3600' });
  @Global()
  @Module({})
  class TestGateModule {
    static register(): DynamicModule {
      return { module: TestGateModule, providers: [{ provide: GATE_READER, useValue: gate }], exports: [GATE_READER] };
    }
  }
  @Global()
  @Module({})
  class TestRoot {
    static register(): DynamicModule {
      return {
        module: TestRoot,
        global: true,
        imports: [DatabaseModule.forDatabase(db, { closeOnShutdown: false }), MetricsModule, AuthModule, LedgerModule, ReconcilerModule.forRoot({ gate: TestGateModule.register() })],
        providers: [
          { provide: APP_CONFIG, useValue: config },
          { provide: CLOCK, useValue: systemClock },
          { provide: FILE_CONFIG, useValue: fileConfig },
        ],
        exports: [APP_CONFIG, CLOCK, FILE_CONFIG],
      };
    }
  }
  const app = await NestFactory.create(TestRoot.register(), { logger: false, abortOnError: false });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  await app.init();
  const tokens = app.get(TokenService);
  const cache = new Map<string, string>();
  return {
    app,
    async token(...roles: Role[]) {
      const key = roles.join('+');
      if (!cache.has(key)) cache.set(key, (await tokens.create(`${key} operator`, roles, 'test')).token);
      return cache.get(key) as string;
    },
  };
}
