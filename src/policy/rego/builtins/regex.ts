/**
 * regex.* with RE2 semantics (re2js: linear time, rejects backreferences and lookaround as RE2
 * does), and glob.match. Compiled patterns are cached.
 */
import { RE2JS } from 're2js';
import { SetValue, type Value } from '../value';
import { int, str } from './operands';
import { builtinError, register, typeError } from './registry';

const CACHE_LIMIT = 1000;
const cache = new Map<string, RE2JS>();

export function compileRegex(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (re) return re;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw builtinError(`error parsing regexp: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

/** Match spans [start, end, ...groups] of up to n matches (n < 0: all), Go's FindAll semantics. */
function findAll(re: RE2JS, s: string, n: number): { start: number; end: number; groups: (string | null)[] }[] {
  const out: { start: number; end: number; groups: (string | null)[] }[] = [];
  const m = re.matcher(s);
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length && m.find(pos)) {
    const start = m.start();
    const end = m.end();
    if (end === start && start === prevEnd) {
      pos = start + 1;
      continue;
    }
    const groups: (string | null)[] = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
    out.push({ start, end, groups });
    prevEnd = end;
    pos = end === start ? end + 1 : end;
  }
  return out;
}

register('regex.match', 2, ([p, v]) => compileRegex(str(p, 1)).test(str(v, 2)));
register('regex.is_valid', 1, ([p]) => {
  if (typeof p !== 'string') return false;
  try {
    compileRegex(p);
    return true;
  } catch {
    return false;
  }
});
register('regex.split', 2, ([p, v]) => {
  const s = str(v, 2);
  const matches = findAll(compileRegex(str(p, 1)), s, -1);
  if (s === '') return [''];
  const out: string[] = [];
  let beg = 0;
  for (const m of matches) {
    if (m.end === 0) continue;
    out.push(s.slice(beg, m.start));
    beg = m.end;
  }
  out.push(s.slice(beg));
  return out;
});
register('regex.find_n', 3, ([p, v, n]) => findAll(compileRegex(str(p, 1)), str(v, 2), int(n, 3)).map((m) => m.groups[0] ?? ''));
register('regex.find_all_string_submatch_n', 3, ([p, v, n]) =>
  findAll(compileRegex(str(p, 1)), str(v, 2), int(n, 3)).map((m) => m.groups.map((g) => g ?? '')),
);
register('regex.replace', 3, ([s, p, r]) => {
  const x = str(s, 1);
  const re = compileRegex(str(p, 2));
  const repl = str(r, 3);
  return re.matcher(x).replaceAll(repl, false);
});

register('regex.template_match', 4, ([t, v, ds, de]) => {
  const template = str(t, 1);
  const value = str(v, 2);
  const start = str(ds, 3);
  const end = str(de, 4);
  if (start.length !== 1 || end.length !== 1) throw builtinError('delimiters must be single characters');
  let pattern = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf(start, i);
    if (open < 0) {
      pattern += RE2JS.quote(template.slice(i));
      break;
    }
    const close = template.indexOf(end, open + 1);
    if (close < 0) throw builtinError(`unbalanced delimiters in template ${JSON.stringify(template)}`);
    pattern += RE2JS.quote(template.slice(i, open)) + `(${template.slice(open + 1, close)})`;
    i = close + 1;
  }
  return compileRegex(`^${pattern}$`).test(value);
});

// ---- glob ----

function escapeClass(c: string): string {
  return /[\\\]^-]/.test(c) ? `\\${c}` : c;
}

export function globToRegex(glob: string, delimiters: string[]): string {
  const notDelim = delimiters.length === 0 ? '.' : `[^${delimiters.map(escapeClass).join('')}]`;
  let out = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') {
      if (i + 1 >= glob.length) throw builtinError('unexpected end of input');
      out += RE2JS.quote(glob[++i]);
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += `${notDelim}*`;
    } else if (c === '?') out += notDelim;
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) throw builtinError('unexpected end of input');
      let body = glob.slice(i + 1, close);
      const neg = body.startsWith('!');
      if (neg) body = body.slice(1);
      out += `[${neg ? '^' : ''}${body.replace(/\\/g, '\\\\').replace(/\^/g, '\\^')}]`;
      i = close;
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else out += RE2JS.quote(c);
  }
  if (depth > 0) throw builtinError('unexpected end of input');
  return `(?s)^${out}$`;
}

register('glob.match', 3, ([p, d, m]) => {
  const pattern = str(p, 1);
  let delimiters: string[];
  if (d === null) delimiters = [];
  else if (Array.isArray(d) || d instanceof SetValue) {
    delimiters = (Array.isArray(d) ? d : d.sortedValues()).map((x: Value) => {
      if (typeof x !== 'string') throw typeError(2, x, 'string');
      return x;
    });
    if (delimiters.length === 0) delimiters = ['.'];
  } else throw typeError(2, d, 'array', 'null');
  return compileRegex(globToRegex(pattern, delimiters)).test(str(m, 3));
});
register('glob.quote_meta', 1, ([s]) => str(s, 1).replace(/[*?\\[\]{}]/g, (c) => `\\${c}`));
