import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { PolicyModule } from '../policy/policy.module';
import { GATE_READER } from '../reconciler/gate-reader';
import { TrustModule } from '../trust/trust.module';
import { CommitsController } from './commits.controller';
import { GateReaderService } from './gate-reader.service';
import { GateService } from './gate.service';
import { PostedApprovalsService } from './posted-approvals.service';
import { RepositoriesController } from './repositories.controller';

/** The gate in the service: decides fetched commits, records them, answers the reconciler. Needs the (global) SourceModule. */
@Module({
  imports: [LedgerModule, TrustModule, PolicyModule],
  controllers: [CommitsController, RepositoriesController],
  providers: [GateService, PostedApprovalsService, GateReaderService, { provide: GATE_READER, useExisting: GateReaderService }],
  exports: [GateService, GATE_READER],
})
export class GateModule {}
