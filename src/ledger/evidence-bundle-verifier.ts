import { parseCanonical } from './canonical-json';
import { CHAIN_GENESIS } from './chain';
import { decodeBase64Strict, openCheckpoint, openNote, parseVerifierKey, type Checkpoint, type NoteVerifier } from './checkpoint';
import { inspectEntryBytes } from './entry';
import { evidenceStatement, type EvidenceBundle } from './evidence-bundle';
import { readBundle } from './evidence-bundle-shape';
import { hashAndScanEntries } from './evidence-bundle-entries';
import { BundleTree } from './evidence-bundle-tree';
import { HASH_SIZE, frontierRefs, verifyConsistency, verifyInclusion } from './merkle';
import { chainFold } from './sha256-batch';

export type BundleCheck = 'checkpoint' | 'origin' | 'range' | 'entries' | 'entry' | 'left-subtrees' | 'tail' | 'root' | 'chain' | 'inclusion-proof' | 'latest' | 'consistency' | 'signature';

export interface VerificationFailure {
  check: BundleCheck;
  /** The entry the failure is about, when there is one. */
  seq?: number;
  message: string;
}

export interface VerificationReport {
  ok: boolean;
  /** The verifier key text the bundle was checked against. */
  key: string;
  origin: string;
  range: { from: number; to: number };
  anchor: { size: number; root: string } | null;
  latest: { size: number; root: string } | null;
  entriesChecked: number;
  /** What was proven, in words. */
  passed: string[];
  failures: VerificationFailure[];
  warnings: string[];
}

const MAX_LISTED = 20;

class Findings {
  readonly failures: VerificationFailure[] = [];
  readonly warnings: string[] = [];
  readonly passed: string[] = [];
  private listed = new Map<BundleCheck, number>();

  fail(check: BundleCheck, message: string, seq?: number): void {
    const n = (this.listed.get(check) ?? 0) + 1;
    this.listed.set(check, n);
    if (n <= MAX_LISTED) this.failures.push(seq === undefined ? { check, message } : { check, seq, message });
    else if (n === MAX_LISTED + 1) this.failures.push({ check, message: `(further ${check} failures not listed)` });
  }

  count(check: BundleCheck): number {
    return this.listed.get(check) ?? 0;
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function openSigned(f: Findings, what: 'checkpoint' | 'latest', text: string, verifier: NoteVerifier): Checkpoint | undefined {
  try {
    return openCheckpoint(text, verifier);
  } catch (err) {
    f.fail(what, `${what === 'checkpoint' ? 'checkpoint' : 'latest checkpoint'}: ${errText(err)}`);
    return undefined;
  }
}

function hash32(text: string): Buffer | undefined {
  const b = decodeBase64Strict(text);
  return b && b.length === HASH_SIZE ? b : undefined;
}

// ---- entries -----------------------------------------------------------------------------------

/** Leaf hashes by position (32 bytes each); `missing` holds positions whose bytes are not base64. */
interface EntryLeaves {
  flat: Buffer;
  missing: ReadonlySet<number>;
}

function leafAt(leaves: EntryLeaves, p: number): Buffer | undefined {
  return leaves.missing.has(p) ? undefined : leaves.flat.subarray(HASH_SIZE * p, HASH_SIZE * (p + 1));
}

function checkEntryBytes(f: Findings, seq: number, bytes: Buffer): void {
  const inspected = inspectEntryBytes(bytes);
  if (!inspected.ok) {
    const canonical = parseCanonical(bytes);
    if (!canonical.ok) f.fail('entry', `entry ${seq}: bytes are ${canonical.reason}; the ledger stores only canonical entries`, seq);
    else f.fail('entry', `entry ${seq}: not a ledger entry (${inspected.reason})`, seq);
  } else if (inspected.seq !== seq) f.fail('entry', `entry ${seq}: its bytes say seq ${inspected.seq} (entry moved?)`, seq);
}

function checkEntries(f: Findings, bundle: EvidenceBundle): EntryLeaves {
  const { from, to } = bundle.range;
  const entries = bundle.entries;
  for (let p = 0; p < entries.length; p++) {
    const seq = entries[p].seq;
    if (seq !== from + p) f.fail('entries', `entries out of order at position ${p}: expected seq ${from + p}, found seq ${seq}`, seq);
  }
  const missing = new Set<number>();
  const flat = hashAndScanEntries(entries, from, {
    undecodable: (p) => {
      missing.add(p);
      f.fail('entry', `entry ${entries[p].seq}: bytes are not valid base64`, entries[p].seq);
    },
    fullCheck: (p, bytes) => checkEntryBytes(f, entries[p].seq, bytes),
  });
  const want = to - from + 1;
  if (entries.length !== want) {
    f.fail('entries', `entries: range ${from}..${to} needs ${want} entries, the bundle holds ${entries.length} (entries dropped or inserted?)`);
    const seen = new Set<number>();
    for (const e of entries) {
      if (seen.has(e.seq)) f.fail('entries', `entry ${e.seq}: appears more than once`, e.seq);
      seen.add(e.seq);
      if (e.seq < from || e.seq > to) f.fail('entries', `entry ${e.seq}: outside the range ${from}..${to}`, e.seq);
    }
    for (let s = from; s <= to && f.count('entries') <= MAX_LISTED; s++) if (!seen.has(s)) f.fail('entries', `entry ${s}: missing from the bundle`, s);
  }
  return { flat, missing };
}

// ---- the anchor tree -----------------------------------------------------------------------

/** Decodes 32-byte hashes into `out` from `offset` on; false (and a failure) at the first bad one. */
function decodeAll(f: Findings, check: 'left-subtrees' | 'tail', name: string, texts: readonly string[], out: Buffer, offset: number): boolean {
  for (let i = 0; i < texts.length; i++) {
    const h = hash32(texts[i]);
    if (!h) {
      f.fail(check, `${name}[${i}]: not base64 of a 32-byte hash`);
      return false;
    }
    h.copy(out, offset + HASH_SIZE * i);
  }
  return true;
}

function decodeLeft(f: Findings, texts: readonly string[]): Buffer[] | undefined {
  const out = Buffer.alloc(HASH_SIZE * texts.length);
  if (!decodeAll(f, 'left-subtrees', 'leftSubtrees', texts, out, 0)) return undefined;
  return texts.map((_, i) => out.subarray(HASH_SIZE * i, HASH_SIZE * (i + 1)));
}

/** When counts do not line up, each present entry is still checked by its own inclusion proof. */
function checkEntriesOneByOne(f: Findings, bundle: EvidenceBundle, leaves: EntryLeaves, anchor: Checkpoint): void {
  bundle.entries.forEach((e, p) => {
    const leaf = leafAt(leaves, p);
    const proof = bundle.inclusionProofs[p]?.map(hash32);
    if (!leaf) return;
    if (e.seq >= anchor.size) f.fail('entry', `entry ${e.seq}: beyond the signed checkpoint of size ${anchor.size} (truncated log?)`, e.seq);
    else if (!proof || proof.some((h) => !h) || !verifyInclusion(e.seq, anchor.size, leaf, proof as Buffer[], anchor.root)) {
      f.fail('entry', `entry ${e.seq}: leaf hash does not match the signed root (bytes altered?)`, e.seq);
    }
  });
}

function localizeRootMismatch(f: Findings, bundle: EvidenceBundle, tree: BundleTree, leaves: EntryLeaves, anchor: Checkpoint): void {
  const { from, to } = bundle.range;
  const bad = new Set<number>();
  bundle.entries.forEach((_, p) => {
    const proof = bundle.inclusionProofs[p]?.map(hash32);
    if (!proof || proof.some((h) => !h) || !verifyInclusion(from + p, anchor.size, leafAt(leaves, p) as Buffer, proof as Buffer[], anchor.root)) {
      bad.add(p);
      f.fail('entry', `entry ${from + p}: leaf hash does not match the signed root (bytes altered?)`, from + p);
    }
  });
  if (bad.size === 0) {
    // Every entry is proven by its own proof: the left subtrees or the tail were altered.
    const first = tree.compareProof(from, bundle.inclusionProofs[0] ?? []).mismatches;
    const last = tree.compareProof(to, bundle.inclusionProofs[bundle.entries.length - 1] ?? []).mismatches;
    if (first.some((m) => m.side === 'left')) f.fail('left-subtrees', `leftSubtrees: do not match the signed tree (the hashes covering seq 0..${from - 1} were altered)`);
    if (last.some((m) => m.side === 'right')) f.fail('tail', `tailLeafHashes: do not match the signed tree (leaf hashes of seq ${to + 1}..${anchor.size - 1} were altered)`);
  }
  f.fail('root', `checkpoint root: the tree rebuilt from the bundle does not match the signed root at size ${anchor.size}`);
}

function checkProofs(f: Findings, bundle: EvidenceBundle, tree: BundleTree, size: number): void {
  const { from } = bundle.range;
  if (bundle.inclusionProofs.length !== bundle.entries.length) {
    f.fail('inclusion-proof', `inclusionProofs: ${bundle.inclusionProofs.length} proofs for ${bundle.entries.length} entries`);
  }
  const n = Math.min(bundle.inclusionProofs.length, bundle.entries.length);
  let good = 0;
  const matcher = tree.proofMatcher();
  for (let p = 0; p < n; p++) {
    const proof = bundle.inclusionProofs[p];
    if (matcher.matches(from + p, proof)) {
      good++;
      continue;
    }
    const { expectedLength, mismatches } = tree.compareProof(from + p, proof);
    if (proof.length !== expectedLength) {
      f.fail('inclusion-proof', `inclusion proof of entry ${from + p}: ${proof.length} hashes, but a tree of size ${size} needs ${expectedLength} (proof for the wrong size?)`, from + p);
    } else f.fail('inclusion-proof', `inclusion proof of entry ${from + p}: hash ${mismatches[0].at} does not match the signed tree (proof altered?)`, from + p);
  }
  if (good === bundle.entries.length) f.passed.push(`${good} inclusion proofs match the signed tree of size ${size}`);
}

/** `leaves`: the leaf hashes of seq from..anchor.size - 1, 32 bytes each. */
function checkChain(f: Findings, bundle: EvidenceBundle, leaves: Buffer, anchor: Checkpoint, rootOk: boolean): void {
  const before = hash32(bundle.chainBefore);
  const { from } = bundle.range;
  if (!before) return f.fail('chain', 'chainBefore: not base64 of a 32-byte hash');
  if (from === 0 && !before.equals(CHAIN_GENESIS)) return f.fail('chain', 'chainBefore: a range starting at seq 0 must start from the genesis value (32 zero bytes)');
  if (chainFold(before, leaves).equals(anchor.chain)) f.passed.push(`hash chain from seq ${from} reaches the signed chain head at size ${anchor.size}`);
  else f.fail('chain', `chain: walking from chainBefore through seq ${from}..${anchor.size - 1} does not reach the signed chain head (${rootOk ? 'chainBefore altered?' : 'entries altered?'})`);
}

function checkTree(f: Findings, bundle: EvidenceBundle, entryLeaves: EntryLeaves, anchor: Checkpoint): number {
  const { from, to } = bundle.range;
  const wantLeft = frontierRefs(from).length;
  const wantTail = anchor.size - 1 - to;
  const entries = bundle.entries.length;
  const leaves = Buffer.allocUnsafe(HASH_SIZE * (entries + bundle.tailLeafHashes.length));
  entryLeaves.flat.copy(leaves, 0);
  const left = decodeLeft(f, bundle.leftSubtrees);
  const tailOk = decodeAll(f, 'tail', 'tailLeafHashes', bundle.tailLeafHashes, leaves, HASH_SIZE * entries);
  if (left && left.length !== wantLeft) f.fail('left-subtrees', `leftSubtrees: seq 0..${from - 1} need ${wantLeft} subtree hashes, the bundle has ${left.length}`);
  if (tailOk && bundle.tailLeafHashes.length !== wantTail) {
    f.fail('tail', `tailLeafHashes: seq ${to + 1}..${anchor.size - 1} need ${wantTail} leaf hashes, the bundle has ${bundle.tailLeafHashes.length} (truncated?)`);
  }
  if (!left || !tailOk || left.length !== wantLeft || bundle.tailLeafHashes.length !== wantTail || entryLeaves.missing.size > 0) {
    checkEntriesOneByOne(f, bundle, entryLeaves, anchor);
    f.fail('root', `checkpoint root: not rebuilt, the bundle does not hold every hash of the tree of size ${anchor.size}`);
    return 0;
  }
  const tree = new BundleTree(from, left, leaves);
  const rootOk = tree.root().equals(anchor.root);
  if (rootOk) {
    f.passed.push(`${entries} entries, ${left.length} left subtrees and ${wantTail} tail leaves rebuild the signed root of size ${anchor.size}`);
    checkProofs(f, bundle, tree, anchor.size);
  } else localizeRootMismatch(f, bundle, tree, entryLeaves, anchor);
  checkChain(f, bundle, leaves, anchor, rootOk);
  return rootOk ? entries : 0;
}

// ---- checkpoints, latest, signature ------------------------------------------------------------

function checkAnchor(f: Findings, bundle: EvidenceBundle, anchor: Checkpoint, verifier: NoteVerifier): boolean {
  f.passed.push(`anchor checkpoint (size ${anchor.size}) is signed by ${verifier.text}`);
  if (anchor.origin !== verifier.name) f.fail('origin', `checkpoint: origin ${anchor.origin} is not the key's name ${verifier.name}`);
  if (bundle.origin !== anchor.origin) f.fail('origin', `origin: the bundle says ${bundle.origin}, the signed checkpoint says ${anchor.origin}`);
  if (bundle.range.to >= anchor.size) {
    f.fail('range', `range: claims entries up to seq ${bundle.range.to}, but the signed checkpoint covers only seq 0..${anchor.size - 1} (truncated log?)`);
    return false;
  }
  return true;
}

function checkLatest(f: Findings, bundle: EvidenceBundle, anchor: Checkpoint | undefined, verifier: NoteVerifier): Checkpoint | undefined {
  if (!bundle.latest) return undefined;
  const latest = openSigned(f, 'latest', bundle.latest.checkpoint, verifier);
  if (!latest || !anchor) return latest;
  const { size: m } = anchor;
  const n = latest.size;
  if (latest.origin !== anchor.origin) f.fail('latest', `latest checkpoint: origin ${latest.origin} differs from the anchor's ${anchor.origin}`);
  else if (n < m) f.fail('latest', `latest checkpoint: size ${n} is smaller than the anchor's ${m} (rollback?)`);
  else {
    const proof = bundle.latest.consistencyProof.map(hash32);
    const sameSizeFork = n === m && !latest.chain.equals(anchor.chain);
    if (proof.some((h) => !h) || !verifyConsistency(m, n, anchor.root, latest.root, proof as Buffer[]) || sameSizeFork) {
      f.fail('consistency', `consistency proof from ${m} to ${n} does not verify (fork?)`);
    } else f.passed.push(`latest checkpoint (size ${n}) is signed and consistent with the anchor`);
  }
  return latest;
}

function checkSignature(f: Findings, bundle: EvidenceBundle, verifier: NoteVerifier, anchor?: Checkpoint, latest?: Checkpoint): void {
  if (bundle.signature === undefined) {
    f.warnings.push('the bundle carries no signature: which range was exported is not attested (every entry is still proven)');
    return;
  }
  let body: string;
  try {
    body = openNote(bundle.signature, verifier).body;
  } catch (err) {
    return f.fail('signature', `bundle signature: ${errText(err)}`);
  }
  if (!anchor || (bundle.latest && !latest)) return;
  const expected = evidenceStatement(bundle.origin, bundle.range.from, bundle.range.to, anchor, latest);
  if (body !== expected) f.fail('signature', `bundle signature: the signed statement does not match this bundle (signed: ${JSON.stringify(body)})`);
  else f.passed.push('the bundle statement (origin, range, checkpoints) is signed');
}

/**
 * Verifies an evidence bundle offline against one trusted key. Pure: reads nothing but its
 * arguments. Throws only for input that is not a bundle at all (`invalid-bundle`,
 * `bundle-too-large`) or a bad key (`invalid-key`); every other problem is a failure in the report.
 */
export function verifyEvidenceBundle(input: string | object, verifierKey: string | NoteVerifier): VerificationReport {
  const verifier = typeof verifierKey === 'string' ? parseVerifierKey(verifierKey) : verifierKey;
  const bundle = readBundle(input);
  const f = new Findings();
  if (bundle.publicKey !== '' && bundle.publicKey.trim() !== verifier.text) {
    f.warnings.push("the bundle's publicKey field is not the key given; it was ignored");
  }
  const anchor = openSigned(f, 'checkpoint', bundle.checkpoint, verifier);
  const rangeOk = anchor ? checkAnchor(f, bundle, anchor, verifier) : false;
  const leaves = checkEntries(f, bundle);
  let checked = 0;
  if (anchor && rangeOk && bundle.entries.length === bundle.range.to - bundle.range.from + 1) checked = checkTree(f, bundle, leaves, anchor);
  else if (anchor) checkEntriesOneByOne(f, bundle, leaves, anchor);
  if (checked > 0 && f.count('entry') === 0 && f.count('entries') === 0) f.passed.push(`${checked} entries are canonical JSON ledger entries in seq order`);
  const latest = checkLatest(f, bundle, anchor, verifier);
  checkSignature(f, bundle, verifier, anchor, latest);
  const b64 = (c: Checkpoint | undefined) => (c ? { size: c.size, root: c.root.toString('base64') } : null);
  return {
    ok: f.failures.length === 0,
    key: verifier.text,
    origin: anchor?.origin ?? bundle.origin,
    range: bundle.range,
    anchor: b64(anchor),
    latest: b64(latest),
    entriesChecked: checked,
    passed: f.passed,
    failures: f.failures,
    warnings: f.warnings,
  };
}
