import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trust managed through the API: keys added with roles, and revocations (which apply to keys from
 * trust.yaml too). Rows are never deleted: a revocation is a row of its own.
 */
export class Trust1795305600002 implements MigrationInterface {
  name = 'Trust1795305600002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trust_keys (
        fingerprint  text        PRIMARY KEY CHECK (fingerprint ~ '^[0-9A-F]{40}([0-9A-F]{24})?$'),
        armored_key  text        NOT NULL CHECK (octet_length(armored_key) <= 1048576),
        roles        text[]      NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['committer','approver','admin']::text[]),
        valid_from   timestamptz,
        valid_until  timestamptz,
        added_by     text        NOT NULL,
        added_at     timestamptz NOT NULL,
        ledger_seq   bigint      NOT NULL
      )`);
    await q.query(`
      CREATE TABLE trust_revocations (
        fingerprint  text        PRIMARY KEY CHECK (fingerprint ~ '^[0-9A-F]{40}([0-9A-F]{24})?$'),
        revoked_at   timestamptz NOT NULL,
        reason       text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
        revoked_by   text        NOT NULL,
        ledger_seq   bigint      NOT NULL
      )`);
    for (const table of ['trust_keys', 'trust_revocations']) {
      await q.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await q.query(`GRANT SELECT, INSERT ON ${table} TO gitseal_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE trust_revocations');
    await q.query('DROP TABLE trust_keys');
  }
}
