import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/auth/roles';
import type { GitsealFileConfig } from '../../src/config/gitseal-file';
import { TEST_DATABASE_KINDS } from '../support/test-database';
import { configMap, DEFAULT_SETTINGS, Harness, ofType, yaml } from './support/harness';
import { TestGateReader } from './support/test-gate';
import { createReconcilerApp } from './support/reconciler-app';

async function until<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(TEST_DATABASE_KINDS)('targets operations API on %s', (kind) => {
  let h: Harness;
  let app: INestApplication;
  let token: (...roles: Role[]) => Promise<string>;
  let first: string;
  let firstGateSeq: number;
  let gate: TestGateReader;
  const api = () => request(app.getHttpServer());
  const as = async (role: Role) => ({ Authorization: `Bearer ${await token(role)}` });

  beforeAll(async () => {
    h = await Harness.create(kind);
    // The gate writes through another ledger writer, as another replica's gate would: the
    // reconciler's entries must still follow its decisions correctly.
    gate = new TestGateReader('shop-config', h.repo.dir, h.ledger);
    first = await h.commit({ 'deploy/a.yaml': yaml(configMap('api-a', { v: '1' })), 'deploy/secret.yaml': yaml({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 'hunter2' } }) });
    firstGateSeq = (await gate.allow(first)).gateSeq;
    const kubeconfig = join(h.tmp, 'kubeconfig');
    writeFileSync(kubeconfig, h.sandbox.kubeConfigYaml(), { mode: 0o600 });
    const fileConfig: GitsealFileConfig = {
      repositories: [{ id: 'shop-config', url: h.repo.dir, branch: 'main', manifestPath: 'deploy', mode: 'strict', pollIntervalSeconds: 60, requiredApprovals: 0 }],
      targets: [
        {
          definition: { id: 'shop', repositoryId: 'shop-config', branch: 'main', manifestPath: 'deploy', namespace: 'default', cluster: { kubeconfig, context: 'sandbox' }, clusterResources: ['Namespace'], reconcileIntervalSeconds: 3600 },
          settings: { ...DEFAULT_SETTINGS, prune: false },
        },
        {
          definition: { id: 'broken', repositoryId: 'shop-config', branch: 'main', manifestPath: 'deploy', namespace: 'default', cluster: { kubeconfig: join(h.tmp, 'missing') }, clusterResources: [], reconcileIntervalSeconds: 3600 },
          settings: DEFAULT_SETTINGS,
        },
      ],
    };
    ({ app, token } = await createReconcilerApp(h.db, gate, fileConfig, h.tmp));
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('syncs the newest allowed commit at start and shows the status', async () => {
    const view = await until(async () => {
      const res = await api().get('/api/targets/shop').set(await as('auditor'));
      return res.body.status?.syncedCommit === first ? res.body : undefined;
    }, 'the first sync');
    expect(view).toMatchObject({ id: 'shop', repository: 'shop-config', branch: 'main', manifestPath: 'deploy', cluster: { kind: 'kubeconfig', context: 'sandbox' }, settings: { automated: true, prune: false }, status: { health: 'Healthy', syncing: false, lastError: null, lastSync: { outcome: 'succeeded', trigger: 'automated' } } });
    expect(JSON.stringify(view)).not.toContain(h.tmp);
    const list = await api().get('/api/targets').set(await as('security'));
    expect(list.status).toBe(200);
    expect(list.body.map((t: { id: string }) => t.id).sort()).toEqual(['broken', 'shop']);
    const broken = list.body.find((t: { id: string }) => t.id === 'broken');
    expect(broken.status.lastError).toMatchObject({ class: 'stalled', code: 'kube-config', message: expect.stringMatching(/does not exist/) });
    // The Secret's value never reaches the ledger.
    const entries = await h.entries();
    const secret = ofType(entries, 'resource.applied').find((e) => e.body.kind === 'Secret');
    expect(JSON.stringify(secret?.body)).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(JSON.stringify(secret?.body)).toContain('[redacted]');
    // Registering the targets from the file was recorded.
    expect(ofType(entries, 'target.changed').map((e) => [e.body.target, e.body.actor, e.body.registered])).toEqual(expect.arrayContaining([['shop', 'configuration file', true]]));
  });

  it('answers an unknown target with 404 and refuses roles that may not act', async () => {
    expect((await api().get('/api/targets/nope').set(await as('admin'))).body.error.code).toBe('target-not-found');
    expect((await api().patch('/api/targets/shop').set(await as('auditor')).send({ prune: true })).status).toBe(403);
    expect((await api().post('/api/targets/shop/sync').set(await as('security'))).status).toBe(403);
    expect((await api().get('/api/targets/shop/plan').set(await as('approver'))).status).toBe(403);
    expect((await api().get('/api/targets')).status).toBe(401);
  });

  it('changes settings (admin), records who did, and refuses bad settings naming the field', async () => {
    const bad = await api().patch('/api/targets/shop').set(await as('admin')).send({ windows: [{ kind: 'deny', schedule: '61 * * * *', duration: '1h' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid-settings', message: expect.stringMatching(/^windows\[0\]\.schedule is not a cron schedule: minute: 61/) });
    expect((await api().patch('/api/targets/shop').set(await as('admin')).send({ replicas: 3 })).body.error.message).toMatch(/replicas/);
    expect((await api().patch('/api/targets/shop').set(await as('admin')).send({})).status).toBe(400);
    const mark = await h.size();
    const ok = await api().patch('/api/targets/shop').set(await as('admin')).send({ automated: false, ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data/tuned'] }] });
    expect(ok.status).toBe(200);
    expect(ok.body.settings).toMatchObject({ automated: false, ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data/tuned'], managedFieldsManagers: [] }] });
    expect(ok.body.settingsUpdatedBy).toBe('admin operator');
    const [changed] = ofType(await h.entries(mark), 'target.changed');
    expect(changed.body).toMatchObject({ target: 'shop', actor: 'admin operator', source: 'api', changes: { automated: { from: true, to: false } } });
  });

  it('plans the newest allowed commit with a server-side dry run, changing nothing', async () => {
    const second = await h.commit({ 'deploy/a.yaml': yaml(configMap('api-a', { v: '2' }), configMap('api-b', {})) });
    await gate.allow(second);
    h.sandbox.requests.clear();
    const res = await api().get('/api/targets/shop/plan').set(await as('auditor'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ target: 'shop', commit: second, syncedCommit: first, unchanged: 1, prune: [] });
    const byName = Object.fromEntries(res.body.apply.map((p: { name: string }) => [p.name, p]));
    // What the API server says it would store: the value, and the annotation naming the commit.
    expect(byName['api-a']).toMatchObject({ operation: 'update', dryRun: { ok: true } });
    expect(byName['api-a'].changes).toEqual([
      { path: '/metadata/annotations/gitseal.dev~1commit', before: first, after: second },
      { path: '/data/v', before: '1', after: '2' },
    ]);
    expect(byName['api-b']).toMatchObject({ operation: 'create', dryRun: { ok: true } });
    const writes = h.sandbox.requests.filter((r) => r.method !== 'GET');
    expect(writes.length).toBe(2);
    expect(writes.every((r) => r.dryRun)).toBe(true);
    expect(h.live('ConfigMap', 'api-a', 'default')?.data).toEqual({ v: '1' });
  });

  it('syncs the newest allowed commit on request, recording who asked', async () => {
    const mark = await h.size();
    const res = await api().post('/api/targets/shop/sync?wait=true').set(await as('admin'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'succeeded', trigger: 'manual', counts: { applied: 2 } });
    expect(h.live('ConfigMap', 'api-a', 'default')?.data).toEqual({ v: '2' });
    const entries = await h.entries(mark);
    const [requested] = ofType(entries, 'sync.requested');
    expect(requested.body).toMatchObject({ target: 'shop', actor: 'admin operator' });
    const [started] = ofType(entries, 'sync.started');
    expect(started.body).toMatchObject({ trigger: 'manual', actor: 'admin operator' });
    expect(started.body.follows).toContain(requested.seq);
    const queued = await api().post('/api/targets/shop/sync').set(await as('admin'));
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ accepted: true, commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  it('rolls back to an earlier allowed commit (admin, reason required), turning automated sync off; refuses blocked and unrelated commits', async () => {
    const blocked = await h.commit({ 'deploy/a.yaml': yaml(configMap('api-a', { v: 'evil' })) });
    await gate.block(blocked);
    expect((await api().post('/api/targets/shop/rollback').set(await as('admin')).send({ commit: first })).status).toBe(400);
    const refused = await api().post('/api/targets/shop/rollback').set(await as('admin')).send({ commit: blocked, reason: 'try it' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('commit-not-allowed');
    // An allowed commit that is not on the branch and was never synced.
    await h.repo.git(['checkout', '-q', '-b', 'side', first]);
    const side = await h.commit({ 'deploy/a.yaml': yaml(configMap('api-a', { v: 'side' })) });
    await h.repo.git(['checkout', '-q', 'main']);
    await gate.allow(side);
    expect((await api().post('/api/targets/shop/rollback').set(await as('admin')).send({ commit: side, reason: 'x' })).body.error.code).toBe('not-rollback-candidate');

    await api().patch('/api/targets/shop').set(await as('admin')).send({ automated: true });
    const mark = await h.size();
    const res = await api().post('/api/targets/shop/rollback?wait=true').set(await as('admin')).send({ commit: first, reason: 'v2 breaks checkout' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'succeeded', trigger: 'rollback', commit: first });
    expect(h.live('ConfigMap', 'api-a', 'default')?.data).toEqual({ v: '1' });
    const entries = await h.entries(mark);
    const [rb] = ofType(entries, 'rollback.requested');
    expect(rb.body).toMatchObject({ target: 'shop', actor: 'admin operator', reason: 'v2 breaks checkout', commit: first, automatedTurnedOff: true, follows: [firstGateSeq] });
    expect(ofType(entries, 'target.changed')[0].body).toMatchObject({ changes: { automated: { from: true, to: false } }, follows: [rb.seq] });
    const view = await api().get('/api/targets/shop').set(await as('admin'));
    expect(view.body.settings.automated).toBe(false);
    expect(view.body.status.syncedCommit).toBe(first);
  });
});
