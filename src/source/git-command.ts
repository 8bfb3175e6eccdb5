import { simpleGit } from 'simple-git';
import { errorMessage } from '../common/domain.exception';
import { GIT_VARIABLES } from './git-env';
import { scrubText } from './remote-url';
import { SourceException } from './source.exception';

/** One git command of a mirror, run through simple-git. */
export interface GitCommand {
  cwd: string;
  env: Record<string, string>;
  /** Talks to the remote: network settings apply and failures are fetch failures. */
  network: boolean;
  /** Values scrubbed from any error text. */
  secrets: readonly string[];
  /** Aborts the command when it fires; `timeoutMs` is what the error message says. */
  deadline: AbortSignal;
  timeoutMs: number;
}

export interface GitCommandContext {
  repositoryId: string;
  remoteDisplay: string;
  /** Aborted when the mirror closes. */
  closing: AbortSignal;
}

/** `-c` settings of network commands: no redirects (credentials never follow to another host), stalls abort, objects checked, no gc mid-fetch. */
const NETWORK_CONFIG = [
  'protocol.version=2',
  'http.followRedirects=false',
  'http.lowSpeedLimit=1000',
  'http.lowSpeedTime=60',
  'fetch.fsckObjects=true',
  'gc.auto=0',
  'maintenance.auto=false',
];
const LOCAL_CONFIG = ['gc.autoDetach=false'];

/**
 * Runs `git <args>` with exactly the given environment (simple-git drops every GIT_* variable not
 * allowed here, and refuses the askpass, ssh command and config path variables unless unlocked:
 * they are set by gitseal only). Failures become SourceExceptions whose text is scrubbed of URL
 * userinfo and of the secrets, and cut to the last lines git printed.
 */
export async function runGitCommand(args: string[], command: GitCommand, context: GitCommandContext): Promise<string> {
  if (context.closing.aborted) throw closedError(context);
  const signal = AbortSignal.any([context.closing, command.deadline]);
  try {
    const git = simpleGit({
      baseDir: command.cwd,
      config: command.network ? NETWORK_CONFIG : LOCAL_CONFIG,
      abort: signal,
      maxConcurrentProcesses: 1,
      trimmed: false,
      allowEnvironment: GIT_VARIABLES,
      unsafe: { allowUnsafeAskPass: true, allowUnsafeSshCommand: true, allowUnsafeConfigPaths: true },
    }).env(command.env);
    return await git.raw(args);
  } catch (err) {
    throw failure(args[0], err, command, context, signal);
  }
}

function failure(name: string, err: unknown, command: GitCommand, context: GitCommandContext, signal: AbortSignal): SourceException {
  if (context.closing.aborted) return closedError(context);
  if (signal.aborted) {
    return new SourceException('source.fetch-timeout', `git ${name} for ${context.repositoryId} did not finish within ${command.timeoutMs / 1000} s`);
  }
  const lines = scrubText(errorMessage(err), command.secrets)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const detail = lines.slice(-4).join(' / ').slice(0, 600) || 'no message';
  const code = command.network ? 'source.fetch-failed' : 'source.mirror-failed';
  return new SourceException(code, `git ${name} for ${context.repositoryId} (${context.remoteDisplay}) failed: ${detail}`);
}

export function closedError(context: Pick<GitCommandContext, 'repositoryId'>): SourceException {
  return new SourceException('source.closed', `the mirror of ${context.repositoryId} is closed`);
}
