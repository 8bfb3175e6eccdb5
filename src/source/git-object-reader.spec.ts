import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitRepoBuilder } from '../../test/fixtures/git-repo';
import { ByteQueue, GitObjectReader } from './git-object-reader';
import { GitException } from './git-rev';

describe('GitObjectReader', () => {
  let repo: GitRepoBuilder;
  let blobs: Array<{ sha: string; content: Buffer }>;

  beforeAll(async () => {
    repo = await GitRepoBuilder.init();
    const binary = Buffer.from([0, 1, 2, 10, 13, 255, 0, 10, 10, 0x80, 0xfe]);
    const contents = [Buffer.alloc(0), binary, Buffer.from('no trailing newline'), Buffer.alloc(100_000, 'x')];
    for (let i = 0; i < 400; i++) contents.push(Buffer.from(`file ${i}\n`));
    const shas = (await repo.git(['hash-object', '-w', '--stdin-paths'], { input: writeAll(repo, contents) })).split('\n');
    blobs = contents.map((content, i) => ({ sha: shas[i], content }));
  });
  afterAll(() => repo?.cleanup());

  it('reads many objects in one batch, in order, binary-safe', async () => {
    const reader = new GitObjectReader(repo.dir);
    try {
      const results = await reader.readMany(blobs.map((b) => b.sha));
      expect(results).toHaveLength(blobs.length);
      results.forEach((r, i) => {
        expect(r.status).toBe('ok');
        if (r.status === 'ok') {
          expect(r.type).toBe('blob');
          expect(r.data.equals(blobs[i].content)).toBe(true);
        }
      });
      // small reads across chunk boundaries, reusing the same process
      const pid = reader.processId();
      for (const b of blobs.slice(0, 20)) {
        const one = await reader.read(b.sha);
        expect(one.status === 'ok' && one.data.equals(b.content)).toBe(true);
      }
      expect(reader.processId()).toBe(pid);
    } finally {
      await reader.close();
    }
  });

  it('reports missing objects and keeps going', async () => {
    const reader = new GitObjectReader(repo.dir);
    try {
      const missing = 'f'.repeat(40);
      const results = await reader.readMany([blobs[1].sha, missing, blobs[2].sha]);
      expect(results.map((r) => r.status)).toEqual(['ok', 'missing', 'ok']);
      expect(results[1]).toEqual({ status: 'missing', sha: missing });
      expect((await reader.read(blobs[2].sha)).status).toBe('ok');
    } finally {
      await reader.close();
    }
  });

  it('never reads objects over the size cap', async () => {
    const reader = new GitObjectReader(repo.dir, { maxObjectBytes: 1000 });
    try {
      const results = await reader.readMany([blobs[3].sha, blobs[4].sha]);
      expect(results[0]).toEqual({ status: 'too-large', sha: blobs[3].sha, type: 'blob', size: 100_000 });
      expect(results[1].status).toBe('ok');
    } finally {
      await reader.close();
    }
  });

  it('splits big batches into rounds', async () => {
    const reader = new GitObjectReader(repo.dir, { maxObjectBytes: 100_000, roundBytes: 1 });
    try {
      const results = await reader.readMany(blobs.slice(0, 10).map((b) => b.sha));
      results.forEach((r, i) => expect(r.status === 'ok' && r.data.equals(blobs[i].content)).toBe(true));
    } finally {
      await reader.close();
    }
  });

  it('reads the real object, never a replacement from refs/replace', async () => {
    const real = await repo.commit({ message: 'real' });
    const fake = await repo.commit({ message: 'fake' });
    await repo.git(['replace', '-f', real, fake]);
    expect(await repo.git(['cat-file', 'commit', real])).toContain('fake'); // what plain git shows
    const reader = new GitObjectReader(repo.dir);
    try {
      const result = await reader.read(real);
      expect(result.status === 'ok' && result.data.toString()).toContain('\n\nreal\n');
    } finally {
      await reader.close();
      await repo.git(['replace', '-d', real]);
    }
  });

  it('refuses anything but full object ids (no command injection)', async () => {
    const reader = new GitObjectReader(repo.dir);
    try {
      for (const bad of ['HEAD', '-p', `${blobs[0].sha}\ncontents HEAD`, blobs[0].sha.slice(0, 39), '']) {
        await expect(reader.read(bad)).rejects.toMatchObject({ code: 'git-invalid-rev' });
      }
    } finally {
      await reader.close();
    }
  });

  it('starts a new process when git dies, and fails clearly for a broken repository', async () => {
    const reader = new GitObjectReader(repo.dir);
    try {
      await reader.read(blobs[0].sha);
      const pid = reader.processId();
      expect(pid).toBeGreaterThan(0);
      process.kill(pid as number, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      expect((await reader.read(blobs[1].sha)).status).toBe('ok');
      expect(reader.processId()).not.toBe(pid);
    } finally {
      await reader.close();
    }
    const broken = new GitObjectReader('/nonexistent/repository');
    await expect(broken.read(blobs[0].sha)).rejects.toBeInstanceOf(GitException);
    await expect(broken.read(blobs[0].sha)).rejects.toMatchObject({ code: 'git-process-died' });
    await broken.close();
  });

  it('times out and kills a process that does not answer in time', async () => {
    const reader = new GitObjectReader(repo.dir, { timeoutMs: 1 });
    await expect(reader.readMany(blobs.map((b) => b.sha))).rejects.toMatchObject({ code: 'git-timeout' });
    await reader.close();
    await expect(reader.read(blobs[0].sha)).rejects.toMatchObject({ code: 'git-process-died' });
  });
});

describe('ByteQueue', () => {
  it('reads lines and exact byte counts across chunk boundaries', async () => {
    const q = new ByteQueue();
    const line = q.readLine(100);
    q.push(Buffer.from('ab'));
    q.push(Buffer.from('c\nxy'));
    expect(await line).toBe('abc');
    const bytes = q.readBytes(4);
    q.push(Buffer.from('z'));
    q.push(Buffer.from('w!'));
    expect((await bytes).toString()).toBe('xyzw');
    expect((await q.readBytes(1)).toString()).toBe('!');
  });

  it('refuses overlong lines and rejects waiting reads on failure', async () => {
    const q = new ByteQueue();
    q.push(Buffer.alloc(50, 'a'));
    await expect(q.readLine(10)).rejects.toMatchObject({ code: 'git-protocol' });
    const q2 = new ByteQueue();
    const pending = q2.readBytes(10);
    q2.fail(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });
});

function writeAll(repo: GitRepoBuilder, contents: Buffer[]): string {
  const files: Record<string, Buffer> = {};
  contents.forEach((c, i) => (files[`blobs/${i}`] = c));
  repo.writeFiles(files);
  return contents.map((_, i) => `blobs/${i}`).join('\n');
}
