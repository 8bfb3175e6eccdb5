import { isUtf8 } from 'node:buffer';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalize } from './canonical-json';
import { scanCanonical } from './canonical-json-scan';

/** The definition: valid UTF-8, JSON, and canonicalizing reproduces the bytes. */
function oracle(bytes: Buffer): boolean {
  if (!isUtf8(bytes)) return false;
  const text = bytes.toString('utf8');
  try {
    return canonicalize(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

let seed = 12345;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
}

const ALPHABET = ['a', 'b', 'B', '1', '10', '\u00e9', '\u20ac', '\ufb33', '\u{1f602}', '\u{10000}', '\ue000', '\n', '\u001f', '"', '\\', '/', '\u007f', '\u2028', ' '];
function randomString(): string {
  return Array.from({ length: rand(4) }, () => ALPHABET[rand(ALPHABET.length)]).join('');
}
const NUMBERS = [0, -1, 1.5, 1e21, 1e-7, 123456789012345, 1234567890123456, 2 ** 53, -0.0000033333333333333333, 5e-324, 333333333.3333333];
function randomValue(depth: number): unknown {
  switch (rand(depth > 3 ? 4 : 6)) {
    case 0: return [true, false, null][rand(3)];
    case 1: return NUMBERS[rand(NUMBERS.length)];
    case 2: return randomString();
    case 3: return rand(1000);
    case 4: return Array.from({ length: rand(4) }, () => randomValue(depth + 1));
    default: return Object.fromEntries(Array.from({ length: rand(5) }, () => [randomString(), randomValue(depth + 1)]));
  }
}

const INSERTS = [' ', '\n', ',', '"', '\\', '0', '-', '.', 'e', 'E', '+', '{', '}', '[', ']', ':', 'u', '\\u0041', '\\/', '\u00e9'];
function mutate(bytes: Buffer): Buffer {
  const at = rand(bytes.length + 1);
  switch (rand(4)) {
    case 0: return Buffer.concat([bytes.subarray(0, at), Buffer.from(INSERTS[rand(INSERTS.length)]), bytes.subarray(at)]);
    case 1: return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    case 2: {
      const c = Buffer.from(bytes);
      if (at < c.length) c[at] = rand(256);
      return c;
    }
    default: {
      const c = Buffer.from(bytes);
      if (at + 1 < c.length) [c[at], c[at + 1]] = [c[at + 1], c[at]];
      return c;
    }
  }
}

describe('scanCanonical', () => {
  it('accepts the RFC 8785 reference outputs', () => {
    const dir = join(__dirname, '../../test/ledger-vectors/jcs/output');
    for (const f of readdirSync(dir)) expect(scanCanonical(readFileSync(join(dir, f))), f).toBeUndefined();
  });

  it('agrees with parse-canonicalize-compare on random canonical values and their mutations', () => {
    let rejected = 0;
    for (let n = 0; n < 3000; n++) {
      const bytes = canonicalBytes(randomValue(0));
      expect(scanCanonical(bytes), bytes.toString()).toBeUndefined();
      for (let m = 0; m < 5; m++) {
        const mutated = mutate(bytes);
        const verdict = scanCanonical(mutated) === undefined;
        expect(verdict, JSON.stringify(mutated.toString('latin1'))).toBe(oracle(mutated));
        if (!verdict) rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(5000);
  });

  it.each([
    ['{"b":1,"a":2}', 'out of order'],
    ['{"a":1,"a":1}', 'repeated'],
    ['{"\\u0041":1}', 'not one JCS emits'],
    ['"\\u000a"', 'short form'],
    ['"\\u001F"', 'not one JCS emits'],
    ['"\\/"', 'not one JCS emits'],
    ['1.0', 'canonical form'],
    ['-0', 'canonical form'],
    ['1e400', 'canonical form'],
    ['{"a":1} ', 'after the value'],
    ['[1,]', 'unexpected'],
    ['"abc', 'unterminated'],
    ['\t1', 'unexpected byte'],
  ])('rejects %s (%s)', (text, reason) => {
    expect(scanCanonical(Buffer.from(text))).toContain(reason);
  });

  it('orders member names by UTF-16 code units, with escaped names decoded', () => {
    expect(scanCanonical(Buffer.from('{"\u{1f602}":1,"\ufb33":2}'))).toBeUndefined();
    expect(scanCanonical(Buffer.from('{"\ufb33":2,"\u{1f602}":1}'))).toContain('out of order');
    expect(scanCanonical(Buffer.from('{"\\n":1,"A":2}'))).toBeUndefined();
    expect(scanCanonical(Buffer.from('{"A":2,"\\n":1}'))).toContain('out of order');
  });

  it('rejects invalid UTF-8 and deep nesting', () => {
    expect(scanCanonical(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))).toBe('not valid UTF-8');
    expect(scanCanonical(Buffer.from('['.repeat(300) + ']'.repeat(300)))).toContain('nested too deeply');
  });

  it('draws the nesting limit where canonicalize does', () => {
    for (const depth of [255, 256, 257]) {
      const text = Buffer.from('['.repeat(depth) + ']'.repeat(depth));
      expect(scanCanonical(text) === undefined, String(depth)).toBe(oracle(text));
    }
    expect(scanCanonical(Buffer.from('['.repeat(256) + ']'.repeat(256)))).toBeUndefined();
  });

  it('reports members at depth 0 and 1 with their byte ranges', () => {
    const bytes = Buffer.from('{"a":{"b":[1],"c":{"d":2}},"e":"x"}');
    const seen: string[] = [];
    scanCanonical(bytes, (depth, ks, ke, vs, ve) => seen.push(`${depth}:${bytes.toString('utf8', ks, ke)}=${bytes.toString('utf8', vs, ve)}`));
    expect(seen).toEqual(['1:b=[1]', '1:c={"d":2}', '0:a={"b":[1],"c":{"d":2}}', '0:e="x"']);
  });
});
