import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  MerkleFrontier,
  consistencyProof,
  frontierRefs,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type SubtreeReader,
  type SubtreeRef,
} from './merkle';

interface Vectors {
  leafInputs: string[];
  leafHashes: string[];
  level1: string[];
  level2: string[];
  roots: string[];
  inclusion: Array<{ index: number; size: number; proof: string[] }>;
  consistency: Array<{ m: number; n: number; proof: string[] }>;
}
const V = JSON.parse(readFileSync(join(__dirname, '../../test/ledger-vectors/merkle-rfc6962.json'), 'utf8')) as Vectors;
const hx = (h: string): Buffer => Buffer.from(h, 'hex');

// An independent reference: RFC 6962 §2.1 written as the RFC's recursion, over leaf hashes.
function sha(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  parts.forEach((p) => h.update(p));
  return h.digest();
}
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return d[0];
  return sha(Buffer.from([1]), mth(d.slice(0, k(d.length))), mth(d.slice(k(d.length))));
}
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

/** What the database stores: every perfect subtree each append completes. */
class MemoryStore implements SubtreeReader {
  readonly nodes = new Map<string, Buffer>();
  readonly frontier = MerkleFrontier.empty();
  reads = 0;
  append(leaf: Buffer): void {
    for (const s of this.frontier.append(leaf)) this.nodes.set(`${s.level}/${s.index}`, s.hash);
  }
  async read(refs: SubtreeRef[]): Promise<Buffer[]> {
    this.reads++;
    return refs.map((r) => {
      const h = this.nodes.get(`${r.level}/${r.index}`);
      if (!h) throw new Error(`missing subtree ${r.level}/${r.index}`);
      return h;
    });
  }
}

function leaves(n: number, salt = 'a'): Buffer[] {
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`${salt}${i}`)));
}

function flip(b: Buffer): Buffer {
  const c = Buffer.from(b);
  c[0] ^= 0x10;
  return c;
}

describe('RFC 6962 known answers (transparency-dev/merkle vectors)', () => {
  const inputs = V.leafInputs.map(hx);

  it('has the empty root e3b0c442…', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootFromLeafHashes([]).equals(EMPTY_ROOT)).toBe(true);
  });

  it('hashes leaves and level-1/level-2 nodes', () => {
    const l = inputs.map(leafHash);
    expect(l.map((h) => h.toString('hex'))).toEqual(V.leafHashes);
    const l1 = [0, 2, 4, 6].map((i) => nodeHash(l[i], l[i + 1]).toString('hex'));
    expect(l1).toEqual(V.level1);
    expect(nodeHash(hx(V.level1[0]), hx(V.level1[1])).toString('hex')).toBe(V.level2[0]);
  });

  it('computes the roots of the trees of size 0..8, in memory and from stored subtrees', async () => {
    const store = new MemoryStore();
    for (let n = 0; n <= 8; n++) {
      const l = inputs.slice(0, n).map(leafHash);
      expect(rootFromLeafHashes(l).toString('hex')).toBe(V.roots[n]);
      expect((await rootAt(n, store)).toString('hex')).toBe(V.roots[n]);
      if (n < 8) store.append(leafHash(inputs[n]));
    }
  });

  it.each(V.inclusion)('verifies the reference inclusion proof for index $index of $size', async ({ index, size, proof }) => {
    const store = new MemoryStore();
    inputs.slice(0, size).forEach((x) => store.append(leafHash(x)));
    const got = await inclusionProof(index, size, store);
    expect(got.map((h) => h.toString('hex'))).toEqual(proof);
    expect(verifyInclusion(index, size, leafHash(inputs[index]), proof.map(hx), hx(V.roots[size]))).toBe(true);
  });

  it.each(V.consistency)('verifies the reference consistency proof from $m to $n', async ({ m, n, proof }) => {
    const store = new MemoryStore();
    inputs.slice(0, n).forEach((x) => store.append(leafHash(x)));
    const got = await consistencyProof(m, n, store);
    expect(got.map((h) => h.toString('hex'))).toEqual(proof);
    expect(verifyConsistency(m, n, hx(V.roots[m]), hx(V.roots[n]), proof.map(hx))).toBe(true);
  });
});

describe('MerkleFrontier', () => {
  it('reports every completed perfect subtree, level 0 first', () => {
    const f = MerkleFrontier.empty();
    const l = leaves(8);
    const sizes = l.map((h) => f.append(h).map((s) => `${s.level}/${s.index}`));
    expect(sizes[0]).toEqual(['0/0']);
    expect(sizes[1]).toEqual(['0/1', '1/0']);
    expect(sizes[3]).toEqual(['0/3', '1/1', '2/0']);
    expect(sizes[7]).toEqual(['0/7', '1/3', '2/1', '3/0']);
    expect(f.size).toBe(8);
  });

  it('names the frontier refs of a size, largest first', () => {
    expect(frontierRefs(0)).toEqual([]);
    expect(frontierRefs(7)).toEqual([{ level: 2, index: 0 }, { level: 1, index: 2 }, { level: 0, index: 6 }]);
    expect(frontierRefs(2 ** 40 + 1)).toEqual([{ level: 40, index: 0 }, { level: 0, index: 2 ** 40 }]);
  });

  it('resumes from stored subtrees and clones independently', async () => {
    const store = new MemoryStore();
    const l = leaves(45);
    l.slice(0, 30).forEach((h) => store.append(h));
    const resumed = MerkleFrontier.fromSubtrees(30, await store.read(frontierRefs(30)));
    const copy = resumed.clone();
    l.slice(30).forEach((h) => resumed.append(h));
    expect(resumed.root().equals(mth(l))).toBe(true);
    expect(copy.size).toBe(30);
    expect(copy.root().equals(mth(l.slice(0, 30)))).toBe(true);
    expect(() => MerkleFrontier.fromSubtrees(30, [])).toThrow(/4 frontier subtrees/);
  });
});

describe('proofs for every size 1..64', () => {
  const all = leaves(64);
  const store = new MemoryStore();
  all.forEach((h) => store.append(h));

  it('roots, inclusion proofs (every index) and consistency proofs (every m ≤ n) match the RFC and verify', async () => {
    for (let n = 1; n <= 64; n++) {
      const d = all.slice(0, n);
      const root = await rootAt(n, store);
      expect(root.equals(mth(d))).toBe(true);
      for (let i = 0; i < n; i++) {
        const before = store.reads;
        const proof = await inclusionProof(i, n, store);
        expect(store.reads - before).toBeLessThanOrEqual(1);
        expect(proof).toEqual(path(i, d));
        expect(verifyInclusion(i, n, d[i], proof, root)).toBe(true);
      }
      for (let m = 0; m <= n; m++) {
        const proof = await consistencyProof(m, n, store);
        expect(proof).toEqual(m === 0 || m === n ? [] : subproof(m, d, true));
        expect(verifyConsistency(m, n, mth(all.slice(0, m)), root, proof)).toBe(true);
      }
    }
  });

  it('rejects tampered inclusion proofs, wrong indices, sizes, leaves and roots', async () => {
    for (let n = 1; n <= 64; n++) {
      const root = mth(all.slice(0, n));
      for (let i = 0; i < n; i++) {
        const proof = await inclusionProof(i, n, store);
        const leaf = all[i];
        proof.forEach((_, j) => expect(verifyInclusion(i, n, leaf, proof.map((p, x) => (x === j ? flip(p) : p)), root)).toBe(false));
        expect(verifyInclusion(i, n, flip(leaf), proof, root)).toBe(false);
        expect(verifyInclusion(i, n, leaf, proof, flip(root))).toBe(false);
        if ((i ^ 1) < n) expect(verifyInclusion(i ^ 1, n, leaf, proof, root)).toBe(false);
        if (i > 0) expect(verifyInclusion(i - 1, n, leaf, proof, root)).toBe(false);
        expect(verifyInclusion(i, n * 2, leaf, proof, root)).toBe(false);
        expect(verifyInclusion(i, n, leaf, [...proof, root], root)).toBe(false);
        expect(verifyInclusion(i, n, leaf, [root, ...proof], root)).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(i, n, leaf, proof.slice(0, -1), root)).toBe(false);
        expect(verifyInclusion(n, n, leaf, proof, root)).toBe(false);
      }
    }
  });

  it('rejects tampered consistency proofs, wrong sizes and roots', async () => {
    for (let n = 2; n <= 64; n++) {
      const rootN = mth(all.slice(0, n));
      for (let m = 1; m < n; m++) {
        const rootM = mth(all.slice(0, m));
        const proof = await consistencyProof(m, n, store);
        proof.forEach((_, j) => expect(verifyConsistency(m, n, rootM, rootN, proof.map((p, x) => (x === j ? flip(p) : p)))).toBe(false));
        expect(verifyConsistency(m, n, flip(rootM), rootN, proof)).toBe(false);
        expect(verifyConsistency(m, n, rootM, flip(rootN), proof)).toBe(false);
        expect(verifyConsistency(m, n, rootN, rootM, proof)).toBe(false);
        expect(verifyConsistency(m - 1, n, rootM, rootN, proof)).toBe(false);
        expect(verifyConsistency(m + 1, n, rootM, rootN, proof)).toBe(false);
        expect(verifyConsistency(m, n * 2, rootM, rootN, proof)).toBe(false);
        expect(verifyConsistency(m, Math.floor(n / 2), rootM, rootN, proof)).toBe(false);
        expect(verifyConsistency(m, n, rootM, rootN, [])).toBe(false);
        expect(verifyConsistency(m, n, rootM, rootN, [...proof, rootM])).toBe(false);
        expect(verifyConsistency(m, n, rootM, rootN, [proof[0], ...proof])).toBe(false);
        expect(verifyConsistency(m, n, rootM, rootN, proof.slice(0, -1))).toBe(false);
      }
    }
  });
});

describe('RFC 9162 edge cases', () => {
  const some = hx('abacaba000000000000000000000000000000000000000000060061e00123456');
  it('handles m = n and m = 0 consistency exactly', () => {
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, some, [])).toBe(true);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, some, [some])).toBe(false);
    expect(verifyConsistency(3, 3, some, some, [])).toBe(true);
    expect(verifyConsistency(3, 3, some, EMPTY_ROOT, [])).toBe(false);
    expect(verifyConsistency(3, 3, some, some, [some])).toBe(false);
    expect(verifyConsistency(2, 1, some, some, [])).toBe(false);
  });
  it('rejects inclusion in an empty tree, out-of-range indices and malformed hashes', () => {
    expect(verifyInclusion(0, 0, some, [], EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(0, 1, some, [], some)).toBe(true);
    expect(verifyInclusion(0, 1, some.subarray(1), [], some.subarray(1))).toBe(false);
    expect(verifyInclusion(-1, 1, some, [], some)).toBe(false);
    expect(verifyInclusion(0, 2, some, [Buffer.alloc(0)], some)).toBe(false);
  });
  it('refuses proofs for sizes or indices that do not exist', async () => {
    const store = new MemoryStore();
    leaves(4).forEach((h) => store.append(h));
    await expect(inclusionProof(4, 4, store)).rejects.toThrow(/not in a tree of 4/);
    await expect(consistencyProof(5, 4, store)).rejects.toThrow(/smaller/);
    await expect(rootAt(-1, store)).rejects.toThrow(/non-negative/);
  });
});

describe('random larger trees', () => {
  it('proves inclusion and consistency in trees of a few thousand leaves', async () => {
    const store = new MemoryStore();
    const all = leaves(3000, 'r');
    all.forEach((h) => store.append(h));
    let seed = 11;
    const rand = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    for (let t = 0; t < 40; t++) {
      const n = 1 + rand(3000);
      const m = 1 + rand(n);
      const i = rand(n);
      const rootN = await rootAt(n, store);
      const rootM = await rootAt(m, store);
      expect(verifyInclusion(i, n, all[i], await inclusionProof(i, n, store), rootN)).toBe(true);
      const proof = await consistencyProof(m, n, store);
      expect(verifyConsistency(m, n, rootM, rootN, proof)).toBe(true);
      if (proof.length > 0) expect(verifyConsistency(m, n, rootM, rootN, [flip(proof[0]), ...proof.slice(1)])).toBe(false);
    }
  });
});
