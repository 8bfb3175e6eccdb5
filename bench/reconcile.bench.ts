import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { eachLimit } from '../src/reconciler/steps/sync-context';
import { APPLY_CONCURRENCY } from '../src/reconciler/steps/apply.step';
import { TEST_DATABASE_KINDS, type TestDatabaseKind } from '../test/support/test-database';
import { Harness, target, yaml } from '../test/reconciler/support/harness';
import type { Bench } from './run';

/**
 * The reconciler against raw client-node calls on the same sandbox API server, in the same run:
 * - a first sync of N objects (render from Git, list live, diff, server-side apply, one ledger
 *   entry per object, inventory, health) vs raw server-side applies of the same objects through
 *   @kubernetes/client-node (KubernetesObjectApi.patch, apply-patch), one at a time and with the
 *   reconciler's parallelism;
 * - a steady-state drift check of the N objects vs a raw labelled list of them;
 * - commit allowed → objects applied for 100 objects (the reconciler's share of push → applied;
 *   the webhook, fetch and gate decision come before it).
 * Goal: the sync within 2× of raw applies. BENCH_RECONCILE_OBJECTS changes N (default 1000).
 */
const N = Number(process.env.BENCH_RECONCILE_OBJECTS ?? 1000);

function objects(n: number, namespace: string | undefined, label: Record<string, string> = {}): KubernetesObject[] {
  return Array.from({ length: n }, (_, i) =>
    i % 5 === 4
      ? ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, ...(namespace ? { namespace } : {}), labels: { app: `a${i}`, ...label } }, spec: { selector: { app: `a${i}` }, ports: [{ port: 80, targetPort: 8080 }] } } as KubernetesObject)
      : ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, ...(namespace ? { namespace } : {}), labels: { app: `a${i}`, ...label } }, data: { 'app.properties': `feature.${i}=on\nlimit=${i * 7}\n`, owner: 'team-shop' } } as KubernetesObject),
  );
}

/** Ten objects per file, as an application's folder would hold them. */
function files(objs: KubernetesObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < objs.length; i += 10) out[`bench/app-${String(i / 10).padStart(4, '0')}.yaml`] = yaml(...objs.slice(i, i + 10));
  return out;
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function rawApplies(api: KubernetesObjectApi, objs: KubernetesObject[], concurrency: number): Promise<number> {
  const start = process.hrtime.bigint();
  await eachLimit(objs, concurrency, async (o) => {
    await api.patch(o, undefined, undefined, 'bench-raw', true, PatchStrategy.ServerSideApply);
  });
  return seconds(start);
}

async function runOn(kind: TestDatabaseKind): Promise<void> {
  const h = await Harness.create(kind, { controllerDelayMs: 10 });
  try {
    const api = KubernetesObjectApi.makeApiClient(h.sandbox.kubeConfig());
    for (const ns of ['raw-seq', 'raw-par', 'bench']) await api.patch({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, undefined, undefined, 'bench', true, PatchStrategy.ServerSideApply);
    // Warm both paths (connections, discovery caches) on a few objects elsewhere.
    await rawApplies(api, objects(20, 'default', { warm: 'raw' }), 1);

    const rawSeq = await rawApplies(api, objects(N, 'raw-seq'), 1);
    const rawPar = await rawApplies(api, objects(N, 'raw-par'), APPLY_CONCURRENCY);

    const runner = await h.runner(target({ id: 'bench', manifestPath: 'bench', namespace: 'bench', reconcileIntervalSeconds: 86_400 }, { prune: false, healthTimeoutSeconds: 120 }));
    const sha = await h.commit(files(objects(N, undefined)));
    await h.gate.allow(sha);
    let start = process.hrtime.bigint();
    const result = await runner.sync({ sha, trigger: 'manual' });
    const sync = seconds(start);
    if (result.outcome !== 'succeeded' || result.counts.applied !== N) throw new Error(`bench sync did not apply everything: ${JSON.stringify(result.error ?? result.counts)}`);

    start = process.hrtime.bigint();
    await runner.checkDriftNow();
    const drift = seconds(start);
    start = process.hrtime.bigint();
    await api.list('v1', 'ConfigMap', 'bench', undefined, undefined, undefined, undefined, 'gitseal.dev/target=bench');
    await api.list('v1', 'Service', 'bench', undefined, undefined, undefined, undefined, 'gitseal.dev/target=bench');
    const rawList = seconds(start);
    start = process.hrtime.bigint();
    await runner.reconcileNow();
    const noop = seconds(start);

    // Commit allowed → applied (100 objects changed), through the gate's notification.
    const changed = objects(N, undefined).map((o, i) => (i < 100 && o.kind === 'ConfigMap' ? { ...o, data: { ...(o as { data: object }).data, owner: 'team-web' } } : o));
    const next = await h.commit(files(changed));
    h.gate.onAllowed(() => runner.kick());
    await runner.update(target({ id: 'bench', manifestPath: 'bench', namespace: 'bench', reconcileIntervalSeconds: 86_400 }, { prune: false, healthTimeoutSeconds: 120 }));
    start = process.hrtime.bigint();
    await h.gate.allow(next);
    while ((await h.store.status('bench')).syncedCommit !== next) await new Promise((r) => setTimeout(r, 5));
    const allowedToApplied = seconds(start);

    const line = (label: string, value: string) => process.stdout.write(`${kind.padEnd(8)} ${label.padEnd(44)} ${value}\n`);
    line(`raw client-node applies, 1 at a time`, `${rawSeq.toFixed(2)} s  (${(N / rawSeq).toFixed(0)}/s)`);
    line(`raw client-node applies, ${APPLY_CONCURRENCY} in flight`, `${rawPar.toFixed(2)} s  (${(N / rawPar).toFixed(0)}/s)`);
    line(`gitseal sync of ${N} objects (+${N + 2} ledger entries)`, `${sync.toFixed(2)} s  = ${(sync / rawPar).toFixed(2)}x raw (${APPLY_CONCURRENCY} in flight), ${(sync / rawSeq).toFixed(2)}x raw (1 at a time); goal <= 2x`);
    line(`raw client-node labelled lists of ${N} objects`, `${(rawList * 1000).toFixed(0)} ms`);
    line(`gitseal drift check of ${N} objects`, `${(drift * 1000).toFixed(0)} ms  = ${(drift / rawList).toFixed(2)}x raw list`);
    line(`gitseal pass with nothing to do`, `${(noop * 1000).toFixed(0)} ms`);
    line(`commit allowed -> 100 of ${N} objects applied`, `${(allowedToApplied * 1000).toFixed(0)} ms (webhook, fetch and gate decision not included)`);
  } finally {
    await h.close();
  }
}

export const bench: Bench = {
  name: `reconciler: sync and drift check of ${N} objects vs raw client-node calls (sandbox API server)`,
  async run() {
    for (const kind of TEST_DATABASE_KINDS) await runOn(kind);
  },
};
