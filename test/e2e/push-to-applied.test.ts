import { createHmac } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerService } from '../../src/ledger/ledger.service';
import { startSandboxApiServer, type SandboxApiServer } from '../../src/sandbox';
import { KEYS_DIR } from '../fixtures/fixture-keys';
import { GitRepoBuilder } from '../fixtures/git-repo';
import { GpgHome } from '../fixtures/gpg-home';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_DATABASE_KINDS } from '../support/test-database';

/**
 * The whole path with nothing stood in for: a signed push to a Git repository, the push webhook,
 * the mirror fetch, the gate (signature, trust, Rego), the reconciler applying to the cluster (the
 * sandbox API server), and the ledger linking every step.
 */
const SECRET = 'push-to-applied-webhook-secret-0123456789';

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: shop }
data: { value: "${value}" }
`;
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n';
const POLICY = `package gitseal.config
import rego.v1
deny contains msg if {
  some m in input.manifests
  m.object.kind == "ConfigMap"
  m.object.data.value == "forbidden"
  msg := sprintf("%s: the value forbidden is not allowed", [m.path])
}
`;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(TEST_DATABASE_KINDS)('push to applied on %s', (kind) => {
  let gpg: GpgHome;
  let repo: GitRepoBuilder;
  let sandbox: SandboxApiServer;
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    gpg = await GpgHome.create(['ed25519']);
    repo = await GitRepoBuilder.init({ gpg });
    await repo.commit({ message: 'start', files: { 'deploy/ns.yaml': NAMESPACE, 'deploy/a.yaml': configMap('a', '1') }, sign: 'ed25519' });
    sandbox = await startSandboxApiServer();
    dir = mkdtempSync(join(tmpdir(), 'gitseal-push-'));
    copyFileSync(join(KEYS_DIR, 'ed25519.pub.asc'), join(dir, 'alice.asc'));
    writeFileSync(join(dir, 'trust.yaml'), 'keys:\n  - file: alice.asc\n    roles: [committer]\n');
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'policies', 'config.rego'), POLICY);
    writeFileSync(join(dir, 'kubeconfig'), sandbox.kubeConfigYaml(), { mode: 0o600 });
    process.env.PUSH_TEST_WEBHOOK_SECRET = SECRET;
    writeFileSync(
      join(dir, 'gitseal.yaml'),
      [
        'trust: trust.yaml',
        'policies: policies',
        'repositories:',
        `  - { id: shop, url: ${JSON.stringify(repo.dir)}, manifestPath: deploy, pollIntervalSeconds: 3600, webhook: { secretEnv: PUSH_TEST_WEBHOOK_SECRET } }`,
        'targets:',
        '  - { id: shop-prod, repository: shop, namespace: shop, cluster: { kubeconfig: kubeconfig, context: sandbox }, clusterResources: [Namespace], prune: true, reconcileIntervalSeconds: 3600 }',
        '',
      ].join('\n'),
    );
    t = await createTestApp(kind, { env: { GITSEAL_CONFIG_FILE: join(dir, 'gitseal.yaml') } });
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
    await repo?.cleanup();
    await gpg?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.PUSH_TEST_WEBHOOK_SECRET;
  });

  const push = async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex');
    const res = await request(t.app.getHttpServer())
      .post('/api/webhooks/shop')
      .set('Content-Type', 'application/json')
      .set('X-Gitseal-Timestamp', timestamp)
      .set('X-Gitseal-Signature', `sha256=${signature}`)
      .send(body);
    expect(res.status).toBe(202);
  };
  const live = (name: string) => sandbox.getObject('v1', 'ConfigMap', 'shop', name);
  const entries = async () => (await t.app.get(LedgerService).entries(0, 1000)).entries;

  it('applies a signed, compliant push, and the ledger links the sync to the gate decision', async () => {
    await push();
    const applied = await until('ConfigMap a', () => live('a'));
    expect(applied.data).toEqual({ value: '1' });
    expect((applied.metadata as { labels?: Record<string, string> } | undefined)?.labels?.['app.kubernetes.io/managed-by']).toBe('gitseal');
    const head = await repo.head();
    const log = await until('sync.finished', async () => {
      const all = await entries();
      return all.some((e) => e.type === 'sync.finished') ? all : undefined;
    });
    const gate = log.find((e) => e.type === 'gate.decided' && e.commit === head);
    const started = log.find((e) => e.type === 'sync.started' && e.commit === head);
    const finished = log.find((e) => e.type === 'sync.finished' && e.commit === head);
    expect(gate?.entry.body).toMatchObject({ decision: 'allow', repository: 'shop' });
    expect(started?.entry.body.follows).toContain(gate?.seq);
    expect(finished?.entry.body).toMatchObject({ outcome: 'succeeded' });
    const appliedEntries = log.filter((e) => e.type === 'resource.applied' && e.commit === head);
    expect(appliedEntries.map((e) => `${e.entry.body.kind}/${e.entry.body.name}`).sort()).toEqual(['ConfigMap/a', 'Namespace/shop']);
  });

  it('leaves the cluster untouched when the gate blocks a push (unsigned, then denied by policy)', async () => {
    await repo.commit({ message: 'unsigned change', files: { 'deploy/a.yaml': configMap('a', '2') } });
    await push();
    const unsigned = await repo.head();
    await until('gate decision on the unsigned commit', async () => ((await entries()).some((e) => e.type === 'gate.decided' && e.commit === unsigned) ? true : undefined));
    await repo.commit({ message: 'forbidden value', files: { 'deploy/a.yaml': configMap('a', 'forbidden') }, sign: 'ed25519' });
    await push();
    const denied = await repo.head();
    const decision = await until('gate decision on the denied commit', async () => (await entries()).find((e) => e.type === 'gate.decided' && e.commit === denied));
    expect(decision.entry.body.decision).toBe('block');
    expect((decision.entry.body.reasons as Array<{ code: string }>).map((r) => r.code).sort()).toEqual(['ancestor-blocked', 'policy-denied']);
    await new Promise((r) => setTimeout(r, 500));
    expect(live('a')?.data).toEqual({ value: '1' });
    expect((await entries()).some((e) => e.type === 'sync.started' && (e.commit === unsigned || e.commit === denied))).toBe(false);
  });

  it('applies the next allowed push once the blocked commits are gone, and prunes a removed file', async () => {
    // Rewrite the branch back onto the last allowed commit (a descendant of it, so not a rewritten history for the gate).
    await repo.resetHard('HEAD~2');
    await repo.commit({ message: 'b in, a out', files: { 'deploy/a.yaml': null, 'deploy/b.yaml': configMap('b', '3') }, sign: 'ed25519' });
    await push();
    await until('ConfigMap b', () => live('b'));
    await until('ConfigMap a pruned', () => (live('a') ? undefined : true));
    // the cluster changes first, the ledger records it as the sync goes: by sync.finished it has every step
    const head = await repo.head();
    const log = await until('sync.finished', async () => {
      const all = await entries();
      return all.some((e) => e.type === 'sync.finished' && e.commit === head) ? all : undefined;
    });
    expect(log.some((e) => e.type === 'resource.pruned' && e.commit === head && e.entry.body.name === 'a')).toBe(true);
  });
});
