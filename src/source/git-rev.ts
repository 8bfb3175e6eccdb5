import { spawn } from 'node:child_process';
import { DomainException } from '../common/domain.exception';
import type { GitObjectReader } from './git-object-reader';

/**
 * Read-only Git plumbing over the system `git`: rev walks, ancestry, changed files, trees and the
 * approvals note. Every call spawns git with an argument array (never a shell), a timeout and an
 * output cap; every rev is validated first. Everything read from a repository is hostile input.
 */

export type GitErrorCode =
  | 'git-failed' // git exited with an error
  | 'git-timeout'
  | 'git-invalid-rev' // a rev or object id refused before reaching git
  | 'git-unknown-rev' // a well-formed rev that names nothing
  | 'git-output-too-large'
  | 'git-object-too-large'
  | 'git-process-died' // the long-running cat-file process ended
  | 'git-protocol'; // git printed something that does not parse

export class GitException extends DomainException {
  constructor(
    override readonly code: GitErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, categoryOf(code), message, details);
  }
}

function categoryOf(code: GitErrorCode) {
  switch (code) {
    case 'git-invalid-rev':
      return 'invalid' as const;
    case 'git-unknown-rev':
      return 'not-found' as const;
    case 'git-output-too-large':
    case 'git-object-too-large':
      return 'too-large' as const;
    case 'git-timeout':
    case 'git-process-died':
      return 'unavailable' as const;
    default:
      return 'internal' as const;
  }
}

export const APPROVALS_NOTES_REF = 'refs/notes/gitseal-approvals';
export const DEFAULT_GIT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;
const MAX_REV_LENGTH = 1024;
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export interface GitRunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  maxOutputBytes?: number;
  /** Exit codes that are answers, not failures (default [0]). */
  okCodes?: number[];
  /** Base environment (default: this process's); gitEnv() settings are always added. */
  env?: NodeJS.ProcessEnv;
}

export interface GitRunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * The environment every git call gets: `base` (default: this process's environment; pass a
 * minimal one, e.g. a mirror's, to keep the service's variables away from git) plus: never
 * prompt, never substitute objects from refs/replace (a pushed replace ref would make git show
 * other bytes than the signed ones), stable messages.
 */
export function gitEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    GIT_TERMINAL_PROMPT: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_NO_LAZY_FETCH: '1',
    LC_ALL: 'C',
  };
}

export function isObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}

export function assertObjectId(value: string): string {
  if (!isObjectId(value)) throw new GitException('git-invalid-rev', `not a full object id: ${printable(value)}`);
  return value;
}

/** Refuses revs git could read as options or that carry control characters. */
export function assertRev(rev: string): string {
  if (rev.length === 0 || rev.length > MAX_REV_LENGTH) throw new GitException('git-invalid-rev', 'empty or overlong rev');
  if (rev.startsWith('-')) throw new GitException('git-invalid-rev', `a rev may not start with '-': ${printable(rev)}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(rev)) throw new GitException('git-invalid-rev', `control character in rev ${printable(rev)}`);
  return rev;
}

/** Runs `git -C repo args…`; rejects on a failure exit code, a timeout or too much output. */
export function runGit(repo: string, args: string[], options: GitRunOptions = {}): Promise<GitRunResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const okCodes = options.okCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repo, ...args], { env: gitEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let failure: GitException | undefined;
    const timer = setTimeout(() => {
      failure = new GitException('git-timeout', `git ${args[0]} timed out after ${timeoutMs} ms`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxOutput && !failure) {
        failure = new GitException('git-output-too-large', `git ${args[0]} printed more than ${maxOutput} bytes`);
        child.kill('SIGKILL');
      } else if (!failure) out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errBytes += chunk.length;
      if (errBytes <= 64 * 1024) err.push(chunk);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new GitException('git-failed', `cannot run git: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      const result = { code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
      if (okCodes.includes(result.code)) resolve(result);
      else reject(new GitException('git-failed', `git ${args[0]} failed (exit ${result.code}): ${firstLine(result.stderr)}`));
    });
    child.stdin.on('error', () => undefined); // git may exit before reading its input
    child.stdin.end(options.input ?? '');
  });
}

/** Resolves a rev to the full id of the commit it names. */
export async function resolveCommit(repo: string, rev: string, options: GitRunOptions = {}): Promise<string> {
  assertRev(rev);
  const result = await runGit(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
    ...options,
    okCodes: [0, 1],
  });
  const sha = result.stdout.toString('utf8').trim();
  if (result.code !== 0 || !isObjectId(sha)) throw new GitException('git-unknown-rev', `no commit named ${printable(rev)}`);
  return sha;
}

/**
 * Commits reachable from `to` and not from `from`, oldest first, parents before children
 * (`git rev-list --reverse --topo-order from..to`). Without `from`: the whole history of `to`.
 */
export async function listCommits(
  repo: string,
  range: { from?: string | null; to: string },
  options: GitRunOptions = {},
): Promise<string[]> {
  const to = assertRev(range.to);
  const spec = range.from ? [assertRev(range.from), to].join('..') : to;
  const result = await runGit(repo, ['rev-list', '--reverse', '--topo-order', '--end-of-options', spec], options);
  return parseIdLines(result.stdout.toString('utf8'));
}

/** True when `ancestor` is `descendant` or one of its ancestors (`merge-base --is-ancestor`). */
export async function isAncestor(repo: string, ancestor: string, descendant: string, options: GitRunOptions = {}) {
  const result = await runGit(repo, ['merge-base', '--is-ancestor', assertRev(ancestor), assertRev(descendant)], {
    ...options,
    okCodes: [0, 1],
  });
  return result.code === 0;
}

/** Parent ids of a commit, in order. */
export async function commitParents(repo: string, commit: string, options: GitRunOptions = {}): Promise<string[]> {
  const result = await runGit(repo, ['rev-list', '--parents', '-n', '1', assertObjectId(commit)], options);
  return parseIdLines(result.stdout.toString('utf8').replace(/ /g, '\n')).slice(1);
}

export type FileChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed';

export interface FileChange {
  path: string;
  status: FileChangeStatus;
  /** The path before a rename (or the source of a copy), else null. */
  oldPath: string | null;
}

/** Files changed by a commit against its first parent (all files for a root commit), renames detected. */
export async function changedFiles(repo: string, commit: string, options: GitRunOptions = {}): Promise<FileChange[]> {
  const parents = await commitParents(repo, commit, options);
  const base = ['diff-tree', '-r', '-M', '--name-status', '-z', '--no-commit-id', '--no-ext-diff'];
  const args = parents.length === 0 ? [...base, '--root', commit] : [...base, parents[0], commit];
  const result = await runGit(repo, args, options);
  return parseNameStatus(result.stdout);
}

/** Parses `diff-tree --name-status -z` output: `S\0path\0` or `R087\0old\0new\0`. */
export function parseNameStatus(output: Buffer): FileChange[] {
  const fields = output.toString('utf8').split('\0');
  if (fields[fields.length - 1] === '') fields.pop();
  const changes: FileChange[] = [];
  for (let i = 0; i < fields.length; ) {
    const status = fields[i++];
    const letter = status.charAt(0);
    if (letter === 'R' || letter === 'C') {
      const oldPath = fields[i++];
      const path = fields[i++];
      if (oldPath === undefined || path === undefined) throw protocolError('diff-tree', status);
      changes.push({ path, oldPath, status: letter === 'R' ? 'renamed' : 'added' });
      continue;
    }
    const path = fields[i++];
    if (path === undefined) throw protocolError('diff-tree', status);
    const mapped = ({ A: 'added', M: 'modified', T: 'modified', D: 'deleted' } as const)[letter as 'A'];
    if (!mapped) throw protocolError('diff-tree', status);
    changes.push({ path, status: mapped, oldPath: null });
  }
  return changes;
}

export type TreeEntryKind = 'file' | 'executable' | 'symlink' | 'submodule';

export interface TreeFile {
  /** Full path from the repository root (any bytes git allows: newlines, unicode…). */
  path: string;
  mode: string;
  sha: string;
  kind: TreeEntryKind;
  /** The blob's bytes; null for symlinks (never followed), submodules and skipped blobs. */
  content: Buffer | null;
  skipped?: 'symlink' | 'submodule' | 'too-large' | 'missing';
}

export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  path: string;
}

/** Parses `ls-tree -r -z` output: `<mode> SP <type> SP <sha> TAB <path>\0`. */
export function parseLsTree(output: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.toString('utf8').split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, sha] = record.slice(0, tab).split(' ');
    if (tab < 0 || !mode || !type || !sha || !isObjectId(sha)) throw protocolError('ls-tree', record.slice(0, 80));
    entries.push({ mode, type, sha, path: record.slice(tab + 1) });
  }
  return entries;
}

/**
 * Every file at `commit` under `path` ('' for the whole tree), with blob contents read in batch.
 * Symlinks are reported, never followed; submodules are reported without content; blobs over the
 * reader's size cap are reported as skipped. More than `maxFiles` entries is an error.
 */
export async function readTreeFiles(
  repo: string,
  commit: string,
  path: string,
  reader: GitObjectReader,
  options: GitRunOptions & { maxFiles?: number } = {},
): Promise<TreeFile[]> {
  const prefix = normaliseTreePath(path);
  const result = await runGit(repo, ['ls-tree', '-r', '-z', '--full-tree', assertObjectId(commit)], options);
  const entries = parseLsTree(result.stdout).filter((e) => prefix === '' || e.path === prefix || e.path.startsWith(`${prefix}/`));
  const maxFiles = options.maxFiles ?? 100_000;
  if (entries.length > maxFiles) {
    throw new GitException('git-output-too-large', `${entries.length} files under '${prefix}', more than the limit ${maxFiles}`);
  }
  const blobs = entries.filter((e) => kindOf(e.mode) === 'file' || kindOf(e.mode) === 'executable');
  const objects = await reader.readMany(blobs.map((b) => b.sha));
  const bySha = new Map(objects.map((o) => [o.sha, o]));
  return entries.map((e) => toTreeFile(e, bySha.get(e.sha)));
}

function toTreeFile(entry: TreeEntry, object: Awaited<ReturnType<GitObjectReader['read']>> | undefined): TreeFile {
  const kind = kindOf(entry.mode);
  const base = { path: entry.path, mode: entry.mode, sha: entry.sha, kind };
  if (kind === 'symlink' || kind === 'submodule') return { ...base, content: null, skipped: kind };
  if (!object || object.status === 'missing') return { ...base, content: null, skipped: 'missing' };
  if (object.status === 'too-large') return { ...base, content: null, skipped: 'too-large' };
  return { ...base, content: object.data };
}

function kindOf(mode: string): TreeEntryKind {
  if (mode === '120000') return 'symlink';
  if (mode === '160000') return 'submodule';
  if (mode === '100755') return 'executable';
  return 'file';
}

/** 'deploy/', './deploy', 'deploy' → 'deploy'; '', '.', '/' → ''; '..' segments are refused. */
export function normaliseTreePath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new GitException('git-invalid-rev', `path may not contain '..': ${printable(path)}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000]/.test(path)) throw new GitException('git-invalid-rev', 'NUL in path');
  return parts.join('/');
}

/**
 * The note attached to `commit` under refs/notes/gitseal-approvals, or null when there is none.
 * Notes larger than `maxBytes` (default 1 MiB) are refused.
 */
export async function readApprovalNote(
  repo: string,
  commit: string,
  options: GitRunOptions & { maxBytes?: number; ref?: string } = {},
): Promise<string | null> {
  const ref = options.ref ?? APPROVALS_NOTES_REF;
  assertRev(ref);
  const listed = await runGit(repo, ['notes', `--ref=${ref}`, 'list', assertObjectId(commit)], { ...options, okCodes: [0, 1] });
  if (listed.code === 1) {
    if (/no note found/i.test(listed.stderr)) return null;
    throw new GitException('git-failed', `git notes list failed: ${firstLine(listed.stderr)}`);
  }
  const noteBlob = assertObjectId(listed.stdout.toString('utf8').trim());
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const size = Number((await runGit(repo, ['cat-file', '-s', noteBlob], options)).stdout.toString('utf8').trim());
  if (!Number.isSafeInteger(size) || size > maxBytes) {
    throw new GitException('git-object-too-large', `approval note on ${commit} is ${size} bytes, over the limit ${maxBytes}`);
  }
  return (await runGit(repo, ['cat-file', 'blob', noteBlob], options)).stdout.toString('utf8');
}

/** The tree of a commit. */
export async function commitTree(repo: string, commit: string, options: GitRunOptions = {}): Promise<string> {
  const result = await runGit(repo, ['rev-parse', '--verify', '--quiet', `${assertObjectId(commit)}^{tree}`], { ...options, okCodes: [0, 1] });
  const tree = result.stdout.toString('utf8').trim();
  if (result.code !== 0 || !isObjectId(tree)) throw new GitException('git-unknown-rev', `no tree for commit ${commit}`);
  return tree;
}

/** Appends text to the note on `commit` (creating it), as `git notes append` does: a blank line between. */
export async function appendNote(
  repo: string,
  commit: string,
  text: string,
  options: GitRunOptions & { ref?: string } = {},
): Promise<void> {
  const ref = assertRev(options.ref ?? APPROVALS_NOTES_REF);
  await runGit(repo, ['notes', `--ref=${ref}`, 'append', '-F', '-', assertObjectId(commit)], { ...options, input: text });
}

/** `git config --get key` in the repository, or null when unset. */
export async function readConfig(repo: string, key: string, options: GitRunOptions = {}): Promise<string | null> {
  if (!/^[A-Za-z][A-Za-z0-9-]*(\.[^\n\0]+)?\.[A-Za-z][A-Za-z0-9-]*$/.test(key)) {
    throw new GitException('git-invalid-rev', `not a config key: ${printable(key)}`);
  }
  const result = await runGit(repo, ['config', '--get', key], { ...options, okCodes: [0, 1] });
  return result.code === 0 ? result.stdout.toString('utf8').replace(/\n$/, '') : null;
}

function parseIdLines(text: string): string[] {
  const ids = text.split('\n').filter((l) => l !== '');
  for (const id of ids) if (!isObjectId(id)) throw protocolError('rev-list', id);
  return ids;
}

function protocolError(command: string, found: string): GitException {
  return new GitException('git-protocol', `unexpected output from git ${command}: ${printable(found)}`);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 500) ?? '';
}

/** A value safe to put in a message: control characters escaped, length capped. */
export function printable(value: string): string {
  const shown = JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  return shown;
}
