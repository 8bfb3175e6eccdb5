import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatCheckpoint,
  formatSignerKey,
  generateSigner,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifierKeyFor,
  type Checkpoint,
} from './checkpoint';
import { EMPTY_ROOT } from './merkle';
import { CHAIN_GENESIS } from './chain';

const GO = JSON.parse(readFileSync(join(__dirname, '../../test/ledger-vectors/signed-note-go.json'), 'utf8')) as Record<string, string>;

const ours = generateSigner('gitseal/ab12cd34', randomBytes(32));
const theirs = generateSigner('gitseal/ab12cd34', randomBytes(32));
const cp: Checkpoint = { origin: 'gitseal/ab12cd34', size: 20852163, root: Buffer.alloc(32, 7), chain: Buffer.alloc(32, 9) };

describe('signed notes (c2sp.org/signed-note)', () => {
  it('reproduces the Go reference note byte for byte and opens it', () => {
    const signer = parseSignerKey(GO.signerKey);
    expect(verifierKeyFor(signer)).toBe(GO.verifierKey);
    expect(formatSignerKey(signer)).toBe(GO.signerKey);
    expect(signNote(GO.text, signer)).toBe(GO.note);
    expect(openNote(GO.note, GO.verifierKey)).toEqual({ body: GO.text, otherSignatures: 0 });
  });

  it('rejects an altered text or signature', () => {
    expect(() => openNote(GO.note.replace('cryptography', 'cryptographY'), GO.verifierKey)).toThrow(/does not verify/);
    expect(() => openNote(GO.note.replace('x08go', 'x08gp'), GO.verifierKey)).toThrow();
  });

  it('ignores signatures by other keys but requires one by ours', () => {
    const body = formatCheckpoint(cp);
    const both = signNote(body, ours) + signNote(body, theirs).split('\n\n')[1];
    expect(openNote(both, verifierKeyFor(ours)).otherSignatures).toBe(1);
    expect(openNote(both, verifierKeyFor(theirs)).otherSignatures).toBe(1);
    const onlyTheirs = signNote(body, theirs);
    expect(() => openNote(onlyTheirs, verifierKeyFor(ours))).toThrow(/not signed by key gitseal\/ab12cd34\+/);
  });

  it('rejects a note whose signature by our key fails even if another of ours verifies', () => {
    const body = formatCheckpoint(cp);
    const good = signNote(body, ours);
    const sigLine = good.split('\n\n')[1];
    const broken = sigLine.replace(/([A-Za-z0-9])(=*\n)$/, (_m, c: string, rest: string) => `${c === 'A' ? 'B' : 'A'}${rest}`);
    expect(() => openNote(good + broken, verifierKeyFor(ours))).toThrow();
  });

  const malformed: Array<[string, string]> = [
    ['no blank line', 'hello\n\u2014 a AAAA\n'],
    ['no trailing newline', 'hello\n\n\u2014 a AAAAAA==' ],
    ['a hyphen instead of an em dash', 'hello\n\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n'],
    ['bad base64', 'hello\n\n\u2014 PeterNeumann x08go!ZJ\n'],
    ['unpadded base64', 'hello\n\n\u2014 PeterNeumann AAAAAAA\n'],
    ['a control character', 'hel\tlo\n\n\u2014 PeterNeumann AAAAAAAA\n'],
    ['a carriage return', 'hello\r\n\n\u2014 PeterNeumann AAAAAAAA\n'],
    ['an empty signature line', 'hello\n\n\n'],
  ];
  it.each(malformed)('rejects a note with %s', (_what, text) => {
    expect(() => openNote(text, GO.verifierKey)).toThrow();
  });

  it('rejects notes over 1 MB and with too many signature lines', () => {
    expect(() => openNote(`${'a'.repeat(1024 * 1024)}\n\n\u2014 x AAAAAAAA\n`, GO.verifierKey)).toThrow(/larger than/);
    const many = `hello\n\n${'\u2014 other AAAAAAAA\n'.repeat(101)}`;
    expect(() => openNote(many, GO.verifierKey)).toThrow(/more than 100/);
  });
});

describe('keys', () => {
  it('round-trips signer and verifier keys', () => {
    const text = formatSignerKey(ours);
    const again = parseSignerKey(text);
    expect(again.publicKey.equals(ours.publicKey)).toBe(true);
    const v = parseVerifierKey(verifierKeyFor(ours));
    expect(v.name).toBe('gitseal/ab12cd34');
    expect(v.keyId.equals(ours.keyId)).toBe(true);
  });

  it('rejects every mangling of a verifier key (as the Go tests do)', () => {
    const vkey = GO.verifierKey;
    for (let i = 0; i <= vkey.length; i++) {
      for (let j = i + 1; j <= vkey.length; j++) {
        if (i !== 0 || j !== vkey.length) expect(() => parseVerifierKey(vkey.slice(i, j)), vkey.slice(i, j)).toThrow();
      }
    }
    for (let i = 0; i < vkey.length; i++) {
      const mangled = vkey.slice(0, i) + String.fromCharCode(vkey.charCodeAt(i) + 1) + vkey.slice(i + 1);
      expect(() => parseVerifierKey(mangled), mangled).toThrow();
    }
    expect(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==')).toThrow();
    expect(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow();
  });

  it('refuses a private key where a verifier key is expected, without echoing it', () => {
    const err = (() => {
      try {
        parseVerifierKey(GO.signerKey);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message).toMatch(/private signer key/);
    expect(err?.message).not.toContain('AYEKFALV');
  });

  it('rejects a signer key whose id does not match, without echoing the secret', () => {
    const bad = GO.signerKey.replace('c74f20a3', 'c74f20a4');
    expect(() => parseSignerKey(bad)).toThrow(/does not match/);
    try {
      parseSignerKey(bad);
    } catch (e) {
      expect((e as Error).message).not.toContain('AYEKFALV');
    }
  });
});

describe('checkpoints (c2sp.org/tlog-checkpoint)', () => {
  it('formats origin, size, root and our chain line', () => {
    expect(formatCheckpoint(cp)).toBe(`gitseal/ab12cd34\n20852163\n${Buffer.alloc(32, 7).toString('base64')}\ngitseal-chain ${Buffer.alloc(32, 9).toString('base64')}\n`);
    expect(parseCheckpoint(formatCheckpoint(cp))).toEqual(cp);
    const empty = { origin: 'o', size: 0, root: EMPTY_ROOT, chain: CHAIN_GENESIS };
    expect(parseCheckpoint(formatCheckpoint(empty))).toEqual(empty);
  });

  it('signs and opens with the trusted key only', () => {
    const note = signCheckpoint(cp, ours);
    expect(openCheckpoint(note, verifierKeyFor(ours))).toEqual({ ...cp, otherSignatures: 0 });
    expect(() => openCheckpoint(note, verifierKeyFor(theirs))).toThrow(/does not verify|not signed/);
    expect(() => signCheckpoint({ ...cp, origin: 'other' }, ours)).toThrow(/differs from the key name/);
  });

  const body = formatCheckpoint(cp);
  const lines = body.split('\n');
  const bad: Array<[string, string, RegExp]> = [
    ['a missing chain line', lines.slice(0, 3).join('\n') + '\n', /3 lines/],
    ['an extra extension line', body + 'more\n', /unexpected extension/],
    ['a leading zero in the size', body.replace('\n20852163\n', '\n020852163\n'), /leading zeros/],
    ['a negative size', body.replace('\n20852163\n', '\n-1\n'), /decimal/],
    ['a size beyond 2^53', body.replace('\n20852163\n', '\n9007199254740993\n'), /decimal/],
    ['a short root', body.replace(lines[2], Buffer.alloc(31).toString('base64')), /root/],
    ['a root with junk', body.replace(lines[2], `${lines[2].slice(0, -1)}!`), /root/],
    ['a chain line with another name', body.replace('gitseal-chain ', 'chain '), /line 4/],
    ['an origin with a space', body.replace('gitseal/ab12cd34', 'gitseal ab'), /origin/],
    ['no final newline', body.slice(0, -1), /newline/],
  ];
  it.each(bad)('rejects a checkpoint with %s', (_what, text, message) => {
    expect(() => parseCheckpoint(text)).toThrow(message);
  });
});
