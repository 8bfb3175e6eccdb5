import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHAIN_GENESIS, chainHash, chainOver } from './chain';
import { leafHash } from './merkle';

describe('chain', () => {
  it('starts from 32 zero bytes', () => {
    expect(CHAIN_GENESIS.equals(Buffer.alloc(32))).toBe(true);
  });

  it('is SHA-256(0x02 ‖ prev ‖ leaf)', () => {
    const leaf = leafHash(Buffer.from('{"a":1}'));
    const expected = createHash('sha256').update(Buffer.from([2])).update(CHAIN_GENESIS).update(leaf).digest();
    expect(chainHash(CHAIN_GENESIS, leaf).equals(expected)).toBe(true);
  });

  it('depends on order and folds like repeated chainHash', () => {
    const a = leafHash(Buffer.from('a'));
    const b = leafHash(Buffer.from('b'));
    const ab = chainOver(CHAIN_GENESIS, [a, b]);
    expect(ab.equals(chainHash(chainHash(CHAIN_GENESIS, a), b))).toBe(true);
    expect(ab.equals(chainOver(CHAIN_GENESIS, [b, a]))).toBe(false);
    expect(chainOver(CHAIN_GENESIS, []).equals(CHAIN_GENESIS)).toBe(true);
  });

  it('rejects inputs that are not 32-byte hashes', () => {
    expect(() => chainHash(Buffer.alloc(31), Buffer.alloc(32))).toThrow(/32-byte/);
  });
});
