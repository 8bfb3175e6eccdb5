import { parentPort } from 'node:worker_threads';
import { parseBatch, type ParseBatch } from './manifest-parse-pool';

/** Worker thread of manifest-parse-pool.ts: parses each batch of manifest files and answers it. */
parentPort?.on('message', (batch: ParseBatch) => {
  const reply = parseBatch(batch);
  parentPort?.postMessage(reply, [reply.canonical]);
});
