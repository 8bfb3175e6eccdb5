/**
 * `npm run conformance -- [--skip FILE] [--verbose] DIR…`: runs every OPA test-case file under
 * the folders and ends with `N passed, M failed, K skipped`. Exit status 1 when a case fails.
 * The skip file defaults to test/conformance/skip.txt when it exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadCases, loadSkips, runCases, summary } from './runner';

function main(argv: string[]): number {
  let skipFile: string | undefined = existsSync('test/conformance/skip.txt') ? 'test/conformance/skip.txt' : undefined;
  let verbose = false;
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--skip') skipFile = argv[++i];
    else if (argv[i] === '--no-skip') skipFile = undefined;
    else if (argv[i] === '--verbose' || argv[i] === '-v') verbose = true;
    else dirs.push(argv[i]);
  }
  if (dirs.length === 0) {
    process.stderr.write('usage: conformance [--skip FILE | --no-skip] [--verbose] DIR…\n');
    return 2;
  }
  const skips = skipFile ? loadSkips(readFileSync(skipFile, 'utf8')) : new Map<string, string>();
  const outcomes = runCases(loadCases(dirs), skips);
  for (const o of outcomes) {
    if (o.status === 'failed') process.stdout.write(`FAIL ${o.case.file}: ${o.case.note}\n  ${o.reason?.replace(/\n/g, '\n  ')}\n`);
    else if (verbose) process.stdout.write(`${o.status === 'passed' ? 'PASS' : 'SKIP'} ${o.case.file}: ${o.case.note}\n`);
  }
  process.stdout.write(`${summary(outcomes)}\n`);
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
