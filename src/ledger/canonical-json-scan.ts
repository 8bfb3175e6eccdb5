import { isUtf8 } from 'node:buffer';

/**
 * A single-pass check that UTF-8 bytes are exactly RFC 8785 canonical JSON, without building the
 * value: no whitespace; members strictly increasing by UTF-16 code units (so no duplicates);
 * strings with only the escapes JCS emits; numbers spelled as ECMAScript Number::toString does.
 * It agrees with "parse, canonicalize, compare" (canonical-json.ts), which the tests check on
 * random and mutated input; it exists because the verifier runs it on every entry of a bundle.
 *
 * `onMember` sees the members of objects at depth 0 and 1 (byte ranges of the key's contents
 * and of the value), so a caller can pick out fields without parsing.
 */
export type MemberVisitor = (depth: number, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => void;

const MAX_DEPTH = 256;
const Q = 0x22; // "
const BS = 0x5c; // \
const INT = /^-?[1-9][0-9]{0,14}$/;

class ScanError {
  constructor(readonly reason: string) {}
}

function fail(reason: string): never {
  throw new ScanError(reason);
}

class Scanner {
  i = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly buf: Buffer,
    private readonly onMember: MemberVisitor | undefined,
  ) {}

  value(depth: number): void {
    const c = this.b[this.i];
    if (c === 0x7b) this.object(depth);
    else if (c === 0x5b) this.array(depth);
    else if (c === Q) this.string();
    else if (c === 0x74) this.literal('true');
    else if (c === 0x66) this.literal('false');
    else if (c === 0x6e) this.literal('null');
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.number();
    else fail(this.i >= this.b.length ? 'unexpected end' : `unexpected byte 0x${c.toString(16)} at ${this.i}`);
  }

  private literal(word: string): void {
    for (let k = 0; k < word.length; k++) if (this.b[this.i + k] !== word.charCodeAt(k)) fail(`bad literal at ${this.i}`);
    this.i += word.length;
  }

  private number(): void {
    const start = this.i;
    const b = this.b;
    let c = b[this.i];
    let digitsOnly = true;
    while (c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45 || c === 0x65 || (c >= 0x30 && c <= 0x39)) {
      if (c < 0x30 && !(c === 0x2d && this.i === start)) digitsOnly = false;
      else if (c > 0x39) digitsOnly = false;
      c = b[++this.i];
    }
    // Fast path: a plain integer of at most 15 digits without a leading zero is its own spelling.
    const first = b[start] === 0x2d ? start + 1 : start;
    const digits = this.i - first;
    if (digitsOnly && digits >= 1 && digits <= 15 && (b[first] !== 0x30 ? true : digits === 1 && first === start)) return;
    const text = this.buf.toString('latin1', start, this.i);
    if (INT.test(text)) return;
    const n = Number(text);
    if (!Number.isFinite(n) || String(n) !== text) fail(`number ${text} is not in canonical form`);
  }

  string(): void {
    const b = this.b;
    let i = this.i + 1;
    for (;;) {
      const c = b[i];
      if (c === Q) break;
      if (c === undefined) fail('unterminated string');
      if (c < 0x20) fail(`raw control character in a string at ${i}`);
      if (c === BS) i = this.escape(i);
      else i++;
    }
    this.i = i + 1;
  }

  /** Only the escapes RFC 8785 emits: \" \\ \b \f \n \r \t and \u00xx (lowercase) for other controls. */
  private escape(i: number): number {
    const e = this.b[i + 1];
    if (e === Q || e === BS || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) return i + 2;
    if (e !== 0x75 || this.b[i + 2] !== 0x30 || this.b[i + 3] !== 0x30) fail(`escape at ${i} is not one JCS emits`);
    const hi = this.b[i + 4];
    const lo = this.b[i + 5];
    const loVal = lo >= 0x30 && lo <= 0x39 ? lo - 0x30 : lo >= 0x61 && lo <= 0x66 ? lo - 0x57 : -1;
    if ((hi !== 0x30 && hi !== 0x31) || loVal < 0) fail(`escape at ${i} is not one JCS emits`);
    const code = (hi - 0x30) * 16 + loVal;
    if (code === 8 || code === 9 || code === 10 || code === 12 || code === 13) fail(`escape at ${i} has a short form`);
    return i + 6;
  }

  private array(depth: number): void {
    if (depth >= MAX_DEPTH) fail('nested too deeply');
    this.i++;
    if (this.b[this.i] === 0x5d) {
      this.i++;
      return;
    }
    for (;;) {
      this.value(depth + 1);
      const c = this.b[this.i++];
      if (c === 0x5d) return;
      if (c !== 0x2c) fail(`expected , or ] at ${this.i - 1}`);
    }
  }

  private object(depth: number): void {
    if (depth >= MAX_DEPTH) fail('nested too deeply');
    this.i++;
    if (this.b[this.i] === 0x7d) {
      this.i++;
      return;
    }
    let prevStart = -1;
    let prevEnd = -1;
    for (;;) {
      if (this.b[this.i] !== Q) fail(`expected a member name at ${this.i}`);
      const keyStart = this.i + 1;
      this.string();
      const keyEnd = this.i - 1;
      if (prevStart >= 0 && !this.keyBefore(prevStart, prevEnd, keyStart, keyEnd)) fail(`member names out of order or repeated at ${keyStart - 1}`);
      prevStart = keyStart;
      prevEnd = keyEnd;
      if (this.b[this.i++] !== 0x3a) fail(`expected : at ${this.i - 1}`);
      const valueStart = this.i;
      this.value(depth + 1);
      if (depth <= 1 && this.onMember) this.onMember(depth, keyStart, keyEnd, valueStart, this.i);
      const c = this.b[this.i++];
      if (c === 0x7d) return;
      if (c !== 0x2c) fail(`expected , or } at ${this.i - 1}`);
    }
  }

  /** True when key [as, ae) sorts strictly before key [bs, be) by UTF-16 code units. */
  private keyBefore(as: number, ae: number, bs: number, be: number): boolean {
    const b = this.b;
    for (let k = as; k < ae; k++) if (b[k] === BS) return this.decodedBefore(as, ae, bs, be);
    for (let k = bs; k < be; k++) if (b[k] === BS) return this.decodedBefore(as, ae, bs, be);
    const n = Math.min(ae - as, be - bs);
    for (let k = 0; k < n; k++) {
      const x = b[as + k];
      const y = b[bs + k];
      if (x === y) continue;
      // UTF-8 byte order is code point order; UTF-16 order differs only between characters
      // above U+FFFF (lead bytes F0-F4, surrogates in UTF-16) and U+E000-U+FFFF (EE, EF).
      if (x >= 0xf0 && (y === 0xee || y === 0xef)) return true;
      if (y >= 0xf0 && (x === 0xee || x === 0xef)) return false;
      return x < y;
    }
    return ae - as < be - bs;
  }

  private decodedBefore(as: number, ae: number, bs: number, be: number): boolean {
    const a = JSON.parse(this.buf.toString('utf8', as - 1, ae + 1)) as string;
    const c = JSON.parse(this.buf.toString('utf8', bs - 1, be + 1)) as string;
    return a < c;
  }
}

/** Undefined when `bytes` are canonical JSON; otherwise why not. */
export function scanCanonical(bytes: Uint8Array, onMember?: MemberVisitor): string | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buf)) return 'not valid UTF-8';
  const scanner = new Scanner(buf, buf, onMember);
  try {
    scanner.value(0);
    if (scanner.i !== buf.length) fail(`unexpected byte after the value at ${scanner.i}`);
    return undefined;
  } catch (err) {
    if (err instanceof ScanError) return err.reason;
    throw err;
  }
}
