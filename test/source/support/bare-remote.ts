import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRepoBuilder, NOTES_REF } from '../../fixtures/git-repo';
import { runProcess } from '../../fixtures/run-process';

/**
 * A work repository (GitRepoBuilder) and a bare "remote" it pushes to, as a Git server would hold
 * it: `publish()` force-pushes the branch and the approvals notes, so rewritten history reaches
 * the remote exactly as a force-push would. `projectRoot` holds the bare repository as `name`.
 */
export class BareRemote {
  private constructor(
    readonly work: GitRepoBuilder,
    readonly projectRoot: string,
    readonly name: string,
  ) {}

  static async create(options: { objectFormat?: 'sha1' | 'sha256'; name?: string } = {}): Promise<BareRemote> {
    const work = await GitRepoBuilder.init({ objectFormat: options.objectFormat });
    const projectRoot = mkdtempSync(join(tmpdir(), 'gitseal-remote-'));
    const name = options.name ?? 'config.git';
    await runProcess('git', ['init', '-q', '--bare', `--object-format=${options.objectFormat ?? 'sha1'}`, join(projectRoot, name)], { env: work.env });
    return new BareRemote(work, projectRoot, name);
  }

  get path(): string {
    return join(this.projectRoot, this.name);
  }

  /** Force-pushes `branch` (and the notes ref when it exists locally). */
  async publish(branch = 'main', options: { notes?: boolean } = {}): Promise<void> {
    const refspecs = [`+refs/heads/${branch}:refs/heads/${branch}`];
    if (options.notes !== false && (await this.hasNotes())) refspecs.push(`+${NOTES_REF}:${NOTES_REF}`);
    await this.work.git(['push', '-q', this.path, ...refspecs]);
  }

  async deleteRemoteRef(ref: string): Promise<void> {
    await this.remoteGit(['update-ref', '-d', ref]);
  }

  async remoteGit(args: string[]): Promise<string> {
    return (await runProcess('git', ['-C', this.path, ...args], { env: this.work.env })).stdout.toString('utf8').trim();
  }

  async cleanup(): Promise<void> {
    await this.work.cleanup();
    rmSync(this.projectRoot, { recursive: true, force: true });
  }

  private async hasNotes(): Promise<boolean> {
    const out = await this.work.git(['for-each-ref', NOTES_REF]);
    return out !== '';
  }
}

/** `git` in a mirror, as an operator would run it (e.g. gc), isolated from user configuration. */
export async function gitIn(repo: string, args: string[], env: NodeJS.ProcessEnv, okCodes = [0]): Promise<{ code: number; out: string }> {
  const result = await runProcess('git', ['-C', repo, ...args], { env, okCodes });
  return { code: result.code, out: result.stdout.toString('utf8').trim() };
}
