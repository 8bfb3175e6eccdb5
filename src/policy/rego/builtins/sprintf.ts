/**
 * sprintf with Go's verbs as OPA passes values to fmt.Sprintf: integers as int (big ones as
 * big.Int), other numbers as float64, strings as string, everything else as its Rego text.
 */
import { BigNum, toBigInt, type Num } from '../number';
import { SetValue, sortedEntries, type Value } from '../value';
import { arr, str } from './operands';
import { register } from './registry';
import { MAX_STRING } from './strings';
import { builtinError } from './registry';

/** Rego's text for a value (`{"a": 1}`, `{1, 2}`, `set()`), as OPA's String(). */
export function regoText(v: Value, depth = 0): string {
  if (depth > 256) return '…';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
    case 'boolean':
      return String(v);
    default:
      break;
  }
  if (v instanceof BigNum) return v.text;
  if (Array.isArray(v)) return `[${v.map((x) => regoText(x, depth + 1)).join(', ')}]`;
  if (v instanceof SetValue) return v.size === 0 ? 'set()' : `{${v.sortedValues().map((x) => regoText(x, depth + 1)).join(', ')}}`;
  return `{${sortedEntries(v as Parameters<typeof sortedEntries>[0]).map(([k, x]) => `${regoText(k, depth + 1)}: ${regoText(x, depth + 1)}`).join(', ')}}`;
}

type Arg = { kind: 'int'; v: bigint } | { kind: 'float'; v: number } | { kind: 'string'; v: string } | { kind: 'bool'; v: boolean } | { kind: 'other'; v: string };

function toArg(v: Value): Arg {
  if (typeof v === 'string') return { kind: 'string', v };
  if (typeof v === 'boolean') return { kind: 'bool', v };
  if (typeof v === 'number' || v instanceof BigNum) {
    const i = toBigInt(v as Num);
    if (i !== undefined) return { kind: 'int', v: i };
    return { kind: 'float', v: typeof v === 'number' ? v : Number(v.text) };
  }
  return { kind: 'other', v: regoText(v) };
}

interface Spec {
  flags: string;
  width?: number;
  prec?: number;
  verb: string;
}

function pad(s: string, spec: Spec): string {
  if (spec.width === undefined || s.length >= spec.width) return s;
  if (spec.flags.includes('-')) return s.padEnd(spec.width);
  if (spec.flags.includes('0') && /^[+-]?[0-9a-fA-F.]/.test(s) && !['s', 'q', 'v'].includes(spec.verb)) {
    const sign = /^[+-]/.test(s) ? s[0] : '';
    return sign + s.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return s.padStart(spec.width);
}

function goTypeName(a: Arg): string {
  return a.kind === 'int' ? 'int' : a.kind === 'float' ? 'float64' : a.kind === 'bool' ? 'bool' : a.kind === 'string' ? 'string' : 'ast.Value';
}

function bad(verb: string, a: Arg): string {
  return `%!${verb}(${goTypeName(a)}=${a.kind === 'other' ? a.v : String(a.v)})`;
}

function signed(s: string, spec: Spec, negative: boolean): string {
  if (negative) return s;
  if (spec.flags.includes('+')) return `+${s}`;
  if (spec.flags.includes(' ')) return ` ${s}`;
  return s;
}

function formatFloat(x: number, spec: Spec): string {
  switch (spec.verb) {
    case 'f':
    case 'F':
      return x.toFixed(spec.prec ?? 6);
    case 'e':
    case 'E': {
      const s = x.toExponential(spec.prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return spec.verb === 'E' ? s.toUpperCase() : s;
    }
    default: {
      if (spec.prec !== undefined) return String(Number(x.toPrecision(spec.prec)));
      const s = String(x);
      return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
    }
  }
}

function formatOne(spec: Spec, a: Arg): string {
  const v = spec.verb;
  switch (a.kind) {
    case 'string':
      if (v === 's' || v === 'v') return spec.prec !== undefined ? Array.from(a.v).slice(0, spec.prec).join('') : a.v;
      if (v === 'q') return JSON.stringify(a.v);
      if (v === 'x' || v === 'X') {
        const h = Buffer.from(a.v, 'utf8').toString('hex');
        return v === 'X' ? h.toUpperCase() : h;
      }
      return bad(v, a);
    case 'bool':
      return v === 't' || v === 'v' ? String(a.v) : bad(v, a);
    case 'int': {
      const neg = a.v < 0n;
      const abs = neg ? -a.v : a.v;
      const withSign = (s: string) => signed((neg ? '-' : '') + s, spec, neg);
      switch (v) {
        case 'd':
        case 'v':
          return withSign(abs.toString());
        case 's':
          return a.v > 9223372036854775807n || a.v < -9223372036854775808n ? a.v.toString() : bad(v, a);
        case 'b':
          return withSign(abs.toString(2));
        case 'o':
          return withSign(abs.toString(8));
        case 'x':
          return withSign(abs.toString(16));
        case 'X':
          return withSign(abs.toString(16).toUpperCase());
        case 'c':
          return String.fromCodePoint(Number(a.v));
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
          return bad(v, a);
        default:
          return bad(v, a);
      }
    }
    case 'float':
      if (v === 'v' || v === 'g' || v === 'G' || v === 'e' || v === 'E' || v === 'f' || v === 'F') return signed(formatFloat(a.v, spec), spec, a.v < 0);
      return bad(v, a);
    case 'other':
      return v === 'v' || v === 's' ? a.v : bad(v, a);
  }
}

/** A format as literal text and verb specs (%% already turned into text). */
type Part = string | Spec;

const formats = new Map<string, Part[]>();
/** Parsed formats kept (policies use a handful, each on every decision). */
const MAX_FORMATS = 512;

function parseFormat(format: string): Part[] {
  let parts = formats.get(format);
  if (parts) return parts;
  parts = [];
  const re = /%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g;
  let last = 0;
  let text = '';
  for (let m = re.exec(format); m; m = re.exec(format)) {
    text += format.slice(last, m.index);
    last = re.lastIndex;
    if (m[4] === '%') {
      text += '%';
      continue;
    }
    if (text) parts.push(text);
    text = '';
    parts.push({ flags: m[1], width: m[2] ? Number(m[2]) : undefined, prec: m[3] !== undefined ? Number(m[3]) : undefined, verb: m[4] });
  }
  text += format.slice(last);
  if (text) parts.push(text);
  if (formats.size >= MAX_FORMATS) formats.clear();
  formats.set(format, parts);
  return parts;
}

export function sprintf(format: string, values: readonly Value[]): string {
  let out = '';
  let argi = 0;
  for (const part of parseFormat(format)) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    if (argi >= values.length) {
      out += `%!${part.verb}(MISSING)`;
      continue;
    }
    const v = values[argi++];
    // The common case without building an Arg: a string for %s or %v, no width or precision.
    if (typeof v === 'string' && (part.verb === 's' || part.verb === 'v') && part.width === undefined && part.prec === undefined) out += v;
    else out += pad(formatOne(part, toArg(v)), part);
    if (out.length > MAX_STRING) throw builtinError(`result longer than ${MAX_STRING} characters`);
  }
  if (argi < values.length) out += `%!(EXTRA ${values.slice(argi).map((v) => `${goTypeName(toArg(v))}=${regoText(v)}`).join(', ')})`;
  return out;
}

register('sprintf', 2, ([f, xs]) => sprintf(str(f, 1), arr(xs, 2)));
