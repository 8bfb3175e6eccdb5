import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wabt from 'wabt';
import { describe, expect, it } from 'vitest';
import { LEDGER_WASM } from './ledger-wasm-binary';
import { WASM_FEATURES, ledgerWat } from './ledger-wasm-source';

/** The committed module is exactly what wabt assembles from the WAT source. */
async function assemble(): Promise<Buffer> {
  const tools = await wabt();
  const module = tools.parseWat('ledger.wat', ledgerWat(), WASM_FEATURES);
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

function binaryFile(bytes: Buffer): string {
  const text = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 96) lines.push(`  '${text.slice(i, i + 96)}'`);
  return `/**
 * Generated: the ledger's WebAssembly module as wabt assembles it from ledgerWat()
 * (ledger-wasm-source.ts). Do not edit; regenerate with
 * GITSEAL_WRITE_WASM=1 npx vitest run src/ledger/ledger-wasm-binary.spec.ts
 */
export const LEDGER_WASM = Buffer.from(
  [
${lines.join(',\n')},
  ].join(''),
  'base64',
);
`;
}

describe('ledger wasm binary', () => {
  it('is what the WAT source assembles to', async () => {
    const bytes = await assemble();
    const file = join(__dirname, 'ledger-wasm-binary.ts');
    if (process.env.GITSEAL_WRITE_WASM === '1' && !bytes.equals(LEDGER_WASM)) writeFileSync(file, binaryFile(bytes));
    expect(readFileSync(file, 'utf8')).toBe(binaryFile(bytes));
  });
});
