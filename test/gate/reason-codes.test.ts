import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATE_REASON_CODES } from '../../src/gate/gate.types';
import { codes, deployment, GateFixture } from './support/gate-fixture';

/** One test per contract §2 reason code, each on a real repository with real gpg signatures. */
describe('gate reason codes (contracts §2)', () => {
  let f: GateFixture;
  let base: string;
  const seen = new Set<string>();

  /** Commits on top of the current head; decides that one commit (strict, anchor = previous head). */
  async function decideNext(commit: () => Promise<string>, repo = {}) {
    const anchor = await f.repo.head();
    const head = await commit();
    const decisions = await f.decide({ anchor, head }, repo);
    expect(decisions.map((d) => d.sha)).toEqual([head]);
    for (const c of codes(decisions[0])) seen.add(c);
    return decisions[0];
  }

  beforeAll(async () => {
    f = await GateFixture.create();
    base = await f.repo.commit({ files: { 'deploy/app.yaml': deployment('app', 'registry.example.com/app:1.0') }, sign: 'ed25519' });
  });
  afterAll(async () => {
    await f?.cleanup();
    // every code of the contract has a test here
    if (seen.size > 0) expect([...seen].sort()).toEqual([...GATE_REASON_CODES].sort());
  });

  it('allows a signed, compliant commit, with the evidence', async () => {
    const d = await decideNext(() => f.repo.commit({ files: { 'deploy/app.yaml': deployment('app', 'registry.example.com/app:1.1') }, sign: 'ed25519' }));
    expect(d.decision).toBe('allow');
    expect(d.reasons).toEqual([]);
    expect(d.verification.signature.status).toBe('good');
    expect(d.policy).toMatchObject({ engine: 'rego', digest: f.policy.digest, error: null, deny: [], inputProblems: [] });
    expect(d.policy.inputHash).toMatch(/^[0-9a-f]{64}$/);
    expect(d.input?.manifests).toHaveLength(1);
    expect(d.input?.previous.manifests).toHaveLength(1);
    expect(d.input?.changes).toEqual([{ path: 'deploy/app.yaml', status: 'modified', oldPath: null }]);
  });

  it('unsigned', async () => {
    const d = await decideNext(() => f.repo.commit({ files: { 'deploy/b.yaml': deployment('b', 'registry.example.com/b:1') } }));
    expect(d.decision).toBe('block');
    expect(d.reasons).toEqual([{ code: 'unsigned', message: expect.stringContaining('carries no signature') }]);
  });

  it('bad-signature: a valid signature transplanted onto other content (a forged commit)', async () => {
    const d = await decideNext(() =>
      f.repo.craftCommit({ message: 'deploy the forged thing\n', sign: () => f.gpg.detachSign('the bytes alice really signed', 'ed25519') }),
    );
    expect(codes(d)).toEqual(['bad-signature']);
    expect(d.verification.signature.status).toBe('bad');
  });

  it('untrusted-signer', async () => {
    const d = await decideNext(() => f.repo.commit({ files: { 'deploy/c.yaml': deployment('c', 'registry.example.com/c:1') }, sign: 'untrusted' }));
    expect(codes(d)).toEqual(['untrusted-signer']);
  });

  it('expired-key: signed while valid (2024), expired now', async () => {
    const d = await decideNext(() => f.repo.commit({ message: 'old', sign: 'expired', signTime: '2024-06-01T10:00:00Z', date: '2024-06-01T10:00:00Z' }));
    expect(codes(d)).toEqual(['expired-key']);
  });

  it('revoked-key', async () => {
    const d = await decideNext(() => f.repo.commit({ message: 'by a revoked key', sign: 'revoked' }));
    expect(codes(d)).toEqual(['revoked-key']);
  });

  it('unsupported-signature: an SSH-signed commit is not taken for unsigned', async () => {
    const d = await decideNext(() => f.repo.commit({ message: 'ssh signed', sign: 'ssh' }));
    expect(codes(d)).toEqual(['unsupported-signature']);
  });

  it('policy-denied: one reason per deny message, with its package', async () => {
    const d = await decideNext(() =>
      f.repo.commit({
        files: { 'deploy/x.yaml': deployment('x', 'nginx:latest'), 'deploy/y.yaml': deployment('y', 'redis:latest') },
        sign: 'ed25519',
      }),
    );
    expect(d.reasons).toEqual([
      { code: 'policy-denied', message: 'gitseal.test: deploy/x.yaml: container x uses the latest tag' },
      { code: 'policy-denied', message: 'gitseal.test: deploy/y.yaml: container y uses the latest tag' },
    ]);
    expect(d.policy.deny.map((m) => m.package)).toEqual(['gitseal.test', 'gitseal.test']);
    await f.repo.commit({ files: { 'deploy/x.yaml': null, 'deploy/y.yaml': null }, sign: 'ed25519' });
  });

  it('policy-error: a manifest that is not valid YAML names the file and the line', async () => {
    const d = await decideNext(() =>
      f.repo.commit({ files: { 'deploy/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: {a: 1\n' }, sign: 'ed25519' }),
    );
    expect(codes(d)).toEqual(['policy-error']);
    expect(d.reasons[0].message).toMatch(/deploy\/broken\.yaml document 1: line \d+/);
    // the policies still ran on the rest: the input is recorded, the file is not in it
    expect(d.input?.manifests.map((m) => m.path)).not.toContain('deploy/broken.yaml');
    // the commit that fixes it passes: the broken file at its parent is only noted
    const fix = await decideNext(() => f.repo.commit({ files: { 'deploy/broken.yaml': null }, sign: 'ed25519' }));
    expect(fix.decision).toBe('allow');
    expect(fix.warnings.join('\n')).toMatch(/previous manifests incomplete: at the first parent, deploy\/broken\.yaml document 1: line \d+/);
  });

  it('approval-missing: the signer does not count; another approver does', async () => {
    const d = await decideNext(() => f.repo.commit({ files: { 'deploy/app.yaml': deployment('app', 'registry.example.com/app:2') }, sign: 'ed25519' }), { requiredApprovals: 1 });
    expect(codes(d)).toEqual(['approval-missing']);
    await f.approve(d.sha, 'ed25519'); // alice signed the commit: her approval is no second pair of eyes
    let [again] = await f.decide({ anchor: d.input?.commit.parents[0] ?? null, head: d.sha }, { requiredApprovals: 1 });
    expect(codes(again)).toEqual(['approval-missing']);
    expect(again.reasons[0].message).toContain("own signer does not count");
    expect(again.approvals.valid).toHaveLength(1);
    await f.approve(d.sha, 'approver');
    [again] = await f.decide({ anchor: d.input?.commit.parents[0] ?? null, head: d.sha }, { requiredApprovals: 1 });
    expect(again.decision).toBe('allow');
    expect(again.approvals.counted).toHaveLength(1);
    expect(again.input?.approvals.map((a) => a.signer.email).sort()).toEqual(['alice@example.com', 'dana@example.com']);
  });

  it('history-rewritten: the head does not descend from the last synced commit', async () => {
    const synced = await f.repo.commit({ message: 'synced', sign: 'ed25519' });
    await f.repo.resetHard(`${synced}~1`);
    const rewritten = await f.repo.commit({ message: 'rewritten', sign: 'ed25519' });
    const decisions = await f.decide({ anchor: synced, head: rewritten });
    expect(decisions.map((d) => d.sha)).toEqual([rewritten]);
    expect(codes(decisions[0])).toEqual(['history-rewritten']);
    expect(decisions[0].reasons[0].message).toContain(synced);
    codes(decisions[0]).forEach((c) => seen.add(c));
  });

  it('ancestor-blocked: strict mode names the blocked commit', async () => {
    const anchor = await f.repo.head();
    const unsigned = await f.repo.commit({ message: 'unsigned' });
    const signed = await f.repo.commit({ message: 'signed on top', sign: 'ed25519' });
    const decisions = await f.decide({ anchor, head: signed });
    expect(decisions.map((d) => [d.sha, codes(d)])).toEqual([
      [unsigned, ['unsigned']],
      [signed, ['ancestor-blocked']],
    ]);
    expect(decisions[1].reasons[0].message).toBe(`ancestor ${unsigned} is blocked (unsigned) and no seal covers it`);
    expect(decisions[1].blockedAncestor).toBe(unsigned);
    codes(decisions[1]).forEach((c) => seen.add(c));
    void base;
  });
});
