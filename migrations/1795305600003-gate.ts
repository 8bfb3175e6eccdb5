import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gate's state. The ledger is the record; these tables make it queryable and let the gate
 * resume:
 * - gate_decisions: every decision recorded (a commit is decided again when its approvals or the
 *   policies change; the newest row is the current decision), with the seq of its gate.decided entry;
 * - policy_inputs: the input document of each decision by its hash, so a decision can be replayed;
 * - posted_approvals: approvals received through the API (notes live in the repository);
 * - gate_repositories: per repository, the anchor (the newest commit the gate allowed on the branch)
 *   and the head and notes it last decided.
 * Never edit this file after it has landed; add a new migration instead.
 */
export class Gate1795305600003 implements MigrationInterface {
  name = 'Gate1795305600003';

  async up(q: QueryRunner): Promise<void> {
    const sha = `~ '^[0-9a-f]{40}([0-9a-f]{24})?$'`;
    const repo = `~ '^[a-z0-9][a-z0-9._-]{0,62}$'`;
    await q.query(`
      CREATE TABLE gate_decisions (
        id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        repository_id text        NOT NULL CHECK (repository_id ${repo}),
        sha           text        NOT NULL CHECK (sha ${sha}),
        decision      text        NOT NULL CHECK (decision IN ('allow', 'block')),
        reasons       jsonb       NOT NULL CHECK (jsonb_typeof(reasons) = 'array'),
        warnings      jsonb       NOT NULL CHECK (jsonb_typeof(warnings) = 'array'),
        mode          text        NOT NULL CHECK (mode IN ('strict', 'head')),
        policy_digest text,
        input_hash    text,
        evidence      jsonb       NOT NULL CHECK (jsonb_typeof(evidence) = 'object'),
        trigger       text        NOT NULL,
        decided_at    timestamptz NOT NULL,
        gate_seq      bigint      NOT NULL UNIQUE
      )`);
    await q.query('CREATE INDEX gate_decisions_commit_idx ON gate_decisions (repository_id, sha, id DESC)');
    await q.query('CREATE INDEX gate_decisions_recent_idx ON gate_decisions (repository_id, id DESC)');
    await q.query(`
      CREATE TABLE policy_inputs (
        input_hash text        PRIMARY KEY CHECK (input_hash ~ '^[0-9a-f]{64}$'),
        document   jsonb       NOT NULL,
        first_seen timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE posted_approvals (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        repository_id text        NOT NULL CHECK (repository_id ${repo}),
        commit_sha    text        NOT NULL CHECK (commit_sha ${sha}),
        text          text        NOT NULL CHECK (octet_length(text) <= 65536),
        fingerprint   text        NOT NULL,
        seal          boolean     NOT NULL,
        posted_by     text        NOT NULL,
        posted_at     timestamptz NOT NULL,
        ledger_seq    bigint      NOT NULL
      )`);
    await q.query('CREATE INDEX posted_approvals_commit_idx ON posted_approvals (repository_id, commit_sha)');
    await q.query(`
      CREATE TABLE gate_repositories (
        repository_id text        PRIMARY KEY CHECK (repository_id ${repo}),
        anchor_sha    text        CHECK (anchor_sha ${sha}),
        decided_head  text        CHECK (decided_head ${sha}),
        decided_notes text        CHECK (decided_notes ${sha}),
        updated_at    timestamptz NOT NULL
      )`);
    for (const table of ['gate_decisions', 'policy_inputs', 'posted_approvals', 'gate_repositories']) {
      await q.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await q.query(`GRANT SELECT, INSERT ON ${table} TO gitseal_app`);
    }
    await q.query('GRANT UPDATE (anchor_sha, decided_head, decided_notes, updated_at) ON gate_repositories TO gitseal_app');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['gate_repositories', 'posted_approvals', 'policy_inputs', 'gate_decisions']) await q.query(`DROP TABLE ${table}`);
  }
}
