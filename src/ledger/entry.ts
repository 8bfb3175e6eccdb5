import { canonicalBytes, parseCanonical } from './canonical-json';
import { LedgerException } from './ledger.exception';

/** Entry types (contracts §7). Version 1 entries carry exactly these. */
export const LEDGER_ENTRY_TYPES = [
  'commit.verified',
  'approval.recorded',
  'policy.decided',
  'gate.decided',
  'sync.started',
  'resource.applied',
  'resource.pruned',
  'sync.finished',
  'drift.detected',
  'drift.healed',
  'trust.changed',
  'policy.bundle.loaded',
  'report.exported',
  'checkpoint.signed',
] as const;

export type LedgerEntryType = (typeof LEDGER_ENTRY_TYPES)[number];

/**
 * One ledger entry. Body convention: `body.commit` is the full sha of the commit the entry
 * concerns (or null), `body.follows` the seq numbers of the entries it follows from (ascending,
 * each below this entry's seq; empty when none).
 */
export interface LedgerEntry<B extends Record<string, unknown> = Record<string, unknown>> {
  v: 1;
  seq: number;
  type: LedgerEntryType;
  recordedAt: string;
  body: B;
}

const ENTRY_KEYS = ['body', 'recordedAt', 'seq', 'type', 'v'];
const TYPES: ReadonlySet<string> = new Set(LEDGER_ENTRY_TYPES);
const RECORDED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function isLedgerEntryType(value: unknown): value is LedgerEntryType {
  return typeof value === 'string' && TYPES.has(value);
}

function invalid(message: string): never {
  throw new LedgerException('invalid-entry', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFollows(follows: unknown, seq: number): void {
  if (!Array.isArray(follows)) invalid('body.follows must be an array of seq numbers');
  let previous = -1;
  for (const f of follows) {
    if (!Number.isSafeInteger(f) || (f as number) <= previous || (f as number) >= seq) {
      invalid(`body.follows must hold ascending seq numbers below ${seq}, found ${JSON.stringify(f)}`);
    }
    previous = f as number;
  }
}

function checkBody(body: unknown, seq: number): asserts body is Record<string, unknown> {
  if (!isRecord(body)) invalid('body must be an object');
  const commit = body.commit;
  if (commit !== null && !(typeof commit === 'string' && COMMIT_SHA.test(commit))) {
    invalid('body.commit must be a full lowercase commit sha or null');
  }
  checkFollows(body.follows, seq);
}

/** Checks that `value` has the shape of a version 1 ledger entry; throws `invalid-entry`. */
export function assertLedgerEntry(value: unknown): asserts value is LedgerEntry {
  if (!isRecord(value)) invalid('an entry must be a JSON object');
  const keys = Object.keys(value).sort();
  if (keys.length !== ENTRY_KEYS.length || keys.some((k, i) => k !== ENTRY_KEYS[i])) {
    invalid(`an entry has exactly the members ${ENTRY_KEYS.join(', ')}; found ${keys.join(', ')}`);
  }
  if (value.v !== 1) invalid(`unsupported entry version ${JSON.stringify(value.v)}`);
  const seq = value.seq;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) invalid('seq must be a non-negative integer');
  if (!isLedgerEntryType(value.type)) invalid(`unknown entry type ${JSON.stringify(value.type)}`);
  const at = value.recordedAt;
  if (typeof at !== 'string' || !RECORDED_AT.test(at) || Number.isNaN(Date.parse(at))) {
    invalid('recordedAt must be an ISO 8601 UTC timestamp such as 2026-11-21T10:00:00.000Z');
  }
  checkBody(value.body, seq as number);
}

/** The exact bytes the ledger stores and hashes for an entry (RFC 8785 canonical JSON). */
export function encodeEntry(entry: LedgerEntry): Buffer {
  assertLedgerEntry(entry);
  return canonicalBytes(entry);
}

/** Decodes stored entry bytes; rejects bytes that are not canonical or not an entry. */
export function decodeEntry(bytes: Uint8Array): LedgerEntry {
  const parsed = parseCanonical(bytes);
  if (!parsed.ok) throw new LedgerException('non-canonical-value', `entry bytes are ${parsed.reason}`);
  assertLedgerEntry(parsed.value);
  return parsed.value;
}
