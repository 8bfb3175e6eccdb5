/** String builtins. Positions and lengths count Unicode code points (Go runes), as OPA does. */
import { BigNum, numberFromText, toBigInt, type Num } from '../number';
import { SetValue, isObject, sortedEntries, type Value } from '../value';
import { checkedStrings, int, num, str, strings } from './operands';
import { BuiltinError, builtinError, register, typeError } from './registry';

const runes = (s: string): string[] => Array.from(s);

/** Longest string a builtin may build (repeat, replace, concat), in UTF-16 units. */
export const MAX_STRING = 16 * 1024 * 1024;

function bounded(s: string): string {
  if (s.length > MAX_STRING) throw builtinError(`result longer than ${MAX_STRING} characters`);
  return s;
}

register('concat', 2, ([d, xs]) => {
  const delim = str(d, 1);
  if (!Array.isArray(xs) && !(xs instanceof SetValue)) throw typeError(2, xs, 'array', 'set');
  return bounded(strings(xs, 2).join(delim));
});
register('contains', 2, ([s, sub]) => str(s, 1).includes(str(sub, 2)));
register('startswith', 2, ([s, p]) => str(s, 1).startsWith(str(p, 2)));
register('endswith', 2, ([s, p]) => str(s, 1).endsWith(str(p, 2)));
register('lower', 1, ([s]) => str(s, 1).toLowerCase());
register('upper', 1, ([s]) => str(s, 1).toUpperCase());
register('split', 2, ([s, d]) => {
  const x = str(s, 1);
  const delim = str(d, 2);
  return delim === '' ? runes(x) : x.split(delim);
});
register('replace', 3, ([s, o, n], ctx) => {
  const x = str(s, 1);
  const old = str(o, 2);
  const nu = str(n, 3);
  ctx.charge(x.length / 64);
  if (old === '') return bounded(runes(x).reduce((acc, r) => acc + r + nu, nu));
  return bounded(x.split(old).join(nu));
});
register('strings.replace_n', 2, ([patterns, s]) => {
  if (!isObject(patterns)) throw typeError(1, patterns, 'object');
  let x = str(s, 2);
  const pairs: [string, string][] = [];
  for (const [k, v] of sortedEntries(patterns)) {
    if (typeof k !== 'string') throw typeError(1, k, 'string');
    if (typeof v !== 'string') throw typeError(1, v, 'string');
    pairs.push([k, v]);
  }
  // Go's strings.NewReplacer: at each position, the first matching pattern in argument order.
  let out = '';
  let i = 0;
  while (i < x.length) {
    const hit = pairs.find(([k]) => k !== '' && x.startsWith(k, i));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
    } else out += x[i++];
  }
  x = out;
  return bounded(x);
});
register('strings.reverse', 1, ([s]) => runes(str(s, 1)).reverse().join(''));
register('strings.count', 2, ([s, sub]) => {
  const x = str(s, 1);
  const y = str(sub, 2);
  if (y === '') return runes(x).length + 1;
  return x.split(y).length - 1;
});

function cutset(s: string, set: string, left: boolean, right: boolean): string {
  const chars = new Set(runes(set));
  const r = runes(s);
  let a = 0;
  let b = r.length;
  if (left) while (a < b && chars.has(r[a])) a++;
  if (right) while (b > a && chars.has(r[b - 1])) b--;
  return r.slice(a, b).join('');
}
register('trim', 2, ([s, c]) => cutset(str(s, 1), str(c, 2), true, true));
register('trim_left', 2, ([s, c]) => cutset(str(s, 1), str(c, 2), true, false));
register('trim_right', 2, ([s, c]) => cutset(str(s, 1), str(c, 2), false, true));
register('trim_prefix', 2, ([s, p]) => {
  const x = str(s, 1);
  const pre = str(p, 2);
  return x.startsWith(pre) ? x.slice(pre.length) : x;
});
register('trim_suffix', 2, ([s, p]) => {
  const x = str(s, 1);
  const suf = str(p, 2);
  return suf !== '' && x.endsWith(suf) ? x.slice(0, x.length - suf.length) : x;
});
register('trim_space', 1, ([s]) => str(s, 1).replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/gu, ''));

function runeIndex(s: string, unitIndex: number): number {
  return runes(s.slice(0, unitIndex)).length;
}
register('indexof', 2, ([s, sub]) => {
  const x = str(s, 1);
  const i = x.indexOf(str(sub, 2));
  return i < 0 ? -1 : runeIndex(x, i);
});
register('indexof_n', 2, ([s, sub]) => {
  const x = str(s, 1);
  const y = str(sub, 2);
  const out: number[] = [];
  if (y === '') return out;
  for (let i = x.indexOf(y); i >= 0; i = x.indexOf(y, i + 1)) out.push(runeIndex(x, i));
  return out;
});
register('substring', 3, ([s, st, ln]) => {
  const r = runes(str(s, 1));
  const start = int(st, 2);
  const length = int(ln, 3);
  if (start < 0) throw builtinError('negative offset');
  if (start >= r.length) return '';
  return (length < 0 ? r.slice(start) : r.slice(start, start + length)).join('');
});

register('format_int', 2, ([n, b]) => {
  const x = num(n, 1);
  const base = int(b, 2);
  if (![2, 8, 10, 16].includes(base)) throw builtinError('operand 2 must be one of {2, 8, 10, 16}');
  const i = truncate(x);
  return i.toString(base);
});

function truncate(x: Num): bigint {
  const exact = toBigInt(x);
  if (exact !== undefined) return exact;
  const d = typeof x === 'number' ? x : Number(x.text);
  return BigInt(Math.trunc(d));
}

register('to_number', 1, ([v]) => {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || v instanceof BigNum) return v;
  if (typeof v === 'string') {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) throw builtinError(`invalid syntax`);
    try {
      return numberFromText(v.replace(/^\+/, '').replace(/^(-?)\./, '$10.').replace(/\.(?=$|[eE])/, ''));
    } catch (e) {
      throw builtinError(e instanceof Error ? e.message : String(e));
    }
  }
  throw typeError(1, v, 'null', 'boolean', 'number', 'string');
});

/** The strings of a string, array or set operand (checked; arrays and sets are not copied). */
function prefixOperand(v: Value, pos: number): readonly string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) || v instanceof SetValue) return checkedStrings(v, pos);
  throw typeError(pos, v, 'string', 'set', 'array');
}

function anyPair(a: Value, b: Value, match: (x: string, p: string) => boolean): boolean {
  const xs = prefixOperand(a, 1);
  const ps = prefixOperand(b, 2);
  for (const x of xs) for (const p of ps) if (match(x, p)) return true;
  return false;
}

register('strings.any_prefix_match', 2, ([a, b]) => anyPair(a, b, (x, p) => x.startsWith(p)));
register('strings.any_suffix_match', 2, ([a, b]) => anyPair(a, b, (x, p) => x.endsWith(p)));

export { BuiltinError };
