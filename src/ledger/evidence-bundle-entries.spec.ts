import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from './canonical-json';
import { LEDGER_ENTRY_TYPES, inspectEntryBytes } from './entry';
import { hashAndScanEntries } from './evidence-bundle-entries';
import { leafHash } from './merkle';

/** Runs the batch over entries claimed at seq from, from + 1, …: which went to the full check. */
function scan(entries: Buffer[], from = 0, claims?: number[]): { full: Set<number>; undecodable: Set<number>; leaves: Buffer } {
  const full = new Set<number>();
  const undecodable = new Set<number>();
  const list = entries.map((b, i) => ({ seq: claims?.[i] ?? from + i, bytes: b.toString('base64') }));
  const leaves = hashAndScanEntries(list, from, {
    undecodable: (p) => undecodable.add(p),
    fullCheck: (p, bytes) => {
      expect(bytes.equals(entries[p])).toBe(true);
      full.add(p);
    },
  });
  return { full, undecodable, leaves };
}

let seed = 4242;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
}

const STRINGS = ['', 'a', 'shop-config', 'x'.repeat(40), 'quote " and \\ backslash', 'tab\tnew\nline', '\u0001\u001f', '\u00e9\u20ac', '\u{1f602}', '\u2028', '\u007f', '/'];
const KEYS = ['a', 'b', 'code', 'message', 'zz', 'Z', '\u00e9', 'a\nb', '"', ' ', 'commit', 'follows'];
const NUMBERS = [0, 1, -1, 42, 123456789012345, 1234567890123456, 1.5, -0.25, 1e21, 1e-7, 2 ** 53];
function value(depth: number): unknown {
  switch (rand(depth > 2 ? 4 : 6)) {
    case 0: return [true, false, null][rand(3)];
    case 1: return NUMBERS[rand(NUMBERS.length)];
    case 2: return STRINGS[rand(STRINGS.length)];
    case 3: return rand(100000);
    case 4: return Array.from({ length: rand(4) }, () => value(depth + 1));
    default: return Object.fromEntries(Array.from({ length: rand(4) }, () => [KEYS[rand(KEYS.length)], value(depth + 1)]));
  }
}

function randomEntry(seq: number, plain: boolean): Buffer {
  const follows = [...new Set(Array.from({ length: rand(4) }, () => rand(seq + 1)))].filter((f) => f < seq).sort((a, b) => a - b);
  const day = plain ? 1 + rand(28) : 1 + rand(31);
  const fraction = ['', '.5', '.123', '.123456789'][rand(4)];
  const extra = plain ? { note: STRINGS[rand(3)], n: rand(1000), list: [rand(10), 'x'] } : { x: value(0), y: value(1) };
  return canonicalBytes({
    v: 1,
    seq,
    type: LEDGER_ENTRY_TYPES[rand(LEDGER_ENTRY_TYPES.length)],
    recordedAt: `20${10 + rand(80)}-${String(1 + rand(12)).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(rand(24)).padStart(2, '0')}:${String(rand(60)).padStart(2, '0')}:${String(rand(60)).padStart(2, '0')}${fraction}Z`,
    body: { commit: [null, 'a'.repeat(40), '0123456789abcdef'.repeat(4)][rand(3)], follows, ...extra },
  });
}

const PIECES = ['0', '1', '9', '"', ',', ':', '{', '}', '[', ']', '-', '.', 'e', '+', 'a', 'A', 'Z', 'null', ' ', '\\', '\\u0000', '\\n', '\u00e9', '\x7f'];
function mutate(bytes: Buffer): Buffer {
  const at = rand(bytes.length);
  switch (rand(4)) {
    case 0: return Buffer.concat([bytes.subarray(0, at), Buffer.from(PIECES[rand(PIECES.length)]), bytes.subarray(at + 1)]);
    case 1: return Buffer.concat([bytes.subarray(0, at), Buffer.from(PIECES[rand(PIECES.length)]), bytes.subarray(at)]);
    case 2: return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    default: {
      const c = Buffer.from(bytes);
      c[at] = rand(256);
      return c;
    }
  }
}

/** What the fast check may confirm: what the full check accepts, with the expected seq. */
function fullCheckAccepts(bytes: Buffer, seq: number): boolean {
  const inspected = inspectEntryBytes(bytes);
  return isUtf8(bytes) && inspected.ok && inspected.seq === seq;
}

describe('hashAndScanEntries', () => {
  it('hashes every leaf and confirms plain canonical entries without the full check', () => {
    const entries = Array.from({ length: 500 }, (_, i) => randomEntry(1000 + i, true));
    const { full, undecodable, leaves } = scan(entries, 1000);
    expect([...full]).toEqual([]);
    expect(undecodable.size).toBe(0);
    entries.forEach((b, i) => expect(leaves.subarray(32 * i, 32 * i + 32).equals(leafHash(b))).toBe(true));
  });

  it('never confirms what the full check refuses (random entries and byte mutations)', () => {
    let confirmed = 0;
    let deferred = 0;
    for (let round = 0; round < 40; round++) {
      const from = rand(2) === 0 ? rand(100) : 123456789012 + rand(1000);
      const entries: Buffer[] = [];
      for (let i = 0; i < 100; i++) {
        const original = randomEntry(from + i, rand(2) === 0);
        entries.push(rand(3) === 0 ? original : mutate(rand(2) === 0 ? original : mutate(original)));
      }
      const { full } = scan(entries, from);
      entries.forEach((b, i) => {
        if (full.has(i)) deferred++;
        else {
          confirmed++;
          expect(fullCheckAccepts(b, from + i), JSON.stringify(b.toString('latin1'))).toBe(true);
        }
      });
    }
    expect(confirmed).toBeGreaterThan(800);
    expect(deferred).toBeGreaterThan(800);
  });

  it('leaves to the full check what it does not certainly know, valid or not', () => {
    const base = { v: 1, seq: 7, type: 'gate.decided', recordedAt: '2026-11-21T10:00:00.000Z', body: { commit: null, follows: [1, 6] } };
    const cases: Array<[string, Buffer, boolean]> = [
      ['a day past the 28th', canonicalBytes({ ...base, recordedAt: '2026-01-31T10:00:00Z' }), true],
      ['February 30th', canonicalBytes({ ...base, recordedAt: '2026-02-30T10:00:00Z' }), fullCheckAccepts(canonicalBytes({ ...base, recordedAt: '2026-02-30T10:00:00Z' }), 7)],
      ['month 13', canonicalBytes({ ...base, recordedAt: '2026-13-01T10:00:00Z' }), false],
      ['hour 24', canonicalBytes({ ...base, recordedAt: '2026-01-01T24:00:00Z' }), fullCheckAccepts(canonicalBytes({ ...base, recordedAt: '2026-01-01T24:00:00Z' }), 7)],
      ['ten fraction digits', canonicalBytes({ ...base, recordedAt: '2026-01-01T10:00:00.1234567890Z' }), false],
      ['a fraction in the body', canonicalBytes({ ...base, body: { ...base.body, ratio: 0.5 } }), true],
      ['a 16-digit integer', canonicalBytes({ ...base, body: { ...base.body, n: 1234567890123456 } }), true],
      ['a non-ASCII member name', canonicalBytes({ ...base, body: { ...base.body, é: 1 } }), true],
      ['an escaped member name', canonicalBytes({ ...base, body: { ...base.body, 'a"b': 1 } }), true],
      ['nesting 70 deep', canonicalBytes({ ...base, body: { ...base.body, deep: JSON.parse('['.repeat(70) + ']'.repeat(70)) } }), true],
      ['an unknown type', canonicalBytes({ ...base, type: 'gate.exploded' }), false],
      ['version 2', canonicalBytes({ ...base, v: 2 }), false],
      ['follows not ascending', canonicalBytes({ ...base, body: { commit: null, follows: [6, 1] } }), false],
      ['follows reaching seq', canonicalBytes({ ...base, body: { commit: null, follows: [7] } }), false],
      ['a short commit', canonicalBytes({ ...base, body: { commit: 'abc', follows: [] } }), false],
      ...[0, 15, 16, 17, 39, 41, 47, 48, 63, 65, 80].map((n): [string, Buffer, boolean] => [`a commit of ${n} digits`, canonicalBytes({ ...base, body: { commit: 'f'.repeat(n), follows: [] } }), false]),
      ...[0, 15, 16, 31, 39, 40, 63].map((at): [string, Buffer, boolean] => [`a commit with g at ${at}`, canonicalBytes({ ...base, body: { commit: `${'a'.repeat(at)}g${'a'.repeat(63 - at)}`, follows: [] } }), false]),
      ['a commit with an escaped character', Buffer.from(canonicalBytes({ ...base, body: { commit: 'a'.repeat(40), follows: [] } }).toString().replace('aaaa"', 'aa\\"a"')), false],
      ['a commit that is not a string', canonicalBytes({ ...base, body: { commit: 1234, follows: [] } }), false],
      ['an upper-case commit', canonicalBytes({ ...base, body: { commit: 'A'.repeat(40), follows: [] } }), false],
      ['no follows', canonicalBytes({ ...base, body: { commit: null } }), false],
      ['a sixth member', Buffer.from(canonicalBytes(base).toString().replace('"v":1}', '"v":1,"w":2}')), false],
      ['whitespace', Buffer.from(canonicalBytes(base).toString().replace('"v":1', '"v": 1')), false],
      ['-0 in the body', Buffer.from(canonicalBytes(base).toString().replace('"follows"', '"a":-0,"follows"')), false],
      ['a non-canonical escape', Buffer.from(canonicalBytes({ ...base, body: { ...base.body, s: 'x' } }).toString().replace('"x"', '"\\u0078"')), false],
      ['invalid UTF-8 in a string', Buffer.concat([Buffer.from('{"body":{"commit":null,"follows":[],"s":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"},"recordedAt":"2026-11-21T10:00:00.000Z","seq":7,"type":"gate.decided","v":1}')]), false],
      ['bytes cut short', canonicalBytes(base).subarray(0, 60), false],
      ['body members out of order', Buffer.from(canonicalBytes(base).toString().replace('"commit":null,"follows":[1,6]', '"follows":[1,6],"commit":null')), false],
      ['a repeated body member', Buffer.from(canonicalBytes(base).toString().replace('"follows":[1,6]', '"follows":[1,6],"follows":[1,6]')), false],
      ['nested members out of order', Buffer.from(canonicalBytes(base).toString().replace('"follows":[1,6]', '"follows":[1,6],"x":{"b":1,"a":2}')), false],
      ['nested members repeated', Buffer.from(canonicalBytes(base).toString().replace('"follows":[1,6]', '"follows":[1,6],"x":[{"a":1,"a":1}]')), false],
      ['a prefix sorting after its extension', Buffer.from(canonicalBytes(base).toString().replace('"follows":[1,6]', '"follows":[1,6],"x":{"ab":1,"a":2}')), false],
      ['nothing', Buffer.alloc(0), false],
    ];
    for (const [name, bytes, accepted] of cases) {
      expect(scan([bytes], 7).full.has(0), name).toBe(true);
      expect(fullCheckAccepts(bytes, 7), name).toBe(accepted);
    }
    expect(scan([canonicalBytes(base)], 7).full.size).toBe(0);
    for (const commit of ['0123456789abcdef'.repeat(4), 'fedcba9876543210'.repeat(2) + '01234567']) {
      expect(scan([canonicalBytes({ ...base, body: { ...base.body, commit } })], 7).full.size, commit).toBe(0);
    }
    // DEL is ASCII: member names holding it keep their byte order, so the fast check may confirm them.
    const del = canonicalBytes({ ...base, body: { ...base.body, 'x\u007f': 1, 'x~': 2 } });
    expect(fullCheckAccepts(del, 7)).toBe(true);
    expect(scan([del], 7).full.size).toBe(0);
  });

  it('sends an entry whose claimed seq is not its position to the full check', () => {
    const entries = [randomEntry(10, true), randomEntry(11, true), randomEntry(12, true)];
    expect([...scan(entries, 10, [10, 12, 11]).full]).toEqual([1, 2]);
    expect([...scan(entries, 11).full]).toEqual([0, 1, 2]); // the bytes say 10, 11, 12
  });

  it('reports bytes that are not base64 and hashes the others', () => {
    const entries = [randomEntry(0, true), randomEntry(1, true), randomEntry(2, true)];
    const list = entries.map((b, i) => ({ seq: i, bytes: b.toString('base64') }));
    list[1].bytes = `${list[1].bytes.slice(0, -4)}*${list[1].bytes.slice(-3)}`;
    const undecodable: number[] = [];
    const leaves = hashAndScanEntries(list, 0, { undecodable: (p) => undecodable.push(p), fullCheck: () => undefined });
    expect(undecodable).toEqual([1]);
    expect(leaves.subarray(32, 64).equals(Buffer.alloc(32))).toBe(true);
    expect(leaves.subarray(0, 32).equals(leafHash(entries[0]))).toBe(true);
    expect(leaves.subarray(64, 96).equals(leafHash(entries[2]))).toBe(true);
    const odd = [{ seq: 0, bytes: 'abc' }, { seq: 1, bytes: '' }];
    const seen: string[] = [];
    hashAndScanEntries(odd, 0, { undecodable: (p) => seen.push(`bad ${p}`), fullCheck: (p) => seen.push(`full ${p}`) });
    expect(seen).toEqual(['bad 0', 'full 1']);
  });

  it('handles entries larger than one batch among small ones', () => {
    const big = (seq: number): Buffer => canonicalBytes({ v: 1, seq, type: 'sync.finished', recordedAt: '2026-11-21T10:00:00Z', body: { commit: null, follows: [], log: 'y'.repeat(700_000 + seq) } });
    const entries = [randomEntry(0, true), big(1), randomEntry(2, true), big(3), big(4), randomEntry(5, true)];
    const { full, leaves } = scan(entries, 0);
    expect([...full]).toEqual([]);
    entries.forEach((b, i) => expect(leaves.subarray(32 * i, 32 * i + 32).equals(leafHash(b)), `entry ${i}`).toBe(true));
  });
});
