import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_FILE_CONFIG, type GitsealFileConfig } from '../../src/config/gitseal-file';
import { GateReaderService } from '../../src/gate/gate-reader.service';
import { canonicalize } from '../../src/ledger/canonical-json';
import { LedgerService } from '../../src/ledger/ledger.service';
import { formatStatement } from '../../src/verification/approval-statement';
import { KEYS_DIR } from '../fixtures/fixture-keys';
import { GitRepoBuilder } from '../fixtures/git-repo';
import { GpgHome } from '../fixtures/gpg-home';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_DATABASE_KINDS } from '../support/test-database';
import { createHash } from 'node:crypto';

const DEPLOYMENT = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    spec:
      containers: [{ name: web, image: "${image}" }]
`;

const POLICY = `package gitseal.images
import rego.v1
deny contains msg if {
  some m in input.manifests
  some c in m.object.spec.template.spec.containers
  endswith(c.image, ":latest")
  msg := sprintf("%s uses a latest image", [m.path])
}
`;

function configDir(remote: string, requiredApprovals: number): GitsealFileConfig {
  const dir = mkdtempSync(join(tmpdir(), 'gitseal-gate-svc-'));
  for (const k of ['ed25519', 'approver']) copyFileSync(join(KEYS_DIR, `${k}.pub.asc`), join(dir, `${k}.asc`));
  writeFileSync(join(dir, 'trust.yaml'), 'keys:\n  - file: ed25519.asc\n    roles: [committer]\n  - file: approver.asc\n    roles: [approver]\n');
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'images.rego'), POLICY);
  return {
    ...EMPTY_FILE_CONFIG,
    trustFile: join(dir, 'trust.yaml'),
    policiesDir: join(dir, 'policies'),
    repositories: [
      { id: 'shop', url: remote, branch: 'main', manifestPath: 'deploy', mode: 'strict', pollIntervalSeconds: 3600, requiredApprovals },
    ],
  };
}

describe.each(TEST_DATABASE_KINDS)('the gate in the service on %s', (kind) => {
  let gpg: GpgHome;
  let repo: GitRepoBuilder;
  let t: TestApp;
  let admin: string;
  let auditor: string;
  const shas: Record<string, string> = {};

  beforeAll(async () => {
    gpg = await GpgHome.create(['ed25519', 'approver']);
    repo = await GitRepoBuilder.init({ gpg });
    shas.good = await repo.commit({ message: 'web 1.0', files: { 'deploy/web.yaml': DEPLOYMENT('registry.example.com/web:1.0') }, sign: 'ed25519' });
    t = await createTestApp(kind, { fileConfig: configDir(repo.dir, 0) });
    admin = await t.token('admin');
    auditor = await t.token('auditor');
  });
  afterAll(async () => {
    await t?.close();
    await repo?.cleanup();
    await gpg?.cleanup();
  });

  const api = () => request(t.app.getHttpServer());
  const fetch = async () => (await api().post('/api/repositories/shop/fetch').set('Authorization', `Bearer ${admin}`)).body;
  const commit = async (sha: string, query = '') => (await api().get(`/api/commits/${sha}${query}`).set('Authorization', `Bearer ${auditor}`)).body;

  it('decides a fetched signed commit, records it in the ledger, and tells the reconciler', async () => {
    const allowed: string[] = [];
    t.app.get(GateReaderService).onAllowed((e) => allowed.push(e.sha));
    const result = await fetch();
    expect(result.gate).toMatchObject({ decided: 1, allowed: 1, blocked: 0, anchor: shas.good });
    const d = await commit(shas.good);
    expect(d).toMatchObject({ decision: 'allow', reasons: [], repository: 'shop' });
    expect(allowed).toEqual([shas.good]);
    const reader = t.app.get(GateReaderService);
    expect(await reader.newestAllowed('shop')).toMatchObject({ sha: shas.good, allowed: true, gateSeq: d.gateSeq });

    const entries = (await t.app.get(LedgerService).entries(0, 1000)).entries.filter((e) => e.commit === shas.good);
    expect(entries.map((e) => e.type)).toEqual(['commit.verified', 'policy.decided', 'gate.decided']);
    const [verified, policy, gate] = entries;
    expect(verified.entry.body).toMatchObject({ repository: 'shop', signature: { status: 'good', format: 'openpgp' } });
    expect(policy.entry.body.follows).toEqual([verified.seq]);
    expect(gate.entry.body.follows).toEqual([verified.seq, policy.seq]);
    expect(gate.seq).toBe(d.gateSeq);
  });

  it('keeps the input document so the decision can be replayed', async () => {
    const d = await commit(shas.good, '?input=true');
    expect(d.input.version).toBe(1);
    expect(d.input.manifests[0]).toMatchObject({ path: 'deploy/web.yaml', index: 0 });
    expect(createHash('sha256').update(canonicalize(d.input)).digest('hex')).toBe(d.inputHash);
  });

  it('blocks an unsigned commit and a policy violation, each with its reasons, and keeps the anchor', async () => {
    shas.unsigned = await repo.commit({ message: 'unsigned', files: { 'deploy/web.yaml': DEPLOYMENT('registry.example.com/web:1.1') } });
    shas.latest = await repo.commit({ message: 'latest', files: { 'deploy/web.yaml': DEPLOYMENT('registry.example.com/web:latest') }, sign: 'ed25519' });
    const result = await fetch();
    expect(result.gate).toMatchObject({ decided: 2, allowed: 0, blocked: 2, anchor: shas.good });
    expect((await commit(shas.unsigned)).reasons.map((r: { code: string }) => r.code)).toEqual(['unsigned']);
    const latest = await commit(shas.latest);
    expect(latest.reasons.map((r: { code: string }) => r.code).sort()).toEqual(['ancestor-blocked', 'policy-denied']);
    expect(latest.reasons.find((r: { code: string }) => r.code === 'policy-denied').message).toContain('deploy/web.yaml uses a latest image');
    expect(await t.app.get(GateReaderService).decision('shop', shas.latest)).toMatchObject({ allowed: false });
  });

  it('records nothing again when nothing changed', async () => {
    const before = await t.app.get(LedgerService).size();
    const result = await fetch();
    expect(result.gate.recorded).toBe(0);
    expect(await t.app.get(LedgerService).size()).toBe(before);
  });

  it('lists decisions newest first, filtered', async () => {
    const res = await api().get('/api/commits?repository=shop&decision=block').set('Authorization', `Bearer ${auditor}`);
    expect(res.status).toBe(200);
    expect(res.body.commits.map((c: { sha: string }) => c.sha)).toEqual([shas.latest, shas.unsigned]);
    expect((await api().get('/api/commits/zz').set('Authorization', `Bearer ${auditor}`)).status).toBe(400);
    expect((await api().get(`/api/commits/${'0'.repeat(40)}`).set('Authorization', `Bearer ${auditor}`)).status).toBe(404);
  });

  it('takes a seal posted through the API: the history before it is vouched for', async () => {
    shas.fixed = await repo.commit({ message: 'fix', files: { 'deploy/web.yaml': DEPLOYMENT('registry.example.com/web:1.2') }, sign: 'ed25519' });
    expect((await fetch()).gate).toMatchObject({ anchor: shas.good });
    expect((await commit(shas.fixed)).reasons.map((r: { code: string }) => r.code)).toEqual(['ancestor-blocked']);
    const tree = await repo.git(['rev-parse', `${shas.fixed}^{tree}`]);
    const statement = formatStatement({ repository: 'shop', commit: shas.fixed, tree, seal: true });
    const approver = await t.token('approver');
    const res = await api()
      .post('/api/approvals')
      .set('Authorization', `Bearer ${approver}`)
      .send({ repository: 'shop', commit: shas.fixed, approval: await gpg.clearSign(statement, 'approver') });
    expect(res.status).toBe(201);
    expect(res.body.decision).toMatchObject({ sha: shas.fixed, decision: 'allow', trigger: 'approval' });
    expect(res.body.decision.evidence.seal).toMatchObject({ commit: shas.fixed });
    expect((await t.app.get(GateReaderService).newestAllowed('shop'))?.sha).toBe(shas.fixed);
  });

  it('refuses an approval for another commit, and records the attempt', async () => {
    const tree = await repo.git(['rev-parse', `${shas.good}^{tree}`]);
    const statement = formatStatement({ repository: 'shop', commit: shas.good, tree, seal: false });
    const approver = await t.token('approver');
    const before = await t.app.get(LedgerService).size();
    const res = await api()
      .post('/api/approvals')
      .set('Authorization', `Bearer ${approver}`)
      .send({ repository: 'shop', commit: shas.latest, approval: await gpg.clearSign(statement, 'approver') });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/approval rejected: .*is for commit/);
    const [last] = (await t.app.get(LedgerService).entries(before, 10)).entries;
    expect(last.entry.body).toMatchObject({ status: 'rejected', postedBy: 'test approver' });
  });

  it('answers bad approval requests clearly', async () => {
    const approver = await t.token('approver');
    const post = (body: object) => api().post('/api/approvals').set('Authorization', `Bearer ${approver}`).send(body);
    expect((await post({ repository: 'nope', commit: shas.good, approval: 'x' })).status).toBe(404);
    expect((await post({ repository: 'shop', commit: 'abc', approval: 'x' })).body.error.message).toMatch(/full lower-case commit sha/);
    expect((await post({ repository: 'shop', commit: '1'.repeat(40), approval: 'x' })).status).toBe(404);
    expect((await post({ repository: 'shop', commit: shas.good, approval: 'not signed' })).status).toBe(400);
  });
});
