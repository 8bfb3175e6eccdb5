import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as openpgp from 'openpgp';
import { verifyCommit, verifyTag } from '../../src/verification/commit-verifier';
import { TrustStore } from '../../src/verification/trust-store';
import type { CommitVerification } from '../../src/verification/verification.types';
import { type FixtureKeyName } from '../fixtures/fixture-keys';
import { GitRepoBuilder } from '../fixtures/git-repo';
import { GpgHome } from '../fixtures/gpg-home';
import { openpgpDetachSign } from '../fixtures/openpgp-sign';
import { fixtureTrustStore, fpr, signingKeyId } from './trust-support';

const GPG_KEYS: FixtureKeyName[] = [
  'ed25519', 'rsa3072', 'rsa2048', 'ecdsa-p256', 'expired', 'revoked', 'subkey-revoked', 'subkey-expired', 'untrusted', 'approver',
];

describe('commit signature verification (real gpg, real git)', () => {
  let gpg: GpgHome;
  let repo: GitRepoBuilder;
  let trust: TrustStore;
  const now = () => new Date();

  async function verify(sha: string, store = trust, at = now()): Promise<CommitVerification> {
    return verifyCommit({ sha, raw: await repo.rawObject(sha) }, store, { now: at });
  }

  beforeAll(async () => {
    gpg = await GpgHome.create(GPG_KEYS, { x509: true });
    repo = await GitRepoBuilder.init({ gpg });
    trust = await fixtureTrustStore();
    await repo.commit({ files: { 'README.md': 'hello\n' } });
  });
  afterAll(async () => {
    await repo?.cleanup();
    await gpg?.cleanup();
  });

  describe('good signatures', () => {
    it.each([
      ['ed25519', 'Alice Ed25519', 'alice@example.com'],
      ['rsa3072', 'Bob RSA', 'bob@example.com'],
      ['rsa2048', 'Rita RSA2048', 'rita@example.com'],
      ['ecdsa-p256', 'Carol ECDSA', 'carol@example.com'],
    ] as Array<[FixtureKeyName, string, string]>)('%s', async (key, name, email) => {
      const sha = await repo.commit({ files: { [`${key}.txt`]: key }, sign: key });
      const result = await verify(sha);
      expect(result.reasons).toEqual([]);
      expect(result.signature).toMatchObject({
        status: 'good',
        format: 'openpgp',
        keyId: signingKeyId(key),
        fingerprint: fpr(key),
        signer: { name, email },
      });
      expect(result.signature.signer?.roles).toContain('committer');
      expect(Math.abs(Date.parse(result.signature.signedAt ?? '') - Date.now())).toBeLessThan(120_000);
      expect(result.commit?.committer.email).toBe('committer@example.com');
    });

    it('reports the subkey as keyId and the primary as fingerprint', async () => {
      const result = await verify(await repo.commit({ sign: 'ed25519' }));
      expect(result.signature.keyId).not.toBe(fpr('ed25519').slice(-16));
      expect(result.signature.fingerprint).toBe(fpr('ed25519'));
    });

    it('a v6 Ed25519 key (signed by openpgp.js)', async () => {
      const sha = await repo.craftCommit({ message: 'v6\n', sign: (p) => openpgpDetachSign(p, 'v6-ed25519') });
      const result = await verify(sha);
      expect(result.signature).toMatchObject({ status: 'good', fingerprint: fpr('v6-ed25519'), signer: { name: 'Victor V6' } });
    });

    it('a SHA-256 repository (gpgsig-sha256)', async () => {
      const sha256 = await GitRepoBuilder.init({ gpg, objectFormat: 'sha256' });
      try {
        const sha = await sha256.commit({ files: { a: 'a' }, sign: 'ed25519' });
        expect(sha).toHaveLength(64);
        expect((await sha256.rawObject(sha)).toString()).toContain('\ngpgsig-sha256 -----BEGIN PGP SIGNATURE');
        const result = await verifyCommit({ sha, raw: await sha256.rawObject(sha) }, trust, { now: now() });
        expect(result.signature.status).toBe('good');
      } finally {
        await sha256.cleanup();
      }
    });
  });

  describe('one test per reason code', () => {
    it('unsigned', async () => {
      const result = await verify(await repo.commit({ files: { u: 'u' } }));
      expect(result.signature).toMatchObject({ status: 'none', format: null, keyId: null });
      expect(result.reasons).toEqual([{ code: 'unsigned', message: expect.stringContaining('carries no signature') }]);
    });

    it('bad-signature: a forged commit (content changed under a valid signature)', async () => {
      const good = await repo.commit({ files: { f: 'original' }, sign: 'ed25519', message: 'deploy v1' });
      const raw = (await repo.rawObject(good)).toString().replace('deploy v1', 'deploy v666');
      const forged = await repo.writeObject('commit', raw);
      const result = await verify(forged);
      expect(result.signature).toMatchObject({ status: 'bad', format: 'openpgp' });
      expect(result.reasons[0].code).toBe('bad-signature');
      expect(result.reasons[0].message).toContain(fpr('ed25519'));
      expect(await repo.git(['log', '-1', '--format=%G?', forged])).toBe('B'); // git agrees
    });

    it('untrusted-signer: a valid key that is not in the trust store', async () => {
      const result = await verify(await repo.commit({ sign: 'untrusted' }));
      expect(result.signature).toMatchObject({ status: 'untrusted', keyId: signingKeyId('untrusted'), fingerprint: null, signer: null });
      expect(result.reasons[0]).toMatchObject({ code: 'untrusted-signer', message: expect.stringContaining('not in the trust store') });
    });

    it('untrusted-signer: a trusted key without the committer role', async () => {
      const result = await verify(await repo.commit({ sign: 'approver' }));
      expect(result.signature).toMatchObject({ status: 'untrusted', fingerprint: fpr('approver'), signer: { roles: ['approver'] } });
      expect(result.reasons[0]).toMatchObject({ code: 'untrusted-signer', message: expect.stringContaining('not as committer') });
    });

    it('expired-key: signed while valid, expired now', async () => {
      const when = '2024-06-01T00:00:00Z';
      const result = await verify(await repo.commit({ sign: 'expired', signTime: when, date: when }));
      expect(result.signature).toMatchObject({ status: 'expired', fingerprint: fpr('expired'), signedAt: '2024-06-01T00:00:00Z' });
      expect(result.reasons[0]).toMatchObject({ code: 'expired-key', message: expect.stringContaining('is expired now') });
      // the same commit judged at a time when the key was still valid is good
      const sha = await repo.head();
      expect((await verify(sha, trust, new Date('2024-07-01T00:00:00Z'))).signature.status).toBe('good');
    });

    it('expired-key: committer time after the key expired (signature made while valid)', async () => {
      const sha = await repo.commit({ sign: 'expired', signTime: '2024-06-01T00:00:00Z', date: '2025-03-01T00:00:00Z' });
      const result = await verify(sha, trust, new Date('2024-07-01T00:00:00Z'));
      expect(result.reasons[0]).toMatchObject({ code: 'expired-key', message: expect.stringContaining('before the commit time') });
      expect(result.warnings[0]).toMatch(/h from the committer time/);
    });

    it('expired-key: a signing subkey that has expired', async () => {
      const when = '2025-06-01T00:00:00Z';
      const sha = await repo.commit({ sign: 'subkey-expired', signTime: when, date: when });
      const result = await verify(sha);
      expect(result.signature).toMatchObject({ status: 'expired', keyId: signingKeyId('subkey-expired') });
      expect(result.reasons[0].message).toMatch(/signing subkey .* is expired now/);
      expect((await verify(sha, trust, new Date('2025-07-01T00:00:00Z'))).signature.status).toBe('good');
    });

    it('expired-key: outside the trust window', async () => {
      const store = await fixtureTrustStore({ rsa3072: { validFrom: new Date('2030-01-01T00:00:00Z') } });
      const result = await verify(await repo.commit({ sign: 'rsa3072' }), store);
      expect(result.reasons[0]).toMatchObject({ code: 'expired-key', message: expect.stringContaining('outside the trust window') });
      const ended = await fixtureTrustStore({ rsa3072: { validUntil: new Date(Date.now() - 1000) } });
      const when = new Date(Date.now() - 86_400_000);
      const old = await repo.commit({ sign: 'rsa3072', date: when, signTime: when });
      expect((await verify(old, ended)).reasons[0].message).toMatch(/trust window .* ended/);
    });

    it('revoked-key: the key carries a revocation', async () => {
      const result = await verify(await repo.commit({ sign: 'revoked' }));
      expect(result.signature).toMatchObject({ status: 'revoked', fingerprint: fpr('revoked') });
      expect(result.reasons[0]).toMatchObject({ code: 'revoked-key', message: expect.stringContaining('key compromised') });
    });

    it('revoked-key: only the signing subkey is revoked', async () => {
      const result = await verify(await repo.commit({ sign: 'subkey-revoked' }));
      expect(result.signature).toMatchObject({ status: 'revoked', keyId: signingKeyId('subkey-revoked') });
      expect(result.reasons[0].message).toMatch(/signing subkey .* carries a revocation/);
    });

    it('revoked-key: revoked in the trust store', async () => {
      const store = await fixtureTrustStore();
      store.revoke(fpr('ecdsa-p256'), new Date(Date.now() - 1000));
      const result = await verify(await repo.commit({ sign: 'ecdsa-p256' }), store);
      expect(result.reasons[0]).toMatchObject({ code: 'revoked-key', message: expect.stringContaining('revoked in the trust store') });
    });

    it('unsupported-signature: SSH', async () => {
      const result = await verify(await repo.commit({ sign: 'ssh' }));
      expect(result.signature).toMatchObject({ status: 'unsupported', format: 'ssh' });
      expect(result.reasons[0].code).toBe('unsupported-signature');
    });

    it('unsupported-signature: X.509', async () => {
      const result = await verify(await repo.commit({ sign: 'x509' }));
      expect(result.signature).toMatchObject({ status: 'unsupported', format: 'x509' });
      expect(result.reasons[0].code).toBe('unsupported-signature');
    });
  });

  describe('hostile signatures and objects', () => {
    it('garbage in the signature header is a bad signature, not unsigned', async () => {
      const sha = await repo.craftCommit({ message: 'x\n', sign: async () => 'hello world\n' });
      expect((await verify(sha)).signature).toMatchObject({ status: 'bad', format: null });
      const armoredGarbage = '-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJl\n=AAAA\n-----END PGP SIGNATURE-----\n';
      const sha2 = await repo.craftCommit({ message: 'y\n', sign: async () => armoredGarbage });
      const result = await verify(sha2);
      expect(result.signature).toMatchObject({ status: 'bad', format: 'openpgp' });
      expect(result.reasons[0].message).toMatch(/cannot be read/);
    });

    it('a signed message instead of a detached signature is bad', async () => {
      const message = (await gpg.gpg(['--armor', '--sign', '--local-user', `${signingKeyId('ed25519')}!`], 'x')).toString();
      const sha = await repo.craftCommit({ message: 'z\n', sign: async () => message });
      expect((await verify(sha)).reasons[0]).toMatchObject({ code: 'bad-signature', message: expect.stringMatching(/not an armored detached/) });
    });

    it('two signature blocks in the header are bad', async () => {
      const sha = await repo.craftCommit({
        message: 'two\n',
        sign: async (p) => (await gpg.detachSign(p, 'ed25519')) + (await gpg.detachSign(p, 'rsa2048')),
      });
      expect((await verify(sha)).signature.status).toBe('bad');
    });

    it('a valid signature transplanted onto another commit is bad', async () => {
      const a = await repo.commit({ files: { t: '1' }, sign: 'ed25519', message: 'a' });
      const signature = signatureOf(await repo.rawObject(a));
      const b = await repo.craftCommit({ message: 'b\n', sign: async () => signature });
      expect((await verify(b)).signature.status).toBe('bad');
      expect(await repo.git(['log', '-1', '--format=%G?', b])).toBe('B');
    });

    it('a signature dated in the future is bad', async () => {
      const future = new Date(Date.now() + 3_600_000);
      const sha = await repo.craftCommit({ message: 'f\n', sign: (p) => openpgpDetachSign(p, 'ed25519', { date: future }) });
      expect((await verify(sha)).reasons[0]).toMatchObject({ code: 'bad-signature', message: expect.stringContaining('future') });
    });

    it('a key too weak to trust (RSA 1024) is refused by the trust store', async () => {
      const weak = await openpgp.generateKey({
        type: 'rsa',
        rsaBits: 1024,
        userIDs: [{ name: 'Weak', email: 'weak@example.com' }],
        format: 'armored',
        config: { minRSABits: 1024 },
      });
      await expect(TrustStore.fromRecords([{ armoredKey: weak.publicKey, roles: ['committer'], source: 'weak' }])).rejects.toThrow(
        /weak: no key in it may sign \(.*RSA keys of 1024 bits are too short/,
      );
    });

    it('a text-mode (0x01) signature verifies as git does', async () => {
      const sha = await repo.craftCommit({ message: 't\n', sign: (p) => gpg.detachSign(p, 'ed25519', { textMode: true }) });
      expect((await verify(sha)).signature.status).toBe('good');
      expect(await repo.git(['log', '-1', '--format=%G?', sha])).toBe('G');
    });

    it('a malformed commit object is never good', async () => {
      const bad = await repo.writeObject('commit', 'tree nothex\nauthor x <y> 1 +0000\ncommitter x <y> 1 +0000\n\nm\n');
      const unsigned = await verify(bad);
      expect(unsigned).toMatchObject({ commit: null, signature: { status: 'none' } });
      const tree = await repo.revParse('HEAD^{tree}');
      const twoCommitters = `tree ${tree}\nauthor a <a@x> 1 +0000\ncommitter a <a@x> 1 +0000\ncommitter b <b@x> 9 +0000\n\nm\n`;
      const signed = Buffer.from(twoCommitters.replace('\n\n', `\ngpgsig ${(await gpg.detachSign('x', 'ed25519')).trim().split('\n').join('\n ')}\n\n`));
      const result = await verify(await repo.writeObject('commit', signed));
      expect(result).toMatchObject({ commit: null, signature: { status: 'bad' } });
      expect(result.reasons[0].message).toMatch(/2 committer headers/);
    });
  });

  describe('the signed bytes are exactly git\'s', () => {
    it('a gpgsig-sha256 header is left out of the payload, as git does', async () => {
      const sha = await repo.craftCommit({
        message: 'both\n',
        extraHeaders: ['gpgsig-sha256 -----BEGIN PGP SIGNATURE-----', ' other-format signature', ' -----END PGP SIGNATURE-----'],
        sign: async (payload) => gpg.detachSign(stripHeader(payload, 'gpgsig-sha256'), 'ed25519'),
      });
      expect(await repo.git(['log', '-1', '--format=%G?', sha])).toBe('G');
      expect((await verify(sha)).signature.status).toBe('good');
    });

    it('a signature over bytes that keep the gpgsig-sha256 header fails (git strips it)', async () => {
      const sha = await repo.craftCommit({
        message: 'kept\n',
        extraHeaders: ['gpgsig-sha256 junk', ' more junk'],
        sign: (payload) => gpg.detachSign(payload, 'ed25519'),
      });
      expect(await repo.git(['log', '-1', '--format=%G?', sha])).toBe('B');
      expect((await verify(sha)).signature.status).toBe('bad');
    });

    it('a signature over the payload without its trailing newline fails', async () => {
      const sha = await repo.craftCommit({ message: 'nl\n', sign: (payload) => gpg.detachSign(payload.subarray(0, -1), 'ed25519') });
      expect(await repo.git(['log', '-1', '--format=%G?', sha])).toBe('B');
      expect((await verify(sha)).signature.status).toBe('bad');
    });

    it('unknown headers and odd messages are kept in the payload', async () => {
      const message = 'subject\n\n  indented\n\ngpgsig not-a-header-in-the-message\n\n\n';
      const sha = await repo.craftCommit({
        message,
        extraHeaders: ['x-custom value', ' continued'],
        sign: (payload) => gpg.detachSign(payload, 'ed25519'),
      });
      const result = await verify(sha);
      expect(result.signature.status).toBe('good');
      expect(result.commit?.message).toBe(message);
      expect(await repo.git(['log', '-1', '--format=%G?', sha])).toBe('G');
    });
  });

  describe('mergetag', () => {
    it('verifies and reports the merged signed tag', async () => {
      await repo.branch('release');
      await repo.checkout('release');
      const tagged = await repo.commit({ files: { rel: '1' }, sign: 'rsa2048' });
      await repo.tag('v2', { sign: 'rsa2048' });
      await repo.checkout('main');
      await repo.commit({ files: { main: '1' }, sign: 'ed25519' });
      const merge = await repo.merge('v2', { sign: 'ed25519' });
      const result = await verify(merge);
      expect(result.signature.status).toBe('good');
      expect(result.mergetags).toHaveLength(1);
      expect(result.mergetags[0]).toMatchObject({
        object: tagged,
        type: 'commit',
        tag: 'v2',
        objectIsParent: true,
        reason: null,
        signature: { status: 'good', fingerprint: fpr('rsa2048') },
      });
      expect(result.commit?.parents).toHaveLength(2);
    });

    it('verifies a lone signed tag object, and refuses an edited one', async () => {
      const tag = await repo.tag('v3', { sign: 'ecdsa-p256', message: 'release 3' });
      const raw = await repo.rawObject(tag);
      const result = await verifyTag(raw, 'sha1', trust, { now: now() });
      expect(result).toMatchObject({ tag: 'v3', type: 'commit', reason: null, signature: { status: 'good', fingerprint: fpr('ecdsa-p256') } });
      const edited = Buffer.from(raw.toString().replace('release 3', 'release 4'));
      expect((await verifyTag(edited, 'sha1', trust, { now: now() })).signature.status).toBe('bad');
      const unsigned = await repo.tag('v3-unsigned');
      expect((await verifyTag(await repo.rawObject(unsigned), 'sha1', trust, { now: now() })).reason?.code).toBe('unsigned');
    });

    it('reports a merged tag signed by an untrusted key as a warning, not a block', async () => {
      await repo.branch('other');
      await repo.checkout('other');
      await repo.commit({ files: { other: '1' } });
      await repo.tag('bad-tag', { sign: 'untrusted' });
      await repo.checkout('main');
      const merge = await repo.merge('bad-tag', { sign: 'ed25519' });
      const result = await verify(merge);
      expect(result.reasons).toEqual([]);
      expect(result.mergetags[0].reason?.code).toBe('untrusted-signer');
      expect(result.warnings.join('\n')).toMatch(/merged tag bad-tag: untrusted-signer/);
    });
  });
});

function signatureOf(raw: Buffer): string {
  const text = raw.toString();
  const start = text.indexOf('gpgsig ') + 'gpgsig '.length;
  const end = text.indexOf('-----END PGP SIGNATURE-----', start) + '-----END PGP SIGNATURE-----'.length;
  return text.slice(start, end).replace(/\n /g, '\n');
}

function stripHeader(payload: Buffer, header: string): Buffer {
  const lines = payload.toString().split('\n');
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (line.startsWith(`${header} `)) skipping = true;
    else if (skipping && line.startsWith(' ')) continue;
    else skipping = false;
    if (!skipping) out.push(line);
  }
  return Buffer.from(out.join('\n'));
}

