import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { TrustController } from './trust.controller';
import { TrustService } from './trust.service';

@Module({ imports: [LedgerModule], controllers: [TrustController], providers: [TrustService], exports: [TrustService] })
export class TrustModule {}
