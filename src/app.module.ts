import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { APP_CONFIG, type AppConfig } from './config/config.schema';
import { DatabaseModule } from './database/database.module';
import type { Database } from './database/data-source.factory';
import { HealthModule } from './health/health.module';
import { LedgerModule } from './ledger/ledger.module';
import { MetricsModule } from './metrics/metrics.module';
import { CLOCK, systemClock, type Clock } from './common/clock';

export interface AppModuleOptions {
  config: AppConfig;
  database: Database;
  /** Close the database when the application shuts down (false when a test owns it). */
  closeDatabase?: boolean;
  clock?: Clock;
}

/** Composes the feature modules; each feature lives in its own folder. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const imports: ModuleMetadata['imports'] = [
      DatabaseModule.forDatabase(options.database, { closeOnShutdown: options.closeDatabase ?? true }),
      MetricsModule,
      AuthModule,
      HealthModule,
      LedgerModule,
    ];
    return {
      module: AppModule,
      global: true,
      imports,
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
      ],
      exports: [APP_CONFIG, CLOCK],
    };
  }
}
