/** What ProofMatcher needs of the tree (BundleTree). */
export interface ProofTexts {
  readonly size: number;
  /** The base64 text of perfect subtree (level, sibling), or of the right edge at level (-1). */
  siblingText(level: number, sibling: number): string;
}

const LEVELS = 64; // a tree of at most 2^53 leaves has fewer

/**
 * Checks that an inclusion proof given as base64 strings is exactly the RFC 9162 proof of an
 * index in the tree: the right length, every element equal to the tree's own node (so the RFC's
 * verification of it succeeds), without hashing. The verifier runs it over the proofs of every
 * entry, in order, and consecutive entries share most of their proofs, which this exploits:
 *
 * - per level it remembers the last sibling whose text it verified and that text, and compares
 *   another element for the same sibling with that text instead of making the node's text again;
 * - for index i after a fully verified proof of i − 1, the levels from the first one where i and
 *   i − 1 have the same ancestor up are the same siblings for both, so those elements of i's
 *   proof must equal the same elements of i − 1's, one string comparison each; only the levels
 *   below (one on average) are worked out.
 *
 * Allocates nothing per proof but the text of a sibling not seen before.
 */
export class ProofMatcher {
  private readonly seen = new Array<number>(LEVELS).fill(-2); // per level: the sibling last verified (-1: edge)
  private readonly texts = new Array<string>(LEVELS).fill(''); // per level: its text
  private previousIndex = -2;
  private previous: readonly string[] = [];
  private previousOk = false;

  constructor(private readonly tree: ProofTexts) {}

  matches(index: number, proof: readonly string[]): boolean {
    const ok = this.previousOk && index === this.previousIndex + 1 ? this.afterPrevious(index, proof) : this.walk(index, proof, LEVELS) === proof.length;
    this.previousIndex = index;
    this.previous = proof;
    this.previousOk = ok;
    return ok;
  }

  private afterPrevious(index: number, proof: readonly string[]): boolean {
    let shared = 1; // the first level where index and index - 1 have the same ancestor
    while (Math.floor(index / 2 ** shared) !== Math.floor((index - 1) / 2 ** shared)) shared++;
    const k = this.walk(index, proof, shared);
    if (k < 0) return false;
    const previous = this.previous;
    const from = this.count(index - 1, shared);
    const rest = previous.length - from;
    if (proof.length !== k + rest) return false;
    for (let m = 0; m < rest; m++) if (proof[k + m] !== previous[from + m]) return false;
    return true;
  }

  /** Checks the elements of levels below `levels`: how many there are, or -1 at a mismatch. */
  private walk(index: number, proof: readonly string[], levels: number): number {
    const size = this.tree.size;
    let k = 0;
    for (let j = 0, x = index, width = 1; width < size && j < levels; j++, x = Math.floor(x / 2), width *= 2) {
      let sibling: number;
      if (x % 2 === 1) sibling = x - 1;
      else if ((x + 2) * width <= size) sibling = x + 1;
      else if ((x + 1) * width < size) sibling = -1;
      else continue;
      const text = proof[k++];
      if (text === undefined) return -1;
      if (this.seen[j] === sibling) {
        if (text !== this.texts[j]) return -1;
      } else {
        if (text !== this.tree.siblingText(j, sibling)) return -1;
        this.seen[j] = sibling;
        this.texts[j] = text;
      }
    }
    return k;
  }

  /** How many proof elements the levels below `levels` give `index`. */
  private count(index: number, levels: number): number {
    const size = this.tree.size;
    let k = 0;
    for (let j = 0, x = index, width = 1; width < size && j < levels; j++, x = Math.floor(x / 2), width *= 2) {
      if (x % 2 === 1 || (x + 1) * width < size) k++;
    }
    return k;
  }
}
