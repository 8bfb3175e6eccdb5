import { canonicalBytes, parseCanonical } from './canonical-json';
import { scanCanonical } from './canonical-json-scan';
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
  // the reconciler's operations (who asked for what), besides the syncs they lead to
  'sync.requested',
  'rollback.requested',
  'target.changed',
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

// ---- the verifier's fast path: the same checks on the bytes, without building the value --------

const TOP = ['body', 'recordedAt', 'seq', 'type', 'v'];
const DIGITS = /^(0|[1-9][0-9]*)$/;

/** Raw JSON text of the members an entry must have (the body's only says whether it is an object). */
interface Fields {
  names: string[];
  values: string[];
  commit?: string;
  follows?: string;
}

/** `null`, or a JSON string of 40 or 64 lowercase hex digits. */
function isShaOrNull(bytes: Buffer, start: number, end: number): boolean {
  if (end - start === 4) return keyIs(bytes, start, end, 'null');
  const n = end - start - 2;
  if ((n !== 40 && n !== 64) || bytes[start] !== 0x22 || bytes[end - 1] !== 0x22) return false;
  for (let k = start + 1; k < end - 1; k++) {
    const c = bytes[k];
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** Canonical `[a,b,…]` of integers (the scan already proved it canonical JSON), or undefined. */
function parseFollows(text: string): number[] | undefined {
  if (text === '[]') return [];
  const parts = text.slice(1, -1).split(',');
  const out: number[] = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    if (!DIGITS.test(parts[i])) return undefined;
    out[i] = Number(parts[i]);
  }
  return out;
}

function keyIs(bytes: Buffer, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (bytes[start + k] !== name.charCodeAt(k)) return false;
  return true;
}

/** One scan; only the members an entry must have are turned into strings. */
function collect(bytes: Buffer): Fields | string {
  const fields: Fields = { names: [], values: [] };
  let commit: string | undefined;
  let follows: string | undefined;
  const reason = scanCanonical(bytes, (depth, ks, ke, vs, ve) => {
    if (depth === 1) {
      // latin1 is enough: every valid value here is ASCII, and non-ASCII bytes still fail the checks.
      if (keyIs(bytes, ks, ke, 'commit')) commit = isShaOrNull(bytes, vs, ve) ? 'ok' : 'bad';
      else if (keyIs(bytes, ks, ke, 'follows')) follows = bytes.toString('latin1', vs, ve);
      return;
    }
    const expected = TOP[fields.names.length];
    const name = expected !== undefined && keyIs(bytes, ks, ke, expected) ? expected : bytes.toString('utf8', ks, ke);
    fields.names.push(name);
    if (name === 'body') {
      fields.values.push(bytes[vs] === 0x7b ? '{' : '?');
      fields.commit = commit;
      fields.follows = follows;
    } else fields.values.push(name === 'v' || name === 'seq' || name === 'type' || name === 'recordedAt' ? bytes.toString('latin1', vs, ve) : '');
    commit = undefined;
    follows = undefined;
  });
  return reason === undefined ? fields : `not canonical JSON (${reason})`;
}

function stringValue(raw: string | undefined): string | undefined {
  return raw !== undefined && raw.length >= 2 && raw[0] === '"' && !raw.includes('\\') ? raw.slice(1, -1) : undefined;
}

function checkFields(f: Fields): string | number {
  const n = f.names;
  if (n.length !== 5 || n[0] !== 'body' || n[1] !== 'recordedAt' || n[2] !== 'seq' || n[3] !== 'type' || n[4] !== 'v') {
    return `an entry has exactly the members ${TOP.join(', ')}; found ${n.join(', ')}`;
  }
  const [body, recordedAt, seqText, type, v] = f.values;
  if (v !== '1') return `unsupported entry version ${v}`;
  const seq = Number(seqText);
  if (!DIGITS.test(seqText) || !Number.isSafeInteger(seq)) return 'seq must be a non-negative integer';
  if (!isLedgerEntryType(stringValue(type))) return `unknown entry type ${type}`;
  const at = stringValue(recordedAt);
  if (at === undefined || !RECORDED_AT.test(at) || Number.isNaN(Date.parse(at))) return 'recordedAt must be an ISO 8601 UTC timestamp';
  if (body !== '{') return 'body must be an object';
  if (f.commit !== 'ok') return 'body.commit must be a full lowercase commit sha or null';
  const follows = f.follows !== undefined && f.follows[0] === '[' ? parseFollows(f.follows) : undefined;
  if (!follows) return 'body.follows must be an array of seq numbers';
  let previous = -1;
  for (const x of follows) {
    if (!Number.isSafeInteger(x) || x <= previous || x >= seq) return `body.follows must hold ascending seq numbers below ${seq}`;
    previous = x;
  }
  return seq;
}

/**
 * What decodeEntry checks, straight on the bytes (one pass, no value built): used by the bundle
 * verifier on every entry. The seq, or why the bytes are not a canonical version 1 entry.
 */
export function inspectEntryBytes(bytes: Buffer): { ok: true; seq: number } | { ok: false; reason: string } {
  const fields = collect(bytes);
  if (typeof fields === 'string') return { ok: false, reason: fields };
  const result = checkFields(fields);
  return typeof result === 'number' ? { ok: true, seq: result } : { ok: false, reason: result };
}
