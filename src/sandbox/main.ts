import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSandboxApiServer } from './sandbox-server';

const HELP = `usage: node dist/src/sandbox/main.js [--port N] [--kubeconfig FILE] [--state FILE] [--token T] [--delay MS]

Starts the gitseal sandbox Kubernetes API server on 127.0.0.1 (for demos and tests; never a real cluster).
  --port N           port to listen on (default 0: a free port)
  --kubeconfig FILE  write a kubeconfig for the sandbox (context "sandbox") to FILE
  --state FILE       keep objects in FILE across restarts
  --token T          require "Authorization: Bearer T" on every request
  --delay MS         delay before simulated workloads become ready (default 300)
`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        kubeconfig: { type: 'string' },
        state: { type: 'string' },
        token: { type: 'string' },
        delay: { type: 'string', default: '300' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = Number(args.port);
  const delay = Number(args.delay);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isFinite(delay) || delay < 0) {
    process.stderr.write(`--port must be 0..65535 and --delay a non-negative number\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const sandbox = await startSandboxApiServer({ port, stateFile: args.state, token: args.token, controllerDelayMs: delay });
  if (args.kubeconfig) writeFileSync(args.kubeconfig, sandbox.kubeConfigYaml(), { mode: 0o600 });
  process.stdout.write(`sandbox API server listening on ${sandbox.url}${args.kubeconfig ? `; kubeconfig written to ${args.kubeconfig}` : ''}\n`);
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) void main();
