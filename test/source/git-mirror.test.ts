import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NOTES_REF } from '../fixtures/git-repo';
import { runProcess } from '../fixtures/run-process';
import { GitMirror } from '../../src/source/git-mirror.adapter';
import { SourceException } from '../../src/source/source.exception';
import { BareRemote, gitIn } from './support/bare-remote';

describe('GitMirror on a local bare remote', () => {
  let remote: BareRemote;
  let dataDir: string;
  let mirror: GitMirror;

  beforeEach(async () => {
    remote = await BareRemote.create();
    dataDir = mkdtempSync(join(tmpdir(), 'gitseal-data-'));
    mirror = new GitMirror({ dataDir, repository: { id: 'shop-config', url: remote.path, branch: 'main' } });
  });

  afterEach(async () => {
    await mirror.close();
    await remote.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const git = (args: string[], okCodes = [0]) => gitIn(mirror.path, args, remote.work.env, okCodes);
  const has = async (sha: string) => (await git(['cat-file', '-e', `${sha}^{commit}`], [0, 1, 128])).code === 0;

  it('creates a private bare mirror on first fetch and brings the branch head', async () => {
    const first = await remote.work.commit({ files: { 'deploy/app.yaml': 'kind: ConfigMap\n' } });
    await remote.publish();
    expect(await mirror.head()).toBeNull();

    const result = await mirror.fetch();

    expect(result).toEqual({ head: first, previousHead: null, notes: null, previousNotes: null, rewritten: false, transferred: true });
    expect(mirror.path).toBe(join(dataDir, 'mirrors', 'shop-config.git'));
    expect((await git(['rev-parse', '--is-bare-repository'])).out).toBe('true');
    expect(statSync(join(dataDir, 'mirrors')).mode & 0o777).toBe(0o700);
    expect(await mirror.head()).toBe(first);
    // Nothing but the two refs it was asked for: no tags, no other branches, no FETCH_HEAD.
    expect((await git(['for-each-ref', '--format=%(refname)'])).out).toBe('refs/heads/main');
    expect(existsSync(join(mirror.path, 'FETCH_HEAD'))).toBe(false);
  });

  it('brings only the configured branch, not other branches or tags', async () => {
    await remote.work.commit();
    await remote.work.tag('v1');
    await remote.work.branch('feature');
    await remote.publish();
    await remote.publish('feature');
    await remote.work.git(['push', '-q', remote.path, 'refs/tags/v1']);

    await mirror.fetch();

    expect((await git(['for-each-ref', '--format=%(refname)'])).out).toBe('refs/heads/main');
  });

  it('sees new commits, reports the previous head, and transfers nothing when the remote has not moved', async () => {
    const a = await remote.work.commit();
    await remote.publish();
    await mirror.fetch();
    const b = await remote.work.commit();
    const c = await remote.work.commit();
    await remote.publish();

    const moved = await mirror.fetch();
    expect(moved).toMatchObject({ head: c, previousHead: a, rewritten: false, transferred: true });
    expect(await has(b)).toBe(true);

    const again = await mirror.fetch();
    expect(again).toMatchObject({ head: c, previousHead: c, transferred: false, rewritten: false });
  });

  it('takes a force-push (rewritten history) and keeps decided and rewritten commits through git gc --prune=now', async () => {
    const base = await remote.work.commit({ message: 'base' });
    const synced = await remote.work.commit({ message: 'synced, then rewritten away' });
    await remote.publish();
    await mirror.fetch();
    await mirror.pin('synced/prod', synced);

    await remote.work.resetHard(base);
    const replacement = await remote.work.commit({ message: 'rewritten' });
    await remote.publish();
    const result = await mirror.fetch();

    expect(result).toMatchObject({ head: replacement, previousHead: synced, rewritten: true, transferred: true });
    expect(Object.fromEntries(await mirror.pins())).toEqual({ 'synced/prod': synced, [`rewritten/${synced}`]: synced });
    await git(['reflog', 'expire', '--expire=now', '--all']);
    await git(['gc', '--quiet', '--prune=now']);
    expect(await has(synced)).toBe(true);
    expect(await has(replacement)).toBe(true);

    // Without the pins the commit goes: the pins are what keeps it.
    await mirror.unpin('synced/prod');
    await mirror.unpin(`rewritten/${synced}`);
    await git(['gc', '--quiet', '--prune=now']);
    expect(await has(synced)).toBe(false);
  });

  it('fetches the approvals notes, sees notes added without a new commit, and follows their removal', async () => {
    const head = await remote.work.commit();
    await remote.publish();
    await mirror.fetch();
    await remote.work.appendNote(head, 'gitseal-approval/v1\n');
    await remote.publish();

    const withNotes = await mirror.fetch();
    const notes = await remote.remoteGit(['rev-parse', NOTES_REF]);
    expect(withNotes).toMatchObject({ head, previousHead: head, notes, previousNotes: null, transferred: true });
    expect((await git(['notes', '--ref', NOTES_REF, 'show', head])).out).toBe('gitseal-approval/v1');

    await remote.work.appendNote(head, 'second approval\n');
    await remote.publish();
    const more = await mirror.fetch();
    expect(more.previousNotes).toBe(notes);
    expect(more.notes).not.toBe(notes);

    await remote.deleteRemoteRef(NOTES_REF);
    const dropped = await mirror.fetch();
    expect(dropped).toMatchObject({ notes: null, previousNotes: more.notes });
  });

  it('refuses a remote branch that points to something other than a commit, keeping the mirror as it was', async () => {
    const head = await remote.work.commit();
    await remote.publish();
    await mirror.fetch();
    const written = await runProcess('git', ['-C', remote.path, 'hash-object', '-w', '--stdin'], { env: remote.work.env, input: 'not a commit' });
    const blob = written.stdout.toString().trim();
    writeFileSync(join(remote.path, 'refs', 'heads', 'main'), `${blob}\n`);
    await expect(mirror.fetch()).rejects.toMatchObject({ code: 'source.fetch-failed', message: expect.stringContaining('non-commit') });
    expect(await mirror.head()).toBe(head);
  });

  it('fails clearly when the branch does not exist on the remote', async () => {
    await remote.work.commit();
    await remote.publish();
    const other = new GitMirror({ dataDir, repository: { id: 'other', url: remote.path, branch: 'release' } });
    await expect(other.fetch()).rejects.toMatchObject({ code: 'source.branch-missing', message: expect.stringContaining('release') });
  });

  it('fails with a clear error when the remote does not exist, and recovers once it does', async () => {
    const url = join(dataDir, 'later.git');
    const later = new GitMirror({ dataDir, repository: { id: 'later', url, branch: 'main' } });
    const err = await later.fetch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceException);
    expect((err as SourceException).code).toBe('source.fetch-failed');
    expect((err as SourceException).message).toMatch(/^git ls-remote for later \(.*later\.git\) failed: .*does not appear to be a git repository/);

    const head = await remote.work.commit();
    await remote.work.git(['clone', '-q', '--bare', remote.work.dir, url]);
    expect((await later.fetch()).head).toBe(head);
  });

  it('coalesces concurrent fetches into the running one plus one more', async () => {
    await remote.work.commit();
    await remote.publish();
    const results = await Promise.all([mirror.fetch(), mirror.fetch(), mirror.fetch(), mirror.fetch()]);
    expect(results[0].transferred).toBe(true);
    // The three calls made during the first fetch shared one follow-up, which found nothing new.
    expect(results.slice(1).map((r) => r.transferred)).toEqual([false, false, false]);
    expect(results[1]).toBe(results[2]);
    expect(results[2]).toBe(results[3]);
  });

  it('mirrors a sha256 repository', async () => {
    const sha256 = await BareRemote.create({ objectFormat: 'sha256' });
    try {
      const head = await sha256.work.commit();
      await sha256.publish();
      const m = new GitMirror({ dataDir, repository: { id: 'sha256-repo', url: `file://${sha256.path}`, branch: 'main' } });
      expect((await m.fetch()).head).toBe(head);
      expect(head).toHaveLength(64);
      expect((await gitIn(m.path, ['rev-parse', '--show-object-format'], sha256.work.env)).out).toBe('sha256');
    } finally {
      await sha256.cleanup();
    }
  });

  it('refuses pins with bad names or ids, and pins before the mirror exists', async () => {
    await expect(mirror.pin('synced/prod', 'a'.repeat(40))).rejects.toMatchObject({ code: 'source.mirror-failed' });
    await remote.work.commit();
    await remote.publish();
    const { head } = await mirror.fetch();
    await expect(mirror.pin('../escape', head)).rejects.toMatchObject({ code: 'source.invalid-name' });
    await expect(mirror.pin('x.lock', head)).rejects.toMatchObject({ code: 'source.invalid-name' });
    await expect(mirror.pin('ok', 'HEAD')).rejects.toMatchObject({ code: 'git-invalid-rev' });
    await expect(mirror.pin('ok', 'b'.repeat(40))).rejects.toMatchObject({ code: 'source.mirror-failed' });
    await mirror.pin('decided/1', head);
    expect(readFileSync(join(mirror.path, 'refs', 'gitseal', 'decided', '1'), 'utf8').trim()).toBe(head);
  });

  it('refuses to work after close', async () => {
    await mirror.close();
    await expect(mirror.fetch()).rejects.toMatchObject({ code: 'source.closed' });
  });
});
