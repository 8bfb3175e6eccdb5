import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectDecision } from './policy-engine';
import { RegoPolicyEngine, decisionOf } from './rego-policy-engine';
import { RegoPolicy } from './rego/rego';
import { toJS } from './rego/value-json';

let dir: string;

function write(rel: string, text: string): void {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
}

function load() {
  const r = RegoPolicyEngine.load(dir);
  if (!r.ok) throw new Error(r.error.message);
  return r.engine;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gitseal-rego-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const IMAGES = `package gitseal.images

deny contains msg if {
  some m in input.manifests
  some c in m.object.spec.containers
  not startswith(c.image, data.registries.allowed)
  msg := sprintf("%s: image %s is not from the allowed registry", [m.path, c.image])
}

warn contains {"msg": "latest tag", "path": m.path} if {
  some m in input.manifests
  some c in m.object.spec.containers
  endswith(c.image, ":latest")
}
`;

const input = (image: string) => ({ manifests: [{ path: 'deploy/app.yaml', object: { spec: { containers: [{ image }] } } }] });

describe('RegoPolicyEngine', () => {
  it('evaluates data.gitseal from a folder of modules and data files', async () => {
    write('images.rego', IMAGES);
    write('registries/data.yaml', 'allowed: registry.example.com/\n');
    write('images_test.rego', 'package gitseal.images\ntest_x if true\nbroken if {');
    const engine = load();
    expect(engine.kind).toBe('rego');
    const bad = await engine.decide(input('docker.io/nginx:latest'));
    expect(bad).toEqual({
      ok: true,
      decision: {
        deny: [{ msg: 'deploy/app.yaml: image docker.io/nginx:latest is not from the allowed registry', package: 'gitseal.images' }],
        warn: [{ msg: 'latest tag', package: 'gitseal.images', details: { msg: 'latest tag', path: 'deploy/app.yaml' } }],
      },
    });
    const good = await engine.decide(input('registry.example.com/app:1.2'));
    expect(good).toEqual({ ok: true, decision: { deny: [], warn: [] } });
  });

  it('computes the digest over the files loaded (paths and bytes)', () => {
    write('images.rego', IMAGES);
    write('registries/data.json', '{"allowed": "r/"}');
    const d1 = load().digest;
    expect(d1).toMatch(/^[0-9a-f]{64}$/);
    expect(load().digest).toBe(d1);
    write('images_test.rego', 'package gitseal.images\ntest_a if true');
    expect(load().digest).toBe(d1);
    write('registries/data.json', '{"allowed": "q/"}');
    expect(load().digest).not.toBe(d1);
  });

  it('returns parse and compile errors as values with OPA-style locations', () => {
    write('bad.rego', 'package gitseal\n\ndeny contains x if {\n  x := \n}\n');
    const r = RegoPolicyEngine.load(dir);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('parse');
      expect(r.error.message).toMatch(/bad\.rego:5:1: rego_parse_error/);
    }
    write('bad.rego', 'package gitseal\ndeny contains x if { y > 1 }\n');
    const c = RegoPolicyEngine.load(dir);
    expect(c.ok === false && c.error.code).toBe('compile');
  });

  it('turns evaluation errors and budgets into policy errors, never throws', async () => {
    write('p.rego', 'package gitseal\ndeny contains "x" if { some i in numbers.range(1, 500000); some j in numbers.range(1, 500000); i == j + 1000000 }\n');
    const engine = load();
    const r = await engine.decide({}, { timeoutMs: 20 });
    expect(r).toMatchObject({ ok: false, error: { code: 'timeout' } });
    write('p.rego', 'package gitseal\nx := 1\nx := 2 if true\ndeny contains "d" if x\n');
    expect(await load().decide({})).toMatchObject({ ok: false, error: { code: 'eval' } });
  });

  it('refuses symlinks that leave the folder and malformed data', () => {
    const outside = mkdtempSync(join(tmpdir(), 'gitseal-outside-'));
    try {
      writeFileSync(join(outside, 'secret.rego'), 'package gitseal\n');
      symlinkSync(join(outside, 'secret.rego'), join(dir, 'link.rego'));
      const r = RegoPolicyEngine.load(dir);
      expect(r.ok === false && r.error.message).toMatch(/symlink leaves the policy folder/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    rmSync(join(dir, 'link.rego'));
    write('data.yaml', 'a: [unclosed');
    const y = RegoPolicyEngine.load(dir);
    expect(y.ok).toBe(false);
  });

  it('reports a message that is not a string or {msg} as a deny (fail closed)', async () => {
    write('p.rego', 'package gitseal\ndeny contains 42 if true\n');
    const r = await load().decide({});
    expect(r.ok && r.decision.deny[0].msg).toMatch(/not a message/);
  });

  it('reads the decision from data.gitseal as collectDecision(toJS(doc)) would, converting only deny and warn', () => {
    const source = `package gitseal
deny contains "top" if true
warn contains {"msg": "w", "n": 1} if true
warn contains {"msg": "w", "n": 2} if true
helper contains {"deny": ["not a package"]} if true
pkgish := {"deny": {"x"}, "other": {1: 2}, "sub": {"warn": [{"msg": 3}]}}
numbered[1] := {"deny": "keyed by number"}
big := 123456789012345678901234567890
images.deny contains sprintf("%v", [x]) if some x in {[1], {"a": {1, 2}}, "s"}
images.warn := "one message"
`;
    const p = RegoPolicy.compile([{ path: 'p.rego', source }]);
    if (!p.ok) throw new Error(p.message);
    const q = p.value.prepare('data.gitseal');
    if (!q.ok) throw new Error(q.message);
    const r = q.value.evaluateRaw({});
    if (!r.ok) throw new Error(r.message);
    const doc = r.value[0].expressions[0];
    const decision = decisionOf(doc);
    expect(decision).toEqual(collectDecision(toJS(doc)));
    expect(decision.deny.map((m) => `${m.package}: ${m.msg}`)).toContain('gitseal.pkgish: x');
    expect(decision.deny.map((m) => `${m.package}: ${m.msg}`)).toContain('gitseal.numbered.1: keyed by number');
    expect(decision.warn.filter((m) => m.msg === 'w').map((m) => m.details?.n)).toEqual([1, 2]);
    expect(decisionOf(undefined)).toEqual({ deny: [], warn: [] });
    expect(decisionOf('not an object')).toEqual(collectDecision('not an object'));
  });
});
