import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitRepoBuilder } from '../../test/fixtures/git-repo';
import { GitObjectReader } from './git-object-reader';
import {
  assertRev,
  changedFiles,
  isAncestor,
  listCommits,
  normaliseTreePath,
  parseNameStatus,
  readApprovalNote,
  readConfig,
  readTreeFiles,
  resolveCommit,
} from './git-rev';

const ODD = 'deploy/odd\nname ünï 🚀\t.yaml';

describe('git-rev', () => {
  let repo: GitRepoBuilder;
  const c: Record<string, string> = {};

  beforeAll(async () => {
    repo = await GitRepoBuilder.init();
    c.root = await repo.commit({ files: { 'deploy/a.yaml': 'a: 1\n', 'deploy2/x.yaml': 'x\n', 'README': 'r\n' } });
    c.second = await repo.commit({ files: { 'deploy/a.yaml': 'a: 2\n', 'deploy/b.yaml': 'b\n', [ODD]: 'odd\n' } });
    await repo.branch('side', c.second);
    c.third = await repo.commit({
      files: { 'deploy/b.yaml': null, 'deploy/moved.yaml': 'a: 2\n', 'deploy/a.yaml': null, 'big.bin': Buffer.alloc(5000, 1) },
    });
    await repo.checkout('side');
    c.side = await repo.commit({ files: { 'side.txt': 'side\n' } });
    await repo.checkout('main');
    c.merge = await repo.merge('side');
    repo.symlink('deploy/link.yaml', '/etc/passwd');
    chmodSync(join(repo.dir, 'README'), 0o755);
    c.tip = await repo.commit({ files: { 'deploy/run.sh': '#!/bin/sh\n' } });
    await repo.tag('v1');
  });
  afterAll(() => repo?.cleanup());

  it('lists commits oldest first, parents before children', async () => {
    const all = await listCommits(repo.dir, { to: 'main' });
    expect(all[0]).toBe(c.root);
    expect(all[all.length - 1]).toBe(c.tip);
    expect(all.indexOf(c.merge)).toBeGreaterThan(all.indexOf(c.side));
    expect(all.indexOf(c.merge)).toBeGreaterThan(all.indexOf(c.third));
    expect(await listCommits(repo.dir, { from: c.merge, to: c.tip })).toEqual([c.tip]);
    expect(await listCommits(repo.dir, { from: c.tip, to: c.tip })).toEqual([]);
  });

  it('answers ancestry, including for rewritten history', async () => {
    expect(await isAncestor(repo.dir, c.root, c.tip)).toBe(true);
    expect(await isAncestor(repo.dir, c.tip, c.root)).toBe(false);
    expect(await isAncestor(repo.dir, c.side, c.third)).toBe(false);
  });

  it('resolves revs to commits and refuses dangerous ones', async () => {
    expect(await resolveCommit(repo.dir, 'main')).toBe(c.tip);
    expect(await resolveCommit(repo.dir, 'v1')).toBe(c.tip); // annotated tag peeled
    expect(await resolveCommit(repo.dir, c.root.slice(0, 12))).toBe(c.root);
    await expect(resolveCommit(repo.dir, 'nope')).rejects.toMatchObject({ code: 'git-unknown-rev' });
    await expect(resolveCommit(repo.dir, '--output=/tmp/x')).rejects.toMatchObject({ code: 'git-invalid-rev' });
    await expect(resolveCommit(repo.dir, 'main\nHEAD')).rejects.toMatchObject({ code: 'git-invalid-rev' });
    await expect(listCommits(repo.dir, { from: '-n1', to: 'main' })).rejects.toMatchObject({ code: 'git-invalid-rev' });
    expect(() => assertRev('')).toThrow();
  });

  it('lists changed files against the first parent, NUL-safe, with renames', async () => {
    expect(await changedFiles(repo.dir, c.root)).toEqual([
      { path: 'README', status: 'added', oldPath: null },
      { path: 'deploy/a.yaml', status: 'added', oldPath: null },
      { path: 'deploy2/x.yaml', status: 'added', oldPath: null },
    ]);
    const second = await changedFiles(repo.dir, c.second);
    expect(second).toContainEqual({ path: ODD, status: 'added', oldPath: null });
    expect(second).toContainEqual({ path: 'deploy/a.yaml', status: 'modified', oldPath: null });
    const third = await changedFiles(repo.dir, c.third);
    expect(third).toContainEqual({ path: 'deploy/moved.yaml', status: 'renamed', oldPath: 'deploy/a.yaml' });
    expect(third).toContainEqual({ path: 'deploy/b.yaml', status: 'deleted', oldPath: null });
    expect(await changedFiles(repo.dir, c.merge)).toEqual([{ path: 'side.txt', status: 'added', oldPath: null }]);
  });

  it('parses name-status output strictly', () => {
    expect(parseNameStatus(Buffer.from('T\0a\0C075\0x\0y\0'))).toEqual([
      { path: 'a', status: 'modified', oldPath: null },
      { path: 'y', status: 'added', oldPath: 'x' },
    ]);
    expect(() => parseNameStatus(Buffer.from('Z\0a\0'))).toThrow(/unexpected output/);
    expect(() => parseNameStatus(Buffer.from('R100\0only-one\0'))).toThrow(/unexpected output/);
  });

  it('reads the files under a path without following symlinks', async () => {
    const reader = new GitObjectReader(repo.dir, { maxObjectBytes: 1000 });
    try {
      const files = await readTreeFiles(repo.dir, c.tip, 'deploy/', reader);
      const byPath = new Map(files.map((f) => [f.path, f]));
      expect([...byPath.keys()].sort()).toEqual(['deploy/link.yaml', 'deploy/moved.yaml', 'deploy/run.sh', ODD].sort());
      expect(byPath.get(ODD)?.content?.toString()).toBe('odd\n');
      expect(byPath.get('deploy/link.yaml')).toMatchObject({ kind: 'symlink', content: null, skipped: 'symlink' });
      expect(byPath.get('deploy/run.sh')?.kind).toBe('file');
      const root = await readTreeFiles(repo.dir, c.tip, '', reader);
      expect(root.find((f) => f.path === 'big.bin')).toMatchObject({ skipped: 'too-large', content: null });
      expect(root.find((f) => f.path === 'README')?.kind).toBe('executable');
      expect(await readTreeFiles(repo.dir, c.tip, 'missing/dir', reader)).toEqual([]);
      expect((await readTreeFiles(repo.dir, c.tip, 'deploy2', reader)).map((f) => f.path)).toEqual(['deploy2/x.yaml']);
      await expect(readTreeFiles(repo.dir, c.tip, '', reader, { maxFiles: 2 })).rejects.toMatchObject({
        code: 'git-output-too-large',
      });
    } finally {
      await reader.close();
    }
  });

  it('normalises tree paths and refuses escapes', () => {
    expect(normaliseTreePath('./deploy//apps/')).toBe('deploy/apps');
    expect(normaliseTreePath('/')).toBe('');
    expect(() => normaliseTreePath('deploy/../..')).toThrow(/\.\./);
  });

  it('reads the approvals note, null when absent, refusing huge notes', async () => {
    expect(await readApprovalNote(repo.dir, c.tip)).toBeNull();
    await repo.appendNote(c.tip, 'one\n');
    await repo.appendNote(c.tip, 'two\n');
    expect(await readApprovalNote(repo.dir, c.tip)).toBe('one\n\ntwo\n');
    expect(await readApprovalNote(repo.dir, c.root)).toBeNull();
    await expect(readApprovalNote(repo.dir, c.tip, { maxBytes: 3 })).rejects.toMatchObject({ code: 'git-object-too-large' });
    const mirror = await repo.clone({ mirror: true });
    expect(await readApprovalNote(mirror, c.tip)).toBe('one\n\ntwo\n');
  });

  it('reads config values', async () => {
    expect(await readConfig(repo.dir, 'gitseal.repository')).toBeNull();
    await repo.git(['config', 'gitseal.repository', 'shop-config']);
    expect(await readConfig(repo.dir, 'gitseal.repository')).toBe('shop-config');
    await expect(readConfig(repo.dir, '--global')).rejects.toMatchObject({ code: 'git-invalid-rev' });
  });
});
