/**
 * Runs OPA's test-case YAML files (format of OPA's test/cases/testdata) through the built-in
 * engine and compares results and errors as OPA's own runner does (topdown_test.go): results as
 * a set of binding maps after a JSON round trip, `sort_bindings` sorting each binding's array,
 * `want_error` as a substring of the error text, `want_error_code` as the error code.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fromBigInt } from '../number';
import { parseTermText } from '../parser';
import { RegoPolicy, type RawResult } from '../rego';
import { RegoError } from '../errors';
import { ObjectBuilder, SetValue, compare, equal, isObject, keyOf, sortedEntries, type Value } from '../value';
import { toJsonText } from '../value-json';
import { Evaluator } from '../eval/evaluator';
import { RuleNode } from '../compile/rule-tree';

export interface TestCase {
  note: string;
  file: string;
  query: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  input_term?: string;
  want_result?: Record<string, unknown>[];
  want_error?: string;
  want_error_code?: string;
  sort_bindings?: boolean;
  strict_error?: boolean;
  env?: Record<string, string>;
}

export interface CaseOutcome {
  case: TestCase;
  status: 'passed' | 'failed' | 'skipped';
  reason?: string;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (name.endsWith('.yaml') || name.endsWith('.yml') || name.endsWith('.json')) out.push(p);
  }
  return out;
}

export function loadCases(dirs: string[]): TestCase[] {
  const cases: TestCase[] = [];
  for (const dir of dirs) {
    for (const file of yamlFiles(dir)) {
      const doc = parseYaml(readFileSync(file, 'utf8'), { intAsBigInt: true }) as { cases?: TestCase[] } | null;
      for (const c of doc?.cases ?? []) cases.push({ ...c, file: relative(process.cwd(), file) });
    }
  }
  return cases;
}

/** Skip file: each entry (a case note) is preceded by `#` lines giving the reason. */
export function loadSkips(text: string): Map<string, string> {
  const skips = new Map<string, string>();
  let reason: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') {
      reason = [];
      return;
    }
    if (line.startsWith('#')) {
      reason.push(line.slice(1).trim());
      return;
    }
    if (reason.length === 0) throw new Error(`skip file line ${i + 1}: entry '${line}' has no reason comment above it`);
    skips.set(line, reason.join(' '));
  });
  return skips;
}

/** YAML/JSON value to an engine value (big integers kept exactly). */
function fromYaml(x: unknown): Value {
  if (typeof x === 'bigint') return fromBigInt(x);
  if (Array.isArray(x)) return x.map(fromYaml);
  if (x !== null && typeof x === 'object') {
    const b = new ObjectBuilder();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) b.set(k, fromYaml(v));
    return b.build();
  }
  return x as Value;
}

/** What OPA's runner compares: the value after ast.JSON and back (sets become arrays). */
function jsonRoundTrip(v: Value): Value {
  if (Array.isArray(v)) return v.map(jsonRoundTrip);
  if (v instanceof SetValue) return v.sortedValues().map(jsonRoundTrip);
  if (isObject(v)) {
    const b = new ObjectBuilder();
    for (const [k, x] of sortedEntries(v)) b.set(typeof k === 'string' ? k : toJsonText(k), jsonRoundTrip(x));
    return b.build();
  }
  return v;
}

function resultSet(results: RawResult[], sortBindings: boolean): Value[] {
  const out = new Map<string, Value>();
  for (const r of results) {
    const b = new ObjectBuilder();
    for (const [name, v] of r.bindings) {
      let x = jsonRoundTrip(v);
      if (sortBindings && Array.isArray(x)) x = [...x].sort(compare);
      b.set(name, x);
    }
    const o = b.build();
    out.set(keyOf(o), o);
  }
  return [...out.values()];
}

function inputOf(c: TestCase): Value | undefined {
  if (c.input_term !== undefined) {
    const term = parseTermText(c.input_term, 'input_term');
    const ev = new Evaluator(new RuleNode([]), new Map(), {}, undefined, true, { deadline: Date.now() + 5000, maxSteps: 1e6 }, { nowNs: 0n, print: () => undefined, charge: () => undefined, runtime: {}, cache: new Map() });
    let value: Value | undefined;
    ev.evalTerm(term, [], (v) => ((value = v), true));
    return value;
  }
  return c.input === undefined ? undefined : fromYaml(c.input);
}

export function runCase(c: TestCase): string | undefined {
  const modules = (c.modules ?? []).map((source, i) => ({ path: `test-${i}.rego`, source }));
  const policy = RegoPolicy.compile(modules, c.data === undefined ? {} : fromYaml(c.data));
  let outcome: { ok: true; value: RawResult[] } | { ok: false; errors: RegoError[]; message: string };
  if (!policy.ok) outcome = policy;
  else {
    const q = policy.value.prepare(c.query);
    if (!q.ok) outcome = q;
    else {
      let input: Value | undefined;
      try {
        input = inputOf(c);
      } catch (e) {
        return `input_term: ${e instanceof Error ? e.message : String(e)}`;
      }
      outcome = q.value.evaluateRaw(input, { strictBuiltinErrors: c.strict_error ?? false, timeoutMs: 10_000 });
    }
  }
  const wantsError = c.want_error !== undefined || c.want_error_code !== undefined;
  if (!outcome.ok) {
    if (!wantsError) return `unexpected error: ${outcome.message}`;
    const err = outcome.errors[0];
    if (c.want_error_code !== undefined && err.code !== c.want_error_code) return `want error code ${c.want_error_code}, got ${err.code}: ${err.message}`;
    if (c.want_error !== undefined && !outcome.message.includes(c.want_error)) return `want error text '${c.want_error}', got: ${outcome.message}`;
    return undefined;
  }
  if (wantsError) return `want error ${c.want_error_code ?? ''} ${c.want_error ?? ''}, got success`;
  if (c.want_result === undefined) return 'case has neither want_result nor want_error';
  const got = resultSet(outcome.value, c.sort_bindings ?? false);
  const want = c.want_result.map((r) => fromYaml(r));
  const same = got.length === want.length && want.every((w) => got.some((g) => equal(g, w)));
  if (!same) return `unexpected result:\n  want: ${want.map((w) => toJsonText(w)).join(' ')}\n  got:  ${got.map((g) => toJsonText(g)).join(' ')}`;
  return undefined;
}

export function runCases(cases: TestCase[], skips: Map<string, string>): CaseOutcome[] {
  return cases.map((c) => {
    if (skips.has(c.note)) return { case: c, status: 'skipped', reason: skips.get(c.note) };
    let reason: string | undefined;
    try {
      reason = runCase(c);
    } catch (e) {
      reason = `crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    }
    return reason === undefined ? { case: c, status: 'passed' } : { case: c, status: 'failed', reason };
  });
}

export function summary(outcomes: CaseOutcome[]): string {
  const n = (s: CaseOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  return `${n('passed')} passed, ${n('failed')} failed, ${n('skipped')} skipped`;
}

export { isObject };
