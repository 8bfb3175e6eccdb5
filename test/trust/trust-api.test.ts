import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_FILE_CONFIG } from '../../src/config/gitseal-file';
import { LedgerService } from '../../src/ledger/ledger.service';
import { fixtureKey, KEYS_DIR } from '../fixtures/fixture-keys';
import { createTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../support/test-database';

function trustFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitseal-trust-'));
  copyFileSync(join(KEYS_DIR, 'ed25519.pub.asc'), join(dir, 'alice.asc'));
  writeFileSync(join(dir, 'trust.yaml'), 'keys:\n  - file: alice.asc\n    roles: [committer, approver]\n');
  return join(dir, 'trust.yaml');
}

describe.each(TEST_DATABASE_KINDS)('trust API on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  let security: string;
  const path = trustFile();
  const alice = fixtureKey('ed25519').info.fingerprint;
  const bob = fixtureKey('rsa3072');

  const trustEntries = async (app: TestApp) =>
    (await app.app.get(LedgerService).entries(0, 1000)).entries.filter((e) => e.type === 'trust.changed').map((e) => e.entry.body);

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await createTestApp(kind, { database: db, fileConfig: { ...EMPTY_FILE_CONFIG, trustFile: path } });
    security = await t.token('security');
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  const api = () => request(t.app.getHttpServer());

  it('loads trust.yaml at start and records it', async () => {
    const list = await api().get('/api/trust/keys').set('Authorization', `Bearer ${security}`);
    expect(list.status).toBe(200);
    expect(list.body.map((k: { fingerprint: string }) => k.fingerprint)).toEqual([alice]);
    expect(list.body[0].roles).toEqual(['committer', 'approver']);
    const entries = await trustEntries(t);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'file-loaded', path });
  });

  it('adds a key with roles, recorded with the actor', async () => {
    const res = await api().post('/api/trust/keys').set('Authorization', `Bearer ${security}`).send({ armoredKey: bob.publicKey, roles: ['committer'], validUntil: '2030-01-01T00:00:00Z' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ fingerprint: bob.info.fingerprint, roles: ['committer'], validUntil: '2030-01-01T00:00:00.000Z' });
    const last = (await trustEntries(t)).at(-1);
    expect(last).toMatchObject({ action: 'add', actor: 'test security', key: { fingerprint: bob.info.fingerprint } });
  });

  it.each([
    [{ armoredKey: 'not a key', roles: ['committer'] }, 400, /armor|key/i],
    [{ armoredKey: fixtureKey('rsa3072').publicKey, roles: ['committer'] }, 409, /already trusted/],
    [{ armoredKey: fixtureKey('rsa2048').publicKey, roles: ['root'] }, 400, /roles/],
    [{ armoredKey: fixtureKey('rsa2048').publicKey, roles: ['committer'], validFrom: '2030-01-01', validUntil: '2029-01-01' }, 400, /validFrom is not before validUntil/],
  ])('refuses %#: a bad key, a duplicate, an unknown role, an empty window', async (body, status, message) => {
    const before = (await trustEntries(t)).length;
    const res = await api().post('/api/trust/keys').set('Authorization', `Bearer ${security}`).send(body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toMatch(message);
    expect((await trustEntries(t)).length).toBe(before);
  });

  it('revokes a key from trust.yaml, once', async () => {
    const res = await api().post(`/api/trust/keys/${alice.toLowerCase()}/revoke`).set('Authorization', `Bearer ${security}`).send({ reason: 'laptop lost' });
    expect(res.status).toBe(200);
    expect(res.body.revokedAt).not.toBeNull();
    expect((await trustEntries(t)).at(-1)).toMatchObject({ action: 'revoke', fingerprint: alice, reason: 'laptop lost', actor: 'test security' });
    const again = await api().post(`/api/trust/keys/${alice}/revoke`).set('Authorization', `Bearer ${security}`).send({ reason: 'again' });
    expect(again.status).toBe(409);
    expect((await api().post(`/api/trust/keys/${'B'.repeat(40)}/revoke`).set('Authorization', `Bearer ${security}`).send({ reason: 'x' })).status).toBe(404);
    expect((await api().post('/api/trust/keys/nothex/revoke').set('Authorization', `Bearer ${security}`).send({ reason: 'x' })).status).toBe(400);
    expect((await api().post(`/api/trust/keys/${alice}/revoke`).set('Authorization', `Bearer ${security}`).send({})).status).toBe(400);
  });

  it('keeps API changes across a restart, without recording an unchanged trust.yaml again', async () => {
    const before = (await trustEntries(t)).length;
    const again = await createTestApp(kind, { database: db, fileConfig: { ...EMPTY_FILE_CONFIG, trustFile: path } });
    try {
      const list = await request(again.app.getHttpServer()).get('/api/trust/keys').set('Authorization', `Bearer ${await again.token('auditor')}`);
      const byFpr = new Map(list.body.map((k: { fingerprint: string }) => [k.fingerprint, k]));
      expect(byFpr.get(bob.info.fingerprint)).toMatchObject({ roles: ['committer'] });
      expect((byFpr.get(alice) as { revokedAt: string | null }).revokedAt).not.toBeNull();
      expect((await trustEntries(again)).length).toBe(before);
    } finally {
      await again.close();
    }
  });
});
