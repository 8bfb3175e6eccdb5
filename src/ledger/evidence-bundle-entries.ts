import { isUtf8 } from 'node:buffer';
import type { EvidenceBundle } from './evidence-bundle';
import { HEAP_BASE } from './ledger-wasm-source';
import { ledgerWasm } from './ledger-wasm.adapter';
import { HASH_SIZE } from './merkle';

/**
 * The per-entry work of verifying a bundle, in batches: decode each entry's base64 into the
 * wasm module's memory behind its 0x00 leaf prefix, hash all leaves in one call, and run the
 * fast entry check (entry-scan-wat.ts) over them in another. The fast check only ever confirms;
 * every entry it does not confirm (and every entry whose claimed seq is not its position, or
 * whose bytes are not valid UTF-8) is handed to the caller for the full check, which decides.
 */
export interface EntryVisitor {
  /** The entry's bytes are not base64; it has no leaf. */
  undecodable(position: number): void;
  /** The fast check could not confirm these bytes (a copy): run the full check. */
  fullCheck(position: number, bytes: Buffer): void;
}

/** Decoded bytes per batch: small enough to stay in cache between the passes over it. */
const CHUNK_BYTES = 512 * 1024;

function decodedBound(b64: string): number {
  return Math.ceil(b64.length / 4) * 3;
}

const PAD = 0x3d; // =

/** Decodes base64 at `at`; -1 unless it is whole groups of 4 of the alphabet (with padding). */
function decodeInto(mem: Buffer, at: number, b64: string): number {
  const length = b64.length;
  if (length % 4 !== 0) return -1;
  const expected = (length / 4) * 3 - (length === 0 ? 0 : b64.charCodeAt(length - 1) !== PAD ? 0 : b64.charCodeAt(length - 2) === PAD ? 2 : 1);
  // The decoder skips characters outside the alphabet; a short count means there were some.
  // It never writes past `expected` bytes (the space the batch reserved for this entry).
  return mem.write(b64, at, expected, 'base64') === expected ? expected : -1;
}

/**
 * The leaf hash of every entry, 32 bytes per position (zeros where the bytes are not base64);
 * `from` is the seq the first position must hold.
 */
export function hashAndScanEntries(entries: EvidenceBundle['entries'], from: number, visitor: EntryVisitor): Buffer {
  const wasm = ledgerWasm();
  const leaves = Buffer.alloc(HASH_SIZE * entries.length);
  const bad = new Uint8Array(entries.length);
  for (let first = 0; first < entries.length; ) {
    let last = first;
    let bound = 0;
    do bound += decodedBound(entries[last++].bytes) + 1;
    while (last < entries.length && bound + decodedBound(entries[last].bytes) + 1 <= CHUNK_BYTES);
    const count = last - first;
    const desc = HEAP_BASE;
    const digests = desc + 8 * count;
    const status = digests + HASH_SIZE * count;
    const data = status + count;
    const mem = wasm.reserve(data - HEAP_BASE + bound);
    const words = wasm.u32;
    let at = data;
    for (let i = 0, w = desc / 4; i < count; i++, w += 2) {
      mem[at] = 0x00;
      let n = decodeInto(mem, at + 1, entries[first + i].bytes);
      if (n < 0) {
        bad[first + i] = 1;
        n = 0;
      }
      words[w] = at;
      words[w + 1] = n + 1;
      at += n + 1;
    }
    wasm.hashMany(desc, count, digests);
    wasm.scanEntries(desc, count, from + first, status);
    mem.copy(leaves, HASH_SIZE * first, digests, status);
    // 0x00 separates the entries, so the whole batch is UTF-8 only if every entry is.
    const utf8 = isUtf8(mem.subarray(data, at));
    for (let i = 0; i < count; i++) {
      const p = first + i;
      if (mem[status + i] === 1 && entries[p].seq === from + p && utf8) continue;
      if (bad[p] === 1) {
        leaves.fill(0, HASH_SIZE * p, HASH_SIZE * (p + 1));
        visitor.undecodable(p);
        continue;
      }
      const start = words[desc / 4 + 2 * i] + 1;
      const end = start + words[desc / 4 + 2 * i + 1] - 1;
      if (mem[status + i] !== 1 || entries[p].seq !== from + p || !isUtf8(mem.subarray(start, end))) {
        visitor.fullCheck(p, Buffer.from(mem.subarray(start, end)));
      }
    }
    first = last;
  }
  return leaves;
}
