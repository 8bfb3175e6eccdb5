/**
 * The one door to the WebAssembly engine of the runtime. The project's TypeScript libraries do
 * not declare the `WebAssembly` global, so this file types the few calls gitseal makes.
 */

/** A compiled module (a `WebAssembly.Module`); it can be posted to worker threads. */
export interface CompiledWasmModule {
  readonly __compiledWasmModule: unique symbol;
}

export type WasmExternKind = 'function' | 'table' | 'memory' | 'global' | 'tag';

export interface WasmImportDescriptor {
  module: string;
  name: string;
  kind: WasmExternKind;
}

export interface WasmExportDescriptor {
  name: string;
  kind: WasmExternKind;
}

interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<CompiledWasmModule>;
  Module: {
    imports(module: CompiledWasmModule): WasmImportDescriptor[];
    exports(module: CompiledWasmModule): WasmExportDescriptor[];
  };
}

const api = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

export function compileWasm(bytes: Uint8Array): Promise<CompiledWasmModule> {
  return api.compile(bytes);
}

export function wasmImports(module: CompiledWasmModule): WasmImportDescriptor[] {
  return api.Module.imports(module);
}

export function wasmExports(module: CompiledWasmModule): WasmExportDescriptor[] {
  return api.Module.exports(module);
}
