import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API tokens: only a SHA-256 of each token is stored; the token itself is shown once. */
export class ApiTokens1795305600001 implements MigrationInterface {
  name = 'ApiTokens1795305600001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        token_hash   bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
        roles        text[]      NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['admin','security','auditor','approver','gate']::text[]),
        created_at   timestamptz NOT NULL DEFAULT now(),
        created_by   text,
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);
    await q.query(`REVOKE ALL ON api_tokens FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON api_tokens TO gitseal_app`);
    await q.query(`GRANT UPDATE (last_used_at, revoked_at) ON api_tokens TO gitseal_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_tokens`);
  }
}
