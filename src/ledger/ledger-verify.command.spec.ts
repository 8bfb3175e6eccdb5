import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../cli/command';
import { runCli } from '../cli/main';
import { generateSigner, verifierKeyFor } from './checkpoint';
import { buildEvidenceBundle, type EvidenceBundle } from './evidence-bundle';
import { MemoryLedger } from './memory-ledger';

function capture(cwd: string): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, stdout: (t: string) => { io.out += t; }, stderr: (t: string) => { io.err += t; } };
  return io;
}

const signer = generateSigner('gitseal/0badc0de', randomBytes(32));
let dir: string;
let bundle: EvidenceBundle;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitseal-verify-'));
  const ledger = new MemoryLedger(signer);
  for (let i = 0; i < 25; i++) ledger.append('sync.finished', { commit: null, follows: [], n: i });
  const anchor = ledger.checkpoint();
  bundle = await buildEvidenceBundle(ledger, { from: 3, to: 20, anchor, latest: anchor, signer });
  await writeFile(join(dir, 'bundle.json'), JSON.stringify(bundle));
  await writeFile(join(dir, 'gitseal.pub'), `${verifierKeyFor(signer)}\n`);
  const tampered = JSON.parse(JSON.stringify(bundle)) as EvidenceBundle;
  tampered.entries[4].bytes = Buffer.from(Buffer.from(tampered.entries[4].bytes, 'base64').toString().replace('"n":7', '"n":8')).toString('base64');
  await writeFile(join(dir, 'tampered.json'), JSON.stringify(tampered));
  await writeFile(join(dir, 'broken.json'), '{"format":');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gitseal ledger verify', () => {
  it('verifies a bundle with a key file and exits 0', async () => {
    const io = capture(dir);
    expect(await runCli(['ledger', 'verify', 'bundle.json', '--key', 'gitseal.pub'], io)).toBe(0);
    expect(io.out).toMatch(/^verified: OK/);
    expect(io.out).toContain('origin    gitseal/0badc0de');
    expect(io.out).toContain('range     seq 3..20 (18 entries)');
    expect(io.out).toContain('checked   18 entries');
  });

  it('takes the key text itself and prints the report as JSON', async () => {
    const io = capture(dir);
    expect(await runCli(['ledger', 'verify', join(dir, 'bundle.json'), '--key', verifierKeyFor(signer), '--format', 'json'], io)).toBe(0);
    const report = JSON.parse(io.out) as { ok: boolean; entriesChecked: number };
    expect(report).toMatchObject({ ok: true, entriesChecked: 18 });
  });

  it('exits 1 and names the altered entry', async () => {
    const io = capture(dir);
    expect(await runCli(['ledger', 'verify', 'tampered.json', '--key', 'gitseal.pub'], io)).toBe(1);
    expect(io.out).toMatch(/verification FAILED/);
    expect(io.out).toMatch(/FAIL {2}entry 7: leaf hash does not match the signed root/);
  });

  it('exits 1 when the key is another one', async () => {
    const io = capture(dir);
    const other = verifierKeyFor(generateSigner('gitseal/0badc0de', randomBytes(32)));
    expect(await runCli(['ledger', 'verify', 'bundle.json', '--key', other], io)).toBe(1);
    expect(io.out).toMatch(/checkpoint: not signed by key/);
  });

  it.each([
    [['ledger', 'verify', 'broken.json', '--key', 'gitseal.pub'], /malformed evidence bundle: not JSON/],
    [['ledger', 'verify', 'missing.json', '--key', 'gitseal.pub'], /cannot read bundle missing.json: ENOENT/],
    [['ledger', 'verify', 'bundle.json'], /missing required option --key/],
    [['ledger', 'verify', 'bundle.json', '--key', 'not-a-key'], /--key not-a-key: no such file, and not a verifier key/],
    [['ledger', 'verify', 'bundle.json', '--key', 'gitseal/x+1234+AAAA'], /key id must be 8 lowercase hex digits/],
    [['ledger', 'verify', '--key', 'gitseal.pub'], /exactly one BUNDLE/],
    [['ledger', 'verify', 'bundle.json', '--key', 'gitseal.pub', '--format', 'xml'], /--format must be text or json/],
    [['ledger', 'verify', 'bundle.json', '--key', 'gitseal.pub', '--bogus'], /bogus/],
  ])('exits 2 on bad input: %j', async (argv, message) => {
    const io = capture(dir);
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err).toMatch(message);
  });

  it('prints help', async () => {
    const io = capture(dir);
    expect(await runCli(['ledger', 'verify', '--help'], io)).toBe(0);
    expect(io.out).toContain('usage: gitseal ledger verify BUNDLE --key PUBKEY');
  });
});
