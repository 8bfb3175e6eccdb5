/**
 * WebAssembly text of the generic part of the verifier's fast entry check (entry-scan-wat.ts):
 * literals, strings, member names and their order, integers, and any JSON value, each checked
 * for RFC 8785 canonical form on a strict subset (the rest is left to the full check). Every
 * function returns the index after what it read, or -1 for "not canonical, or not sure".
 *
 * Uses memory below HEAP_BASE: LITERALS, the fixed texts the scan matches (a data segment), and
 * TYPES, the entry types (written by the caller: a count byte, then per type a length byte and
 * its bytes). Strings and names are read 16 bytes at a time: the caller leaves 16 readable bytes
 * after every entry, and a byte found at or past the entry's end is outside it.
 */
export const SCAN_LAYOUT = { literals: 1024, types: 1536, typesEnd: 2048 } as const;

export const LITERALS = {
  recordedAt: ',"recordedAt":"',
  seq: '","seq":',
  type: ',"type":"',
  v: '","v":1}',
  commit: 'commit',
  follows: 'follows',
  true: 'true',
  false: 'false',
  null: 'null',
};
export type Literal = keyof typeof LITERALS;

/** Where each literal is in memory, and the data segment that puts them there. */
const LITERAL_AT = {} as Record<Literal, number>;
let literalData = '';
for (const [name, text] of Object.entries(LITERALS) as Array<[Literal, string]>) {
  LITERAL_AT[name] = SCAN_LAYOUT.literals + literalData.length;
  literalData += text;
}

/** (call $lit …): 1 when the literal is at $p. */
export function lit(name: Literal, p = '(local.get $p)'): string {
  return `(call $lit ${p} (local.get $end) (i32.const ${LITERAL_AT[name]}) (i32.const ${LITERALS[name].length}))`;
}

export const splat = (b: number): string => `(v128.const i8x16 ${Array(16).fill(b).join(' ')})`;

/** Helpers: literals, strings (values and keys), numbers. */
function basics(): string {
  return `  ;; 1 when the $len bytes at $lit are at $p (within $end), compared 16 at a time.
  (func $lit (param $p i32) (param $end i32) (param $lit i32) (param $len i32) (result i32)
    (local $k i32)
    (if (i32.gt_u (i32.add (local.get $p) (local.get $len)) (local.get $end)) (then (return (i32.const 0))))
    (loop $chunk
      (if (i32.gt_u (local.get $len) (i32.const 16))
        (then
          (if (i32.ne (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (v128.load (local.get $lit)))) (i32.const 0xffff)) (then (return (i32.const 0))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $lit (i32.add (local.get $lit) (i32.const 16)))
          (local.set $len (i32.sub (local.get $len) (i32.const 16)))
          (br $chunk))))
    (i32.eqz (i32.and (i32.xor (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (v128.load (local.get $lit)))) (i32.const -1))
      (i32.sub (i32.shl (i32.const 1) (local.get $len)) (i32.const 1)))))

  ;; A string value whose opening quote is at $p: the index after its closing quote, or -1. Only
  ;; the escapes RFC 8785 emits: \\" \\\\ \\b \\f \\n \\r \\t, and \\u00xx (lowercase) for other controls.
  ;; Reads 16 bytes at a time (the caller leaves 16 readable bytes after $end); a byte found at
  ;; or after $end is outside the entry.
  (func $string (param $p i32) (param $end i32) (result i32)
    (local $c i32) (local $v v128) (local $m i32) (local $code i32) (local $lo i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (loop $run
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $v (v128.load (local.get $p)))
      (local.set $m (i8x16.bitmask (v128.or (v128.or (i8x16.eq (local.get $v) ${splat(0x22)}) (i8x16.eq (local.get $v) ${splat(0x5c)}))
        (i8x16.lt_u (local.get $v) ${splat(0x20)}))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $run)))
      (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (i32.add (local.get $p) (i32.const 1)))))
      (if (i32.lt_u (local.get $c) (i32.const 0x20)) (then (return (i32.const -1))))
      ;; an escape
      (if (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u offset=1 (local.get $p)))
      (if (i32.or (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c)))
                          (i32.or (i32.eq (local.get $c) (i32.const 0x62)) (i32.eq (local.get $c) (i32.const 0x66))))
                  (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x6e)) (i32.eq (local.get $c) (i32.const 0x72)))
                          (i32.eq (local.get $c) (i32.const 0x74))))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 2)))
          (br $run)))
      (if (i32.gt_u (i32.add (local.get $p) (i32.const 6)) (local.get $end)) (then (return (i32.const -1))))
      (if (i32.or (i32.ne (local.get $c) (i32.const 0x75))
            (i32.or (i32.ne (i32.load8_u offset=2 (local.get $p)) (i32.const 0x30)) (i32.ne (i32.load8_u offset=3 (local.get $p)) (i32.const 0x30))))
        (then (return (i32.const -1))))
      (local.set $c (i32.load8_u offset=4 (local.get $p)))
      (if (i32.and (i32.ne (local.get $c) (i32.const 0x30)) (i32.ne (local.get $c) (i32.const 0x31))) (then (return (i32.const -1))))
      (local.set $lo (i32.load8_u offset=5 (local.get $p)))
      (if (i32.le_u (i32.sub (local.get $lo) (i32.const 0x30)) (i32.const 9))
        (then (local.set $lo (i32.sub (local.get $lo) (i32.const 0x30))))
        (else
          (if (i32.gt_u (i32.sub (local.get $lo) (i32.const 0x61)) (i32.const 5)) (then (return (i32.const -1))))
          (local.set $lo (i32.sub (local.get $lo) (i32.const 0x57)))))
      (local.set $code (i32.or (i32.shl (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 4)) (local.get $lo)))
      ;; \\b \\t \\n \\f \\r have short forms
      (if (i32.or (i32.or (i32.eq (local.get $code) (i32.const 8)) (i32.eq (local.get $code) (i32.const 9)))
            (i32.or (i32.or (i32.eq (local.get $code) (i32.const 10)) (i32.eq (local.get $code) (i32.const 12))) (i32.eq (local.get $code) (i32.const 13))))
        (then (return (i32.const -1))))
      (local.set $p (i32.add (local.get $p) (i32.const 6)))
      (br $run))
    (i32.const -1))

  ;; A member name whose opening quote is at $p, of ASCII without controls or escapes (others are
  ;; left to the full check; for ASCII, byte order is UTF-16 order): the index after its closing
  ;; quote, or -1.
  (func $key (param $p i32) (param $end i32) (result i32)
    (local $v v128) (local $m i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (loop $run
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $v (v128.load (local.get $p)))
      ;; signed, bytes 0x80-0xff are below 0x20 too
      (local.set $m (i8x16.bitmask (v128.or (v128.or (i8x16.eq (local.get $v) ${splat(0x22)}) (i8x16.eq (local.get $v) ${splat(0x5c)}))
        (i8x16.lt_s (local.get $v) ${splat(0x20)}))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $run))))
    (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
    (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22))) (then (return (i32.const -1))))
    (i32.add (local.get $p) (i32.const 1)))

  ;; 1 when key [$a, $a+$al) sorts strictly before key [$b, $b+$bl) (bytes; ASCII only here).
  (func $before (param $a i32) (param $al i32) (param $b i32) (param $bl i32) (result i32)
    (local $k i32) (local $n i32) (local $x i32) (local $y i32)
    (local.set $n (select (local.get $al) (local.get $bl) (i32.lt_u (local.get $al) (local.get $bl))))
    (loop $next
      (if (i32.lt_u (local.get $k) (local.get $n))
        (then
          (local.set $x (i32.load8_u (i32.add (local.get $a) (local.get $k))))
          (local.set $y (i32.load8_u (i32.add (local.get $b) (local.get $k))))
          (if (i32.ne (local.get $x) (local.get $y)) (then (return (i32.lt_u (local.get $x) (local.get $y)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $next))))
    (i32.lt_u (local.get $al) (local.get $bl)))

  ;; Digits from $p: their count in the low 32 bits of the result, the value (up to 15 digits)
  ;; above; the count is 0 unless the integer is canonical: no leading zero, at most 15 digits,
  ;; and not followed by a fraction, an exponent or a sign (left to the full check).
  (func $digits (param $p i32) (param $end i32) (result i64)
    (local $n i32) (local $value i64) (local $c i32)
    (loop $next
      (if (i32.lt_u (local.get $p) (local.get $end))
        (then
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.le_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 9))
            (then
              (local.set $value (i64.add (i64.mul (local.get $value) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 0x30)))))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $next (i32.le_u (local.get $n) (i32.const 15))))))))
    (if (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 15))) (then (return (i64.const 0))))
    (if (i32.and (i32.gt_u (local.get $n) (i32.const 1)) (i32.eq (i32.load8_u (i32.sub (local.get $p) (local.get $n))) (i32.const 0x30)))
      (then (return (i64.const 0))))
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x2e)) (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x65)))
              (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d))))
          (then (return (i64.const 0))))))
    (i64.or (i64.shl (local.get $value) (i64.const 32)) (i64.extend_i32_u (local.get $n))))`;
}

/** Generic values below the entry's own members. */
function values(): string {
  return `  ;; Any JSON value at $p at nesting $depth: the index after it, or -1 (not canonical, or left
  ;; to the full check).
  (func $value (param $p i32) (param $end i32) (param $depth i32) (result i32)
    (local $c i32) (local $r i64) (local $q i32)
    (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
    (local.set $c (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (call $string (local.get $p) (local.get $end)))))
    (if (i32.eq (local.get $c) (i32.const 0x7b)) (then (return (call $object (local.get $p) (local.get $end) (local.get $depth)))))
    (if (i32.eq (local.get $c) (i32.const 0x5b)) (then (return (call $array (local.get $p) (local.get $end) (local.get $depth)))))
    (if (i32.eq (local.get $c) (i32.const 0x74))
      (then (return (select (i32.add (local.get $p) (i32.const 4)) (i32.const -1) ${lit('true')}))))
    (if (i32.eq (local.get $c) (i32.const 0x66))
      (then (return (select (i32.add (local.get $p) (i32.const 5)) (i32.const -1) ${lit('false')}))))
    (if (i32.eq (local.get $c) (i32.const 0x6e))
      (then (return (select (i32.add (local.get $p) (i32.const 4)) (i32.const -1) ${lit('null')}))))
    (local.set $q (local.get $p))
    (if (i32.eq (local.get $c) (i32.const 0x2d))
      (then
        (local.set $q (i32.add (local.get $p) (i32.const 1)))
        ;; -0 is not canonical
        (if (i32.and (i32.lt_u (local.get $q) (local.get $end)) (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x30))) (then (return (i32.const -1))))))
    (local.set $r (call $digits (local.get $q) (local.get $end)))
    (if (i64.eqz (i64.and (local.get $r) (i64.const 0xffffffff))) (then (return (i32.const -1))))
    (i32.add (local.get $q) (i32.wrap_i64 (i64.and (local.get $r) (i64.const 0xffffffff)))))

  (func $array (param $p i32) (param $end i32) (param $depth i32) (result i32)
    (local $c i32)
    (if (i32.ge_u (local.get $depth) (i32.const 64)) (then (return (i32.const -1))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x5d)))
      (then (return (i32.add (local.get $p) (i32.const 1)))))
    (loop $next
      (local.set $p (call $value (local.get $p) (local.get $end) (i32.add (local.get $depth) (i32.const 1))))
      (if (i32.or (i32.lt_s (local.get $p) (i32.const 0)) (i32.ge_u (local.get $p) (local.get $end))) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (if (i32.eq (local.get $c) (i32.const 0x5d)) (then (return (local.get $p))))
      (br_if $next (i32.eq (local.get $c) (i32.const 0x2c))))
    (i32.const -1))

  ;; An object: members strictly increasing, so no repeats.
  (func $object (param $p i32) (param $end i32) (param $depth i32) (result i32)
    (local $c i32) (local $ks i32) (local $ke i32) (local $ps i32) (local $pl i32)
    (if (i32.ge_u (local.get $depth) (i32.const 64)) (then (return (i32.const -1))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x7d)))
      (then (return (i32.add (local.get $p) (i32.const 1)))))
    (local.set $pl (i32.const -1))
    (loop $next
      (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22))) (then (return (i32.const -1))))
      (local.set $ks (i32.add (local.get $p) (i32.const 1)))
      (local.set $p (call $key (local.get $p) (local.get $end)))
      (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
      (local.set $ke (i32.sub (local.get $p) (i32.const 1)))
      (if (i32.ge_s (local.get $pl) (i32.const 0))
        (then
          (if (i32.eqz (call $before (local.get $ps) (local.get $pl) (local.get $ks) (i32.sub (local.get $ke) (local.get $ks))))
            (then (return (i32.const -1))))))
      (local.set $ps (local.get $ks))
      (local.set $pl (i32.sub (local.get $ke) (local.get $ks)))
      (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x3a))) (then (return (i32.const -1))))
      (local.set $p (call $value (i32.add (local.get $p) (i32.const 1)) (local.get $end) (i32.add (local.get $depth) (i32.const 1))))
      (if (i32.or (i32.lt_s (local.get $p) (i32.const 0)) (i32.ge_u (local.get $p) (local.get $end))) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (if (i32.eq (local.get $c) (i32.const 0x7d)) (then (return (local.get $p))))
      (br_if $next (i32.eq (local.get $c) (i32.const 0x2c))))
    (i32.const -1))`;
}

/** The functions and the literals' data segment, for the module in ledger-wasm-source.ts. */
export function jsonScanWat(): string {
  return [`  (data (i32.const ${SCAN_LAYOUT.literals}) "${literalData.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}")`, basics(), values()].join('\n');
}
