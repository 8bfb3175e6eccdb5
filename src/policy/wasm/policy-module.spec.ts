import { describe, expect, it } from 'vitest';
import { abiPolicyWasm, assembleWat } from '../../../test/policy-wasm/support/abi-policy.wat';
import { compilePolicyModule, memoryImportLimits } from './policy-module';
import { WasmBundleException } from './wasm-bundle.exception';

const FUNCTIONS = [
  'eval',
  'builtins',
  'entrypoints',
  'opa_eval_ctx_new',
  'opa_eval_ctx_set_input',
  'opa_eval_ctx_set_data',
  'opa_eval_ctx_set_entrypoint',
  'opa_eval_ctx_get_result',
  'opa_malloc',
  'opa_json_parse',
  'opa_json_dump',
  'opa_heap_ptr_get',
  'opa_heap_ptr_set',
];

interface Shape {
  memory?: string;
  imports?: string;
  omit?: string[];
}

/** A module with the ABI's export names (bodies do not matter to the checks) and the given imports. */
function moduleWat({ memory = '(import "env" "memory" (memory 2))', imports = '', omit = [] }: Shape): string {
  return `(module
    (import "env" "opa_abort" (func (param i32)))
    ${imports}
    ${memory}
    ${FUNCTIONS.filter((name) => !omit.includes(name)).map((name) => `(func (export "${name}"))`).join('\n')}
    ${omit.includes('opa_wasm_abi_version') ? '' : '(global (export "opa_wasm_abi_version") i32 (i32.const 1))'}
    (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2)))`;
}

async function check(shape: Shape, limitPages = 64) {
  return compilePolicyModule(await assembleWat(moduleWat(shape)), limitPages);
}

async function failure(promise: Promise<unknown>): Promise<WasmBundleException> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WasmBundleException) return err;
    throw err;
  }
  throw new Error('expected a WasmBundleException');
}

describe('compilePolicyModule', () => {
  it('accepts a module implementing the ABI and sizes its memory', async () => {
    const policy = await compilePolicyModule(await abiPolicyWasm(), 128);
    expect(policy.memory).toEqual({ initial: 2, maximum: 128 });
  });

  it('keeps the module maximum when it is below the limit', async () => {
    expect((await check({ memory: '(import "env" "memory" (memory 3 10))' })).memory).toEqual({ initial: 3, maximum: 10 });
  });

  it('refuses bytes that do not compile', async () => {
    const err = await failure(compilePolicyModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]), 64));
    expect([err.code, err.message]).toEqual(['invalid-wasm', expect.stringMatching(/^policy\.wasm does not compile: /)]);
  });

  it.each([
    ['(import "env" "evil" (func))', 'function env.evil'],
    ['(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))', 'function wasi_snapshot_preview1.fd_write'],
    ['(import "env" "opa_abort" (global i32))', 'global env.opa_abort'],
  ])('refuses imports the ABI does not provide: %s', async (imports, named) => {
    const err = await failure(check({ imports }));
    expect(err.code).toBe('invalid-wasm');
    expect(err.message).toBe(`policy.wasm imports ${named}, which OPA's wasm ABI does not provide`);
  });

  it('refuses a module that does not import env.memory', async () => {
    const err = await failure(check({ memory: '(memory (export "memory") 2)' }));
    expect(err.message).toMatch(/does not import its memory as env\.memory/);
  });

  it('lists the ABI exports a module lacks', async () => {
    const err = await failure(check({ omit: ['eval', 'opa_json_dump', 'opa_wasm_abi_version'] }));
    expect(err.message).toBe("policy.wasm does not implement OPA's wasm ABI: it does not export eval, opa_json_dump, opa_wasm_abi_version");
  });

  it('refuses a module that needs more memory than the limit to start', async () => {
    const err = await failure(check({ memory: '(import "env" "memory" (memory 200))' }, 64));
    expect([err.code, err.message]).toEqual(['too-large', 'policy.wasm needs 12.5 MiB of memory to start; the limit is 4 MiB']);
  });

  it('refuses shared memory', async () => {
    // wabt will not validate a shared memory without a feature its JS build lacks: patch the
    // limits flag of `(memory 2 4)` (kind 0x02, flags 0x01, min 2, max 4) to shared (0x03).
    const bytes = await assembleWat(moduleWat({ memory: '(import "env" "memory" (memory 2 4))' }));
    const at = Buffer.from(bytes).indexOf(Buffer.from([...Buffer.from('memory'), 0x02, 0x01, 0x02, 0x04]));
    expect(at).toBeGreaterThan(0);
    bytes[at + 7] = 0x03;
    const err = await failure(compilePolicyModule(bytes, 64));
    expect(err.message).toMatch(/shared memory/);
  });
});

describe('memoryImportLimits', () => {
  it('finds the memory import after function imports, with and without a maximum', async () => {
    expect(memoryImportLimits(await assembleWat(moduleWat({})))).toEqual({ min: 2, max: undefined, shared: false });
    const bounded = await assembleWat(moduleWat({ imports: '(import "env" "opa_println" (func (param i32)))', memory: '(import "env" "memory" (memory 300 60000))' }));
    expect(memoryImportLimits(bounded)).toEqual({ min: 300, max: 60000, shared: false });
  });
});
