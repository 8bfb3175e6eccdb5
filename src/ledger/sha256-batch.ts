import { HASH_SIZE } from './merkle';
import { HEAP_BASE } from './ledger-wasm-source';
import { ledgerWasm } from './ledger-wasm.adapter';

/**
 * SHA-256 of many inputs per call into WebAssembly, for the places that hash one small input per
 * entry (leaves, tree levels, the chain): node:crypto costs about a microsecond per call
 * whatever the size, more than hashing a 65-byte input takes. Inputs are copied into the
 * module's memory in chunks and the digests copied out, so results are ordinary Buffers.
 */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** SHA-256(prefix ‖ message) of each message (no prefix when `prefix` is undefined), 32 bytes each. */
export function sha256Each(messages: readonly Uint8Array[], prefix?: number): Buffer {
  const wasm = ledgerWasm();
  const out = Buffer.allocUnsafe(HASH_SIZE * messages.length);
  const extra = prefix === undefined ? 0 : 1;
  for (let first = 0; first < messages.length; ) {
    let last = first;
    let bytes = 0;
    do bytes += messages[last++].length + extra;
    while (last < messages.length && bytes + messages[last].length + extra <= CHUNK_BYTES);
    const count = last - first;
    const desc = HEAP_BASE;
    const digests = desc + 8 * count;
    let at = digests + HASH_SIZE * count;
    const mem = wasm.reserve(at - HEAP_BASE + bytes);
    for (let i = 0; i < count; i++) {
      const m = messages[first + i];
      mem.writeUInt32LE(at, desc + 8 * i);
      mem.writeUInt32LE(m.length + extra, desc + 8 * i + 4);
      if (prefix !== undefined) mem[at] = prefix;
      mem.set(m, at + extra);
      at += m.length + extra;
    }
    wasm.hashMany(desc, count, digests);
    wasm.bytes.copy(out, HASH_SIZE * first, digests, digests + HASH_SIZE * count);
    first = last;
  }
  return out;
}

/** RFC 6962 leaf hashes, SHA-256(0x00 ‖ entry), 32 bytes each. */
export function leafHashesOf(entries: readonly Uint8Array[]): Buffer {
  return sha256Each(entries, 0x00);
}

/** SHA-256(prefix ‖ pair i) for each 64-byte pair of `pairs` (a tree level: prefix 0x01). */
export function pairHashes(prefix: number, pairs: Uint8Array): Buffer {
  if (pairs.length % (2 * HASH_SIZE) !== 0) throw new RangeError('pairHashes: input is not whole pairs of hashes');
  const wasm = ledgerWasm();
  const count = pairs.length / (2 * HASH_SIZE);
  const out = Buffer.allocUnsafe(HASH_SIZE * count);
  const perChunk = Math.floor(CHUNK_BYTES / (3 * HASH_SIZE));
  for (let first = 0; first < count; first += perChunk) {
    const n = Math.min(perChunk, count - first);
    const src = HEAP_BASE;
    const dst = src + 2 * HASH_SIZE * n;
    const mem = wasm.reserve(3 * HASH_SIZE * n);
    mem.set(pairs.subarray(2 * HASH_SIZE * first, 2 * HASH_SIZE * (first + n)), src);
    wasm.hashPairs(src, n, dst, prefix);
    wasm.bytes.copy(out, HASH_SIZE * first, dst, dst + HASH_SIZE * n);
  }
  return out;
}

/** The chain head after folding the 32-byte leaf hashes in `leaves` onto `head` (chain.ts). */
export function chainFold(head: Uint8Array, leaves: Uint8Array): Buffer {
  if (head.length !== HASH_SIZE || leaves.length % HASH_SIZE !== 0) throw new RangeError('chainFold: inputs must be 32-byte hashes');
  const wasm = ledgerWasm();
  const count = leaves.length / HASH_SIZE;
  const perChunk = Math.floor(CHUNK_BYTES / HASH_SIZE);
  const at = HEAP_BASE;
  const src = at + HASH_SIZE;
  let mem = wasm.reserve(HASH_SIZE * (1 + Math.min(perChunk, count)));
  mem.set(head, at);
  for (let first = 0; first < count; first += perChunk) {
    const n = Math.min(perChunk, count - first);
    mem = wasm.bytes;
    mem.set(leaves.subarray(HASH_SIZE * first, HASH_SIZE * (first + n)), src);
    wasm.chain(at, src, n);
  }
  return Buffer.from(wasm.bytes.subarray(at, at + HASH_SIZE));
}

/** Base64 of each 32-byte hash in `hashes`, 44 characters each, as one string. */
export function hashesToBase64(hashes: Uint8Array): string {
  if (hashes.length % HASH_SIZE !== 0) throw new RangeError('hashesToBase64: input is not whole 32-byte hashes');
  const wasm = ledgerWasm();
  const count = hashes.length / HASH_SIZE;
  const perChunk = Math.floor(CHUNK_BYTES / (HASH_SIZE + 44));
  const parts: string[] = [];
  for (let first = 0; first < count; first += perChunk) {
    const n = Math.min(perChunk, count - first);
    const src = HEAP_BASE;
    const dst = src + HASH_SIZE * n;
    const mem = wasm.reserve((HASH_SIZE + 44) * n);
    mem.set(hashes.subarray(HASH_SIZE * first, HASH_SIZE * (first + n)), src);
    wasm.base64Hashes(src, n, dst);
    parts.push(wasm.bytes.toString('latin1', dst, dst + 44 * n));
  }
  return parts.join('');
}
