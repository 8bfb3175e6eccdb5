import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit statuses of every gitseal command (contracts §6). */
export const EXIT_OK = 0;
export const EXIT_NEGATIVE = 1; // a negative verdict: blocked commit, failed verification, failed test
export const EXIT_USAGE = 2; // bad usage or bad input

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  /** Words that select the command, e.g. ['ledger', 'verify']. */
  readonly path: readonly string[];
  /** Full help text printed by --help. */
  readonly help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Bad usage or bad input: the message is printed and the exit status is 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict argument parsing: unknown flags and missing values are usage errors, never ignored. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export function requireOption(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing required option ${flag}`);
  return value;
}
