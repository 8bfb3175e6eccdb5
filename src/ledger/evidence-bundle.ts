import { CHAIN_GENESIS } from './chain';
import { openCheckpoint, parseCheckpoint, signNote, verifierKeyFor, type Checkpoint, type NoteSigner } from './checkpoint';
import { BundleTree } from './evidence-bundle-tree';
import { LedgerException } from './ledger.exception';
import { consistencyProof, frontierRefs, type SubtreeReader } from './merkle';
import { leafHashesOf } from './sha256-batch';

/**
 * Evidence bundle v1: a contiguous range of entries with everything needed to prove them offline
 * against a signed checkpoint (see docs/ledger.md). Only the verifier key given by the auditor is
 * trusted; every other field is checked against what that key signed.
 */
export const BUNDLE_FORMAT = 'gitseal-evidence/v1';

export interface EvidenceBundle {
  format: typeof BUNDLE_FORMAT;
  origin: string;
  /** Informational only: the verifier never uses it. */
  publicKey: string;
  range: { from: number; to: number };
  /** Signed checkpoint (note) of size m ≥ to + 1: the anchor every proof is checked against. */
  checkpoint: string;
  /** base64 chain head after entry from - 1 (32 zero bytes when from = 0). */
  chainBefore: string;
  /** base64 perfect subtrees covering [0, from), largest first (frontierRefs(from)). */
  leftSubtrees: string[];
  entries: Array<{ seq: number; bytes: string }>;
  /** base64 leaf hashes of seq to + 1 .. m - 1. */
  tailLeafHashes: string[];
  /** Per entry, its RFC 9162 inclusion proof in the anchor tree (base64, leaf level first). */
  inclusionProofs: string[][];
  latest?: { checkpoint: string; consistencyProof: string[] };
  /** Signed note by the log key attesting origin, range and checkpoints (see evidenceStatement). */
  signature?: string;
}

/** What the lead's database layer provides to build a bundle. */
export interface EvidenceSource {
  /** The exact stored bytes of entries from..to inclusive, in seq order. */
  entryBytes(from: number, to: number): Promise<Buffer[]>;
  /** The leaf hashes of entries from..to inclusive, in seq order (empty when from > to). */
  leafHashes(from: number, to: number): Promise<Buffer[]>;
  /** The chain head after entry `seq` (CHAIN_GENESIS for seq -1). */
  chainAt(seq: number): Promise<Buffer>;
  /** Stored perfect subtrees (for the left frontier and the consistency proof). */
  subtrees: SubtreeReader;
}

export interface BuildEvidenceOptions {
  from: number;
  to: number;
  /** Signed checkpoint note of size ≥ to + 1; choose the smallest such one to keep the tail short. */
  anchor: string;
  /** A later signed checkpoint note; the bundle then carries the consistency proof to it. */
  latest?: string;
  /** The log key: signs the bundle's statement and checks the anchor's signature. */
  signer?: NoteSigner;
}

export const LIMITS = {
  maxBundleChars: 512 * 1024 * 1024 - 64,
  maxEntries: 2_000_000,
  maxTail: 10_000_000,
  maxEntryBytes: 4 * 1024 * 1024,
  maxProofLength: 64,
};

function bad(message: string): never {
  throw new LedgerException('invalid-bundle', message);
}

/** The text the bundle signature covers: which range, of which log, against which checkpoints. */
export function evidenceStatement(origin: string, from: number, to: number, anchor: Checkpoint, latest?: Checkpoint): string {
  const lines = [BUNDLE_FORMAT, `origin ${origin}`, `range ${from} ${to}`, `anchor ${anchor.size} ${anchor.root.toString('base64')}`];
  if (latest) lines.push(`latest ${latest.size} ${latest.root.toString('base64')}`);
  return `${lines.join('\n')}\n`;
}

function anchorOf(text: string, signer: NoteSigner | undefined): Checkpoint {
  if (signer) return openCheckpoint(text, verifierKeyFor(signer));
  const split = text.lastIndexOf('\n\n');
  if (split < 0) bad('anchor is not a signed note');
  return parseCheckpoint(text.slice(0, split + 1));
}

function checkRange(from: number, to: number, anchor: Checkpoint): void {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) bad(`invalid range ${from}..${to}`);
  if (to >= anchor.size) bad(`range ends at seq ${to}, beyond the anchor checkpoint of size ${anchor.size}`);
  if (to - from + 1 > LIMITS.maxEntries) bad(`a bundle holds at most ${LIMITS.maxEntries} entries`);
  if (anchor.size - 1 - to > LIMITS.maxTail) bad(`the anchor is ${anchor.size - 1 - to} entries past the range; pick an earlier checkpoint`);
}

function expectCount(what: string, got: number, want: number): void {
  if (got !== want) throw new LedgerException('inconsistent-source', `${what}: expected ${want}, source returned ${got}`);
}

/** Builds a bundle from the store; refuses to emit one that would not verify. */
export async function buildEvidenceBundle(source: EvidenceSource, options: BuildEvidenceOptions): Promise<EvidenceBundle> {
  const { from, to } = options;
  const anchor = anchorOf(options.anchor, options.signer);
  checkRange(from, to, anchor);
  const latest = options.latest === undefined ? undefined : anchorOf(options.latest, options.signer);
  if (latest && (latest.size < anchor.size || latest.origin !== anchor.origin)) bad('latest checkpoint must be of the same log and not smaller than the anchor');

  const refs = frontierRefs(from);
  const [left, entries, tail, chainBefore] = await Promise.all([
    refs.length === 0 ? Promise.resolve([]) : source.subtrees.read(refs),
    source.entryBytes(from, to),
    to + 1 <= anchor.size - 1 ? source.leafHashes(to + 1, anchor.size - 1) : Promise.resolve([]),
    source.chainAt(from - 1),
  ]);
  expectCount('left subtrees', left.length, refs.length);
  expectCount(`entries ${from}..${to}`, entries.length, to - from + 1);
  expectCount('tail leaf hashes', tail.length, anchor.size - 1 - to);
  if (from === 0 && !chainBefore.equals(CHAIN_GENESIS)) throw new LedgerException('inconsistent-source', 'chain before seq 0 is not the genesis value');

  const tree = new BundleTree(from, left, Buffer.concat([leafHashesOf(entries), ...tail]));
  if (!tree.root().equals(anchor.root)) throw new LedgerException('inconsistent-source', `stored entries do not hash to the anchor checkpoint's root (size ${anchor.size})`);
  const proof = latest ? await consistencyProof(anchor.size, latest.size, source.subtrees) : undefined;

  const b64 = (h: Buffer): string => h.toString('base64');
  const bundle: EvidenceBundle = {
    format: BUNDLE_FORMAT,
    origin: anchor.origin,
    publicKey: options.signer ? verifierKeyFor(options.signer) : '',
    range: { from, to },
    checkpoint: options.anchor,
    chainBefore: b64(chainBefore),
    leftSubtrees: left.map(b64),
    entries: entries.map((bytes, i) => ({ seq: from + i, bytes: b64(bytes) })),
    tailLeafHashes: tail.map(b64),
    inclusionProofs: entries.map((_, i) => tree.inclusionProof(from + i).map(b64)),
  };
  if (latest && options.latest !== undefined && proof) bundle.latest = { checkpoint: options.latest, consistencyProof: proof.map(b64) };
  if (options.signer) bundle.signature = signNote(evidenceStatement(anchor.origin, from, to, anchor, latest), options.signer);
  return bundle;
}
