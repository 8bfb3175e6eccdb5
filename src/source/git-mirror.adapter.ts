import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepositoryCredentials } from '../config/gitseal-file';
import { Coalescer } from './coalescer';
import { assertCredentialsFit, ensureAskPass, ensurePrivateDir, resolveCredentials } from './git-credentials';
import { closedError, runGitCommand, type GitCommand } from './git-command';
import { buildGitEnv, debugLogsGit } from './git-env';
import { objectFormatOf, parseRefLines, PIN_PREFIX, pinRef } from './git-refs';
import { APPROVALS_NOTES_REF, assertObjectId } from './git-rev';
import { parseRemoteUrl, type RemoteUrl } from './remote-url';
import { SourceException } from './source.exception';

export interface MirrorRepository {
  id: string;
  url: string;
  branch: string;
  credentials?: RepositoryCredentials;
}

export interface GitMirrorOptions {
  /** Mirrors live in `<dataDir>/mirrors/<id>.git`. */
  dataDir: string;
  repository: MirrorRepository;
  /** Deadline of one whole fetch, ls-remote and transfer together (default 5 min). */
  fetchTimeoutMs?: number;
  /** Source of PATH, proxy and CA settings and of credentials.passwordEnv (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface FetchResult {
  /** The branch head after the fetch. */
  head: string;
  /** The branch head before it (null on the first fetch). */
  previousHead: string | null;
  /** The approvals notes ref after and before (null when absent). */
  notes: string | null;
  previousNotes: string | null;
  /** The head moved to a commit that does not descend from the previous one; that one is pinned. */
  rewritten: boolean;
  /** False when the remote advertised exactly what the mirror had, so nothing was transferred. */
  transferred: boolean;
}

interface Access {
  network: Record<string, string>;
  secrets: string[];
  /** One deadline for the whole fetch: ls-remote and the transfer together. */
  deadline: AbortSignal;
}

const DEFAULT_FETCH_TIMEOUT_MS = 5 * 60_000;
const LOCAL_TIMEOUT_MS = 60_000;
const GC_TIMEOUT_MS = 10 * 60_000;
const SSH_CONNECT_TIMEOUT_S = 30;

/**
 * A bare mirror of one configured repository, over simple-git and the system git. `fetch()` brings
 * exactly the configured branch and the approvals notes ref, forced, so rewritten history is seen
 * rather than refused; a rewritten head stays reachable under `refs/gitseal/rewritten/<sha>`, and
 * `pin()` keeps any commit gitseal decided or synced reachable, so `git gc` never prunes them.
 * Fetches are coalesced: one at a time, and requests during a fetch share one more after it.
 */
export class GitMirror {
  readonly path: string;
  readonly remote: RemoteUrl;
  private readonly root: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly fetchTimeoutMs: number;
  private readonly fetches = new Coalescer(() => this.fetchOnce());
  private readonly closing = new AbortController();

  constructor(private readonly options: GitMirrorOptions) {
    const { repository } = options;
    if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(repository.id)) {
      throw new SourceException('source.invalid-name', `not a valid repository id: ${JSON.stringify(repository.id.slice(0, 80))}`);
    }
    this.remote = parseRemoteUrl(repository.url);
    assertCredentialsFit(this.remote, repository.credentials);
    this.root = join(options.dataDir, 'mirrors');
    this.path = join(this.root, `${repository.id}.git`);
    this.env = options.env ?? process.env;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  }

  get repositoryId(): string {
    return this.options.repository.id;
  }

  get branchRef(): string {
    return `refs/heads/${this.options.repository.branch}`;
  }

  /** Fetches (or joins the fetch that will start next); resolves with the refs after it. */
  fetch(): Promise<FetchResult> {
    if (this.closing.signal.aborted) return Promise.reject(this.closedError());
    return this.fetches.run();
  }

  /** The mirrored branch head, or null before the first successful fetch. */
  async head(): Promise<string | null> {
    if (!(await this.exists())) return null;
    return (await this.localRefs()).branch;
  }

  /** Keeps `sha` reachable as `refs/gitseal/<name>` (moves an existing pin of that name). */
  async pin(name: string, sha: string): Promise<void> {
    const ref = pinRef(name);
    assertObjectId(sha);
    await this.requireRepository();
    await this.git(['update-ref', '-m', 'gitseal pin', ref, sha], this.local());
  }

  async unpin(name: string): Promise<void> {
    const ref = pinRef(name);
    await this.requireRepository();
    await this.git(['update-ref', '-d', ref], this.local());
  }

  /** Every pin, by name. */
  async pins(): Promise<Map<string, string>> {
    if (!(await this.exists())) return new Map();
    const out = await this.git(['for-each-ref', '--format=%(objectname)%09%(refname)', PIN_PREFIX], this.local());
    const refs = parseRefLines(out, (ref) => ref.startsWith(PIN_PREFIX));
    return new Map([...refs].map(([ref, sha]) => [ref.slice(PIN_PREFIX.length), sha]));
  }

  /** Aborts running git processes; later calls fail with source.closed. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.fetches.idle();
  }

  private async fetchOnce(): Promise<FetchResult> {
    const access = await this.access();
    const advertised = await this.advertised(access);
    await this.ensureRepository(objectFormatOf(advertised.branch));
    const before = await this.localRefs();
    const transferred = before.branch !== advertised.branch || before.notes !== advertised.notes;
    if (transferred) await this.transfer(advertised, before.notes, access);
    const after = await this.localRefs();
    if (!after.branch) throw new SourceException('source.mirror-failed', `the mirror of ${this.repositoryId} has no ${this.branchRef} after fetching`);
    const rewritten = before.branch !== null && before.branch !== after.branch && !(await this.isAncestor(before.branch, after.branch));
    if (rewritten) await this.pin(`rewritten/${before.branch}`, before.branch as string);
    if (transferred) await this.git(['gc', '--auto', '--quiet'], this.local(GC_TIMEOUT_MS));
    return { head: after.branch, previousHead: before.branch, notes: after.notes, previousNotes: before.notes, rewritten, transferred };
  }

  /** What the remote has now: one ls-remote, so an unchanged remote costs no fetch at all. */
  private async advertised(access: Access): Promise<{ branch: string; notes: string | null }> {
    const wanted = [this.branchRef, APPROVALS_NOTES_REF];
    const out = await this.git(['ls-remote', '--end-of-options', this.remote.url, ...wanted], this.network(access, this.root));
    const refs = parseRefLines(out, wanted);
    const branch = refs.get(this.branchRef);
    if (!branch) throw new SourceException('source.branch-missing', `${this.remote.display} has no branch ${this.options.repository.branch}`);
    const notes = refs.get(APPROVALS_NOTES_REF) ?? null;
    if (notes && objectFormatOf(notes) !== objectFormatOf(branch)) throw new SourceException('source.fetch-failed', 'the remote advertised ids of two object formats');
    return { branch, notes };
  }

  private async transfer(advertised: { notes: string | null }, localNotes: string | null, access: Access): Promise<void> {
    const refspecs = [`+${this.branchRef}:${this.branchRef}`];
    if (advertised.notes) refspecs.push(`+${APPROVALS_NOTES_REF}:${APPROVALS_NOTES_REF}`);
    const args = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', '--end-of-options', this.remote.url, ...refspecs];
    await this.git(args, this.network(access, this.path));
    if (!advertised.notes && localNotes) {
      // The remote dropped its approvals notes: mirror that (the ledger keeps what was recorded).
      await this.git(['update-ref', '-d', APPROVALS_NOTES_REF, localNotes], this.local());
    }
  }

  private async localRefs(): Promise<{ branch: string | null; notes: string | null }> {
    const wanted = [this.branchRef, APPROVALS_NOTES_REF];
    const out = await this.git(['for-each-ref', '--format=%(objectname)%09%(refname)', ...wanted], this.local());
    const refs = parseRefLines(out, wanted);
    return { branch: refs.get(this.branchRef) ?? null, notes: refs.get(APPROVALS_NOTES_REF) ?? null };
  }

  private async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const out = await this.git(['rev-list', '-n', '1', assertObjectId(ancestor), `^${assertObjectId(descendant)}`], this.local());
    return out.trim() === '';
  }

  private async ensureRepository(format: 'sha1' | 'sha256'): Promise<void> {
    if (await this.exists()) {
      const current = (await this.git(['rev-parse', '--show-object-format'], this.local())).trim();
      if (current !== format) {
        throw new SourceException('source.mirror-failed', `the remote uses ${format} object ids but the mirror ${this.path} uses ${current}; move the mirror away to re-create it`);
      }
      return;
    }
    const init = ['init', '--bare', '--quiet', `--initial-branch=${this.options.repository.branch}`, `--object-format=${format}`, this.path];
    await this.git(init, { ...this.local(), cwd: this.root });
  }

  private async requireRepository(): Promise<void> {
    if (!(await this.exists())) throw new SourceException('source.mirror-failed', `the mirror of ${this.repositoryId} does not exist yet: fetch first`);
  }

  private async exists(): Promise<boolean> {
    return access(join(this.path, 'HEAD')).then(
      () => true,
      () => false,
    );
  }

  private async access(): Promise<Access> {
    await ensurePrivateDir(this.root);
    await ensurePrivateDir(this.home);
    const creds = await resolveCredentials(this.options.repository.credentials, this.env);
    let askPass: { script: string; username: string; password: string } | undefined;
    if (creds.basic) {
      if (debugLogsGit(process.env)) {
        throw new SourceException('source.credentials', "DEBUG turns on simple-git's debug output, which would print the credentials: unset it for gitseal");
      }
      askPass = { script: await ensureAskPass(join(this.root, '.askpass')), ...creds.basic };
    }
    const ssh = { ...creds.ssh, connectTimeoutSeconds: SSH_CONNECT_TIMEOUT_S };
    return {
      network: buildGitEnv({ baseEnv: this.env, home: this.home, ceiling: this.root, askPass, ssh }),
      secrets: creds.secrets,
      deadline: AbortSignal.timeout(this.fetchTimeoutMs),
    };
  }

  private get home(): string {
    return join(this.root, '.home');
  }

  private network(access: Access, cwd: string): GitCommand {
    return { cwd, env: access.network, network: true, secrets: access.secrets, deadline: access.deadline, timeoutMs: this.fetchTimeoutMs };
  }

  private local(timeoutMs = LOCAL_TIMEOUT_MS): GitCommand {
    const env = buildGitEnv({ baseEnv: this.env, home: this.home, ceiling: this.root, ssh: { connectTimeoutSeconds: SSH_CONNECT_TIMEOUT_S } });
    return { cwd: this.path, env, network: false, secrets: [], deadline: AbortSignal.timeout(timeoutMs), timeoutMs };
  }

  private git(args: string[], run: GitCommand): Promise<string> {
    return runGitCommand(args, run, { repositoryId: this.repositoryId, remoteDisplay: this.remote.display, closing: this.closing.signal });
  }

  private closedError(): SourceException {
    return closedError(this);
  }
}
