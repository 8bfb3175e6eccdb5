/**
 * regex.globs_match: whether two glob-like regular expressions (literals, `.`, `[…]` classes,
 * and the quantifiers `*`, `+`, `?`) both match some non-empty string. Decided on the product of
 * their automata, in time proportional to the product of the pattern lengths.
 */
import { str } from './operands';
import { builtinError, register } from './registry';

const MAX_CHAR = 0x10ffff;
type Ranges = [number, number][];

interface Token {
  set: Ranges;
  quant: '' | '*' | '?';
}

function normalize(r: Ranges): Ranges {
  const s = [...r].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of s) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(r: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of normalize(r)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CHAR) out.push([next, MAX_CHAR]);
  return out;
}

function overlaps(a: Ranges, b: Ranges): boolean {
  return a.some(([lo, hi]) => b.some(([l2, h2]) => lo <= h2 && l2 <= hi));
}

function parseClass(p: string, i: number): [Ranges, number] {
  let j = i + 1;
  const neg = p[j] === '^';
  if (neg) j++;
  const ranges: Ranges = [];
  let first = true;
  while (j < p.length && (p[j] !== ']' || first)) {
    first = false;
    let c = p.codePointAt(j)!;
    j += c > 0xffff ? 2 : 1;
    if (c === 92 && j < p.length) {
      c = p.codePointAt(j)!;
      j += c > 0xffff ? 2 : 1;
    }
    if (p[j] === '-' && p[j + 1] !== ']' && j + 1 < p.length) {
      const hi = p.codePointAt(j + 1)!;
      ranges.push([c, hi]);
      j += hi > 0xffff ? 3 : 2;
    } else ranges.push([c, c]);
  }
  if (p[j] !== ']') throw builtinError(`unterminated character class in ${JSON.stringify(p)}`);
  return [neg ? complement(ranges) : normalize(ranges), j + 1];
}

function parse(p: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < p.length; ) {
    let set: Ranges;
    const c = p[i];
    if (c === '.') {
      set = [[0, MAX_CHAR]];
      i++;
    } else if (c === '[') [set, i] = parseClass(p, i);
    else if (c === '*' || c === '+' || c === '?') throw builtinError(`quantifier without operand in ${JSON.stringify(p)}`);
    else {
      if (c === '\\') i++;
      if (i >= p.length) throw builtinError(`trailing backslash in ${JSON.stringify(p)}`);
      const cp = p.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      set = [[cp, cp]];
    }
    const q = p[i];
    if (q === '*' || q === '?') {
      out.push({ set, quant: q });
      i++;
    } else if (q === '+') {
      out.push({ set, quant: '' }, { set, quant: '*' });
      i++;
    } else out.push({ set, quant: '' });
  }
  return out;
}

/** Positions reachable without consuming a character. */
function closure(ts: Token[], i: number): number[] {
  const out = [i];
  while (i < ts.length && ts[i].quant !== '') out.push(++i);
  return out;
}

function moves(ts: Token[], i: number): [Ranges, number][] {
  if (i >= ts.length) return [];
  const t = ts[i];
  return [[t.set, t.quant === '*' ? i : i + 1]];
}

export function globsIntersect(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  const seen = new Set<string>();
  const queue: [number, number, boolean][] = [];
  const push = (i: number, j: number, consumed: boolean) => {
    for (const ci of closure(x, i)) {
      for (const cj of closure(y, j)) {
        const k = `${ci},${cj},${consumed}`;
        if (!seen.has(k)) {
          seen.add(k);
          queue.push([ci, cj, consumed]);
        }
      }
    }
  };
  push(0, 0, false);
  while (queue.length > 0) {
    const [i, j, consumed] = queue.shift()!;
    if (consumed && i === x.length && j === y.length) return true;
    for (const [sa, ni] of moves(x, i)) for (const [sb, nj] of moves(y, j)) if (overlaps(sa, sb)) push(ni, nj, true);
  }
  return false;
}

register('regex.globs_match', 2, ([a, b]) => globsIntersect(str(a, 1), str(b, 2)));
