import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Clock } from '../../../src/common/clock';
import { decodeEntry, type LedgerEntry } from '../../../src/ledger/entry';
import { LedgerStore } from '../../../src/ledger/ledger-store';
import { KubeAdapter } from '../../../src/reconciler/kube/kube.adapter';
import type { KubeObject } from '../../../src/reconciler/kube/kube-object';
import { LocalLeaderLock } from '../../../src/reconciler/state/leader-lock';
import { ReconcilerStore } from '../../../src/reconciler/state/reconciler.store';
import { SyncRecorder, type LedgerWriter } from '../../../src/reconciler/state/sync-recorder';
import { settingsDigest, type Target } from '../../../src/reconciler/target';
import type { TargetSettings } from '../../../src/reconciler/target-settings';
import { TargetRunner } from '../../../src/reconciler/target-runner';
import { startSandboxApiServer, type SandboxApiServer } from '../../../src/sandbox';
import { GitRepoBuilder } from '../../fixtures/git-repo';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../../support/test-database';
import { TestGateReader } from './test-gate';

export const DEFAULT_SETTINGS: TargetSettings = {
  automated: true,
  prune: true,
  selfHeal: false,
  forceConflicts: true,
  healthTimeoutSeconds: 10,
  windows: [],
  ignoreDifferences: [],
};

export function target(overrides: Partial<Target> = {}, settings: Partial<TargetSettings> = {}): Target {
  return {
    id: 'shop',
    repositoryId: 'shop-config',
    branch: 'main',
    manifestPath: 'deploy',
    namespace: 'shop',
    cluster: { sandbox: true },
    clusterResources: ['Namespace', 'CustomResourceDefinition'],
    reconcileIntervalSeconds: 3600,
    ...overrides,
    settings: { ...DEFAULT_SETTINGS, ...overrides.settings, ...settings },
  };
}

export const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join('---\n');

export function configMap(name: string, data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data } as KubeObject;
}

export function deployment(name: string, replicas = 1, image = 'nginx:1.27'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  } as KubeObject;
}

export const silentLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A real database (PGlite or PostgreSQL), a sandbox API server, a real Git repository, and the test gate. */
export class Harness {
  readonly ledger: LedgerWriter;
  readonly store: ReconcilerStore;
  readonly kube: KubeAdapter;
  readonly gate: TestGateReader;
  readonly runners: TargetRunner[] = [];
  readonly logs: string[] = [];

  private constructor(
    readonly db: TestDatabase,
    readonly sandbox: SandboxApiServer,
    readonly repo: GitRepoBuilder,
    readonly clock: Clock,
    readonly tmp: string,
  ) {
    const ledgerStore = new LedgerStore(db.dataSource, clock);
    this.ledger = { append: (drafts) => ledgerStore.append(drafts) };
    this.store = new ReconcilerStore(db.dataSource);
    this.kube = new KubeAdapter(sandbox.kubeConfig(), { timeoutMs: 5000 });
    this.gate = new TestGateReader('shop-config', repo.dir, this.ledger);
  }

  static async create(kind: TestDatabaseKind, options: { controllerDelayMs?: number } = {}): Promise<Harness> {
    const [db, sandbox, repo] = await Promise.all([
      createTestDatabase(kind),
      startSandboxApiServer({ controllerDelayMs: options.controllerDelayMs ?? 20, bookmarkIntervalMs: 200 }),
      GitRepoBuilder.init(),
    ]);
    return new Harness(db, sandbox, repo, { now: () => new Date() }, mkdtempSync(join(tmpdir(), 'gitseal-reconciler-')));
  }

  /** A runner for `t`; the runners of earlier tests are stopped, so they cannot act in the background. */
  async runner(t: Target = target()): Promise<TargetRunner> {
    for (const r of this.runners) await r.stop();
    await this.store.saveSettings(t.id, t.settings, settingsDigest(t.settings), 'test', this.clock.now());
    const recorder = new SyncRecorder(this.ledger, this.store, this.clock, t.id);
    const runner = new TargetRunner(t, this.kube, recorder, {
      gate: this.gate,
      store: this.store,
      clock: this.clock,
      leader: new LocalLeaderLock(),
      logger: { log: (m) => this.logs.push(String(m)), warn: (m) => this.logs.push(String(m)), error: (m) => this.logs.push(String(m)) },
      recordedSince: (seq) => recordedSince(this, seq, t.id),
    });
    this.runners.push(runner);
    return runner;
  }

  /** Commits files (null deletes) and returns the sha. */
  commit(files: Record<string, string | null>, message = 'change'): Promise<string> {
    return this.repo.commit({ files, message });
  }

  async entries(from = 0): Promise<LedgerEntry[]> {
    const rows = (await this.db.dataSource.query('SELECT bytes FROM ledger_entries WHERE seq >= $1 ORDER BY seq', [from])) as Array<{ bytes: Buffer }>;
    return rows.map((r) => decodeEntry(r.bytes));
  }

  async size(): Promise<number> {
    const [row] = (await this.db.dataSource.query('SELECT count(*)::int AS n FROM ledger_entries')) as Array<{ n: number }>;
    return row.n;
  }

  live(kind: string, name: string, namespace = 'shop', apiVersion = kind === 'Deployment' ? 'apps/v1' : 'v1'): KubeObject | undefined {
    return this.sandbox.getObject(apiVersion, kind, namespace, name) as KubeObject | undefined;
  }

  async close(): Promise<void> {
    for (const r of this.runners) await r.stop();
    await Promise.all([this.sandbox.close(), this.db.close(), this.repo.cleanup()]);
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

export async function recordedSince(h: Harness, seq: number, targetId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const e of await h.entries(seq + 1)) {
    const b = e.body as Record<string, unknown>;
    if (e.type === 'resource.applied' && b.target === targetId) ids.add(`${String(b.apiVersion).includes('/') ? String(b.apiVersion).split('/')[0] : ''}/${String(b.kind)}/${String(b.namespace ?? '')}/${String(b.name)}`);
  }
  return ids;
}

/** Entries of the given types, with their bodies. */
export function ofType(entries: LedgerEntry[], ...types: string[]): LedgerEntry[] {
  return entries.filter((e) => types.includes(e.type));
}
