import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NotesApprovalProvider, type ApprovalProvider } from '../../../src/gate/approval-provider';
import { decideRange } from '../../../src/gate/gate-engine';
import type { CommitDecision, GateContext, GateRange, GateRepository } from '../../../src/gate/gate.types';
import { RegoPolicyEngine, type RegoEngineOptions } from '../../../src/policy/rego-policy-engine';
import { GitObjectReader } from '../../../src/source/git-object-reader';
import { formatStatement } from '../../../src/verification/approval-statement';
import type { TrustStore } from '../../../src/verification/trust-store';
import { fixtureKey, type FixtureKeyName } from '../../fixtures/fixture-keys';
import { GitRepoBuilder } from '../../fixtures/git-repo';
import { GpgHome } from '../../fixtures/gpg-home';
import { fixtureTrustStore } from '../../verification/trust-support';

/** A small policy set for the gate's tests: one deny, one warn. */
export const TEST_POLICY = `package gitseal.test

deny contains msg if {
  some m in input.manifests
  some c in m.object.spec.template.spec.containers
  endswith(c.image, ":latest")
  msg := sprintf("%s: container %s uses the latest tag", [m.path, c.name])
}

warn contains msg if {
  some m in input.manifests
  not m.object.metadata.labels.team
  msg := sprintf("%s: %s %s has no team label", [m.path, m.object.kind, m.object.metadata.name])
}
`;

export function deployment(name: string, image: string, extra = ''): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  namespace: shop',
    '  labels: { team: payments }',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    `          image: ${image}`,
    extra,
  ].join('\n');
}

/** Writes a policy folder; returns its path. */
export function writePolicies(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitseal-policies-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function loadPolicies(dir: string, options: RegoEngineOptions = {}): RegoPolicyEngine {
  const loaded = RegoPolicyEngine.load(dir, options);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.engine;
}

/**
 * A real repository signed by real gpg keys, the fixture trust store and a policy engine, with
 * helpers to decide ranges and to approve commits (clear-signed by gpg, appended as notes).
 */
export class GateFixture {
  private constructor(
    readonly gpg: GpgHome,
    readonly repo: GitRepoBuilder,
    readonly trust: TrustStore,
    public policy: RegoPolicyEngine,
    private readonly dirs: string[],
  ) {}

  static async create(keys: FixtureKeyName[] = ['ed25519', 'rsa3072', 'approver', 'approver2', 'untrusted', 'revoked', 'expired']): Promise<GateFixture> {
    const gpg = await GpgHome.create(keys);
    const repo = await GitRepoBuilder.init({ gpg });
    const dir = writePolicies({ 'test.rego': TEST_POLICY });
    return new GateFixture(gpg, repo, await fixtureTrustStore(), loadPolicies(dir), [dir]);
  }

  repository(overrides: Partial<GateRepository> = {}): GateRepository {
    return {
      id: 'shop-config',
      url: 'https://git.example.com/shop/config.git',
      branch: 'main',
      gitDir: this.repo.dir,
      manifestPath: 'deploy',
      mode: 'strict',
      requiredApprovals: 0,
      ...overrides,
    };
  }

  async decide(range: GateRange, repo: Partial<GateRepository> = {}, ctx: Partial<GateContext> = {}): Promise<CommitDecision[]> {
    const repository = this.repository(repo);
    const blobs = new GitObjectReader(repository.gitDir);
    try {
      const approvals: ApprovalProvider = new NotesApprovalProvider(repository.gitDir, blobs);
      return await decideRange(repository, range, { trust: this.trust, policy: this.policy, approvals, now: new Date(), ...ctx });
    } finally {
      await blobs.close();
    }
  }

  /** Signs an approval (or seal) of `commit` with `key` and appends it to the commit's note. */
  async approve(commit: string, key: FixtureKeyName, options: { seal?: boolean; repository?: string; tree?: string; onto?: string } = {}): Promise<string> {
    const tree = options.tree ?? (await this.repo.revParse(`${commit}^{tree}`));
    const text = formatStatement({ repository: options.repository ?? 'shop-config', commit, tree, seal: options.seal ?? false });
    const signed = await this.gpg.clearSign(text, key);
    await this.repo.appendNote(options.onto ?? commit, signed);
    return signed;
  }

  async cleanup(): Promise<void> {
    await this.repo.cleanup();
    await this.gpg.cleanup();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

export function codes(decision: CommitDecision): string[] {
  return decision.reasons.map((r) => r.code);
}

/** A trust.yaml (and key files) in a new folder; returns the trust file's path. */
export function writeTrustFile(entries: Array<{ key: FixtureKeyName; roles: string[] }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitseal-trust-'));
  const lines = ['keys:'];
  for (const e of entries) {
    writeFileSync(join(dir, `${e.key}.asc`), fixtureKey(e.key).publicKey);
    lines.push(`  - file: ${e.key}.asc`, `    roles: [${e.roles.join(', ')}]`);
  }
  writeFileSync(join(dir, 'trust.yaml'), `${lines.join('\n')}\n`);
  return join(dir, 'trust.yaml');
}
