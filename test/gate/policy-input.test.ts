import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputHash } from '../../src/gate/policy-input';
import { canonicalize } from '../../src/ledger/canonical-json';
import { fixtureKey } from '../fixtures/fixture-keys';
import { codes, GateFixture } from './support/gate-fixture';

const CM = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;

/** The policy input document (contracts §3 version 1) as the gate builds it from real commits. */
describe('policy input document', () => {
  let f: GateFixture;

  async function decideOne(files: Record<string, string | Buffer | null>, repo = {}, ctx = {}) {
    const anchor = await f.repo.head();
    const head = await f.repo.commit({ files, sign: 'ed25519', message: 'next' });
    const [d] = await f.decide({ anchor, head }, repo, ctx);
    return d;
  }

  beforeAll(async () => {
    f = await GateFixture.create(['ed25519', 'approver']);
    await f.repo.commit({ files: { 'deploy/base.yaml': CM('base'), 'README.md': 'hello' }, sign: 'ed25519', message: 'root' });
  });
  afterAll(async () => {
    await f?.cleanup();
  });

  it('has exactly the contract fields and shapes', async () => {
    const parent = await f.repo.head();
    const d = await decideOne({ 'deploy/app.yaml': `${CM('one')}---\n---\n${CM('two')}`, 'deploy/nested/svc.json': '{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc"}}' });
    await f.approve(d.sha, 'approver');
    const [approved] = await f.decide({ anchor: parent, head: d.sha });
    const input = approved.input!;
    const sha = d.sha;
    const tree = await f.repo.revParse(`${sha}^{tree}`);
    const alice = fixtureKey('ed25519').info;
    expect(Object.keys(input)).toEqual(['version', 'repository', 'commit', 'signature', 'approvals', 'changes', 'manifests', 'previous']);
    expect(input).toEqual({
      version: 1,
      repository: { id: 'shop-config', url: 'https://git.example.com/shop/config.git', branch: 'main' },
      commit: {
        sha,
        tree,
        parents: [parent],
        message: 'next\n',
        author: { name: 'Test Committer', email: 'committer@example.com', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
        committer: { name: 'Test Committer', email: 'committer@example.com', time: expect.stringMatching(/Z$/) },
      },
      signature: {
        status: 'good',
        format: 'openpgp',
        keyId: alice.signingKey.keyId,
        fingerprint: alice.fingerprint,
        signer: { name: 'Alice Ed25519', email: 'alice@example.com', roles: ['committer', 'approver'] },
        signedAt: expect.stringMatching(/Z$/),
      },
      approvals: [{ fingerprint: fixtureKey('approver').info.fingerprint, signer: { name: 'Dana Approver', email: 'dana@example.com', roles: ['approver'] }, signedAt: expect.any(String), source: 'git-note', seal: false }],
      changes: [
        { path: 'deploy/app.yaml', status: 'added', oldPath: null },
        { path: 'deploy/nested/svc.json', status: 'added', oldPath: null },
      ],
      manifests: [
        { path: 'deploy/app.yaml', index: 0, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } } },
        { path: 'deploy/app.yaml', index: 2, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } } },
        { path: 'deploy/base.yaml', index: 0, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'base' } } },
        { path: 'deploy/nested/svc.json', index: 0, object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } } },
      ],
      previous: { manifests: [{ path: 'deploy/base.yaml', index: 0, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'base' } } }] },
    });
    expect(approved.policy.inputHash).toBe(createHash('sha256').update(canonicalize(input)).digest('hex'));
    expect(inputHash(JSON.parse(JSON.stringify(input)))).toBe(approved.policy.inputHash);
  });

  it('reports renames and deletions against the first parent, outside the manifest path too', async () => {
    const d = await decideOne({ 'deploy/app.yaml': null, 'deploy/renamed.yaml': `${CM('one')}---\n---\n${CM('two')}`, 'README.md': null, 'docs/x.md': 'x' });
    expect(d.input?.changes).toEqual([
      { path: 'README.md', status: 'deleted', oldPath: null },
      { path: 'deploy/renamed.yaml', status: 'renamed', oldPath: 'deploy/app.yaml' },
      { path: 'docs/x.md', status: 'added', oldPath: null },
    ]);
  });

  it('reuses the parsed manifests when the manifest folder did not change', async () => {
    const anchor = await f.repo.head();
    const a = await f.repo.commit({ files: { 'docs/y.md': 'y' }, sign: 'ed25519' });
    const b = await f.repo.commit({ files: { 'docs/z.md': 'z' }, sign: 'ed25519' });
    const [da, db] = await f.decide({ anchor, head: b });
    expect([da.sha, db.sha]).toEqual([a, b]);
    expect(db.input?.manifests[0]).toBe(da.input?.manifests[0]);
    expect(db.input?.manifests).toEqual(db.input?.previous.manifests);
  });

  it('expands kind: List into its items, and fails closed on a document that is not an object', async () => {
    const list = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: l1 }\n  - apiVersion: v1\n    kind: Secret\n    metadata: { name: l2 }\n';
    const d = await decideOne({ 'deploy/list.yaml': list, 'deploy/values.yaml': 'replicas: 3\n', 'deploy/scalar.yml': '--- just a string\n' });
    expect(d.input?.manifests.filter((m) => m.path === 'deploy/list.yaml').map((m) => [m.index, m.object.kind])).toEqual([
      [0, 'ConfigMap'],
      [0, 'Secret'],
    ]);
    expect(codes(d)).toEqual(['policy-error', 'policy-error']);
    expect(d.reasons.map((r) => r.message).join('\n')).toMatch(/deploy\/scalar\.yml document 1: is not a mapping/);
    expect(d.reasons.map((r) => r.message).join('\n')).toMatch(/deploy\/values\.yaml document 1: has no valid apiVersion/);
    await f.repo.commit({ files: { 'deploy/values.yaml': null, 'deploy/scalar.yml': null, 'deploy/list.yaml': null }, sign: 'ed25519' });
  });

  it('never follows a symbolic link: one named like a manifest blocks, others are reported', async () => {
    const anchor = await f.repo.head();
    f.repo.symlink('deploy/secret.yaml', '/etc/passwd');
    f.repo.symlink('deploy/elsewhere', '../docs');
    const head = await f.repo.commit({ sign: 'ed25519' });
    const [d] = await f.decide({ anchor, head });
    expect(d.reasons).toEqual([{ code: 'policy-error', message: expect.stringContaining('deploy/secret.yaml: is a symbolic link') }]);
    expect(d.warnings).toContain('deploy/elsewhere: symbolic link not followed');
    expect(d.input?.manifests.map((m) => m.path)).not.toContain('deploy/secret.yaml');
    await f.repo.commit({ files: { 'deploy/secret.yaml': null, 'deploy/elsewhere': null }, sign: 'ed25519' });
  });

  it('bounds hostile input: alias bombs, nesting, file size, counts, total size', async () => {
    const bomb = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: bomb }', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: deep }\ndata: ${'['.repeat(500)}${']'.repeat(500)}\n`;
    let d = await decideOne({ 'deploy/bomb.yaml': `${bomb.join('\n')}\n`, 'deploy/deep.yaml': deep });
    const messages = d.reasons.map((r) => `${r.code}: ${r.message}`).join('\n');
    expect(messages).toMatch(/policy-error: .*deploy\/bomb\.yaml document 1: .*alias/i);
    expect(messages).toMatch(/policy-error: .*deploy\/deep\.yaml document 1: .*nested deeper/);
    await f.repo.commit({ files: { 'deploy/bomb.yaml': null, 'deploy/deep.yaml': null }, sign: 'ed25519' });

    const many: Record<string, string> = {};
    for (let i = 0; i < 6; i++) many[`deploy/many/m${i}.yaml`] = CM(`m${i}`, `data: { v: "${'x'.repeat(200)}" }\n`);
    const limits = { maxDocuments: 4 };
    d = await decideOne(many, {}, { limits });
    expect(d.reasons.map((r) => r.message)).toEqual([expect.stringContaining('more than 4 objects (limit maxDocuments)')]);
    const anchor = d.input?.commit.parents[0] ?? null;
    const check = async (limit: Record<string, number>, text: RegExp) => {
      const [again] = await f.decide({ anchor, head: d.sha }, {}, { limits: limit });
      expect(again.decision).toBe('block');
      expect(again.reasons.map((r) => r.message).join('\n')).toMatch(text);
    };
    await check({ maxFiles: 5 }, /more than 5 files and folders \(limit maxFiles\)/);
    await check({ maxFileBytes: 100 }, /deploy\/many\/m0\.yaml: is \d+ bytes, more than the 100-byte limit per manifest file \(limit maxFileBytes\)/);
    await check({ maxTotalBytes: 600 }, /more than 600 bytes together \(limit maxTotalBytes\)/);
    await check({ maxObjectBytes: 1000 }, /limit maxObjectBytes/);
    await check({ maxTreeDepth: 0 }, /nested deeper than 0 levels \(limit maxTreeDepth\)/);
    await check({ maxRangeBytes: 500 }, /more than 500 bytes of manifests together \(limit maxRangeBytes\)/);
    await f.repo.commit({ files: { 'deploy/many': null }, sign: 'ed25519' });
  });

  it('reads the whole tree for manifest path "", and a single file when the path names one', async () => {
    const head = await f.repo.head();
    const [whole] = await f.decide({ anchor: null, head }, { manifestPath: '', mode: 'head' });
    expect(whole.input?.manifests.map((m) => m.path)).toContain('deploy/base.yaml');
    const [file] = await f.decide({ anchor: null, head }, { manifestPath: 'deploy/base.yaml', mode: 'head' });
    expect(file.input?.manifests.map((m) => m.path)).toEqual(['deploy/base.yaml']);
    const [none] = await f.decide({ anchor: null, head }, { manifestPath: 'nothing/here', mode: 'head' });
    expect(none.input?.manifests).toEqual([]);
    expect(none.decision).toBe('allow');
    const [throughFile] = await f.decide({ anchor: null, head }, { manifestPath: 'deploy/base.yaml/x', mode: 'head' });
    expect(throughFile.reasons).toEqual([
      { code: 'policy-error', message: 'the policy input cannot be built: cannot read the manifests: deploy/base.yaml on the manifest path is a blob, not a folder' },
    ]);
    expect(throughFile.warnings).toContain('previous manifests incomplete: at the first parent, cannot read the manifests: deploy/base.yaml on the manifest path is a blob, not a folder');
  });

  it('a manifest path that is a symbolic link is never followed', async () => {
    const anchor = await f.repo.head();
    f.repo.symlink('linked', 'deploy');
    const head = await f.repo.commit({ sign: 'ed25519' });
    const [d] = await f.decide({ anchor, head }, { manifestPath: 'linked' });
    expect(d.reasons).toEqual([{ code: 'policy-error', message: 'the policy input cannot be built: cannot read the manifests: the manifest path linked is a symbolic link, never followed' }]);
    await f.repo.commit({ files: { linked: null }, sign: 'ed25519' });
  });
});
