import { Global, Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Database } from './data-source.factory';

export const DATABASE = Symbol('DATABASE');

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

/** Provides the opened database (opened before Nest starts, so a bad URL fails before anything else). */
@Global()
@Module({})
export class DatabaseModule {
  static forDatabase(database: Database, options: { closeOnShutdown: boolean }): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE, useValue: database },
        { provide: DataSource, useValue: database.dataSource },
        ...(options.closeOnShutdown ? [DatabaseLifecycle] : []),
      ],
      exports: [DATABASE, DataSource],
    };
  }
}
