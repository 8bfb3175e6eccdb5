import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureKey, keysIndex } from '../fixtures/fixture-keys';
import { GitRepoBuilder } from '../fixtures/git-repo';
import { GpgHome } from '../fixtures/gpg-home';
import { openpgpDetachSign } from '../fixtures/openpgp-sign';

// The fixtures themselves, checked against git's and gpg's own verification (the ground truth).
describe('git + gpg fixtures', () => {
  let gpg: GpgHome;
  let repo: GitRepoBuilder;

  beforeAll(async () => {
    gpg = await GpgHome.create(['ed25519', 'rsa2048', 'ecdsa-p256', 'expired', 'revoked'], { x509: true });
    repo = await GitRepoBuilder.init({ gpg });
  });
  afterAll(async () => {
    await repo?.cleanup();
    await gpg?.cleanup();
  });

  it('signs commits with the chosen key through git commit -S', async () => {
    const sha = await repo.commit({ files: { 'a.txt': 'a' }, sign: 'ed25519', message: 'signed' });
    const shown = await repo.git(['log', '-1', '--format=%G?%n%GK%n%GF%n%GP', sha]);
    const key = fixtureKey('ed25519').info;
    expect(shown.split('\n')).toEqual(['G', key.signingKey.keyId, key.signingKey.fingerprint, key.fingerprint]);
    expect((await repo.rawObject(sha)).toString()).toContain('\ngpgsig -----BEGIN PGP SIGNATURE-----\n');
  });

  it('fakes the signing time and the commit dates', async () => {
    const sha = await repo.commit({ sign: 'expired', signTime: '2024-06-01T00:00:00Z', date: '2024-06-01T00:00:00Z' });
    expect(await repo.git(['log', '-1', '--format=%ct', sha])).toBe(String(Date.parse('2024-06-01T00:00:00Z') / 1000));
    const sig = await repo.git(['log', '-1', '--format=%G?', sha]);
    expect(sig).toBe('Y'); // good signature by a key that has expired since
  });

  it('makes unsigned commits, signed tags and mergetag merges', async () => {
    await repo.branch('feature');
    await repo.checkout('feature');
    const unsigned = await repo.commit({ files: { 'b.txt': 'b' } });
    expect(await repo.git(['log', '-1', '--format=%G?', unsigned])).toBe('N');
    const tag = await repo.tag('v1', { sign: 'rsa2048' });
    await repo.git(['tag', '-v', 'v1']);
    await repo.checkout('main');
    await repo.commit({ files: { 'c.txt': 'c' } });
    const merge = await repo.merge('v1', { sign: 'ecdsa-p256' });
    const raw = (await repo.rawObject(merge)).toString();
    expect(raw).toContain(`\nmergetag object ${unsigned}\n`);
    expect(await repo.git(['cat-file', '-t', tag])).toBe('tag');
    expect(await repo.git(['log', '-1', '--format=%G?', merge])).toBe('G');
  });

  it('makes SSH and X.509 signed commits', async () => {
    const ssh = await repo.commit({ sign: 'ssh' });
    expect((await repo.rawObject(ssh)).toString()).toContain('gpgsig -----BEGIN SSH SIGNATURE-----');
    const x509 = await repo.commit({ sign: 'x509' });
    expect((await repo.rawObject(x509)).toString()).toContain('gpgsig -----BEGIN SIGNED MESSAGE-----');
    expect(keysIndex().x509.email).toBe('xavier@example.com');
  });

  it('crafts commits signed by openpgp.js that gpg accepts (v4 key)', async () => {
    const sha = await repo.craftCommit({ message: 'crafted\n', sign: (payload) => openpgpDetachSign(payload, 'ed25519') });
    expect(await repo.git(['log', '-1', '--format=%G?', sha])).toBe('G');
  });

  it('appends approval notes and mirrors them', async () => {
    const head = await repo.head();
    await repo.appendNote(head, 'first\n');
    await repo.appendNote(head, 'second\n');
    expect(await repo.git(['notes', '--ref', 'gitseal-approvals', 'show', head])).toBe('first\n\nsecond');
    const mirror = await repo.clone({ mirror: true });
    const refs = await repo.git(['--git-dir', mirror, 'for-each-ref', '--format=%(refname)']);
    expect(refs.split('\n')).toContain('refs/notes/gitseal-approvals');
  });

  it('rewrites history (reset + new commits)', async () => {
    const before = await repo.commit({ files: { r: '1' } });
    const parent = await repo.revParse(`${before}^`);
    await repo.resetHard(parent);
    const after = await repo.commit({ files: { r: '2' } });
    const isAncestor = await repo.git(['merge-base', '--is-ancestor', before, after]).then(
      () => true,
      () => false,
    );
    expect(isAncestor).toBe(false);
    expect(await repo.revParse(`${after}^`)).toBe(parent);
  });

  it('gpg refuses the revoked key only when it knows the revocation', async () => {
    const sig = await gpg.detachSign('hello', 'revoked');
    expect(sig).toContain('BEGIN PGP SIGNATURE');
    await gpg.gpg(['--import', fixtureKey('revoked').publicPath]);
    await expect(gpg.detachSign('hello', 'revoked')).rejects.toThrow();
  });
});
