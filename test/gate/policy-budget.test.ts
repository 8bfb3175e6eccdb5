import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, deployment, GateFixture, loadPolicies, writePolicies } from './support/gate-fixture';

const EXPLODES = `package gitseal.loop

deny contains msg if {
  some m in input.manifests
  some i in numbers.range(1, 1000000)
  some j in numbers.range(1, 1000000)
  i == j + 1000001
  msg := sprintf("%s: never", [m.path])
}
`;

const CONFLICT = `package gitseal.conflict

mode := "a" if input.commit.sha
mode := "b" if input.commit.tree

deny contains "mode" if mode == "c"
`;

/** Policies that never end, or fail at run time, end as policy-error: the gate never hangs. */
describe('policy budgets', () => {
  let f: GateFixture;
  let anchor: string;
  let head: string;

  beforeAll(async () => {
    f = await GateFixture.create(['ed25519']);
    anchor = await f.repo.commit({ message: 'root', sign: 'ed25519' });
    head = await f.repo.commit({ files: { 'deploy/app.yaml': deployment('app', 'registry.example.com/app:1') }, sign: 'ed25519' });
  });
  afterAll(async () => {
    await f?.cleanup();
  });

  it('a policy that explodes is cut by the time budget', async () => {
    f.policy = loadPolicies(writePolicies({ 'loop.rego': EXPLODES }));
    const started = Date.now();
    const [d] = await f.decide({ anchor, head }, {}, { policyTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(30_000); // a bound on hanging, not a speed test
    expect(codes(d)).toEqual(['policy-error']);
    expect(d.policy.error?.code).toBe('timeout');
    expect(d.reasons[0].message).toMatch(/^the policies could not be evaluated \(timeout\): /);
    expect(d.policy.inputHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('and by the step budget', async () => {
    f.policy = loadPolicies(writePolicies({ 'loop.rego': EXPLODES }), { maxSteps: 20_000 });
    const [d] = await f.decide({ anchor, head }, {}, { policyTimeoutMs: 600_000 });
    expect(codes(d)).toEqual(['policy-error']);
    expect(d.policy.error?.code).toBe('timeout');
  });

  it('a runtime error (conflicting values) is a policy-error too', async () => {
    f.policy = loadPolicies(writePolicies({ 'conflict.rego': CONFLICT }));
    const [d] = await f.decide({ anchor, head });
    expect(codes(d)).toEqual(['policy-error']);
    expect(d.policy.error?.code).toBe('eval');
    expect(d.reasons[0].message).toContain('conflict');
  });
});

describe('replaying a decision', () => {
  let f: GateFixture;

  beforeAll(async () => {
    f = await GateFixture.create(['ed25519']);
  });
  afterAll(async () => {
    await f?.cleanup();
  });

  it('the stored input gives the same outcome with the same policies; a changed policy or input is seen', async () => {
    const { replayPolicy } = await import('../../src/gate/replay');
    const anchor = await f.repo.commit({ message: 'root', sign: 'ed25519' });
    const head = await f.repo.commit({ files: { 'deploy/app.yaml': deployment('app', 'nginx:latest') }, sign: 'ed25519' });
    const [d] = await f.decide({ anchor, head });
    const stored = JSON.parse(JSON.stringify(d)) as typeof d; // as the service stores it
    let r = await replayPolicy(stored, f.policy);
    expect(r).toMatchObject({ digestMatches: true, inputHashMatches: true, sameOutcome: true, error: null });
    expect(r.deny.map((m) => m.msg)).toEqual(['deploy/app.yaml: container app uses the latest tag']);

    const relaxed = loadPolicies(writePolicies({ 'test.rego': 'package gitseal.test\n\nwarn contains "relaxed" if true\n' }));
    r = await replayPolicy(stored, relaxed);
    expect(r).toMatchObject({ digestMatches: false, sameOutcome: false });

    const tampered = JSON.parse(JSON.stringify(d)) as typeof d;
    (tampered.input!.manifests[0].object as { metadata: { name: string } }).metadata.name = 'other';
    r = await replayPolicy(tampered, f.policy);
    expect(r.inputHashMatches).toBe(false);
  });
});
