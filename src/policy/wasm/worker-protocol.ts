import type { CompiledWasmModule } from './webassembly.adapter';

/**
 * Messages between the engine (main thread) and the worker thread that runs the wasm policy.
 * Types only: the worker file imports them with `import type`, which erases to nothing.
 */
export interface WorkerInit {
  module: CompiledWasmModule;
  /** Linear memory in 64 KiB pages. */
  memory: { initial: number; maximum: number };
  /** The bundle's data document as JSON text, handed to the module once per instance. */
  dataJson: string;
  /** Entrypoint name as the module's `entrypoints()` lists it, e.g. `gitseal`. */
  entrypoint: string;
}

export interface EvalRequest {
  type: 'eval';
  id: number;
  /** UTF-8 JSON of the input document (transferred, not copied), or null for no input. */
  input: ArrayBuffer | null;
}

export type WorkerMessage =
  | { type: 'ready'; entrypoints: string[]; abiVersion: string }
  | { type: 'load-error'; reason: 'entrypoint' | 'load'; message: string }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string }
  | { type: 'print'; line: string }
  | { type: 'fatal'; message: string };
