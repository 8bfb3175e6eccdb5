import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../cli/command';
import { runCli } from '../cli/main';

let dir: string;

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd: dir,
    env: {},
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

function write(rel: string, text: string): void {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gitseal-cli-rego-'));
  write(
    'policies/labels.rego',
    `package gitseal.labels

required := {"app", "team"}

deny contains msg if {
  some m in input.manifests
  missing := required - {k | some k, _ in m.object.metadata.labels}
  count(missing) > 0
  msg := sprintf("%s: missing labels %v", [m.path, sort(missing)])
}
`,
  );
  write('policies/config/data.json', '{"big": 123456789012345678901234567890}');
  write(
    'policies/labels_test.rego',
    `package gitseal.labels

test_denies_missing_labels if {
  count(deny) == 1 with input as {"manifests": [{"path": "a.yaml", "object": {"metadata": {"labels": {"app": "x"}}}}]}
}

test_allows_complete_labels if {
  count(deny) == 0 with input as {"manifests": [{"path": "a.yaml", "object": {"metadata": {"labels": {"app": "x", "team": "y"}}}}]}
}
`,
  );
  write('input.json', '{"manifests": [{"path": "a.yaml", "object": {"metadata": {"labels": {}}}}]}');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('gitseal policy eval', () => {
  it('prints OPA result JSON for a query', async () => {
    const io = capture();
    expect(await runCli(['policy', 'eval', '--policies', 'policies', '-i', 'input.json', 'data.gitseal.labels.deny'], io)).toBe(0);
    const out = JSON.parse(io.out);
    expect(out).toEqual({
      result: [{ expressions: [{ value: ['a.yaml: missing labels ["app", "team"]'], text: 'data.gitseal.labels.deny', location: { row: 1, col: 1 } }] }],
    });
  });

  it('prints bindings, exact big numbers, and {} when undefined', async () => {
    const io = capture();
    expect(await runCli(['policy', 'eval', '-d', 'policies', 'x := data.config.big'], io)).toBe(0);
    expect(io.out).toContain('"x": 123456789012345678901234567890');
    const u = capture();
    expect(await runCli(['policy', 'eval', '-d', 'policies', 'data.nope'], u)).toBe(0);
    expect(u.out.trim()).toBe('{}');
  });

  it('exits 2 with OPA-style errors for bad policies and usage', async () => {
    write('bad/p.rego', 'package x\np if {\n');
    const io = capture();
    expect(await runCli(['policy', 'eval', '-d', 'bad', 'data.x'], io)).toBe(2);
    expect(io.err).toMatch(/bad\/p\.rego:3:1: rego_parse_error/);
    const u = capture();
    expect(await runCli(['policy', 'eval', '-d', 'policies'], u)).toBe(2);
    expect(u.err).toContain('missing QUERY');
    const m = capture();
    expect(await runCli(['policy', 'eval', '-i', 'nope.json', 'input'], m)).toBe(2);
    expect(m.err).toContain('cannot read input nope.json');
  });
});

describe('gitseal policy test', () => {
  it('runs test_ rules with mocking and prints a line per test and a summary', async () => {
    const io = capture();
    expect(await runCli(['policy', 'test', '--policies', 'policies'], io)).toBe(0);
    expect(io.out).toMatch(/data\.gitseal\.labels\.test_allows_complete_labels: PASS \(\d+\.\dms\)/);
    expect(io.out).toMatch(/data\.gitseal\.labels\.test_denies_missing_labels: PASS/);
    expect(io.out).toContain('PASS: 2/2');
  });

  it('exits 1 when a test fails or errors', async () => {
    write('policies/more_test.rego', 'package gitseal.labels\ntest_wrong if count(deny) == 5\ntest_boom if { x := 1 / 0; x > 0 }\n');
    const io = capture();
    expect(await runCli(['policy', 'test', '--policies', 'policies'], io)).toBe(1);
    expect(io.out).toMatch(/test_wrong: FAIL/);
    expect(io.out).toContain('FAIL: 2/4');
  });

  it('requires --policies', async () => {
    const io = capture();
    expect(await runCli(['policy', 'test'], io)).toBe(2);
    expect(io.err).toContain('missing required option --policies');
  });
});
