import { describe, expect, it } from 'vitest';
import { RegoPolicy, type EvalOptions } from '../rego';

function prepare(source: string, query: string) {
  const p = RegoPolicy.compile([{ path: 'p.rego', source }]);
  if (!p.ok) throw new Error(p.message);
  const q = p.value.prepare(query);
  if (!q.ok) throw new Error(q.message);
  return q.value;
}

function value(source: string, query: string, input?: unknown, options?: EvalOptions): unknown {
  const r = prepare(source, query).evaluate(input, options);
  if (!r.ok) throw new Error(r.message);
  return r.value.length === 0 ? undefined : r.value[0].expressions[0].value;
}

describe('compiled rule bodies', () => {
  it('keeps undefined apart from false on direct paths', () => {
    const src = 'package t\np if input.x\nn if not input.x\nv := input.x\nc := count(input.xs)';
    expect(value(src, 'data.t.p', { x: false })).toBeUndefined();
    expect(value(src, 'data.t.n', { x: false })).toBe(true);
    expect(value(src, 'data.t.n', {})).toBe(true);
    expect(value(src, 'data.t.n', { x: 0 })).toBeUndefined();
    expect(value(src, 'data.t.v', { x: false })).toBe(false);
    expect(value(src, 'data.t.v', {})).toBeUndefined();
    expect(value(src, 'data.t.c', { xs: 'abc' })).toBe(3);
    expect(value(src, 'data.t.c', { xs: 5 })).toBeUndefined();
  });

  it('destructures arrays and objects in some … in, := and function arguments', () => {
    const src = `package t
pairs contains [k, n] if some [k, n] in input.ps
firsts contains a if some [a, _, _] in input.ps
f([a, b]) := a + b
g({"x": x}) := x
sum := f(input.ps[0])
short := f([1])
gx := g({"x": 5})
only_a contains v if some "a", v in {"a": 1, "b": 2}
`;
    const input = { ps: [['a', 1], ['b', 2], ['c', 3, 4]] };
    expect(value(src, 'data.t.pairs', input)).toEqual([['a', 1], ['b', 2]]);
    expect(value(src, 'data.t.firsts', input)).toEqual(['c']);
    expect(value(src, 'data.t.sum', { ps: [[1, 2]] })).toBe(3);
    expect(value(src, 'data.t.short', input)).toBeUndefined();
    expect(value(src, 'data.t.gx', input)).toBe(5);
    expect(value(src, 'data.t.only_a', input)).toEqual([1]);
  });

  it('re-evaluates comprehensions inside loops with their variables unbound again', () => {
    const src = 'package t\nr contains [i, n] if { some i, xs in input.lists; n := count([x | some x in xs; x > 1]) }';
    expect(value(src, 'data.t.r', { lists: [[1, 2, 3], [5], []] })).toEqual([
      [0, 2],
      [1, 1],
      [2, 0],
    ]);
  });

  it('dedupes composite set members whatever their key order, and tells deep differences apart', () => {
    const src = `package t
s contains {"a": 1, "b": [1, {"c": 2}]} if true
s contains {"b": [1, {"c": 2}], "a": 1} if true
deep contains {"a": {"b": {"c": {"d": {"e": i}}}}} if some i in numbers.range(1, 60)
deep contains {"a": {"b": {"c": {"d": {"e": 7}}}}} if true
has7 if {"a": {"b": {"c": {"d": {"e": 7}}}}} in deep
has99 if {"a": {"b": {"c": {"d": {"e": 99}}}}} in deep
`;
    expect(value(src, 'x := count(data.t.s)')).toBe(true);
    expect(prepare(src, 'x := count(data.t.s); y := count(data.t.deep)').evaluate()).toMatchObject({ ok: true, value: [{ bindings: { x: 1, y: 60 } }] });
    expect(value(src, 'data.t.has7')).toBe(true);
    expect(value(src, 'data.t.has99')).toBeUndefined();
  });

  it('keeps OPA order wherever it can be seen: arrays, queries, print, first solutions', () => {
    const src = `package t
s := {"b", "a", "c"}
objs contains {"k": x} if some x in s
arr := [x | some x in s]
keys := [k | some k, _ in {"z": 1, "y": 2}]
r contains x if { some x in s; print(x) }
f(x) := true if x == 1
f(x) := 1 if x == 2
f(x) := 2 if x == 2
first if { some x in {2, 1}; f(x) }
`;
    expect(value(src, 'data.t.arr')).toEqual(['a', 'b', 'c']);
    expect(value(src, 'data.t.keys')).toEqual(['y', 'z']);
    expect(value(src, '[o | some o in data.t.objs]')).toEqual([{ k: 'a' }, { k: 'b' }, { k: 'c' }]);
    const lines: string[] = [];
    value(src, 'data.t.r', undefined, { print: (l) => lines.push(l) });
    expect(lines).toEqual(['a', 'b', 'c']);
    expect(value(src, 'data.t.first')).toBe(true);
    const q = prepare(src, 'x := data.t.s[_]').evaluate();
    expect(q.ok && q.value.map((r) => r.bindings.x)).toEqual(['a', 'b', 'c']);
  });

  it('keeps OPA order under a mock that traces', () => {
    const src = 'package t\nf(_) := true\ns := {"b", "a", "c"}\nr contains x if { some x in s; f(x) }';
    const lines: string[] = [];
    value(src, 'data.t.r with data.t.f as trace', undefined, { print: (l) => lines.push(l) });
    expect(lines).toEqual(['trace: a', 'trace: b', 'trace: c']);
  });

  it('produces the same sets and objects when it iterates in any order', () => {
    const src = `package t
ws contains {"name": m.name, "spec": m.spec} if some m in input.ms
cs contains [w.name, c] if { some w in ws; some c in w.spec.cs }
by_name[w.name] := count(w.spec.cs) if some w in ws
one := x if { some w in ws; x := count(ws) }
clash := w.name if some w in ws
`;
    const input = { ms: [{ name: 'b', spec: { cs: [1, 2] } }, { name: 'a', spec: { cs: [3] } }] };
    expect(value(src, 'data.t.cs', input)).toEqual([['a', 3], ['b', 1], ['b', 2]]);
    expect(value(src, 'data.t.by_name', input)).toEqual({ a: 1, b: 2 });
    expect(value(src, 'data.t.one', input)).toBe(2);
    const clash = prepare(src, 'data.t.clash').evaluate(input);
    expect(!clash.ok && clash.errors[0].code).toBe('eval_conflict_error');
  });

  it('recomputes memoised rules under with, and restores them after', () => {
    const src = 'package t\np := input.x\nq := p + 1\nr := data.cfg.n * 2';
    expect(prepare(src, 'a := data.t.q; b := data.t.q with input.x as 5; c := data.t.q').evaluate({ x: 1 })).toMatchObject({
      ok: true,
      value: [{ bindings: { a: 2, b: 6, c: 2 } }],
    });
    expect(value(src, 'data.t.q with data.t.p as 10', { x: 1 })).toBe(11);
    expect(value(src, 'data.t.r with data.cfg.n as 4')).toBe(8);
  });

  it('stops runaway compiled loops with the step and time budgets', () => {
    const src = `package t
s := {x | some x in numbers.range(1, 3000); some y in numbers.range(1, 3000); x == y}
r contains x if { some x in input.xs; some y in input.xs; x < y }
`;
    const steps = prepare(src, 'data.t.s').evaluate(undefined, { maxSteps: 100_000 });
    expect(!steps.ok && steps.errors[0].code).toBe('eval_cancel_error');
    const xs = Array.from({ length: 3000 }, (_, i) => i);
    const time = prepare(src, 'data.t.r').evaluate({ xs }, { timeoutMs: 1 });
    expect(!time.ok && time.errors[0].code).toBe('eval_cancel_error');
  });

  it('remembers function results within an evaluation, never across with, prints or evaluations', () => {
    const src = `package t
f(x) := x + input.n
g(x, y) := [x, y, input.n]
pair := [f(1), f(1), g("a", {"k": 1}), g("a", {"k": 1})]
p(x) := x if print(x)
printed := [p(1), p(1)]
`;
    expect(value(src, 'data.t.pair', { n: 1 })).toEqual([2, 2, ['a', { k: 1 }, 1], ['a', { k: 1 }, 1]]);
    expect(prepare(src, 'a := data.t.f(1); b := data.t.f(1) with input.n as 10; c := data.t.f(1)').evaluate({ n: 1 })).toMatchObject({
      ok: true,
      value: [{ bindings: { a: 2, b: 11, c: 2 } }],
    });
    expect(value(src, 'data.t.pair', { n: 5 })).toEqual([6, 6, ['a', { k: 1 }, 5], ['a', { k: 1 }, 5]]);
    const lines: string[] = [];
    expect(value(src, 'data.t.printed', { n: 0 }, { print: (l) => lines.push(l) })).toEqual([1, 1]);
    expect(lines).toEqual(['1', '1']);
  });

  it('reports a conflicting function on every call', () => {
    const src = 'package t\nf(x) := 1 if x\nf(x) := 2 if x\na := f(true)\nb := f(true)';
    for (const q of ['data.t.a', 'data.t.b', 'x := data.t.a; y := data.t.b']) {
      const r = prepare(src, q).evaluate();
      expect(!r.ok && r.errors[0].code, q).toBe('eval_conflict_error');
    }
  });
});
