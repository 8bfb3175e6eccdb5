import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/ledger/checkpoint';
import { decodeEntry } from '../../src/ledger/entry';
import { LedgerService } from '../../src/ledger/ledger.service';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/ledger/merkle';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { verifyEvidenceBundle } from '../../src/ledger/evidence-bundle-verifier';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_DATABASE_KINDS } from '../support/test-database';

const b64 = (s: string) => Buffer.from(s, 'base64');

describe.each(TEST_DATABASE_KINDS)('ledger API on %s', (kind) => {
  let t: TestApp;
  let auditor: string;
  let ledger: LedgerService;

  beforeAll(async () => {
    t = await createTestApp(kind);
    auditor = await t.token('auditor');
    ledger = t.app.get(LedgerService);
    for (let i = 0; i < 20; i++) {
      await ledger.append([{ type: 'gate.decided', commit: createHash('sha1').update(String(i)).digest('hex'), body: { decision: i % 3 ? 'allow' : 'block' } }]);
    }
  });
  afterAll(async () => t?.close());

  const get = (path: string) => request(t.app.getHttpServer()).get(path).set('Authorization', `Bearer ${auditor}`);
  const post = (path: string) => request(t.app.getHttpServer()).post(path).set('Authorization', `Bearer ${auditor}`);

  it('pages entries with their exact bytes and leaf hashes', async () => {
    const res = await get('/api/ledger/entries?from=5&limit=3');
    expect(res.status).toBe(200);
    expect(res.body.entries.map((e: { seq: number }) => e.seq)).toEqual([5, 6, 7]);
    for (const e of res.body.entries) {
      expect(leafHash(b64(e.bytes)).toString('base64')).toBe(e.leafHash);
      expect(decodeEntry(b64(e.bytes))).toEqual(e.entry);
    }
  });

  it('finds the entries about one commit, or of one type, page by page', async () => {
    const commit = createHash('sha1').update('7').digest('hex');
    const about = await get(`/api/ledger/entries?commit=${commit}`);
    expect(about.body.entries).toHaveLength(1);
    expect(about.body.entries[0]).toMatchObject({ commit, type: 'gate.decided' });
    const first = await get('/api/ledger/entries?type=gate.decided&limit=5');
    expect(first.body.entries).toHaveLength(5);
    expect(first.body.entries.every((e: { type: string }) => e.type === 'gate.decided')).toBe(true);
    const second = await get(`/api/ledger/entries?type=gate.decided&limit=5&from=${first.body.next}`);
    expect(second.body.entries[0].seq).toBeGreaterThan(first.body.entries[4].seq);
    expect((await get('/api/ledger/entries?type=nope')).status).toBe(400);
    expect((await get('/api/ledger/entries?commit=abc')).body.error.message).toMatch(/full lower-case commit sha/);
  });

  it('signs a checkpoint on demand that opens with the published key', async () => {
    const res = await post('/api/ledger/checkpoint');
    expect(res.status).toBe(200);
    const key = (await get('/api/ledger/public-key')).body.verifierKey;
    const cp = openCheckpoint(res.body.checkpoint.note, key);
    expect(cp.size).toBe(res.body.checkpoint.size);
    expect(cp.size).toBeGreaterThanOrEqual(20);
    expect((await get('/api/ledger/checkpoint')).body.size).toBe(cp.size);
  });

  it('proves every entry included in the checkpoint', async () => {
    const cp = (await get('/api/ledger/checkpoint')).body;
    const root = b64(cp.root);
    for (let seq = 0; seq < cp.size; seq++) {
      const p = (await get(`/api/ledger/proofs/inclusion?seq=${seq}`)).body;
      expect(p.size).toBe(cp.size);
      expect(verifyInclusion(seq, p.size, b64(p.leafHash), p.proof.map(b64), root)).toBe(true);
    }
  });

  it('proves a later checkpoint consistent with an earlier one', async () => {
    const first = (await get('/api/ledger/checkpoint')).body;
    await ledger.append([{ type: 'drift.detected', body: { n: 1 } }]);
    const second = (await post('/api/ledger/checkpoint')).body.checkpoint;
    expect(second.size).toBeGreaterThan(first.size);
    const p = (await get(`/api/ledger/proofs/consistency?from=${first.size}&to=${second.size}`)).body;
    expect(verifyConsistency(first.size, second.size, b64(first.root), b64(second.root), p.proof.map(b64))).toBe(true);
  });

  it.each([
    ['/api/ledger/proofs/inclusion?seq=-1', /seq must not be less than 0/],
    ['/api/ledger/proofs/inclusion?seq=abc', /seq must be an integer/],
    ['/api/ledger/proofs/inclusion?seq=100000', /not in a tree/],
    ['/api/ledger/proofs/inclusion?seq=0&size=999999', /has \d+ entries, not 999999/],
    ['/api/ledger/proofs/consistency?from=50&to=10', /larger than/],
    ['/api/ledger/entries?limit=5000', /limit must not be greater than 1000/],
    ['/api/ledger/entries?from=0&bogus=1', /property bogus should not exist/],
  ])('answers %s with a clear 400', async (path, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('exports a range as an evidence bundle that verifies offline, and records the export', async () => {
    const res = await get('/api/ledger/export?from=4&to=11');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('gitseal-evidence-4-11.json');
    const key = (await get('/api/ledger/public-key')).body.verifierKey;
    const report = verifyEvidenceBundle(res.body, key);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.entriesChecked).toBe(8);
    const last = (await get(`/api/ledger/entries?from=${(await ledger.size()) - 1}`)).body.entries[0];
    expect(last.type).toBe('report.exported');
    expect(last.entry.body).toMatchObject({ kind: 'evidence-bundle', from: 4, to: 11, actor: 'test auditor' });

    // The auditor's offline check, through the CLI, with the key alone.
    const bundlePath = join(t.dataDir, 'bundle.json');
    const keyPath = join(t.dataDir, 'gitseal.pub');
    writeFileSync(bundlePath, JSON.stringify(res.body));
    writeFileSync(keyPath, `${key}\n`);
    let out = '';
    const io = { cwd: t.dataDir, env: {}, stdout: (x: string) => (out += x), stderr: (x: string) => (out += x) };
    expect(await runCli(['ledger', 'verify', bundlePath, '--key', keyPath], io)).toBe(0);
    // One flipped byte in one entry: caught, and the entry named.
    const tampered = structuredClone(res.body);
    const bytes = b64(tampered.entries[2].bytes);
    bytes[bytes.length - 3] ^= 1;
    tampered.entries[2].bytes = bytes.toString('base64');
    writeFileSync(bundlePath, JSON.stringify(tampered));
    out = '';
    expect(await runCli(['ledger', 'verify', bundlePath, '--key', keyPath], io)).toBe(1);
    expect(out).toMatch(/entry 6/);
  });

  it.each([
    ['/api/ledger/export?from=5&to=2', /range 5..2 is empty/],
    ['/api/ledger/export?from=0&to=99999', /entry 99999 does not exist/],
    ['/api/ledger/export?from=0', /to must be an integer/],
  ])('refuses the export %s clearly', async (path, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('refuses to sign over a store that no longer matches its last checkpoint', async () => {
    await post('/api/ledger/checkpoint');
    // Someone with superuser rights disables the guards and rewrites the stored hash of the first
    // 16 entries (as a rewrite of history would have to).
    await t.db.ownerQuery('ALTER TABLE ledger_subtrees DISABLE TRIGGER USER');
    const changed = await t.db.ownerQuery("UPDATE ledger_subtrees SET hash = sha256('forged'::bytea) WHERE level = 4 AND idx = 0 RETURNING level");
    await t.db.ownerQuery('ALTER TABLE ledger_subtrees ENABLE TRIGGER USER');
    expect(changed).toHaveLength(1);
    await ledger.append([{ type: 'drift.detected', body: { n: 2 } }]);
    const res = await post('/api/ledger/checkpoint');
    expect(res.status).toBe(500);
    await expect(ledger.signCheckpoint()).rejects.toThrow(/does not hold .*tampered/);
  });
});
