import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { APP_CONFIG, type AppConfig } from './config/config.schema';
import { DatabaseModule } from './database/database.module';
import type { Database } from './database/data-source.factory';
import { HealthModule } from './health/health.module';
import { LedgerModule } from './ledger/ledger.module';
import { MetricsModule } from './metrics/metrics.module';
import { CLOCK, systemClock, type Clock } from './common/clock';
import { EMPTY_FILE_CONFIG, FILE_CONFIG, type GitsealFileConfig } from './config/gitseal-file';
import { GateModule } from './gate/gate.module';
import { PolicyModule } from './policy/policy.module';
import { ReconcilerModule } from './reconciler/reconciler.module';
import { SourceModule } from './source/source.module';
import { TrustModule } from './trust/trust.module';

export interface AppModuleOptions {
  config: AppConfig;
  database: Database;
  /** Close the database when the application shuts down (false when a test owns it). */
  closeDatabase?: boolean;
  clock?: Clock;
  /** The configuration file's contents (repositories, trust file, policies). */
  fileConfig?: GitsealFileConfig;
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
      TrustModule,
      SourceModule.forRoot(),
      PolicyModule,
      GateModule,
      ReconcilerModule.forRoot({ gate: GateModule }),
    ];
    return {
      module: AppModule,
      global: true,
      imports,
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: FILE_CONFIG, useValue: options.fileConfig ?? EMPTY_FILE_CONFIG },
      ],
      exports: [APP_CONFIG, CLOCK, FILE_CONFIG],
    };
  }
}
