import { describe, expect, it } from 'vitest';
import { RegoError } from './errors';
import { parseModule, parseQuery } from './parser';

function parseError(src: string): string {
  try {
    parseModule(src, 'policy.rego');
  } catch (e) {
    if (e instanceof RegoError) return e.message;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('Rego parser', () => {
  it('reads v1 rule forms', () => {
    const m = parseModule(
      `package a.b
import rego.v1
import data.lib.util as u

default allow := false
allow if input.ok
deny contains msg if { msg := "x" }
p.q[r].s := 1 if r := "k"
f(x) := y if { y := x + 1 } else := 0
obj[k] := v if some k, v in input.m
raw := \`a\\b\`
`,
      'p.rego',
    );
    expect(m.pkg).toEqual(['a', 'b']);
    expect(m.imports).toHaveLength(2);
    const kinds = m.rules.map((r) => `${r.kind}${r.isDefault ? '/default' : ''}`);
    expect(kinds).toEqual(['complete/default', 'complete', 'multi', 'complete', 'function', 'complete', 'complete']);
    expect(m.rules[4].elses).toHaveLength(1);
    expect(m.rules[6].value).toMatchObject({ type: 'scalar', value: 'a\\b' });
  });

  it('gives precedence as OPA: arithmetic over set operators over comparisons over in', () => {
    const [e] = parseQuery('1 + 2 * 3 == 7');
    expect(e.kind === 'term' && e.term.type === 'call' && e.term.op).toBe('equal');
    const [m] = parseQuery('x, y in z');
    expect(m.kind === 'term' && m.term.type === 'call' && m.term.op).toBe('internal.member_3');
    const [c] = parseQuery('[x | x := 1]');
    expect(c.kind === 'term' && c.term.type).toBe('arraycomp');
  });

  it('separates expressions by newlines and semicolons, not inside brackets', () => {
    expect(parseQuery('x := [1,\n 2]\ny := 3; z := 4')).toHaveLength(3);
  });

  it('reports errors with file, line and column', () => {
    expect(parseError('package p\n\np if {\n  x := \n}')).toBe('policy.rego:5:1: rego_parse_error: unexpected } token');
    expect(parseError('package p\np {\n  true\n}')).toMatch(/policy\.rego:2:3: rego_parse_error: `if` keyword is required before rule body/);
    expect(parseError('package p\np := "unterminated\n')).toMatch(/policy\.rego:2:6: rego_parse_error: non-terminated string/);
    expect(parseError('p := 1')).toMatch(/package expected/);
  });

  it('accepts v0 rule bodies only when asked', () => {
    expect(parseModule('package p\np[x] { x := 1 }', 'v0.rego', 0, { regoVersion: 'v0' }).rules[0].kind).toBe('multi');
  });

  it('refuses hostile nesting with an error, not a crash', () => {
    expect(parseError(`package p\nx := ${'['.repeat(5000)}`)).toMatch(/nesting deeper than/);
  });
});
