/**
 * Crossing the engine's boundary: plain JS/JSON in (checked, never copied), plain JS out (sets as
 * sorted arrays), and exact JSON text out (big numbers keep their digits).
 */
import { RegoError } from './errors';
import { BigNum } from './number';
import { ObjectValue, SetValue, isPlainObject, sortedEntries, type Value } from './value';
import { MAX_DEPTH } from './value-limits';

/** Checks that x is JSON-shaped (finite numbers, plain objects) and not nested too deeply. */
export function checkJson(x: unknown, what: string): Value {
  checkValue(x, what, 0);
  return x as Value;
}

const LIMIT = MAX_DEPTH;

function tooDeep(what: string): RegoError {
  return new RegoError('eval_internal_error', `${what} is nested deeper than ${MAX_DEPTH} levels`);
}

function checkValue(v: unknown, what: string, depth: number): void {
  if (depth > LIMIT) throw tooDeep(what);
  if (typeof v === 'object' && v !== null) checkComposite(v, what, depth);
  else checkScalar(v, what);
}

function checkScalar(v: unknown, what: string): void {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(v)) throw new RegoError('eval_internal_error', `${what} holds a number that is not finite`);
      return;
    default:
      if (v === null) return;
      throw new RegoError('eval_internal_error', `${what} holds a value that is not JSON (${typeof v})`);
  }
}

/** Checks v's members; strings and booleans (most of them) without a call. */
function checkComposite(v: object, what: string, depth: number): void {
  if (Array.isArray(v)) {
    if (depth >= LIMIT && v.length > 0) throw tooDeep(what);
    for (let i = 0; i < v.length; i++) checkMember(v[i], what, depth);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    // Not for…in: V8 speculates on its keyed reads and falls into deoptimisation loops when
    // objects of many shapes (input documents, policy data) come through.
    const members: unknown[] = Object.values(v);
    if (depth >= LIMIT && members.length > 0) throw tooDeep(what);
    for (let i = 0; i < members.length; i++) checkMember(members[i], what, depth);
    return;
  }
  if (v instanceof BigNum || v instanceof SetValue || v instanceof ObjectValue) return;
  throw new RegoError('eval_internal_error', `${what} holds a value that is not JSON`);
}

function checkMember(x: unknown, what: string, depth: number): void {
  const t = typeof x;
  if (t === 'string' || t === 'boolean') return;
  if (t === 'object' && x !== null) checkComposite(x as object, what, depth + 1);
  else checkScalar(x, what);
}

function keyText(k: Value): string {
  return typeof k === 'string' ? k : toJsonText(k);
}

/** Plain JS for callers: sets become sorted arrays, big numbers become doubles. */
export function toJS(v: Value, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new RegoError('eval_internal_error', 'value nested too deeply');
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof BigNum) return Number(v.text);
  if (Array.isArray(v)) return v.map((x) => toJS(x, depth + 1));
  if (v instanceof SetValue) return v.sortedValues().map((x) => toJS(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of sortedEntries(v as Parameters<typeof sortedEntries>[0])) out[keyText(k)] = toJS(x, depth + 1);
  return out;
}

/** JSON text with sorted keys and exact numbers; `indent` as JSON.stringify's. */
export function toJsonText(v: Value, indent = 0): string {
  return write(v, indent, 0);
}

function write(v: Value, indent: number, depth: number): string {
  if (depth > MAX_DEPTH) throw new RegoError('eval_internal_error', 'value nested too deeply');
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
    case 'string':
      return JSON.stringify(v);
    default:
      break;
  }
  if (v instanceof BigNum) return v.text;
  const nl = indent > 0 ? `\n${' '.repeat(indent * (depth + 1))}` : '';
  const end = indent > 0 ? `\n${' '.repeat(indent * depth)}` : '';
  const sep = indent > 0 ? ': ' : ':';
  if (Array.isArray(v) || v instanceof SetValue) {
    const items = Array.isArray(v) ? v : v.sortedValues();
    if (items.length === 0) return '[]';
    return `[${items.map((x) => nl + write(x, indent, depth + 1)).join(',')}${end}]`;
  }
  const entries = sortedEntries(v as Parameters<typeof sortedEntries>[0]);
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, x]) => `${nl}${JSON.stringify(keyText(k))}${sep}${write(x, indent, depth + 1)}`).join(',')}${end}}`;
}

export { isPlainObject };
