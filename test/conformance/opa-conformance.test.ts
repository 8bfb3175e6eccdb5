import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCases, loadSkips, runCases, summary } from '../../src/policy/rego/conformance/runner';

const dir = join(__dirname, 'opa');
const skips = loadSkips(readFileSync(join(__dirname, 'skip.txt'), 'utf8'));

describe('OPA conformance cases (test/conformance/opa)', () => {
  const cases = loadCases([dir]);
  const outcomes = runCases(cases, skips);

  it('loads the shared cases', () => {
    expect(cases.length).toBeGreaterThan(500);
  });

  it('passes every case not in the skip file', () => {
    const failed = outcomes.filter((o) => o.status === 'failed').map((o) => `${o.case.file}: ${o.case.note}\n  ${o.reason}`);
    console.log(summary(outcomes));
    expect(failed).toEqual([]);
  });

  it('skips only cases that exist, each with a reason', () => {
    const notes = new Set(cases.map((c) => c.note));
    for (const [note, reason] of skips) {
      expect(notes.has(note), note).toBe(true);
      expect(reason.length).toBeGreaterThan(10);
    }
  });
});
