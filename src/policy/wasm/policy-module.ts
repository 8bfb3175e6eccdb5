import { WasmBundleException } from './wasm-bundle.exception';
import { compileWasm, wasmExports, wasmImports, type CompiledWasmModule } from './webassembly.adapter';

/**
 * Compiles policy.wasm and checks, before any of its code runs, that it is shaped like a module
 * OPA compiled: it imports only what OPA's wasm ABI provides (`env.memory`, `env.opa_abort`,
 * `env.opa_println`, `env.opa_builtin0..4`) and exports the functions the SDK calls. Also sizes
 * the memory the host gives it: the module's declared minimum, capped by the configured limit.
 */
export interface PolicyModule {
  module: CompiledWasmModule;
  /** In 64 KiB pages. */
  memory: { initial: number; maximum: number };
}

export const WASM_PAGE_BYTES = 65536;

const ALLOWED_FUNCTION_IMPORTS = new Set([
  'opa_abort',
  'opa_println',
  'opa_builtin0',
  'opa_builtin1',
  'opa_builtin2',
  'opa_builtin3',
  'opa_builtin4',
]);

const REQUIRED_FUNCTIONS = [
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

const REQUIRED_GLOBALS = ['opa_wasm_abi_version', 'opa_wasm_abi_minor_version'];

export async function compilePolicyModule(bytes: Uint8Array, memoryLimitPages: number): Promise<PolicyModule> {
  let module: CompiledWasmModule;
  try {
    module = await compileWasm(bytes);
  } catch (err) {
    throw invalid(`policy.wasm does not compile: ${err instanceof Error ? err.message : String(err)}`);
  }
  checkImports(module);
  checkExports(module);
  return { module, memory: memorySize(memoryImportLimits(bytes), memoryLimitPages) };
}

function checkImports(module: CompiledWasmModule): void {
  let memory = false;
  for (const imp of wasmImports(module)) {
    const allowed =
      imp.module === 'env' &&
      ((imp.kind === 'memory' && imp.name === 'memory') ||
        (imp.kind === 'function' && ALLOWED_FUNCTION_IMPORTS.has(imp.name)));
    if (!allowed) {
      throw invalid(`policy.wasm imports ${imp.kind} ${imp.module}.${imp.name}, which OPA's wasm ABI does not provide`);
    }
    if (imp.kind === 'memory') memory = true;
  }
  if (!memory) throw invalid('policy.wasm does not import its memory as env.memory, as OPA-compiled modules do');
}

function checkExports(module: CompiledWasmModule): void {
  const exported = new Map(wasmExports(module).map((e) => [e.name, e.kind]));
  const missing = [
    ...REQUIRED_FUNCTIONS.filter((name) => exported.get(name) !== 'function'),
    ...REQUIRED_GLOBALS.filter((name) => exported.get(name) !== 'global'),
  ];
  if (missing.length > 0) {
    throw invalid(`policy.wasm does not implement OPA's wasm ABI: it does not export ${missing.join(', ')}`);
  }
}

function memorySize(limits: MemoryLimits, limitPages: number): PolicyModule['memory'] {
  if (limits.shared) throw invalid('policy.wasm imports shared memory, which OPA-compiled modules never do');
  if (limits.min > limitPages) {
    throw new WasmBundleException(
      'too-large',
      `policy.wasm needs ${mib(limits.min)} MiB of memory to start; the limit is ${mib(limitPages)} MiB`,
    );
  }
  return { initial: limits.min, maximum: Math.min(limitPages, limits.max ?? Number.POSITIVE_INFINITY) };
}

interface MemoryLimits {
  min: number;
  max?: number;
  shared: boolean;
}

/**
 * The limits of the `env.memory` import, read from the binary's import section (the JS API does
 * not expose them). Runs after checkImports, so the only imports are functions and that memory.
 */
export function memoryImportLimits(bytes: Uint8Array): MemoryLimits {
  const r = new ByteReader(bytes, 8);
  while (!r.done()) {
    const id = r.byte();
    const size = r.leb();
    const end = r.pos + size;
    if (id === 2) {
      for (let n = r.leb(); n > 0; n--) {
        r.skip(r.leb());
        r.skip(r.leb());
        const kind = r.byte();
        if (kind === 0) r.leb();
        else if (kind === 2) return r.limits();
        else throw invalid('policy.wasm has an unexpected import');
      }
    }
    r.pos = end;
  }
  throw invalid('policy.wasm has no memory import');
}

class ByteReader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  done(): boolean {
    return this.pos >= this.bytes.length;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) throw invalid('policy.wasm ends inside a section');
    return this.bytes[this.pos++];
  }

  leb(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw invalid('policy.wasm holds a malformed number');
  }

  skip(n: number): void {
    this.pos += n;
  }

  limits(): MemoryLimits {
    const flags = this.byte();
    if (flags > 3) throw invalid('policy.wasm uses 64-bit or custom-page memory, which OPA-compiled modules never do');
    const min = this.leb();
    const max = flags & 1 ? this.leb() : undefined;
    return { min, max, shared: (flags & 2) !== 0 };
  }
}

function mib(pages: number): number {
  return (pages * WASM_PAGE_BYTES) / (1024 * 1024);
}

function invalid(message: string): WasmBundleException {
  return new WasmBundleException('invalid-wasm', message);
}
