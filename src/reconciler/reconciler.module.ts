import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { OperationsService } from './api/operations.service';
import { TargetsController } from './api/targets.controller';
import { CLOSED_GATE } from './closed-gate';
import { GATE_READER } from './gate-reader';
import { ReconcilerService } from './reconciler.service';

type ModuleImport = NonNullable<ModuleMetadata['imports']>[number];

/**
 * The reconciler: targets, their runners, the operations API. `gate` is the module that provides
 * (and exports) GATE_READER; without one, nothing is ever allowed, so nothing is ever applied.
 */
@Module({})
export class ReconcilerModule {
  static forRoot(options: { gate?: ModuleImport } = {}): DynamicModule {
    return {
      module: ReconcilerModule,
      imports: [LedgerModule, ...(options.gate ? [options.gate] : [])],
      controllers: [TargetsController],
      providers: [ReconcilerService, OperationsService, ...(options.gate ? [] : [{ provide: GATE_READER, useValue: CLOSED_GATE }])],
      exports: [ReconcilerService],
    };
  }
}
