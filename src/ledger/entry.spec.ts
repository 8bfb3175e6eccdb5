import { describe, expect, it } from 'vitest';
import { canonicalBytes } from './canonical-json';
import { LEDGER_ENTRY_TYPES, decodeEntry, encodeEntry, inspectEntryBytes, type LedgerEntry } from './entry';

const SHA = 'a'.repeat(40);

function entry(over: Partial<LedgerEntry> = {}): LedgerEntry {
  return { v: 1, seq: 3, type: 'gate.decided', recordedAt: '2026-11-21T10:00:00.000Z', body: { commit: SHA, follows: [0, 2], decision: 'allow' }, ...over };
}

const bad: Array<[string, unknown]> = [
  ['an array', []],
  ['an extra member', { ...entry(), extra: 1 }],
  ['a missing member', { v: 1, seq: 0, type: 'gate.decided', body: { commit: null, follows: [] } }],
  ['another version', { ...entry(), v: 2 }],
  ['a negative seq', { ...entry(), seq: -1 }],
  ['a fractional seq', { ...entry(), seq: 1.5 }],
  ['an unknown type', { ...entry(), type: 'gate.skipped' }],
  ['a local timestamp', { ...entry(), recordedAt: '2026-11-21T10:00:00+01:00' }],
  ['an impossible date', { ...entry(), recordedAt: '2026-13-45T10:00:00Z' }],
  ['a body that is not an object', { ...entry(), body: [1] }],
  ['a short commit sha', { ...entry(), body: { commit: 'abc', follows: [] } }],
  ['an uppercase commit sha', { ...entry(), body: { commit: 'A'.repeat(40), follows: [] } }],
  ['a missing commit', { ...entry(), body: { follows: [] } }],
  ['a missing follows', { ...entry(), body: { commit: null } }],
  ['follows at or after its own seq', { ...entry(), body: { commit: null, follows: [3] } }],
  ['follows out of order', { ...entry(), body: { commit: null, follows: [2, 1] } }],
  ['follows with a string', { ...entry(), body: { commit: null, follows: ['1'] } }],
];

describe('ledger entries', () => {
  it('lists the entry types of contracts §7', () => {
    const contract = ['commit.verified', 'approval.recorded', 'policy.decided', 'gate.decided', 'sync.started', 'resource.applied', 'resource.pruned', 'sync.finished', 'drift.detected', 'drift.healed', 'trust.changed', 'policy.bundle.loaded', 'report.exported', 'checkpoint.signed'];
    for (const t of contract) expect(LEDGER_ENTRY_TYPES).toContain(t);
    expect(new Set(LEDGER_ENTRY_TYPES).size).toBe(LEDGER_ENTRY_TYPES.length);
  });

  it('encodes as RFC 8785 canonical bytes and decodes back', () => {
    const bytes = encodeEntry(entry());
    expect(bytes.toString()).toBe(
      `{"body":{"commit":"${SHA}","decision":"allow","follows":[0,2]},"recordedAt":"2026-11-21T10:00:00.000Z","seq":3,"type":"gate.decided","v":1}`,
    );
    expect(decodeEntry(bytes)).toEqual(entry());
  });

  it('accepts a null commit and SHA-256 object names', () => {
    expect(() => encodeEntry(entry({ body: { commit: null, follows: [] } }))).not.toThrow();
    expect(() => encodeEntry(entry({ body: { commit: 'b'.repeat(64), follows: [] } }))).not.toThrow();
  });

  it('rejects non-canonical bytes even when they hold a valid entry', () => {
    const pretty = Buffer.from(JSON.stringify(entry(), null, 1));
    expect(() => decodeEntry(pretty)).toThrow(/canonical/);
    expect(() => decodeEntry(Buffer.from([0xff, 0xfe]))).toThrow(/UTF-8/);
  });

  it.each(bad)('rejects %s', (_what, value) => {
    expect(() => encodeEntry(value as LedgerEntry)).toThrow();
    expect(() => decodeEntry(Buffer.from(canonicalOrJson(value)))).toThrow();
  });
});

describe('inspectEntryBytes (the verifier fast path)', () => {
  function agreesWithDecode(bytes: Buffer): void {
    let decoded: LedgerEntry | undefined;
    try {
      decoded = decodeEntry(bytes);
    } catch {
      decoded = undefined;
    }
    const inspected = inspectEntryBytes(bytes);
    expect(inspected.ok, bytes.toString('latin1')).toBe(decoded !== undefined);
    if (inspected.ok) expect(inspected.seq).toBe(decoded?.seq);
  }

  it('agrees with decodeEntry on every rejected shape', () => {
    for (const [, value] of bad) agreesWithDecode(canonicalBytes(value));
    agreesWithDecode(canonicalBytes({ ...entry(), body: { commit: null, follows: [], x: { commit: 1, follows: 2 } } }));
    agreesWithDecode(canonicalBytes({ ...entry(), recordedAt: { commit: null, follows: [] }, body: { x: 1 } }));
    agreesWithDecode(canonicalBytes([entry()]));
    agreesWithDecode(canonicalBytes({ ...entry(), type: 'gate\\.decided' }));
  });

  it('agrees with decodeEntry on random entries and byte mutations of them', () => {
    let seed = 99;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['0', '1', '9', '"', ',', '{', '}', '[', ']', '-', 'a', 'A', 'null', '.', ' ', '\\'];
    for (let n = 0; n < 2000; n++) {
      const seq = rand(50);
      const follows = [...new Set(Array.from({ length: rand(3) }, () => rand(seq + 2)))].sort((a, b) => a - b);
      const value = { v: 1, seq, type: LEDGER_ENTRY_TYPES[rand(14)], recordedAt: `2026-0${1 + rand(9)}-1${rand(10)}T10:00:0${rand(10)}${rand(2) ? '.5' : ''}Z`, body: { commit: rand(3) === 0 ? null : 'f'.repeat(rand(2) ? 40 : 64), follows, n: rand(100) } };
      const bytes = canonicalBytes(value);
      agreesWithDecode(bytes);
      for (let m = 0; m < 4; m++) {
        const at = rand(bytes.length);
        const mutated = rand(2) === 0
          ? Buffer.concat([bytes.subarray(0, at), Buffer.from(pieces[rand(pieces.length)]), bytes.subarray(at + 1)])
          : Buffer.concat([bytes.subarray(0, at), Buffer.from(pieces[rand(pieces.length)]), bytes.subarray(at)]);
        agreesWithDecode(mutated);
      }
    }
  });
});

function canonicalOrJson(value: unknown): string {
  // Sorted keys at the top level are enough for these shapes to reach the entry checks.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return JSON.stringify(value);
  const record = value as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]])));
}
