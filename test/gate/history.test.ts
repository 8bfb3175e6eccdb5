import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, GateFixture } from './support/gate-fixture';

/** Strict and head mode, seals, approvals replayed, rewritten histories: real repositories, real keys. */
describe('gate history rules', () => {
  let f: GateFixture;

  beforeAll(async () => {
    f = await GateFixture.create();
    await f.repo.commit({ message: 'root', sign: 'ed25519' });
  });
  afterAll(async () => {
    await f?.cleanup();
  });

  it('strict mode blocks what follows a blocked commit; head mode decides the target alone', async () => {
    const anchor = await f.repo.head();
    const unsigned = await f.repo.commit({ message: 'unsigned' });
    const signed = await f.repo.commit({ message: 'signed', sign: 'ed25519' });
    const strict = await f.decide({ anchor, head: signed });
    expect(strict.map((d) => [d.sha, d.decision, codes(d)])).toEqual([
      [unsigned, 'block', ['unsigned']],
      [signed, 'block', ['ancestor-blocked']],
    ]);
    const head = await f.decide({ anchor, head: signed }, { mode: 'head' });
    expect(head.map((d) => [d.sha, d.decision, d.mode])).toEqual([[signed, 'allow', 'head']]);
  });

  it('a seal by an approver covers a blocked ancestor, reported as an exception', async () => {
    const anchor = await f.repo.head();
    const unsigned = await f.repo.commit({ message: 'hotfix, unsigned' });
    const sealed = await f.repo.commit({ message: 'sealed', sign: 'ed25519' });
    const after = await f.repo.commit({ message: 'after the seal', sign: 'ed25519' });
    await f.approve(sealed, 'approver', { seal: true });
    const decisions = await f.decide({ anchor, head: after });
    expect(decisions.map((d) => [d.decision, codes(d)])).toEqual([
      ['block', ['unsigned']],
      ['allow', []],
      ['allow', []],
    ]);
    const seal = decisions[1].seal;
    expect(seal).toMatchObject({ commit: sealed, covers: unsigned, historyRewritten: false, signer: { email: 'dana@example.com' } });
    expect(decisions[2].seal).toEqual(seal);
    expect(decisions[1].warnings.join('\n')).toMatch(/seal exception: Dana Approver .* sealed [0-9a-f]{40}.*blocked commit/);
    expect(decisions[1].input?.approvals).toMatchObject([{ seal: true, source: 'git-note' }]);
  });

  it('a seal by a key without the approver role covers nothing', async () => {
    const anchor = await f.repo.head();
    const unsigned = await f.repo.commit({ message: 'unsigned again' });
    const sealed = await f.repo.commit({ message: 'sealed by a committer', sign: 'ed25519' });
    await f.approve(sealed, 'rsa3072', { seal: true }); // bob: committer only
    const decisions = await f.decide({ anchor, head: sealed });
    expect(codes(decisions[1])).toEqual(['ancestor-blocked']);
    expect(decisions[1].blockedAncestor).toBe(unsigned);
    expect(decisions[1].seal).toBeNull();
    expect(decisions[1].approvals.rejected).toMatchObject([{ code: 'untrusted-signer' }]);
    expect(decisions[1].warnings.join('\n')).toContain('approval rejected (untrusted-signer)');
  });

  it('approvals and seals replayed onto another commit approve nothing', async () => {
    const anchor = await f.repo.head();
    const approved = await f.repo.commit({ message: 'approved', sign: 'ed25519', files: { 'deploy/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n' } });
    const text = await f.approve(approved, 'approver');
    const sealText = await f.approve(approved, 'approver2', { seal: true, onto: approved });
    const unsigned = await f.repo.commit({ message: 'unsigned in between' });
    const other = await f.repo.commit({ message: 'other', sign: 'ed25519' });
    await f.repo.appendNote(other, text);
    await f.repo.appendNote(other, sealText);
    const decisions = await f.decide({ anchor, head: other }, { requiredApprovals: 1 });
    expect(decisions.map((d) => codes(d))).toEqual([[], ['unsigned', 'approval-missing'], ['approval-missing', 'ancestor-blocked']]);
    const last = decisions[2];
    expect(last.approvals.valid).toEqual([]);
    expect(last.approvals.rejected.map((r) => r.code)).toEqual(['wrong-commit', 'wrong-commit']);
    expect(last.seal).toBeNull();
    expect(last.blockedAncestor).toBe(unsigned);
  });

  it('a merge that brings in a blocked commit is ancestor-blocked', async () => {
    const anchor = await f.repo.head();
    await f.repo.branch('side');
    await f.repo.checkout('side');
    const sideUnsigned = await f.repo.commit({ message: 'side, unsigned', files: { 'side.txt': 's' } });
    await f.repo.checkout('main');
    const mainSigned = await f.repo.commit({ message: 'main', sign: 'ed25519', files: { 'main.txt': 'm' } });
    const merge = await f.repo.merge('side', { sign: 'ed25519' });
    const decisions = await f.decide({ anchor, head: merge });
    const bySha = new Map(decisions.map((d) => [d.sha, d]));
    expect(decisions.at(-1)?.sha).toBe(merge);
    expect(codes(bySha.get(sideUnsigned)!)).toEqual(['unsigned']);
    expect(codes(bySha.get(mainSigned)!)).toEqual([]);
    expect(codes(bySha.get(merge)!)).toEqual(['ancestor-blocked']);
    // changes of a merge are against its first parent
    expect(bySha.get(merge)?.input?.changes).toEqual([{ path: 'side.txt', status: 'added', oldPath: null }]);
  });

  it('a rewritten history blocks every commit of it; a seal on the new head vouches for it', async () => {
    const before = await f.repo.head();
    const synced = await f.repo.commit({ message: 'synced', sign: 'ed25519' });
    await f.repo.resetHard(before);
    const x = await f.repo.commit({ message: 'rewrite 1', sign: 'ed25519' });
    const y = await f.repo.commit({ message: 'rewrite 2', sign: 'ed25519' });
    let decisions = await f.decide({ anchor: synced, head: y });
    expect(decisions.map((d) => [d.sha, codes(d)])).toEqual([
      [x, ['history-rewritten']],
      [y, ['history-rewritten']],
    ]);
    expect(decisions[0].reasons[0].message).toBe(`history rewritten: commit ${x} (on the way to ${y}) does not descend from the last synced commit ${synced}`);
    const head = await f.decide({ anchor: synced, head: y }, { mode: 'head' });
    expect(head.map((d) => [d.sha, codes(d)])).toEqual([[y, ['history-rewritten']]]);

    await f.approve(y, 'approver', { seal: true });
    decisions = await f.decide({ anchor: synced, head: y });
    expect(decisions.map((d) => [d.sha, codes(d)])).toEqual([
      [x, ['history-rewritten']],
      [y, []],
    ]);
    expect(decisions[1].seal).toMatchObject({ commit: y, covers: x, historyRewritten: true });
    const sealedHead = await f.decide({ anchor: synced, head: y }, { mode: 'head' });
    expect(sealedHead[0].decision).toBe('allow');
    expect(sealedHead[0].seal).toMatchObject({ commit: y, covers: null, historyRewritten: true });
  });

  it('without an anchor, strict mode decides the whole history; an empty range decides nothing', async () => {
    const head = await f.repo.head();
    const all = await f.decide({ anchor: null, head });
    const count = Number(await f.repo.git(['rev-list', '--count', head]));
    expect(all).toHaveLength(count);
    expect(all[0].input?.previous.manifests).toEqual([]);
    expect(all[0].input?.commit.parents).toEqual([]);
    expect(await f.decide({ anchor: head, head })).toEqual([]);
    expect((await f.decide({ anchor: head, head }, { mode: 'head' })).map((d) => d.sha)).toEqual([head]);
  });

  it('refuses ids that are not full commit ids, and commits the repository lacks', async () => {
    await expect(f.decide({ anchor: null, head: 'main' })).rejects.toMatchObject({ code: 'gate.invalid-request' });
    await expect(f.decide({ anchor: null, head: 'f'.repeat(40) })).rejects.toMatchObject({ code: 'gate.unknown-commit' });
    const tree = await f.repo.revParse('HEAD^{tree}');
    await expect(f.decide({ anchor: null, head: tree })).rejects.toMatchObject({ code: 'gate.invalid-request' });
  });
});
