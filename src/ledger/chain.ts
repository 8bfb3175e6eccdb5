import { hash } from 'node:crypto';
import { HASH_SIZE } from './merkle';
import { LedgerException } from './ledger.exception';

/**
 * The linear hash chain beside the Merkle tree (contracts §7): chainᵢ = SHA-256(0x02 ‖ chainᵢ₋₁ ‖
 * leafᵢ), chain₋₁ = 32 zero bytes. The 0x02 prefix keeps chain inputs apart from leaves (0x00)
 * and nodes (0x01). Every checkpoint signs the chain head at its size (the `gitseal-chain` line).
 */
export const CHAIN_GENESIS: Buffer = Buffer.alloc(HASH_SIZE);

const chainInput = Buffer.alloc(1 + 2 * HASH_SIZE);
chainInput[0] = 0x02;

export function chainHash(prev: Uint8Array, leafHash: Uint8Array): Buffer {
  if (prev.length !== HASH_SIZE || leafHash.length !== HASH_SIZE) {
    throw new LedgerException('invalid-tree-request', `chain inputs must be ${HASH_SIZE}-byte hashes`);
  }
  chainInput.set(prev, 1);
  chainInput.set(leafHash, 1 + HASH_SIZE);
  return hash('sha256', chainInput, 'buffer');
}

/** The chain head after folding `leafHashes` onto `from` (CHAIN_GENESIS for the first entry). */
export function chainOver(from: Uint8Array, leafHashes: readonly Uint8Array[]): Buffer {
  let head: Buffer = Buffer.from(from);
  for (const leaf of leafHashes) head = chainHash(head, leaf);
  return head;
}
