import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { EXIT_NEGATIVE, EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIo } from '../cli/command';
import { DomainException } from '../common/domain.exception';
import { LIMITS } from './evidence-bundle';
import { verifyEvidenceBundle, type VerificationReport } from './evidence-bundle-verifier';

const HELP = `usage: gitseal ledger verify BUNDLE --key PUBKEY [--format text|json]

Verifies an exported evidence bundle offline, with nothing but the log's public key: every
entry's bytes (canonical JSON, in seq order), every leaf against the signed checkpoint's root,
the hash chain up to the signed chain head, every inclusion proof, the consistency proof to the
latest checkpoint and the bundle's own signature. The key inside the bundle is never trusted.

  BUNDLE         the bundle file (JSON)
  --key PUBKEY   a file holding the verifier key, or the key text itself
                 (name+hex8+base64, as printed by the service)
  --format       text (default) or json (the full report)

Exit status: 0 verified, 1 verification failed, 2 unreadable or malformed input.`;

function resolve(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : join(io.cwd, path);
}

async function readBundleFile(io: CliIo, path: string): Promise<string> {
  const full = resolve(io, path);
  let size: number;
  try {
    const info = await stat(full);
    if (!info.isFile()) throw new UsageError(`${path} is not a file`);
    size = info.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read bundle ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (size > LIMITS.maxBundleChars) throw new UsageError(`bundle ${path} is larger than ${LIMITS.maxBundleChars} bytes`);
  return readFile(full, 'utf8');
}

/** PUBKEY names a file when one exists there; otherwise it is the key text. */
async function readKey(io: CliIo, key: string): Promise<string> {
  try {
    const full = resolve(io, key);
    const info = await stat(full);
    if (info.isFile()) {
      if (info.size > 64 * 1024) throw new UsageError(`key file ${key} is too large to be a verifier key`);
      return (await readFile(full, 'utf8')).trim();
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  if (!key.includes('+')) throw new UsageError(`--key ${key}: no such file, and not a verifier key (name+hex8+base64)`);
  return key.trim();
}

export function formatReport(r: VerificationReport): string {
  const count = r.range.to - r.range.from + 1;
  const lines = [
    r.ok ? 'verified: OK' : `verification FAILED (${r.failures.length} problem${r.failures.length === 1 ? '' : 's'})`,
    `  origin    ${r.origin}`,
    `  key       ${r.key}`,
    `  range     seq ${r.range.from}..${r.range.to} (${count} entr${count === 1 ? 'y' : 'ies'})`,
    `  anchor    ${r.anchor ? `size ${r.anchor.size}, root ${r.anchor.root}` : 'not verified'}`,
  ];
  if (r.latest) lines.push(`  latest    size ${r.latest.size}, root ${r.latest.root}`);
  lines.push(`  checked   ${r.entriesChecked} entries proven by the signed root`, '');
  for (const p of r.passed) lines.push(`  ok    ${p}`);
  for (const f of r.failures) lines.push(`  FAIL  ${f.message}`);
  for (const w of r.warnings) lines.push(`  note  ${w}`);
  return `${lines.join('\n')}\n`;
}

export const ledgerVerifyCommand: CliCommand = {
  path: ['ledger', 'verify'],
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { key: { type: 'string' }, format: { type: 'string', default: 'text' } }, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one BUNDLE file');
    if (!values.key) throw new UsageError('missing required option --key (the log\'s public verifier key, or a file holding it)');
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format must be text or json');
    const [text, key] = await Promise.all([readBundleFile(io, positionals[0]), readKey(io, values.key)]);
    let report: VerificationReport;
    try {
      report = verifyEvidenceBundle(text, key);
    } catch (err) {
      if (err instanceof DomainException) throw new UsageError(err.message);
      throw err;
    }
    io.stdout(values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.ok ? EXIT_OK : EXIT_NEGATIVE;
  },
};
