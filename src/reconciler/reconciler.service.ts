import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { errorMessage } from '../common/domain.exception';
import { APP_CONFIG, type AppConfig } from '../config/config.schema';
import { FILE_CONFIG, type GitsealFileConfig } from '../config/gitseal-file';
import { DATABASE } from '../database/database.module';
import type { Database } from '../database/data-source.factory';
import { LedgerService } from '../ledger/ledger.service';
import { MetricsService } from '../metrics/metrics.service';
import { EmbeddedSandbox } from './embedded-sandbox';
import { GATE_READER, type GateReader } from './gate-reader';
import { loadKubeConfig } from './kube/kube-config';
import { KubeAdapter } from './kube/kube.adapter';
import { recordedAppliesSince } from './ledger-scan';
import { ReconcilerException } from './reconciler.exception';
import { LocalLeaderLock, PgAdvisoryLeaderLock, type LeaderLock } from './state/leader-lock';
import { ReconcilerStore } from './state/reconciler.store';
import { SyncRecorder, type LedgerWriter } from './state/sync-recorder';
import { settingsDigest, type Target, type TargetConfig } from './target';
import { settingsOf, type TargetSettings } from './target-settings';
import { TargetRunner } from './target-runner';

export interface RegisteredTarget {
  target: Target;
  runner?: TargetRunner;
  kube?: KubeAdapter;
  /** Why the target cannot run (no usable cluster configuration). */
  error?: string;
  updatedAt?: string;
  updatedBy?: string | null;
}

/**
 * The reconciler in the service: the targets of the configuration file, one runner each (on the
 * replica that holds the target's lock), woken by the gate when it allows a commit.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly store: ReconcilerStore;
  /** What the reconciler appends through: the ledger itself. */
  readonly writer: LedgerWriter;
  private readonly logger = new Logger('reconciler');
  private readonly targets = new Map<string, RegisteredTarget>();
  private readonly leader: LeaderLock;
  private sandbox: EmbeddedSandbox | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    dataSource: DataSource,
    @Inject(DATABASE) database: Database,
    readonly ledger: LedgerService,
    private readonly metrics: MetricsService,
    @Inject(GATE_READER) readonly gate: GateReader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_CONFIG) private readonly file: GitsealFileConfig,
    @Inject(CLOCK) readonly clock: Clock,
  ) {
    this.store = new ReconcilerStore(dataSource);
    this.writer = ledger;
    this.leader = database.kind === 'postgres' ? new PgAdvisoryLeaderLock(dataSource) : new LocalLeaderLock();
  }

  async onApplicationBootstrap(): Promise<void> {
    const configs = this.file.targets ?? [];
    if (configs.some((c) => c.definition.cluster.sandbox)) {
      this.sandbox = await EmbeddedSandbox.start(this.config.dataDir);
      this.logger.warn(`embedded sandbox API server at ${this.sandbox.url} (demo only, never a real cluster)`);
    }
    for (const c of configs) await this.register(c);
    this.unsubscribe = this.gate.onAllowed((e) => {
      for (const t of this.targets.values()) if (t.target.repositoryId === e.repositoryId) t.runner?.kick();
    });
    for (const t of this.targets.values()) t.runner?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.targets.values()].map((t) => t.runner?.stop()));
    await this.leader.close();
    await this.sandbox?.close();
  }

  list(): RegisteredTarget[] {
    return [...this.targets.values()];
  }

  get(id: string): RegisteredTarget {
    const t = this.targets.get(id);
    if (!t) throw new ReconcilerException('target-not-found', `no target ${JSON.stringify(id.slice(0, 100))}`);
    return t;
  }

  /** The runner of a target that can run, or why it cannot. */
  running(id: string): Required<Pick<RegisteredTarget, 'runner' | 'kube'>> & RegisteredTarget {
    const t = this.get(id);
    if (!t.runner || !t.kube) throw new ReconcilerException('kube-config', `target ${id} cannot run: ${t.error ?? 'no cluster'}`);
    return t as Required<Pick<RegisteredTarget, 'runner' | 'kube'>> & RegisteredTarget;
  }

  /** Saves new settings (recording nothing: the caller records target.changed) and hands them to the runner. */
  async saveSettings(id: string, settings: TargetSettings, actor: string): Promise<Target> {
    const t = this.get(id);
    const row = await this.store.targetSettings(id);
    const now = this.clock.now();
    await this.store.saveSettings(id, settingsOf(settings), row?.fileSha ?? settingsDigest(t.target.settings), actor, now);
    t.target = { ...t.target, settings: settingsOf(settings) };
    t.updatedAt = now.toISOString();
    t.updatedBy = actor;
    t.runner?.update(t.target);
    return t.target;
  }

  /**
   * Settings from the file, unless changed through the API since the file last changed: an
   * edited file wins (recorded as a change by the configuration file).
   */
  private async register(c: TargetConfig): Promise<void> {
    const id = c.definition.id;
    const fileSha = settingsDigest(c.settings);
    const row = await this.store.targetSettings(id);
    let settings = c.settings;
    const now = this.clock.now();
    if (!row || row.fileSha !== fileSha) {
      await this.store.saveSettings(id, settingsOf(c.settings), fileSha, 'configuration file', now);
      await this.writer.append([{ type: 'target.changed', body: { target: id, actor: 'configuration file', source: 'file', registered: !row, repository: c.definition.repositoryId, before: row ? row.settings : null, after: settingsOf(c.settings) } }]);
    } else settings = row.settings;
    const target: Target = { ...c.definition, settings };
    const entry: RegisteredTarget = { target, updatedAt: row && row.fileSha === fileSha ? row.updatedAt : now.toISOString(), updatedBy: row && row.fileSha === fileSha ? row.updatedBy : 'configuration file' };
    try {
      const kube = new KubeAdapter(loadKubeConfig(c.definition.cluster, this.sandbox ? () => (this.sandbox as EmbeddedSandbox).kubeConfig() : undefined));
      const recorder = new SyncRecorder(this.writer, this.store, this.clock, id);
      entry.kube = kube;
      entry.runner = new TargetRunner(target, kube, recorder, {
        gate: this.gate,
        store: this.store,
        clock: this.clock,
        leader: this.leader,
        logger: this.logger,
        metrics: this.metrics,
        recordedSince: (seq) => recordedAppliesSince(this.ledger, id, seq),
      });
    } catch (err) {
      entry.error = errorMessage(err);
      this.logger.error(`target ${id}: ${entry.error}`);
      await this.store.saveStatus(id, { lastError: { class: 'stalled', code: 'kube-config', message: entry.error, at: now.toISOString(), commit: null } }, now);
    }
    this.targets.set(id, entry);
  }
}
