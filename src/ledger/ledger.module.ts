import { Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/config.schema';
import { CheckpointSigner } from './checkpoint-signer';
import { LedgerController } from './ledger.controller';
import { LedgerStore } from './ledger-store';
import { LedgerService, SIGNING_KEY } from './ledger.service';
import { loadOrCreateSigningKey, type LoadedSigningKey } from './signing-key';

/** Signs a checkpoint on a schedule (and once at start), when the ledger has grown. */
class CheckpointSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('ledger');

  constructor(
    private readonly ledger: LedgerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.ledger.checkpointIntervalSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    try {
      const { checkpoint, created } = await this.ledger.signCheckpoint(true);
      if (created) this.logger.log(`signed checkpoint at size ${checkpoint.size}`);
    } catch (err) {
      this.logger.error(`checkpoint not signed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

@Module({
  controllers: [LedgerController],
  providers: [
    {
      provide: SIGNING_KEY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        loadOrCreateSigningKey({ path: config.ledger.keyFile, value: config.ledger.keyValue, origin: config.ledger.origin }),
    },
    { provide: LedgerStore, inject: [DataSource, CLOCK], useFactory: (ds: DataSource, clock: Clock) => new LedgerStore(ds, clock) },
    {
      provide: CheckpointSigner,
      inject: [DataSource, LedgerStore, SIGNING_KEY, CLOCK],
      useFactory: (ds: DataSource, store: LedgerStore, key: LoadedSigningKey, clock: Clock) => new CheckpointSigner(ds, store, key.signer, key.verifierKey, clock),
    },
    LedgerService,
    CheckpointSchedule,
  ],
  exports: [LedgerService],
})
export class LedgerModule {}
