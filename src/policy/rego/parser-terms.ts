/**
 * Term grammar of Rego, with OPA's precedence (lowest first): `in`, relations (== != < <= > >=),
 * `|`, `&`, `+ -`, `* / %`. Comprehensions win over `|` inside brackets, as in OPA.
 */
import type { CallTerm, Expr, Term, VarTerm } from './ast';
import { RegoError, type Location } from './errors';
import type { Token } from './lexer';
import { numberFromText } from './number';

const RELATIONS: Record<string, string> = { '==': 'equal', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };
const ARITH: Record<string, string> = { '+': 'plus', '-': 'minus' };
const FACTOR: Record<string, string> = { '*': 'mul', '/': 'div', '%': 'rem' };
const MAX_NESTING = 200;

export abstract class TermParser {
  protected pos = 0;
  protected depth = 0;
  private wildcards = 0;
  /** Newlines end expressions unless inside brackets: a stack of "newline is significant". */
  protected nlStack: boolean[] = [true];

  constructor(
    protected readonly tokens: Token[],
    protected readonly file: string,
  ) {}

  protected abstract parseBody(close: string): Expr[];

  // ---- token helpers ----
  protected get tok(): Token {
    return this.tokens[this.pos];
  }
  protected peek(n = 1): Token {
    return this.tokens[Math.min(this.pos + n, this.tokens.length - 1)];
  }
  protected next(): Token {
    const t = this.tokens[this.pos];
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  protected isOp(text: string, t: Token = this.tok): boolean {
    return t.type === 'op' && t.text === text;
  }
  protected isIdent(text: string, t: Token = this.tok): boolean {
    return t.type === 'ident' && t.text === text;
  }
  protected loc(t: Token = this.tok): Location {
    return { file: this.file, row: t.row, col: t.col };
  }
  protected fail(msg: string, t: Token = this.tok): never {
    throw new RegoError('rego_parse_error', msg, this.loc(t));
  }
  protected unexpected(t: Token = this.tok): never {
    if (t.type === 'eof') this.fail('unexpected eof token', t);
    return this.fail(`unexpected ${t.text} token`, t);
  }
  protected expectOp(text: string): Token {
    if (!this.isOp(text)) this.fail(`expected ${text} but got ${this.tok.type === 'eof' ? 'eof' : this.tok.text}`);
    return this.next();
  }
  /** An infix operator continues the current expression only on the same line (outside brackets). */
  protected continues(): boolean {
    return !this.tok.nl || !this.nlStack[this.nlStack.length - 1];
  }
  protected adjacent(): boolean {
    return this.tokens[this.pos - 1]?.end === this.tok.start;
  }
  protected enter(): void {
    if (++this.depth > MAX_NESTING) this.fail(`nesting deeper than ${MAX_NESTING} levels`);
  }
  protected inBrackets<T>(significant: boolean, f: () => T): T {
    this.nlStack.push(significant);
    try {
      return f();
    } finally {
      this.nlStack.pop();
    }
  }
  protected freshWildcard(loc: Location): VarTerm {
    return { type: 'var', name: `$${++this.wildcards}`, loc };
  }

  // ---- infix levels ----
  parseTermIn(keyVal: boolean): Term {
    this.enter();
    try {
      let lhs = this.parseRelation();
      for (;;) {
        if (keyVal && this.isOp(',') && this.continues()) {
          const save = this.pos;
          this.next();
          const mid = this.tryParse(() => this.parseRelation());
          if (mid && this.isIdent('in') && this.continues()) {
            this.next();
            const rhs = this.parseRelation();
            lhs = this.call('internal.member_3', [lhs, mid, rhs], lhs.loc);
            continue;
          }
          this.pos = save;
        }
        if (this.isIdent('in') && this.continues()) {
          this.next();
          const rhs = this.parseRelation();
          lhs = this.call('internal.member_2', [lhs, rhs], lhs.loc);
          continue;
        }
        return lhs;
      }
    } finally {
      this.depth--;
    }
  }

  private tryParse<T>(f: () => T): T | undefined {
    const save = this.pos;
    try {
      return f();
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      this.pos = save;
      return undefined;
    }
  }

  private binary(ops: Record<string, string>, sub: () => Term): Term {
    let lhs = sub();
    while (this.tok.type === 'op' && ops[this.tok.text] !== undefined && this.continues()) {
      const op = ops[this.next().text];
      lhs = this.call(op, [lhs, sub()], lhs.loc);
    }
    return lhs;
  }
  protected parseRelation(): Term {
    return this.binary(RELATIONS, () => this.binary({ '|': 'or' }, () => this.binary({ '&': 'and' }, () => this.binary(ARITH, () => this.binary(FACTOR, () => this.parseTerm())))));
  }

  protected call(op: string, args: Term[], loc: Location): CallTerm {
    return { type: 'call', op, args, loc };
  }

  // ---- primary terms and refs ----
  parseTerm(): Term {
    this.enter();
    try {
      return this.parseRefSuffix(this.parsePrimary());
    } finally {
      this.depth--;
    }
  }

  private parsePrimary(): Term {
    const t = this.tok;
    const loc = this.loc(t);
    switch (t.type) {
      case 'number':
        this.next();
        return { type: 'scalar', value: this.number(t.text, t), loc };
      case 'string':
      case 'rawstring':
        this.next();
        return { type: 'scalar', value: t.value!, loc };
      case 'ident':
        return this.parseIdentTerm();
      case 'op':
        if (t.text === '[') return this.parseArray();
        if (t.text === '{') return this.parseBrace();
        if (t.text === '(') {
          this.next();
          const inner = this.inBrackets(false, () => this.parseTermIn(true));
          this.expectOp(')');
          return inner;
        }
        if (t.text === '-' && this.peek().type === 'number' && this.peek().start === t.end) {
          this.next();
          const n = this.next();
          return { type: 'scalar', value: this.number(`-${n.text}`, n), loc };
        }
        return this.unexpected();
      default:
        return this.unexpected();
    }
  }

  private number(text: string, t: Token) {
    try {
      return numberFromText(text);
    } catch (e) {
      return this.fail(e instanceof Error ? e.message : String(e), t);
    }
  }

  private parseIdentTerm(): Term {
    const t = this.next();
    const loc = this.loc(t);
    if (t.text === 'true' || t.text === 'false') return { type: 'scalar', value: t.text === 'true', loc };
    if (t.text === 'null') return { type: 'scalar', value: null, loc };
    if (t.text === '_') return this.freshWildcard(loc);
    // A dotted name directly followed by `(` is a call.
    let end = this.pos;
    const parts = [t.text];
    while (this.isOp('.', this.tokens[end]) && this.tokens[end + 1]?.type === 'ident' && this.tokens[end - 1].end === this.tokens[end].start) {
      parts.push(this.tokens[end + 1].text);
      end += 2;
    }
    const paren = this.tokens[end];
    if (this.isOp('(', paren) && this.tokens[end - 1].end === paren.start) {
      this.pos = end + 1;
      const args = this.inBrackets(false, () => this.parseList(')'));
      const op = parts.join('.');
      if (op === 'set' && args.length === 0) return { type: 'set', items: [], loc };
      return this.call(op, args, loc);
    }
    return { type: 'var', name: t.text, loc };
  }

  protected parseRefSuffix(head: Term): Term {
    const path: Term[] = [];
    for (;;) {
      if (this.isOp('.') && this.adjacent()) {
        this.next();
        const id = this.tok;
        if (id.type !== 'ident') this.fail(`expected ident but got ${id.text || 'eof'}`);
        this.next();
        path.push({ type: 'scalar', value: id.text, loc: this.loc(id) });
      } else if (this.isOp('[') && this.adjacent()) {
        this.next();
        path.push(this.inBrackets(false, () => this.parseTermIn(false)));
        this.expectOp(']');
      } else break;
    }
    if (path.length === 0) return head;
    if (head.type === 'ref') return { type: 'ref', head: head.head, path: [...head.path, ...path], loc: head.loc };
    return { type: 'ref', head, path, loc: head.loc };
  }

  /** Comma-separated terms up to `close` (trailing comma allowed). */
  protected parseList(close: string): Term[] {
    const items: Term[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseTermIn(false));
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(close);
    return items;
  }

  private parseArray(): Term {
    const loc = this.loc();
    this.next();
    return this.inBrackets(false, () => {
      if (this.isOp(']')) {
        this.next();
        return { type: 'array', items: [], loc };
      }
      const save = this.pos;
      const head = this.tryParse(() => this.parseTerm());
      if (head && this.isOp('|')) {
        this.next();
        const body = this.inBrackets(true, () => this.parseBody(']'));
        return { type: 'arraycomp', term: head, body, loc };
      }
      this.pos = save;
      return { type: 'array', items: this.parseList(']'), loc };
    });
  }

  private parseBrace(): Term {
    const loc = this.loc();
    this.next();
    return this.inBrackets(false, () => {
      if (this.isOp('}')) {
        this.next();
        return { type: 'object', entries: [], loc };
      }
      const save = this.pos;
      const head = this.tryParse(() => this.parseTerm());
      if (head && this.isOp('|')) {
        this.next();
        return { type: 'setcomp', term: head, body: this.inBrackets(true, () => this.parseBody('}')), loc };
      }
      if (head && this.isOp(':')) {
        this.next();
        const value = this.tryParse(() => this.parseTerm());
        if (value && this.isOp('|')) {
          this.next();
          return { type: 'objectcomp', key: head, value, body: this.inBrackets(true, () => this.parseBody('}')), loc };
        }
      }
      this.pos = save;
      const first = this.parseTermIn(false);
      if (this.isOp(':')) return this.parseObjectRest(first, loc);
      const items = [first];
      if (this.isOp(',')) {
        this.next();
        items.push(...this.parseList('}'));
      } else this.expectOp('}');
      return { type: 'set', items, loc };
    });
  }

  private parseObjectRest(firstKey: Term, loc: Location): Term {
    const entries: [Term, Term][] = [];
    let key = firstKey;
    for (;;) {
      this.expectOp(':');
      entries.push([key, this.parseTermIn(false)]);
      if (this.isOp(',')) {
        this.next();
        if (this.isOp('}')) break;
        key = this.parseTermIn(false);
        continue;
      }
      break;
    }
    this.expectOp('}');
    return { type: 'object', entries, loc };
  }
}
