import { collectDecision, type PolicyDecision } from '../src/policy/policy-engine';
import { RegoPolicy } from '../src/policy/rego/rego';
import { decisionOf } from '../src/policy/rego-policy-engine';
import type { Bench } from './run';

/**
 * Decisions per second of the built-in Rego engine for ten typical admission rules over a
 * 50-object manifest document, against the same checks written by hand in TypeScript.
 */
const POLICY = `package gitseal.k8s

allowed_registries := ["registry.example.com/", "ghcr.io/example/"]
required_labels := {"app", "team"}

workloads contains w if {
  some m in input.manifests
  m.object.kind in {"Deployment", "StatefulSet", "DaemonSet"}
  w := {"path": m.path, "obj": m.object, "spec": m.object.spec.template.spec}
}

containers contains [w.path, c] if {
  some w in workloads
  some c in w.spec.containers
}

deny contains msg if {
  some [path, c] in containers
  not strings.any_prefix_match(c.image, allowed_registries)
  msg := sprintf("%s: image %s is not from an allowed registry", [path, c.image])
}

deny contains msg if {
  some [path, c] in containers
  endswith(c.image, ":latest")
  msg := sprintf("%s: image %s uses the latest tag", [path, c.image])
}

deny contains msg if {
  some [path, c] in containers
  c.securityContext.privileged == true
  msg := sprintf("%s: container %s is privileged", [path, c.name])
}

deny contains msg if {
  some [path, c] in containers
  not c.resources.limits.cpu
  msg := sprintf("%s: container %s has no cpu limit", [path, c.name])
}

deny contains msg if {
  some [path, c] in containers
  not c.resources.limits.memory
  msg := sprintf("%s: container %s has no memory limit", [path, c.name])
}

deny contains msg if {
  some m in input.manifests
  missing := required_labels - {k | some k, _ in object.get(m.object, ["metadata", "labels"], {})}
  count(missing) > 0
  msg := sprintf("%s: missing labels %v", [m.path, sort(missing)])
}

deny contains msg if {
  some w in workloads
  some ns in ["hostNetwork", "hostPID", "hostIPC"]
  w.spec[ns] == true
  msg := sprintf("%s: uses %s", [w.path, ns])
}

deny contains msg if {
  some w in workloads
  not w.spec.securityContext.runAsNonRoot
  msg := sprintf("%s: does not require runAsNonRoot", [w.path])
}

deny contains msg if {
  some w in workloads
  some v in w.spec.volumes
  v.hostPath
  msg := sprintf("%s: mounts hostPath volume %s", [w.path, v.name])
}

deny contains msg if {
  some m in input.manifests
  m.object.metadata.namespace == "default"
  msg := sprintf("%s: uses the default namespace", [m.path])
}
`;

type Obj = Record<string, unknown>;

function manifest(i: number): Obj {
  const bad = i % 5 === 0;
  return {
    path: `deploy/app-${i}.yaml`,
    index: 0,
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `app-${i}`, namespace: bad ? 'default' : 'shop', labels: bad ? { app: `app-${i}` } : { app: `app-${i}`, team: 'payments' } },
      spec: {
        replicas: 3,
        template: {
          metadata: { labels: { app: `app-${i}` } },
          spec: {
            hostNetwork: bad,
            securityContext: { runAsNonRoot: !bad },
            volumes: bad ? [{ name: 'host', hostPath: { path: '/var' } }] : [{ name: 'cfg', configMap: { name: 'cfg' } }],
            containers: [
              {
                name: 'app',
                image: bad ? 'docker.io/library/nginx:latest' : `registry.example.com/shop/app-${i}:1.${i}.0`,
                securityContext: { privileged: bad },
                resources: bad ? { limits: { cpu: '500m' } } : { limits: { cpu: '500m', memory: '256Mi' } },
              },
              { name: 'sidecar', image: 'ghcr.io/example/proxy:2.1.0', resources: { limits: { cpu: '100m', memory: '64Mi' } } },
            ],
          },
        },
      },
    },
  };
}

export const INPUT = { version: 1, manifests: Array.from({ length: 50 }, (_, i) => manifest(i)) };

const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((acc, k) => (acc !== null && typeof acc === 'object' ? (acc as Obj)[k] : undefined), o);

/** The same ten checks, by hand. */
export function handWritten(input: typeof INPUT): PolicyDecision {
  const deny: string[] = [];
  const allowed = ['registry.example.com/', 'ghcr.io/example/'];
  const fmtSet = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  for (const m of input.manifests) {
    const obj = m.object as Obj;
    const labels = (get(obj, 'metadata', 'labels') ?? {}) as Obj;
    const missing = ['app', 'team'].filter((l) => !(l in labels)).sort();
    if (missing.length > 0) deny.push(`${m.path}: missing labels ${fmtSet(missing)}`);
    if (get(obj, 'metadata', 'namespace') === 'default') deny.push(`${m.path}: uses the default namespace`);
    if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(obj.kind as string)) continue;
    const spec = get(obj, 'spec', 'template', 'spec') as Obj;
    for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[ns] === true) deny.push(`${m.path}: uses ${ns}`);
    if (!get(spec, 'securityContext', 'runAsNonRoot')) deny.push(`${m.path}: does not require runAsNonRoot`);
    for (const v of (spec.volumes ?? []) as Obj[]) if (v.hostPath) deny.push(`${m.path}: mounts hostPath volume ${v.name as string}`);
    for (const c of (spec.containers ?? []) as Obj[]) {
      const image = c.image as string;
      if (!allowed.some((p) => image.startsWith(p))) deny.push(`${m.path}: image ${image} is not from an allowed registry`);
      if (image.endsWith(':latest')) deny.push(`${m.path}: image ${image} uses the latest tag`);
      if (get(c, 'securityContext', 'privileged') === true) deny.push(`${m.path}: container ${c.name as string} is privileged`);
      if (!get(c, 'resources', 'limits', 'cpu')) deny.push(`${m.path}: container ${c.name as string} has no cpu limit`);
      if (!get(c, 'resources', 'limits', 'memory')) deny.push(`${m.path}: container ${c.name as string} has no memory limit`);
    }
  }
  return collectDecision({ k8s: { deny: [...new Set(deny)] } });
}

type Decide = (input: typeof INPUT) => PolicyDecision;

/**
 * Decisions per second of a and b, measured in alternating slices so that load from other
 * processes on the machine weighs on both alike. With `fresh`, every decision gets its own deep
 * copy of the input (made outside the timed part), as each commit brings the gate a new document:
 * nothing cached on the input's objects by one decision helps the next.
 */
function rates(a: Decide, b: Decide, ms: number, fresh: boolean): [number, number] {
  const next = () => (fresh ? structuredClone(INPUT) : INPUT);
  // Warm up until both are compiled by the JIT (the engine's many small closures take a while):
  // steady state is what a long-running gate sees.
  const warm = performance.now() + Math.min(1000, ms / 2);
  while (performance.now() < warm) {
    a(next());
    b(next());
  }
  const count = [0, 0];
  const time = [0, 0];
  const slice = 100;
  const end = performance.now() + ms * 2;
  while (performance.now() < end) {
    [a, b].forEach((f, i) => {
      const sliceEnd = performance.now() + slice;
      let now = 0;
      while (now < sliceEnd) {
        const input = next();
        const start = performance.now();
        f(input);
        now = performance.now();
        time[i] += now - start;
        count[i]++;
      }
    });
  }
  return [(count[0] * 1000) / time[0], (count[1] * 1000) / time[1]];
}

export const bench: Bench = {
  name: 'rego: 10 admission rules over 50 manifests (built-in engine vs hand-written TypeScript)',
  async run() {
    const policy = RegoPolicy.compile([{ path: 'k8s.rego', source: POLICY }], {});
    if (!policy.ok) throw new Error(policy.message);
    const query = policy.value.prepare('data.gitseal');
    if (!query.ok) throw new Error(query.message);
    const engineDecision: Decide = (input) => {
      const r = query.value.evaluateRaw(input);
      if (!r.ok) throw new Error(r.message);
      return decisionOf(r.value[0]?.expressions[0]);
    };
    const a = engineDecision(INPUT);
    const b = handWritten(INPUT);
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`engine and hand-written checks disagree:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
    const ms = Number(process.env.BENCH_MS ?? 2000);
    process.stdout.write(`  ${a.deny.length} deny messages per decision\n`);
    for (const [fresh, label] of [
      [false, 'the same input object for every decision'],
      [true, 'a new copy of the input for every decision (copies made outside the timed calls)'],
    ] as const) {
      const [engine, hand] = rates(engineDecision, handWritten, ms, fresh);
      process.stdout.write(`  ${label}\n`);
      process.stdout.write(`    built-in engine   ${engine.toFixed(0).padStart(8)} decisions/s\n`);
      process.stdout.write(`    hand-written TS   ${hand.toFixed(0).padStart(8)} decisions/s\n`);
      process.stdout.write(`    ratio             ${(hand / engine).toFixed(1).padStart(8)}x slower than hand-written (goal: within 10x)\n`);
    }
  },
};
