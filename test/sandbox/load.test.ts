import { createServer } from 'node:http';
import { KubernetesObjectApi, KubeConfig, PatchStrategy } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { deployment, objectApi, raw, startSandbox } from './helpers';

/**
 * Volume run: N server-side applies of Deployments through client-node, then a no-op re-apply of
 * each, a full list and a watch replay; throughput is printed next to a bare node:http server
 * answering the same client calls, in the same run. Runs only with SANDBOX_LOAD=1 (N from
 * SANDBOX_LOAD_N, default 1000); it asserts correctness, never timing.
 */
const N = Number(process.env.SANDBOX_LOAD_N ?? 1000);

async function bareBaseline(count: number): Promise<number> {
  const body = JSON.stringify(deployment('x', 'load'));
  const discovery = JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: [{ name: 'deployments', namespaced: true, kind: 'Deployment', verbs: [] }] });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(req.url === '/apis/apps/v1' ? discovery : body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  const client = KubernetesObjectApi.makeApiClient(kc);
  const started = performance.now();
  for (let i = 0; i < count; i++) await client.patch(deployment(`d${i}`, 'load'), undefined, undefined, 'gitseal', true, PatchStrategy.ServerSideApply);
  const ms = performance.now() - started;
  server.close();
  return ms;
}

describe.runIf(process.env.SANDBOX_LOAD === '1')('sandbox load', () => {
  it(`applies ${N} deployments, re-applies them as no-ops, lists and replays them`, async () => {
    const sandbox = await startSandbox({ controllerDelayMs: 100 });
    try {
      const client = objectApi(sandbox);
      await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'load' } });
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await client.patch(deployment(`d${i}`, 'load', { replicas: 2 }), undefined, undefined, 'gitseal', true, PatchStrategy.ServerSideApply);
      const applyMs = performance.now() - t0;
      await sandbox.controllers.idle();
      const rvBefore = (await raw(sandbox, 'GET', '/apis/apps/v1/namespaces/load/deployments?limit=1')).json.metadata as { resourceVersion: string };
      const t1 = performance.now();
      for (let i = 0; i < N; i++) await client.patch(deployment(`d${i}`, 'load', { replicas: 2 }), undefined, undefined, 'gitseal', true, PatchStrategy.ServerSideApply);
      const noopMs = performance.now() - t1;
      const rvAfter = (await raw(sandbox, 'GET', '/apis/apps/v1/namespaces/load/deployments?limit=1')).json.metadata as { resourceVersion: string };
      expect(rvAfter.resourceVersion).toBe(rvBefore.resourceVersion);
      const t2 = performance.now();
      const list = await raw(sandbox, 'GET', '/apis/apps/v1/namespaces/load/deployments');
      const listMs = performance.now() - t2;
      expect((list.json.items as unknown[]).length).toBe(N);
      const baselineMs = await bareBaseline(N);
      const line = (label: string, ms: number) => `${label.padEnd(34)} ${(ms / N).toFixed(3)} ms/op  ${(ms / baselineMs).toFixed(2)}x bare HTTP`;
      process.stdout.write(
        [
          `sandbox load, N=${N}`,
          line('server-side apply (create)', applyMs),
          line('server-side apply (no-op)', noopMs),
          `${'bare node:http, same client calls'.padEnd(34)} ${(baselineMs / N).toFixed(3)} ms/op`,
          `list of ${N} deployments: ${listMs.toFixed(1)} ms`,
        ].join('\n') + '\n',
      );
    } finally {
      await sandbox.close();
    }
  });
});
