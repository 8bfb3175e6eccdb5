import { parentPort, workerData } from 'node:worker_threads';
import { deserializeRecord, verifyInThread, type WorkerInput, type WorkerOutput } from './batch-verifier';
import { TrustStore } from './trust-store';

/** Worker thread of batch-verifier.ts: rebuilds the trust store, verifies its share, answers once. */
async function main(input: WorkerInput): Promise<WorkerOutput> {
  try {
    const trust = await TrustStore.fromRecords(input.records.map(deserializeRecord));
    const commits = input.commits.map((c) => ({ sha: c.sha, raw: Buffer.from(c.raw.buffer, c.raw.byteOffset, c.raw.byteLength) }));
    return { ok: true, results: await verifyInThread(commits, trust, new Date(input.now)) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

void main(workerData as WorkerInput).then((output) => parentPort?.postMessage(output));
