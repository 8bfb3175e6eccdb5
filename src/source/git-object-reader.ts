import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { assertObjectId, DEFAULT_GIT_TIMEOUT_MS, gitEnv, GitException } from './git-rev';

export type GitObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export type GitObjectResult =
  | { status: 'ok'; sha: string; type: GitObjectType; size: number; data: Buffer }
  | { status: 'missing'; sha: string }
  | { status: 'too-large'; sha: string; type: GitObjectType; size: number };

export interface GitObjectReaderOptions {
  /** Objects larger than this are reported `too-large` and never read (default 32 MiB). */
  maxObjectBytes?: number;
  /** Time allowed for one round trip to git (default 60 s); on expiry the process is killed. */
  timeoutMs?: number;
  /** Bytes of object content requested per round trip (default 64 MiB). */
  roundBytes?: number;
  /** Base environment (default: this process's); see gitEnv(). */
  env?: NodeJS.ProcessEnv;
}

const OBJECT_TYPES = new Set<string>(['commit', 'tree', 'blob', 'tag']);
const MAX_HEADER_LINE = 1024;

/**
 * Reads raw objects by id through ONE long-running `git cat-file --batch-command --buffer`
 * process per repository (git ≥ 2.36). Each call sends `info` for every id (sizes first, so an
 * object over the cap is never read), then `contents` for the ones within the cap, each followed
 * by `flush`. Binary-safe; calls are serialised; if git dies or hangs the pending call fails with
 * a GitException and the next call starts a new process. Call close() when done.
 */
export class GitObjectReader {
  private process: BatchProcess | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly maxObjectBytes: number;
  private readonly timeoutMs: number;
  private readonly roundBytes: number;

  constructor(
    readonly repoPath: string,
    private readonly options: GitObjectReaderOptions = {},
  ) {
    this.maxObjectBytes = options.maxObjectBytes ?? 32 * 1024 * 1024;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
    this.roundBytes = Math.max(options.roundBytes ?? 64 * 1024 * 1024, this.maxObjectBytes);
  }

  async read(sha: string): Promise<GitObjectResult> {
    const [result] = await this.readMany([sha]);
    return result;
  }

  /** Objects in the order asked (duplicates allowed). Ids must be full lower-case hex. */
  async readMany(shas: readonly string[]): Promise<GitObjectResult[]> {
    if (this.closed) throw new GitException('git-process-died', 'the object reader is closed');
    const ids = shas.map((s) => assertObjectId(s));
    const run = this.queue.then(() => this.readBatch(ids));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The running git process id, if any (diagnostics and tests). */
  processId(): number | undefined {
    return this.process?.dead === false ? this.process.pid : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.process?.end();
    this.process = undefined;
  }

  private async readBatch(ids: string[]): Promise<GitObjectResult[]> {
    if (ids.length === 0) return [];
    const proc = this.ensureProcess();
    proc.ref();
    try {
      const infos = await this.withTimeout(proc, () => proc.info(ids));
      const results: GitObjectResult[] = infos.map((info, i) => {
        if (info === 'missing') return { status: 'missing', sha: ids[i] };
        if (info.size > this.maxObjectBytes) return { status: 'too-large', sha: ids[i], ...info };
        return { status: 'ok', sha: ids[i], ...info, data: EMPTY };
      });
      for (const round of this.rounds(results)) {
        const data = await this.withTimeout(proc, () => proc.contents(round.map((r) => results[r]) as OkResult[]));
        round.forEach((r, k) => ((results[r] as OkResult).data = data[k]));
      }
      return results;
    } catch (err) {
      proc.kill();
      if (this.process === proc) this.process = undefined;
      throw err;
    } finally {
      proc.unref();
    }
  }

  /** Indexes of readable objects, grouped so that one round asks for at most roundBytes. */
  private rounds(results: GitObjectResult[]): number[][] {
    const rounds: number[][] = [];
    let current: number[] = [];
    let bytes = 0;
    results.forEach((r, i) => {
      if (r.status !== 'ok') return;
      if (current.length > 0 && bytes + r.size > this.roundBytes) {
        rounds.push(current);
        current = [];
        bytes = 0;
      }
      current.push(i);
      bytes += r.size;
    });
    if (current.length > 0) rounds.push(current);
    return rounds;
  }

  private ensureProcess(): BatchProcess {
    if (!this.process || this.process.dead) this.process = new BatchProcess(this.repoPath, gitEnv(this.options.env));
    return this.process;
  }

  private async withTimeout<T>(proc: BatchProcess, work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        proc.kill();
        reject(new GitException('git-timeout', `git cat-file did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([work(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

type OkResult = Extract<GitObjectResult, { status: 'ok' }>;
const EMPTY = Buffer.alloc(0);

/** One `git cat-file --batch-command --buffer` process and a parser over its stdout. */
class BatchProcess {
  dead = false;
  readonly pid: number | undefined;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly output = new ByteQueue();
  private stderr = '';

  constructor(repo: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('git', ['-C', repo, 'cat-file', '--batch-command', '--buffer'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.child.stdout.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 8192) this.stderr += chunk.toString('utf8');
    });
    this.child.stdin.on('error', () => undefined); // reported through 'close'
    const died = (why: string) => {
      this.dead = true;
      this.output.fail(new GitException('git-process-died', `git cat-file ${why}${this.stderr ? `: ${this.stderr.trim().slice(0, 500)}` : ''}`));
    };
    this.child.on('error', (e) => died(`could not run: ${e.message}`));
    this.child.on('close', (code, signal) => died(signal ? `was killed (${signal})` : `exited (${code})`));
  }

  async info(ids: string[]): Promise<Array<{ type: GitObjectType; size: number } | 'missing'>> {
    await this.send(`${ids.map((id) => `info ${id}\n`).join('')}flush\n`);
    const answers: Array<{ type: GitObjectType; size: number } | 'missing'> = [];
    for (const id of ids) answers.push(parseHeader(await this.output.readLine(MAX_HEADER_LINE), id));
    return answers;
  }

  async contents(objects: OkResult[]): Promise<Buffer[]> {
    await this.send(`${objects.map((o) => `contents ${o.sha}\n`).join('')}flush\n`);
    const data: Buffer[] = [];
    for (const o of objects) {
      const header = parseHeader(await this.output.readLine(MAX_HEADER_LINE), o.sha);
      if (header === 'missing' || header.type !== o.type || header.size !== o.size) {
        throw new GitException('git-protocol', `git cat-file answered ${o.sha} inconsistently`);
      }
      data.push(await this.output.readBytes(o.size));
      const newline = await this.output.readBytes(1);
      if (newline[0] !== 0x0a) throw new GitException('git-protocol', `git cat-file: no newline after ${o.sha}`);
    }
    return data;
  }

  ref(): void {
    this.streams().forEach((s) => s.ref?.());
    this.child.ref();
  }

  /** Lets the program exit while the process is idle. */
  unref(): void {
    this.streams().forEach((s) => s.unref?.());
    this.child.unref();
  }

  kill(): void {
    if (!this.dead) this.child.kill('SIGKILL');
    this.dead = true;
  }

  async end(): Promise<void> {
    if (this.dead) return;
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.kill(), 5_000);
    await closed;
    clearTimeout(timer);
  }

  private streams(): Array<Partial<Pick<Socket, 'ref' | 'unref'>>> {
    return [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as Array<Partial<Pick<Socket, 'ref' | 'unref'>>>;
  }

  private send(text: string): Promise<void> {
    if (this.dead) return Promise.reject(new GitException('git-process-died', 'git cat-file is not running'));
    return new Promise((resolve, reject) => {
      const ok = this.child.stdin.write(text, (err) => {
        if (err) reject(new GitException('git-process-died', `cannot write to git cat-file: ${err.message}`));
      });
      if (ok) resolve();
      else this.child.stdin.once('drain', () => resolve());
    });
  }
}

function parseHeader(line: string, expected: string): { type: GitObjectType; size: number } | 'missing' {
  const parts = line.split(' ');
  if (parts[0] !== expected) throw new GitException('git-protocol', `git cat-file answered '${line.slice(0, 100)}' for ${expected}`);
  if (parts.length === 2 && parts[1] === 'missing') return 'missing';
  const size = Number(parts[2]);
  if (parts.length !== 3 || !OBJECT_TYPES.has(parts[1]) || !/^\d+$/.test(parts[2] ?? '') || !Number.isSafeInteger(size)) {
    throw new GitException('git-protocol', `git cat-file answered '${line.slice(0, 100)}' for ${expected}`);
  }
  return { type: parts[1] as GitObjectType, size };
}

/**
 * Bytes arriving from a stream, consumed as lines or exact byte counts by one reader at a time.
 * Chunks are kept as they arrive and joined only when a read needs them.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiter: { need: () => boolean; resolve: () => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.waiter?.need() === false) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve();
    }
  }

  fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  /** The next line without its newline; a line longer than `max` is a protocol error. */
  async readLine(max: number): Promise<string> {
    for (;;) {
      const at = this.indexOfNewline(max);
      if (at >= 0) {
        const line = this.take(at + 1);
        return line.subarray(0, at).toString('utf8');
      }
      if (this.length > max) throw new GitException('git-protocol', 'git cat-file printed an overlong line');
      const seen = this.length;
      await this.wait(() => this.length === seen);
    }
  }

  async readBytes(n: number): Promise<Buffer> {
    if (this.length < n) await this.wait(() => this.length < n);
    return this.take(n);
  }

  private wait(need: () => boolean): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiter = { need, resolve, reject }));
  }

  private indexOfNewline(max: number): number {
    let offset = 0;
    for (const chunk of this.chunks) {
      const at = chunk.indexOf(0x0a);
      if (at >= 0) return offset + at;
      offset += chunk.length;
      if (offset > max) return -1;
    }
    return -1;
  }

  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[0];
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.length -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    this.length -= n;
    return out;
  }
}
