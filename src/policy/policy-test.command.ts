import { isAbsolute, join } from 'node:path';
import { EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, parseCommandArgs, requireOption, UsageError, type CliCommand, type CliIo } from '../cli/command';
import { LoadError, loadPolicyRoots } from './rego/loader';
import { RegoPolicy } from './rego/rego';

const HELP = `usage: gitseal policy test --policies DIR [--run REGEX] [--timeout MS]

Runs the Rego tests of a policy folder with the built-in engine, like \`opa test\`: every rule
named test_* (usually in *_test.rego files, beside the policies they test) must be true. Tests
mock input, data and functions with \`with\`. Prints one PASS, FAIL or ERROR line per test and a
summary.

  --policies DIR   the policy folder (.rego modules and .json/.yaml data)
  --run REGEX      only tests whose full name (data.pkg.test_x) matches
  --timeout MS     budget per test in milliseconds (default 5000)

Exit status: 0 all tests pass, 1 a test fails or errors, 2 bad usage or a policy that does not
parse or compile.`;

const OPTIONS = {
  policies: { type: 'string' },
  run: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export interface TestOutcome {
  name: string;
  status: 'PASS' | 'FAIL' | 'ERROR';
  ms: number;
  message?: string;
}

/** Runs every test_* rule of the compiled policy. */
export function runPolicyTests(policy: RegoPolicy, filter?: RegExp, timeoutMs?: number): TestOutcome[] {
  const names = new Set<string>();
  for (const m of policy.compiled.modules) {
    for (const r of m.rules) {
      const first = r.ref[0];
      if (r.kind !== 'complete' || r.ref.length !== 1 || first.type !== 'scalar' || typeof first.value !== 'string' || !first.value.startsWith('test_')) continue;
      names.add(['data', ...m.pkg, first.value].join('.'));
    }
  }
  const out: TestOutcome[] = [];
  for (const name of [...names].sort()) {
    if (filter && !filter.test(name)) continue;
    const start = performance.now();
    const q = policy.prepare(name);
    const r = q.ok ? q.value.evaluateRaw(undefined, { timeoutMs }) : q;
    const ms = performance.now() - start;
    if (!r.ok) out.push({ name, status: 'ERROR', ms, message: r.message });
    else if (r.value.length > 0 && r.value[0].expressions[0] === true) out.push({ name, status: 'PASS', ms });
    else out.push({ name, status: 'FAIL', ms, message: r.value.length === 0 ? 'undefined' : 'not true' });
  }
  return out;
}

export const policyTestCommand: CliCommand = {
  path: ['policy', 'test'],
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, OPTIONS);
    const dir = requireOption(values.policies, '--policies');
    let filter: RegExp | undefined;
    if (values.run !== undefined) {
      try {
        filter = new RegExp(values.run);
      } catch {
        throw new UsageError(`--run is not a valid regular expression: ${values.run}`);
      }
    }
    const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError('--timeout must be a positive whole number of milliseconds');
    let bundle;
    try {
      bundle = loadPolicyRoots([{ path: isAbsolute(dir) ? dir : join(io.cwd, dir), shown: dir }]);
    } catch (err) {
      if (err instanceof LoadError) throw new UsageError(err.message);
      throw err;
    }
    const policy = RegoPolicy.compile(bundle.modules, bundle.data);
    if (!policy.ok) {
      io.stderr(`${policy.message}\n`);
      return EXIT_USAGE;
    }
    const outcomes = runPolicyTests(policy.value, filter, timeoutMs);
    for (const o of outcomes) {
      io.stdout(`${o.name}: ${o.status} (${o.ms.toFixed(1)}ms)\n`);
      if (o.message && o.status === 'ERROR') io.stdout(`  ${o.message.replace(/\n/g, '\n  ')}\n`);
    }
    const count = (s: TestOutcome['status']) => outcomes.filter((o) => o.status === s).length;
    io.stdout(`${'-'.repeat(80)}\n`);
    if (outcomes.length === 0) {
      io.stdout('no tests found (rules named test_*)\n');
      return EXIT_OK;
    }
    for (const s of ['PASS', 'FAIL', 'ERROR'] as const) if (count(s) > 0) io.stdout(`${s}: ${count(s)}/${outcomes.length}\n`);
    return count('PASS') === outcomes.length ? EXIT_OK : EXIT_NEGATIVE;
  },
};
