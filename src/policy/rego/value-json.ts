/**
 * Crossing the engine's boundary: plain JS/JSON in (checked, never copied), plain JS out (sets as
 * sorted arrays), and exact JSON text out (big numbers keep their digits).
 */
import { RegoError } from './errors';
import { BigNum } from './number';
import { SetValue, isPlainObject, sortedEntries, type Value } from './value';
import { MAX_DEPTH } from './value-limits';

export { checkJson } from './value-check';

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
