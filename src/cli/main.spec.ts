import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands';
import { findCommand, runCli } from './main';
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

  it('lists every command, each loading the command of its own words with a help text', async () => {
    const listed = COMMANDS.map((c) => c.path.join(' '));
    expect(new Set(listed).size).toBe(listed.length);
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.path).toEqual(entry.path);
      expect(command.help).toMatch(/^usage: gitseal /);
      expect(findCommand([...entry.path, '--x'])?.command).toBe(entry);
    }
    const io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const entry of COMMANDS) expect(io.out).toContain(`gitseal ${entry.path.join(' ')}`);
  });

  it('prints a command\'s help', async () => {
    const io = capture();
    expect(await runCli(['ledger', 'verify', '--help'], io)).toBe(0);
    expect(io.out).toMatch(/^usage: gitseal ledger verify/);
  });
});
