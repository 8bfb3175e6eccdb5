import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitsealFileConfig } from '../../src/config/gitseal-file';
import { LedgerService } from '../../src/ledger/ledger.service';
import { TEST_DATABASE_KINDS } from '../support/test-database';
import { configMap, DEFAULT_SETTINGS, Harness, yaml } from './support/harness';
import { createReconcilerApp } from './support/reconciler-app';
import { TestGateReader } from './support/test-gate';

describe.each(TEST_DATABASE_KINDS.slice(0, 1))('embedded default: a sandbox target (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.create(kind);
  });
  afterAll(async () => h?.close());

  it('starts the sandbox API server in the service, syncs into it, and keeps its objects in the data folder', async () => {
    let appLedger: LedgerService | undefined;
    const gate = new TestGateReader('shop-config', h.repo.dir, { append: (d) => (appLedger ?? h.ledger).append(d) });
    const sha = await h.commit({ 'demo/a.yaml': yaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }, configMap('welcome', { message: 'hello from git' })) });
    await gate.allow(sha);
    const fileConfig: GitsealFileConfig = {
      repositories: [{ id: 'shop-config', url: h.repo.dir, branch: 'main', manifestPath: 'demo', mode: 'strict', pollIntervalSeconds: 60, requiredApprovals: 0 }],
      targets: [{ definition: { id: 'demo', repositoryId: 'shop-config', branch: 'main', manifestPath: 'demo', namespace: 'demo', cluster: { sandbox: true }, clusterResources: ['Namespace'], reconcileIntervalSeconds: 3600 }, settings: DEFAULT_SETTINGS }],
    };
    const { app, token } = await createReconcilerApp(h.db, gate, fileConfig, h.tmp);
    appLedger = app.get(LedgerService);
    try {
      const auth = { Authorization: `Bearer ${await token('auditor')}` };
      const deadline = Date.now() + 10_000;
      let body: { status: { syncedCommit: string | null; health: string }; cluster: unknown } | undefined;
      while (Date.now() < deadline) {
        body = (await request(app.getHttpServer()).get('/api/targets/demo').set(auth)).body;
        if (body?.status.syncedCommit === sha) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(body).toMatchObject({ cluster: { kind: 'sandbox' }, status: { syncedCommit: sha, health: 'Healthy' } });
    } finally {
      await app.close();
    }
    const stateFile = join(h.tmp, 'sandbox-state.json');
    expect(existsSync(stateFile)).toBe(true);
    const state = readFileSync(stateFile, 'utf8');
    expect(state).toContain('hello from git');
    expect(state).toContain(sha);
    // The test's own sandbox was never touched: the target used the embedded one.
    expect(h.live('ConfigMap', 'welcome', 'demo')).toBeUndefined();
  });
});
