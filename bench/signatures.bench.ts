import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitObjectReader } from '../src/source/git-object-reader';
import { listCommits, runGit } from '../src/source/git-rev';
import { verifyCommits } from '../src/verification/batch-verifier';
import { TrustStore } from '../src/verification/trust-store';
import { fixtureKey } from '../test/fixtures/fixture-keys';
import { historyRepo, makeSignedHistory } from '../test/fixtures/signed-history';
import { runProcess } from '../test/fixtures/run-process';
import type { Bench } from './run';

/**
 * 2,000 Ed25519-signed commits (made once into a cache directory under the OS temp dir): gitseal's
 * in-process verification (reading the objects in batch, then verifying, in one thread and over
 * worker threads) against `git log --format=%G?` (git + gpg, one gpg process per commit), in the
 * same run. Issue 4 asks for at least 20× on signatures alone.
 */
const COUNT = Number(process.env.GITSEAL_BENCH_COMMITS ?? 2000);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

async function run(): Promise<void> {
  const cache = join(tmpdir(), `gitseal-bench-signatures-${COUNT}`);
  const made = await timed(() => makeSignedHistory(cache, { count: COUNT, key: 'ed25519' }));
  const repo = historyRepo(made.value);
  process.stdout.write(`repository: ${repo} (${COUNT} signed commits, ready in ${made.ms.toFixed(0)} ms)\n`);

  const trust = await TrustStore.fromRecords([
    { armoredKey: fixtureKey('ed25519').publicKey, roles: ['committer'], source: 'bench' },
  ]);
  const now = new Date();
  const shas = await listCommits(repo, { to: 'main' });
  const reader = new GitObjectReader(repo);
  const read = await timed(() => reader.readMany(shas));
  await reader.close();
  const raws = read.value.map((o) => {
    if (o.status !== 'ok') throw new Error(`cannot read ${o.sha}`);
    return { sha: o.sha, raw: o.data };
  });

  const single = await timed(() => verifyCommits(raws, trust, { now, workers: 0 }));
  const pooled = await timed(() => verifyCommits(raws, trust, { now, workers: 2, minBatchForWorkers: 1 }));
  for (const result of [...single.value, ...pooled.value]) {
    if (result.signature.status !== 'good') throw new Error(`${result.sha}: ${JSON.stringify(result.reasons)}`);
  }

  const gnupg = mkdtempSync('/tmp/gsb-');
  try {
    writeFileSync(join(gnupg, 'gpg.conf'), 'trust-model always\n');
    const env = { ...process.env, GNUPGHOME: gnupg, LC_ALL: 'C' };
    await runProcess('gpg', ['--batch', '--import', fixtureKey('ed25519').publicPath], { env });
    const baseline = await timed(() => runGit(repo, ['log', '--format=%G?', 'main'], { env, timeoutMs: 30 * 60_000 }));
    const marks = baseline.value.stdout.toString().trim().split('\n');
    if (marks.length !== COUNT || marks.some((m) => m !== 'G')) throw new Error(`git log %G? disagrees: ${marks.slice(0, 5).join(',')}`);

    const line = (label: string, ms: number) =>
      process.stdout.write(`${label.padEnd(52)} ${ms.toFixed(0).padStart(7)} ms  ${(baseline.ms / ms).toFixed(1).padStart(6)}× faster\n`);
    process.stdout.write(`${'git log --format=%G? (baseline, git + gpg)'.padEnd(52)} ${baseline.ms.toFixed(0).padStart(7)} ms\n`);
    line('read objects (one cat-file process)', read.ms);
    line('verify, one thread', single.ms);
    line('verify, 2 worker threads', pooled.ms);
    line('read + verify, one thread', read.ms + single.ms);
    process.stdout.write(`per commit: ${((single.ms * 1000) / COUNT).toFixed(0)} µs in one thread\n`);
  } finally {
    await runProcess('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: gnupg } }).catch(() => undefined);
    rmSync(gnupg, { recursive: true, force: true });
  }
}

export const bench: Bench = { name: 'signatures: 2,000 signed commits vs git log --format=%G?', run };
