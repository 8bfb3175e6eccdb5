import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readApprovalNote } from '../../src/source/git-rev';
import { formatStatement } from '../../src/verification/approval-statement';
import { verifyApprovals, type ApprovalSubject } from '../../src/verification/approval-verifier';
import type { TrustStore } from '../../src/verification/trust-store';
import { fixtureKey, type FixtureKeyName } from '../fixtures/fixture-keys';
import { GitRepoBuilder } from '../fixtures/git-repo';
import { GpgHome } from '../fixtures/gpg-home';
import { openpgpClearSign } from '../fixtures/openpgp-sign';
import { fixtureTrustStore, fpr } from './trust-support';

describe('approvals (contracts §5)', () => {
  let gpg: GpgHome;
  let repo: GitRepoBuilder;
  let trust: TrustStore;
  let subject: ApprovalSubject;
  let other: ApprovalSubject;
  const now = () => ({ now: new Date() });

  const statement = (s: Partial<ApprovalSubject> & { seal?: boolean } = {}) =>
    formatStatement({
      repository: s.repositoryId ?? subject.repositoryId,
      commit: s.commit ?? subject.commit,
      tree: s.tree ?? subject.tree,
      seal: s.seal ?? false,
    });
  const clear = (key: FixtureKeyName, s?: Parameters<typeof statement>[0], time?: string) =>
    gpg.clearSign(statement(s), key, { time });
  const detached = async (key: FixtureKeyName, s?: Parameters<typeof statement>[0]) => {
    const text = statement(s);
    return text + (await gpg.detachSign(text, key));
  };
  const verifyNote = (text: string, about = subject) => verifyApprovals(about, [{ text, source: 'git-note' }], trust, now());

  beforeAll(async () => {
    gpg = await GpgHome.create(['approver', 'approver2', 'ed25519', 'rsa3072', 'untrusted', 'expired', 'revoked']);
    repo = await GitRepoBuilder.init({ gpg });
    trust = await fixtureTrustStore();
    const first = await repo.commit({ files: { 'deploy/app.yaml': 'a: 1\n' } });
    const second = await repo.commit({ files: { 'deploy/app.yaml': 'a: 2\n' } });
    subject = { repositoryId: 'shop-config', commit: second, tree: await repo.revParse(`${second}^{tree}`) };
    other = { repositoryId: 'shop-config', commit: first, tree: await repo.revParse(`${first}^{tree}`) };
  });
  afterAll(async () => {
    await repo?.cleanup();
    await gpg?.cleanup();
  });

  it('accepts a clear-signed approval by an approver', async () => {
    const result = await verifyNote(await clear('approver'));
    expect(result.rejected).toEqual([]);
    expect(result.approvals).toEqual([
      {
        fingerprint: fpr('approver'),
        signer: { name: 'Dana Approver', email: 'dana@example.com', roles: ['approver'] },
        signedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        source: 'git-note',
        seal: false,
      },
    ]);
  });

  it('accepts a detached-signed approval, with a seal', async () => {
    const result = await verifyApprovals(subject, [{ text: await detached('approver2', { seal: true }), source: 'api' }], trust, now());
    expect(result.approvals).toMatchObject([{ fingerprint: fpr('approver2'), seal: true, source: 'api' }]);
  });

  it('verifies several messages in one note (real git notes), each separately', async () => {
    await repo.appendNote(subject.commit, await clear('approver'));
    await repo.appendNote(subject.commit, await detached('approver2'));
    await repo.appendNote(subject.commit, await clear('rsa3072'));
    await repo.appendNote(subject.commit, await clear('ed25519'));
    const note = await readApprovalNote(repo.dir, subject.commit);
    const result = await verifyNote(note ?? '');
    expect(result.approvals.map((a) => a.fingerprint).sort()).toEqual([fpr('approver'), fpr('approver2'), fpr('ed25519')].sort());
    expect(result.rejected).toMatchObject([{ code: 'untrusted-signer', fingerprint: fpr('rsa3072') }]);
  });

  it('a clear-signed message with two signers gives two approvals', async () => {
    const ids = (['approver', 'approver2'] as const).flatMap((k) => ['--local-user', `${fixtureKey(k).info.signingKey.keyId}!`]);
    const text = (await gpg.gpg(['--clearsign', ...ids], statement())).toString();
    expect((await verifyNote(text)).approvals).toHaveLength(2);
  });

  it('accepts a v6 key approval made by openpgp.js', async () => {
    const result = await verifyNote(await openpgpClearSign(statement(), 'v6-ed25519'));
    expect(result.approvals).toMatchObject([{ fingerprint: fpr('v6-ed25519') }]);
  });

  it('rejects an approval by a key without the approver role', async () => {
    const result = await verifyNote(await clear('rsa3072'));
    expect(result.approvals).toEqual([]);
    expect(result.rejected[0]).toMatchObject({ code: 'untrusted-signer', message: expect.stringContaining('not as approver') });
  });

  it('rejects an approval by an unknown key', async () => {
    expect((await verifyNote(await clear('untrusted'))).rejected[0].code).toBe('untrusted-signer');
  });

  it('rejects an approval for another commit, saying so', async () => {
    const result = await verifyNote(await clear('approver', { commit: other.commit }));
    expect(result.rejected[0]).toMatchObject({
      code: 'wrong-commit',
      fingerprint: fpr('approver'),
      message: `approval by ${fpr('approver')} is for commit ${other.commit}, not ${subject.commit}`,
    });
  });

  it('rejects an approval for another tree', async () => {
    const result = await verifyNote(await detached('approver', { tree: other.tree }));
    expect(result.rejected[0]).toMatchObject({ code: 'wrong-tree', message: expect.stringContaining(`is for tree ${other.tree}`) });
  });

  it('rejects an approval for another repository', async () => {
    const result = await verifyNote(await clear('approver', { repositoryId: 'billing-config' }));
    expect(result.rejected[0]).toMatchObject({ code: 'wrong-repository', message: expect.stringContaining('billing-config, not shop-config') });
  });

  it('rejects an approval replayed onto another commit', async () => {
    await repo.appendNote(other.commit, await clear('approver', other));
    const copied = await readApprovalNote(repo.dir, other.commit);
    await repo.appendNote(subject.commit, copied ?? '');
    const replayed = await verifyNote(copied ?? '');
    expect(replayed.approvals).toEqual([]);
    expect(replayed.rejected[0].code).toBe('wrong-commit');
    expect((await verifyNote(copied ?? '', other)).approvals).toHaveLength(1);
  });

  it('rejects a malformed statement even when it is signed', async () => {
    const text = `${statement()}env: production\n`;
    const result = await verifyNote(await gpg.clearSign(text, 'approver'));
    expect(result.rejected[0]).toMatchObject({ code: 'malformed', message: expect.stringContaining("unknown field 'env'") });
  });

  it('rejects a statement edited after signing', async () => {
    const signed = (await clear('approver')).replace('seal: false', 'seal: true');
    expect((await verifyNote(signed)).rejected[0].code).toBe('bad-signature');
    const detachedEdited = (await detached('approver')).replace('seal: false', 'seal: true');
    expect((await verifyNote(detachedEdited)).rejected[0].code).toBe('bad-signature');
  });

  it('rejects approvals by expired and revoked keys', async () => {
    const expired = await verifyNote(await clear('expired', {}, '2024-06-01T00:00:00Z'));
    expect(expired.rejected[0]).toMatchObject({ code: 'expired-key', message: expect.stringContaining('expired now') });
    expect((await verifyNote(await clear('revoked'))).rejected[0].code).toBe('revoked-key');
  });

  it('reports junk and counts one approval per key', async () => {
    const first = await clear('approver', {}, new Date(Date.now() - 60_000).toISOString());
    const second = await clear('approver');
    const result = await verifyNote(`hello\n\n${first}\n${second}\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nx\n`);
    expect(result.approvals).toHaveLength(1);
    expect(result.rejected.map((r) => r.code).sort()).toEqual(['duplicate', 'malformed', 'malformed']);
    expect(result.rejected.find((r) => r.code === 'duplicate')?.message).toMatch(/superseded/);
  });

  it('an empty note approves nothing', async () => {
    expect(await verifyNote('')).toEqual({ approvals: [], rejected: [] });
  });
});
