import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { verifyCommit, type RawCommit } from './commit-verifier';
import type { TrustRecord, TrustStore } from './trust-store';
import { VerificationException } from './verification.exception';
import type { CommitVerification } from './verification.types';

/**
 * Verifies many commits. In this thread, the signature checks already run in parallel as
 * WebCrypto jobs on libuv's thread pool, which on two cores is as fast as worker threads (see
 * bench/signatures.bench.ts); with more cores, large batches are spread over worker threads (each
 * rebuilds the trust store once from its records and verifies a contiguous share) so that the
 * parsing runs in parallel too. Results come back in input order and are identical either way.
 */
export interface BatchOptions {
  now: Date;
  /** Worker threads; 0 verifies in this thread. Default: parallelism − 1 (max 8) when above 2 cores, else 0. */
  workers?: number;
  /** Batches smaller than this are verified in this thread (default 1000). */
  minBatchForWorkers?: number;
}

function defaultWorkers(): number {
  const cores = availableParallelism();
  return cores > 2 ? Math.min(cores - 1, 8) : 0;
}

/** A trust record as it crosses a thread boundary (dates as ISO strings). */
export interface SerializedTrustRecord {
  armoredKey: string;
  roles: TrustRecord['roles'];
  validFrom: string | null;
  validUntil: string | null;
  revokedAt: string | null;
  source: string;
}

export interface WorkerInput {
  records: SerializedTrustRecord[];
  now: string;
  commits: Array<{ sha: string; raw: Uint8Array }>;
}

export type WorkerOutput = { ok: true; results: CommitVerification[] } | { ok: false; error: string };

const WORKER_FILE = join(__dirname, 'verify.worker.js');

export async function verifyCommits(commits: readonly RawCommit[], trust: TrustStore, options: BatchOptions): Promise<CommitVerification[]> {
  const workers = Math.min(options.workers ?? defaultWorkers(), commits.length);
  const useWorkers = workers > 0 && commits.length >= (options.minBatchForWorkers ?? 1000) && existsSync(WORKER_FILE);
  if (!useWorkers) return verifyInThread(commits, trust, options.now);
  const records = trust.records().map(serializeRecord);
  const shares = split(commits, workers);
  const results = await Promise.all(
    shares.map((share) => runWorker({ records, now: options.now.toISOString(), commits: share.map((c) => ({ sha: c.sha, raw: c.raw })) })),
  );
  return results.flat();
}

/**
 * Verifies in this thread, CONCURRENCY commits in flight at once: the signature checks run as
 * WebCrypto jobs on libuv's thread pool, so overlapping them keeps every core busy instead of
 * waiting for one job at a time.
 */
export async function verifyInThread(commits: readonly RawCommit[], trust: TrustStore, now: Date): Promise<CommitVerification[]> {
  const results = new Array<CommitVerification>(commits.length);
  let next = 0;
  const lane = async () => {
    while (next < commits.length) {
      const i = next++;
      results[i] = await verifyCommit(commits[i], trust, { now });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, commits.length) }, lane));
  return results;
}

const CONCURRENCY = 32;

export function serializeRecord(record: TrustRecord): SerializedTrustRecord {
  return {
    armoredKey: record.armoredKey,
    roles: record.roles,
    validFrom: record.validFrom?.toISOString() ?? null,
    validUntil: record.validUntil?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    source: record.source,
  };
}

export function deserializeRecord(record: SerializedTrustRecord): TrustRecord {
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return { ...record, validFrom: date(record.validFrom), validUntil: date(record.validUntil), revokedAt: date(record.revokedAt) };
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  const shares: T[][] = [];
  for (let i = 0; i < items.length; i += size) shares.push(items.slice(i, i + size));
  return shares;
}

function runWorker(input: WorkerInput): Promise<CommitVerification[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: input });
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(new VerificationException('worker-failed', `signature verification worker failed: ${why}`));
    };
    worker.once('message', (output: WorkerOutput) => {
      if (output.ok) {
        settled = true;
        resolve(output.results);
        void worker.terminate();
      } else fail(output.error);
    });
    worker.once('error', (err) => fail(err.message));
    worker.once('exit', (code) => fail(`exited with code ${code} before answering`));
  });
}
