import { transformFileSync } from '@swc/core';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitObjectReader } from '../../src/source/git-object-reader';
import type { RawCommit } from '../../src/verification/commit-verifier';
import { verifyCommits as verifyInTs } from '../../src/verification/batch-verifier';
import type { TrustStore } from '../../src/verification/trust-store';
import { historyRepo, makeSignedHistory } from '../fixtures/signed-history';
import { fixtureTrustRecords, fixtureTrustStore } from './trust-support';

type BatchModule = typeof import('../../src/verification/batch-verifier');
type StoreModule = typeof import('../../src/verification/trust-store');

/**
 * Worker threads need JavaScript files, which vitest (running TypeScript) does not have: the
 * verification sources are compiled with SWC into a folder inside the project (so `openpgp`
 * resolves) and the compiled batch verifier is run with real worker threads.
 */
function compileVerification(): string {
  const root = process.cwd();
  const out = mkdtempSync(join(root, 'node_modules', '.cache-gitseal-workers-'));
  for (const folder of ['src/verification', 'src/common', 'src/source', 'src/cli']) {
    for (const file of readdirSync(join(root, folder))) {
      if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
      const { code } = transformFileSync(join(root, folder, file), {
        jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022', transform: { decoratorMetadata: true } },
        module: { type: 'commonjs' },
        sourceMaps: false,
      });
      const target = join(out, folder, file.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
    }
  }
  return out;
}

describe('verifyCommits over worker threads', () => {
  let compiled: string;
  let batch: BatchModule;
  let stores: StoreModule;
  let history: string;
  let commits: RawCommit[];
  let trust: TrustStore;

  beforeAll(async () => {
    compiled = compileVerification();
    const req = createRequire(join(process.cwd(), 'package.json'));
    batch = req(join(compiled, 'src/verification/batch-verifier.js')) as BatchModule;
    stores = req(join(compiled, 'src/verification/trust-store.js')) as StoreModule;
    history = mkdtempSync(join(tmpdir(), 'gitseal-workers-'));
    const made = await makeSignedHistory(history, { count: 40, key: 'ed25519' });
    const reader = new GitObjectReader(historyRepo(made));
    const objects = await reader.readMany(made.shas);
    await reader.close();
    commits = objects.map((o) => ({ sha: o.sha, raw: o.status === 'ok' ? o.data : Buffer.alloc(0) }));
    const forged = Buffer.from(commits[3].raw.toString().replace('change 4', 'change 4!'));
    const unsigned = Buffer.from(commits[5].raw.toString().replace(/gpgsig [\s\S]*?-----END PGP SIGNATURE-----\n/, ''));
    commits.push({ sha: 'f'.repeat(40), raw: forged }, { sha: 'e'.repeat(40), raw: unsigned }, { sha: 'd'.repeat(40), raw: Buffer.from('junk') });
    trust = await fixtureTrustStore();
  });
  afterAll(() => {
    rmSync(compiled, { recursive: true, force: true });
    rmSync(history, { recursive: true, force: true });
  });

  it('gives the same answers, in order, as verifying in one thread', async () => {
    const now = new Date();
    const store = await stores.TrustStore.fromRecords(fixtureTrustRecords());
    const pooled = await batch.verifyCommits(commits, store, { now, workers: 2, minBatchForWorkers: 1 });
    const inThread = await verifyInTs(commits, trust, { now, workers: 0 });
    expect(pooled).toEqual(inThread);
    expect(pooled.slice(0, 40).every((r) => r.signature.status === 'good')).toBe(true);
    expect(pooled.slice(40).map((r) => r.signature.status)).toEqual(['bad', 'none', 'none']);
  });

  it('fails clearly when a worker cannot do its work', async () => {
    const broken = { records: () => [{ armoredKey: 'not a key', roles: ['committer'], source: 'broken' }] } as unknown as TrustStore;
    await expect(batch.verifyCommits(commits, broken, { now: new Date(), workers: 2, minBatchForWorkers: 1 })).rejects.toMatchObject({
      code: 'worker-failed',
      message: expect.stringMatching(/worker failed: broken: expected one key/),
    });
  });

  it('verifies in this thread when no compiled worker exists (TypeScript sources)', async () => {
    const results = await verifyInTs(commits.slice(0, 3), trust, { now: new Date(), workers: 2, minBatchForWorkers: 1 });
    expect(results.map((r) => r.signature.status)).toEqual(['good', 'good', 'good']);
  });
});
