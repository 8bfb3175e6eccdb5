import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as EngineModule from '../../src/gate/gate-engine';
import type { CommitDecision, GateRange } from '../../src/gate/gate.types';
import type * as ApprovalsModule from '../../src/gate/approval-provider';
import type * as PoolModule from '../../src/gate/manifest-parse-pool';
import type { ParseRequest } from '../../src/gate/manifest-parse';
import { canonicalize } from '../../src/ledger/canonical-json';
import type * as RegoModule from '../../src/policy/rego-policy-engine';
import type * as ReaderModule from '../../src/source/git-object-reader';
import type * as TrustModule from '../../src/verification/trust-store';
import { fixtureTrustRecords } from '../verification/trust-support';
import { compileCli, type CompiledCli } from './support/compiled-cli';
import { deployment, GateFixture, TEST_POLICY, writePolicies } from './support/gate-fixture';

/**
 * The manifest parse worker runs from compiled JavaScript only (its thread loads
 * `manifest-parse.worker.js`), so these tests load the gate from the tree compiled as
 * `npm run build` compiles it, and hold the worker to the same results as this thread.
 */
const FILES: Array<[string, string]> = [
  ['deploy/web.yaml', deployment('web', 'registry.example.com/web:1.0')],
  ['deploy/two.yaml', `${deployment('a', 'nginx:1.27')}\n---\n${deployment('b', 'nginx:latest')}`],
  ['deploy/broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: [x\n'],
  ['deploy/scalar.yaml', 'just a string\n'],
  ['deploy/list.yaml', 'apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: x } }\n  - { apiVersion: v1, kind: Secret, metadata: { name: y } }\n'],
  ['deploy/cm.json', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j","labels":{"z":"1","a":"2"}},"data":{"é":"ü","n":"1e3"}}'],
  ['deploy/alias.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m { name: al }\ndata: { copy: "x" }\nextra: *m\n'],
  ['deploy/inf.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: n }\ndata: { v: .inf }\n'],
  ['deploy/latin1.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: "\xff\xfe" }\n'],
  ['deploy/empty.yaml', ''],
  ['deploy/proto.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: p, labels: { __proto__: { polluted: "yes" } } }\ndata: { constructor: x }\n'],
];

function requests(count: number): ParseRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const [path, text] = FILES[i % FILES.length];
    return { path: path.replace(/(\.\w+)$/, `-${i}$1`), data: Buffer.from(text.replaceAll('web', `web${i}`), 'latin1') };
  });
}

describe('manifest parsing in a worker thread', () => {
  let cli: CompiledCli;
  const load = <T>(path: string): T => require(join(cli.root, path)) as T;

  beforeAll(() => {
    cli = compileCli();
  });
  afterAll(() => cli?.cleanup());

  it('gives exactly the results of this thread, with each entry canonical bytes', async () => {
    const { ManifestParsePool } = load<typeof PoolModule>('src/gate/manifest-parse-pool.js');
    const files = requests(250);
    const worker = new ManifestParsePool('worker');
    const here = new ManifestParsePool('thread');
    worker.expect(files.length);
    here.expect(files.length);
    expect([worker.inWorker, here.inWorker]).toEqual([true, false]);
    try {
      const [fromWorker, fromHere] = await Promise.all([worker.parseMany(files), here.parseMany(files)]);
      expect(fromWorker.map(({ canonical: _, ...r }) => r)).toEqual(fromHere.map(({ canonical: _, ...r }) => r));
      expect(fromHere.every((r) => r.canonical === null)).toBe(true);
      const problems = fromWorker.filter((r) => r.problem !== null).map((r) => r.problem);
      expect(problems.length).toBeGreaterThan(50); // the broken, scalar, .inf files
      expect(problems.join('\n')).toMatch(/broken-2\.yaml/);
      // a key named __proto__ stays a key on both sides, never a prototype
      const proto = fromWorker[10].entries[0].object.metadata as { labels: object };
      expect(Object.keys(proto.labels)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(proto.labels)).toBe(Object.prototype);
      expect(fromWorker[10].canonical?.[0]?.toString('utf8')).toContain('"labels":{"__proto__":{"polluted":"yes"}}');
      for (const r of fromWorker) {
        expect(r.canonical).toHaveLength(r.entries.length);
        r.entries.forEach((e, i) => expect(r.canonical?.[i]?.toString('utf8')).toBe(canonicalize(e)));
      }
    } finally {
      worker.close();
      here.close();
    }
  });

  it('parses a few files in this thread unless told otherwise', () => {
    const { ManifestParsePool, MIN_FILES_FOR_WORKER } = load<typeof PoolModule>('src/gate/manifest-parse-pool.js');
    const auto = new ManifestParsePool('auto');
    auto.expect(MIN_FILES_FOR_WORKER - 1);
    expect(auto.inWorker).toBe(false);
    auto.close();
  });

  it('never keeps a finished process alive (a CLI run ends when its work does)', () => {
    const script = `
      const { ManifestParsePool } = require(${JSON.stringify(join(cli.root, 'src/gate/manifest-parse-pool.js'))});
      const pool = new ManifestParsePool('worker');
      pool.expect(1);
      pool.parseMany([{ path: 'a.yaml', data: Buffer.from('apiVersion: v1\\nkind: ConfigMap\\nmetadata: { name: a }\\n') }])
        .then((r) => { pool.close(); process.stdout.write(r[0].entries[0].object.metadata.name + (pool.inWorker ? '' : ' closed')); });
    `;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.signal).toBeNull(); // killed by the timeout: the idle worker held the process
    expect(run.stdout).toBe('a closed');
    expect(run.status).toBe(0);
  });

  describe('the gate', () => {
    let f: GateFixture;
    let range: GateRange;

    beforeAll(async () => {
      f = await GateFixture.create(['ed25519', 'rsa3072', 'approver']);
      const anchor = await f.repo.commit({ message: 'root', sign: 'ed25519' });
      for (let i = 0; i < 12; i++) {
        const [path, text] = FILES[i % FILES.length];
        const files = { [path]: text, [`deploy/app-${i % 4}.yaml`]: deployment(`app${i}`, i % 5 === 3 ? 'nginx:latest' : 'nginx:1.27') };
        await f.repo.commit({ message: `change ${i}`, sign: i === 7 ? undefined : i % 2 === 0 ? 'ed25519' : 'rsa3072', files });
      }
      range = { anchor, head: await f.repo.head() };
    });
    afterAll(async () => {
      await f?.cleanup();
    });

    it('decides exactly as with the files parsed in this thread', async () => {
      const { decideRange } = load<typeof EngineModule>('src/gate/gate-engine.js');
      const { TrustStore } = load<typeof TrustModule>('src/verification/trust-store.js');
      const { RegoPolicyEngine } = load<typeof RegoModule>('src/policy/rego-policy-engine.js');
      const { NotesApprovalProvider } = load<typeof ApprovalsModule>('src/gate/approval-provider.js');
      const { GitObjectReader } = load<typeof ReaderModule>('src/source/git-object-reader.js');
      const trust = await TrustStore.fromRecords(fixtureTrustRecords());
      const loaded = RegoPolicyEngine.load(writePolicies({ 'test.rego': TEST_POLICY }));
      if (!loaded.ok) throw new Error(loaded.error.message);
      const now = new Date();
      const decide = async (manifestWorker: boolean): Promise<CommitDecision[]> => {
        const notes = new GitObjectReader(f.repo.dir);
        try {
          const approvals = new NotesApprovalProvider(f.repo.dir, notes);
          return await decideRange(f.repository(), range, { trust, policy: loaded.engine, approvals, now, manifestWorker });
        } finally {
          await notes.close();
        }
      };
      const [inWorker, inThread] = [await decide(true), await decide(false)];
      expect(inWorker).toEqual(inThread);
      expect(inWorker.map((d) => d.decision)).toContain('allow');
      expect(inWorker[2].reasons.map((r) => r.message).join('\n')).toMatch(/broken\.yaml/);
      expect(inWorker.map((d) => d.policy.inputHash)).toEqual(inThread.map((d) => d.policy.inputHash));
      // and as the sources run in this process (no worker file beside them: parsed in this thread)
      const fromSources = await f.decide(range, {}, { now });
      expect(inWorker.map((d) => [d.sha, d.decision, d.reasons, d.policy.inputHash])).toEqual(fromSources.map((d) => [d.sha, d.decision, d.reasons, d.policy.inputHash]));
    });
  });
});
