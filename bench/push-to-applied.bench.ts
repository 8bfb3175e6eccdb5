import { createHmac } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import request from 'supertest';
import { startSandboxApiServer } from '../src/sandbox';
import { APPLY_CONCURRENCY } from '../src/reconciler/steps/apply.step';
import { eachLimit } from '../src/reconciler/steps/sync-context';
import { KEYS_DIR } from '../test/fixtures/fixture-keys';
import { GitRepoBuilder } from '../test/fixtures/git-repo';
import { GpgHome } from '../test/fixtures/gpg-home';
import { createTestApp } from '../test/support/test-app';
import { TEST_DATABASE_KINDS, type TestDatabaseKind } from '../test/support/test-database';
import type { Bench } from './run';

/**
 * Push → applied through the whole service: a signed commit changing 100 objects is pushed, the
 * generic push webhook arrives, and the clock stops when the cluster (the sandbox API server) holds
 * all 100 objects at their new values — fetch, gate (signature, trust, Rego), sync and ledger in
 * between. Against: raw server-side applies of the same 100 objects through client-node, in the
 * same run, one at a time and with the reconciler's parallelism. Goal: push → applied under 2 s.
 * BENCH_PUSH_STAGES=1 also prints when each stage's ledger entry was recorded, per push.
 */
const OBJECTS = 100;
const ROUNDS = Number(process.env.BENCH_PUSH_ROUNDS ?? 5);
const SECRET = 'bench-push-webhook-secret-0123456789abcdef';

const POLICY = `package gitseal.bench
import rego.v1
deny contains msg if {
  some m in input.manifests
  not m.object.metadata.labels.app
  msg := sprintf("%s: %s has no app label", [m.path, m.object.metadata.name])
}
`;

function configMaps(round: number, namespace?: string): KubernetesObject[] {
  return Array.from({ length: OBJECTS }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, ...(namespace ? { namespace } : {}), labels: { app: `app-${i}` } },
    data: { round: String(round), 'app.properties': `feature.${i}=on\nlimit=${i * 7}\n` },
  }));
}

function files(objs: KubernetesObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < objs.length; i += 10) out[`deploy/app-${i / 10}.yaml`] = objs.slice(i, i + 10).map((o) => JSON.stringify(o)).join('\n---\n');
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function runOn(kind: TestDatabaseKind): Promise<void> {
  const gpg = await GpgHome.create(['ed25519']);
  const repo = await GitRepoBuilder.init({ gpg });
  const sandbox = await startSandboxApiServer({ controllerDelayMs: 10 });
  const dir = mkdtempSync(join(tmpdir(), 'gitseal-bench-push-'));
  process.env.BENCH_PUSH_WEBHOOK_SECRET = SECRET;
  try {
    await repo.commit({ message: 'round 0', files: { ...files(configMaps(0)), 'deploy/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: { name: bench, labels: { app: bench } }\n' }, sign: 'ed25519' });
    copyFileSync(join(KEYS_DIR, 'ed25519.pub.asc'), join(dir, 'alice.asc'));
    writeFileSync(join(dir, 'trust.yaml'), 'keys:\n  - file: alice.asc\n    roles: [committer]\n');
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'policies', 'bench.rego'), POLICY);
    writeFileSync(join(dir, 'kubeconfig'), sandbox.kubeConfigYaml(), { mode: 0o600 });
    writeFileSync(
      join(dir, 'gitseal.yaml'),
      [
        'trust: trust.yaml',
        'policies: policies',
        'repositories:',
        `  - { id: bench, url: ${JSON.stringify(repo.dir)}, manifestPath: deploy, pollIntervalSeconds: 3600, webhook: { secretEnv: BENCH_PUSH_WEBHOOK_SECRET } }`,
        'targets:',
        '  - { id: bench, repository: bench, namespace: bench, cluster: { kubeconfig: kubeconfig, context: sandbox }, clusterResources: [Namespace], reconcileIntervalSeconds: 3600 }',
        '',
      ].join('\n'),
    );
    const t = await createTestApp(kind, { env: { GITSEAL_CONFIG_FILE: join(dir, 'gitseal.yaml'), LOG_LEVEL: 'error' } });
    try {
      const push = async () => {
        const body = JSON.stringify({ ref: 'refs/heads/main' });
        const ts = String(Math.floor(Date.now() / 1000));
        await request(t.app.getHttpServer())
          .post('/api/webhooks/bench')
          .set('Content-Type', 'application/json')
          .set('X-Gitseal-Timestamp', ts)
          .set('X-Gitseal-Signature', `sha256=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`)
          .send(body)
          .expect(202);
      };
      const appliedRound = (round: number) =>
        Array.from({ length: OBJECTS }, (_, i) => sandbox.getObject('v1', 'ConfigMap', 'bench', `cm-${i}`)).every((o) => (o?.data as Record<string, string> | undefined)?.round === String(round));
      const waitFor = async (round: number) => {
        const deadline = Date.now() + 60_000;
        while (!appliedRound(round)) {
          if (Date.now() > deadline) throw new Error(`round ${round} was not applied within 60 s`);
          await new Promise((r) => setImmediate(r));
        }
      };
      await push();
      await waitFor(0); // warm-up: first fetch, first sync
      const latencies: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        await repo.commit({ message: `round ${round}`, files: files(configMaps(round)), sign: 'ed25519' });
        const start = process.hrtime.bigint();
        const pushedAt = new Date().toISOString();
        await push();
        await waitFor(round);
        const appliedAt = new Date().toISOString();
        latencies.push(Number(process.hrtime.bigint() - start) / 1e9);
        if (process.env.BENCH_PUSH_STAGES) {
          const { LedgerService } = await import('../src/ledger/ledger.service');
          const ledger = t.app.get(LedgerService);
          const size = await ledger.size();
          const recent = (await ledger.entries(Math.max(0, size - 140), 140)).entries;
          const sha = await repo.head();
          const at = (type: string) => recent.find((e) => e.type === type && e.commit === sha)?.recordedAt;
          const firstApplied = recent.find((e) => e.type === 'resource.applied' && e.commit === sha)?.recordedAt;
          process.stdout.write(`  round ${round}: pushed ${pushedAt} all applied ${appliedAt} commit.verified ${at('commit.verified')} gate.decided ${at('gate.decided')} sync.started ${at('sync.started')} first applied ${firstApplied} sync.finished ${at('sync.finished')}\n`);
        }
      }

      const api = KubernetesObjectApi.makeApiClient(sandbox.kubeConfig());
      await api.patch({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'raw' } }, undefined, undefined, 'bench-raw', true, PatchStrategy.ServerSideApply);
      const raw = async (round: number, concurrency: number) => {
        const start = process.hrtime.bigint();
        await eachLimit(configMaps(round, 'raw'), concurrency, (o) => api.patch(o, undefined, undefined, 'bench-raw', true, PatchStrategy.ServerSideApply).then(() => undefined));
        return Number(process.hrtime.bigint() - start) / 1e9;
      };
      await raw(0, APPLY_CONCURRENCY);
      const rawSeq = median([await raw(1, 1), await raw(2, 1), await raw(3, 1)]);
      const rawPar = median([await raw(4, APPLY_CONCURRENCY), await raw(5, APPLY_CONCURRENCY), await raw(6, APPLY_CONCURRENCY)]);
      const push50 = median(latencies);
      process.stdout.write(
        `${kind.padEnd(8)} push → ${OBJECTS} objects applied: median ${(push50 * 1000).toFixed(0)} ms over ${ROUNDS} pushes (max ${(Math.max(...latencies) * 1000).toFixed(0)} ms; goal < 2000 ms)` +
          `   raw applies of the same objects: ${(rawSeq * 1000).toFixed(0)} ms one at a time, ${(rawPar * 1000).toFixed(0)} ms ${APPLY_CONCURRENCY} in flight` +
          `   ratio ${(push50 / rawPar).toFixed(1)}x of parallel raw applies\n`,
      );
    } finally {
      await t.close();
    }
  } finally {
    delete process.env.BENCH_PUSH_WEBHOOK_SECRET;
    await sandbox.close();
    await repo.cleanup();
    await gpg.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const bench: Bench = {
  name: `push → applied: ${OBJECTS} objects through webhook, fetch, gate and sync`,
  async run() {
    for (const kind of TEST_DATABASE_KINDS) await runOn(kind);
  },
};
