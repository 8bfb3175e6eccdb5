import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WasmBundleException } from './wasm-bundle.exception';
import type { EvalRequest, WorkerInit, WorkerMessage } from './worker-protocol';

/**
 * Runs the policy module in one worker thread and keeps it on a leash. Decisions run one at a
 * time; each has a deadline, and a worker that misses it is terminated (the only way to stop a
 * wasm loop) and a fresh one started in the background. A worker that dies (heap limit, crash)
 * is replaced on the next decision. The worker is unref'd while idle, so an engine nobody closed
 * does not keep the process alive.
 */
export interface PolicyWorkerOptions {
  init: WorkerInit;
  /** Deadline for starting a worker: instantiating the module and setting its data. */
  loadTimeoutMs: number;
  /** V8 old-generation heap of the worker (inputs, results and the SDK's JSON live there). */
  heapLimitMb: number;
  onPrint: (line: string) => void;
}

export type EvalReply = { kind: 'result'; value: unknown } | { kind: 'error'; message: string } | { kind: 'timeout' };

export interface WorkerReady {
  entrypoints: string[];
  abiVersion: string;
}

interface Live {
  worker: Worker;
  dead: boolean;
  pending: { id: number; settle: (reply: EvalReply) => void } | null;
}

export class PolicyWorkerHost {
  private current: Live | null = null;
  private spawning: Promise<Live> | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly options: PolicyWorkerOptions,
    readonly ready: WorkerReady,
  ) {}

  /** Starts the first worker; a module that cannot load fails here, as a WasmBundleException. */
  static async start(options: PolicyWorkerOptions): Promise<PolicyWorkerHost> {
    let ready: WorkerReady | undefined;
    const first = await spawnWorker(options, (r) => (ready = r));
    const host = new PolicyWorkerHost(options, ready as WorkerReady);
    host.adopt(first);
    return host;
  }

  /** Evaluates one input (UTF-8 JSON, transferred to the worker) within timeoutMs. Never throws. */
  evaluate(input: ArrayBuffer | null, timeoutMs: number): Promise<EvalReply> {
    const run = this.tail.then(() => this.runOne(input, timeoutMs));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.current?.pending?.settle({ kind: 'error', message: 'the wasm policy engine was closed during the evaluation' });
    if (this.current) await this.discard(this.current, false);
    await this.spawning?.catch(() => undefined);
  }

  private async runOne(input: ArrayBuffer | null, timeoutMs: number): Promise<EvalReply> {
    if (this.closed) return { kind: 'error', message: 'the wasm policy engine is closed' };
    let live: Live;
    try {
      live = await this.live();
    } catch (err) {
      return { kind: 'error', message: `the policy worker could not be started again: ${messageOf(err)}` };
    }
    if (live.dead) return { kind: 'error', message: 'the policy worker stopped before the evaluation' };
    return new Promise<EvalReply>((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        settle({ kind: 'timeout' });
        void this.discard(live, true);
      }, timeoutMs);
      const settle = (reply: EvalReply) => {
        clearTimeout(timer);
        live.pending = null;
        if (!live.dead) live.worker.unref();
        resolve(reply);
      };
      live.pending = { id, settle };
      live.worker.ref();
      const request: EvalRequest = { type: 'eval', id, input };
      live.worker.postMessage(request, input ? [input] : []);
    });
  }

  private live(): Promise<Live> {
    if (this.current && !this.current.dead) return Promise.resolve(this.current);
    if (this.spawning === null) {
      this.spawning = spawnWorker(this.options, () => undefined).then(
        (live) => {
          this.spawning = null;
          if (this.closed) {
            void this.discard(live, false);
            throw new Error('the wasm policy engine is closed');
          }
          this.adopt(live);
          return live;
        },
        (err: unknown) => {
          this.spawning = null;
          throw err;
        },
      );
    }
    return this.spawning;
  }

  /** Wires a ready worker's replies, prints and death to this host. */
  private adopt(live: Live): void {
    this.current = live;
    live.worker.unref();
    live.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'print') {
        print(this.options, message.line);
      } else if (message.type === 'result' && live.pending?.id === message.id) {
        live.pending.settle({ kind: 'result', value: message.value });
      } else if (message.type === 'error' && live.pending?.id === message.id) {
        live.pending.settle({ kind: 'error', message: message.message });
      } else if (message.type === 'fatal') {
        this.died(live, message.message);
      }
    });
    live.worker.on('error', (err) => this.died(live, `the policy worker failed: ${messageOf(err)}`));
    live.worker.on('exit', (code) => this.died(live, `the policy worker stopped (exit code ${code})`));
  }

  private died(live: Live, message: string): void {
    live.dead = true;
    if (this.current === live) this.current = null;
    live.pending?.settle({ kind: 'error', message });
  }

  /** Terminates a worker; after a timeout, starts its successor at once so the next decision need not wait. */
  private async discard(live: Live, respawn: boolean): Promise<void> {
    live.dead = true;
    if (this.current === live) this.current = null;
    if (respawn && !this.closed) void this.live().catch(() => undefined);
    await live.worker.terminate().catch(() => undefined);
  }
}

function spawnWorker(options: PolicyWorkerOptions, onReady: (ready: WorkerReady) => void): Promise<Live> {
  const file = workerFile();
  const worker = new Worker(file, {
    workerData: options.init,
    resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    // From source (tests), Node strips the types and warns that the .ts file is an ES module.
    execArgv: file.endsWith('.ts') ? ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON'] : undefined,
  });
  // An 'error' event with no listener would crash the process; failures are handled by the
  // listeners below and in adopt(), and this one stays for a worker being thrown away.
  worker.on('error', () => undefined);
  return new Promise<Live>((resolve, reject) => {
    // Remove only our own listeners: Worker keeps internal ones that ref its message port.
    const detach = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const fail = (err: WasmBundleException) => {
      detach();
      void worker.terminate().catch(() => undefined);
      reject(err);
    };
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'print') {
        print(options, message.line);
      } else if (message.type === 'ready') {
        detach();
        onReady({ entrypoints: message.entrypoints, abiVersion: message.abiVersion });
        resolve({ worker, dead: false, pending: null });
      } else if (message.type === 'load-error') {
        fail(new WasmBundleException(message.reason, message.message));
      } else {
        fail(new WasmBundleException('load', `the policy worker sent ${message.type} before it was ready`));
      }
    };
    const onError = (err: Error) => fail(new WasmBundleException('load', `the policy worker failed: ${messageOf(err)}`));
    const onExit = (code: number) =>
      fail(new WasmBundleException('load', `the policy worker stopped while loading (exit code ${code})`));
    const timer = setTimeout(
      () => fail(new WasmBundleException('load', `loading policy.wasm took longer than ${options.loadTimeoutMs} ms`)),
      options.loadTimeoutMs,
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** opa-policy.worker.js beside the compiled code, or the .ts source when running from source. */
function workerFile(): string {
  return join(__dirname, `opa-policy.worker${__filename.endsWith('.ts') ? '.ts' : '.js'}`);
}

/** A throwing print callback must not become an uncaught exception in an event handler. */
function print(options: PolicyWorkerOptions, line: string): void {
  try {
    options.onPrint(line);
  } catch {
    // the line is dropped; evaluation goes on
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
