import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalize, isCanonical, parseCanonical } from './canonical-json';
import { LedgerException } from './ledger.exception';

const VECTORS = join(__dirname, '../../test/ledger-vectors/jcs');

function fromIeee754(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

function rejects(value: unknown): LedgerException {
  try {
    canonicalize(value);
  } catch (err) {
    expect(err).toBeInstanceOf(LedgerException);
    expect((err as LedgerException).code).toBe('non-canonical-value');
    return err as LedgerException;
  }
  throw new Error('expected canonicalize to reject');
}

describe('canonicalize (RFC 8785)', () => {
  const names = readdirSync(join(VECTORS, 'input')).map((f) => f.replace(/\.json$/, ''));

  it.each(names)('matches the reference output for %s.json', (name) => {
    const input: unknown = JSON.parse(readFileSync(join(VECTORS, 'input', `${name}.json`), 'utf8'));
    const expected = readFileSync(join(VECTORS, 'output', `${name}.json`));
    expect(canonicalBytes(input).equals(expected)).toBe(true);
    expect(isCanonical(expected)).toBe(true);
  });

  it('covers all six reference files', () => {
    expect(names.sort()).toEqual(['arrays', 'french', 'structures', 'unicode', 'values', 'weird']);
  });

  // RFC 8785 Appendix B: IEEE 754 binary64 values and their canonical spelling.
  const numbers: Array<[string, string]> = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];

  it.each(numbers)('serializes binary64 %s as %s', (hex, expected) => {
    expect(canonicalize(fromIeee754(hex))).toBe(expected);
  });

  it('rejects NaN and Infinity (Appendix B 7fffffffffffffff, 7ff0000000000000)', () => {
    rejects(fromIeee754('7fffffffffffffff'));
    rejects(fromIeee754('7ff0000000000000'));
    rejects(-Infinity);
  });

  it('sorts member names by UTF-16 code units, not code points or locale', () => {
    // U+FB33 (one unit 0xFB33) sorts after U+1F602 (surrogates 0xD83D 0xDE02).
    expect(canonicalize({ '\ufb33': 1, '\u{1f602}': 2, a: 3 })).toBe('{"a":3,"\u{1f602}":2,"\ufb33":1}');
  });

  it('escapes control characters as RFC 8785 prescribes', () => {
    expect(canonicalize('\u0000\b\t\n\f\r\u001f"\\/\u007f\u2028')).toBe('"\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f\u2028"');
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 10n],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a class instance', new (class Thing {})()],
    ['a Buffer', Buffer.from('x')],
    ['undefined inside an object', { a: undefined }],
    ['a hole in an array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate in a key', { '\udc00': 1 }],
    ['symbol keys', { [Symbol('k')]: 1 }],
  ])('rejects %s', (_what, value) => {
    rejects(value);
  });

  it('rejects cycles but accepts shared references', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(rejects(a).message).toContain('cycle');
    const shared = { k: 1 };
    expect(canonicalize({ a: shared, b: [shared] })).toBe('{"a":{"k":1},"b":[{"k":1}]}');
  });

  it('rejects nesting deeper than the limit instead of overflowing the stack', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(rejects(deep).message).toContain('nested deeper');
  });

  it('accepts objects without a prototype', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.b = 1;
    o.a = 2;
    expect(canonicalize(o)).toBe('{"a":2,"b":1}');
  });
});

describe('isCanonical', () => {
  const yes = ['{"a":1,"b":[true,null,"x"]}', '{"1":1,"10":2,"2":3}', '[]', '"\u20ac"', '-0.5', '{"":{}}'];
  it.each(yes)('accepts canonical %s', (text) => {
    expect(isCanonical(Buffer.from(text, 'utf8'))).toBe(true);
  });

  const no: Array<[string, string | Buffer]> = [
    ['whitespace', '{"a": 1}'],
    ['unsorted members', '{"b":1,"a":2}'],
    ['integer-like names in numeric order', '{"1":1,"2":3,"10":2}'],
    ['duplicate member names', '{"a":1,"a":1}'],
    ['a non-canonical number', '{"a":1.0}'],
    ['an exponent spelled differently', '1E+30'],
    ['negative zero', '-0'],
    ['an escaped character that needs none', '"\\u0041"'],
    ['an uppercase escape', '"\\u001F"'],
    ['an escaped lone surrogate', '"\\ud800"'],
    ['an escaped surrogate pair', '"\\ud83d\\ude02"'],
    ['a trailing newline', '{"a":1}\n'],
    ['a byte order mark', '\ufeff{"a":1}'],
    ['overflowing numbers', '1e400'],
    ['not JSON', '{a:1}'],
    ['invalid UTF-8', Buffer.from([0x22, 0xc3, 0x28, 0x22])],
    ['an overlong UTF-8 encoding', Buffer.from([0x22, 0xc0, 0xaf, 0x22])],
  ];
  it.each(no)('rejects %s', (_what, text) => {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    expect(isCanonical(bytes)).toBe(false);
  });

  it('says why bytes are not canonical', () => {
    expect(parseCanonical(Buffer.from([0xff]))).toEqual({ ok: false, reason: 'not valid UTF-8' });
    const parsed = parseCanonical(Buffer.from('{"b":1,"a":2}'));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain('canonical form');
  });

  it('round-trips random values', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const gen = (depth: number): unknown => {
      switch (rand(depth > 3 ? 4 : 6)) {
        case 0: return rand(2) === 0;
        case 1: return (rand(2_000_000) - 1_000_000) / (1 + rand(1000));
        case 2: return String.fromCharCode(...Array.from({ length: rand(8) }, () => rand(0xd7ff)));
        case 3: return null;
        case 4: return Array.from({ length: rand(4) }, () => gen(depth + 1));
        default: return Object.fromEntries(Array.from({ length: rand(5) }, () => [String(rand(50)), gen(depth + 1)]));
      }
    };
    for (let i = 0; i < 300; i++) {
      const value = gen(0);
      const bytes = canonicalBytes(value);
      expect(isCanonical(bytes)).toBe(true);
      expect(canonicalize(JSON.parse(bytes.toString('utf8')))).toBe(bytes.toString('utf8'));
    }
  });
});
