import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyOutcome } from '../../src/policy/policy-engine';
import { loadWasmPolicyEngine, type WasmEngineOptions, type WasmPolicyEngine } from '../../src/policy/wasm';
import { abiPolicyWasm, ENTRYPOINTS } from './support/abi-policy.wat';
import { buildTarGz } from './support/tar-builder';

/**
 * The opa-wasm integration end to end: bundle bytes → checks → worker thread →
 * @open-policy-agent/opa-wasm → a module implementing OPA's wasm ABI → decision.
 */
const DATA = { gitseal: { registries: ['registry.example.com'] }, teams: { platform: ['alice'] } };
const MERGE_DENY = { msg: 'commit message says DO-NOT-MERGE', package: 'gitseal' };
const PRIVILEGED_DENY = { msg: 'privileged containers are not allowed', package: 'gitseal' };

function input(message: string, extra: Record<string, unknown> = {}) {
  return { version: 1, commit: { sha: 'a'.repeat(40), message }, ...extra };
}

async function load(bytes: Uint8Array, options: WasmEngineOptions = {}): Promise<WasmPolicyEngine> {
  const loaded = await loadWasmPolicyEngine(bytes, options);
  if (!loaded.ok) throw new Error(`load failed: ${loaded.error.reason}: ${loaded.error.message}`);
  return loaded.value;
}

function denies(outcome: PolicyOutcome) {
  if (!outcome.ok) throw new Error(`decision failed: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.decision.deny.map(({ msg, package: pkg }) => ({ msg, package: pkg }));
}

function errorOf(outcome: PolicyOutcome) {
  if (outcome.ok) throw new Error('expected the decision to fail');
  return outcome.error;
}

describe.each([1, 2])('a bundle with ABI 1.%i', (minor) => {
  let bundle: Uint8Array;
  let engine: WasmPolicyEngine;

  beforeAll(async () => {
    bundle = buildTarGz([
      { name: '/data.json', data: JSON.stringify(DATA) },
      { name: '/policy.wasm', data: await abiPolicyWasm({ minor }) },
      { name: '/gitseal/policy.rego', data: 'package gitseal\n' },
      {
        name: '/.manifest',
        data: JSON.stringify({ revision: 'rev-7', roots: ['gitseal', 'teams'], wasm: [{ entrypoint: 'gitseal', module: '/policy.wasm' }] }),
      },
    ]);
    engine = await load(bundle);
  });
  afterAll(() => engine.close());

  it('describes what it loaded', () => {
    expect(engine.kind).toBe('wasm');
    expect(engine.digest).toBe(createHash('sha256').update(bundle).digest('hex'));
    expect(engine.entrypoint).toBe('gitseal');
    expect(engine.entrypoints).toEqual(ENTRYPOINTS);
    expect(engine.bundle).toMatchObject({ format: 'tar.gz', revision: 'rev-7', roots: ['gitseal', 'teams'], signed: false });
    expect(engine.bundle.abiVersion).toBe(`1.${minor}`);
    expect(engine.bundle.files.map((f) => f.path)).toEqual(['/data.json', '/policy.wasm', '/gitseal/policy.rego', '/.manifest']);
  });

  it('computes the decision from the input it is given', async () => {
    expect(denies(await engine.decide(input('chore: tidy')))).toEqual([]);
    expect(denies(await engine.decide(input('wip DO-NOT-MERGE')))).toEqual([MERGE_DENY]);
    const both = input('DO-NOT-MERGE', { manifests: [{ object: { spec: { privileged: true } } }] });
    expect(denies(await engine.decide(both))).toEqual([MERGE_DENY, PRIVILEGED_DENY]);
  });

  it('treats budgets past what a timer can hold as "no practical limit", not as zero', async () => {
    expect(denies(await engine.decide(input('DO-NOT-MERGE'), { timeoutMs: 1e12 }))).toEqual([MERGE_DENY]);
    expect(denies(await engine.decide(input('ok'), { timeoutMs: Number.POSITIVE_INFINITY }))).toEqual([]);
  });

  it('hands the bundle data to the module', async () => {
    const outcome = await engine.decide(input('x'));
    if (!outcome.ok) throw new Error(outcome.error.message);
    expect(outcome.decision.warn).toEqual([{ msg: 'data seen', package: 'gitseal', details: { msg: 'data seen', data: DATA } }]);
  });

  it('reuses one instance across many decisions, sequential or concurrent', async () => {
    for (let i = 0; i < 25; i++) {
      const blocked = i % 3 === 0;
      expect(denies(await engine.decide(input(blocked ? `#${i} DO-NOT-MERGE` : `#${i} ok`)))).toEqual(blocked ? [MERGE_DENY] : []);
    }
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => engine.decide(input(i % 2 ? 'DO-NOT-MERGE' : 'fine'))),
    );
    expect(outcomes.map((o) => denies(o).length)).toEqual(Array.from({ length: 12 }, (_, i) => i % 2));
  });

  it('turns an abort into an error value and recovers for the next decision', async () => {
    const error = errorOf(await engine.decide(input('ABORT-NOW')));
    expect(error.code).toBe('eval');
    expect(error.message).toContain('policy aborted: boom');
    expect(denies(await engine.decide(input('DO-NOT-MERGE')))).toEqual([MERGE_DENY]);
  });

  it('cuts off a runaway evaluation at the deadline and recovers for the next decision', async () => {
    const error = errorOf(await engine.decide(input('LOOP-FOREVER'), { timeoutMs: 300 }));
    expect(error).toEqual({ code: 'timeout', message: 'the wasm policy did not finish within 300 ms' });
    expect(denies(await engine.decide(input('DO-NOT-MERGE')))).toEqual([MERGE_DENY]);
    const error2 = errorOf(await engine.decide(input('LOOP-FOREVER'), { timeoutMs: 200 }));
    expect(error2.code).toBe('timeout');
    expect(denies(await engine.decide(input('clean')))).toEqual([]);
  });
});

describe('wasm engine failures are values', () => {
  let wasm: Uint8Array;
  const engines: WasmPolicyEngine[] = [];
  const withEntrypoint = async (entrypoint: string, options: WasmEngineOptions = {}) => {
    const engine = await load(wasm, { entrypoint, ...options });
    engines.push(engine);
    return engine;
  };

  beforeAll(async () => {
    wasm = await abiPolicyWasm();
  });
  afterAll(() => Promise.all(engines.map((e) => e.close())));

  it('loads a bare wasm module with empty data', async () => {
    const engine = await withEntrypoint('gitseal');
    expect(engine.bundle.format).toBe('wasm');
    expect(engine.digest).toBe(createHash('sha256').update(wasm).digest('hex'));
    const outcome = await engine.decide(input('x'));
    expect(outcome.ok && outcome.decision.warn[0].details).toEqual({ msg: 'data seen', data: {} });
  });

  it('accepts the entrypoint as a query path', async () => {
    expect((await withEntrypoint('data.gitseal')).entrypoint).toBe('gitseal');
  });

  it('reports an undefined decision as an empty one', async () => {
    expect(await (await withEntrypoint('undefined')).decide({})).toEqual({ ok: true, decision: { deny: [], warn: [] } });
  });

  it('stops an endless evaluation with the default deadline', async () => {
    const engine = await withEntrypoint('loop', { defaultTimeoutMs: 250 });
    expect(errorOf(await engine.decide({}))).toEqual({ code: 'timeout', message: 'the wasm policy did not finish within 250 ms' });
  });

  it.each([
    ['missing_builtin', /not implemented: built-in function 0: custom\.missing/],
    ['garbage', /not valid JSON|Unexpected token/],
    ['two_results', /has 2 elements/],
  ])('reports %s as an eval error', async (entrypoint, message) => {
    const error = errorOf(await (await withEntrypoint(entrypoint)).decide({}));
    expect(error.code).toBe('eval');
    expect(error.message).toMatch(message);
  });

  it('runs builtins that @open-policy-agent/opa-wasm implements in JavaScript', async () => {
    const outcome = await (await withEntrypoint('sdk_builtin')).decide({});
    expect(outcome.ok && outcome.decision.warn).toEqual([
      { msg: 'json.is_valid', package: 'gitseal', details: { msg: 'json.is_valid', value: true } },
    ]);
  });

  it('sends what the policy prints to onPrint, not to stdout', async () => {
    const lines: string[] = [];
    const engine = await withEntrypoint('print', { onPrint: (line) => lines.push(line) });
    expect(await engine.decide({})).toEqual({ ok: true, decision: { deny: [], warn: [] } });
    expect(lines).toEqual(['hello from the policy']);
    const throwing = await withEntrypoint('print', {
      onPrint: () => {
        throw new Error('a broken print sink');
      },
    });
    expect(await throwing.decide({})).toEqual({ ok: true, decision: { deny: [], warn: [] } });
  });

  it('bounds the module memory', async () => {
    const engine = await withEntrypoint('hog', { memoryLimitMb: 8 });
    const error = errorOf(await engine.decide({}));
    expect(error.code).toBe('eval');
    expect(error.message).toContain('out of memory');
    const big = errorOf(await engine.decide({ blob: 'x'.repeat(9 * 1024 * 1024) }));
    expect(big.message).toMatch(/the input document is \d+ bytes; the wasm policy accepts at most 8388608/);
  });

  it('passes the input to the module byte for byte, UTF-8 included', async () => {
    const engine = await withEntrypoint('echo');
    const outcome = await engine.decide({ deny: ['über ✓ 🚀 "quoted"'], n: 1.5, nested: { deny: 'inner' } });
    expect(denies(outcome)).toEqual([
      { msg: 'über ✓ 🚀 "quoted"', package: 'gitseal.input' },
      { msg: 'inner', package: 'gitseal.input.nested' },
    ]);
    expect(await engine.decide(undefined)).toEqual({ ok: true, decision: { deny: [], warn: [] } });
  });

  it('survives a worker that runs out of heap, and replaces it', async () => {
    const engine = await withEntrypoint('echo', { heapLimitMb: 16 });
    // The echoed result parses into a million objects inside the worker: far past 16 MiB of heap.
    const error = errorOf(await engine.decide({ items: Array.from({ length: 1_000_000 }, (_, i) => ({ i })) }));
    expect(error.code).toBe('eval');
    expect(error.message).toMatch(/memory limit|out of memory/i);
    expect(denies(await engine.decide({ deny: ['after'] }))).toEqual([{ msg: 'after', package: 'gitseal.input' }]);
  });

  it('refuses input that is not JSON', async () => {
    const engine = await withEntrypoint('gitseal');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(errorOf(await engine.decide(circular)).message).toMatch(/not JSON/);
    expect(errorOf(await engine.decide({ n: 10n })).message).toMatch(/not JSON/);
  });

  it('fails decisions after close, and close ends a running evaluation', async () => {
    const engine = await load(wasm, { entrypoint: 'loop', defaultTimeoutMs: 60_000 });
    const running = engine.decide({});
    await new Promise((resolve) => setTimeout(resolve, 100));
    await engine.close();
    expect(errorOf(await running).message).toContain('closed');
    expect(errorOf(await engine.decide({})).message).toContain('closed');
  });
});

describe('loading fails with a reason', () => {
  it('names the entrypoints when the configured one is missing', async () => {
    const loaded = await loadWasmPolicyEngine(await abiPolicyWasm(), { entrypoint: 'gitseal/deny' });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.code).toBe('bundle');
    expect(loaded.error.reason).toBe('entrypoint');
    expect(loaded.error.message).toContain('no entrypoint "gitseal/deny"; it has "gitseal", "loop"');
  });

  it('gives up on a module that hangs while loading', async () => {
    const loaded = await loadWasmPolicyEngine(await abiPolicyWasm({ hangOnLoad: true }), { loadTimeoutMs: 400 });
    expect(loaded).toEqual({
      ok: false,
      error: { code: 'bundle', reason: 'load', message: 'loading policy.wasm took longer than 400 ms' },
    });
  });

  it('refuses a module that claims ABI 1.2 without opa_eval', async () => {
    const loaded = await loadWasmPolicyEngine(await abiPolicyWasm({ minor: 2, opaEval: false }));
    expect(loaded.ok === false && loaded.error).toMatchObject({ reason: 'load', message: expect.stringContaining('opa_eval') });
  });

  it('refuses bad options', async () => {
    const loaded = await loadWasmPolicyEngine(new Uint8Array(0), { defaultTimeoutMs: -1 });
    expect(loaded).toEqual({ ok: false, error: { code: 'bundle', reason: 'options', message: 'defaultTimeoutMs must be a positive number' } });
  });

  it('reports unreadable paths and bad bundles without throwing', async () => {
    const missing = await loadWasmPolicyEngine('/nonexistent/bundle.tar.gz');
    expect(missing.ok === false && missing.error.reason).toBe('unreadable');
    const noPolicy = await loadWasmPolicyEngine(buildTarGz([{ name: 'data.json', data: '{}' }]));
    expect(noPolicy.ok === false && noPolicy.error).toEqual({
      code: 'bundle',
      reason: 'missing-policy',
      message: 'the bundle holds no /policy.wasm',
    });
  });
});
