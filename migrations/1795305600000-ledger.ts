import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger tables and the database's own guarantees for them:
 * - the application role `gitseal_app` may only SELECT and INSERT;
 * - row and statement triggers refuse UPDATE, DELETE and TRUNCATE for everyone, owner included;
 * - row security is on and forced, with policies for reading and appending only;
 * - an insert must link: its leaf hash is SHA-256(0x00 ‖ bytes), its predecessor exists (no gaps)
 *   and its chain hash is SHA-256(0x02 ‖ previous chain ‖ leaf); the primary key on seq makes a
 *   fork impossible even for a writer that bypasses the advisory lock;
 * - every stored Merkle subtree hash is checked against its two children.
 * Never edit this file after it has landed; add a new migration instead.
 */
export class Ledger1795305600000 implements MigrationInterface {
  name = 'Ledger1795305600000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: another database of the same server may have made it already.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gitseal_app') THEN
          CREATE ROLE gitseal_app NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await q.query(`
      DO $$ BEGIN
        IF NOT pg_has_role(current_user, 'gitseal_app', 'MEMBER') THEN
          EXECUTE format('GRANT gitseal_app TO %I', current_user);
        END IF;
      END $$`);

    await q.query(`
      CREATE TABLE ledger_entries (
        seq         bigint      PRIMARY KEY CHECK (seq >= 0),
        entry_type  text        NOT NULL CHECK (entry_type ~ '^[a-z][a-z0-9.-]{0,63}$'),
        recorded_at timestamptz NOT NULL,
        commit_sha  text        CHECK (commit_sha ~ '^[0-9a-f]{40}([0-9a-f]{24})?$'),
        bytes       bytea       NOT NULL CHECK (octet_length(bytes) BETWEEN 2 AND 4194304),
        leaf_hash   bytea       NOT NULL CHECK (octet_length(leaf_hash) = 32),
        chain_hash  bytea       NOT NULL UNIQUE CHECK (octet_length(chain_hash) = 32)
      )`);
    await q.query(`CREATE INDEX ledger_entries_type_idx ON ledger_entries (entry_type, seq)`);
    await q.query(`CREATE INDEX ledger_entries_commit_idx ON ledger_entries (commit_sha, seq) WHERE commit_sha IS NOT NULL`);
    await q.query(`CREATE INDEX ledger_entries_recorded_idx ON ledger_entries (recorded_at, seq)`);

    await q.query(`
      CREATE TABLE ledger_subtrees (
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 62),
        idx   bigint   NOT NULL CHECK (idx >= 0),
        hash  bytea    NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`);

    await q.query(`
      CREATE TABLE ledger_checkpoints (
        size       bigint      PRIMARY KEY CHECK (size >= 0),
        root       bytea       NOT NULL CHECK (octet_length(root) = 32),
        chain_head bytea       NOT NULL CHECK (octet_length(chain_head) = 32),
        note       text        NOT NULL CHECK (octet_length(note) < 65536),
        signed_at  timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await q.query(`
      CREATE FUNCTION ledger_entry_links() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        prev bytea;
        doc jsonb;
      BEGIN
        IF NEW.leaf_hash <> sha256('\\x00'::bytea || NEW.bytes) THEN
          RAISE EXCEPTION 'ledger entry %: leaf hash does not match its bytes', NEW.seq USING ERRCODE = 'check_violation';
        END IF;
        doc := convert_from(NEW.bytes, 'UTF8')::jsonb;
        IF (doc->>'seq')::bigint IS DISTINCT FROM NEW.seq OR doc->>'type' IS DISTINCT FROM NEW.entry_type THEN
          RAISE EXCEPTION 'ledger entry %: seq or type columns differ from the hashed entry', NEW.seq USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.seq = 0 THEN
          prev := decode(repeat('00', 32), 'hex');
        ELSE
          SELECT chain_hash INTO prev FROM ledger_entries WHERE seq = NEW.seq - 1;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'ledger entry %: entry % does not exist (the sequence must be gap-free)', NEW.seq, NEW.seq - 1
              USING ERRCODE = 'check_violation';
          END IF;
        END IF;
        IF NEW.chain_hash <> sha256('\\x02'::bytea || prev || NEW.leaf_hash) THEN
          RAISE EXCEPTION 'ledger entry %: chain hash does not link to entry %', NEW.seq, NEW.seq - 1 USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);

    await q.query(`
      CREATE FUNCTION ledger_subtree_links() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        l bytea;
        r bytea;
      BEGIN
        IF NEW.level = 1 THEN
          SELECT leaf_hash INTO l FROM ledger_entries WHERE seq = 2 * NEW.idx;
          SELECT leaf_hash INTO r FROM ledger_entries WHERE seq = 2 * NEW.idx + 1;
        ELSE
          SELECT hash INTO l FROM ledger_subtrees WHERE level = NEW.level - 1 AND idx = 2 * NEW.idx;
          SELECT hash INTO r FROM ledger_subtrees WHERE level = NEW.level - 1 AND idx = 2 * NEW.idx + 1;
        END IF;
        IF l IS NULL OR r IS NULL OR NEW.hash <> sha256('\\x01'::bytea || l || r) THEN
          RAISE EXCEPTION 'ledger subtree (%, %): hash does not match its children', NEW.level, NEW.idx USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);

    await q.query(`CREATE TRIGGER ledger_entries_links BEFORE INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_entry_links()`);
    await q.query(`CREATE TRIGGER ledger_subtrees_links BEFORE INSERT ON ledger_subtrees FOR EACH ROW EXECUTE FUNCTION ledger_subtree_links()`);

    for (const table of ['ledger_entries', 'ledger_subtrees', 'ledger_checkpoints']) {
      await q.query(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_row_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_read ON ${table} FOR SELECT USING (true)`);
      await q.query(`CREATE POLICY ${table}_append ON ${table} FOR INSERT WITH CHECK (true)`);
      await q.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await q.query(`GRANT SELECT, INSERT ON ${table} TO gitseal_app`);
    }
  }

  async down(): Promise<void> {
    throw new Error('the ledger migration cannot be reverted: the ledger is append-only');
  }
}
