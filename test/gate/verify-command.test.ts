import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/command';
import { abiPolicyWasm } from '../policy-wasm/support/abi-policy.wat';
import { deployment, GateFixture, TEST_POLICY, writePolicies, writeTrustFile } from './support/gate-fixture';
import { findAll, parseXml } from './support/xml-check';

/** `gitseal verify` end to end through runCli (contracts §6): formats, exit codes, bad input. */
describe('gitseal verify', () => {
  let f: GateFixture;
  let trust: string;
  let policies: string;
  let good: string;
  let unsigned: string;
  let denied: string;

  async function verify(argv: string[], env: NodeJS.ProcessEnv = process.env) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: f.repo.dir, env };
    const code = await runCli(['verify', ...argv], io);
    return { code, stdout, stderr };
  }
  const base = (o: { trust?: string; policies?: string | null } = {}) => [
    ...['--repo', f.repo.dir, '--trust', o.trust ?? trust, '--manifest-path', 'deploy'],
    ...(o.policies === null ? [] : ['--policies', o.policies ?? policies]),
  ];

  beforeAll(async () => {
    f = await GateFixture.create(['ed25519', 'approver']);
    await f.repo.git(['config', 'gitseal.repository', 'shop-config']);
    trust = writeTrustFile([
      { key: 'ed25519', roles: ['committer', 'approver'] },
      { key: 'approver', roles: ['approver'] },
    ]);
    policies = writePolicies({ 'test.rego': TEST_POLICY });
    good = await f.repo.commit({ files: { 'deploy/app.yaml': deployment('app', 'registry.example.com/app:1') }, sign: 'ed25519', message: 'good' });
    unsigned = await f.repo.commit({ message: 'unsigned' });
    denied = await f.repo.commit({ files: { 'deploy/web.yaml': deployment('web', 'nginx:latest') }, sign: 'ed25519', message: 'latest' });
  });
  afterAll(async () => {
    await f?.cleanup();
  });

  it('--format json prints exactly the contract shape, oldest first', async () => {
    const r = await verify([...base(), '--range', `${good}..${denied}`, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `{"commits":[` +
        `{"sha":"${unsigned}","decision":"block","reasons":[{"code":"unsigned","message":"commit ${unsigned} carries no signature"}]},` +
        `{"sha":"${denied}","decision":"block","reasons":[` +
        `{"code":"policy-denied","message":"gitseal.test: deploy/web.yaml: container web uses the latest tag"},` +
        `{"code":"ancestor-blocked","message":"ancestor ${unsigned} is blocked (unsigned) and no seal covers it"}]}` +
        `]}\n`,
    );
  });

  it('exit 0 and an allow when every commit passes; --rev decides one commit', async () => {
    const r = await verify([...base(), '--rev', good, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ commits: [{ sha: good, decision: 'allow', reasons: [] }] });
    const head = await verify([...base(), '--format', 'json']); // default --rev HEAD
    expect(JSON.parse(head.stdout).commits.map((c: { sha: string }) => c.sha)).toEqual([denied]);
  });

  it('head mode decides only the target; an all-zero start means the whole history', async () => {
    const r = await verify([...base(), '--range', `${good}..${denied}`, '--mode', 'head', '--format', 'json']);
    expect(JSON.parse(r.stdout).commits.map((c: { sha: string; reasons: unknown[] }) => [c.sha, c.reasons.length])).toEqual([[denied, 1]]);
    const all = await verify([...base(), '--range', `${'0'.repeat(40)}..${denied}`, '--format', 'json']);
    expect(JSON.parse(all.stdout).commits.map((c: { sha: string }) => c.sha)).toEqual([good, unsigned, denied]);
  });

  it('text: one line per commit, reasons and warnings indented, a summary', async () => {
    const r = await verify([...base(), '--range', `${good}..${denied}`]);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`block  ${unsigned}  unsigned`);
    expect(lines[1]).toBe(`       unsigned: commit ${unsigned} carries no signature`);
    expect(r.stdout).toContain(`block  ${denied}  latest\n       policy-denied: gitseal.test: deploy/web.yaml: container web uses the latest tag\n`);
    expect(lines.at(-2)).toMatch(/^2 commits in shop-config \(main, strict mode, policies [0-9a-f]{12}\): 0 allowed, 2 blocked$/);
  });

  it('junit: valid XML, one testcase per commit, a failure per blocked commit, hostile text escaped', async () => {
    const hostile = await f.repo.commit({ message: 'evil <b>&"\' \u001b[31mred\u0007 ]]>\n\nbody', sign: 'ed25519', files: { 'deploy/x.yaml': 'data: [\n' } });
    const r = await verify([...base(), '--range', `${good}..${hostile}`, '--format', 'junit']);
    expect(r.code).toBe(1);
    const root = parseXml(r.stdout);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '3', failures: '3' });
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => c.attrs.name.slice(0, 40))).toEqual([unsigned, denied, hostile]);
    expect(cases[2].attrs.name).toBe(`${hostile} evil <b>&"' \\u001b[31mred\\u0007 ]]>`);
    const failure = findAll(cases[2], 'failure')[0];
    expect(failure.attrs.message).toBe('blocked: policy-error, policy-denied, ancestor-blocked');
    expect(failure.text).toMatch(/^policy-error: the policy input cannot be built: deploy\/x\.yaml document 1: line \d+/);
    const text = await verify([...base(), '--rev', hostile]);
    expect(text.stdout).not.toContain('\u001b');
    expect(text.stdout).toContain('\\u001b[31mred');
  });

  it('--bundle evaluates an opa-wasm policy instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitseal-bundle-'));
    writeFileSync(join(dir, 'policy.wasm'), await abiPolicyWasm());
    const flagged = await f.repo.commit({ message: 'DO-NOT-MERGE this', sign: 'ed25519' });
    const argv = ['--repo', f.repo.dir, '--trust', trust, '--bundle', join(dir, 'policy.wasm'), '--rev', flagged, '--format', 'json'];
    const r = await verify(argv);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).commits[0].reasons).toContainEqual({ code: 'policy-denied', message: 'gitseal: commit message says DO-NOT-MERGE' });
  });

  it('--required-approvals, with approvals from the notes', async () => {
    const r = await verify([...base(), '--rev', good, '--required-approvals', '1', '--format', 'json']);
    expect(JSON.parse(r.stdout).commits[0].reasons.map((x: { code: string }) => x.code)).toEqual(['approval-missing']);
    await f.approve(good, 'approver');
    expect((await verify([...base(), '--rev', good, '--required-approvals', '1'])).code).toBe(0);
    const other = await verify([...base(), '--rev', good, '--required-approvals', '1', '--repository-id', 'elsewhere', '--format', 'json']);
    expect(other.code).toBe(1); // the approval names shop-config, not this id
  });

  it.each([
    ['a missing trust file', () => base({ trust: '/nonexistent/trust.yaml' }), /cannot load the trust file/],
    ['a policy folder that does not exist', () => base({ policies: '/nonexistent/policies' }), /cannot load the policies/],
    ['policies that do not parse', () => base({ policies: writePolicies({ 'bad.rego': 'package gitseal.bad\n\ndeny contains msg if {' }) }), /cannot load the policies \(parse\)/],
    ['a policy folder without modules', () => base({ policies: writePolicies({ 'data.yaml': 'a: 1\n' }) }), /holds no \.rego module/],
    ['no policies at all', () => base({ policies: null }), /--policies DIR .* or --bundle FILE/],
    ['an unknown revision', () => [...base(), '--rev', 'no-such-branch'], /no commit named "no-such-branch"/],
    ['a malformed range', () => [...base(), '--range', 'a...b'], /--range must be A\.\.B/],
    ['--rev and --range together', () => [...base(), '--rev', 'HEAD', '--range', 'HEAD~1..HEAD'], /not both/],
    ['an unknown format', () => [...base(), '--format', 'xml'], /--format must be one of text, json, junit/],
    ['an unknown option', () => [...base(), '--colour'], /colour/],
    ['a bad approval count', () => [...base(), '--required-approvals', '-1'], /--required-approvals/],
    ['a bad time', () => [...base(), '--now', 'yesterday'], /--now must be an ISO 8601 time/],
    ['a manifest path outside the repository', () => [...base(), '--manifest-path', '../etc'], /--manifest-path/],
  ])('exit 2 for %s', async (_, argv, message) => {
    const r = await verify(argv());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('exit 2 without a repository id', async () => {
    await f.repo.git(['config', '--unset', 'gitseal.repository']);
    try {
      const r = await verify([...base(), '--rev', good]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no repository id/);
    } finally {
      await f.repo.git(['config', 'gitseal.repository', 'shop-config']);
    }
  });

  it('--now replays a decision at another time', async () => {
    const r = await verify([...base(), '--rev', good, '--now', '2020-01-01T00:00:00Z', '--format', 'json']);
    expect(r.code).toBe(1); // the key did not exist yet in 2020
    expect(JSON.parse(r.stdout).commits[0].reasons[0].code).toMatch(/expired-key|bad-signature/);
  });
});
