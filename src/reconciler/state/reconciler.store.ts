import type { DataSource } from 'typeorm';
import type { HealthStatus } from '../health/health.types';
import type { ObjectKey } from '../kube/kube-object';
import type { TargetSettings } from '../target-settings';

export type SyncTrigger = 'automated' | 'manual' | 'rollback' | 'self-heal';

export interface InventoryRow {
  key: ObjectKey;
  apiVersion: string;
  uid: string | null;
  resourceVersion: string | null;
  appliedHash: string;
  commit: string;
  appliedSeq: number | null;
  appliedAt: string;
}

/** A sync.started without its sync.finished: what a restart resumes. */
export interface OpenSync {
  seq: number;
  commit: string;
  trigger: SyncTrigger;
  gateSeq: number;
  startedAt: string;
}

export interface LastSync {
  commit: string;
  trigger: SyncTrigger;
  outcome: 'succeeded' | 'failed' | 'partial';
  startedSeq: number;
  finishedSeq: number;
  finishedAt: string;
  durationMs: number;
  counts: { applied: number; pruned: number; unchanged: number };
}

export interface LastError {
  class: 'stalled' | 'waiting' | 'transient';
  code: string;
  message: string;
  at: string;
  commit: string | null;
  /** When the next attempt is due (transient and waiting errors). */
  retryAt?: string;
  attempts?: number;
}

export interface LastDrift {
  at: string;
  seq: number | null;
  objects: string[];
  healed: boolean;
}

export interface TargetStatusRow {
  syncedCommit: string | null;
  syncedAt: string | null;
  health: HealthStatus;
  healthMessage: string | null;
  lastSync: LastSync | null;
  lastError: LastError | null;
  lastDrift: LastDrift | null;
  openSync: OpenSync | null;
  updatedAt: string | null;
}

export const EMPTY_STATUS: TargetStatusRow = { syncedCommit: null, syncedAt: null, health: 'Unknown', healthMessage: null, lastSync: null, lastError: null, lastDrift: null, openSync: null, updatedAt: null };

interface StatusDbRow {
  synced_commit: string | null;
  synced_at: Date | string | null;
  health: string;
  health_message: string | null;
  last_sync: LastSync | null;
  last_error: LastError | null;
  last_drift: LastDrift | null;
  open_sync: OpenSync | null;
  updated_at: Date | string;
}

const STATUS_COLUMNS: Record<keyof Omit<TargetStatusRow, 'updatedAt'>, { column: string; json: boolean }> = {
  syncedCommit: { column: 'synced_commit', json: false },
  syncedAt: { column: 'synced_at', json: false },
  health: { column: 'health', json: false },
  healthMessage: { column: 'health_message', json: false },
  lastSync: { column: 'last_sync', json: true },
  lastError: { column: 'last_error', json: true },
  lastDrift: { column: 'last_drift', json: true },
  openSync: { column: 'open_sync', json: true },
};

function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/** A jsonb column may come back parsed (pg) or as text (some drivers); both are handled. */
function json<T>(value: T | string | null): T | null {
  if (value === null) return null;
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** The reconciler's tables, in SQL (small rows, batch upserts). */
export class ReconcilerStore {
  constructor(private readonly ds: DataSource) {}

  async targetSettings(id: string): Promise<{ settings: TargetSettings; fileSha: string; updatedAt: string; updatedBy: string | null } | undefined> {
    const rows = (await this.ds.query('SELECT settings, file_settings_sha, updated_at, updated_by FROM reconciler_targets WHERE id = $1', [id])) as Array<{ settings: TargetSettings | string; file_settings_sha: string; updated_at: Date; updated_by: string | null }>;
    const r = rows[0];
    return r ? { settings: json(r.settings) as TargetSettings, fileSha: r.file_settings_sha, updatedAt: iso(r.updated_at) as string, updatedBy: r.updated_by } : undefined;
  }

  async saveSettings(id: string, settings: TargetSettings, fileSha: string, actor: string, at: Date): Promise<void> {
    await this.ds.query(
      `INSERT INTO reconciler_targets (id, settings, file_settings_sha, updated_at, updated_by) VALUES ($1, $2::jsonb, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, file_settings_sha = EXCLUDED.file_settings_sha, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [id, JSON.stringify(settings), fileSha, at.toISOString(), actor],
    );
  }

  async status(id: string): Promise<TargetStatusRow> {
    const rows = (await this.ds.query('SELECT * FROM reconciler_status WHERE target_id = $1', [id])) as StatusDbRow[];
    const r = rows[0];
    if (!r) return { ...EMPTY_STATUS };
    return {
      syncedCommit: r.synced_commit,
      syncedAt: iso(r.synced_at),
      health: r.health as HealthStatus,
      healthMessage: r.health_message,
      lastSync: json(r.last_sync),
      lastError: json(r.last_error),
      lastDrift: json(r.last_drift),
      openSync: json(r.open_sync),
      updatedAt: iso(r.updated_at),
    };
  }

  /** Writes the given status fields (others stay as they are). */
  async saveStatus(id: string, change: Partial<Omit<TargetStatusRow, 'updatedAt'>>, at: Date): Promise<void> {
    const entries = Object.entries(change).filter(([, v]) => v !== undefined) as Array<[keyof typeof STATUS_COLUMNS, unknown]>;
    const columns = entries.map(([k]) => STATUS_COLUMNS[k].column);
    const values = entries.map(([k, v]) => (STATUS_COLUMNS[k].json && v !== null ? JSON.stringify(v) : v));
    const params = [id, at.toISOString(), ...values];
    const casts = entries.map(([k], i) => `$${i + 3}${STATUS_COLUMNS[k].json ? '::jsonb' : ''}`);
    const updates = columns.map((c) => `${c} = EXCLUDED.${c}`);
    await this.ds.query(
      `INSERT INTO reconciler_status (target_id, updated_at${columns.map((c) => `, ${c}`).join('')}) VALUES ($1, $2${casts.map((c) => `, ${c}`).join('')})
       ON CONFLICT (target_id) DO UPDATE SET updated_at = EXCLUDED.updated_at${updates.map((u) => `, ${u}`).join('')}`,
      params,
    );
  }

  async inventory(id: string): Promise<InventoryRow[]> {
    const rows = (await this.ds.query('SELECT * FROM reconciler_inventory WHERE target_id = $1 ORDER BY grp, kind, namespace, name', [id])) as Array<Record<string, string | null | Date>>;
    return rows.map((r) => ({
      key: { group: String(r.grp), kind: String(r.kind), namespace: String(r.namespace), name: String(r.name) },
      apiVersion: String(r.api_version),
      uid: r.uid as string | null,
      resourceVersion: r.resource_version as string | null,
      appliedHash: String(r.applied_hash),
      commit: String(r.commit_sha),
      appliedSeq: r.applied_seq === null ? null : Number(r.applied_seq),
      appliedAt: iso(r.applied_at as Date) as string,
    }));
  }

  async upsertInventory(id: string, rows: readonly InventoryRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      const params: unknown[] = [id];
      const tuples = chunk.map((r) => {
        params.push(r.key.group, r.key.kind, r.key.namespace, r.key.name, r.apiVersion, r.uid, r.resourceVersion, r.appliedHash, r.commit, r.appliedSeq, r.appliedAt);
        const n = params.length;
        return `($1, ${Array.from({ length: 11 }, (_, j) => `$${n - 10 + j}`).join(', ')})`;
      });
      await this.ds.query(
        `INSERT INTO reconciler_inventory (target_id, grp, kind, namespace, name, api_version, uid, resource_version, applied_hash, commit_sha, applied_seq, applied_at)
         VALUES ${tuples.join(', ')}
         ON CONFLICT (target_id, grp, kind, namespace, name) DO UPDATE SET api_version = EXCLUDED.api_version, uid = EXCLUDED.uid,
           resource_version = EXCLUDED.resource_version, applied_hash = EXCLUDED.applied_hash, commit_sha = EXCLUDED.commit_sha,
           applied_seq = EXCLUDED.applied_seq, applied_at = EXCLUDED.applied_at`,
        params,
      );
    }
  }

  async deleteInventory(id: string, key: ObjectKey): Promise<void> {
    await this.ds.query('DELETE FROM reconciler_inventory WHERE target_id = $1 AND grp = $2 AND kind = $3 AND namespace = $4 AND name = $5', [id, key.group, key.kind, key.namespace, key.name]);
  }

  async recordSynced(id: string, commit: string, finishedSeq: number, at: Date): Promise<void> {
    await this.ds.query(
      `INSERT INTO reconciler_synced_commits (target_id, commit_sha, finished_seq, synced_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (target_id, commit_sha) DO UPDATE SET finished_seq = EXCLUDED.finished_seq, synced_at = EXCLUDED.synced_at`,
      [id, commit, finishedSeq, at.toISOString()],
    );
  }

  async wasSynced(id: string, commit: string): Promise<boolean> {
    const rows = (await this.ds.query('SELECT 1 FROM reconciler_synced_commits WHERE target_id = $1 AND commit_sha = $2', [id, commit])) as unknown[];
    return rows.length > 0;
  }
}
