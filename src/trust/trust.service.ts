import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { FILE_CONFIG, type GitsealFileConfig } from '../config/gitseal-file';
import { LedgerService } from '../ledger/ledger.service';
import { readTrustFile } from '../verification/trust-file';
import { TrustStore, type TrustRecord, type TrustedKeySummary } from '../verification/trust-store';
import { VerificationException } from '../verification/verification.exception';
import type { TrustRole } from '../verification/verification.types';
import { TrustRepository, type StoredRevocation, type StoredTrustKey } from './trust.repository';

export interface AddKeyInput {
  armoredKey: string;
  roles: TrustRole[];
  validFrom?: Date | null;
  validUntil?: Date | null;
}

/**
 * The trust store the gate verifies against: the keys of trust.yaml (GITSEAL_CONFIG_FILE `trust`)
 * plus keys added through the API, minus revocations made through the API (which apply to keys
 * of either origin). Every change is a `trust.changed` ledger entry naming who made it, and so is
 * every start with a trust.yaml whose contents differ from the last one recorded.
 */
@Injectable()
export class TrustService implements OnModuleInit {
  private readonly logger = new Logger('trust');
  private readonly repo = new TrustRepository();
  private store = new TrustStore();
  private fileRecords: TrustRecord[] = [];
  private version = '';
  private readonly changed = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    @Inject(FILE_CONFIG) private readonly fileConfig: GitsealFileConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.fileConfig.trustFile) this.fileRecords = await readTrustFile(this.fileConfig.trustFile);
    await this.reload();
    if (this.fileConfig.trustFile) await this.recordFileLoad(this.fileConfig.trustFile);
  }

  /** Called after each key added or revoked through this service; returns the unsubscribe function. */
  onChanged(listener: () => void): () => void {
    this.changed.add(listener);
    return () => this.changed.delete(listener);
  }

  /** The current store; call refresh() first where changes by another replica matter. */
  current(): TrustStore {
    return this.store;
  }

  /** Reloads when another replica changed the trust tables since this one last looked. */
  async refresh(): Promise<TrustStore> {
    if ((await this.repo.version(this.dataSource.manager)) !== this.version) await this.reload();
    return this.store;
  }

  list(): TrustedKeySummary[] {
    return this.store.list();
  }

  async add(input: AddKeyInput, actor: string): Promise<TrustedKeySummary> {
    await this.refresh();
    const record: TrustRecord = { armoredKey: input.armoredKey, roles: input.roles, validFrom: input.validFrom ?? null, validUntil: input.validUntil ?? null, source: `api (${actor})` };
    // Validate against everything trusted now: a bad key or a duplicate fails before anything is written.
    const candidate = await TrustStore.fromRecords([...this.store.records(), record]);
    const trusted = candidate.list().find((k) => !this.store.get(k.fingerprint)) as TrustedKeySummary;
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      const [entry] = await this.ledger.append([{ type: 'trust.changed', body: { action: 'add', actor, key: trusted } }], m);
      const row: StoredTrustKey = { fingerprint: trusted.fingerprint, armoredKey: input.armoredKey, roles: trusted.roles, validFrom: record.validFrom ?? null, validUntil: record.validUntil ?? null, addedBy: actor, addedAt: now };
      await this.repo.insertKey(m, row, entry.entry.seq);
    });
    await this.reload();
    this.logger.log(`key ${trusted.fingerprint} added with roles ${trusted.roles.join(', ')} by ${actor}`);
    for (const listener of this.changed) listener();
    return this.summary(trusted.fingerprint);
  }

  async revoke(fingerprint: string, reason: string, actor: string): Promise<TrustedKeySummary> {
    await this.refresh();
    const key = this.store.get(fingerprint);
    if (!key) throw new VerificationException('trust-key-unknown', `no trusted key ${fingerprint}`);
    if (key.record.revokedAt) throw new VerificationException('trust-key-duplicate', `key ${key.fingerprint} was already revoked at ${key.record.revokedAt.toISOString()}`);
    const revocation: StoredRevocation = { fingerprint: key.fingerprint, revokedAt: this.clock.now(), reason, revokedBy: actor };
    await this.dataSource.transaction(async (m) => {
      const [entry] = await this.ledger.append(
        [{ type: 'trust.changed', body: { action: 'revoke', actor, fingerprint: key.fingerprint, reason, revokedAt: revocation.revokedAt.toISOString() } }],
        m,
      );
      await this.repo.insertRevocation(m, revocation, entry.entry.seq);
    });
    await this.reload();
    this.logger.log(`key ${key.fingerprint} revoked by ${actor}`);
    for (const listener of this.changed) listener();
    return this.summary(key.fingerprint);
  }

  private summary(fingerprint: string): TrustedKeySummary {
    return this.store.list().find((k) => k.fingerprint === fingerprint) as TrustedKeySummary;
  }

  private async reload(): Promise<void> {
    const m = this.dataSource.manager;
    const [version, keys, revocations] = await Promise.all([this.repo.version(m), this.repo.keys(m), this.repo.revocations(m)]);
    const revokedAt = new Map(revocations.map((r) => [r.fingerprint, r.revokedAt]));
    const store = await TrustStore.fromRecords(this.fileRecords);
    for (const k of keys) {
      try {
        await store.add({ armoredKey: k.armoredKey, roles: k.roles, validFrom: k.validFrom, validUntil: k.validUntil, source: `api (added by ${k.addedBy} at ${k.addedAt.toISOString()})` });
      } catch (err) {
        // trust.yaml now lists a key that was added through the API: the file's entry wins.
        this.logger.warn(`key ${k.fingerprint} added through the API is skipped: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const summary of store.list()) {
      const at = revokedAt.get(summary.fingerprint);
      if (at) store.revoke(summary.fingerprint, at);
    }
    this.store = store;
    this.version = version;
  }

  private async recordFileLoad(path: string): Promise<void> {
    const keys = this.store.list().filter((k) => this.fileRecords.some((r) => k.source === r.source));
    const digest = createHash('sha256')
      .update(JSON.stringify(this.fileRecords.map((r) => [r.armoredKey, r.roles, r.validFrom?.toISOString() ?? null, r.validUntil?.toISOString() ?? null])))
      .digest('hex');
    await this.dataSource.transaction(async (m) => {
      if ((await this.repo.lastFileDigest(m)) === digest) return;
      await this.ledger.append([{ type: 'trust.changed', body: { action: 'file-loaded', actor: 'trust.yaml', path, digest, keys } }], m);
    });
  }
}
