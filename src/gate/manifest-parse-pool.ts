import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { canonicalize } from '../ledger/canonical-json';
import { parseManifest, type ParseRequest, type ParseResult } from './manifest-parse';

/**
 * Parses manifest files, in a worker thread when a run has many to parse (the YAML parser then
 * runs on the other core, beside the signature checks and the policy evaluation of this thread),
 * else in this thread. The worker runs the same parser (manifest-parse.ts), so the results are
 * the same either way; should the worker fail, its files are parsed here. Batches keep their
 * order: one message per batch, the bytes of all its files in one transferred buffer. The worker
 * is shared by the runs of this process and ends after a minute unused, so a service deciding
 * range after range keeps a parser that is warm (compiled) without holding a thread for ever.
 */
export type ParseMode = 'auto' | 'worker' | 'thread';

/** Fewer files than this are parsed in this thread (starting a worker costs some 50 ms). */
export const MIN_FILES_FOR_WORKER = 200;
const IDLE_MS = 60_000;

const WORKER_FILE = join(__dirname, 'manifest-parse.worker.js');

export interface ParseBatch {
  id: number;
  buffer: ArrayBuffer;
  files: Array<{ path: string; start: number; end: number }>;
}

export interface ParseReply {
  id: number;
  results: ParseResult[];
  /** The entries' RFC 8785 canonical forms (UTF-8) in one buffer, transferred. */
  canonical: ArrayBuffer;
  /** Per result, per entry: [start, end) in `canonical`, or null when it has none (the input hash then finds out why). */
  spans: Array<Array<[number, number] | null>>;
}

/** A file's objects and, when a worker parsed it, each entry's canonical bytes (for the input hash). */
export interface PooledResult extends ParseResult {
  canonical: Array<Buffer | null> | null;
}

interface Waiting {
  requests: ParseRequest[];
  resolve(results: PooledResult[]): void;
}

/** One run's view: decides whether its files go to the shared worker. */
export class ManifestParsePool {
  private worker: ParseWorker | null = null;

  constructor(private readonly mode: ParseMode = 'auto') {}

  /** Says how many files are about to be parsed: uses the worker when that pays. */
  expect(files: number): void {
    if (this.worker || this.mode === 'thread' || !existsSync(WORKER_FILE)) return;
    if (this.mode === 'worker' || (files >= MIN_FILES_FOR_WORKER && availableParallelism() > 1)) {
      this.worker = ParseWorker.acquire();
    }
  }

  /** True when a worker parses (results then arrive later; in this thread they are ready at once). */
  get inWorker(): boolean {
    return this.worker !== null;
  }

  /** Parses the files in order; never rejects (a file that does not parse is a problem in its result). */
  parseMany(requests: ParseRequest[]): Promise<PooledResult[]> {
    if (!this.worker || requests.length === 0) return Promise.resolve(requests.map(parseHere));
    return this.worker.parse(requests);
  }

  /** Done with it: the worker stays for the next run a while (it never keeps the process alive). */
  close(): void {
    this.worker?.release();
    this.worker = null;
  }
}

/** The process's parse worker thread. */
class ParseWorker {
  private static current: ParseWorker | null = null;
  private readonly thread: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private batches = 0;
  private users = 0;
  private idle: NodeJS.Timeout | undefined;
  private dead = false;

  static acquire(): ParseWorker {
    if (!ParseWorker.current || ParseWorker.current.dead) ParseWorker.current = new ParseWorker();
    const worker = ParseWorker.current;
    worker.users++;
    clearTimeout(worker.idle);
    return worker;
  }

  private constructor() {
    this.thread = new Worker(WORKER_FILE);
    this.thread.on('message', (reply: ParseReply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      waiting.resolve(unpack(reply));
      if (this.waiting.size === 0) this.thread.unref();
    });
    this.thread.on('error', () => this.end());
    this.thread.on('exit', () => this.end());
    this.thread.unref();
  }

  parse(requests: ParseRequest[]): Promise<PooledResult[]> {
    if (this.dead) return Promise.resolve(requests.map(parseHere));
    const id = this.batches++;
    const batch = pack(id, requests);
    return new Promise<PooledResult[]>((resolve) => {
      this.waiting.set(id, { requests, resolve });
      this.thread.ref(); // a batch in flight keeps the process alive until it is answered
      this.thread.postMessage(batch, [batch.buffer]);
    });
  }

  release(): void {
    if (--this.users > 0 || this.dead) return;
    this.idle = setTimeout(() => void this.thread.terminate(), IDLE_MS);
    this.idle.unref();
  }

  /** Whatever the worker did not answer is parsed here; the next run starts a new worker. */
  private end(): void {
    this.dead = true;
    clearTimeout(this.idle);
    const left = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of left) w.resolve(w.requests.map(parseHere));
  }
}

/** The files' bytes copied into one buffer of their own, which is transferred, not cloned. */
function pack(id: number, requests: ParseRequest[]): ParseBatch {
  const total = requests.reduce((n, r) => n + r.data.byteLength, 0);
  const bytes = new Uint8Array(total);
  const files: ParseBatch['files'] = [];
  let at = 0;
  for (const r of requests) {
    bytes.set(r.data, at);
    files.push({ path: r.path, start: at, end: at + r.data.byteLength });
    at += r.data.byteLength;
  }
  return { id, buffer: bytes.buffer, files };
}

function parseHere(request: ParseRequest): PooledResult {
  return { ...parseManifest(request), canonical: null };
}

function unpack(reply: ParseReply): PooledResult[] {
  const canonical = Buffer.from(reply.canonical);
  return reply.results.map((result, i) => ({
    ...result,
    canonical: reply.spans[i].map((span) => (span ? canonical.subarray(span[0], span[1]) : null)),
  }));
}

/**
 * The worker's side: one batch in, its results out, in order, with the canonical form of every
 * entry (the same function of the same values as in the parent thread: structured cloning keeps
 * every JSON value, key order and shared node; a form that cannot be made is left to the parent).
 */
export function parseBatch(batch: ParseBatch): ParseReply {
  const bytes = new Uint8Array(batch.buffer);
  const results = batch.files.map((f) => parseManifest({ path: f.path, data: bytes.subarray(f.start, f.end) }));
  const forms: Buffer[] = [];
  let at = 0;
  const spans = results.map((r) =>
    r.entries.map((entry): [number, number] | null => {
      let form: Buffer;
      try {
        form = Buffer.from(canonicalize(entry), 'utf8');
      } catch {
        return null;
      }
      forms.push(form);
      at += form.length;
      return [at - form.length, at];
    }),
  );
  const canonical = new Uint8Array(at);
  let offset = 0;
  for (const form of forms) {
    canonical.set(form, offset);
    offset += form.length;
  }
  return { id: batch.id, results, canonical: canonical.buffer, spans };
}
