import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotesApprovalProvider } from '../src/gate/approval-provider';
import { decideRange } from '../src/gate/gate-engine';
import type { CommitDecision, GateRepository } from '../src/gate/gate.types';
import { RegoPolicyEngine } from '../src/policy/rego-policy-engine';
import { GitObjectReader } from '../src/source/git-object-reader';
import { listCommits, resolveCommit, runGit } from '../src/source/git-rev';
import { verifyCommits } from '../src/verification/batch-verifier';
import { TrustStore } from '../src/verification/trust-store';
import { fixtureKey } from '../test/fixtures/fixture-keys';
import { runProcess } from '../test/fixtures/run-process';
import { historyRepo, makeSignedHistory } from '../test/fixtures/signed-history';
import type { Bench } from './run';

/**
 * `gitseal verify` (the gate engine, in process) over 2,000 Ed25519-signed commits, each changing
 * one of 20 Deployment manifests, with a small policy set, against `git log --format=%G?` (git +
 * gpg, signatures only) on the same repository in the same run. Issue 4's goals: at least 10×
 * faster with the policies, at least 20× for signatures alone. The history is made once into a
 * cache directory shared with the signatures benchmark.
 */
const COUNT = Number(process.env.GITSEAL_BENCH_COMMITS ?? 2000);

const POLICY = `package gitseal.bench

allowed := ["registry.example.com/", "ghcr.io/example/"]

containers contains [m.path, c] if {
  some m in input.manifests
  m.object.kind == "Deployment"
  some c in m.object.spec.template.spec.containers
}

deny contains msg if {
  some [path, c] in containers
  not strings.any_prefix_match(c.image, allowed)
  msg := sprintf("%s: image %s is not from an allowed registry", [path, c.image])
}

deny contains msg if {
  some [path, c] in containers
  endswith(c.image, ":latest")
  msg := sprintf("%s: container %s uses the latest tag", [path, c.name])
}

deny contains msg if {
  some [path, c] in containers
  some r in ["cpu", "memory"]
  not c.resources.limits[r]
  msg := sprintf("%s: container %s has no %s limit", [path, c.name, r])
}

deny contains msg if {
  some m in input.manifests
  not m.object.metadata.labels.team
  msg := sprintf("%s: no team label", [m.path])
}
`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

function allAllowed(decisions: CommitDecision[], what: string): void {
  const blocked = decisions.find((d) => d.decision !== 'allow');
  if (decisions.length !== COUNT || blocked) throw new Error(`${what}: ${decisions.length} decisions, blocked: ${JSON.stringify(blocked?.reasons)}`);
}

async function gitLogBaseline(repo: string): Promise<number> {
  const gnupg = mkdtempSync('/tmp/gsb-');
  const env = { ...process.env, GNUPGHOME: gnupg, LC_ALL: 'C' };
  try {
    writeFileSync(join(gnupg, 'gpg.conf'), 'trust-model always\n');
    await runProcess('gpg', ['--batch', '--import', fixtureKey('ed25519').publicPath], { env });
    const run = await timed(() => runGit(repo, ['log', '--format=%G?', 'main'], { env, timeoutMs: 30 * 60_000 }));
    const marks = run.value.stdout.toString().trim().split('\n');
    if (marks.length !== COUNT || marks.some((m) => m !== 'G')) throw new Error(`git log %G? disagrees: ${marks.slice(0, 5).join(',')}`);
    return run.ms;
  } finally {
    await runProcess('gpgconf', ['--kill', 'all'], { env }).catch(() => undefined);
    rmSync(gnupg, { recursive: true, force: true });
  }
}

async function run(): Promise<void> {
  const made = await timed(() => makeSignedHistory(join(tmpdir(), `gitseal-bench-signatures-${COUNT}`), { count: COUNT, key: 'ed25519' }));
  const gitDir = historyRepo(made.value);
  const counts = Object.fromEntries(
    (await runGit(gitDir, ['count-objects', '-v'])).stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => l.split(': ')),
  ) as Record<string, string>;
  const stored = `${counts['in-pack']} objects packed, ${counts.count} loose, as git gc --auto leaves them`;
  process.stdout.write(`repository: ${gitDir} (${COUNT} signed commits, 20 manifests, ${stored}; ready in ${made.ms.toFixed(0)} ms)\n`);
  const trust = await TrustStore.fromRecords([{ armoredKey: fixtureKey('ed25519').publicKey, roles: ['committer'], source: 'bench' }]);
  const policyDir = mkdtempSync(join(tmpdir(), 'gitseal-bench-policy-'));
  writeFileSync(join(policyDir, 'bench.rego'), POLICY);
  const trustDir = mkdtempSync(join(tmpdir(), 'gitseal-bench-trust-'));
  writeFileSync(join(trustDir, 'signer.asc'), fixtureKey('ed25519').publicKey);
  writeFileSync(join(trustDir, 'trust.yaml'), 'keys:\n  - file: signer.asc\n    roles: [committer]\n');
  const loaded = RegoPolicyEngine.load(policyDir);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const repo: GateRepository = { id: 'bench', url: gitDir, branch: 'main', gitDir, manifestPath: 'deploy', mode: 'strict', requiredApprovals: 0 };
  const now = new Date();

  // gitseal verify --range 0000…..main: the whole history, strict mode
  const gate = async () => {
    const head = await resolveCommit(gitDir, 'main');
    const notes = new GitObjectReader(gitDir);
    try {
      return await decideRange(repo, { anchor: null, head }, { trust, policy: loaded.engine, approvals: new NotesApprovalProvider(gitDir, notes), now });
    } finally {
      await notes.close();
    }
  };
  // signatures alone: list, read in one cat-file process, verify in batch
  const signaturesOnly = async () => {
    const shas = await listCommits(gitDir, { to: 'main' });
    const reader = new GitObjectReader(gitDir);
    try {
      const objects = await reader.readMany(shas);
      return await verifyCommits(objects.map((o) => ({ sha: o.sha, raw: o.status === 'ok' ? o.data : Buffer.alloc(0) })), trust, { now });
    } finally {
      await reader.close();
    }
  };
  // the command itself, as CI or a pre-receive hook runs it: a new process (Node's start, module
  // loading, the trust file and the policies read and compiled) with its output parsed
  const cli = async () => {
    const args = [join(__dirname, '..', '..', 'bin', 'gitseal.js'), 'verify', '--repo', gitDir, '--repository-id', 'bench', '--range', `${'0'.repeat(40)}..main`];
    args.push('--trust', join(trustDir, 'trust.yaml'), '--policies', policyDir, '--manifest-path', 'deploy', '--format', 'json');
    const out = await runProcess(process.execPath, args, { timeoutMs: 10 * 60_000 });
    const commits = (JSON.parse(out.stdout.toString('utf8')) as { commits: CommitDecision[] }).commits;
    allAllowed(commits, 'gitseal verify');
  };
  // the first run of each is the engine's part of a CLI invocation (nothing compiled yet); the best of the
  // later ones what the service pays. Runs are spread around the baseline so that a shared
  // machine's load weighs on both alike.
  const gateRuns: number[] = [];
  const cliRuns: number[] = [];
  const signatureRuns: number[] = [];
  const round = async () => {
    const g = await timed(gate);
    allAllowed(g.value, 'gate');
    gateRuns.push(g.ms);
    const s = await timed(signaturesOnly);
    if (s.value.length !== COUNT || s.value.some((v) => v.signature.status !== 'good')) throw new Error('a signature did not verify');
    signatureRuns.push(s.ms);
  };
  await round();
  await round();
  const baseline = await gitLogBaseline(gitDir);
  await round();
  for (let i = 0; i < 3; i++) cliRuns.push((await timed(cli)).ms);
  for (const dir of [policyDir, trustDir]) rmSync(dir, { recursive: true, force: true });

  const line = (label: string, ms: number, goal: number) =>
    process.stdout.write(`${label.padEnd(60)} ${ms.toFixed(0).padStart(7)} ms  ${(baseline / ms).toFixed(1).padStart(6)}× faster (goal ≥ ${goal}×)\n`);
  process.stdout.write(`${'git log --format=%G? (baseline: git + gpg, signatures only)'.padEnd(60)} ${baseline.toFixed(0).padStart(7)} ms\n`);
  line('gate, signatures + approvals + policies: first run in process', gateRuns[0], 10);
  line('gate, signatures + approvals + policies: best of 3 (service)', Math.min(...gateRuns), 10);
  line('gitseal verify, the command (a new process): median of 3', [...cliRuns].sort((a, b) => a - b)[1], 10);
  line('signatures alone (read + verify): first run', signatureRuns[0], 20);
  line('signatures alone (read + verify): best of 3', Math.min(...signatureRuns), 20);
  const best = Math.min(...gateRuns);
  process.stdout.write(`per commit: ${((best * 1000) / COUNT).toFixed(0)} µs decided, ${((Math.min(...signatureRuns) * 1000) / COUNT).toFixed(0)} µs signature only (best runs)\n`);
}

export const bench: Bench = { name: 'verify: gitseal verify over 2,000 signed commits with policies vs git log --format=%G?', run };
