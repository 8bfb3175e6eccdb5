import { describe, expect, it } from 'vitest';
import { BundleTree } from './evidence-bundle-tree';
import { MerkleFrontier, verifyInclusion } from './merkle';
import { sha256Each } from './sha256-batch';

/** A tree of `size` leaves of which the bundle holds [start, size), with every proof as base64. */
function scenario(start: number, size: number): { tree: BundleTree; proofs: string[][] } {
  const leaves = sha256Each(Array.from({ length: size }, (_, i) => Buffer.from(`leaf ${i}`)));
  const leaf = (i: number): Buffer => leaves.subarray(32 * i, 32 * i + 32);
  const frontier = MerkleFrontier.empty();
  for (let i = 0; i < start; i++) frontier.append(leaf(i));
  const tree = new BundleTree(start, frontier.subtrees(), leaves.subarray(32 * start));
  for (let i = start; i < size; i++) frontier.append(leaf(i));
  const proofs: string[][] = [];
  for (let i = start; i < size; i++) {
    const proof = tree.inclusionProof(i);
    expect(verifyInclusion(i, size, leaf(i), proof, frontier.root())).toBe(true);
    proofs.push(proof.map((h) => h.toString('base64')));
  }
  return { tree, proofs };
}

/** Runs one matcher over every proof in order, as the verifier does. */
function run(tree: BundleTree, start: number, proofs: string[][]): boolean[] {
  const matcher = tree.proofMatcher();
  return proofs.map((p, i) => matcher.matches(start + i, p));
}

const SHAPES: Array<[number, number]> = [];
for (const start of [0, 1, 2, 3, 5, 8, 13, 64]) for (const count of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 40]) SHAPES.push([start, start + count]);

describe('ProofMatcher', () => {
  it('accepts every proof of every range shape, checked in order', () => {
    for (const [start, size] of SHAPES) {
      const { tree, proofs } = scenario(start, size);
      expect(run(tree, start, proofs), `${start}..${size}`).toEqual(proofs.map(() => true));
    }
  });

  it('refuses exactly the altered proof, and still checks the ones after it', () => {
    const edits: Array<[string, (proofs: string[][], p: number) => void]> = [
      ['one element altered', (proofs, p) => (proofs[p][proofs[p].length - 1] = Buffer.alloc(32, 7).toString('base64'))],
      ['first element altered', (proofs, p) => (proofs[p][0] = proofs[p][0].replace(/^./, (c) => (c === 'A' ? 'B' : 'A')))],
      ['last element dropped', (proofs, p) => proofs[p].pop()],
      ['an element added', (proofs, p) => proofs[p].push(proofs[p][0])],
      ['elements swapped', (proofs, p) => proofs[p].reverse()],
      ['another entry’s proof', (proofs, p) => (proofs[p] = [...proofs[p === 0 ? 1 : p - 1]])],
      ['a proof with padding changed', (proofs, p) => (proofs[p][0] = `${proofs[p][0]} `)],
    ];
    for (const [start, size] of SHAPES) {
      if (size - start < 2) continue;
      for (const [name, edit] of edits) {
        for (const p of [0, 1, Math.floor((size - start) / 2), size - start - 1]) {
          const { tree, proofs } = scenario(start, size);
          const before = JSON.stringify(proofs[p]);
          edit(proofs, p);
          if (JSON.stringify(proofs[p]) === before) continue; // the edit changed nothing (a one-element proof reversed)
          const want = proofs.map((_, i) => i !== p);
          expect(run(tree, start, proofs), `${name} at ${p} of ${start}..${size}`).toEqual(want);
        }
      }
    }
  });

  it('refuses a run of altered proofs one by one', () => {
    const { tree, proofs } = scenario(5, 60);
    for (let p = 10; p < 20; p++) proofs[p] = proofs[p].map((t, m) => (m === p % proofs[p].length ? Buffer.alloc(32, p).toString('base64') : t));
    expect(run(tree, 5, proofs)).toEqual(proofs.map((_, p) => p < 10 || p >= 20));
  });

  it('agrees with compareProof on every proof it refuses', () => {
    const { tree, proofs } = scenario(3, 50);
    proofs[7][2] = proofs[8][2] === proofs[7][2] ? Buffer.alloc(32).toString('base64') : proofs[8][2];
    const results = run(tree, 3, proofs);
    proofs.forEach((proof, p) => {
      const { expectedLength, mismatches } = tree.compareProof(3 + p, proof);
      expect(results[p], `proof ${p}`).toBe(proof.length === expectedLength && mismatches.length === 0);
    });
  });
});
