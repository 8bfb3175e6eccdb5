import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigner, verifierKeyFor } from './checkpoint';
import { buildEvidenceBundle } from './evidence-bundle';
import { verifyEvidenceBundle } from './evidence-bundle-verifier';
import { MemoryLedger } from './memory-ledger';

/**
 * A bundle made once from fixed inputs and kept in test/ledger-vectors: it pins the v1 format and
 * the hashing, so a change that would make old exported bundles fail to verify is caught.
 * Regenerate (only on purpose, with the format version bumped) with GITSEAL_WRITE_VECTORS=1.
 */
const DIR = join(__dirname, '../../test/ledger-vectors');
const seed = createHash('sha256').update('gitseal ledger golden vector').digest();
const signer = generateSigner('gitseal/5eed0001', seed);

async function golden(): Promise<string> {
  let t = 0;
  const ledger = new MemoryLedger(signer, () => new Date(Date.UTC(2026, 10, 21, 10, 0, t++)).toISOString());
  for (let i = 0; i < 23; i++) {
    ledger.append(i % 2 ? 'gate.decided' : 'commit.verified', { commit: createHash('sha1').update(`c${i}`).digest('hex'), follows: i ? [i - 1] : [], decision: i % 5 ? 'allow' : 'block', note: '€ and \u{1f602}' });
  }
  const anchor = ledger.checkpoint();
  for (let i = 0; i < 6; i++) ledger.append('sync.finished', { n: i });
  const bundle = await buildEvidenceBundle(ledger, { from: 5, to: 17, anchor, latest: ledger.checkpoint(), signer });
  return `${JSON.stringify(bundle, null, 1)}\n`;
}

describe('golden evidence bundle (format v1)', () => {
  it('is reproduced byte for byte from the same inputs', async () => {
    const text = await golden();
    if (process.env.GITSEAL_WRITE_VECTORS === '1') {
      writeFileSync(join(DIR, 'bundle-v1.json'), text);
      writeFileSync(join(DIR, 'bundle-v1.pub'), `${verifierKeyFor(signer)}\n`);
    }
    expect(text).toBe(readFileSync(join(DIR, 'bundle-v1.json'), 'utf8'));
  });

  it('verifies with the stored public key', () => {
    const report = verifyEvidenceBundle(readFileSync(join(DIR, 'bundle-v1.json'), 'utf8'), readFileSync(join(DIR, 'bundle-v1.pub'), 'utf8'));
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ ok: true, entriesChecked: 13, anchor: { size: 23 }, latest: { size: 29 } });
  });
});
