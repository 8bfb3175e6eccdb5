import { base64Wat } from './base64-wat';
import { entryScanWat } from './entry-scan-wat';
import { jsonScanWat } from './json-scan-wat';
import { sha256Wat } from './sha256-wat';

/**
 * The ledger's WebAssembly module, as WAT: the batch SHA-256 (`sha256-wat.ts`), the fast entry
 * check (`entry-scan-wat.ts` over `json-scan-wat.ts`) and base64 of hashes (`base64-wat.ts`),
 * over one memory. `ledger-wasm-binary.ts` holds the bytes wabt assembles from this text; its spec checks that
 * assembling it again gives the same bytes (regenerate with
 * `GITSEAL_WRITE_WASM=1 npx vitest run src/ledger/ledger-wasm-binary.spec.ts`).
 *
 * Memory below HEAP_BASE belongs to the module (each source says what it uses); callers
 * place their data from HEAP_BASE on and grow the memory as they need.
 */
export const HEAP_BASE = 4096;

export function ledgerWat(): string {
  return `(module
  (memory (export "memory") 1 65536)
${sha256Wat()}
${jsonScanWat()}
${entryScanWat()}
${base64Wat()}
)
`;
}

/** The wabt features the module uses (all in every current engine, Node 24's included). */
export const WASM_FEATURES = { simd: true, bulk_memory: true, sat_float_to_int: true } as const;
