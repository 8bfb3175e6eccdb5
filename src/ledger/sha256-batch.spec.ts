import { createHash, hash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainOver } from './chain';
import { HEAP_BASE } from './ledger-wasm-source';
import { ledgerWasm } from './ledger-wasm.adapter';
import { nodeHash } from './merkle';
import { chainFold, hashesToBase64, leafHashesOf, pairHashes, sha256Each } from './sha256-batch';

const sha = (b: Uint8Array): Buffer => hash('sha256', b, 'buffer');

function digests(flat: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 32) out.push(flat.toString('hex', i, i + 32));
  return out;
}

/** Deterministic pseudo-random bytes, so a failure can be reproduced. */
function bytesOf(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('sha256Each: NIST FIPS 180-4 examples', () => {
  const vectors: Array<[string, Buffer]> = [
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', Buffer.alloc(0)],
    ['ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', Buffer.from('abc')],
    ['248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1', Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')],
    [
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
      Buffer.from('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'),
    ],
    ['cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0', Buffer.alloc(1_000_000, 'a')],
  ];

  it('hashes each vector alone and all of them in one call', () => {
    for (const [want, message] of vectors) expect(digests(sha256Each([message]))).toEqual([want]);
    expect(digests(sha256Each(vectors.map((v) => v[1])))).toEqual(vectors.map((v) => v[0]));
  });
});

describe('sha256Each against node:crypto', () => {
  it('agrees on every length 0..260 and around every block boundary up to 2048', () => {
    const lengths = Array.from({ length: 261 }, (_, i) => i);
    for (let k = 64; k <= 2048; k += 64) for (let d = -10; d <= 2; d++) lengths.push(k + d);
    const messages = lengths.map((n, i) => bytesOf(n, i));
    expect(digests(sha256Each(messages))).toEqual(messages.map((m) => sha(m).toString('hex')));
  });

  it('agrees on thousands of random lengths 0..2000, in batches of every small size', () => {
    const messages = Array.from({ length: 3000 }, (_, i) => bytesOf((i * 7919 + (i >> 3) * 104729) % 2001, i + 1000));
    expect(digests(sha256Each(messages))).toEqual(messages.map((m) => sha(m).toString('hex')));
    for (let size = 1; size <= 9; size++) {
      const batch = messages.slice(size * 10, size * 11);
      expect(digests(sha256Each(batch))).toEqual(batch.map((m) => sha(m).toString('hex')));
    }
    const random = Array.from({ length: 200 }, () => randomBytes(Math.floor(Math.random() * 2001)));
    expect(digests(sha256Each(random))).toEqual(random.map((m) => sha(m).toString('hex')));
  });

  it('prefixes each message with one byte when asked (leaf hashes)', () => {
    const entries = [Buffer.alloc(0), Buffer.from('{}'), bytesOf(63, 1), bytesOf(64, 2), bytesOf(600, 3)];
    const leaf = (b: Buffer): string => createHash('sha256').update(Buffer.from([0])).update(b).digest('hex');
    expect(digests(leafHashesOf(entries))).toEqual(entries.map(leaf));
    expect(digests(sha256Each(entries, 0x7f))).toEqual(entries.map((b) => sha(Buffer.concat([Buffer.from([0x7f]), b])).toString('hex')));
  });

  it('splits input larger than one chunk of working memory', () => {
    const messages = Array.from({ length: 9 }, (_, i) => bytesOf(1_000_000 + i, i));
    expect(digests(sha256Each(messages))).toEqual(messages.map((m) => sha(m).toString('hex')));
  });

  it('hashes nothing to nothing', () => {
    expect(sha256Each([]).length).toBe(0);
    expect(pairHashes(1, Buffer.alloc(0)).length).toBe(0);
  });
});

describe('pairHashes and chainFold', () => {
  it('pairHashes(0x01, l ‖ r) is the RFC 6962 node hash, for every count 1..13', () => {
    for (let n = 1; n <= 13; n++) {
      const pairs = bytesOf(64 * n, n);
      const want = Array.from({ length: n }, (_, i) => nodeHash(pairs.subarray(64 * i, 64 * i + 32), pairs.subarray(64 * i + 32, 64 * i + 64)).toString('hex'));
      expect(digests(pairHashes(0x01, pairs))).toEqual(want);
    }
    expect(() => pairHashes(1, Buffer.alloc(63))).toThrow(RangeError);
  });

  it('pairHashes and chainFold split input larger than one chunk of working memory', () => {
    const n = 140_000;
    const hashes = bytesOf(64 * n, 5);
    const nodes = pairHashes(0x01, hashes);
    for (const i of [0, 1, 43_690, 43_691, 87_381, 131_071, 131_072, n - 1]) {
      expect(nodes.subarray(32 * i, 32 * i + 32).equals(nodeHash(hashes.subarray(64 * i, 64 * i + 32), hashes.subarray(64 * i + 32, 64 * i + 64))), `pair ${i}`).toBe(true);
    }
    const leaves = hashes.subarray(0, 32 * n);
    const list = Array.from({ length: n }, (_, i) => leaves.subarray(32 * i, 32 * i + 32));
    expect(chainFold(Buffer.alloc(32), leaves).equals(chainOver(Buffer.alloc(32), list))).toBe(true);
  });

  it('chainFold is chain.ts chainOver, over 0, 1 and many leaves', () => {
    const head = bytesOf(32, 9);
    for (const n of [0, 1, 2, 5, 1000]) {
      const leaves = bytesOf(32 * n, n);
      const list = Array.from({ length: n }, (_, i) => leaves.subarray(32 * i, 32 * i + 32));
      expect(chainFold(head, leaves).equals(chainOver(head, list))).toBe(true);
    }
  });
});

describe('hashesToBase64', () => {
  it('is base64 of each hash, 44 characters each, across chunks', () => {
    for (const n of [0, 1, 2, 3, 100, 60_000]) {
      const hashes = bytesOf(32 * n, n);
      const want = Array.from({ length: n }, (_, i) => hashes.toString('base64', 32 * i, 32 * i + 32)).join('');
      expect(hashesToBase64(hashes) === want, `${n} hashes`).toBe(true);
    }
    const edges = Buffer.concat([Buffer.alloc(32, 0), Buffer.alloc(32, 0xff), Buffer.from(Array.from({ length: 32 }, (_, i) => i * 8))]);
    expect(hashesToBase64(edges)).toBe([0, 1, 2].map((i) => edges.toString('base64', 32 * i, 32 * i + 32)).join(''));
  });
});

describe('ledger wasm bounds', () => {
  it('refuses addresses outside the working memory before calling the module', () => {
    const wasm = ledgerWasm();
    const size = wasm.reserve(1024).length;
    expect(() => wasm.hashPairs(0, 1, HEAP_BASE, 1)).toThrow(/outside the working memory/);
    expect(() => wasm.hashPairs(HEAP_BASE, 1, size - 16, 1)).toThrow(/outside the working memory/);
    expect(() => wasm.chain(HEAP_BASE, HEAP_BASE + 32, 2 ** 40)).toThrow(/outside the working memory/);
    wasm.bytes.writeUInt32LE(size - 10, HEAP_BASE);
    wasm.bytes.writeUInt32LE(100, HEAP_BASE + 4);
    expect(() => wasm.hashMany(HEAP_BASE, 1, HEAP_BASE + 64)).toThrow(/message 0 lies outside/);
    wasm.bytes.writeUInt32LE(HEAP_BASE - 100, HEAP_BASE);
    expect(() => wasm.hashMany(HEAP_BASE, 1, HEAP_BASE + 64)).toThrow(/message 0 lies outside/);
    expect(() => wasm.reserve(2 ** 40)).toThrow(/working memory/);
  });
});
