import { parentPort, workerData } from 'node:worker_threads';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import type { EvalRequest, WorkerInit, WorkerMessage } from './worker-protocol';

/**
 * Worker thread that owns one instance of the policy module, evaluated with
 * @open-policy-agent/opa-wasm. The main thread bounds it: a deadline per decision (it terminates
 * this thread), V8 heap limits, and a maximum for the module's linear memory. Requests run one at
 * a time; after any evaluation error the module is instantiated afresh, so a trap halfway through
 * cannot leave state behind for the next decision.
 *
 * Written in erasable TypeScript only (tests run it from source with Node's type stripping; the
 * build compiles it to opa-policy.worker.js).
 */
interface Loaded {
  policy: LoadedPolicy;
  entrypointId: number;
  abiVersion: string;
}

class EntrypointError extends Error {}

const MAX_TEXT = 2000;

const port = parentPort;
if (port === null) throw new Error('opa-policy.worker must run in a worker thread');

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

// `print()` in a policy reaches opa_println, which the SDK sends to console.log: forward it to the
// engine instead of letting it into the process's stdout (which may carry JSON output).
console.log = (...args: unknown[]): void => post({ type: 'print', line: truncate(args.map(String).join(' ')) });

async function instantiate(init: WorkerInit): Promise<Loaded> {
  const policy = await loadPolicy(init.module as unknown as Parameters<typeof loadPolicy>[0], {
    initial: init.memory.initial,
    maximum: init.memory.maximum,
  });
  const entrypoints = readEntrypoints(policy);
  if (!Object.hasOwn(entrypoints, init.entrypoint)) {
    const names = Object.keys(entrypoints);
    throw new EntrypointError(
      `policy.wasm has no entrypoint ${JSON.stringify(init.entrypoint)}; it has ${names.length ? names.map((n) => JSON.stringify(n)).join(', ') : 'none'}`,
    );
  }
  const exports = (policy.wasmInstance as unknown as { exports: Record<string, unknown> }).exports;
  const major = globalValue(exports.opa_wasm_abi_version);
  const minor = globalValue(exports.opa_wasm_abi_minor_version);
  if (minor >= 2 && typeof exports.opa_eval !== 'function') {
    throw new Error(`policy.wasm declares ABI 1.${minor} but does not export opa_eval`);
  }
  policy.setData(encode(init.dataJson));
  return { policy, entrypointId: entrypoints[init.entrypoint], abiVersion: `${major}.${minor}` };
}

function readEntrypoints(policy: LoadedPolicy): Record<string, number> {
  const value: unknown = policy.entrypoints;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('policy.wasm lists its entrypoints as something other than an object');
  }
  for (const id of Object.values(value)) {
    if (typeof id !== 'number') throw new Error('policy.wasm lists an entrypoint without a numeric id');
  }
  return value as Record<string, number>;
}

function globalValue(global: unknown): number {
  const value = typeof global === 'number' ? global : (global as { value?: unknown } | undefined)?.value;
  return typeof value === 'number' ? value : -1;
}

function encode(text: string): ArrayBuffer {
  const bytes = new TextEncoder().encode(text);
  return bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength ? bytes.buffer : bytes.slice().buffer;
}

/** The SDK throws strings (opa_abort), plain objects (missing builtins) and Errors (traps). */
function describe(err: unknown): string {
  let text: string;
  if (err instanceof Error) text = err.name === 'Error' ? err.message : `${err.name}: ${err.message}`;
  else if (typeof err === 'string') text = err;
  else if (err !== null && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    text = (err as { message: string }).message;
  } else text = String(err);
  return truncate(text);
}

function truncate(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

async function serve(init: WorkerInit): Promise<void> {
  let loaded: Loaded;
  try {
    loaded = await instantiate(init);
  } catch (err) {
    post({ type: 'load-error', reason: err instanceof EntrypointError ? 'entrypoint' : 'load', message: describe(err) });
    return;
  }
  post({ type: 'ready', entrypoints: Object.keys(loaded.policy.entrypoints as object), abiVersion: loaded.abiVersion });
  let queue = Promise.resolve();
  port?.on('message', (request: EvalRequest) => {
    queue = queue.then(async () => {
      try {
        const value: unknown = loaded.policy.evaluate(request.input ?? undefined, loaded.entrypointId);
        post({ type: 'result', id: request.id, value });
      } catch (err) {
        post({ type: 'error', id: request.id, message: describe(err) });
        try {
          loaded = await instantiate(init);
        } catch (reloadErr) {
          post({ type: 'fatal', message: `the policy could not be instantiated again: ${describe(reloadErr)}` });
          process.exit(1);
        }
      }
    });
  });
}

void serve(workerData as WorkerInit);
