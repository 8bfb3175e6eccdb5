import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { startDemo } from '../../src/demo/demo.command';

describe('gitseal demo', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'gitseal-demo-test-'));
  let app: INestApplication | undefined;
  afterAll(async () => {
    await app?.close();
    spawnSync('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: join(cwd, '.gitseal-demo', 'gnupg') } });
    rmSync(cwd, { recursive: true, force: true });
  });

  it('builds a workspace with real keys and commits, gates it, syncs the allowed commit to the sandbox, and says so', async () => {
    let out = '';
    const io = { cwd, env: { PATH: process.env.PATH }, stdout: (t: string) => void (out += t), stderr: () => undefined };
    const started = await startDemo(join(cwd, '.gitseal-demo'), '0', io);
    app = started.app;
    expect(out).toMatch(/allowed {2}[0-9a-f]{10} {2}web 1\.4\.2/);
    expect(out).toMatch(/BLOCKED {2}[0-9a-f]{10} {2}try the latest web image\n\s+policy-denied: gitseal\.image_tags: .*uses the latest tag/);
    expect(out).toMatch(/target shop: synced [0-9a-f]{10}, health Healthy/);
  });

  it('refuses to take over a folder that is not a demo', async () => {
    let err = '';
    const io = { cwd, env: {}, stdout: () => undefined, stderr: (t: string) => void (err += t) };
    expect(await runCli(['demo', '--dir', join(__dirname)], io)).toBe(2);
    expect(err).toMatch(/is not empty and holds no demo/);
  });
});
