import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { verifyCommand } from '../../src/gate/verify.command';

const EXAMPLES = join(process.cwd(), 'examples');

/** The options a `gitseal verify` in an example uses (from `set -- verify …` lines and their continuations). */
function verifyFlags(script: string): string[] {
  const start = script.indexOf('set -- verify');
  expect(start).toBeGreaterThanOrEqual(0);
  const block = script.slice(start).split('\n');
  const lines: string[] = [];
  for (const line of block) {
    lines.push(line);
    if (!line.trimEnd().endsWith('\\')) break;
  }
  const flags = [...lines.join(' ').matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]);
  return [...flags, ...[...script.matchAll(/gitseal "\$@" (--[a-z-]+)/g)].map((m) => m[1])];
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** The examples stay in step with the command: valid YAML, only options gitseal verify has. */
describe('examples', () => {
  const known = new Set([...verifyCommand.help.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));

  it.each(['github-actions.yml', 'gitlab-ci.yml'])('ci/%s', (name) => {
    const doc = parse(readFileSync(join(EXAMPLES, 'ci', name), 'utf8')) as Record<string, unknown>;
    const scripts = strings(doc).filter((s) => s.includes('set -- verify'));
    expect(scripts.length).toBe(1);
    const flags = verifyFlags(scripts[0]);
    expect(flags).toEqual(expect.arrayContaining(['--repo', '--range', '--trust', '--policies', '--format']));
    for (const flag of flags) expect(known, `${name} uses ${flag}`).toContain(flag);
  });

  it('hooks/pre-receive', () => {
    const script = readFileSync(join(EXAMPLES, 'hooks', 'pre-receive'), 'utf8');
    const lines = script.split('\n').filter((l) => /set -- |verify "\$name"|\$GITSEAL verify/.test(l));
    const flags = lines.flatMap((l) => [...l.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]));
    expect(flags).toEqual(expect.arrayContaining(['--repo', '--bundle', '--policies', '--range', '--rev', '--approvals-ref', '--branch', '--format']));
    for (const flag of flags) expect(known, `pre-receive uses ${flag}`).toContain(flag);
  });
});
