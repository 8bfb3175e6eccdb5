import { describe, expect, it } from 'vitest';
import { RegoPolicy, type QueryResult } from './rego';

function compile(source: string, data: unknown = {}) {
  const p = RegoPolicy.compile([{ path: 'policy.rego', source }], data);
  if (!p.ok) throw new Error(p.message);
  return p.value;
}

function evalQuery(source: string, query: string, input?: unknown, data: unknown = {}): QueryResult[] {
  const q = compile(source, data).prepare(query);
  if (!q.ok) throw new Error(q.message);
  const r = q.value.evaluate(input);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function value(source: string, query: string, input?: unknown): unknown {
  const r = evalQuery(source, query, input);
  return r.length === 0 ? undefined : r[0].expressions[0].value;
}

describe('RegoPolicy', () => {
  it('returns OPA result shape with expressions and bindings', () => {
    const r = evalQuery('package t\np := 1', 'x := data.t.p; x > 0');
    expect(r).toEqual([
      {
        expressions: [
          { value: true, text: 'x := data.t.p', location: { row: 1, col: 1 } },
          { value: true, text: 'x > 0', location: { row: 1, col: 16 } },
        ],
        bindings: { x: 1 },
      },
    ]);
  });

  it('evaluates a prepared query many times with different input', () => {
    const q = compile('package t\nallow if input.user == "alice"').prepare('data.t.allow');
    if (!q.ok) throw new Error(q.message);
    expect(q.value.evaluate({ user: 'alice' })).toMatchObject({ ok: true, value: [{ expressions: [{ value: true }] }] });
    expect(q.value.evaluate({ user: 'bob' })).toEqual({ ok: true, value: [] });
  });

  it('distinguishes undefined from false, and applies default', () => {
    const src = 'package t\ndefault d := false\nd if input.x\nu if input.x';
    expect(value(src, 'data.t.d', { x: false })).toBe(false);
    expect(value(src, 'data.t.u', {})).toBeUndefined();
  });

  it('builds partial sets and objects, functions with else, every, comprehensions', () => {
    const src = `package t
s contains x if { some x in input.xs; x > 1 }
o[k] := v if some k, v in input.m
f(x) := "big" if x > 10
else := "small"
all_pos if every x in input.xs { x > 0 }
sq := [y | some x in input.xs; y := x * x]
`;
    const input = { xs: [1, 2, 3], m: { a: 1 } };
    expect(value(src, 'data.t.s', input)).toEqual([2, 3]);
    expect(value(src, 'data.t.o', input)).toEqual({ a: 1 });
    expect(evalQuery(src, 'x := data.t.f(11)', input)[0].bindings.x).toBe('big');
    expect(evalQuery(src, 'x := data.t.f(1)', input)[0].bindings.x).toBe('small');
    expect(value(src, 'data.t.all_pos', input)).toBe(true);
    expect(value(src, 'data.t.sq', input)).toEqual([1, 4, 9]);
  });

  it('keeps OPA number semantics: big integers and decimals without float drift', () => {
    expect(value('package t', '0.1 + 0.2 == 0.3')).toBe(true);
    const r = evalQuery('package t', 'x := 28857836529306024611913 + 1');
    expect(r[0].bindings.x).toBeCloseTo(2.8857836529306024e22);
    expect(evalQuery('package t', 'x := sprintf("%d", [123456789123456789123 * 10])')[0].bindings.x).toBe('1234567891234567891230');
    expect(evalQuery('package t', 'x := 7 / 2')[0].bindings.x).toBe(3.5);
  });

  it('mocks input, data and functions with `with`', () => {
    const src = 'package t\nf(x) := x + 1\np := f(1)\nq := data.cfg.n\nr := input.a';
    expect(value(src, 'data.t.p with data.t.f as 10')).toBe(10);
    expect(value(src, 'data.t.q with data.cfg.n as 7')).toBe(7);
    expect(value(src, 'data.t.r with input.a as 3')).toBe(3);
  });

  it('reports parse errors with file, line and column', () => {
    const p = RegoPolicy.compile([{ path: 'policy.rego', source: 'package t\n\np if {\n  x := \n}' }]);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.message).toMatch(/policy\.rego:5:1: rego_parse_error: unexpected \} token/);
  });

  it('rejects unsafe variables, recursion and undefined functions before evaluation', () => {
    const cases: [string, RegExp][] = [
      ['package t\np if { x > 1 }', /rego_unsafe_var_error: var x is unsafe/],
      ['package t\np if q\nq if p', /rego_recursion_error: rule data\.t\.(p|q) is recursive/],
      ['package t\np := foo.bar(1)', /rego_type_error: undefined function foo\.bar/],
      ['package t\np := count(1, 2, 3)', /rego_type_error: function count has arity 1/],
    ];
    for (const [src, re] of cases) {
      const p = RegoPolicy.compile([{ path: 'p.rego', source: src }]);
      expect(p.ok, src).toBe(false);
      if (!p.ok) expect(p.message).toMatch(re);
    }
  });

  it('reports conflicts at evaluation as values', () => {
    const q = compile('package t\np := 1\np := 2 if true').prepare('data.t.p');
    if (!q.ok) throw new Error(q.message);
    const r = q.value.evaluate();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].code).toBe('eval_conflict_error');
  });

  it('ends runaway policies with a budget error instead of hanging', () => {
    const q = compile('package t\np := count([x | some x in numbers.range(1, 900000); y := numbers.range(1, 10)[_]; y > x])').prepare('data.t.p');
    if (!q.ok) throw new Error(q.message);
    const r = q.value.evaluate(undefined, { maxSteps: 100_000 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].code).toBe('eval_cancel_error');
    const t = q.value.evaluate(undefined, { timeoutMs: 1 });
    expect(t.ok).toBe(false);
  });

  it('refuses hostile depth without crashing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    const q = compile('package t\np := input').prepare('data.t.p');
    if (!q.ok) throw new Error(q.message);
    expect(q.value.evaluate(deep).ok).toBe(false);
    const nested = `package t\np := ${'['.repeat(1000)}1${']'.repeat(1000)}`;
    expect(RegoPolicy.compile([{ path: 'p.rego', source: nested }]).ok).toBe(false);
  });

  it('bounds big results of builtins', () => {
    const q = compile('package t\np := count(numbers.range(1, 100000000))').prepare('data.t.p');
    if (!q.ok) throw new Error(q.message);
    const r = q.value.evaluate(undefined, { strictBuiltinErrors: true });
    expect(r.ok).toBe(false);
  });

  it('rejects what RE2 rejects and never backtracks exponentially', () => {
    expect(evalQuery('package t', 'x := regex.is_valid("(a)\\\\1")')[0].bindings.x).toBe(false);
    const start = Date.now();
    expect(evalQuery('package t', `x := regex.match("^(a+)+$", "${'a'.repeat(40)}b")`)[0].bindings.x).toBe(false);
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it('sends print output to the sink the caller gives', () => {
    const q = compile('package t\np if { print("hello", input.x, input.missing) }').prepare('data.t.p');
    if (!q.ok) throw new Error(q.message);
    const lines: string[] = [];
    q.value.evaluate({ x: [1] }, { print: (l) => lines.push(l) });
    expect(lines).toEqual(['hello [1] <undefined>']);
  });

  it('fixes time.now_ns for the whole query', () => {
    const r = evalQuery('package t', 'a := time.now_ns(); b := time.now_ns()');
    expect(r[0].bindings.a).toBe(r[0].bindings.b);
  });

  it('names missing builtins in the error', () => {
    const p = RegoPolicy.compile([{ path: 'p.rego', source: 'package t\np := nope.fn(1)' }]);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.message).toContain('undefined function nope.fn');
  });
});
