/**
 * Numbers as OPA keeps them. OPA stores a number as its decimal text and computes on integers
 * exactly (big.Int) and on other numbers with big.Float at 64 bits of mantissa, printing the
 * shortest text that reads back to the same 64-bit value. A JS double is used whenever its
 * shortest text denotes the same decimal as OPA's text; otherwise the text is kept in a BigNum.
 */
export class BigNum {
  /** Canonical decimal text (no leading '+', no redundant zeros). */
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Num = number | BigNum;

export class NumberError extends Error {}

/** A decimal: (neg ? -1 : 1) * digits * 10^exp. */
interface Decimal {
  neg: boolean;
  digits: bigint;
  exp: number;
}

const MAX_EXP10 = 5000;

export function parseDecimal(text: string): Decimal {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new NumberError(`invalid number ${text}`);
  const frac = m[3] ?? '';
  let exp = (m[4] ? Number(m[4]) : 0) - frac.length;
  let digits = BigInt((m[2] || '0') + frac);
  if (digits === 0n) return { neg: false, digits, exp: 0 };
  while (digits % 10n === 0n) {
    digits /= 10n;
    exp++;
  }
  if (Math.abs(exp) > MAX_EXP10) throw new NumberError(`number out of range: ${text}`);
  return { neg: m[1] === '-', digits, exp };
}

function decimalOf(n: Num): Decimal {
  return parseDecimal(typeof n === 'number' ? String(n) : n.text);
}

function decimalText(d: Decimal): string {
  if (d.digits === 0n) return '0';
  const s = d.digits.toString();
  const sign = d.neg ? '-' : '';
  if (d.exp >= 0) return d.exp <= 30 ? sign + s + '0'.repeat(d.exp) : `${sign}${s}e${d.exp}`;
  const point = s.length + d.exp;
  if (point > 0) return `${sign}${s.slice(0, point)}.${s.slice(point)}`;
  if (point > -30) return `${sign}0.${'0'.repeat(-point)}${s}`;
  return `${sign}${s}e${d.exp}`;
}

function compareDecimals(a: Decimal, b: Decimal): number {
  const sa = a.digits === 0n ? 0 : a.neg ? -1 : 1;
  const sb = b.digits === 0n ? 0 : b.neg ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const e = Math.min(a.exp, b.exp);
  const x = a.digits * 10n ** BigInt(a.exp - e);
  const y = b.digits * 10n ** BigInt(b.exp - e);
  const c = x < y ? -1 : x > y ? 1 : 0;
  return sa < 0 ? -c : c;
}

/** The number value for a decimal text: a double when it denotes the same decimal. */
export function numberFromText(text: string): Num {
  const d = parseDecimal(text);
  return fromDecimal(d);
}

function fromDecimal(d: Decimal): Num {
  const canonical = decimalText(d);
  const n = Number(canonical);
  if (Number.isFinite(n) && compareDecimals(parseDecimal(String(n)), d) === 0) return n === 0 ? 0 : n;
  return new BigNum(canonical);
}

export function fromBigInt(i: bigint): Num {
  if (i >= -9007199254740991n && i <= 9007199254740991n) return Number(i);
  return new BigNum(i.toString());
}

export function compareNumbers(a: Num, b: Num): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return compareDecimals(decimalOf(a), decimalOf(b));
}

export function numberKey(n: Num): string {
  return typeof n === 'number' ? String(n === 0 ? 0 : n) : `b${n.text}`;
}

/** The integer value of n, or undefined when n is not an integer. */
export function toBigInt(n: Num): bigint | undefined {
  if (typeof n === 'number') return Number.isInteger(n) ? BigInt(n) : undefined;
  const d = parseDecimal(n.text);
  if (d.exp < 0) return undefined;
  const v = d.digits * 10n ** BigInt(d.exp);
  return d.neg ? -v : v;
}

export function isInteger(n: Num): boolean {
  return typeof n === 'number' ? Number.isInteger(n) : toBigInt(n) !== undefined;
}

/** A double close to n (for builtins that work on floats). */
export function toDouble(n: Num): number {
  return typeof n === 'number' ? n : Number(n.text);
}

export function numberText(n: Num): string {
  if (typeof n !== 'number') return n.text;
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
}

// ---- 64-bit-mantissa binary floats (Go's big.Float default precision) ----

const PREC = 64;

/** value = (neg ? -1 : 1) * mant * 2^exp, mant < 2^64. */
interface BigFloat {
  neg: boolean;
  mant: bigint;
  exp: number;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Rounds mant * 2^exp (exact) to PREC bits, half to even; sticky marks a nonzero remainder below. */
function roundFloat(neg: boolean, mant: bigint, exp: number, sticky = false): BigFloat {
  if (mant === 0n) return { neg: false, mant: 0n, exp: 0 };
  const len = bitLength(mant);
  if (len <= PREC) return { neg, mant, exp };
  const shift = len - PREC;
  let q = mant >> BigInt(shift);
  const rem = mant - (q << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q += 1n;
  let e = exp + shift;
  if (bitLength(q) > PREC) {
    q >>= 1n;
    e++;
  }
  return { neg, mant: q, exp: e };
}

function floatOfDecimal(d: Decimal): BigFloat {
  if (d.exp >= 0) return roundFloat(d.neg, d.digits * 10n ** BigInt(d.exp), 0);
  const den = 10n ** BigInt(-d.exp);
  const shift = Math.max(0, PREC + 2 + bitLength(den) - bitLength(d.digits));
  const num = d.digits << BigInt(shift);
  const q = num / den;
  return roundFloat(d.neg, q, -shift, num % den !== 0n);
}

function exactDecimalOfFloat(f: BigFloat): Decimal {
  if (f.exp >= 0) return { neg: f.neg, digits: f.mant << BigInt(f.exp), exp: 0 };
  return { neg: f.neg, digits: f.mant * 5n ** BigInt(-f.exp), exp: f.exp };
}

function sameFloat(a: BigFloat, b: BigFloat): boolean {
  if (a.mant === 0n || b.mant === 0n) return a.mant === b.mant;
  const la = bitLength(a.mant) + a.exp;
  const lb = bitLength(b.mant) + b.exp;
  if (a.neg !== b.neg || la !== lb) return false;
  const e = Math.min(a.exp, b.exp);
  return a.mant << BigInt(a.exp - e) === b.mant << BigInt(b.exp - e);
}

/** Shortest decimal that reads back to the same 64-bit float (Text('g', -1)). */
function shortestDecimal(f: BigFloat): Decimal {
  if (f.mant === 0n) return { neg: false, digits: 0n, exp: 0 };
  const exact = exactDecimalOfFloat(f);
  const s = exact.digits.toString();
  for (let n = 1; n < s.length; n++) {
    const drop = BigInt(s.length - n);
    const p = 10n ** drop;
    let q = exact.digits / p;
    const r = exact.digits % p;
    if (r * 2n > p || (r * 2n === p && (q & 1n) === 1n)) q += 1n;
    const cand: Decimal = { neg: f.neg, digits: q, exp: exact.exp + Number(drop) };
    if (sameFloat(floatOfDecimal(cand), f)) return cand;
  }
  return exact;
}

function floatResult(f: BigFloat): Num {
  const d = shortestDecimal(f);
  if (d.digits === 0n) return 0;
  while (d.digits % 10n === 0n) {
    d.digits /= 10n;
    d.exp++;
  }
  return fromDecimal(d);
}

function toFloat(n: Num): BigFloat {
  return floatOfDecimal(decimalOf(n));
}

function floatAdd(a: BigFloat, b: BigFloat): BigFloat {
  const e = Math.min(a.exp, b.exp);
  const x = (a.neg ? -a.mant : a.mant) << BigInt(a.exp - e);
  const y = (b.neg ? -b.mant : b.mant) << BigInt(b.exp - e);
  const s = x + y;
  return roundFloat(s < 0n, s < 0n ? -s : s, e);
}

// ---- arithmetic builtins' cores ----

type IntOp = (x: bigint, y: bigint) => bigint;
type FloatOp = (x: BigFloat, y: BigFloat) => BigFloat;

function arith(a: Num, b: Num, small: (x: number, y: number) => number, exact: IntOp, float: FloatOp): Num {
  if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) {
    const r = small(a, b);
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  const x = toBigInt(a);
  const y = toBigInt(b);
  if (x !== undefined && y !== undefined) return fromBigInt(exact(x, y));
  return floatResult(float(toFloat(a), toFloat(b)));
}

export function add(a: Num, b: Num): Num {
  return arith(a, b, (x, y) => x + y, (x, y) => x + y, floatAdd);
}

export function subtract(a: Num, b: Num): Num {
  return arith(a, b, (x, y) => x - y, (x, y) => x - y, (x, y) => floatAdd(x, { ...y, neg: !y.neg }));
}

export function multiply(a: Num, b: Num): Num {
  return arith(a, b, (x, y) => x * y, (x, y) => x * y, (x, y) => roundFloat(x.neg !== y.neg, x.mant * y.mant, x.exp + y.exp));
}

export function divide(a: Num, b: Num): Num {
  const y = toBigInt(b);
  if (y === 0n) throw new NumberError('divide by zero');
  const x = toBigInt(a);
  if (x !== undefined && y !== undefined && x !== 0n && x % y === 0n) return fromBigInt(x / y);
  const fa = toFloat(a);
  const fb = toFloat(b);
  if (fb.mant === 0n) throw new NumberError('divide by zero');
  const shift = PREC + 2 + Math.max(0, bitLength(fb.mant) - bitLength(fa.mant));
  const num = fa.mant << BigInt(shift);
  const q = num / fb.mant;
  return floatResult(roundFloat(fa.neg !== fb.neg, q, fa.exp - fb.exp - shift, num % fb.mant !== 0n));
}

export function remainder(a: Num, b: Num): Num {
  const x = toBigInt(a);
  const y = toBigInt(b);
  if (x === undefined || y === undefined) throw new NumberError('modulo on floating-point number');
  if (y === 0n) throw new NumberError('modulo by zero');
  return fromBigInt(x % y);
}

export function negate(a: Num): Num {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  return a.text.startsWith('-') ? new BigNum(a.text.slice(1)) : new BigNum(`-${a.text}`);
}

export function abs(a: Num): Num {
  return compareNumbers(a, 0) < 0 ? negate(a) : a;
}

type Rounding = 'round' | 'ceil' | 'floor';

export function roundNumber(a: Num, mode: Rounding): Num {
  if (isInteger(a)) return a;
  if (typeof a === 'number') {
    if (mode === 'ceil') return Math.ceil(a) === 0 ? 0 : Math.ceil(a);
    if (mode === 'floor') return Math.floor(a);
    const t = Math.trunc(a);
    const r = Math.abs(a - t) >= 0.5 ? t + Math.sign(a) : t;
    return r === 0 ? 0 : r;
  }
  const d = parseDecimal(a.text);
  const p = 10n ** BigInt(-d.exp);
  let q = d.digits / p;
  const r = d.digits % p;
  const up = mode === 'round' ? r * 2n >= p : mode === 'ceil' ? !d.neg : d.neg;
  if (up && r !== 0n) q += 1n;
  return fromBigInt(d.neg ? -q : q);
}
