/**
 * WebAssembly text of `base64_hashes`, part of the ledger's module (ledger-wasm-source.ts): the
 * standard base64 (RFC 4648 §4, padded) of each of many 32-byte hashes, 44 characters each, one
 * after another. The verifier compares inclusion proofs, which bundles carry as base64 text, with
 * a whole tree level's text made in one call rather than one string per node.
 *
 * Uses memory below HEAP_BASE: ALPHABET (64 bytes, a data segment).
 */
const ALPHABET_AT = 3072;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Four characters for the 24 bits of $n, stored at $dst as one little-endian i32. */
function quad(shifts: number[]): string {
  const char = (shift: number): string =>
    `(i32.load8_u offset=${ALPHABET_AT} (i32.and (i32.shr_u (local.get $n) (i32.const ${shift})) (i32.const 63)))`;
  return shifts.map((shift, k) => (k === 0 ? char(shift) : `(i32.shl ${char(shift)} (i32.const ${8 * k}))`)).reduce((acc, x) => `(i32.or ${acc} ${x})`);
}

export function base64Wat(): string {
  return `  (data (i32.const ${ALPHABET_AT}) "${ALPHABET}")

  ;; base64_hashes: 44 characters of base64 per 32-byte hash at $src + 32i, to $dst + 44i.
  (func $base64_hashes (export "base64_hashes") (param $src i32) (param $count i32) (param $dst i32)
    (local $end i32) (local $group i32) (local $n i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 5))))
    (block $done
      (loop $hash
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        ;; ten groups of three bytes
        (local.set $group (i32.const 0))
        (loop $groups
          (local.set $n (i32.or (i32.or
            (i32.shl (i32.load8_u (local.get $src)) (i32.const 16))
            (i32.shl (i32.load8_u offset=1 (local.get $src)) (i32.const 8)))
            (i32.load8_u offset=2 (local.get $src))))
          (i32.store (local.get $dst) ${quad([18, 12, 6, 0])})
          (local.set $src (i32.add (local.get $src) (i32.const 3)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $group (i32.add (local.get $group) (i32.const 1)))
          (br_if $groups (i32.lt_u (local.get $group) (i32.const 10))))
        ;; the last two bytes: three characters and one '='
        (local.set $n (i32.or
          (i32.shl (i32.load8_u (local.get $src)) (i32.const 16))
          (i32.shl (i32.load8_u offset=1 (local.get $src)) (i32.const 8))))
        (i32.store (local.get $dst) (i32.or ${quad([18, 12, 6])} (i32.const ${'='.charCodeAt(0) << 24})))
        (local.set $src (i32.add (local.get $src) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $hash))))`;
}
