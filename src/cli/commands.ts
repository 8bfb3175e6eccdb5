import type { CliCommand } from './command';

/**
 * Every gitseal command. Each lives in its feature's folder (e.g. src/ledger/ledger-verify.command.ts)
 * or in src/cli/, and is listed here.
 */
export const COMMANDS: CliCommand[] = [];
