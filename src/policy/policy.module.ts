import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { PolicyController } from './policy.controller';
import { PolicyService } from './policy.service';

@Module({ imports: [LedgerModule], controllers: [PolicyController], providers: [PolicyService], exports: [PolicyService] })
export class PolicyModule {}
