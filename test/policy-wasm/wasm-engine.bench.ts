import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { Bench } from '../../bench/run';
import { loadWasmPolicyEngine } from '../../src/policy/wasm';
import { abiPolicyWasm } from './support/abi-policy.wat';
import { buildTarGz } from './support/tar-builder';

/**
 * What the worker thread costs per decision: the ABI test module evaluated over a policy input
 * with 50 manifests, through gitseal's wasm engine (JSON encoding, transfer to the worker, result
 * back, collectDecision) against the same module called in-process with @open-policy-agent/opa-wasm
 * (the baseline, no isolation), in the same run. Also the time from bundle bytes to a ready worker.
 * Wired into `npm run bench` by bench/policy-wasm.bench.ts.
 */
const SECONDS = Number(process.env.GITSEAL_BENCH_SECONDS ?? 1);

function policyInput() {
  const manifests = Array.from({ length: 50 }, (_, i) => ({
    path: `deploy/app-${i}.yaml`,
    index: 0,
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `app-${i}`, labels: { team: 'platform', app: `app-${i}` } },
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [
              {
                name: 'main',
                image: `registry.example.com/app-${i}:1.${i}.0`,
                resources: { limits: { cpu: '500m', memory: '256Mi' } },
                securityContext: { privileged: false },
              },
            ],
          },
        },
      },
    },
  }));
  return { version: 1, commit: { sha: 'a'.repeat(40), message: 'deploy: bump images' }, manifests, previous: { manifests } };
}

async function rate(work: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 50; i++) await work();
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(SECONDS * 1e9);
  while (process.hrtime.bigint() < end) {
    await work();
    count++;
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function run(): Promise<void> {
  const wasm = await abiPolicyWasm();
  const bundle = buildTarGz([
    { name: '/policy.wasm', data: wasm },
    { name: '/data.json', data: JSON.stringify({ gitseal: { registries: ['registry.example.com'] } }) },
  ]);
  const input = policyInput();
  process.stdout.write(`input document: ${JSON.stringify(input).length} bytes of JSON\n`);

  const loadStart = process.hrtime.bigint();
  const loaded = await loadWasmPolicyEngine(bundle);
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  if (!loaded.ok) throw new Error(loaded.error.message);
  const engine = loaded.value;

  const direct = await loadPolicy(wasm);
  direct.setData({ gitseal: { registries: ['registry.example.com'] } });
  const baseline = await rate(() => direct.evaluate(input, 'gitseal'));
  const isolated = await rate(async () => {
    const outcome = await engine.decide(input);
    if (!outcome.ok) throw new Error(outcome.error.message);
  });
  await engine.close();

  const overheadUs = (1 / isolated - 1 / baseline) * 1e6;
  process.stdout.write(`in-process opa-wasm (baseline): ${baseline.toFixed(0)} decisions/s\n`);
  process.stdout.write(
    `gitseal wasm engine (worker):   ${isolated.toFixed(0)} decisions/s, ${(isolated / baseline).toFixed(2)}× baseline, ` +
      `+${overheadUs.toFixed(0)} µs per decision for isolation\n`,
  );
  process.stdout.write(`bundle bytes → ready worker:    ${loadMs.toFixed(0)} ms\n`);
}

export const bench: Bench = { name: 'policy-wasm: worker isolation overhead', run };
