import 'reflect-metadata';
import { EXIT_USAGE, UsageError, type CliCommand, type CliIo } from './command';
import { COMMANDS, type CommandEntry } from './commands';

function defaultIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  };
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length));
  const lines = COMMANDS.map((c) => `  gitseal ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `usage: gitseal <command> [options]\n\n${lines.join('\n')}\n\nEvery command takes --help. Exit status: 0 success, 1 negative verdict, 2 bad usage or input.\n`;
}

/** Picks the command whose path is the longest prefix of argv. */
export function findCommand(argv: string[]): { command: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function runCli(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(overview());
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.stderr(`gitseal: unknown command '${argv.join(' ')}'\n\n${overview()}`);
    return EXIT_USAGE;
  }
  const { rest } = found;
  const command: CliCommand = await found.command.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`gitseal ${command.path.join(' ')}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`gitseal ${command.path.join(' ')}: ${message}\n`);
    return EXIT_USAGE;
  }
}
