import { parseCommandArgs, requireOption, UsageError, type CliCommand, type CliIo } from '../cli/command';
import { DEFAULT_POLICY_TIMEOUT_MS } from './gate-engine';
import type { GateMode } from './gate.types';
import { exitStatusOf, formatReport, VERIFY_FORMATS, type VerifyFormat } from './verify-report';
import { runVerify } from './verify.service';

const HELP = `usage: gitseal verify --repo PATH [--rev REV | --range A..B] --trust trust.yaml
                      (--policies DIR | --bundle FILE) [--mode strict|head] [--format text|json|junit]

Decides commits as the gate does before every sync: signature against the trust file, approvals
from refs/notes/gitseal-approvals, the Rego policies. For CI and Git server pre-receive hooks.

  --repo PATH               the repository (work tree or bare)
  --rev REV                 decide this one commit on its own checks (default HEAD)
  --range A..B              decide every commit of B not in A, oldest first; A is the last
                            accepted commit (strict mode: each must pass, and a blocked one blocks
                            what follows unless an approver's seal covers it); B must descend from
                            A (else history-rewritten). A may be the all-zero id: B's whole history
  --trust FILE              trust.yaml: who may sign and approve (keep it outside the repository)
  --policies DIR            Rego policies (packages gitseal.*), evaluated by the built-in engine
  --bundle FILE             or a bundle made by \`opa build -t wasm -e gitseal\`
  --mode strict|head        for a range: strict (default), every commit; head, only B
  --format text|json|junit  output (default text); json is exactly
                            {"commits":[{"sha","decision","reasons":[{"code","message"}]}]}
  --repository-id ID        the id approvals name (default: git config gitseal.repository)
  --url URL                 repository.url in the policy input (default: remote.origin.url)
  --branch NAME             repository.branch in the policy input (default: the current branch)
  --manifest-path PATH      folder of the Kubernetes manifests (default: the whole tree)
  --required-approvals N    approvals by approvers other than the signer every commit needs (default 0)
  --policy-timeout MS       time budget of one policy decision (default ${DEFAULT_POLICY_TIMEOUT_MS})
  --approvals-ref REF       where the approvals notes are (default refs/notes/gitseal-approvals)
  --now TIME                decide as of this time (ISO 8601), e.g. to replay a past decision

Exit status: 0 every commit allowed, 1 a commit is blocked, 2 bad usage or input (unknown
revision, trust file or policies that cannot be loaded).`;

const OPTIONS = {
  repo: { type: 'string' },
  rev: { type: 'string' },
  range: { type: 'string' },
  trust: { type: 'string' },
  policies: { type: 'string' },
  bundle: { type: 'string' },
  mode: { type: 'string' },
  format: { type: 'string' },
  'repository-id': { type: 'string' },
  url: { type: 'string' },
  branch: { type: 'string' },
  'manifest-path': { type: 'string' },
  'required-approvals': { type: 'string' },
  'policy-timeout': { type: 'string' },
  'approvals-ref': { type: 'string' },
  now: { type: 'string' },
} as const;

export const verifyCommand: CliCommand = {
  path: ['verify'],
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, OPTIONS);
    if (v.rev !== undefined && v.range !== undefined) throw new UsageError('give --rev or --range, not both');
    const format = oneOf<VerifyFormat>(v.format ?? 'text', VERIFY_FORMATS, '--format');
    const mode = oneOf<GateMode>(v.mode ?? 'strict', ['strict', 'head'], '--mode');
    const result = await runVerify({
      repo: requireOption(v.repo, '--repo'),
      rev: v.rev,
      range: v.range,
      trustFile: requireOption(v.trust, '--trust'),
      policiesDir: v.policies,
      bundleFile: v.bundle,
      mode,
      repositoryId: v['repository-id'],
      url: v.url,
      branch: v.branch,
      manifestPath: v['manifest-path'] ?? '',
      requiredApprovals: wholeNumber(v['required-approvals'] ?? '0', '--required-approvals', 0, 100),
      policyTimeoutMs: wholeNumber(v['policy-timeout'] ?? String(DEFAULT_POLICY_TIMEOUT_MS), '--policy-timeout', 1, 3_600_000),
      approvalsRef: v['approvals-ref'],
      now: v.now === undefined ? new Date() : instant(v.now),
      env: io.env,
      cwd: io.cwd,
    });
    const { repository } = result;
    io.stdout(formatReport(format, result.decisions, { repositoryId: repository.id, branch: repository.branch, mode: repository.mode, policyDigest: result.policyDigest }));
    return exitStatusOf(result.decisions);
  },
};

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

function instant(value: string): Date {
  const t = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value) || Number.isNaN(t)) {
    throw new UsageError(`--now must be an ISO 8601 time with a zone, e.g. 2026-11-21T10:00:00Z, not ${JSON.stringify(value)}`);
  }
  return new Date(t);
}
