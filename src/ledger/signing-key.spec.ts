import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openNote, parseSignerKey, signNote } from './checkpoint';
import { loadOrCreateSigningKey } from './signing-key';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitseal-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadOrCreateSigningKey', () => {
  it('generates a key on first start in a 0600 file, then loads the same key', async () => {
    const path = join(dir, 'keys', 'checkpoint.key');
    const first = await loadOrCreateSigningKey({ path });
    expect(first.source).toBe('generated');
    expect(first.signer.name).toMatch(/^gitseal\/[0-9a-f]{8}$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateSigningKey({ path });
    expect(second.source).toBe('file');
    expect(second.verifierKey).toBe(first.verifierKey);
    const note = signNote('hello\n', second.signer);
    expect(openNote(note, first.verifierKey).body).toBe('hello\n');
  });

  it('uses the configured origin as the key name', async () => {
    const loaded = await loadOrCreateSigningKey({ path: join(dir, 'k'), origin: 'example.com/log' });
    expect(loaded.signer.name).toBe('example.com/log');
    await expect(loadOrCreateSigningKey({ path: join(dir, 'k'), origin: 'other.example/log' })).rejects.toThrow(/configured origin/);
  });

  it('refuses a key file readable by group or others', async () => {
    const path = join(dir, 'k');
    await loadOrCreateSigningKey({ path });
    await chmod(path, 0o644);
    await expect(loadOrCreateSigningKey({ path })).rejects.toThrow(/mode 644.*chmod 600/);
    await chmod(path, 0o640);
    await expect(loadOrCreateSigningKey({ path })).rejects.toMatchObject({ code: 'insecure-key-file' });
  });

  it('loads a key given as a value, which takes precedence over the path', async () => {
    const path = join(dir, 'k');
    const generated = await loadOrCreateSigningKey({ path });
    const text = (await readFile(path, 'utf8')).trim();
    const fromValue = await loadOrCreateSigningKey({ value: text, path: join(dir, 'unused') });
    expect(fromValue.source).toBe('value');
    expect(fromValue.verifierKey).toBe(generated.verifierKey);
    expect(parseSignerKey(text).name).toBe(generated.signer.name);
  });

  it('reports a malformed key without printing it', async () => {
    const secret = 'PRIVATE+KEY+gitseal/00000000+deadbeef+AVERYSECRETVALUEAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const path = join(dir, 'bad');
    await writeFile(path, secret, { mode: 0o600 });
    for (const attempt of [loadOrCreateSigningKey({ value: secret }), loadOrCreateSigningKey({ path })]) {
      const err = await attempt.then(() => undefined, (e: unknown) => e as Error);
      expect(err?.message).toMatch(/checkpoint key/);
      expect(err?.message).not.toContain('VERYSECRET');
    }
  });

  it('needs a path or a value', async () => {
    await expect(loadOrCreateSigningKey({})).rejects.toThrow(/no checkpoint key/);
  });
});
