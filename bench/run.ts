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
  const all = readdirSync(__dirname).filter((f) => f.endsWith('.bench.js'));
  // a filter naming a benchmark exactly (`verify`) picks that one only, else any whose name holds it
  const picks = (x: string): string[] => {
    const exact = all.filter((f) => f === `${x}.bench.js`);
    return exact.length > 0 ? exact : all.filter((f) => f.includes(x));
  };
  const files = (filters.length === 0 ? all : [...new Set(filters.flatMap(picks))]).sort();
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
