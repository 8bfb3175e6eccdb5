import { beforeAll, describe, expect, it } from 'vitest';
import { insertSignatureHeader } from '../../test/fixtures/git-repo';
import { fixtureKey } from '../../test/fixtures/fixture-keys';
import { openpgpDetachSign } from '../../test/fixtures/openpgp-sign';
import { verifyCommits } from './batch-verifier';
import { splitCommitSignature } from './git-signed-object';
import { TrustStore } from './trust-store';

const SHA = 'a'.repeat(40);
const NOW = new Date('2026-06-01T00:00:00Z');
const unsigned = Buffer.from(
  `tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent ${'b'.repeat(40)}\n` +
    'author A U Thor <author@example.com> 1780000000 +0200\ncommitter C O Mitter <committer@example.com> 1780000000 +0200\n' +
    'x-unknown kept\n\nDeploy shop 1.2.3\n\nWith a body.\n',
);

describe('verifyCommit on hostile bytes', () => {
  let trust: TrustStore;
  let signed: Buffer;

  beforeAll(async () => {
    trust = await TrustStore.fromRecords([{ armoredKey: fixtureKey('ed25519').publicKey, roles: ['committer'], source: 'spec' }]);
    const signature = await openpgpDetachSign(unsigned, 'ed25519', { date: new Date(1780000000 * 1000) });
    signed = insertSignatureHeader(unsigned, 'gpgsig', signature);
  });

  it('accepts the untouched commit', async () => {
    const [result] = await verifyCommits([{ sha: SHA, raw: signed }], trust, { now: NOW });
    expect(result.signature.status).toBe('good');
    expect(result.commit?.committer).toEqual({ name: 'C O Mitter', email: 'committer@example.com', time: '2026-05-28T20:26:40Z', zone: '+0200' });
  });

  it('never throws, and is good only when the signed bytes are unchanged (1,000 mutations)', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const mutants = Array.from({ length: 1000 }, (_, i) => {
      const raw = Buffer.from(signed);
      const kind = i % 3;
      const at = Math.floor(random() * raw.length);
      if (kind === 0) raw[at] = Math.floor(random() * 256);
      else if (kind === 1) return { sha: SHA, raw: Buffer.concat([raw.subarray(0, at), raw.subarray(at + 1)]) };
      else return { sha: SHA, raw: Buffer.concat([raw.subarray(0, at), Buffer.from([0x0a]), raw.subarray(at)]) };
      return { sha: SHA, raw };
    });
    const results = await verifyCommits(mutants, trust, { now: NOW });
    const original = splitCommitSignature(signed, 'sha1').payload;
    let good = 0;
    results.forEach((result, i) => {
      if (result.signature.status !== 'good') return;
      good++;
      expect(splitCommitSignature(mutants[i].raw, 'sha1').payload.equals(original)).toBe(true);
    });
    expect(good).toBeLessThan(200); // mutations of the signature's unhashed parts may stay good; content never
  });

  it('answers arbitrary garbage without throwing', async () => {
    const garbage = [Buffer.alloc(0), Buffer.from('\n\n\n'), Buffer.from('gpgsig x\n'), Buffer.alloc(5000, 0xff), Buffer.from('tree \n')];
    const results = await verifyCommits(garbage.map((raw) => ({ sha: SHA, raw })), trust, { now: NOW });
    expect(results.map((r) => r.signature.status)).toEqual(['none', 'none', 'bad', 'none', 'none']);
  });
});
