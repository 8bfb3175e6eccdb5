/**
 * Rego tokens. Keywords are lexed as identifiers (the parser knows where they are keywords).
 * Each token records whether a line break preceded it: a line break ends an expression in a
 * body, as `;` does, except inside brackets.
 */
import { RegoError } from './errors';

export type TokenType = 'ident' | 'number' | 'string' | 'rawstring' | 'op' | 'eof';

export interface Token {
  type: TokenType;
  text: string;
  /** For strings: the decoded value. */
  value?: string;
  row: number;
  col: number;
  /** Offsets of the token's first character and one past its last. */
  start: number;
  end: number;
  /** A line break (or the start of input) precedes the token. */
  nl: boolean;
}

const OPERATORS = [':=', '==', '!=', '<=', '>=', '<', '>', '=', '+', '-', '*', '/', '%', '&', '|', '{', '}', '[', ']', '(', ')', '.', ',', ';', ':'];

/** Source size past which parsing is refused (a policy file, not a data dump). */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function tokenize(src: string, file: string): Token[] {
  if (src.length > MAX_SOURCE_BYTES) throw new RegoError('rego_parse_error', `source larger than ${MAX_SOURCE_BYTES} bytes`, { file, row: 1, col: 1 });
  const tokens: Token[] = [];
  let i = 0;
  let row = 1;
  let lineStart = 0;
  let nl = true;
  const err = (msg: string, at = i): never => {
    throw new RegoError('rego_parse_error', msg, { file, row, col: at - lineStart + 1 });
  };
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      i++;
      row++;
      lineStart = i;
      nl = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 35) {
      while (i < src.length && src.charCodeAt(i) !== 10) i++;
      continue;
    }
    const start = i;
    const col = i - lineStart + 1;
    const push = (type: TokenType, text: string, value?: string) => {
      tokens.push({ type, text, value, row, col, start, end: i, nl });
      nl = false;
    };
    if (isIdentStart(c)) {
      while (i < src.length && isIdentPart(src.charCodeAt(i))) i++;
      push('ident', src.slice(start, i));
      continue;
    }
    if (isDigit(c)) {
      const m = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 4096));
      if (!m) err('invalid number');
      i += m![0].length;
      if (i < src.length && (isIdentPart(src.charCodeAt(i)) || src.charCodeAt(i) === 46)) err(`invalid number ${src.slice(start, i + 1)}`);
      push('number', m![0]);
      continue;
    }
    if (c === 34) {
      const [value, end] = readString(src, i, err);
      i = end;
      push('string', src.slice(start, i), value);
      continue;
    }
    if (c === 96) {
      const end = src.indexOf('`', i + 1);
      if (end < 0) err('non-terminated raw string');
      const value = src.slice(i + 1, end);
      const startRow = row;
      for (let j = i + 1; j < end; j++) {
        if (src.charCodeAt(j) === 10) {
          row++;
          lineStart = j + 1;
        }
      }
      i = end + 1;
      tokens.push({ type: 'rawstring', text: src.slice(start, i), value, row: startRow, col, start, end: i, nl });
      nl = false;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) err(`illegal token ${JSON.stringify(src[i])}`);
    i += op!.length;
    push('op', op!);
  }
  tokens.push({ type: 'eof', text: '', row, col: i - lineStart + 1, start: i, end: i, nl: true });
  return tokens;
}

function readString(src: string, start: number, err: (msg: string, at?: number) => never): [string, number] {
  let i = start + 1;
  let out = '';
  while (true) {
    if (i >= src.length || src.charCodeAt(i) === 10) return err('non-terminated string', start);
    const c = src[i];
    if (c === '"') return [out, i + 1];
    if (c !== '\\') {
      const j = nextSpecial(src, i);
      out += src.slice(i, j);
      i = j;
      continue;
    }
    const e = src[i + 1];
    i += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        const hex = src.slice(i, i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return err('illegal escape sequence in string', i - 2);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        return err('illegal escape sequence in string', i - 2);
    }
  }
}

function nextSpecial(src: string, i: number): number {
  let j = i;
  while (j < src.length) {
    const c = src.charCodeAt(j);
    if (c === 34 || c === 92 || c === 10) break;
    j++;
  }
  return j;
}
