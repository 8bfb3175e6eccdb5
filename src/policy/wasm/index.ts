import type { PolicyError } from '../policy-engine';
import { readBundle, readBundleFile, type BundleLimits } from './bundle-reader';
import { compilePolicyModule, WASM_PAGE_BYTES } from './policy-module';
import { PolicyWorkerHost } from './policy-worker.adapter';
import { MAX_TIMER_MS, WasmEngine, type WasmPolicyEngine } from './wasm-policy.engine';
import { WasmBundleException, type WasmBundleErrorCode } from './wasm-bundle.exception';

export type { WasmBundleFile } from './bundle-reader';
export type { WasmBundleInfo, WasmPolicyEngine } from './wasm-policy.engine';
export { WasmBundleException, type WasmBundleErrorCode } from './wasm-bundle.exception';

/**
 * Policies compiled by `opa build -t wasm`, evaluated with @open-policy-agent/opa-wasm in a worker
 * thread, behind the same PolicyEngine interface as the built-in Rego engine.
 */
export interface WasmEngineOptions {
  /** Entrypoint evaluated for every decision, as given to `opa build -e`. Default `gitseal`. */
  entrypoint?: string;
  /** Budget for a decision when decide() is not given one. Default 5000 ms. */
  defaultTimeoutMs?: number;
  /** Budget for instantiating the module and setting its data. Default 10000 ms. */
  loadTimeoutMs?: number;
  /** Maximum linear memory of the module (also caps the input document). Default 256 MiB. */
  memoryLimitMb?: number;
  /** V8 heap of the worker thread. Default 256 MiB. */
  heapLimitMb?: number;
  /** Largest bundle file. Default 64 MiB. */
  maxBundleBytes?: number;
  /** Largest unpacked archive (and any one entry in it). Default 256 MiB. */
  maxUnpackedBytes?: number;
  /** Most entries in the archive. Default 10000. */
  maxEntries?: number;
  /** Lines the policy prints (`print()` in Rego). Default: written to stderr, prefixed. */
  onPrint?: (line: string) => void;
}

export interface WasmLoadError extends PolicyError {
  code: 'bundle';
  reason: WasmBundleErrorCode | 'options';
}

export type Result<T, E = WasmLoadError> = { ok: true; value: T } | { ok: false; error: E };

const MIB = 1024 * 1024;

/**
 * Loads `bundle.tar.gz` (or a bare `.wasm`) from a path or from bytes, checks it, and starts the
 * worker that evaluates it. Never throws: every failure is `{ ok: false, error }`.
 */
export async function loadWasmPolicyEngine(
  pathOrBytes: string | Uint8Array,
  options: WasmEngineOptions = {},
): Promise<Result<WasmPolicyEngine>> {
  try {
    const settings = resolveOptions(options);
    if (typeof settings === 'string') return { ok: false, error: { code: 'bundle', reason: 'options', message: settings } };
    const bytes =
      typeof pathOrBytes === 'string' ? await readBundleFile(pathOrBytes, settings.limits.maxBundleBytes) : pathOrBytes;
    const bundle = await readBundle(bytes, settings.limits);
    const compiled = await compilePolicyModule(bundle.wasm, settings.memoryPages);
    const host = await PolicyWorkerHost.start({
      init: { module: compiled.module, memory: compiled.memory, dataJson: JSON.stringify(bundle.data), entrypoint: settings.entrypoint },
      loadTimeoutMs: settings.loadTimeoutMs,
      heapLimitMb: settings.heapLimitMb,
      onPrint: options.onPrint ?? ((line) => process.stderr.write(`gitseal: wasm policy print: ${line}\n`)),
    });
    const engine = new WasmEngine(host, {
      digest: bundle.digest,
      entrypoint: settings.entrypoint,
      defaultTimeoutMs: settings.defaultTimeoutMs,
      maxInputBytes: compiled.memory.maximum * WASM_PAGE_BYTES,
      bundle: {
        format: bundle.format,
        revision: bundle.manifest?.revision ?? null,
        roots: bundle.manifest?.roots ?? null,
        signed: bundle.files.some((f) => f.path === '/.signatures.json'),
        abiVersion: host.ready.abiVersion,
        files: bundle.files,
      },
    });
    return { ok: true, value: engine };
  } catch (err) {
    if (err instanceof WasmBundleException) return { ok: false, error: { code: 'bundle', reason: err.code, message: err.message } };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'bundle', reason: 'load', message: `the wasm policy could not be loaded: ${message}` } };
  }
}

interface Settings {
  entrypoint: string;
  defaultTimeoutMs: number;
  loadTimeoutMs: number;
  memoryPages: number;
  heapLimitMb: number;
  limits: BundleLimits;
}

function resolveOptions(o: WasmEngineOptions): Settings | string {
  const entrypoint = normaliseEntrypoint(o.entrypoint ?? 'gitseal');
  if (entrypoint === '') return `entrypoint ${JSON.stringify(o.entrypoint)} is empty`;
  const numbers: [keyof WasmEngineOptions, number | undefined, number][] = [
    ['defaultTimeoutMs', o.defaultTimeoutMs, 5000],
    ['loadTimeoutMs', o.loadTimeoutMs, 10_000],
    ['memoryLimitMb', o.memoryLimitMb, 256],
    ['heapLimitMb', o.heapLimitMb, 256],
    ['maxBundleBytes', o.maxBundleBytes, 64 * MIB],
    ['maxUnpackedBytes', o.maxUnpackedBytes, 256 * MIB],
    ['maxEntries', o.maxEntries, 10_000],
  ];
  const v: Record<string, number> = {};
  for (const [name, given, fallback] of numbers) {
    if (given !== undefined && !(Number.isFinite(given) && given > 0)) return `${name} must be a positive number`;
    v[name] = given ?? fallback;
  }
  if (v.memoryLimitMb > 4096) return 'memoryLimitMb cannot exceed 4096 (wasm32 addresses 4 GiB)';
  return {
    entrypoint,
    defaultTimeoutMs: Math.min(MAX_TIMER_MS, v.defaultTimeoutMs),
    loadTimeoutMs: Math.min(MAX_TIMER_MS, v.loadTimeoutMs),
    memoryPages: Math.floor((v.memoryLimitMb * MIB) / WASM_PAGE_BYTES),
    heapLimitMb: v.heapLimitMb,
    limits: { maxBundleBytes: v.maxBundleBytes, maxUnpackedBytes: v.maxUnpackedBytes, maxEntries: v.maxEntries },
  };
}

/** `gitseal`, `gitseal/deny`, or the query form `data.gitseal.deny`, as `opa build -e` names entrypoints. */
function normaliseEntrypoint(name: string): string {
  const path = name.startsWith('data.') ? name.slice(5).split('.').join('/') : name;
  return path.split('/').filter((s) => s !== '').join('/');
}
