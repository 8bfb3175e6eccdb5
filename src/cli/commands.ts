import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from '../auth/token.command';
import { ledgerVerifyCommand } from '../ledger/ledger-verify.command';
import { policyEvalCommand } from '../policy/policy-eval.command';
import { policyTestCommand } from '../policy/policy-test.command';
import { approveCommand } from '../verification/approve.command';
import { verifyCommand } from '../gate/verify.command';
import type { CliCommand } from './command';
import { serveCommand } from './serve.command';
import { demoCommand } from '../demo/demo.command';

/**
 * Every gitseal command. Each lives in its feature's folder (e.g. src/ledger/ledger-verify.command.ts)
 * or in src/cli/, and is listed here.
 */
export const COMMANDS: CliCommand[] = [
  serveCommand,
  demoCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  ledgerVerifyCommand,
  approveCommand,
  verifyCommand,
  policyEvalCommand,
  policyTestCommand,
];
