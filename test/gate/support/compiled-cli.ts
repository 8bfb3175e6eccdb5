import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/**
 * The gitseal command line as a real executable for tests that need a process (a Git server's
 * hook runs `gitseal`): the TypeScript sources transpiled file by file with the TypeScript compiler
 * and the project's settings (so the output behaves as `npm run build`'s), into a folder inside the
 * project (so packages resolve from node_modules), and a launcher script that runs them with this Node.
 */
export interface CompiledCli {
  /** The command to run, e.g. in GITSEAL for the pre-receive hook: `<node> <launcher>`. */
  command: string;
  /** The folder of the compiled tree (`src/…`, `migrations/…` as .js), for tests that load modules from it. */
  root: string;
  cleanup(): void;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

export function compileCli(): CompiledCli {
  const root = process.cwd();
  const out = mkdtempSync(join(root, 'node_modules', '.cache-gitseal-cli-'));
  for (const file of ['src', 'migrations'].flatMap((d) => sources(join(root, d)))) {
    const { outputText: code } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2023,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        esModuleInterop: true,
        sourceMap: false,
      },
    });
    const target = join(out, relative(root, file).replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  const launcher = join(out, 'gitseal.js');
  writeFileSync(
    launcher,
    `require('reflect-metadata');\nrequire('./src/cli/main.js').runCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n`,
  );
  chmodSync(launcher, 0o755);
  if (/\s/.test(process.execPath + launcher)) throw new Error('paths with spaces cannot go into GITSEAL');
  return { command: `${process.execPath} ${launcher}`, root: out, cleanup: () => rmSync(out, { recursive: true, force: true }) };
}
