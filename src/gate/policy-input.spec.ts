import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../ledger/canonical-json';
import { buildPolicyInput, freezeEntry, inputHash, type ManifestEntry, type PolicyInputDocument } from './policy-input';

const person = { name: 'A', email: 'a@x', time: '2026-11-21T10:00:00Z', zone: '+0100' };
const sha = 'a'.repeat(40);

function doc(manifests: ManifestEntry[], previous: ManifestEntry[]): PolicyInputDocument {
  return buildPolicyInput({
    repository: { id: 'r', url: 'u', branch: 'main' },
    commit: { sha, tree: 'b'.repeat(40), parents: [], message: 'héllo\n', author: person, committer: person },
    signature: { status: 'none', format: null, keyId: null, fingerprint: null, signer: null, signedAt: null },
    approvals: [],
    changes: [{ path: 'deploy/ä.yaml', status: 'added', oldPath: null }],
    manifests,
    previousManifests: previous,
  });
}

const entry = (name: string, extra: Record<string, unknown> = {}): ManifestEntry => ({
  path: `deploy/${name}.yaml`,
  index: 0,
  object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name }, data: { 'é': 1.5, a: [1, 'x', null, true], ...extra } },
});

const reference = (d: unknown) => createHash('sha256').update(canonicalize(d)).digest('hex');

describe('policy input', () => {
  it('leaves out what the contract does not name (a person\'s zone)', () => {
    expect(doc([], []).commit.author).toEqual({ name: 'A', email: 'a@x', time: '2026-11-21T10:00:00Z' });
  });

  it('inputHash is sha256 of the canonical JSON, frozen (remembered) entries or not', () => {
    const plain = [entry('one'), entry('two', { '\u{1F600}': 'emoji key', '\u00e9': 'é' })];
    const frozen = plain.map((e) => freezeEntry(structuredClone(e)));
    const d1 = doc(plain, [plain[0]]);
    expect(inputHash(d1)).toBe(reference(d1));
    const d2 = doc(frozen, [frozen[1]]);
    expect(inputHash(d2)).toBe(reference(d2));
    expect(inputHash(d2)).toBe(inputHash(doc(frozen, [frozen[1]]))); // remembered forms give the same bytes
    expect(inputHash(doc([], []))).toBe(reference(doc([], [])));
  });

  it('different documents hash differently', () => {
    expect(inputHash(doc([entry('one')], []))).not.toBe(inputHash(doc([entry('two')], [])));
    expect(inputHash(doc([entry('one')], []))).not.toBe(inputHash(doc([], [entry('one')])));
  });

  it('freezeEntry freezes deeply, shared nodes included', () => {
    const shared = { deep: { list: [1, { x: 2 }] } };
    const e = freezeEntry({ path: 'p', index: 0, object: { a: shared, b: shared } });
    expect(Object.isFrozen(e.object)).toBe(true);
    expect(Object.isFrozen((shared.deep.list[1] as object))).toBe(true);
    expect(() => {
      'use strict';
      (shared.deep as Record<string, unknown>).y = 1;
    }).toThrow();
  });

  it('refuses what canonical JSON cannot carry', () => {
    expect(() => inputHash(doc([entry('x', { bad: '\ud800' })], []))).toThrow(/surrogate/);
  });
});
