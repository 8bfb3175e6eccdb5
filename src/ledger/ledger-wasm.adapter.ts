import { LEDGER_ENTRY_TYPES } from './entry';
import { SCAN_LAYOUT } from './json-scan-wat';
import { LedgerException } from './ledger.exception';
import { LEDGER_WASM } from './ledger-wasm-binary';
import { HEAP_BASE } from './ledger-wasm-source';

/**
 * The one door to the ledger's WebAssembly module (batch SHA-256 and the fast entry check; see
 * ledger-wasm-source.ts). The project's TypeScript libraries do not declare the `WebAssembly`
 * global, so this file types the few calls it makes. One instance per process, compiled on first
 * use; its memory is scratch space for one synchronous call at a time, so nothing in it survives
 * a call: callers copy their results out before they return or await.
 *
 * Every address and length is checked here before the call: inputs and outputs lie in
 * [HEAP_BASE, size − SLACK), so the module never reads or writes its own area or past the end.
 */
interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface Exports {
  memory: Memory;
  hash_many(desc: number, count: number, out: number): void;
  hash_pairs(src: number, count: number, out: number, prefix: number): void;
  chain(head: number, leaves: number, count: number): void;
  scan_entries(desc: number, count: number, firstSeq: number, out: number): void;
  base64_hashes(src: number, count: number, dst: number): void;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Exports };
}

const PAGE = 65536;
/** Bytes after the last used address the module may read (16-byte loads past an entry's end). */
export const SLACK = 64;
/** The most memory the module may grow to (the engine allows 4 GiB). */
export const MAX_WASM_MEMORY = 2 * 1024 * 1024 * 1024;

function tooLarge(bytes: number): never {
  throw new LedgerException('bundle-too-large', `verifying this needs ${Math.ceil(bytes / 2 ** 20)} MiB of working memory, more than the ${MAX_WASM_MEMORY / 2 ** 20} MiB allowed`);
}

function outside(what: string): never {
  throw new LedgerException('invalid-tree-request', `ledger wasm: ${what} lies outside the working memory`);
}

export class LedgerWasm {
  private view: Buffer;
  private words: Uint32Array;

  constructor(private readonly exports: Exports) {
    this.view = Buffer.from(exports.memory.buffer);
    this.words = new Uint32Array(exports.memory.buffer);
    this.writeTypes();
  }

  /** The whole memory; valid until the next `reserve` that grows it. */
  get bytes(): Buffer {
    return this.view;
  }

  /** The whole memory as u32 words; valid until the next `reserve` that grows it. */
  get u32(): Uint32Array {
    return this.words;
  }

  /** Makes [HEAP_BASE, HEAP_BASE + size) usable (plus SLACK); returns the memory view. */
  reserve(size: number): Buffer {
    const needed = HEAP_BASE + size + SLACK;
    if (!Number.isSafeInteger(size) || size < 0 || needed > MAX_WASM_MEMORY) tooLarge(needed);
    const have = this.exports.memory.buffer.byteLength;
    if (needed > have) {
      try {
        this.exports.memory.grow(Math.ceil((needed - have) / PAGE));
      } catch {
        tooLarge(needed); // the engine could not allocate it
      }
      this.view = Buffer.from(this.exports.memory.buffer);
      this.words = new Uint32Array(this.exports.memory.buffer);
    }
    return this.view;
  }

  private check(what: string, at: number, length: number): void {
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(length) || at < HEAP_BASE || length < 0 || at + length + SLACK > this.view.length) outside(what);
  }

  /** Descriptors are (address, length) pairs of u32 at `desc`; each message is checked. */
  private checkDescriptors(desc: number, count: number): void {
    this.check('descriptors', desc, 8 * count);
    if (desc % 4 !== 0) outside('descriptors (unaligned)');
    const w = this.words;
    for (let i = 0, k = desc / 4; i < count; i++, k += 2) this.check(`message ${i}`, w[k], w[k + 1]);
  }

  /** SHA-256 of each described message, 32 bytes each to `out`. */
  hashMany(desc: number, count: number, out: number): void {
    this.checkDescriptors(desc, count);
    this.check('digests', out, 32 * count);
    this.exports.hash_many(desc, count, out);
  }

  /** SHA-256(prefix ‖ 64 bytes at src + 64i) to out + 32i. */
  hashPairs(src: number, count: number, out: number, prefix: number): void {
    this.check('pairs', src, 64 * count);
    this.check('digests', out, 32 * count);
    this.exports.hash_pairs(src, count, out, prefix & 0xff);
  }

  /** head ← SHA-256(0x02 ‖ head ‖ leaf i) for each of `count` leaves at `leaves`. */
  chain(head: number, leaves: number, count: number): void {
    this.check('chain head', head, 32);
    this.check('leaves', leaves, 32 * count);
    this.exports.chain(head, leaves, count);
  }

  /** Per described leaf input (0x00 ‖ entry bytes), 1 when certainly an entry of seq firstSeq + i. */
  scanEntries(desc: number, count: number, firstSeq: number, out: number): void {
    this.checkDescriptors(desc, count);
    for (let i = 0, k = desc / 4; i < count; i++, k += 2) if (this.words[k + 1] < 1) outside(`entry ${i} (no leaf prefix)`);
    this.check('results', out, count);
    if (!Number.isSafeInteger(firstSeq) || firstSeq < 0) outside('first seq');
    this.exports.scan_entries(desc, count, firstSeq, out);
  }

  /** Base64 of each 32-byte hash at src (44 characters each) to dst. */
  base64Hashes(src: number, count: number, dst: number): void {
    this.check('hashes', src, 32 * count);
    this.check('base64 text', dst, 44 * count);
    this.exports.base64_hashes(src, count, dst);
  }

  /** The entry types the fast check knows (a type it does not know goes to the full check). */
  private writeTypes(): void {
    let at = SCAN_LAYOUT.types + 1;
    let count = 0;
    for (const type of LEDGER_ENTRY_TYPES) {
      if (count === 255 || type.length > 255 || at + 1 + type.length > SCAN_LAYOUT.typesEnd) break;
      this.view[at] = type.length;
      at += 1 + this.view.write(type, at + 1, 'latin1');
      count++;
    }
    this.view[SCAN_LAYOUT.types] = count;
  }
}

let instance: LedgerWasm | undefined;

export function ledgerWasm(): LedgerWasm {
  if (!instance) {
    const api = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    instance = new LedgerWasm(new api.Instance(new api.Module(LEDGER_WASM), {}).exports);
  }
  return instance;
}
