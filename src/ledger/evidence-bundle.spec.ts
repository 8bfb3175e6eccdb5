import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigner, signNote, verifierKeyFor, type NoteSigner } from './checkpoint';
import { buildEvidenceBundle, type EvidenceBundle } from './evidence-bundle';
import { verifyEvidenceBundle, type VerificationReport } from './evidence-bundle-verifier';
import { MemoryLedger } from './memory-ledger';
import { inclusionProof } from './merkle';

const ORIGIN = 'gitseal/ab12cd34';
const ours = generateSigner(ORIGIN, randomBytes(32));
const attacker = generateSigner(ORIGIN, randomBytes(32));
const KEY = verifierKeyFor(ours);

function sha(i: number): string {
  return i.toString(16).padStart(40, '0');
}

function fill(ledger: MemoryLedger, n: number, salt = ''): void {
  for (let i = ledger.size, end = ledger.size + n; i < end; i++) {
    ledger.append(i % 3 === 0 ? 'commit.verified' : 'gate.decided', { commit: sha(i), follows: i > 0 ? [i - 1] : [], note: `change ${i}${salt}`, reasons: [{ code: 'unsigned', message: 'x'.repeat(i % 50) }] });
  }
}

let clock = 0;
const now = (): string => new Date(Date.UTC(2026, 10, 21, 10, 0, clock++)).toISOString();

/** A 60-entry log with checkpoints at 40 and 60; bundle of 10..29 anchored at 40, latest 60. */
async function scenario(options: { signer?: NoteSigner; from?: number; to?: number } = {}) {
  const ledger = new MemoryLedger(ours, now);
  fill(ledger, 40);
  const anchor = ledger.checkpoint();
  fill(ledger, 20);
  const latest = ledger.checkpoint();
  const bundle = await buildEvidenceBundle(ledger, { from: options.from ?? 10, to: options.to ?? 29, anchor, latest, signer: 'signer' in options ? options.signer : ours });
  return { ledger, anchor, latest, bundle };
}

function clone(b: EvidenceBundle): EvidenceBundle {
  return JSON.parse(JSON.stringify(b)) as EvidenceBundle;
}

function messages(r: VerificationReport): string {
  return r.failures.map((f) => f.message).join('\n');
}

function expectFailure(r: VerificationReport, pattern: RegExp): void {
  expect(r.ok).toBe(false);
  expect(messages(r)).toMatch(pattern);
}

function rewriteEntry(b: EvidenceBundle, p: number, edit: (text: string) => string): void {
  b.entries[p].bytes = Buffer.from(edit(Buffer.from(b.entries[p].bytes, 'base64').toString('utf8')), 'utf8').toString('base64');
}

describe('evidence bundles: build and verify', () => {
  it('verifies a bundle built from a log, with latest checkpoint and bundle signature', async () => {
    const { bundle } = await scenario();
    const report = verifyEvidenceBundle(JSON.stringify(bundle), KEY);
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ ok: true, origin: ORIGIN, range: { from: 10, to: 29 }, entriesChecked: 20, warnings: [] });
    expect(report.anchor?.size).toBe(40);
    expect(report.latest?.size).toBe(60);
    expect(report.passed.join('\n')).toMatch(/consistent with the anchor/);
    expect(bundle.leftSubtrees).toHaveLength(2); // 10 = 8 + 2
    expect(bundle.tailLeafHashes).toHaveLength(10);
  });

  it('verifies every range shape: from 0, up to the anchor, with and without latest', async () => {
    const ledger = new MemoryLedger(ours, now);
    fill(ledger, 37);
    const anchor = ledger.checkpoint();
    for (let from = 0; from < 37; from += 4) {
      for (let to = from; to < 37; to += 7) {
        const bundle = await buildEvidenceBundle(ledger, { from, to, anchor, latest: anchor, signer: ours });
        const report = verifyEvidenceBundle(bundle, KEY);
        expect(report.failures, `${from}..${to}`).toEqual([]);
      }
    }
    const last = await buildEvidenceBundle(ledger, { from: 36, to: 36, anchor });
    expect(verifyEvidenceBundle(last, KEY).ok).toBe(true);
    expect(verifyEvidenceBundle(last, KEY).warnings.join()).toMatch(/no signature/);
  });

  it('refuses to build from a store that contradicts its checkpoint', async () => {
    const { ledger, anchor } = await scenario();
    const lying = Object.create(ledger) as MemoryLedger;
    lying.entryBytes = async (from, to) => (await ledger.entryBytes(from, to)).map((b, i) => (i === 2 ? Buffer.from(b.toString().replace('change', 'chAnge')) : b));
    await expect(buildEvidenceBundle(lying, { from: 5, to: 9, anchor })).rejects.toThrow(/do not hash to the anchor/);
    await expect(buildEvidenceBundle(ledger, { from: 5, to: 45, anchor })).rejects.toThrow(/beyond the anchor/);
  });
});

describe('evidence bundles: tampering is caught and named', () => {
  it('a flipped byte in an entry', async () => {
    const { bundle } = await scenario();
    rewriteEntry(bundle, 7, (t) => t.replace('change 17', 'change 18'));
    const r = verifyEvidenceBundle(bundle, KEY);
    expectFailure(r, /entry 17: leaf hash does not match the signed root \(bytes altered\?\)/);
    expect(r.failures.filter((f) => f.check === 'entry').map((f) => f.seq)).toEqual([17]);
  });

  it('a reordered entry', async () => {
    const { bundle } = await scenario();
    [bundle.entries[3], bundle.entries[4]] = [bundle.entries[4], bundle.entries[3]];
    expectFailure(verifyEvidenceBundle(bundle, KEY), /entries out of order at position 3: expected seq 13, found seq 14/);
  });

  it('a dropped entry', async () => {
    const { bundle } = await scenario();
    bundle.entries.splice(5, 1);
    bundle.inclusionProofs.splice(5, 1);
    const r = verifyEvidenceBundle(bundle, KEY);
    expectFailure(r, /entry 15: missing from the bundle/);
    expect(messages(r)).toMatch(/needs 20 entries, the bundle holds 19/);
    expect(r.failures.some((f) => f.check === 'entry')).toBe(false); // the rest are still proven
  });

  it('an inserted entry', async () => {
    const { bundle } = await scenario();
    const forged = { v: 1, seq: 15, type: 'gate.decided', recordedAt: '2026-11-21T10:00:00Z', body: { commit: null, follows: [] } };
    bundle.entries.splice(5, 0, { seq: 15, bytes: Buffer.from(JSON.stringify(forged)).toString('base64') });
    bundle.inclusionProofs.splice(5, 0, bundle.inclusionProofs[5]);
    const r = verifyEvidenceBundle(bundle, KEY);
    expectFailure(r, /needs 20 entries, the bundle holds 21/);
    expect(messages(r)).toMatch(/entry 15: appears more than once/);
    expect(messages(r)).toMatch(/entry 15: leaf hash does not match the signed root/);
  });

  it('a truncated log: entries missing at the end', async () => {
    const { bundle } = await scenario();
    bundle.entries.splice(17);
    bundle.inclusionProofs.splice(17);
    expectFailure(verifyEvidenceBundle(bundle, KEY), /entry 27: missing from the bundle[\s\S]*entry 29: missing/);
  });

  it('a truncated log: a range claiming more than the signed checkpoint holds', async () => {
    const { bundle } = await scenario();
    bundle.range.to = 44;
    expectFailure(verifyEvidenceBundle(bundle, KEY), /range: claims entries up to seq 44, but the signed checkpoint covers only seq 0..39/);
  });

  it('a fork: a latest checkpoint whose tree does not extend the anchor', async () => {
    const { bundle } = await scenario();
    const other = new MemoryLedger(ours, now);
    fill(other, 39);
    fill(other, 21, ' (rewritten)'); // diverges at seq 39
    bundle.latest = { checkpoint: other.checkpoint(), consistencyProof: (await import('./merkle').then((m) => m.consistencyProof(40, 60, other.subtrees))).map((h) => h.toString('base64')) };
    expectFailure(verifyEvidenceBundle(bundle, KEY), /consistency proof from 40 to 60 does not verify \(fork\?\)/);
  });

  it('a fork at the same size', async () => {
    const { bundle } = await scenario();
    const other = new MemoryLedger(ours, now);
    fill(other, 40, ' (other)');
    bundle.latest = { checkpoint: other.checkpoint(), consistencyProof: [] };
    expectFailure(verifyEvidenceBundle(bundle, KEY), /consistency proof from 40 to 40 does not verify/);
  });

  it('a checkpoint signed by another key', async () => {
    const { ledger, bundle } = await scenario();
    const forged = new MemoryLedger(attacker, now);
    forged.appendBytes((await ledger.entryBytes(0, 0))[0]);
    bundle.checkpoint = forged.checkpoint();
    const r = verifyEvidenceBundle(bundle, KEY);
    expectFailure(r, /checkpoint: not signed by key gitseal\/ab12cd34\+/);
    expect(r.entriesChecked).toBe(0);
  });

  it('a proof for the wrong size', async () => {
    const { ledger, bundle } = await scenario();
    bundle.inclusionProofs[4] = (await inclusionProof(14, 60, ledger.subtrees)).map((h) => h.toString('base64'));
    bundle.inclusionProofs[6] = (await inclusionProof(16, 33, ledger.subtrees)).map((h) => h.toString('base64'));
    const r = verifyEvidenceBundle(bundle, KEY);
    expectFailure(r, /inclusion proof of entry 14: .*(wrong size|does not match)/);
    expect(messages(r)).toMatch(/inclusion proof of entry 16: .*(wrong size|does not match)/);
  });

  it('an altered proof element', async () => {
    const { bundle } = await scenario();
    const p = bundle.inclusionProofs[2];
    p[1] = Buffer.alloc(32, 1).toString('base64');
    expectFailure(verifyEvidenceBundle(bundle, KEY), /inclusion proof of entry 12: hash 1 does not match the signed tree/);
  });

  it('an altered chainBefore', async () => {
    const { bundle } = await scenario();
    bundle.chainBefore = Buffer.alloc(32, 3).toString('base64');
    expectFailure(verifyEvidenceBundle(bundle, KEY), /chain: walking from chainBefore through seq 10..39 does not reach the signed chain head \(chainBefore altered\?\)/);
  });

  it('a tampered left subtree', async () => {
    const { bundle } = await scenario();
    bundle.leftSubtrees[1] = Buffer.alloc(32, 5).toString('base64');
    const r = verifyEvidenceBundle(bundle, KEY);
    expectFailure(r, /leftSubtrees: do not match the signed tree \(the hashes covering seq 0..9 were altered\)/);
    expect(r.failures.some((f) => f.check === 'entry')).toBe(false);
  });

  it('a tampered tail leaf hash', async () => {
    const { bundle } = await scenario();
    bundle.tailLeafHashes[4] = Buffer.alloc(32, 6).toString('base64');
    const r = verifyEvidenceBundle(bundle, KEY);
    expectFailure(r, /tailLeafHashes: do not match the signed tree \(leaf hashes of seq 30..39 were altered\)/);
    expect(messages(r)).toMatch(/chain/);
  });

  it("a publicKey replaced by the attacker's key is ignored: the given key decides", async () => {
    const forged = new MemoryLedger(attacker, now);
    fill(forged, 40, ' (forged)');
    const bundle = await buildEvidenceBundle(forged, { from: 10, to: 29, anchor: forged.checkpoint(), signer: attacker });
    expect(verifyEvidenceBundle(bundle, verifierKeyFor(attacker)).ok).toBe(true);
    const r = verifyEvidenceBundle(bundle, KEY);
    expectFailure(r, /checkpoint: not signed by key gitseal\/ab12cd34\+/);
    expect(r.warnings.join()).toMatch(/publicKey field is not the key given/);
    expect(messages(r)).toMatch(/bundle signature: not signed by key/);
  });

  it('non-canonical entry bytes that hash correctly are reported', async () => {
    const ledger = new MemoryLedger(ours, now);
    fill(ledger, 5);
    ledger.appendBytes(Buffer.from(`{"v":1, "seq":5,"type":"gate.decided","recordedAt":"2026-11-21T10:00:00Z","body":{"commit":null,"follows":[]}}`));
    fill(ledger, 3);
    const bundle = await buildEvidenceBundle(ledger, { from: 2, to: 7, anchor: ledger.checkpoint(), signer: ours });
    const r = verifyEvidenceBundle(bundle, KEY);
    expectFailure(r, /entry 5: bytes are valid JSON but not in RFC 8785 canonical form/);
    expect(r.failures).toHaveLength(1);
    expect(r.entriesChecked).toBe(6); // the tree still proves them as stored
  });

  it('an entry whose bytes claim another seq', async () => {
    const ledger = new MemoryLedger(ours, now);
    fill(ledger, 5);
    ledger.appendBytes(Buffer.from(`{"body":{"commit":null,"follows":[]},"recordedAt":"2026-11-21T10:00:00Z","seq":9,"type":"gate.decided","v":1}`));
    const bundle = await buildEvidenceBundle(ledger, { from: 0, to: 5, anchor: ledger.checkpoint() });
    expectFailure(verifyEvidenceBundle(bundle, KEY), /entry 5: its bytes say seq 9/);
  });

  it('a checkpoint with an extra valid signature by another key still verifies; one with none by ours fails', async () => {
    const { bundle } = await scenario();
    const body = bundle.checkpoint.split('\n\n')[0] + '\n';
    const cosigned = bundle.checkpoint + signNote(body, generateSigner('witness.example/w1', randomBytes(32))).split('\n\n')[1];
    const withExtra = clone(bundle);
    withExtra.checkpoint = cosigned;
    expect(verifyEvidenceBundle(withExtra, KEY).failures).toEqual([]);
    const onlyOthers = clone(bundle);
    onlyOthers.checkpoint = signNote(body, attacker);
    expectFailure(verifyEvidenceBundle(onlyOthers, KEY), /checkpoint: not signed by key/);
  });

  it('a sub-range re-cut from a signed bundle loses the signature', async () => {
    const { ledger, anchor, latest, bundle } = await scenario();
    const cut = await buildEvidenceBundle(ledger, { from: 10, to: 20, anchor, latest });
    cut.signature = bundle.signature;
    expectFailure(verifyEvidenceBundle(cut, KEY), /bundle signature: the signed statement does not match this bundle/);
  });

  it('a different origin in the bundle', async () => {
    const { bundle } = await scenario();
    bundle.origin = 'elsewhere.example/log';
    expectFailure(verifyEvidenceBundle(bundle, KEY), /origin: the bundle says elsewhere.example\/log, the signed checkpoint says gitseal\/ab12cd34/);
  });
});

describe('evidence bundles: malformed and hostile input', () => {
  it.each([
    ['not JSON', '{'],
    ['not an object', '[]'],
    ['another format', JSON.stringify({ format: 'x' })],
  ])('rejects %s as malformed', (_what, text) => {
    expect(() => verifyEvidenceBundle(text, KEY)).toThrow(/malformed evidence bundle/);
  });

  it('rejects unknown fields, wrong types and over-long proofs before doing any work', async () => {
    const { bundle } = await scenario();
    expect(() => verifyEvidenceBundle({ ...bundle, extra: 1 }, KEY)).toThrow(/unknown fields extra/);
    expect(() => verifyEvidenceBundle({ ...bundle, entries: [{ seq: '1', bytes: '' }] }, KEY)).toThrow(/entries\[0\]/);
    const long = clone(bundle);
    long.inclusionProofs[0] = new Array<string>(65).fill('AAAA');
    expect(() => verifyEvidenceBundle(long, KEY)).toThrow(/more than the 64 allowed/);
    expect(() => verifyEvidenceBundle({ ...bundle, range: { from: 5, to: 2 } }, KEY)).toThrow(/reversed/);
  });

  it('rejects a bad key text', async () => {
    const { bundle } = await scenario();
    expect(() => verifyEvidenceBundle(bundle, 'nonsense')).toThrow(/not a verifier key/);
  });

  it('reports entries that are not base64 without crashing', async () => {
    const { bundle } = await scenario();
    bundle.entries[3].bytes = 'not base64!';
    expectFailure(verifyEvidenceBundle(bundle, KEY), /entry 13: bytes are not valid base64/);
  });

  it('caps the number of listed failures', async () => {
    const { bundle } = await scenario();
    bundle.inclusionProofs = bundle.inclusionProofs.map(() => []);
    const r = verifyEvidenceBundle(bundle, KEY);
    expect(r.ok).toBe(false);
    expect(r.failures.length).toBeLessThanOrEqual(21);
  });
});
