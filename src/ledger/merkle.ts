import { hash } from 'node:crypto';
import { LedgerException } from './ledger.exception';

/**
 * RFC 6962 §2.1 / RFC 9162 §2.1 Merkle tree hashing over SHA-256, computed from stored perfect
 * subtrees so that roots and proofs never need the whole log in memory.
 *
 * Sizes and indices are JavaScript numbers; every helper uses arithmetic, never 32-bit bitwise
 * operators, so they are exact up to Number.MAX_SAFE_INTEGER.
 */
export const HASH_SIZE = 32;
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/** The perfect subtree of 2^level leaves covering [index·2^level, (index+1)·2^level). */
export interface SubtreeRef {
  level: number;
  index: number;
}

export interface SubtreeReader {
  /** The hashes of the given perfect subtrees, in the same order; one batched call per proof. */
  read(refs: SubtreeRef[]): Promise<Buffer[]>;
}

const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

export function leafHash(bytes: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(bytes.length + 1);
  input[0] = 0x00;
  input.set(bytes, 1);
  return hash('sha256', input, 'buffer');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return hash('sha256', nodeInput, 'buffer');
}

// ---- integer helpers, exact for every safe integer -------------------------------------------

function assertSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new LedgerException('invalid-tree-request', `${what} must be a non-negative safe integer, got ${String(n)}`);
  }
}

/** The largest power of two strictly below n (n ≥ 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The perfect subtrees of the decomposition of [start, start + length), largest first. */
function decompose(start: number, length: number): SubtreeRef[] {
  const refs: SubtreeRef[] = [];
  let size = 1;
  let level = 0;
  while (size * 2 <= length) {
    size *= 2;
    level++;
  }
  let at = start;
  let left = length;
  for (; left > 0; size /= 2, level--) {
    if (left >= size) {
      refs.push({ level, index: at / size });
      at += size;
      left -= size;
    }
  }
  return refs;
}

/** The perfect subtrees whose right fold is the root of a tree of `size` leaves, largest first. */
export function frontierRefs(size: number): SubtreeRef[] {
  assertSize(size, 'size');
  return decompose(0, size);
}

/** Folds perfect-subtree hashes (largest first) into the hash of the range they cover. */
export function foldRight(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i], acc);
  return acc;
}

/** In-memory root of a list of leaf hashes (tests and small sets). */
export function rootFromLeafHashes(hashes: readonly Buffer[]): Buffer {
  const frontier = MerkleFrontier.empty();
  for (const h of hashes) frontier.append(h);
  return frontier.root();
}

// ---- the right edge of a growing tree ---------------------------------------------------------

export class MerkleFrontier {
  private constructor(
    private count: number,
    private readonly hashes: Buffer[], // perfect subtrees of the decomposition of count, largest first
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** The frontier of a tree of `size` leaves from the hashes of `frontierRefs(size)`. */
  static fromSubtrees(size: number, hashes: readonly Buffer[]): MerkleFrontier {
    const refs = frontierRefs(size);
    if (hashes.length !== refs.length) {
      throw new LedgerException('invalid-tree-request', `a tree of ${size} leaves has ${refs.length} frontier subtrees, got ${hashes.length}`);
    }
    for (const h of hashes) checkHash(h, 'frontier subtree');
    return new MerkleFrontier(size, hashes.map((h) => Buffer.from(h)));
  }

  get size(): number {
    return this.count;
  }

  /** Appends a leaf; returns every perfect subtree this leaf completes, level 0 first. */
  append(leaf: Buffer): Array<SubtreeRef & { hash: Buffer }> {
    checkHash(leaf, 'leaf hash');
    let carry: Buffer = Buffer.from(leaf);
    let level = 0;
    let index = this.count;
    const completed: Array<SubtreeRef & { hash: Buffer }> = [{ level, index, hash: carry }];
    // The leaf merges with one frontier subtree per trailing one bit of the old size.
    while (index % 2 === 1) {
      const left = this.hashes.pop() as Buffer;
      carry = nodeHash(left, carry);
      level++;
      index = (index - 1) / 2;
      completed.push({ level, index, hash: carry });
    }
    this.hashes.push(carry);
    this.count++;
    return completed;
  }

  root(): Buffer {
    return foldRight(this.hashes);
  }

  /** The frontier's subtree hashes, largest first (the ones `frontierRefs(size)` names). */
  subtrees(): Buffer[] {
    return this.hashes.map((h) => Buffer.from(h));
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.count, this.hashes.slice());
  }
}

function checkHash(h: Uint8Array, what: string): void {
  if (h.length !== HASH_SIZE) throw new LedgerException('invalid-tree-request', `${what} must be ${HASH_SIZE} bytes, got ${h.length}`);
}

// ---- proofs from stored subtrees -------------------------------------------------------------

/** A range [start, end) whose hash a proof needs: perfect, or truncated by the tree's right edge. */
export interface ProofRange {
  start: number;
  end: number;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), as the ranges whose hashes form the proof, leaf level first. */
export function inclusionProofRanges(index: number, size: number): ProofRange[] {
  assertSize(index, 'index');
  assertSize(size, 'size');
  if (index >= size) throw new LedgerException('invalid-tree-request', `index ${index} is not in a tree of ${size} leaves`);
  const ranges: ProofRange[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      ranges.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      ranges.push({ start: lo, end: lo + k });
      lo += k;
    }
  }
  return ranges.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) as ranges, in proof order; empty when m is 0 or m = n. */
export function consistencyProofRanges(m: number, n: number): ProofRange[] {
  assertSize(m, 'first size');
  assertSize(n, 'second size');
  if (m > n) throw new LedgerException('invalid-tree-request', `cannot prove consistency from ${m} to the smaller ${n}`);
  if (m === 0 || m === n) return [];
  const ranges: ProofRange[] = [];
  let lo = 0;
  let hi = n;
  let mm = m;
  let whole = true; // SUBPROOF's b: m is the whole of the original first tree
  while (mm !== hi - lo) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (mm <= k) {
      ranges.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      ranges.push({ start: lo, end: lo + k });
      lo += k;
      mm -= k;
      whole = false;
    }
  }
  if (!whole) ranges.push({ start: lo, end: hi });
  return ranges.reverse();
}

/** The perfect subtrees a range is folded from (every proof range starts aligned to its size). */
export function rangeRefs(range: ProofRange): SubtreeRef[] {
  return decompose(range.start, range.end - range.start);
}

/** Plans one batched read for several ranges and folds each range's hash from the answer. */
export async function rangeHashes(ranges: readonly ProofRange[], reader: SubtreeReader): Promise<Buffer[]> {
  const perRange = ranges.map(rangeRefs);
  const refs = perRange.flat();
  const hashes = refs.length === 0 ? [] : await reader.read(refs);
  if (hashes.length !== refs.length) {
    throw new LedgerException('inconsistent-source', `subtree reader returned ${hashes.length} hashes for ${refs.length} refs`);
  }
  let at = 0;
  return perRange.map((r) => {
    const part = hashes.slice(at, at + r.length);
    at += r.length;
    part.forEach((h) => checkStoredHash(h));
    return foldRight(part);
  });
}

function checkStoredHash(h: Buffer): void {
  if (!Buffer.isBuffer(h) || h.length !== HASH_SIZE) {
    throw new LedgerException('inconsistent-source', `subtree reader returned a hash of ${Buffer.isBuffer(h) ? h.length : typeof h} bytes`);
  }
}

export async function rootAt(size: number, reader: SubtreeReader): Promise<Buffer> {
  assertSize(size, 'size');
  if (size === 0) return EMPTY_ROOT;
  const [root] = await rangeHashes([{ start: 0, end: size }], reader);
  return root;
}

export async function inclusionProof(index: number, size: number, reader: SubtreeReader): Promise<Buffer[]> {
  return rangeHashes(inclusionProofRanges(index, size), reader);
}

export async function consistencyProof(m: number, n: number, reader: SubtreeReader): Promise<Buffer[]> {
  return rangeHashes(consistencyProofRanges(m, n), reader);
}

// ---- verification, RFC 9162 §2.1.3.2 and §2.1.4.2 ------------------------------------------

function isHash(h: Uint8Array | undefined): h is Uint8Array {
  return h !== undefined && h.length === HASH_SIZE;
}

function bitLength(x: number): number {
  let bits = 0;
  for (let v = x; v > 0; v = Math.floor(v / 2)) bits++;
  return bits;
}

function popCount(x: number): number {
  let ones = 0;
  for (let v = x; v > 0; v = Math.floor(v / 2)) ones += v % 2;
  return ones;
}

/** Number of hashes in an inclusion proof for `index` in a tree of `size` leaves. */
export function inclusionProofLength(index: number, size: number): number {
  // inner: levels below the point where the paths to index and to size-1 meet; border: the
  // left siblings above it (one per set bit of index above that point).
  const inner = bitLength(xor(index, size - 1));
  return inner + popCount(Math.floor(index / 2 ** inner));
}

function xor(a: number, b: number): number {
  let out = 0;
  for (let bit = 1, x = a, y = b; x > 0 || y > 0; bit *= 2, x = Math.floor(x / 2), y = Math.floor(y / 2)) {
    if (x % 2 !== y % 2) out += bit;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  if (proof.length !== inclusionProofLength(index, size)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameBytes(r, root);
}

function isPowerOfTwo(x: number): boolean {
  return x > 0 && 2 ** (bitLength(x) - 1) === x;
}

/** Number of hashes in a consistency proof from m to n (0 < m < n). */
export function consistencyProofLength(m: number, n: number): number {
  let shift = 0;
  while ((m / 2 ** shift) % 2 === 0) shift++;
  const inner = bitLength(xor(m - 1, n - 1)) - shift;
  const border = popCount(Math.floor((m - 1) / 2 ** bitLength(xor(m - 1, n - 1))));
  return (isPowerOfTwo(m) ? 0 : 1) + inner + border;
}

export function verifyConsistency(m: number, n: number, rootM: Uint8Array, rootN: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (!isHash(rootM) || !isHash(rootN) || !proof.every(isHash)) return false;
  if (m === n) return proof.length === 0 && sameBytes(rootM, rootN);
  if (m === 0) return proof.length === 0;
  if (proof.length === 0 || proof.length !== consistencyProofLength(m, n)) return false;
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : proof;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0];
  let sr: Uint8Array = path[0];
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameBytes(fr, rootM) && sameBytes(sr, rootN);
}
