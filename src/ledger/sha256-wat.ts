/**
 * WebAssembly text of the batch SHA-256 (FIPS 180-4), assembled into one module with the entry
 * scan (`ledger-wasm-source.ts`). The functions are plain WAT; this file only writes the 64
 * rounds of the compression function out in full (one round template, repeated with the eight
 * working variables renamed so that no round moves them) instead of by hand.
 *
 * Exports: `hash_many` (many messages of any length, four at a time in SIMD lanes),
 * `hash_pairs` (prefix ‖ 64 bytes, for tree levels) and `chain` (the sequential hash chain).
 * Memory it uses below HEAP_BASE:
 *   0    STATE4   8 × v128: word s of lane l at 16·s + 4·l (four messages hashed side by side)
 *   128  STATE1   8 × i32: the one-lane state of the chain
 *   256  PADS     4 × 128 bytes: per lane, the last one or two blocks of its message, padded
 *   768  CHAINBUF 128 bytes: 0x02 ‖ head ‖ leaf ‖ padding (the two blocks of one chain link)
 *   2048 K4       64 × v128: the round constants, each in all four lanes (a data segment)
 */

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
  0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const VARS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
/** K4: each round constant four times (one v128 per round), loaded rather than built per use. */
const K4 = 2048;
const LANES = [0, 1, 2, 3];

const i32 = (x: number): string => String(x | 0);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The working variable that plays role `role` (0 = a … 7 = h) in round t. */
function v(role: number, t: number): string {
  return `$${VARS[(role - t + 64) % 8]}`;
}

// ---- four lanes (i32x4) --------------------------------------------------------------------

const rotr4 = (x: string, n: number): string => `(v128.or (i32x4.shr_u ${x} (i32.const ${n})) (i32x4.shl ${x} (i32.const ${32 - n})))`;
const splat = (k: number): string => `(v128.const i32x4 ${i32(k)} ${i32(k)} ${i32(k)} ${i32(k)})`;

function round4(t: number): string {
  const [a, b, c, d, e, f, g, h] = range(8).map((r) => v(r, t));
  const get = (x: string): string => `(local.get ${x})`;
  const sigma1 = `(v128.xor (v128.xor ${rotr4(get(e), 6)} ${rotr4(get(e), 11)}) ${rotr4(get(e), 25)})`;
  const sigma0 = `(v128.xor (v128.xor ${rotr4(get(a), 2)} ${rotr4(get(a), 13)}) ${rotr4(get(a), 22)})`;
  const ch = `(v128.bitselect ${get(f)} ${get(g)} ${get(e)})`;
  const maj = `(v128.bitselect ${get(c)} ${get(b)} (v128.xor ${get(a)} ${get(b)}))`;
  return `    ;; round ${t}
    (local.set $t1 (i32x4.add (i32x4.add ${get(h)} ${sigma1}) (i32x4.add ${ch} (i32x4.add (local.get $w${t % 16}) (v128.load offset=${K4 + 16 * t} (i32.const 0))))))
    (local.set ${d} (i32x4.add ${get(d)} (local.get $t1)))
    (local.set ${h} (i32x4.add (local.get $t1) (i32x4.add ${sigma0} ${maj})))`;
}

/** W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], in place of W[t-16]. */
function schedule4(t: number): string {
  const w = (k: number): string => `(local.get $w${k % 16})`;
  const x15 = w(t - 15);
  const x2 = w(t - 2);
  const s0 = `(v128.xor (v128.xor ${rotr4(x15, 7)} ${rotr4(x15, 18)}) (i32x4.shr_u ${x15} (i32.const 3)))`;
  const s1 = `(v128.xor (v128.xor ${rotr4(x2, 17)} ${rotr4(x2, 19)}) (i32x4.shr_u ${x2} (i32.const 10)))`;
  return `    (local.set $w${t % 16} (i32x4.add (i32x4.add ${s1} ${w(t - 7)}) (i32x4.add ${s0} ${w(t - 16)})))`;
}

/**
 * Loads block words 4q..4q+3 of the four lanes, byte-swapped to big endian, and transposes them
 * (two stages of interleaves) so that $w(4q+k) holds word 4q+k of every lane.
 */
function gather4(q: number): string {
  const swap = '3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12';
  const load = (l: number): string => `(local.set $t${l} (i8x16.shuffle ${swap} (v128.load offset=${16 * q} (local.get $p${l})) (local.get $zero)))`;
  const lo32 = '0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23';
  const hi32 = '8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31';
  const lo64 = '0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';
  const hi64 = '8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31';
  const mix = (mask: string, x: string, y: string): string => `(i8x16.shuffle ${mask} (local.get ${x}) (local.get ${y}))`;
  return `${LANES.map(load).join('\n    ')}
    (local.set $u0 ${mix(lo32, '$t0', '$t1')})
    (local.set $u1 ${mix(lo32, '$t2', '$t3')})
    (local.set $u2 ${mix(hi32, '$t0', '$t1')})
    (local.set $u3 ${mix(hi32, '$t2', '$t3')})
    (local.set $w${4 * q} ${mix(lo64, '$u0', '$u1')})
    (local.set $w${4 * q + 1} ${mix(hi64, '$u0', '$u1')})
    (local.set $w${4 * q + 2} ${mix(lo64, '$u2', '$u3')})
    (local.set $w${4 * q + 3} ${mix(hi64, '$u2', '$u3')})`.replace(/^/, '    ');
}

function compress4(): string {
  const locals = [...VARS.map((x) => `$${x}`), ...range(16).map((k) => `$w${k}`), '$t0', '$t1', '$t2', '$t3', '$u0', '$u1', '$u2', '$u3', '$zero'];
  const body: string[] = [];
  for (let q = 0; q < 4; q++) body.push(gather4(q));
  VARS.forEach((x, s) => body.push(`    (local.set $${x} (v128.load offset=${16 * s} (i32.const 0)))`));
  for (let t = 0; t < 64; t++) {
    if (t >= 16) body.push(schedule4(t));
    body.push(round4(t));
  }
  VARS.forEach((x, s) => body.push(`    (v128.store offset=${16 * s} (i32.const 0) (i32x4.add (v128.load offset=${16 * s} (i32.const 0)) (local.get $${x})))`));
  return `  ;; One block of each of four messages (lane l's block at $p<l>) into STATE4.
  (func $compress4 (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32)
    ${locals.map((l) => `(local ${l} v128)`).join(' ')}
${body.join('\n')})`;
}

// ---- one lane (i32) ------------------------------------------------------------------------

const bswap = (x: string): string =>
  `(i32.or (i32.and (i32.rotl ${x} (i32.const 8)) (i32.const 0x00ff00ff)) (i32.and (i32.rotr ${x} (i32.const 8)) (i32.const 0xff00ff00)))`;

function round1(t: number): string {
  const [a, b, c, d, e, f, g, h] = range(8).map((r) => v(r, t));
  const get = (x: string): string => `(local.get ${x})`;
  const rot = (x: string, n: number): string => `(i32.rotr ${get(x)} (i32.const ${n}))`;
  const sigma1 = `(i32.xor (i32.xor ${rot(e, 6)} ${rot(e, 11)}) ${rot(e, 25)})`;
  const sigma0 = `(i32.xor (i32.xor ${rot(a, 2)} ${rot(a, 13)}) ${rot(a, 22)})`;
  const ch = `(i32.xor ${get(g)} (i32.and ${get(e)} (i32.xor ${get(f)} ${get(g)})))`;
  const maj = `(i32.or (i32.and ${get(a)} ${get(b)}) (i32.and ${get(c)} (i32.or ${get(a)} ${get(b)})))`;
  return `    (local.set $t1 (i32.add (i32.add ${get(h)} ${sigma1}) (i32.add ${ch} (i32.add (local.get $w${t % 16}) (i32.const ${i32(K[t])})))))
    (local.set ${d} (i32.add ${get(d)} (local.get $t1)))
    (local.set ${h} (i32.add (local.get $t1) (i32.add ${sigma0} ${maj})))`;
}

function schedule1(t: number): string {
  const w = (k: number): string => `(local.get $w${k % 16})`;
  const rot = (x: string, n: number): string => `(i32.rotr ${x} (i32.const ${n}))`;
  const s0 = `(i32.xor (i32.xor ${rot(w(t - 15), 7)} ${rot(w(t - 15), 18)}) (i32.shr_u ${w(t - 15)} (i32.const 3)))`;
  const s1 = `(i32.xor (i32.xor ${rot(w(t - 2), 17)} ${rot(w(t - 2), 19)}) (i32.shr_u ${w(t - 2)} (i32.const 10)))`;
  return `    (local.set $w${t % 16} (i32.add (i32.add ${s1} ${w(t - 7)}) (i32.add ${s0} ${w(t - 16)})))`;
}

function compress1(): string {
  const locals = [...VARS.map((x) => `$${x}`), ...range(16).map((k) => `$w${k}`), '$t1'];
  const body: string[] = [];
  for (let k = 0; k < 16; k++) body.push(`    (local.set $w${k} ${bswap(`(i32.load offset=${4 * k} (local.get $p))`)})`);
  VARS.forEach((x, s) => body.push(`    (local.set $${x} (i32.load offset=${128 + 4 * s} (i32.const 0)))`));
  for (let t = 0; t < 64; t++) {
    if (t >= 16) body.push(schedule1(t));
    body.push(round1(t));
  }
  VARS.forEach((x, s) => body.push(`    (i32.store offset=${128 + 4 * s} (i32.const 0) (i32.add (i32.load offset=${128 + 4 * s} (i32.const 0)) (local.get $${x})))`));
  return `  ;; One block at $p into STATE1.
  (func $compress1 (param $p i32)
    ${locals.map((l) => `(local ${l} i32)`).join(' ')}
${body.join('\n')})`;
}

// ---- drivers --------------------------------------------------------------------------------

/** Lane $lane of STATE4 to the initial hash value. */
function resetLane(): string {
  return `  (func $reset_lane (param $lane i32)
    (local $at i32)
    (local.set $at (i32.shl (local.get $lane) (i32.const 2)))
${IV.map((x, s) => `    (i32.store offset=${16 * s} (local.get $at) (i32.const ${i32(x)}))`).join('\n')})`;
}

/** Writes lane $lane of STATE4 as a 32-byte big-endian digest at $dst. */
function finishLane(): string {
  return `  (func $finish_lane (param $lane i32) (param $dst i32)
    (local $at i32)
    (local.set $at (i32.shl (local.get $lane) (i32.const 2)))
${range(8)
  .map((s) => `    (i32.store offset=${4 * s} (local.get $dst) ${bswap(`(i32.load offset=${16 * s} (local.get $at))`)})`)
  .join('\n')})`;
}

/**
 * The tail of a message of $len bytes at $ptr, padded (0x80, zeros, 64-bit big-endian bit
 * length) into lane $lane's pad; returns how many pad blocks (1 or 2) it takes.
 */
function padTail(): string {
  return `  (func $pad_tail (param $lane i32) (param $ptr i32) (param $len i32) (result i32)
    (local $pad i32) (local $rem i32) (local $blocks i32) (local $end i32)
    (local.set $pad (i32.add (i32.const 256) (i32.shl (local.get $lane) (i32.const 7))))
    (local.set $rem (i32.and (local.get $len) (i32.const 63)))
    (local.set $blocks (select (i32.const 1) (i32.const 2) (i32.lt_u (local.get $rem) (i32.const 56))))
    (local.set $end (i32.add (local.get $pad) (i32.shl (local.get $blocks) (i32.const 6))))
    (memory.copy (local.get $pad) (i32.add (local.get $ptr) (i32.and (local.get $len) (i32.const -64))) (local.get $rem))
    (i32.store8 (i32.add (local.get $pad) (local.get $rem)) (i32.const 0x80))
    (memory.fill (i32.add (local.get $pad) (i32.add (local.get $rem) (i32.const 1))) (i32.const 0)
      (i32.sub (i32.sub (local.get $end) (i32.const 8)) (i32.add (local.get $pad) (i32.add (local.get $rem) (i32.const 1)))))
    (i32.store (i32.sub (local.get $end) (i32.const 8)) ${bswap('(i32.shr_u (local.get $len) (i32.const 29))')})
    (i32.store (i32.sub (local.get $end) (i32.const 4)) ${bswap('(i32.shl (local.get $len) (i32.const 3))')})
    (local.get $blocks))`;
}

/**
 * hash_many: message i is ($len) bytes at ($ptr) read from the descriptor pair at $desc + 8i; its
 * digest goes to $out + 32i. Four lanes each take the next message when theirs is done; a lane's
 * blocks come from the message itself, then from its pad. An idle lane hashes its pad and its
 * result is dropped.
 */
function hashMany(): string {
  const laneLocals = LANES.map((l) => `(local $cur${l} i32) (local $n${l} i32) (local $pads${l} i32) (local $job${l} i32)`).join(' ');
  const start = (l: number): string => `      (if (i32.lt_u (local.get $next) (local.get $count))
        (then
          (local.set $job${l} (local.get $next))
          (local.set $next (i32.add (local.get $next) (i32.const 1)))
          (local.set $ptr (i32.load (i32.add (local.get $desc) (i32.shl (local.get $job${l}) (i32.const 3)))))
          (local.set $len (i32.load offset=4 (i32.add (local.get $desc) (i32.shl (local.get $job${l}) (i32.const 3)))))
          (call $reset_lane (i32.const ${l}))
          (local.set $pads${l} (call $pad_tail (i32.const ${l}) (local.get $ptr) (local.get $len)))
          (local.set $cur${l} (local.get $ptr))
          (local.set $n${l} (i32.shr_u (local.get $len) (i32.const 6)))
          (if (i32.eqz (local.get $n${l}))
            (then
              (local.set $cur${l} (i32.const ${256 + 128 * l}))
              (local.set $n${l} (local.get $pads${l}))
              (local.set $pads${l} (i32.const 0)))))
        (else
          (local.set $job${l} (i32.const -1))
          (local.set $cur${l} (i32.const ${256 + 128 * l}))
          (local.set $live (i32.sub (local.get $live) (i32.const 1)))))`;
  const advance = (l: number): string => `    (if (i32.ge_s (local.get $job${l}) (i32.const 0))
      (then
        (local.set $cur${l} (i32.add (local.get $cur${l}) (i32.const 64)))
        (local.set $n${l} (i32.sub (local.get $n${l}) (i32.const 1)))
        (if (i32.eqz (local.get $n${l}))
          (then
            (if (local.get $pads${l})
              (then
                (local.set $cur${l} (i32.const ${256 + 128 * l}))
                (local.set $n${l} (local.get $pads${l}))
                (local.set $pads${l} (i32.const 0)))
              (else
                (call $finish_lane (i32.const ${l}) (i32.add (local.get $out) (i32.shl (local.get $job${l}) (i32.const 5))))
${start(l)}))))))`;
  return `  (func $hash_many (export "hash_many") (param $desc i32) (param $count i32) (param $out i32)
    (local $next i32) (local $live i32) (local $ptr i32) (local $len i32) ${laneLocals}
    (local.set $live (i32.const 4))
${LANES.map(start).join('\n')}
    (block $done
      (loop $step
        (br_if $done (i32.eqz (local.get $live)))
        (call $compress4 (local.get $cur0) (local.get $cur1) (local.get $cur2) (local.get $cur3))
${LANES.map(advance).join('\n')}
        (br $step))))`;
}

/**
 * hash_pairs: digest i = SHA-256($prefix ‖ 64 bytes at $src + 64i) at $out + 32i. Every input is
 * 65 bytes (two blocks), so the four lanes run in step; each input is copied behind the prefix
 * in its lane's pad, whose padding is written once.
 */
function hashPairs(): string {
  const pad = (l: number): number => 256 + 128 * l;
  const setup = LANES.map(
    (l) => `    (i32.store8 (i32.const ${pad(l)}) (local.get $prefix))
    (i32.store8 (i32.const ${pad(l) + 65}) (i32.const 0x80))
    (memory.fill (i32.const ${pad(l) + 66}) (i32.const 0) (i32.const 60))
    (i32.store (i32.const ${pad(l) + 124}) (i32.const ${i32(0x08020000)}))`,
  ).join('\n');
  const copy = (l: number): string => `        (if (i32.lt_u (i32.add (local.get $i) (i32.const ${l})) (local.get $count))
          (then
            (local.set $at (i32.add (local.get $src) (i32.shl (i32.add (local.get $i) (i32.const ${l})) (i32.const 6))))
${range(4)
  .map((k) => `            (v128.store offset=${pad(l) + 1 + 16 * k} (i32.const 0) (v128.load offset=${16 * k} (local.get $at)))`)
  .join('\n')}))`;
  const iv = IV.map((x, s) => `        (v128.store offset=${16 * s} (i32.const 0) ${splat(x)})`).join('\n');
  const finish = (l: number): string => `        (if (i32.lt_u (i32.add (local.get $i) (i32.const ${l})) (local.get $count))
          (then (call $finish_lane (i32.const ${l}) (i32.add (local.get $out) (i32.shl (i32.add (local.get $i) (i32.const ${l})) (i32.const 5))))))`;
  return `  (func $hash_pairs (export "hash_pairs") (param $src i32) (param $count i32) (param $out i32) (param $prefix i32)
    (local $i i32) (local $at i32)
${setup}
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
${LANES.map(copy).join('\n')}
${iv}
        (call $compress4 (i32.const ${pad(0)}) (i32.const ${pad(1)}) (i32.const ${pad(2)}) (i32.const ${pad(3)}))
        (call $compress4 (i32.const ${pad(0) + 64}) (i32.const ${pad(1) + 64}) (i32.const ${pad(2) + 64}) (i32.const ${pad(3) + 64}))
${LANES.map(finish).join('\n')}
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $group))))`;
}

/**
 * chain: for i < $count, head = SHA-256(0x02 ‖ head ‖ 32 bytes at $leaves + 32i); the 32-byte
 * head at $head is read first and overwritten with the last one.
 */
function chain(): string {
  const buf = 768;
  const copy32 = (dst: string, src: string): string =>
    `(v128.store ${dst} (v128.load ${src})) (v128.store offset=16 ${dst} (v128.load offset=16 ${src}))`;
  return `  (func $chain (export "chain") (param $head i32) (param $leaves i32) (param $count i32)
    (local $i i32) (local $at i32)
    (i32.store8 (i32.const ${buf}) (i32.const 2))
    ${copy32(`(i32.const ${buf + 1})`, '(local.get $head)')}
    (i32.store8 (i32.const ${buf + 65}) (i32.const 0x80))
    (memory.fill (i32.const ${buf + 66}) (i32.const 0) (i32.const 60))
    (i32.store (i32.const ${buf + 124}) (i32.const ${i32(0x08020000)}))
    (block $done
      (loop $link
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $at (i32.add (local.get $leaves) (i32.shl (local.get $i) (i32.const 5))))
        ${copy32(`(i32.const ${buf + 33})`, '(local.get $at)')}
${IV.map((x, s) => `        (i32.store offset=${128 + 4 * s} (i32.const 0) (i32.const ${i32(x)}))`).join('\n')}
        (call $compress1 (i32.const ${buf}))
        (call $compress1 (i32.const ${buf + 64}))
${range(8)
  .map((s) => `        (i32.store offset=${buf + 1 + 4 * s} (i32.const 0) ${bswap(`(i32.load offset=${128 + 4 * s} (i32.const 0))`)})`)
  .join('\n')}
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $link)))
    ${copy32('(local.get $head)', `(i32.const ${buf + 1})`)})`;
}

function k4Data(): string {
  const bytes = Buffer.alloc(16 * 64);
  K.forEach((k, t) => {
    for (let l = 0; l < 4; l++) bytes.writeUInt32LE(k, 16 * t + 4 * l);
  });
  return `  (data (i32.const ${K4}) "${[...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}")`;
}

/** The SHA-256 functions, for the module in ledger-wasm-source.ts. */
export function sha256Wat(): string {
  return [k4Data(), compress4(), compress1(), resetLane(), finishLane(), padTail(), hashMany(), hashPairs(), chain()].join('\n');
}
