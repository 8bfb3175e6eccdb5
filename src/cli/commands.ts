import type { CliCommand } from './command';

/**
 * A command as the overview lists it. Its module (and the services it needs) loads only when the
 * command runs or prints its help: loading every command's module took a `gitseal verify` call,
 * which a pre-receive hook makes on every push, some 240 ms before it could start.
 */
export interface CommandEntry {
  /** Words that select the command, e.g. ['ledger', 'verify']. */
  readonly path: readonly string[];
  readonly summary: string;
  load(): Promise<CliCommand>;
}

/**
 * Every gitseal command. Each lives in its feature's folder (e.g. src/ledger/ledger-verify.command.ts)
 * or in src/cli/, and is listed here.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['serve'],
    summary: 'run the service (configuration from the environment; see README)',
    load: () => import('./serve.command').then((m) => m.serveCommand),
  },
  {
    path: ['demo'],
    summary: 'run the whole path on this machine: signed commits, the gate, a sandbox cluster, the ledger',
    load: () => import('../demo/demo.command').then((m) => m.demoCommand),
  },
  { path: ['token', 'create'], summary: 'create an API token (printed once)', load: () => import('../auth/token.command').then((m) => m.tokenCreateCommand) },
  { path: ['token', 'list'], summary: 'list API tokens (never their secrets)', load: () => import('../auth/token.command').then((m) => m.tokenListCommand) },
  { path: ['token', 'revoke'], summary: 'revoke an API token by id', load: () => import('../auth/token.command').then((m) => m.tokenRevokeCommand) },
  {
    path: ['ledger', 'verify'],
    summary: 'verify an exported evidence bundle offline',
    load: () => import('../ledger/ledger-verify.command').then((m) => m.ledgerVerifyCommand),
  },
  {
    path: ['approve'],
    summary: 'sign an approval (or a seal) for a commit with your gpg key and add it to the notes',
    load: () => import('../verification/approve.command').then((m) => m.approveCommand),
  },
  {
    path: ['verify'],
    summary: 'decide commits as the gate does (signature, approvals, policies): for CI and pre-receive hooks',
    load: () => import('../gate/verify.command').then((m) => m.verifyCommand),
  },
  {
    path: ['policy', 'eval'],
    summary: 'evaluate a Rego query (like opa eval), JSON out',
    load: () => import('../policy/policy-eval.command').then((m) => m.policyEvalCommand),
  },
  {
    path: ['policy', 'test'],
    summary: 'run the Rego tests of a policy folder (like opa test)',
    load: () => import('../policy/policy-test.command').then((m) => m.policyTestCommand),
  },
];
