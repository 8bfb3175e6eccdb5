import { describe, expect, it } from 'vitest';
import { RegoPolicy } from '../rego';

/** Value of `x` after evaluating `x := <expr>` (undefined when the expression is undefined). */
function calc(expr: string, strict = false): unknown {
  const p = RegoPolicy.compile([{ path: 'p.rego', source: 'package t' }]);
  if (!p.ok) throw new Error(p.message);
  const q = p.value.prepare(`x := ${expr}`);
  if (!q.ok) throw new Error(q.message);
  const r = q.value.evaluate(undefined, { strictBuiltinErrors: strict, nowNs: 1_700_000_000_123_456_789n });
  if (!r.ok) throw new Error(r.message);
  return r.value[0]?.bindings.x;
}

const CASES: [string, unknown][] = [
  ['sprintf("%s has %d items (%.2f%%) %v", ["cart", 3, 12.5, {"a": [1, "b"]}])', 'cart has 3 items (12.50%) {"a": [1, "b"]}'],
  ['sprintf("%05d|%-4s|%x|%q|%t", [42, "ab", 255, "q", true])', '00042|ab  |ff|"q"|true'],
  ['format_int(255, 16)', 'ff'],
  ['substring("héllo", 1, 3)', 'éll'],
  ['indexof("héllo", "l")', 2],
  ['trim_space("  x \\t")', 'x'],
  ['strings.replace_n({"a": "1", "b": "2"}, "abc")', '12c'],
  ['split("a,b,,c", ",")', ['a', 'b', '', 'c']],
  ['concat("-", {"b", "a"})', 'a-b'],
  ['to_number("-1.5e2")', -150],
  ['round(-2.5)', -3],
  ['ceil(1.2)', 2],
  ['floor(-1.2)', -2],
  ['numbers.range(3, 1)', [3, 2, 1]],
  ['sum([1, 2.5])', 3.5],
  ['max({3, 1, 2})', 3],
  ['sort(["b", "a"])', ['a', 'b']],
  ['array.slice([1, 2, 3, 4], 1, 10)', [2, 3, 4]],
  ['object.union({"a": {"b": 1}}, {"a": {"c": 2}})', { a: { b: 1, c: 2 } }],
  ['object.remove({"a": 1, "b": 2}, ["a"])', { b: 2 }],
  ['object.get({"a": {"b": 1}}, ["a", "b"], 0)', 1],
  ['object.subset({"a": {"b": 1, "c": 2}}, {"a": {"b": 1}})', true],
  ['json.patch({"a": 1}, [{"op": "add", "path": "/b", "value": 2}, {"op": "remove", "path": "/a"}])', { b: 2 }],
  ['json.filter({"a": {"b": 1, "c": 2}, "d": 3}, ["a/b"])', { a: { b: 1 } }],
  ['json.remove({"a": {"b": 1, "c": 2}}, ["a/b"])', { a: { c: 2 } }],
  ['json.marshal({"b": [1, {2}], "a": null})', '{"a":null,"b":[1,[2]]}'],
  ['json.unmarshal("{\\"n\\": 12345678901234567890123}").n', 1.2345678901234568e22],
  ['yaml.unmarshal("a: [1, x]")', { a: [1, 'x'] }],
  ['base64.decode(base64.encode("héllo"))', 'héllo'],
  ['base64url.encode_no_pad("??>")', 'Pz8-'],
  ['hex.encode("ab")', '6162'],
  ['urlquery.encode_object({"q": "a b", "x": ["1", "2"]})', 'q=a+b&x=1&x=2'],
  ['regex.find_all_string_submatch_n("a(\\\\d)", "a1 a2", -1)', [['a1', '1'], ['a2', '2']]],
  ['regex.split("[,;]", "a,b;c")', ['a', 'b', 'c']],
  ['regex.replace("abc", "b+", "X")', 'aXc'],
  ['regex.template_match("urn:foo:{.*}", "urn:foo:bar", "{", "}")', true],
  ['regex.globs_match("a.a.[0-9]+z", ".b.b2359825792*594823z")', true],
  ['regex.globs_match("a+", "b+")', false],
  ['glob.match("*.example.com", ["."], "api.example.com")', true],
  ['glob.match("*.example.com", ["."], "a.b.example.com")', false],
  ['glob.match("**.example.com", ["."], "a.b.example.com")', true],
  ['glob.match("{api,www}.example.com", [], "www.example.com")', true],
  ['time.parse_rfc3339_ns("2026-11-21T10:00:00.5+01:00")', 1795251600500000000],
  ['time.format([0, "UTC", "Mon Jan _2 15:04:05 2006"])', 'Thu Jan  1 00:00:00 1970'],
  ['time.date(time.parse_ns("2006-01-02", "2024-02-29"))', [2024, 2, 29]],
  ['time.add_date(time.parse_ns("2006-01-02", "2024-01-31"), 0, 1, 0) == time.parse_ns("2006-01-02", "2024-03-02")', true],
  ['time.diff(time.parse_ns("2006-01-02", "2020-01-15"), time.parse_ns("2006-01-02", "2024-03-01"))', [4, 1, 17, 0, 0, 0]],
  ['time.parse_duration_ns("1h30m1.5s")', 5401500000000],
  ['time.weekday(0)', 'Thursday'],
  ['time.clock([0, "America/New_York"])', [19, 0, 0]],
  ['time.now_ns()', 1700000000123456800],
  ['semver.compare("1.2.3-alpha", "1.2.3")', -1],
  ['semver.is_valid("v1.2.3")', false],
  ['units.parse("1.5Ki")', 1536],
  ['units.parse("250m")', 0.25],
  ['units.parse_bytes("2GB")', 2000000000],
  ['net.cidr_contains("10.0.0.0/8", "10.1.2.3")', true],
  ['net.cidr_contains("2001:db8::/32", "2001:db8:1::/48")', true],
  ['net.cidr_intersects("10.0.0.0/24", "10.0.0.128/25")', true],
  ['net.cidr_merge(["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"])', ['10.0.0.0/23']],
  ['net.cidr_expand("192.168.0.0/31")', ['192.168.0.0', '192.168.0.1']],
  ['crypto.sha256("abc")', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['crypto.hmac.sha256("msg", "key")', '2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628'],
  ['[p | walk({"a": [1]}, [p, _])]', [[], ['a'], ['a', 0]]],
  ['graph.reachable({"a": ["b"], "b": ["c"], "c": [], "d": ["a"]}, ["a"])', ['a', 'b', 'c']],
  ['type_name(set())', 'set'],
  ['is_number("1")', false],
  ['count("héllo")', 5],
];

describe('builtins', () => {
  it.each(CASES)('%s', (expr, want) => {
    expect(calc(expr)).toEqual(want);
  });

  it('raises type errors in strict mode with OPA messages and is undefined otherwise', () => {
    expect(calc('count([1][0])')).toBeUndefined();
    expect(() => calc('count([1][0])', true)).toThrow(/eval_type_error: count: operand 1 must be one of \{array, object, set, string\} but got number/);
    expect(() => calc('count(1)')).toThrow(/rego_type_error: count: invalid argument\(s\): operand 1 must be one of/);
    expect(() => calc('1 / 0', true)).toThrow(/divide by zero/);
  });

  it('fails closed on builtins gitseal refuses', () => {
    expect(() => calc('http.send({"method": "get", "url": "http://x"})')).toThrow(/network access from policies is disabled/);
  });

  it('bounds builtins that could exhaust memory', () => {
    expect(() => calc('numbers.range(1, 10000000)', true)).toThrow(/exceeds the limit/);
    expect(() => calc('net.cidr_expand("10.0.0.0/8")', true)).toThrow(/more than 65536 addresses/);
  });
});
