/**
 * WebAssembly text of the verifier's fast entry check (`scan_entries`), assembled into one
 * module with the batch SHA-256 (`ledger-wasm-source.ts`).
 *
 * It answers one question per entry: are these bytes certainly the canonical JSON of a version 1
 * ledger entry with the expected seq? "Yes" (1) only on a strict subset of what
 * `inspectEntryBytes` accepts: the members in their one canonical layout, keys of printable
 * ASCII without escapes, integers of at most 15 digits, no nesting deeper than 64, a
 * `recordedAt` whose fields are plainly in range (day ≤ 28). Everything else, valid or not, is
 * "don't know" (0), and the caller runs the full JavaScript check, which decides and says why.
 * So this code can make verification fast but never lets through what the full check refuses.
 * UTF-8 validity is not checked here; the caller checks it for whole chunks with `isUtf8`.
 *
 * Uses memory below HEAP_BASE: LITERALS (the fixed parts of an entry) and TYPES (the entry
 * types, written by the caller: a count byte, then per type a length byte and its bytes).
 */
export const SCAN_LAYOUT = { literals: 1024, types: 1536, typesEnd: 2048 } as const;

const LITERALS = {
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
type Literal = keyof typeof LITERALS;

/** Where each literal is in memory, and the data segment that puts them there. */
const LITERAL_AT = {} as Record<Literal, number>;
let literalData = '';
for (const [name, text] of Object.entries(LITERALS) as Array<[Literal, string]>) {
  LITERAL_AT[name] = SCAN_LAYOUT.literals + literalData.length;
  literalData += text;
}

/** (call $lit …): 1 when the literal is at $p. */
function lit(name: Literal, p = '(local.get $p)'): string {
  return `(call $lit ${p} (local.get $end) (i32.const ${LITERAL_AT[name]}) (i32.const ${LITERALS[name].length}))`;
}

const splat = (b: number): string => `(v128.const i8x16 ${Array(16).fill(b).join(' ')})`;

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

  ;; A member name whose opening quote is at $p, of printable ASCII without escapes (others are
  ;; left to the full check): the index after its closing quote, or -1.
  (func $key (param $p i32) (param $end i32) (result i32)
    (local $v v128) (local $m i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (loop $run
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $v (v128.load (local.get $p)))
      (local.set $m (i8x16.bitmask (v128.or (v128.or (i8x16.eq (local.get $v) ${splat(0x22)}) (i8x16.eq (local.get $v) ${splat(0x5c)}))
        (v128.or (i8x16.lt_u (local.get $v) ${splat(0x20)}) (i8x16.gt_u (local.get $v) ${splat(0x7e)})))))
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

/** The body (an object at depth 1): like $object, and its `commit` and `follows` are checked. */
function body(): string {
  return `  ;; body.commit: null, or a string of 40 or 64 lowercase hex digits. The index after it, or -1.
  (func $commit (param $p i32) (param $end i32) (result i32)
    (local $q i32) (local $c i32)
    (if ${lit('null')} (then (return (i32.add (local.get $p) (i32.const 4)))))
    (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22))) (then (return (i32.const -1))))
    (local.set $q (i32.add (local.get $p) (i32.const 1)))
    (loop $next
      (if (i32.ge_u (local.get $q) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $q)))
      (if (i32.or (i32.le_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 9)) (i32.le_u (i32.sub (local.get $c) (i32.const 0x61)) (i32.const 5)))
        (then
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $next))))
    (if (i32.ne (local.get $c) (i32.const 0x22)) (then (return (i32.const -1))))
    (local.set $c (i32.sub (i32.sub (local.get $q) (local.get $p)) (i32.const 1)))
    (if (i32.and (i32.ne (local.get $c) (i32.const 40)) (i32.ne (local.get $c) (i32.const 64))) (then (return (i32.const -1))))
    (i32.add (local.get $q) (i32.const 1)))

  ;; body.follows: [] or [n,…] of canonical integers, strictly ascending, each below $seq.
  (func $follows (param $p i32) (param $end i32) (param $seq i64) (result i32)
    (local $prev i64) (local $r i64) (local $n i32) (local $c i32)
    (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x5b))) (then (return (i32.const -1))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x5d)))
      (then (return (i32.add (local.get $p) (i32.const 1)))))
    (local.set $prev (i64.const -1))
    (loop $next
      (local.set $r (call $digits (local.get $p) (local.get $end)))
      (local.set $n (i32.wrap_i64 (i64.and (local.get $r) (i64.const 0xffffffff))))
      (if (i32.eqz (local.get $n)) (then (return (i32.const -1))))
      (local.set $r (i64.shr_u (local.get $r) (i64.const 32)))
      (if (i32.or (i64.le_s (local.get $r) (local.get $prev)) (i64.ge_s (local.get $r) (local.get $seq))) (then (return (i32.const -1))))
      (local.set $prev (local.get $r))
      (local.set $p (i32.add (local.get $p) (local.get $n)))
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (if (i32.eq (local.get $c) (i32.const 0x5d)) (then (return (local.get $p))))
      (br_if $next (i32.eq (local.get $c) (i32.const 0x2c))))
    (i32.const -1))

  (func $body (param $p i32) (param $end i32) (param $seq i64) (result i32)
    (local $c i32) (local $ks i32) (local $kl i32) (local $ps i32) (local $pl i32) (local $seen i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (local.set $pl (i32.const -1))
    (loop $next
      (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22))) (then (return (i32.const -1))))
      (local.set $ks (i32.add (local.get $p) (i32.const 1)))
      (local.set $p (call $key (local.get $p) (local.get $end)))
      (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
      (local.set $kl (i32.sub (i32.sub (local.get $p) (i32.const 1)) (local.get $ks)))
      (if (i32.ge_s (local.get $pl) (i32.const 0))
        (then (if (i32.eqz (call $before (local.get $ps) (local.get $pl) (local.get $ks) (local.get $kl))) (then (return (i32.const -1))))))
      (local.set $ps (local.get $ks))
      (local.set $pl (local.get $kl))
      (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x3a))) (then (return (i32.const -1))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (if (i32.and (i32.eq (local.get $kl) (i32.const 6)) ${lit('commit', '(local.get $ks)')})
        (then
          (local.set $p (call $commit (local.get $p) (local.get $end)))
          (local.set $seen (i32.or (local.get $seen) (i32.const 1))))
        (else
          (if (i32.and (i32.eq (local.get $kl) (i32.const 7)) ${lit('follows', '(local.get $ks)')})
            (then
              (local.set $p (call $follows (local.get $p) (local.get $end) (local.get $seq)))
              (local.set $seen (i32.or (local.get $seen) (i32.const 2))))
            (else (local.set $p (call $value (local.get $p) (local.get $end) (i32.const 2)))))))
      (if (i32.or (i32.lt_s (local.get $p) (i32.const 0)) (i32.ge_u (local.get $p) (local.get $end))) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (if (i32.eq (local.get $c) (i32.const 0x7d)) (then (return (select (local.get $p) (i32.const -1) (i32.eq (local.get $seen) (i32.const 3))))))
      (br_if $next (i32.eq (local.get $c) (i32.const 0x2c))))
    (i32.const -1))`;
}

/** recordedAt, type, and the entry as a whole. */
function entry(): string {
  const two = (offset: number): string => `(call $two (i32.add (local.get $p) (i32.const ${offset})))`;
  const is = (offset: number, ch: string): string => `(i32.eq (i32.load8_u offset=${offset} (local.get $p)) (i32.const ${ch.charCodeAt(0)}))`;
  return `  ;; Two ASCII digits at $p as a number, or -1.
  (func $two (param $p i32) (result i32)
    (local $x i32) (local $y i32)
    (local.set $x (i32.sub (i32.load8_u (local.get $p)) (i32.const 0x30)))
    (local.set $y (i32.sub (i32.load8_u offset=1 (local.get $p)) (i32.const 0x30)))
    (if (i32.or (i32.gt_u (local.get $x) (i32.const 9)) (i32.gt_u (local.get $y) (i32.const 9))) (then (return (i32.const -1))))
    (i32.add (i32.mul (local.get $x) (i32.const 10)) (local.get $y)))

  ;; recordedAt's text, YYYY-MM-DDTHH:MM:SS[.fraction of 1 to 9 digits]Z, with every field plainly
  ;; in range (day at most 28, so valid in every month): the index after the Z, or -1.
  (func $timestamp (param $p i32) (param $end i32) (result i32)
    (local $v i32) (local $n i32)
    (if (i32.gt_u (i32.add (local.get $p) (i32.const 20)) (local.get $end)) (then (return (i32.const -1))))
    (if (i32.or (i32.lt_s ${two(0)} (i32.const 0)) (i32.lt_s ${two(2)} (i32.const 0))) (then (return (i32.const -1))))
    (if (i32.eqz (i32.and (i32.and (i32.and ${is(4, '-')} ${is(7, '-')}) (i32.and ${is(10, 'T')} ${is(13, ':')})) ${is(16, ':')}))
      (then (return (i32.const -1))))
    (local.set $v ${two(5)})
    (if (i32.or (i32.lt_s (local.get $v) (i32.const 1)) (i32.gt_s (local.get $v) (i32.const 12))) (then (return (i32.const -1))))
    (local.set $v ${two(8)})
    (if (i32.or (i32.lt_s (local.get $v) (i32.const 1)) (i32.gt_s (local.get $v) (i32.const 28))) (then (return (i32.const -1))))
    (local.set $v ${two(11)})
    (if (i32.or (i32.lt_s (local.get $v) (i32.const 0)) (i32.gt_s (local.get $v) (i32.const 23))) (then (return (i32.const -1))))
    (local.set $v ${two(14)})
    (if (i32.or (i32.lt_s (local.get $v) (i32.const 0)) (i32.gt_s (local.get $v) (i32.const 59))) (then (return (i32.const -1))))
    (local.set $v ${two(17)})
    (if (i32.or (i32.lt_s (local.get $v) (i32.const 0)) (i32.gt_s (local.get $v) (i32.const 59))) (then (return (i32.const -1))))
    (local.set $p (i32.add (local.get $p) (i32.const 19)))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2e))
      (then
        (loop $fraction
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
          (if (i32.le_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 0x30)) (i32.const 9))
            (then
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br $fraction))))
        (if (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 9))) (then (return (i32.const -1))))))
    (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x5a))) (then (return (i32.const -1))))
    (i32.add (local.get $p) (i32.const 1)))

  ;; 1 when the name [$p, $p+$len) is one of the types at TYPES.
  (func $known_type (param $p i32) (param $len i32) (result i32)
    (local $at i32) (local $left i32) (local $n i32)
    (local.set $left (i32.load8_u (i32.const ${SCAN_LAYOUT.types})))
    (local.set $at (i32.const ${SCAN_LAYOUT.types + 1}))
    (loop $next
      (if (i32.eqz (local.get $left)) (then (return (i32.const 0))))
      (local.set $n (i32.load8_u (local.get $at)))
      (if (i32.eq (local.get $n) (local.get $len))
        (then (if (call $lit (local.get $p) (i32.add (local.get $p) (local.get $len)) (i32.add (local.get $at) (i32.const 1)) (local.get $n)) (then (return (i32.const 1))))))
      (local.set $at (i32.add (local.get $at) (i32.add (local.get $n) (i32.const 1))))
      (local.set $left (i32.sub (local.get $left) (i32.const 1)))
      (br $next))
    (i32.const 0))

  ;; 1 when [$p, $end) is certainly a canonical version 1 entry with this seq; 0 when unsure.
  (func $entry (param $p i32) (param $end i32) (param $seq i64) (result i32)
    (local $r i64) (local $n i32) (local $ts i32)
    (if (i32.gt_u (i32.add (local.get $p) (i32.const 9)) (local.get $end)) (then (return (i32.const 0))))
    ;; {"body":{
    (if (i64.ne (i64.load (local.get $p)) (i64.const ${littleEndian('{"body":')})) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u offset=8 (local.get $p)) (i32.const 0x7b)) (then (return (i32.const 0))))
    (local.set $p (call $body (i32.add (local.get $p) (i32.const 8)) (local.get $end) (local.get $seq)))
    (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const 0))))
    (if (i32.eqz ${lit('recordedAt')}) (then (return (i32.const 0))))
    (local.set $p (call $timestamp (i32.add (local.get $p) (i32.const ${LITERALS.recordedAt.length})) (local.get $end)))
    (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const 0))))
    (if (i32.eqz ${lit('seq')}) (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $p) (i32.const ${LITERALS.seq.length})))
    (local.set $r (call $digits (local.get $p) (local.get $end)))
    (local.set $n (i32.wrap_i64 (i64.and (local.get $r) (i64.const 0xffffffff))))
    (if (i32.or (i32.eqz (local.get $n)) (i64.ne (i64.shr_u (local.get $r) (i64.const 32)) (local.get $seq))) (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $p) (local.get $n)))
    (if (i32.eqz ${lit('type')}) (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $p) (i32.const ${LITERALS.type.length})))
    (local.set $ts (local.get $p))
    (loop $name
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
      (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $name))))
    (if (i32.eqz (call $known_type (local.get $ts) (i32.sub (local.get $p) (local.get $ts)))) (then (return (i32.const 0))))
    (if (i32.eqz ${lit('v')}) (then (return (i32.const 0))))
    (i32.eq (i32.add (local.get $p) (i32.const ${LITERALS.v.length})) (local.get $end)))

  ;; scan_entries: for entry i, described as for hash_many (the pair points at the leaf input, a
  ;; 0x00 byte and then the entry's bytes), $out[i] = $entry(…, seq $first + i).
  (func $scan_entries (export "scan_entries") (param $desc i32) (param $count i32) (param $first f64) (param $out i32)
    (local $i i32) (local $ptr i32) (local $seq i64)
    (local.set $seq (i64.trunc_sat_f64_u (local.get $first)))
    (loop $next
      (if (i32.lt_u (local.get $i) (local.get $count))
        (then
          (local.set $ptr (i32.add (i32.load (local.get $desc)) (i32.const 1)))
          (i32.store8 (i32.add (local.get $out) (local.get $i))
            (call $entry (local.get $ptr) (i32.add (local.get $ptr) (i32.sub (i32.load offset=4 (local.get $desc)) (i32.const 1))) (local.get $seq)))
          (local.set $desc (i32.add (local.get $desc) (i32.const 8)))
          (local.set $seq (i64.add (local.get $seq) (i64.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))))`;
}

function littleEndian(text: string): string {
  let x = 0n;
  for (let k = text.length - 1; k >= 0; k--) x = (x << 8n) | BigInt(text.charCodeAt(k));
  return BigInt.asIntN(64, x).toString();
}

/** The entry scan's functions and data, for the module in ledger-wasm-source.ts. */
export function entryScanWat(): string {
  return [`  (data (i32.const ${SCAN_LAYOUT.literals}) "${literalData.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}")`, basics(), values(), body(), entry()].join('\n');
}
