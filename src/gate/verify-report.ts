import type { CommitDecision } from './gate.types';
import { terminalSafe, xmlAttr, xmlText } from './xml-text';

/**
 * What `gitseal verify` prints (contracts §6): JSON exactly as the contract fixes it, text for
 * people, JUnit XML for CI test reports. Everything from the repository is escaped for its format.
 */
export type VerifyFormat = 'text' | 'json' | 'junit';
export const VERIFY_FORMATS: readonly VerifyFormat[] = ['text', 'json', 'junit'];

export interface ReportContext {
  repositoryId: string;
  branch: string;
  mode: string;
  policyDigest: string;
}

export function formatReport(format: VerifyFormat, decisions: readonly CommitDecision[], context: ReportContext): string {
  if (format === 'json') return formatJson(decisions);
  if (format === 'junit') return formatJunit(decisions, context);
  return formatText(decisions, context);
}

/** `{"commits":[{"sha","decision","reasons":[{"code","message"}]}]}`, oldest first, nothing else. */
export function formatJson(decisions: readonly CommitDecision[]): string {
  const commits = decisions.map((d) => ({ sha: d.sha, decision: d.decision, reasons: d.reasons.map((r) => ({ code: r.code, message: r.message })) }));
  return `${JSON.stringify({ commits })}\n`;
}

export function subjectOf(d: CommitDecision): string {
  const first = (d.input?.commit.message ?? d.verification.commit?.message ?? '').split('\n')[0];
  return first.length > 72 ? `${first.slice(0, 71)}…` : first;
}

export function formatText(decisions: readonly CommitDecision[], context: ReportContext): string {
  const lines: string[] = [];
  const item = (text: string) => text.split('\n').forEach((line, i) => lines.push(`${i === 0 ? '       ' : '         '}${terminalSafe(line)}`));
  for (const d of decisions) {
    lines.push(terminalSafe(`${d.decision}  ${d.sha}  ${subjectOf(d)}`));
    for (const r of d.reasons) item(`${r.code}: ${r.message}`);
    for (const w of d.warnings) item(`warning: ${w}`);
  }
  const blocked = decisions.filter((d) => d.decision === 'block').length;
  const what = decisions.length === 1 ? '1 commit' : `${decisions.length} commits`;
  const summary = `${what} in ${context.repositoryId} (${context.branch}, ${context.mode} mode, policies ${context.policyDigest.slice(0, 12)}): ${decisions.length - blocked} allowed, ${blocked} blocked`;
  lines.push(terminalSafe(summary));
  return `${lines.join('\n')}\n`;
}

export function formatJunit(decisions: readonly CommitDecision[], context: ReportContext): string {
  const failures = decisions.filter((d) => d.decision === 'block').length;
  const suite = `gitseal verify ${context.repositoryId} ${context.branch}`;
  const counts = `tests="${decisions.length}" failures="${failures}" errors="0"`;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gitseal verify" ${counts}>`,
    `  <testsuite name="${xmlAttr(suite)}" ${counts} skipped="0">`,
    `    <properties><property name="mode" value="${xmlAttr(context.mode)}"/><property name="policyDigest" value="${xmlAttr(context.policyDigest)}"/></properties>`,
  ];
  for (const d of decisions) {
    out.push(`    <testcase classname="${xmlAttr(`gitseal.${context.repositoryId}`)}" name="${xmlAttr(`${d.sha} ${subjectOf(d)}`)}">`);
    if (d.decision === 'block') {
      const codes = [...new Set(d.reasons.map((r) => r.code))].join(', ');
      const body = d.reasons.map((r) => `${r.code}: ${r.message}`).join('\n');
      out.push(`      <failure type="blocked" message="${xmlAttr(`blocked: ${codes}`)}">${xmlText(body)}</failure>`);
    }
    if (d.warnings.length > 0) out.push(`      <system-out>${xmlText(d.warnings.map((w) => `warning: ${w}`).join('\n'))}</system-out>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}

/** Exit status: 0 when every commit is allowed (or there is none), 1 when any is blocked. */
export function exitStatusOf(decisions: readonly CommitDecision[]): 0 | 1 {
  return decisions.some((d) => d.decision === 'block') ? 1 : 0;
}
