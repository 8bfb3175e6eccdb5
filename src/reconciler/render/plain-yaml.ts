/**
 * A fast reader for the plain YAML that almost every Kubernetes manifest is written in: block
 * mappings and sequences, single-line flow collections, plain and simply quoted scalars, comments,
 * and `---` between documents. It reads what it knows and returns `undefined` for everything else
 * (anchors, tags, block scalars, escapes, multi-line scalars, unusual keys or numbers, anything that
 * would be an error), and the caller then uses the full parser, which also reports every error.
 *
 * Where it answers, it answers exactly as `yaml` does with the options parseManifestFile uses
 * (YAML 1.2 core schema, unique keys, merge keys, strict): a differential test holds the two to the
 * same documents, values, types and key order over generated and hand-written inputs. Declining is
 * always safe, so every doubtful case declines: a plain scalar is only read as a string when no
 * core-schema tag would resolve it, a number only when it is a small decimal integer, a key only
 * when it is a plain word that no tag resolves (and never `__proto__` or `<<`).
 *
 * Why: parsing is most of the gate's work per manifest; the full parser builds a concrete syntax
 * tree and a document model before the values, and this reads the values in one pass.
 */

/** Thrown inside the reader to decline; never escapes it. */
const DECLINE = Symbol('decline');

const MAX_DEPTH = 64;
const MAX_KEY_LENGTH = 1024;

/** Characters the reader leaves to the full parser wherever they appear: tabs, CR, other C0/C1 controls, DEL, line and paragraph separators, BOM. */
const UNUSUAL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;
/** A plain key: a word that starts with a letter or `_`, then letters, digits and `_ . / -`, followed by `:` and a space or the end. */
const PLAIN_KEY = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: +|$)/;
const FLOW_KEY = /[A-Za-z_][A-Za-z0-9_./-]*/y;
const DASH_FOLLOWER = /[A-Za-z0-9_./$-]/;
const FLOW_COLON_FOLLOWER = /[A-Za-z0-9_./$-]/;
/** Decimal integers V8 holds exactly, without a sign other than `-`, leading zeros or `-0`. */
const SMALL_INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
/** Every core-schema int and float form (yaml's own tests, joined): these are left to the full parser. */
const NUMERIC = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
/** Words the core schema reads as null or booleans: values get them, keys decline. */
const WORDS = new Map<string, null | boolean>([
  ['~', null],
  ['null', null],
  ['Null', null],
  ['NULL', null],
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);

interface Line {
  indent: number;
  /** The line after its indentation: '' for a blank line, `#…` for a comment. */
  text: string;
  /** The last line of the text, with no line break after it. */
  last: boolean;
}

/**
 * The values of the documents in `text`, in order (null for an empty document), or `undefined`
 * when the text is not in the subset this reads. Never throws.
 */
export function readPlainYaml(text: string): unknown[] | undefined {
  if (UNUSUAL.test(text)) return undefined;
  try {
    return readDocuments(text);
  } catch (err) {
    if (err === DECLINE) return undefined;
    throw err;
  }
}

function decline(): never {
  throw DECLINE;
}

function readDocuments(text: string): unknown[] {
  const docs: unknown[] = [];
  let lines: Line[] = [];
  // text before the first `---` is a document only when it has content; each `---` starts one
  let marked = false;
  let content = false;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const first = text.charCodeAt(start);
    if (first === 0x2d /* - */ && text.startsWith('---', start)) {
      if (!isBlankOrComment(text, start + 3, end)) decline();
      if (marked || content) docs.push(new Reader(lines).document());
      lines = [];
      marked = true;
      content = false;
    } else if ((first === 0x2e /* . */ && text.startsWith('...', start)) || first === 0x25 /* % */) {
      decline();
    } else {
      let indent = start;
      while (text.charCodeAt(indent) === 0x20) indent++;
      const line = text.slice(indent, end);
      lines.push({ indent: indent - start, text: line, last: end === text.length });
      if (line !== '' && line.charCodeAt(0) !== 0x23 /* # */) content = true;
    }
    start = end + 1;
  }
  if (marked || content) docs.push(new Reader(lines).document());
  return docs;
}

/** After `---`: nothing, spaces, or a comment after a space. */
function isBlankOrComment(text: string, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */ && i > from) return true;
    if (c !== 0x20) return false;
  }
  return true;
}

function isSequenceEntry(text: string): boolean {
  return text.charCodeAt(0) === 0x2d && (text.length === 1 || text.charCodeAt(1) === 0x20);
}

/** After a value on its line: nothing more, or a comment after at least one space. */
function checkTail(text: string, from: number): void {
  let i = from;
  while (text.charCodeAt(i) === 0x20) i++;
  if (i === text.length) return;
  if (text.charCodeAt(i) === 0x23 && i > from) return;
  decline();
}

function checkKey(key: string): string {
  if (key.length > MAX_KEY_LENGTH || key === '__proto__' || WORDS.has(key)) decline();
  return key;
}

/** A plain scalar's value under the core schema, or decline when it is any number but a small integer. */
function resolvePlain(text: string): unknown {
  const word = WORDS.get(text);
  if (word !== undefined) return word;
  if (SMALL_INT.test(text)) return Number(text);
  if (NUMERIC.test(text)) decline();
  return text;
}

/** Where a plain scalar may not start: YAML's indicators, except `-` before a word character (`-c`, `--flag`, `-5`). */
function badPlainStart(text: string, at: number): boolean {
  const c = text[at];
  if (c === '-') return !DASH_FOLLOWER.test(text[at + 1] ?? ' ');
  return '?:,[]{}#&*!|>\'"%@`'.includes(c);
}

/** A quoted scalar starting at `at` (`'` or `"`, on one line, no escapes in double quotes): its value and where it ends. */
function readQuoted(text: string, at: number): [string, number] {
  const quote = text[at];
  if (quote === '"') {
    const close = text.indexOf('"', at + 1);
    if (close < 0) decline();
    const value = text.slice(at + 1, close);
    if (value.includes('\\')) decline();
    return [value, close + 1];
  }
  let value = '';
  let from = at + 1;
  for (;;) {
    const close = text.indexOf("'", from);
    if (close < 0) decline();
    value += text.slice(from, close);
    if (text[close + 1] !== "'") return [value, close + 1];
    value += "'";
    from = close + 2;
  }
}

function isQuotedKey(text: string): boolean {
  const [, end] = readQuoted(text, 0);
  return text[end] === ':' && (end + 1 === text.length || text[end + 1] === ' ');
}

class Reader {
  private pos = 0;

  constructor(private readonly lines: Line[]) {}

  document(): unknown {
    const first = this.peek();
    if (first === undefined) return null;
    const value = this.node(first.indent, 0);
    if (this.peek() !== undefined) decline();
    return value;
  }

  /** The next line with content (blank lines and comments skipped), or undefined at the end. */
  private peek(): Line | undefined {
    const lines = this.lines;
    while (this.pos < lines.length) {
      const line = lines[this.pos];
      if (line.text !== '' && line.text.charCodeAt(0) !== 0x23) return line;
      this.pos++;
    }
    return undefined;
  }

  /** The block node whose first line is the current one, at `indent`. */
  private node(indent: number, depth: number): unknown {
    if (depth > MAX_DEPTH) decline();
    return isSequenceEntry(this.lines[this.pos].text) ? this.sequence(indent, depth) : this.mapping(indent, depth);
  }

  /** What follows a key or a `-` with nothing after it on its line: a block further in, a sequence at the key's indent, or null. */
  private nested(indent: number, depth: number, afterKey: boolean): unknown {
    const next = this.peek();
    if (next === undefined) return null;
    if (next.indent > indent) return this.node(next.indent, depth + 1);
    if (afterKey && next.indent === indent && isSequenceEntry(next.text)) return this.sequence(indent, depth + 1);
    return null;
  }

  /** After an entry: the next line may not be further in (a continuation this does not read). */
  private entryEnds(indent: number): void {
    const next = this.peek();
    if (next !== undefined && next.indent > indent) decline();
  }

  private sequence(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.peek(); line !== undefined && line.indent === indent && isSequenceEntry(line.text); line = this.peek()) {
      const text = line.text;
      let at = 1;
      while (text.charCodeAt(at) === 0x20) at++;
      if (at === text.length || text.charCodeAt(at) === 0x23) {
        this.pos++;
        out.push(this.nested(indent, depth, false));
      } else {
        const rest = text.slice(at);
        if (isSequenceEntry(rest)) decline();
        if (PLAIN_KEY.test(rest) || ((rest[0] === '"' || rest[0] === "'") && isQuotedKey(rest))) {
          // a mapping that starts on the entry's line: its keys line up with the first one
          this.lines[this.pos] = { indent: indent + at, text: rest, last: line.last };
          out.push(this.mapping(indent + at, depth + 1));
        } else {
          out.push(this.value(rest, indent, depth));
        }
      }
      this.entryEnds(indent);
    }
    return out;
  }

  private mapping(indent: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.peek(); line !== undefined && line.indent === indent; line = this.peek()) {
      const text = line.text;
      let key: string;
      let at: number;
      const plain = PLAIN_KEY.exec(text);
      if (plain) {
        key = plain[1];
        at = plain[0].length;
      } else if (text[0] === '"' || text[0] === "'") {
        const [quoted, end] = readQuoted(text, 0);
        if (text[end] !== ':') decline();
        key = quoted;
        at = end + 1;
        if (at < text.length && text[at] !== ' ') decline();
        while (text.charCodeAt(at) === 0x20) at++;
      } else {
        decline();
      }
      checkKey(key);
      if (Object.hasOwn(out, key)) decline();
      if (at === text.length || text.charCodeAt(at) === 0x23) {
        this.pos++;
        out[key] = this.nested(indent, depth, true);
      } else {
        out[key] = this.value(text.slice(at), indent, depth);
      }
      this.entryEnds(indent);
    }
    return out;
  }

  /**
   * A value written on its key's (or entry's) line, the current line: a flow collection, a quoted
   * or plain scalar, or a literal block scalar (whose lines follow). Moves past what it read.
   */
  private value(text: string, indent: number, depth: number): unknown {
    const c = text[0];
    if (c === '|') return this.literal(text, indent);
    this.pos++;
    if (c === '{' || c === '[') {
      const flow = new FlowReader(text);
      const value = flow.value(depth + 1);
      checkTail(text, flow.at);
      return value;
    }
    if (c === '"' || c === "'") {
      const [value, end] = readQuoted(text, 0);
      checkTail(text, end);
      return value;
    }
    if (badPlainStart(text, 0)) decline();
    const comment = text.indexOf(' #');
    const scalar = (comment < 0 ? text : text.slice(0, comment)).trimEnd();
    if (scalar.includes(': ') || scalar.endsWith(':')) decline();
    return resolvePlain(scalar);
  }

  /**
   * A literal block scalar, `|` (clip) or `|-` (strip), its indentation found from its first line
   * with content. Declined: `|+`, indentation indicators, whitespace-only lines deeper than the
   * content, and a last line with no line break.
   */
  private literal(header: string, indent: number): string {
    let at = 1;
    const strip = header[1] === '-';
    if (strip) at = 2;
    checkTail(header, at);
    const lines = this.lines;
    const out: string[] = [];
    let n = -1;
    let deepestLeading = 0;
    let lastContent = -1;
    let p = this.pos + 1;
    for (; p < lines.length; p++) {
      const line = lines[p];
      if (line.text === '') {
        if (n < 0) deepestLeading = Math.max(deepestLeading, line.indent);
        else if (line.indent > n) decline();
        out.push('');
        continue;
      }
      if (n < 0) {
        n = line.indent;
        if (n <= indent || deepestLeading > n) decline();
      }
      if (line.indent < n) break;
      if (line.last) decline();
      out.push(line.indent === n ? line.text : ' '.repeat(line.indent - n) + line.text);
      lastContent = out.length;
    }
    if (n < 0) decline();
    this.pos = p;
    const body = out.slice(0, lastContent).join('\n');
    return strip ? body : `${body}\n`;
  }
}

/** A flow collection on one line: `{ key: value, … }` and `[ value, … ]`, nested; no empty values or trailing commas. */
class FlowReader {
  at = 0;

  constructor(private readonly text: string) {}

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) decline();
    this.spaces();
    const c = this.text[this.at];
    if (c === '{') return this.mapping(depth);
    if (c === '[') return this.sequence(depth);
    if (c === '"' || c === "'") {
      const [value, end] = readQuoted(this.text, this.at);
      this.at = end;
      return value;
    }
    return this.plain();
  }

  private mapping(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.opensEmpty('}')) return out;
    for (;;) {
      const key = checkKey(this.key());
      if (Object.hasOwn(out, key)) decline();
      if (this.text[this.at] !== ':' || this.text[this.at + 1] !== ' ') decline();
      this.at += 2;
      this.spaces();
      const next = this.text[this.at];
      if (next === ',' || next === '}') decline();
      out[key] = this.value(depth + 1);
      if (this.separator('}')) return out;
    }
  }

  private sequence(depth: number): unknown[] {
    const out: unknown[] = [];
    if (this.opensEmpty(']')) return out;
    for (;;) {
      out.push(this.value(depth + 1));
      if (this.separator(']')) return out;
    }
  }

  /** Past the opening bracket and any spaces: true when the collection closes at once (it is empty). */
  private opensEmpty(close: string): boolean {
    this.at++;
    this.spaces();
    if (this.text[this.at] !== close) return false;
    this.at++;
    return true;
  }

  /** After an entry: `,` and another entry (false), or the closing bracket (true). */
  private separator(close: string): boolean {
    this.spaces();
    const c = this.text[this.at];
    if (c === close) {
      this.at++;
      return true;
    }
    if (c !== ',') decline();
    this.at++;
    this.spaces();
    const next = this.text[this.at];
    if (next === close || next === ',' || next === undefined) decline();
    return false;
  }

  private key(): string {
    const c = this.text[this.at];
    if (c === '"' || c === "'") {
      const [value, end] = readQuoted(this.text, this.at);
      this.at = end;
      return value;
    }
    FLOW_KEY.lastIndex = this.at;
    const match = FLOW_KEY.exec(this.text);
    if (!match) decline();
    this.at += match[0].length;
    return match[0];
  }

  private plain(): unknown {
    const text = this.text;
    const start = this.at;
    if (start >= text.length || badPlainStart(text, start)) decline();
    let i = start;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === ',' || c === ']' || c === '}') break;
      // `image: a:1` holds a colon; one before a space or a bracket would start a value
      if (c === ':' && !FLOW_COLON_FOLLOWER.test(text[i + 1] ?? ' ')) decline();
      if (c === '#' || c === '[' || c === '{') decline();
    }
    this.at = i;
    const scalar = text.slice(start, i).trimEnd();
    return resolvePlain(scalar);
  }

  private spaces(): void {
    while (this.text.charCodeAt(this.at) === 0x20) this.at++;
  }
}
