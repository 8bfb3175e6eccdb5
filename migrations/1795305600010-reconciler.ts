import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reconciler's own state (the ledger records every change; these tables are how it resumes):
 * - reconciler_targets: the settings of each target (the configuration file's, or as changed
 *   through the API) and a digest of the file's settings, so an edited file wins over old changes;
 * - reconciler_status: per target, the synced commit, health, last sync, last error and drift,
 *   and the open sync (a sync.started without its sync.finished) a restart resumes;
 * - reconciler_inventory: every object gitseal applied per target (only these are ever pruned);
 * - reconciler_synced_commits: commits a target reached, for rollbacks.
 * Never edit this file after it has landed; add a new migration instead.
 */
export class Reconciler1795305600010 implements MigrationInterface {
  name = 'Reconciler1795305600010';

  async up(q: QueryRunner): Promise<void> {
    const sha = `text CHECK (%I ~ '^[0-9a-f]{40}([0-9a-f]{24})?$')`;
    const commit = (column: string) => sha.replace('%I', column);
    await q.query(`
      CREATE TABLE reconciler_targets (
        id                text        PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
        settings          jsonb       NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
        file_settings_sha text        NOT NULL,
        updated_at        timestamptz NOT NULL DEFAULT now(),
        updated_by        text
      )`);
    await q.query(`
      CREATE TABLE reconciler_status (
        target_id      text        PRIMARY KEY REFERENCES reconciler_targets (id) ON DELETE CASCADE,
        synced_commit  ${commit('synced_commit')},
        synced_at      timestamptz,
        health         text        NOT NULL DEFAULT 'Unknown',
        health_message text,
        last_sync      jsonb,
        last_error     jsonb,
        last_drift     jsonb,
        open_sync      jsonb,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE reconciler_inventory (
        target_id        text        NOT NULL REFERENCES reconciler_targets (id) ON DELETE CASCADE,
        grp              text        NOT NULL,
        kind             text        NOT NULL,
        namespace        text        NOT NULL,
        name             text        NOT NULL,
        api_version      text        NOT NULL,
        uid              text,
        resource_version text,
        applied_hash     text        NOT NULL CHECK (applied_hash ~ '^[0-9a-f]{64}$'),
        commit_sha       ${commit('commit_sha')} NOT NULL,
        applied_seq      bigint,
        applied_at       timestamptz NOT NULL,
        PRIMARY KEY (target_id, grp, kind, namespace, name)
      )`);
    await q.query(`
      CREATE TABLE reconciler_synced_commits (
        target_id    text        NOT NULL REFERENCES reconciler_targets (id) ON DELETE CASCADE,
        commit_sha   ${commit('commit_sha')} NOT NULL,
        finished_seq bigint      NOT NULL,
        synced_at    timestamptz NOT NULL,
        PRIMARY KEY (target_id, commit_sha)
      )`);
    for (const table of ['reconciler_targets', 'reconciler_status', 'reconciler_inventory', 'reconciler_synced_commits']) {
      await q.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO gitseal_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE reconciler_synced_commits');
    await q.query('DROP TABLE reconciler_inventory');
    await q.query('DROP TABLE reconciler_status');
    await q.query('DROP TABLE reconciler_targets');
  }
}
