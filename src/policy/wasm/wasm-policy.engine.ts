import {
  collectDecision,
  type PolicyEngine,
  type PolicyEvalOptions,
  type PolicyOutcome,
} from '../policy-engine';
import type { WasmBundleFile } from './bundle-reader';
import type { PolicyWorkerHost } from './policy-worker.adapter';

/** What was loaded, for the `policy.bundle.loaded` ledger entry and for operators. */
export interface WasmBundleInfo {
  format: 'tar.gz' | 'wasm';
  /** `revision` from /.manifest, if the bundle has one. */
  revision: string | null;
  roots: string[] | null;
  /** True when the bundle carries /.signatures.json. gitseal does not verify it (see docs/wasm-bundles.md). */
  signed: boolean;
  /** OPA wasm ABI version the module declares, e.g. `1.2`. */
  abiVersion: string;
  files: WasmBundleFile[];
}

export interface WasmPolicyEngine extends PolicyEngine {
  readonly kind: 'wasm';
  /** sha256 hex over the bundle's bytes exactly as loaded. */
  readonly digest: string;
  /** The entrypoint evaluated for every decision, e.g. `gitseal` (the document data.gitseal). */
  readonly entrypoint: string;
  /** Every entrypoint the module exports. */
  readonly entrypoints: readonly string[];
  readonly bundle: WasmBundleInfo;
  /** Stops the worker thread; later decisions fail with an `eval` error. */
  close(): Promise<void>;
}

export interface EngineSettings {
  digest: string;
  entrypoint: string;
  bundle: WasmBundleInfo;
  defaultTimeoutMs: number;
  /** Largest input document (UTF-8 JSON bytes) accepted, below the module's memory limit. */
  maxInputBytes: number;
}

const encoder = new TextEncoder();

export class WasmEngine implements WasmPolicyEngine {
  readonly kind = 'wasm' as const;
  readonly digest: string;
  readonly entrypoint: string;
  readonly entrypoints: readonly string[];
  readonly bundle: WasmBundleInfo;

  constructor(
    private readonly host: PolicyWorkerHost,
    private readonly settings: EngineSettings,
  ) {
    this.digest = settings.digest;
    this.entrypoint = settings.entrypoint;
    this.entrypoints = Object.freeze([...host.ready.entrypoints]);
    this.bundle = settings.bundle;
  }

  async decide(input: unknown, options: PolicyEvalOptions = {}): Promise<PolicyOutcome> {
    const timeoutMs = budget(options.timeoutMs, this.settings.defaultTimeoutMs);
    try {
      const encoded = encodeInput(input, this.settings.maxInputBytes);
      if (typeof encoded === 'string') return { ok: false, error: { code: 'eval', message: encoded } };
      const reply = await this.host.evaluate(encoded, timeoutMs);
      if (reply.kind === 'timeout') {
        return { ok: false, error: { code: 'timeout', message: `the wasm policy did not finish within ${timeoutMs} ms` } };
      }
      if (reply.kind === 'error') return { ok: false, error: { code: 'eval', message: `wasm policy: ${reply.message}` } };
      return readResultSet(reply.value, this.entrypoint);
    } catch (err) {
      return { ok: false, error: { code: 'eval', message: `wasm policy: ${err instanceof Error ? err.message : String(err)}` } };
    }
  }

  close(): Promise<void> {
    return this.host.close();
  }
}

/** setTimeout's ceiling; a larger delay would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

function budget(requested: number | undefined, fallback: number): number {
  if (requested === undefined || Number.isNaN(requested)) return fallback;
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(requested)));
}

/** UTF-8 JSON of the input, null for no input, or a message saying why it cannot be sent. */
function encodeInput(input: unknown, maxBytes: number): ArrayBuffer | null | string {
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch (err) {
    return `the input document is not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (text === undefined) return null;
  const bytes = encoder.encode(text);
  if (bytes.byteLength > maxBytes) {
    return `the input document is ${bytes.byteLength} bytes; the wasm policy accepts at most ${maxBytes}`;
  }
  return bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength ? bytes.buffer : bytes.slice().buffer;
}

/** OPA's result set: `[]` when the entrypoint is undefined, else `[{"result": <value>}]`. */
function readResultSet(value: unknown, entrypoint: string): PolicyOutcome {
  if (!Array.isArray(value)) return malformed(entrypoint, 'is not an array');
  if (value.length === 0) return { ok: true, decision: collectDecision(undefined) };
  if (value.length > 1) return malformed(entrypoint, `has ${value.length} elements; an entrypoint has at most one`);
  const first: unknown = value[0];
  if (first === null || typeof first !== 'object' || Array.isArray(first) || !Object.hasOwn(first, 'result')) {
    return malformed(entrypoint, 'lacks its "result" binding');
  }
  return { ok: true, decision: collectDecision((first as { result: unknown }).result) };
}

function malformed(entrypoint: string, why: string): PolicyOutcome {
  return { ok: false, error: { code: 'eval', message: `wasm policy: the result set of ${entrypoint} ${why}` } };
}
