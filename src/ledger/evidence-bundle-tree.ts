import { LedgerException } from './ledger.exception';
import { EMPTY_ROOT, HASH_SIZE, frontierRefs, nodeHash, rangeRefs } from './merkle';
import { ProofMatcher } from './evidence-bundle-proofs';
import { hashesToBase64, pairHashes } from './sha256-batch';

/**
 * The part of a Merkle tree of `size` leaves that an evidence bundle can rebuild: the perfect
 * subtrees covering [0, start) (the left frontier) plus every leaf hash in [start, size).
 * Every node on the path of a leaf in [start, size), and every sibling on it, is computable from
 * these (a node straddling `start` always begins on a boundary of start's decomposition), so the
 * root and the inclusion proof of every such leaf come out of it without another read.
 *
 * Each level is one flat buffer of 32-byte hashes, hashed from the level below in one batch
 * (`pairHashes`), so building the tree costs no call or allocation per node.
 */
export class BundleTree {
  private readonly levels: Buffer[] = []; // levels[j] at 32·(x - first(j)): perfect subtree (j, x)
  private readonly left: Array<Buffer | undefined> = []; // left frontier subtree at level j, if any
  private readonly edge: Array<Buffer | undefined> = []; // hash of [floor(size/2^j)·2^j, size)
  private readonly text: Array<string | undefined> = []; // base64 of each level, 44 characters a node, made lazily
  private readonly leftTexts: Array<string | undefined> = [];
  private readonly edgeTexts: Array<string | undefined> = [];
  private readonly firsts: number[] = [];
  /** Leaves in the tree: start + the leaves given. */
  readonly size: number;

  /** `leaves`: the leaf hashes of [start, size), 32 bytes each, one after another. */
  constructor(
    readonly start: number,
    leftSubtrees: readonly Buffer[],
    leaves: Uint8Array,
  ) {
    const refs = frontierRefs(start);
    if (refs.length !== leftSubtrees.length) {
      throw new LedgerException('invalid-tree-request', `seq 0..${start - 1} need ${refs.length} left subtrees, got ${leftSubtrees.length}`);
    }
    if (leaves.length % HASH_SIZE !== 0 || leftSubtrees.some((h) => h.length !== HASH_SIZE)) {
      throw new LedgerException('invalid-tree-request', `tree hashes must be ${HASH_SIZE} bytes each`);
    }
    refs.forEach((r, i) => (this.left[r.level] = leftSubtrees[i]));
    this.levels.push(Buffer.from(leaves.buffer, leaves.byteOffset, leaves.length));
    this.size = start + leaves.length / HASH_SIZE;
    this.build();
  }

  /** Leaf hashes given as a list (concatenated for the constructor). */
  static fromLeafList(start: number, leftSubtrees: readonly Buffer[], leaves: readonly Uint8Array[]): BundleTree {
    return new BundleTree(start, leftSubtrees, Buffer.concat(leaves));
  }

  private first(level: number): number {
    return (this.firsts[level] ??= Math.floor(this.start / 2 ** level));
  }

  /**
   * Level j + 1 from level j: its nodes x in [first(j+1), size/2^(j+1)) have children 2x and
   * 2x + 1 at level j, one after another in level j's buffer, except that when first(j) is odd
   * the first node's left child is the left frontier subtree at level j.
   */
  private build(): void {
    for (let j = 0; ; j++) {
      const below = this.levels[j];
      const lo = this.first(j);
      const nextLo = this.first(j + 1);
      const nextHi = Math.floor(this.size / 2 ** (j + 1)); // exclusive
      if (nextHi <= nextLo) break;
      const count = nextHi - nextLo;
      const pairs =
        2 * nextLo >= lo
          ? below.subarray(HASH_SIZE * (2 * nextLo - lo), HASH_SIZE * (2 * nextHi - lo))
          : Buffer.concat([this.left[j] as Buffer, below.subarray(0, HASH_SIZE * (2 * count - 1))]);
      this.levels.push(pairHashes(0x01, pairs));
    }
  }

  /** The perfect subtree (level, index), when the bundle determines it (a view: do not modify). */
  node(level: number, index: number): Buffer | undefined {
    const lo = this.first(level);
    if (index >= lo) {
      const row = this.levels[level];
      const at = HASH_SIZE * (index - lo);
      return row && at < row.length ? row.subarray(at, at + HASH_SIZE) : undefined;
    }
    return index === lo - 1 ? this.left[level] : undefined;
  }

  private required(level: number, index: number): Buffer {
    const h = this.node(level, index);
    if (!h) throw new LedgerException('invalid-tree-request', `subtree ${level}/${index} is not determined by this range`);
    return h;
  }

  /** Hash of [floor(size/2^level)·2^level, size), the right-edge sibling at that level. */
  private edgeHash(level: number): Buffer {
    let h = this.edge[level];
    if (!h) {
      const start = Math.floor(this.size / 2 ** level) * 2 ** level;
      const refs = rangeRefs({ start, end: this.size });
      h = refs.map((r) => this.required(r.level, r.index)).reduceRight((acc, x) => nodeHash(x, acc));
      this.edge[level] = h;
    }
    return h;
  }

  root(): Buffer {
    if (this.size === 0) return EMPTY_ROOT;
    const hashes = frontierRefs(this.size).map((r) => this.required(r.level, r.index));
    return hashes.reduceRight((acc, x) => nodeHash(x, acc));
  }

  /**
   * Visits the RFC 9162 inclusion proof of `index` (start ≤ index < size), leaf level first:
   * left siblings are perfect subtrees, right siblings perfect or cut by the right edge (index
   * undefined).
   */
  private walkProof(index: number, visit: (level: number, index: number | undefined) => void): void {
    const size = this.size;
    for (let j = 0, x = index, width = 1; width < size; j++, x = Math.floor(x / 2), width *= 2) {
      if (x % 2 === 1) visit(j, x - 1);
      else if ((x + 2) * width <= size) visit(j, x + 1);
      else if ((x + 1) * width < size) visit(j, undefined);
    }
  }

  inclusionProof(index: number): Buffer[] {
    const proof: Buffer[] = [];
    this.walkProof(index, (level, sibling) => proof.push(sibling === undefined ? this.edgeHash(level) : this.required(level, sibling)));
    return proof;
  }

  private nodeText(level: number, index: number): string {
    const lo = this.first(level);
    if (index < lo) return (this.leftTexts[level] ??= this.required(level, index).toString('base64'));
    if (HASH_SIZE * (index - lo) >= (this.levels[level]?.length ?? 0)) this.required(level, index); // throws
    // A slice of the level's text: made in one call for the whole level, sliced without copying.
    const text = (this.text[level] ??= hashesToBase64(this.levels[level]));
    return text.substring(44 * (index - lo), 44 * (index - lo) + 44);
  }

  private edgeText(level: number): string {
    return (this.edgeTexts[level] ??= this.edgeHash(level).toString('base64'));
  }

  /** The base64 text of the proof element at `level`: perfect subtree `sibling`, or the right edge (-1). */
  siblingText(level: number, sibling: number): string {
    return sibling < 0 ? this.edgeText(level) : this.nodeText(level, sibling);
  }

  /** A checker of the inclusion proofs of entries in order (evidence-bundle-proofs.ts). */
  proofMatcher(): ProofMatcher {
    return new ProofMatcher(this);
  }

  /**
   * Compares a proof given as base64 strings with the tree's own nodes, without hashing: equal
   * elements mean the proof verifies against this tree's root. Returns the positions that differ
   * (with the side of the sibling: left siblings come from before the leaf, right ones after it)
   * and the length the proof must have. Runs once per entry of a bundle, so it is a plain loop.
   */
  compareProof(index: number, proof: readonly string[]): { expectedLength: number; mismatches: Array<{ at: number; side: 'left' | 'right' }> } {
    const size = this.size;
    const mismatches: Array<{ at: number; side: 'left' | 'right' }> = [];
    let k = 0;
    for (let j = 0, x = index, width = 1; width < size; j++, x = Math.floor(x / 2), width *= 2) {
      const text = proof[k];
      let same: boolean;
      if (x % 2 === 1) same = text === undefined || text === this.nodeText(j, x - 1);
      else if ((x + 2) * width <= size) same = text === undefined || text === this.nodeText(j, x + 1);
      else if ((x + 1) * width < size) same = text === undefined || text === this.edgeText(j);
      else continue;
      if (!same) mismatches.push({ at: k, side: x % 2 === 1 ? 'left' : 'right' });
      k++;
    }
    return { expectedLength: k, mismatches };
  }
}
