import { LedgerException } from './ledger.exception';
import { EMPTY_ROOT, frontierRefs, nodeHash, rangeRefs } from './merkle';

/**
 * The part of a Merkle tree of `size` leaves that an evidence bundle can rebuild: the perfect
 * subtrees covering [0, start) (the left frontier) plus every leaf hash in [start, size).
 * Every node on the path of a leaf in [start, size), and every sibling on it, is computable from
 * these (a node straddling `start` always begins on a boundary of start's decomposition), so the
 * root and the inclusion proof of every such leaf come out of it without another read.
 */
export class BundleTree {
  private readonly levels: Buffer[][] = []; // levels[j][x - first(j)]: perfect subtree (j, x)
  private readonly left: Array<Buffer | undefined> = []; // left frontier subtree at level j, if any
  private readonly edge: Array<Buffer | undefined> = []; // hash of [floor(size/2^j)·2^j, size)
  private readonly text: Array<Array<string | undefined>> = []; // base64 of levels, filled lazily
  private readonly edgeTexts: Array<string | undefined> = [];
  private readonly firsts: number[] = [];

  constructor(
    readonly start: number,
    leftSubtrees: readonly Buffer[],
    leaves: Buffer[],
  ) {
    const refs = frontierRefs(start);
    if (refs.length !== leftSubtrees.length) {
      throw new LedgerException('invalid-tree-request', `seq 0..${start - 1} need ${refs.length} left subtrees, got ${leftSubtrees.length}`);
    }
    refs.forEach((r, i) => (this.left[r.level] = leftSubtrees[i]));
    this.levels.push(leaves);
    this.build();
  }

  get size(): number {
    return this.start + this.levels[0].length;
  }

  private first(level: number): number {
    return (this.firsts[level] ??= Math.floor(this.start / 2 ** level));
  }

  private build(): void {
    for (let j = 0; ; j++) {
      const below = this.levels[j];
      const lo = this.first(j);
      const nextLo = this.first(j + 1);
      const nextHi = Math.floor(this.size / 2 ** (j + 1)); // exclusive
      if (nextHi <= nextLo) break;
      const row: Buffer[] = new Array<Buffer>(nextHi - nextLo);
      for (let x = nextLo; x < nextHi; x++) {
        const l = 2 * x >= lo ? below[2 * x - lo] : (this.left[j] as Buffer);
        row[x - nextLo] = nodeHash(l, below[2 * x + 1 - lo]);
      }
      this.levels.push(row);
    }
  }

  /** The perfect subtree (level, index), when the bundle determines it. */
  node(level: number, index: number): Buffer | undefined {
    const lo = this.first(level);
    if (index >= lo) return this.levels[level]?.[index - lo];
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
    if (index < lo) return this.required(level, index).toString('base64');
    const row = (this.text[level] ??= []);
    return (row[index - lo] ??= this.levels[level][index - lo].toString('base64'));
  }

  private edgeText(level: number): string {
    return (this.edgeTexts[level] ??= this.edgeHash(level).toString('base64'));
  }

  /**
   * Compares a proof given as base64 strings with the tree's own nodes, without hashing: equal
   * elements mean the proof verifies against this tree's root. Returns the positions that differ
   * (with the side of the sibling: left siblings come from before the leaf, right ones after it)
   * and the length the proof must have. Runs once per entry of a bundle, so it is a plain loop.
   */
  compareProof(index: number, proof: readonly string[]): { expectedLength: number; mismatches: Array<{ at: number; side: 'left' | 'right' }> } {
    const size = this.size;
    let mismatches: Array<{ at: number; side: 'left' | 'right' }> | undefined;
    let k = 0;
    for (let j = 0, x = index, width = 1; width < size; j++, x = Math.floor(x / 2), width *= 2) {
      let expected: string;
      let side: 'left' | 'right' = 'right';
      if (x % 2 === 1) {
        expected = this.nodeText(j, x - 1);
        side = 'left';
      } else if ((x + 2) * width <= size) expected = this.nodeText(j, x + 1);
      else if ((x + 1) * width < size) expected = this.edgeText(j);
      else continue;
      if (k < proof.length && proof[k] !== expected) (mismatches ??= []).push({ at: k, side });
      k++;
    }
    return { expectedLength: k, mismatches: mismatches ?? NONE };
  }
}

const NONE: Array<{ at: number; side: 'left' | 'right' }> = [];
