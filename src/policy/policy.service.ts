import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException } from '../common/domain.exception';
import { packageRoot } from '../common/package-root';
import { FILE_CONFIG, type GitsealFileConfig } from '../config/gitseal-file';
import { LedgerService } from '../ledger/ledger.service';
import type { PolicyEngine } from './policy-engine';
import { RegoPolicyEngine } from './rego-policy-engine';
import { loadWasmPolicyEngine, type WasmPolicyEngine } from './wasm';

export interface PolicySetInfo {
  kind: 'rego' | 'wasm';
  source: string;
  digest: string;
  loadedAt: string;
  /** true when no policies were configured and gitseal's starter set is in use. */
  starter: boolean;
}

/**
 * The organisation's policies, loaded once at start (and on reload) from the configuration file's
 * `policies` folder (Rego) or `policyBundle` (opa build -t wasm); without either, gitseal's own
 * starter set in policies/. A set that does not load stops the service at start (fail fast) and
 * leaves the previous set in force on reload. Each load of a set whose digest differs from the last
 * one recorded is a `policy.bundle.loaded` entry.
 */
@Injectable()
export class PolicyService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('policy');
  private engine: PolicyEngine | undefined;
  private info: PolicySetInfo | undefined;
  private readonly reloaded = new Set<(info: PolicySetInfo) => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    @Inject(FILE_CONFIG) private readonly fileConfig: GitsealFileConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload('start');
  }

  async onApplicationShutdown(): Promise<void> {
    await (this.engine as WasmPolicyEngine | undefined)?.close?.();
  }

  current(): { engine: PolicyEngine; info: PolicySetInfo } {
    if (!this.engine || !this.info) throw new DomainException('policy.not-loaded', 'unavailable', 'the policies are not loaded');
    return { engine: this.engine, info: this.info };
  }

  /** Called after each successful reload (not the first load); returns the unsubscribe function. */
  onReloaded(listener: (info: PolicySetInfo) => void): () => void {
    this.reloaded.add(listener);
    return () => this.reloaded.delete(listener);
  }

  async reload(actor: string): Promise<PolicySetInfo> {
    const first = !this.engine;
    const { engine, info } = await this.load();
    const previous = this.engine as WasmPolicyEngine | undefined;
    this.engine = engine;
    this.info = info;
    if (previous && previous !== engine) await previous.close?.();
    await this.recordLoad(info, actor);
    this.logger.log(`policies loaded from ${info.source} (${info.kind}, digest ${info.digest.slice(0, 12)})`);
    if (!first) for (const listener of this.reloaded) listener(info);
    return info;
  }

  private async load(): Promise<{ engine: PolicyEngine; info: PolicySetInfo }> {
    const loadedAt = new Date().toISOString();
    if (this.fileConfig.policyBundle) {
      const result = await loadWasmPolicyEngine(this.fileConfig.policyBundle);
      if (!result.ok) throw new DomainException('policy.load-failed', 'invalid', `policy bundle ${this.fileConfig.policyBundle}: ${result.error.message}`);
      return { engine: result.value, info: { kind: 'wasm', source: this.fileConfig.policyBundle, digest: result.value.digest, loadedAt, starter: false } };
    }
    const dir = this.fileConfig.policiesDir ?? join(packageRoot(), 'policies');
    const result = RegoPolicyEngine.load(dir);
    if (!result.ok) throw new DomainException('policy.load-failed', 'invalid', `policies in ${dir}: ${result.error.message}`);
    return { engine: result.engine, info: { kind: 'rego', source: dir, digest: result.engine.digest, loadedAt, starter: !this.fileConfig.policiesDir } };
  }

  private async recordLoad(info: PolicySetInfo, actor: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `SELECT convert_from(bytes, 'UTF8')::jsonb #>> '{body,digest}' AS digest FROM ledger_entries
         WHERE entry_type = 'policy.bundle.loaded' ORDER BY seq DESC LIMIT 1`,
      )) as Array<{ digest: string | null }>;
      if (rows[0]?.digest === info.digest) return;
      await this.ledger.append([{ type: 'policy.bundle.loaded', body: { kind: info.kind, source: info.source, digest: info.digest, starter: info.starter, actor } }], m);
    });
  }
}
