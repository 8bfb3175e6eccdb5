import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTrustFile, parseTrustYaml } from '../../src/verification/trust-file';
import { TrustStore } from '../../src/verification/trust-store';
import { VerificationException } from '../../src/verification/verification.exception';
import { fixtureKey, KEYS_DIR } from '../fixtures/fixture-keys';
import { fpr, signingKeyId } from './trust-support';

describe('trust.yaml', () => {
  let dir: string;
  const write = (text: string) => {
    writeFileSync(join(dir, 'trust.yaml'), text);
    return join(dir, 'trust.yaml');
  };
  const problemsOf = async (text: string): Promise<string> => {
    const err = await loadTrustFile(write(text)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(VerificationException);
    expect((err as VerificationException).code).toBe('trust-file-invalid');
    return (err as Error).message;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gitseal-trust-'));
    for (const name of ['ed25519', 'rsa3072', 'approver', 'revoked']) {
      copyFileSync(join(KEYS_DIR, `${name}.pub.asc`), join(dir, `${name}.asc`));
    }
    copyFileSync(join(KEYS_DIR, 'ed25519.sec.asc'), join(dir, 'secret.asc'));
    writeFileSync(join(dir, 'garbage.asc'), '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n');
    writeFileSync(join(dir, 'two.asc'), fixtureKey('ed25519').publicKey + fixtureKey('rsa3072').publicKey);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads keys with roles and windows (the contract example)', async () => {
    const store = await loadTrustFile(
      write(`keys:
  - file: ed25519.asc          # comments are fine
    roles: [committer, approver]
  - file: rsa3072.asc
    roles: [committer]
    validFrom: 2026-01-01T00:00:00Z
    validUntil: 2027-01-01T00:00:00Z
  - file: ./approver.asc
    roles: [approver]
`),
    );
    expect(store.size).toBe(3);
    const bob = store.list().find((k) => k.fingerprint === fpr('rsa3072'));
    expect(bob).toMatchObject({ roles: ['committer'], validFrom: '2026-01-01T00:00:00.000Z', validUntil: '2027-01-01T00:00:00.000Z' });
    expect(bob?.source).toMatch(/trust\.yaml: keys\[1\] \(rsa3072\.asc\)$/);
    expect(store.candidates({ keyId: signingKeyId('ed25519'), fingerprint: null })[0].trusted.roles).toEqual(['committer', 'approver']);
  });

  it('reports a revoked key as loaded, with its revocation', async () => {
    const store = await loadTrustFile(write('keys:\n  - file: revoked.asc\n    roles: [committer]\n'));
    expect(store.list()[0].revoked).toMatchObject({ reason: expect.stringMatching(/^key compromised/), at: '2026-06-01T00:00:00.000Z' });
  });

  it.each([
    ['an unknown field', 'keys:\n  - file: ed25519.asc\n    roles: [committer]\n    role: admin\n', /keys\[0\] \(ed25519\.asc\): unknown field 'role'/],
    ['missing roles', 'keys:\n  - file: ed25519.asc\n', /keys\[0\] \(ed25519\.asc\): `roles` is required/],
    ['empty roles', 'keys:\n  - file: ed25519.asc\n    roles: []\n', /`roles` is required/],
    ['an unknown role', 'keys:\n  - file: ed25519.asc\n    roles: [deployer]\n', /unknown role 'deployer'/],
    ['a repeated role', 'keys:\n  - file: ed25519.asc\n    roles: [committer, committer]\n', /role 'committer' listed twice/],
    ['a missing file field', 'keys:\n  - roles: [committer]\n', /keys\[0\]: `file` .* is required/],
    ['an impossible date', 'keys:\n  - file: ed25519.asc\n    roles: [committer]\n    validFrom: 2026-13-45T00:00:00Z\n', /validFrom '2026-13-45T00:00:00Z' is not an ISO 8601/],
    ['the 30th of February', 'keys:\n  - file: ed25519.asc\n    roles: [committer]\n    validFrom: 2026-02-30T00:00:00Z\n', /validFrom '2026-02-30T00:00:00Z' is not/],
    ['hour 24', 'keys:\n  - file: ed25519.asc\n    roles: [committer]\n    validFrom: 2026-01-01T24:00:00Z\n', /validFrom '2026-01-01T24:00:00Z' is not/],
    ['a date without a zone', 'keys:\n  - file: ed25519.asc\n    roles: [committer]\n    validUntil: 2026-01-01T10:00:00\n', /validUntil .* with a zone/],
    ['words for a date', 'keys:\n  - file: ed25519.asc\n    roles: [committer]\n    validUntil: next year\n', /validUntil 'next year'/],
    ['an empty window', 'keys:\n  - file: ed25519.asc\n    roles: [committer]\n    validFrom: 2027-01-01T00:00:00Z\n    validUntil: 2026-01-01T00:00:00Z\n', /validFrom must be before validUntil/],
    ['a missing key file', 'keys:\n  - file: nope.asc\n    roles: [committer]\n', /keys\[0\] \(nope\.asc\): cannot read the key file: no such file/],
    ['a malformed key', 'keys:\n  - file: garbage.asc\n    roles: [committer]\n', /keys\[0\] \(garbage\.asc\): unreadable key/],
    ['a secret key', 'keys:\n  - file: secret.asc\n    roles: [committer]\n', /secret key: give the public key/],
    ['two keys in one file', 'keys:\n  - file: two.asc\n    roles: [committer]\n', /expected one key, found 2 armored blocks/],
    ['the same file twice', 'keys:\n  - file: ed25519.asc\n    roles: [committer]\n  - file: ed25519.asc\n    roles: [approver]\n', /keys\[1\] \(ed25519\.asc\): the same file as keys\[0\]/],
    ['malformed YAML', 'keys:\n  - file: [unclosed\n', /YAML:/],
    ['a duplicate YAML key', 'keys:\n  - file: ed25519.asc\n    file: rsa3072.asc\n    roles: [committer]\n', /YAML: Map keys must be unique/],
    ['an unknown top-level field', 'keys: []\ntrust: all\n', /unknown top-level field\(s\): trust/],
    ['keys that are not a list', 'keys: ed25519.asc\n', /`keys` must be a list/],
    ['an alias', 'a: &x [committer]\nkeys:\n  - file: ed25519.asc\n    roles: *x\n', /aliases are not allowed|unknown top-level/],
    ['a directory as key file', 'keys:\n  - file: .\n    roles: [committer]\n', /not a regular file/],
  ])('refuses %s with a clear message', async (_, yaml, message) => {
    expect(await problemsOf(yaml)).toMatch(message);
  });

  it('refuses the same key listed under two files', async () => {
    copyFileSync(join(dir, 'ed25519.asc'), join(dir, 'copy.asc'));
    const message = await problemsOf('keys:\n  - file: ed25519.asc\n    roles: [committer]\n  - file: copy.asc\n    roles: [approver]\n');
    expect(message).toMatch(new RegExp(`keys\\[1\\] \\(copy\\.asc\\): key ${fpr('ed25519')} is already trusted`));
  });

  it('reports every problem at once', async () => {
    const message = await problemsOf('keys:\n  - file: ed25519.asc\n    roles: [boss]\n  - file: rsa3072.asc\n    colour: red\n    roles: [committer]\n');
    expect(message).toMatch(/keys\[0\].*boss/);
    expect(message).toMatch(/keys\[1\].*colour/);
  });

  it('caps hostile sizes', async () => {
    writeFileSync(join(dir, 'huge.asc'), 'x'.repeat(2 * 1024 * 1024));
    expect(await problemsOf('keys:\n  - file: huge.asc\n    roles: [committer]\n')).toMatch(/over the limit/);
    expect(await problemsOf(`keys: []\n# ${'x'.repeat(1024 * 1024)}\n`)).toMatch(/over the limit/);
  });

  it('parses without touching the disk', () => {
    expect(parseTrustYaml('keys:\n  - file: a.asc\n    roles: [admin]\n    validFrom: 2026-01-01\n')).toEqual([
      { file: 'a.asc', roles: ['admin'], validFrom: new Date('2026-01-01T00:00:00Z'), validUntil: null },
    ]);
    expect(() => parseTrustYaml('')).toThrow(/mapping with a `keys` list/);
  });
});

describe('TrustStore', () => {
  it('adds, looks up by key id and fingerprint (subkeys too), revokes and removes', async () => {
    const store = await TrustStore.fromRecords([
      { armoredKey: fixtureKey('ed25519').publicKey, roles: ['committer'], source: 'api' },
      { armoredKey: fixtureKey('rsa2048').publicKey, roles: ['approver'], source: 'api' },
    ]);
    const sub = fixtureKey('ed25519').info.signingKey;
    expect(store.candidates({ keyId: sub.keyId, fingerprint: null })).toHaveLength(1);
    expect(store.candidates({ keyId: null, fingerprint: sub.fingerprint })[0].key.isPrimary).toBe(false);
    expect(store.candidates({ keyId: fpr('ed25519').slice(-16), fingerprint: null })[0].key.isPrimary).toBe(true);
    expect(store.candidates({ keyId: 'DEADBEEFDEADBEEF', fingerprint: null })).toEqual([]);
    expect(store.get(fpr('rsa2048').toLowerCase())?.roles).toEqual(['approver']);
    const revision = store.revision;
    store.revoke(fpr('rsa2048'), new Date('2026-02-01T00:00:00Z'));
    expect(store.revision).toBeGreaterThan(revision);
    expect(store.list().find((k) => k.fingerprint === fpr('rsa2048'))?.revokedAt).toBe('2026-02-01T00:00:00.000Z');
    expect(store.candidates({ keyId: fpr('rsa2048').slice(-16), fingerprint: null })[0].trusted.record.revokedAt).toEqual(
      new Date('2026-02-01T00:00:00Z'),
    );
    expect(() => store.revoke(fpr('rsa2048'), new Date('nope'))).toThrow(/not a valid date/);
    store.remove(fpr('ed25519'));
    expect(store.candidates({ keyId: sub.keyId, fingerprint: null })).toEqual([]);
    expect(store.records().map((r) => r.source)).toEqual(['api']);
    expect(() => store.remove(fpr('ed25519'))).toThrow(VerificationException);
    await expect(store.add({ armoredKey: fixtureKey('rsa2048').publicKey, roles: ['committer'], source: 'again' })).rejects.toMatchObject({
      code: 'trust-key-duplicate',
    });
  });

  it('refuses records without roles, with unknown roles or bad windows', async () => {
    const armoredKey = fixtureKey('ed25519').publicKey;
    await expect(TrustStore.fromRecords([{ armoredKey, roles: [], source: 'api' }])).rejects.toThrow(/no roles/);
    const bad = { armoredKey, roles: ['root' as 'admin'], source: 'api' };
    await expect(TrustStore.fromRecords([bad])).rejects.toThrow(/unknown role 'root'/);
    const window = { armoredKey, roles: ['committer' as const], validFrom: new Date(2), validUntil: new Date(1), source: 'api' };
    await expect(TrustStore.fromRecords([window])).rejects.toThrow(/validFrom is not before validUntil/);
    await expect(TrustStore.fromRecords([{ armoredKey: 'nope', roles: ['committer'], source: 'api' }])).rejects.toMatchObject({
      code: 'trust-key-invalid',
    });
  });
});
