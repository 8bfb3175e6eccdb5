/**
 * Rego v1 modules, queries and bodies (OPA 1.x syntax). A v0 module is accepted when it imports
 * `rego.v1` or `future.keywords` (its syntax is then v1's); `regoVersion: 'v0'` reads the older
 * rule forms (`p { … }`, `p[x] { … }` as a partial set) for callers that ask for them.
 */
import type { Expr, Import, Module, Rule, Term, VarTerm, WithModifier } from './ast';
import { RegoError } from './errors';
import { tokenize } from './lexer';
import { TermParser } from './parser-terms';

export interface ParseOptions {
  regoVersion?: 'v0' | 'v1';
}

class Parser extends TermParser {
  private v0 = false;
  private moduleIndex = 0;

  constructor(
    private readonly src: string,
    file: string,
    options: ParseOptions = {},
  ) {
    super(tokenize(src, file), file);
    this.v0 = options.regoVersion === 'v0';
  }

  // ---- bodies ----
  protected parseBody(close: string): Expr[] {
    const body: Expr[] = [];
    while (!this.isOp(close)) {
      body.push(this.parseLiteral());
      if (this.isOp(';')) {
        this.next();
        continue;
      }
      if (this.isOp(close)) break;
      if (!this.tok.nl) this.unexpected();
    }
    this.expectOp(close);
    if (body.length === 0) this.fail('found empty body');
    return body;
  }

  private atEof(): boolean {
    return this.tok.type === 'eof';
  }

  parseQueryBody(): Expr[] {
    const body: Expr[] = [];
    while (this.tok.type !== 'eof') {
      const start = this.tok.start;
      const e = this.parseLiteral();
      e.text = this.src.slice(start, this.tokens[this.pos - 1].end);
      body.push(e);
      if (this.isOp(';')) {
        this.next();
        continue;
      }
      if (!this.atEof() && !this.tok.nl) this.unexpected();
    }
    if (body.length === 0) this.fail('empty query');
    return body;
  }

  parseLiteral(): Expr {
    const loc = this.loc();
    if (this.isIdent('some')) return this.parseSome();
    if (this.isIdent('every')) return this.parseEvery();
    let negated = false;
    if (this.isIdent('not')) {
      this.next();
      negated = true;
    }
    const lhs = this.parseTermIn(true);
    let term: Term = lhs;
    if ((this.isOp(':=') || this.isOp('=')) && this.continues()) {
      const op = this.next().text === ':=' ? 'assign' : 'eq';
      const rhs = this.parseTermIn(true);
      term = this.call(op, [lhs, rhs], lhs.loc);
    }
    return { kind: 'term', term, negated, withs: this.parseWiths(), loc };
  }

  private parseWiths(): WithModifier[] {
    const withs: WithModifier[] = [];
    while (this.isIdent('with')) {
      const loc = this.loc();
      this.next();
      const target = this.parseTerm();
      if (!this.isIdent('as')) this.fail(`expected as but got ${this.tok.text || 'eof'}`);
      this.next();
      const value = this.parseTermIn(false);
      withs.push({ target, value, loc });
    }
    return withs;
  }

  private parseSome(): Expr {
    const loc = this.loc();
    this.next();
    const first = this.parseTermIn(true);
    if (first.type === 'call' && first.op === 'internal.member_2') {
      return { kind: 'somein', value: first.args[0], domain: first.args[1], negated: false, withs: this.parseWiths(), loc };
    }
    if (first.type === 'call' && first.op === 'internal.member_3') {
      return { kind: 'somein', key: first.args[0], value: first.args[1], domain: first.args[2], negated: false, withs: this.parseWiths(), loc };
    }
    const vars: VarTerm[] = [];
    let t: Term = first;
    for (;;) {
      if (t.type !== 'var') this.fail('expected var', this.tokens[this.pos - 1]);
      vars.push(t);
      if (!this.isOp(',')) break;
      this.next();
      t = this.parseTerm();
    }
    return { kind: 'some', vars, negated: false, withs: [], loc };
  }

  private parseEvery(): Expr {
    const loc = this.loc();
    this.next();
    const t = this.parseTermIn(true);
    if (t.type !== 'call' || (t.op !== 'internal.member_2' && t.op !== 'internal.member_3')) this.fail('expected `x[, y] in xs { ... }` expression');
    const withKey = t.op === 'internal.member_3';
    const key = withKey ? t.args[0] : undefined;
    const value = withKey ? t.args[1] : t.args[0];
    const domain = withKey ? t.args[2] : t.args[1];
    if (key && key.type !== 'var') this.fail('expected key to be a variable');
    if (value.type !== 'var') this.fail('expected value to be a variable');
    if (!this.isOp('{')) this.fail('missing body');
    this.next();
    const body = this.inBrackets(true, () => this.parseBody('}'));
    return { kind: 'every', key: key as VarTerm | undefined, value, domain, body, negated: false, withs: this.parseWiths(), loc };
  }

  // ---- modules ----
  parseModule(index: number): Module {
    this.moduleIndex = index;
    const loc = this.loc();
    if (!this.isIdent('package')) this.fail('package expected');
    this.next();
    const pkg = this.refStrings(this.parseTerm(), 'package');
    const imports: Import[] = [];
    while (this.isIdent('import')) imports.push(this.parseImport());
    const rules: Rule[] = [];
    while (this.tok.type !== 'eof') {
      if (this.isIdent('import')) this.fail('imports must appear before rules');
      rules.push(...this.parseRule());
    }
    return { file: this.file, pkg, imports, rules, loc };
  }

  private refStrings(t: Term, what: string): string[] {
    if (t.type === 'var') return [t.name];
    if (t.type !== 'ref' || t.head.type !== 'var') this.fail(`invalid ${what} path`);
    const parts = [(t as { head: VarTerm }).head.name];
    for (const p of (t as { path: Term[] }).path) {
      if (p.type !== 'scalar' || typeof p.value !== 'string') this.fail(`invalid ${what} path`);
      parts.push(p.value as string);
    }
    return parts;
  }

  private parseImport(): Import {
    const loc = this.loc();
    this.next();
    const path = this.parseTerm();
    const parts = path.type === 'var' ? [path.name] : path.type === 'ref' ? this.refStrings(path, 'import') : [];
    if (!['data', 'input', 'future', 'rego'].includes(parts[0] ?? '')) this.fail('invalid import path, must begin with input or data', this.tokens[this.pos - 1]);
    if (parts[0] === 'rego' && parts.join('.') !== 'rego.v1') this.fail(`invalid import ${parts.join('.')}`);
    if (parts[0] === 'future' && parts[1] !== 'keywords') this.fail(`invalid import ${parts.join('.')}`);
    let alias: string | undefined;
    if (this.isIdent('as')) {
      this.next();
      const a = this.next();
      if (a.type !== 'ident') this.fail('expected var after as', a);
      alias = a.text;
    }
    if (parts[0] === 'future' || parts[0] === 'rego') this.v0 = false;
    return { path, alias, loc };
  }

  private parseRule(): Rule[] {
    const loc = this.loc();
    let isDefault = false;
    if (this.isIdent('default')) {
      this.next();
      isDefault = true;
    }
    const headTok = this.tok;
    if (headTok.type !== 'ident') this.unexpected();
    let head = this.parseTerm();
    if (head.type === 'ref' && this.isOp('(') && this.adjacent()) {
      this.next();
      const callArgs = this.inBrackets(false, () => this.parseList(')'));
      const name = refNameParts(head);
      if (!name) this.fail('function names must be references of strings', headTok);
      head = this.call(name!.join('.'), callArgs, head.loc);
    }
    let ref: Term[];
    let args: Term[] | undefined;
    if (head.type === 'call') {
      ref = head.op.split('.').map((s) => ({ type: 'scalar', value: s, loc: head.loc }) as Term);
      args = head.args;
    } else if (head.type === 'var') ref = [{ type: 'scalar', value: head.name, loc: head.loc }];
    else if (head.type === 'ref' && head.head.type === 'var') ref = [{ type: 'scalar', value: head.head.name, loc: head.loc }, ...head.path];
    else return this.fail('expected rule head', headTok);
    const name = ref[0].type === 'scalar' ? String(ref[0].value) : '';
    if (['input', 'data'].includes(name) && ref.length === 1) this.fail(`rule name conflicts with built-in root document '${name}'`, headTok);

    const rule: Rule = { ref, kind: args ? 'function' : 'complete', args, value: { type: 'scalar', value: true, loc }, body: [], isDefault, elses: [], loc, module: this.moduleIndex };
    let explicitValue = false;
    if (this.isIdent('contains') && !args) {
      this.next();
      rule.kind = 'multi';
      rule.value = this.parseTermIn(false);
      explicitValue = true;
    } else if (this.isOp(':=') || this.isOp('=')) {
      this.next();
      rule.value = this.parseTermIn(false);
      explicitValue = true;
    } else if (this.v0 && !args && ref.length === 2 && !isDefault && !this.isConstKey(ref[1])) {
      // v0: `p[x] { … }` is a partial set.
      rule.kind = 'multi';
      rule.value = ref[1];
      rule.ref = [ref[0]];
    }
    if (isDefault) {
      if (!explicitValue) this.fail('default rules must have a value');
      if (this.isIdent('if') || this.isOp('{')) this.fail('default rules must not have a body');
      return [rule];
    }
    rule.body = this.parseRuleBody(rule) ?? this.trueBody(loc);
    let prev = rule;
    while (this.isIdent('else')) {
      if (rule.kind !== 'complete' && rule.kind !== 'function') this.fail('else keyword cannot be used on multi-value rules');
      const eloc = this.loc();
      this.next();
      let value: Term = { type: 'scalar', value: true, loc: eloc };
      if (this.isOp(':=') || this.isOp('=')) {
        this.next();
        value = this.parseTermIn(false);
      }
      const e: Rule = { ...rule, value, body: [], elses: [], loc: eloc };
      e.body = this.parseRuleBody(e) ?? this.trueBody(eloc);
      rule.elses.push(e);
      prev = e;
    }
    void prev;
    return [rule];
  }

  private isConstKey(t: Term): boolean {
    return t.type === 'scalar';
  }

  private trueBody(loc: Rule['loc']): Expr[] {
    return [{ kind: 'term', term: { type: 'scalar', value: true, loc }, negated: false, withs: [], loc }];
  }

  private parseRuleBody(rule: Rule): Expr[] | undefined {
    if (this.isIdent('if')) {
      this.next();
      if (this.isOp('{')) {
        const save = this.pos;
        try {
          this.next();
          return this.inBrackets(true, () => this.parseBody('}'));
        } catch (e) {
          // `if {x: i | …}`: braces that open a term, not a body.
          if (!(e instanceof RegoError)) throw e;
          this.pos = save;
          try {
            return [this.parseLiteral()];
          } catch {
            throw e;
          }
        }
      }
      return [this.parseLiteral()];
    }
    if (this.isOp('{') && !this.tok.nl) {
      if (!this.v0) this.fail('`if` keyword is required before rule body');
      this.next();
      return this.inBrackets(true, () => this.parseBody('}'));
    }
    void rule;
    return undefined;
  }
}

function refNameParts(t: Term): string[] | undefined {
  if (t.type !== 'ref' || t.head.type !== 'var') return undefined;
  const parts = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'scalar' || typeof p.value !== 'string') return undefined;
    parts.push(p.value);
  }
  return parts;
}

export function parseModule(src: string, file: string, index = 0, options: ParseOptions = {}): Module {
  return new Parser(src, file, options).parseModule(index);
}

export function parseQuery(src: string, file = 'query'): Expr[] {
  return new Parser(src, file).parseQueryBody();
}

/** A single term, e.g. the `input_term` of a conformance case. */
export function parseTermText(src: string, file = 'term'): Term {
  const p = new Parser(src, file);
  const body = p.parseQueryBody();
  const e = body[0];
  if (body.length !== 1 || e.kind !== 'term' || e.negated || e.withs.length > 0) {
    throw new RegoError('rego_parse_error', 'expected a single term', { file, row: 1, col: 1 });
  }
  return e.term;
}
