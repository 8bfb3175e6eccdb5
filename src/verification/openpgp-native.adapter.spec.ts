import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_FIXTURE_KEYS, fixtureKey, type FixtureKeyName } from '../../test/fixtures/fixture-keys';
import { insertSignatureHeader } from '../../test/fixtures/git-repo';
import { GpgHome } from '../../test/fixtures/gpg-home';
import { openpgpDetachSign } from '../../test/fixtures/openpgp-sign';
import { parseCommit } from './commit-object';
import { canonicalEol, verifiesNatively } from './openpgp-native.adapter';
import { dearmorSignature, directSignaturePacket, readArmoredKey, readDetachedSignature, verifyOver, verifyWithOpenPgp, type KeyPacket, type SignaturePacket } from './openpgp.adapter';

/**
 * The native fast path against openpgp.js, the reference: for every fixture key (and generated
 * P-384, P-521 and SHA-512 keys), signatures made by openpgp.js and by gpg, binary and text, then
 * thousands of mutations of the signed bytes, of the signature packet and of whole commits. The
 * fast path must confirm every valid signature (so it is really used), never confirm one that
 * openpgp.js refuses, and verifyOver must answer exactly what openpgp.js alone answers.
 */
interface Case {
  name: string;
  data: Buffer;
  armored: string;
  key: KeyPacket;
  /** A key packet that did not make the signature (with the same algorithm where possible). */
  other: KeyPacket;
}

const DATA = Buffer.from('tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@example.com> 1780000000 +0000\ncommitter A <a@example.com> 1780000000 +0000\n\nline one\r\nline two\n\nend');

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = (n: number) => Math.floor(random() * n);

function mutate(bytes: Uint8Array): Buffer {
  const out = Buffer.from(bytes);
  const at = pick(out.length);
  switch (pick(3)) {
    case 0:
      out[at] ^= 1 << pick(8);
      return out;
    case 1:
      return Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    default:
      return Buffer.concat([out.subarray(0, at), Buffer.from([pick(256)]), out.subarray(at)]);
  }
}

/** The same packet body under each header form: old format with 1-, 2- and 4-octet lengths, new format with 2- and 5-octet lengths. */
function reframed(body: Uint8Array): Buffer[] {
  const n = body.length;
  const be = (value: number, bytes: number) => Buffer.from(Array.from({ length: bytes }, (_, i) => (value >>> (8 * (bytes - 1 - i))) & 0xff));
  const headers = [
    ...(n < 256 ? [Buffer.from([0x88, n])] : []),
    Buffer.concat([Buffer.from([0x89]), be(n, 2)]),
    Buffer.concat([Buffer.from([0x8a]), be(n, 4)]),
    ...(n >= 192 && n < 8384 ? [Buffer.from([0xc2, ((n - 192) >> 8) + 192, (n - 192) & 0xff])] : []),
    Buffer.concat([Buffer.from([0xc2, 0xff]), be(n, 4)]),
  ];
  return headers.map((h) => Buffer.concat([h, body]));
}

async function signingPacket(name: FixtureKeyName): Promise<KeyPacket> {
  const key = await readArmoredKey(fixtureKey(name).publicKey);
  const wanted = fixtureKey(name).info.signingKey.keyId;
  const packet = [key.keyPacket, ...key.subkeys.map((s) => s.keyPacket)].find((p) => p.getKeyID().toHex().toUpperCase() === wanted);
  if (!packet) throw new Error(`no signing packet in ${name}`);
  return packet;
}

async function generated(type: 'ecc' | 'rsa', options: { curve?: openpgp.EllipticCurveName; v6?: boolean }): Promise<{ secret: openpgp.PrivateKey; packet: KeyPacket }> {
  const { privateKey } = await openpgp.generateKey({
    type: options.v6 ? 'curve25519' : type,
    curve: options.curve,
    rsaBits: type === 'rsa' ? 2048 : undefined,
    userIDs: [{ name: 'Generated', email: 'generated@example.com' }],
    format: 'object',
    date: new Date('2025-01-01T00:00:00Z'),
    config: options.v6 ? { v6Keys: true } : undefined,
  });
  return { secret: privateKey, packet: privateKey.toPublic().keyPacket };
}

async function sameAnswer(signature: SignaturePacket, key: KeyPacket, data: Uint8Array): Promise<{ fast: boolean; reference: boolean }> {
  const fast = await verifiesNatively(signature, key, data);
  const reference = await verifyWithOpenPgp(signature, key, data);
  const combined = await verifyOver(signature, key, data);
  expect(combined).toEqual(reference);
  if (fast) expect(reference.ok).toBe(true);
  return { fast, reference: reference.ok };
}

describe('native signature fast path against openpgp.js', () => {
  const cases: Case[] = [];
  let gpg: GpgHome;

  beforeAll(async () => {
    const date = new Date('2025-06-01T00:00:00Z');
    const packets = new Map<FixtureKeyName, KeyPacket>();
    for (const name of ALL_FIXTURE_KEYS) packets.set(name, await signingPacket(name));
    const otherOf = (name: FixtureKeyName) => packets.get(name === 'approver2' ? 'ecdsa-p256' : name === 'ecdsa-p256' ? 'approver2' : name === 'rsa2048' ? 'rsa3072' : name === 'ed25519' ? 'untrusted' : 'ed25519') as KeyPacket;
    for (const name of ALL_FIXTURE_KEYS) {
      const signDate = name === 'expired' ? new Date('2024-06-01T00:00:00Z') : date;
      for (const text of [false, true]) {
        const armored = await openpgpDetachSign(DATA, name, { date: signDate, text });
        cases.push({ name: `${name} openpgp.js ${text ? 'text' : 'binary'}`, data: DATA, armored, key: packets.get(name) as KeyPacket, other: otherOf(name) });
      }
    }
    gpg = await GpgHome.create(['ed25519', 'rsa3072', 'ecdsa-p256']);
    for (const name of ['ed25519', 'rsa3072', 'ecdsa-p256'] as const) {
      for (const digest of ['SHA256', 'SHA512']) {
        for (const textMode of [false, true]) {
          const signed = (await gpg.gpg(['--digest-algo', digest, textMode ? '--textmode' : '--no-textmode', '--armor', '--detach-sign', '-u', `${fixtureKey(name).info.signingKey.keyId}!`], DATA)).toString('utf8');
          cases.push({ name: `${name} gpg ${digest} ${textMode ? 'text' : 'binary'}`, data: DATA, armored: signed, key: packets.get(name) as KeyPacket, other: otherOf(name) });
        }
      }
    }
    const extra = [
      { name: 'generated P-384', ...(await generated('ecc', { curve: 'nistP384' })) },
      { name: 'generated P-521', ...(await generated('ecc', { curve: 'nistP521' })) },
      { name: 'generated RSA 2048', ...(await generated('rsa', {})) },
      { name: 'generated v6 Ed25519', ...(await generated('ecc', { v6: true })) },
    ];
    for (const g of extra) {
      for (const hash of [openpgp.enums.hash.sha256, openpgp.enums.hash.sha384, openpgp.enums.hash.sha512]) {
        const message = await openpgp.createMessage({ binary: DATA });
        const armored = await openpgp.sign({ message, signingKeys: g.secret, detached: true, date, format: 'armored', config: { preferredHashAlgorithm: hash } });
        cases.push({ name: `${g.name} hash ${hash}`, data: DATA, armored, key: g.packet, other: packets.get('ed25519') as KeyPacket });
      }
    }
  }, 60_000);

  afterAll(async () => {
    await gpg?.cleanup();
  });

  it('confirms every valid signature itself, as openpgp.js does', async () => {
    const hashes = new Set<number>();
    for (const c of cases) {
      const signature = await readDetachedSignature(c.armored);
      hashes.add(signature.hashAlgorithm as number);
      const answer = await sameAnswer(signature, c.key, c.data);
      expect({ case: c.name, ...answer }).toEqual({ case: c.name, fast: true, reference: true });
      expect(await sameAnswer(signature, c.other, c.data)).toEqual({ fast: false, reference: false });
    }
    expect([...hashes].sort((a, b) => a - b)).toEqual([8, 9, 10]);
  });

  it('answers exactly as openpgp.js for mutated data and mutated signature packets', async () => {
    let confirmed = 0;
    for (const c of cases) {
      const signature = await readDetachedSignature(c.armored);
      for (let i = 0; i < 12; i++) {
        const data = mutate(c.data);
        const answer = await sameAnswer(signature, c.key, data);
        // a text signature does not see a CR inserted before a LF; any other change breaks it
        if (answer.reference) expect(Buffer.from(canonicalEol(data)).equals(Buffer.from(canonicalEol(c.data)))).toBe(true);
      }
      const binary = dearmorSignature(c.armored);
      for (let i = 0; i < 40; i++) {
        let mutant: SignaturePacket;
        try {
          [mutant] = (await openpgp.readSignature({ binarySignature: mutate(binary) })).packets;
        } catch {
          continue;
        }
        if (!mutant) continue;
        const answer = await sameAnswer(mutant, c.key, c.data);
        expect(answer.fast).toBe(answer.reference);
        if (answer.fast) confirmed++;
      }
    }
    expect(confirmed).toBeGreaterThan(0); // changes to unhashed subpackets keep a signature valid
  });

  it('answers exactly as openpgp.js for 2,000 mutated commits', async () => {
    const ed = cases.filter((c) => c.name.startsWith('ed25519 gpg SHA256 binary') || c.name.startsWith('rsa3072 openpgp.js binary'));
    expect(ed).toHaveLength(2);
    for (const c of ed) {
      const signed = insertSignatureHeader(DATA, 'gpgsig', c.armored);
      const original = parseCommit(signed, 'sha1').payload;
      let good = 0;
      let compared = 0;
      for (let i = 0; i < 1000; i++) {
        // odd: the commit's own bytes changed under the same signature; even: any byte of the object
        const raw = i === 0 ? signed : i % 2 === 1 ? insertSignatureHeader(mutate(DATA), 'gpgsig', c.armored) : mutate(signed);
        let parsed;
        let signature;
        try {
          parsed = parseCommit(raw, 'sha1');
          signature = parsed.signature === null ? null : await readDetachedSignature(parsed.signature);
        } catch {
          continue;
        }
        if (!signature) continue;
        const answer = await sameAnswer(signature, c.key, parsed.payload);
        compared++;
        if (answer.reference) {
          good++;
          expect(parsed.payload.equals(original)).toBe(true);
        }
      }
      expect(good).toBeGreaterThan(0); // the untouched commit, at least
      expect(compared).toBeGreaterThan(300); // many mutants still parse and reach both verifiers
    }
  });

  it('reads a lone signature packet directly exactly as openpgp.js\'s packet list does', async () => {
    const withoutListFields = (p: SignaturePacket) => ({ ...p, packets: undefined, fromStream: undefined });
    let direct = 0;
    for (const c of cases) {
      const binary = dearmorSignature(c.armored);
      const body = binary.subarray(binary[1] < 192 ? 2 : binary[1] < 224 ? 3 : 6);
      const variants = [binary, ...reframed(body), ...Array.from({ length: 40 }, () => mutate(binary))];
      for (const variant of variants) {
        const fast = directSignaturePacket(variant);
        if (!fast) continue;
        direct++;
        const reference = (await openpgp.readSignature({ binarySignature: variant })).packets;
        expect(reference).toHaveLength(1);
        expect(withoutListFields(fast)).toEqual(withoutListFields(reference[0]));
      }
      expect(directSignaturePacket(Buffer.concat([binary, binary]))).toBeNull(); // two packets: the packet list decides
      expect(directSignaturePacket(binary.subarray(0, binary.length - 1))).toBeNull();
    }
    expect(direct).toBeGreaterThan(cases.length * 5);
  });

  it('canonicalises line ends as openpgp.js does for text signatures', () => {
    const cases = ['', '\n', 'a\nb', 'a\r\nb\n', '\r', 'a\r', '\n\n', 'x\r\r\n\ny'];
    for (const text of cases) {
      const expected = Buffer.from(text.replace(/(?<!\r)\n/g, '\r\n'));
      expect(Buffer.from(canonicalEol(Buffer.from(text))).toString('latin1')).toBe(expected.toString('latin1'));
    }
  });
});
