import { describe, expect, it } from 'vitest';
import { LEDGER_ENTRY_TYPES, decodeEntry, encodeEntry, type LedgerEntry } from './entry';

const SHA = 'a'.repeat(40);

function entry(over: Partial<LedgerEntry> = {}): LedgerEntry {
  return { v: 1, seq: 3, type: 'gate.decided', recordedAt: '2026-11-21T10:00:00.000Z', body: { commit: SHA, follows: [0, 2], decision: 'allow' }, ...over };
}

describe('ledger entries', () => {
  it('lists the entry types of contracts §7', () => {
    expect(LEDGER_ENTRY_TYPES).toContain('commit.verified');
    expect(LEDGER_ENTRY_TYPES).toContain('checkpoint.signed');
    expect(LEDGER_ENTRY_TYPES).toHaveLength(14);
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
  it.each(bad)('rejects %s', (_what, value) => {
    expect(() => encodeEntry(value as LedgerEntry)).toThrow();
    expect(() => decodeEntry(Buffer.from(canonicalOrJson(value)))).toThrow();
  });
});

function canonicalOrJson(value: unknown): string {
  // Sorted keys at the top level are enough for these shapes to reach the entry checks.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return JSON.stringify(value);
  const record = value as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]])));
}
