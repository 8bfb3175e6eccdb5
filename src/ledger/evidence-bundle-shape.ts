import { BUNDLE_FORMAT, LIMITS, type EvidenceBundle } from './evidence-bundle';
import { LedgerException } from './ledger.exception';

/**
 * Reads an evidence bundle's JSON and checks its shape and bounds before any work is done, so a
 * hostile bundle cannot make the verifier allocate or hash more than its own size implies.
 * Anything that is not of the documented shape is `invalid-bundle` (exit 2): nothing is verified.
 */
const KEYS = new Set(['format', 'origin', 'publicKey', 'range', 'checkpoint', 'chainBefore', 'leftSubtrees', 'entries', 'tailLeafHashes', 'inclusionProofs', 'latest', 'signature']);

function bad(message: string): never {
  throw new LedgerException('invalid-bundle', `malformed evidence bundle: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') bad(`${what} must be a string`);
  return v;
}

function int(v: unknown, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) bad(`${what} must be a non-negative integer`);
  return v as number;
}

function strings(v: unknown, what: string, max: number): string[] {
  if (!Array.isArray(v)) bad(`${what} must be an array of strings`);
  if (v.length > max) bad(`${what} has ${v.length} elements, more than the ${max} allowed`);
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') bad(`${what}[${i}] must be a string`);
  return v as string[];
}

function entries(v: unknown): EvidenceBundle['entries'] {
  if (!Array.isArray(v)) bad('entries must be an array');
  if (v.length > LIMITS.maxEntries) bad(`entries holds ${v.length} entries, more than the ${LIMITS.maxEntries} allowed`);
  const maxChars = Math.ceil(LIMITS.maxEntryBytes / 3) * 4;
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (!isRecord(e) || !Number.isSafeInteger(e.seq) || typeof e.bytes !== 'string') bad(`entries[${i}] must be {"seq": integer, "bytes": base64}`);
    if (e.bytes.length > maxChars) bad(`entries[${i}] is larger than ${LIMITS.maxEntryBytes} bytes`);
  }
  return v as EvidenceBundle['entries'];
}

function allStrings(v: readonly unknown[]): boolean {
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

function proofs(v: unknown): string[][] {
  if (!Array.isArray(v)) bad('inclusionProofs must be an array');
  if (v.length > LIMITS.maxEntries) bad('inclusionProofs has more elements than entries allowed');
  for (let i = 0; i < v.length; i++) {
    const proof: unknown = v[i];
    // The named check (and its message) only for a proof that fails the quick one.
    if (!Array.isArray(proof) || proof.length > LIMITS.maxProofLength || !allStrings(proof)) strings(proof, `inclusionProofs[${i}]`, LIMITS.maxProofLength);
  }
  return v as string[][];
}

function latest(v: unknown): EvidenceBundle['latest'] {
  if (v === undefined) return undefined;
  if (!isRecord(v)) bad('latest must be an object');
  return { checkpoint: str(v.checkpoint, 'latest.checkpoint'), consistencyProof: strings(v.consistencyProof, 'latest.consistencyProof', 2 * LIMITS.maxProofLength) };
}

function parseText(text: string): unknown {
  if (text.length > LIMITS.maxBundleChars) throw new LedgerException('bundle-too-large', `evidence bundle is larger than ${LIMITS.maxBundleChars} characters`);
  try {
    return JSON.parse(text);
  } catch (err) {
    return bad(`not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

export function readBundle(input: unknown): EvidenceBundle {
  const value = typeof input === 'string' ? parseText(input) : input;
  if (!isRecord(value)) bad('not a JSON object');
  if (value.format !== BUNDLE_FORMAT) bad(`format must be "${BUNDLE_FORMAT}", found ${JSON.stringify(value.format)}`);
  const unknown = Object.keys(value).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) bad(`unknown fields ${unknown.join(', ')}`);
  const range = value.range;
  if (!isRecord(range)) bad('range must be {"from": seq, "to": seq}');
  const from = int(range.from, 'range.from');
  const to = int(range.to, 'range.to');
  if (to < from) bad(`range ${from}..${to} is empty or reversed`);
  return {
    format: BUNDLE_FORMAT,
    origin: str(value.origin, 'origin'),
    publicKey: value.publicKey === undefined ? '' : str(value.publicKey, 'publicKey'),
    range: { from, to },
    checkpoint: str(value.checkpoint, 'checkpoint'),
    chainBefore: str(value.chainBefore, 'chainBefore'),
    leftSubtrees: strings(value.leftSubtrees, 'leftSubtrees', 64),
    entries: entries(value.entries),
    tailLeafHashes: strings(value.tailLeafHashes, 'tailLeafHashes', LIMITS.maxTail),
    inclusionProofs: proofs(value.inclusionProofs),
    latest: latest(value.latest),
    signature: value.signature === undefined ? undefined : str(value.signature, 'signature'),
  };
}
