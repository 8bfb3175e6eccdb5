import { LITERALS, SCAN_LAYOUT, lit, splat } from './json-scan-wat';

/**
 * WebAssembly text of the verifier's fast entry check (`scan_entries`), assembled into one
 * module with the batch SHA-256 (`ledger-wasm-source.ts`).
 *
 * It answers one question per entry: are these bytes certainly the canonical JSON of a version 1
 * ledger entry with the expected seq? "Yes" (1) only on a strict subset of what
 * `inspectEntryBytes` accepts: the members in their one canonical layout, keys of plain
 * ASCII without escapes, integers of at most 15 digits, no nesting deeper than 64, a
 * `recordedAt` whose fields are plainly in range (day ≤ 28). Everything else, valid or not, is
 * "don't know" (0), and the caller runs the full JavaScript check, which decides and says why.
 * So this code can make verification fast but never lets through what the full check refuses.
 * UTF-8 validity is not checked here; the caller checks it for whole chunks with `isUtf8`.
 *
 * The generic JSON scanning it builds on is in json-scan-wat.ts, with the memory it uses.
 */
/** The body (an object at depth 1): like $object, and its `commit` and `follows` are checked. */
function body(): string {
  return `  ;; body.commit: null, or a string of 40 or 64 lowercase hex digits. The index after it, or -1.
  (func $commit (param $p i32) (param $end i32) (result i32)
    (local $q i32) (local $c i32) (local $v v128) (local $m i32)
    (if ${lit('null')} (then (return (i32.add (local.get $p) (i32.const 4)))))
    (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22))) (then (return (i32.const -1))))
    ;; hex digits 16 at a time, up to the first byte that is not one (the caller leaves 16
    ;; readable bytes after the entry; a byte at or past $end is outside it)
    (local.set $q (i32.add (local.get $p) (i32.const 1)))
    (loop $next
      (if (i32.ge_u (local.get $q) (local.get $end)) (then (return (i32.const -1))))
      (local.set $v (v128.load (local.get $q)))
      (local.set $m (i32.xor (i32.const 0xffff) (i8x16.bitmask (v128.or
        (i8x16.le_u (i8x16.sub (local.get $v) ${splat(0x30)}) ${splat(9)})
        (i8x16.le_u (i8x16.sub (local.get $v) ${splat(0x61)}) ${splat(5)})))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (br $next))))
    (local.set $q (i32.add (local.get $q) (i32.ctz (local.get $m))))
    (if (i32.ge_u (local.get $q) (local.get $end)) (then (return (i32.const -1))))
    (local.set $c (i32.load8_u (local.get $q)))
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
      (if (if (result i32) (i32.eq (local.get $kl) (i32.const 6)) (then ${lit('commit', '(local.get $ks)')}) (else (i32.const 0)))
        (then
          (local.set $p (call $commit (local.get $p) (local.get $end)))
          (local.set $seen (i32.or (local.get $seen) (i32.const 1))))
        (else
          (if (if (result i32) (i32.eq (local.get $kl) (i32.const 7)) (then ${lit('follows', '(local.get $ks)')}) (else (i32.const 0)))
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

/** The entry scan's functions, for the module in ledger-wasm-source.ts. */
export function entryScanWat(): string {
  return [body(), entry()].join('\n');
}
