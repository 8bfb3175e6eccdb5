import wabt from 'wabt';

/**
 * A small wasm module that implements OPA's wasm policy ABI (docs/content/wasm.md in OPA: the
 * `env` imports, `opa_malloc`, `opa_json_parse`/`opa_json_dump`, the eval-context functions and,
 * for ABI 1.2, the one-shot `opa_eval`), so the opa-wasm integration can be tested without an
 * OPA binary. Values are kept as their JSON text (`[len:i32][bytes]`); the heap is a bump
 * allocator reset by `opa_heap_ptr_set`, as OPA's own is between evaluations.
 *
 * Entrypoints:
 * - `gitseal` computes from its input by searching the JSON text: a deny when it contains
 *   `DO-NOT-MERGE`, another when it contains `"privileged":true`; and a warn that carries the
 *   data document verbatim, so tests see both input and data arrive. Input containing
 *   `LOOP-FOREVER` makes it spin and `ABORT-NOW` makes it call opa_abort, so one engine can be
 *   shown to recover from both.
 * - `loop` never ends; `abort` calls opa_abort; `hog` allocates until memory runs out.
 * - `missing_builtin` calls a builtin no host implements; `sdk_builtin` calls `json.is_valid`,
 *   which @open-policy-agent/opa-wasm implements in JavaScript.
 * - `garbage` returns text that is not JSON; `two_results` a result set with two elements;
 *   `undefined` the empty result set; `print` calls opa_println and returns `{}`.
 * - `echo` returns its input verbatim as `{"input": …}` (`null` when there is none).
 */
export interface AbiPolicyOptions {
  /** opa_wasm_abi_minor_version: 1 makes the SDK use the eval-context path, 2 the opa_eval fast path. */
  minor?: number;
  /** Export opa_eval (default: when minor >= 2). */
  opaEval?: boolean;
  /** Make `entrypoints()` loop forever, so loading the module hangs. */
  hangOnLoad?: boolean;
}

export const ENTRYPOINTS = [
  'gitseal',
  'loop',
  'abort',
  'missing_builtin',
  'garbage',
  'undefined',
  'print',
  'two_results',
  'sdk_builtin',
  'hog',
  'echo',
] as const;

const STRINGS = {
  entrypoints: `{${ENTRYPOINTS.map((name, i) => `"${name}":${i}`).join(',')}}`,
  builtins: '{"custom.missing":0,"json.is_valid":1}',
  open: '[{"result":{"deny":[',
  denyMerge: '"commit message says DO-NOT-MERGE"',
  denyPrivileged: '"privileged containers are not allowed"',
  comma: ',',
  warn: '],"warn":[{"msg":"data seen","data":',
  close: '}]}}]',
  needleMerge: 'DO-NOT-MERGE',
  needlePrivileged: '"privileged":true',
  needleLoop: 'LOOP-FOREVER',
  needleAbort: 'ABORT-NOW',
  abort: 'policy aborted: boom\0',
  oom: 'opa_malloc: out of memory\0',
  badEntrypoint: 'invalid entrypoint id\0',
  print: 'hello from the policy\0',
  garbage: 'this is not json',
  undefined: '[]',
  empty: '[{"result":{}}]',
  two: '[{"result":{}},{"result":{}}]',
  one: '1',
  sdkArg: '"{\\"a\\":1}"',
  sdkOpen: '[{"result":{"warn":[{"msg":"json.is_valid","value":',
  echoOpen: '[{"result":{"input":',
  echoClose: '}}]',
  null: 'null',
} as const;

type Name = keyof typeof STRINGS;

export function abiPolicyWat(options: AbiPolicyOptions = {}): string {
  const minor = options.minor ?? 2;
  const { data, at, len, heapBase } = layout();
  const str = (name: Name) => `(i32.const ${at[name]}) (i32.const ${len[name]})`;
  const entry = (i: number, body: string) => `(if (i32.eq (local.get $ep) (i32.const ${i})) (then ${body}))`;
  return `(module
  (import "env" "memory" (memory 2))
  (import "env" "opa_abort" (func $opa_abort (param i32)))
  (import "env" "opa_println" (func $opa_println (param i32)))
  (import "env" "opa_builtin0" (func $opa_builtin0 (param i32 i32) (result i32)))
  (import "env" "opa_builtin1" (func $opa_builtin1 (param i32 i32 i32) (result i32)))
  (import "env" "opa_builtin2" (func $opa_builtin2 (param i32 i32 i32 i32) (result i32)))
  (import "env" "opa_builtin3" (func $opa_builtin3 (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "opa_builtin4" (func $opa_builtin4 (param i32 i32 i32 i32 i32 i32) (result i32)))
  (global $heap (mut i32) (i32.const ${heapBase}))
  (global $out (mut i32) (i32.const 0))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const ${minor}))
  ${data}

  (func $ensure (param $end i32)
    (local $have i32)
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (local.get $have)) (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
          (then (call $opa_abort (i32.const ${at.oom})) (unreachable))))))
  (func $malloc (export "opa_malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (call $ensure (i32.add (local.get $p) (local.get $n)))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (local.get $p))
  (func (export "opa_free") (param i32))
  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param i32) (global.set $heap (local.get 0)))

  (func $value (param $src i32) (param $len i32) (result i32)
    (local $v i32)
    (local.set $v (call $malloc (i32.add (local.get $len) (i32.const 4))))
    (i32.store (local.get $v) (local.get $len))
    (memory.copy (i32.add (local.get $v) (i32.const 4)) (local.get $src) (local.get $len))
    (local.get $v))
  (func $json_parse (export "opa_json_parse") (param $s i32) (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (call $value (local.get $s) (local.get $n)))
  (func (export "opa_value_parse") (param i32 i32) (result i32) (call $json_parse (local.get 0) (local.get 1)))
  (func $json_dump (export "opa_json_dump") (param $v i32) (result i32)
    (local $len i32) (local $s i32)
    (if (i32.eqz (local.get $v)) (then (local.set $v (call $value ${str('null')}))))
    (local.set $len (i32.load (local.get $v)))
    (local.set $s (call $malloc (i32.add (local.get $len) (i32.const 1))))
    (memory.copy (local.get $s) (i32.add (local.get $v) (i32.const 4)) (local.get $len))
    (i32.store8 (i32.add (local.get $s) (local.get $len)) (i32.const 0))
    (local.get $s))
  (func (export "opa_value_dump") (param i32) (result i32) (call $json_dump (local.get 0)))
  (func (export "opa_value_add_path") (param i32 i32 i32) (result i32) (i32.const 1))
  (func (export "opa_value_remove_path") (param i32 i32) (result i32) (i32.const 1))
  (func (export "builtins") (result i32) (call $value ${str('builtins')}))
  (func (export "entrypoints") (result i32)
    ${options.hangOnLoad ? '(loop $spin (br $spin))' : ''}
    (call $value ${str('entrypoints')}))

  (func $out_begin (global.set $out (call $malloc (i32.const 4))))
  (func $emit (param $src i32) (param $len i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (call $ensure (i32.add (local.get $p) (local.get $len)))
    (memory.copy (local.get $p) (local.get $src) (local.get $len))
    (global.set $heap (i32.add (local.get $p) (local.get $len))))
  (func $emit_value (param $v i32)
    (if (i32.eqz (local.get $v)) (then (call $emit ${str('null')}) (return)))
    (call $emit (i32.add (local.get $v) (i32.const 4)) (i32.load (local.get $v))))
  (func $out_end (result i32)
    (i32.store (global.get $out) (i32.sub (global.get $heap) (i32.add (global.get $out) (i32.const 4))))
    (global.get $out))

  (func $contains (param $h i32) (param $hl i32) (param $n i32) (param $nl i32) (result i32)
    (local $i i32) (local $j i32)
    (if (i32.gt_u (local.get $nl) (local.get $hl)) (then (return (i32.const 0))))
    (block $done
      (loop $outer
        (br_if $done (i32.gt_u (local.get $i) (i32.sub (local.get $hl) (local.get $nl))))
        (local.set $j (i32.const 0))
        (block $mismatch
          (loop $inner
            (if (i32.eq (local.get $j) (local.get $nl)) (then (return (i32.const 1))))
            (br_if $mismatch
              (i32.ne (i32.load8_u (i32.add (local.get $h) (i32.add (local.get $i) (local.get $j))))
                      (i32.load8_u (i32.add (local.get $n) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (i32.const 0))

  (func $gitseal (param $in i32) (param $inl i32) (param $data i32) (result i32)
    (local $first i32)
    (if (call $contains (local.get $in) (local.get $inl) ${str('needleLoop')})
      (then (loop $spin (br $spin))))
    (if (call $contains (local.get $in) (local.get $inl) ${str('needleAbort')})
      (then (call $opa_abort (i32.const ${at.abort})) (unreachable)))
    (call $out_begin)
    (call $emit ${str('open')})
    (local.set $first (i32.const 1))
    (if (call $contains (local.get $in) (local.get $inl) ${str('needleMerge')})
      (then (call $emit ${str('denyMerge')}) (local.set $first (i32.const 0))))
    (if (call $contains (local.get $in) (local.get $inl) ${str('needlePrivileged')})
      (then
        (if (i32.eqz (local.get $first)) (then (call $emit ${str('comma')})))
        (call $emit ${str('denyPrivileged')})))
    (call $emit ${str('warn')})
    (call $emit_value (local.get $data))
    (call $emit ${str('close')})
    (call $out_end))

  (func $sdk_builtin (result i32)
    (local $r i32)
    (local.set $r (call $opa_builtin1 (i32.const 1) (i32.const 0) (call $value ${str('sdkArg')})))
    (call $out_begin)
    (call $emit ${str('sdkOpen')})
    (call $emit_value (local.get $r))
    (call $emit ${str('close')})
    (call $out_end))

  (func $echo (param $in i32) (param $inl i32) (result i32)
    (call $out_begin)
    (call $emit ${str('echoOpen')})
    (if (i32.eqz (local.get $inl)) (then (call $emit ${str('null')})) (else (call $emit (local.get $in) (local.get $inl))))
    (call $emit ${str('echoClose')})
    (call $out_end))

  (func $run (param $ep i32) (param $in i32) (param $inl i32) (param $data i32) (result i32)
    ${entry(0, '(return (call $gitseal (local.get $in) (local.get $inl) (local.get $data)))')}
    ${entry(1, '(loop $forever (br $forever))')}
    ${entry(2, `(call $opa_abort (i32.const ${at.abort})) (unreachable)`)}
    ${entry(3, `(drop (call $opa_builtin1 (i32.const 0) (i32.const 0) (call $value ${str('one')}))) (return (call $value ${str('empty')}))`)}
    ${entry(4, `(return (call $value ${str('garbage')}))`)}
    ${entry(5, `(return (call $value ${str('undefined')}))`)}
    ${entry(6, `(call $opa_println (i32.const ${at.print})) (return (call $value ${str('empty')}))`)}
    ${entry(7, `(return (call $value ${str('two')}))`)}
    ${entry(8, '(return (call $sdk_builtin))')}
    ${entry(9, '(loop $more (drop (call $malloc (i32.const 1048576))) (br $more))')}
    ${entry(10, '(return (call $echo (local.get $in) (local.get $inl)))')}
    (call $opa_abort (i32.const ${at.badEntrypoint}))
    (unreachable))

  (func (export "opa_eval_ctx_new") (result i32)
    (local $c i32)
    (local.set $c (call $malloc (i32.const 16)))
    (i32.store (local.get $c) (i32.const 0))
    (i32.store offset=4 (local.get $c) (i32.const 0))
    (i32.store offset=8 (local.get $c) (i32.const 0))
    (i32.store offset=12 (local.get $c) (i32.const 0))
    (local.get $c))
  (func (export "opa_eval_ctx_set_input") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "opa_eval_ctx_set_data") (param i32 i32) (i32.store offset=4 (local.get 0) (local.get 1)))
  (func (export "opa_eval_ctx_set_entrypoint") (param i32 i32) (i32.store offset=8 (local.get 0) (local.get 1)))
  (func (export "opa_eval_ctx_get_result") (param i32) (result i32) (i32.load offset=12 (local.get 0)))
  (func (export "eval") (param $c i32) (result i32)
    (local $in i32)
    (local.set $in (i32.load (local.get $c)))
    (i32.store offset=12 (local.get $c)
      (call $run
        (i32.load offset=8 (local.get $c))
        (if (result i32) (local.get $in) (then (i32.add (local.get $in) (i32.const 4))) (else (i32.const 0)))
        (if (result i32) (local.get $in) (then (i32.load (local.get $in))) (else (i32.const 0)))
        (i32.load offset=4 (local.get $c))))
    (i32.const 0))
  ${
    (options.opaEval ?? minor >= 2)
      ? `(func (export "opa_eval") (param $reserved i32) (param $ep i32) (param $data i32) (param $in i32) (param $inl i32) (param $heap_ptr i32) (param $format i32) (result i32)
    (global.set $heap (local.get $heap_ptr))
    (call $json_dump (call $run (local.get $ep) (local.get $in) (local.get $inl) (local.get $data))))`
      : ''
  }
)`;
}

/** Places every static string at a fixed address and returns the data segments. */
function layout() {
  const enc = new TextEncoder();
  const at = {} as Record<Name, number>;
  const len = {} as Record<Name, number>;
  let offset = 16;
  const segments: string[] = [];
  for (const [name, text] of Object.entries(STRINGS) as [Name, string][]) {
    const bytes = enc.encode(text);
    at[name] = offset;
    len[name] = text.endsWith('\0') ? bytes.length - 1 : bytes.length;
    segments.push(`(data (i32.const ${offset}) "${[...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}")`);
    offset += bytes.length + 1;
  }
  return { data: segments.join('\n  '), at, len, heapBase: Math.max(1024, Math.ceil(offset / 8) * 8) };
}

let wabtModule: ReturnType<typeof wabt> | undefined;

/** Assembles WAT text to a wasm binary with the wabt package. */
export async function assembleWat(source: string): Promise<Uint8Array> {
  const tools = await (wabtModule ??= wabt());
  const module = tools.parseWat('policy.wat', source, { bulk_memory: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

export function abiPolicyWasm(options: AbiPolicyOptions = {}): Promise<Uint8Array> {
  return assembleWat(abiPolicyWat(options));
}
