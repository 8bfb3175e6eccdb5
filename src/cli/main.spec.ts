import { describe, expect, it } from 'vitest';
import { runCli } from './main';
import type { CliIo } from './command';

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd: process.cwd(), env: {}, stdout: (t: string) => { io.out += t; }, stderr: (t: string) => { io.err += t; } };
  return io;
}

describe('runCli', () => {
  it('prints the overview and exits 2 without a command', async () => {
    const io = capture();
    expect(await runCli([], io)).toBe(2);
    expect(io.out).toContain('usage: gitseal');
  });

  it('refuses an unknown command with exit 2', async () => {
    const io = capture();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.err).toContain("unknown command 'frobnicate'");
  });
});
