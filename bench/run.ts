import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs every bench/*.bench.ts (compiled to dist/bench/*.bench.js), or those whose names contain
 * one of the arguments: `npm run bench -- ledger`. Each bench prints its own ratios against a
 * baseline measured in the same process.
 */
export interface Bench {
  name: string;
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) {
    process.stderr.write(`no benchmark matches ${filters.join(' ')}\n`);
    process.exitCode = 2;
    return;
  }
  for (const file of files) {
    const mod = (await import(join(__dirname, file))) as { bench: Bench };
    process.stdout.write(`\n== ${mod.bench.name} ==\n`);
    await mod.bench.run();
  }
}

void main();
