;; GF(2^8) "matrix × shards" kernel for Reed-Solomon coding, in WebAssembly
;; SIMD128 (no relaxed SIMD: runs on stock Node 20 without flags).
;;
;; mul_matrix(desc, nIn, nOut, len): for every output j < nOut and byte x < len,
;;   out_j[x] = XOR_{i < nIn} coef[j][i] · in_i[x]        (products in GF(2^8))
;; where desc holds nIn input pointers (i32), then nOut output pointers (i32),
;; then the nOut×nIn coefficient bytes, row-major. Outputs are overwritten
;; (no clearing needed) and must not overlap inputs. Encoding passes the m
;; parity rows of the encoding matrix; reconstruction passes the rows of the
;; inverted sub-matrix; the kernel does not care which.
;;
;; Multiplying by a constant c uses split-nibble tables:
;;   c·x = low_c[x & 15] ^ high_c[x >> 4]
;; each half one i8x16.swizzle over a 16-byte table. The high nibble is a
;; 16-bit lane shift (i16x8.shr_u by 4, one psrlw) plus an AND with 0x0f that
;; clears the bits dragged in from the neighbouring byte: wasm has no byte
;; shift and V8 emulates i8x16.shr_u with several instructions.
;;
;; Memory layout (kernel.ts agrees):
;;   [0, 8192)     product tables, 32 bytes per coefficient c: c·i for the low
;;                 nibble i at +0, c·(i << 4) for the high nibble i at +16
;;                 (written by kernel.ts at start-up)
;;   [8192, ...)   descriptors and shards, managed by kernel.ts
;;
;; Tail: the kernel works in whole 16-byte vectors, so it reads and writes up
;; to 15 bytes past len in every input and output. The caller gives every
;; shard room for len rounded up to 16 (kernel.ts strides shards on 64 bytes);
;; the bytes an output gets past len are garbage.
;;
;; Loop structure. The shards are cut into column chunks of $chunk bytes
;; (16 KiB), so the k input chunks stay in L1/L2 while every output row is
;; computed from them. Within a chunk, the inputs are taken FOUR at a time
;; ($mad4x1): the 4×2 tables of one output row sit in v128 locals, and the inner
;; loop does, per 16 bytes, four input loads, the nibble split, eight swizzles,
;; and one load (none for the first group) and one store of the output row.
;; The first group of inputs of a row writes the output ("_set"), later groups
;; fold into it ("_add"). Groups of fewer than four inputs use $mad3x1,
;; $mad2x1 or $mad1x1, except that a group of one or two inputs does two
;; output rows per pass ($mad2x2, $mad1x2), sharing the nibble split: 2+2
;; then takes a single pass.
;;
;; Cost notes (V8 11.3, x64): i8x16.swizzle compiles to paddusb (+0x70, which
;; sends indices > 15 to zero) and pshufb, the paddusb with a memory operand
;; whose address is reloaded into a scratch register each time, so every
;; swizzle costs two extra loads and an add. That fix-up is the main cost:
;; the same loop with relaxed_swizzle (a bare pshufb, behind a flag on Node
;; 20) runs about 1.3× faster. With eight tables, the mask and temporaries,
;; $mad4x1 needs about 15 xmm registers (V8 allocates xmm0-14); TurboFan
;; keeps most tables in registers and reloads two from the stack per
;; iteration. Measured and rejected: 2×2, 4×2, 1×4 and 2×4 input×row blocks
;; for every group (slower: more spills and stores), unrolling the 4-input
;; loop (no gain), a zero block as the first group's accumulator (~5% slower
;; than the _set variants).
;; All the $mad functions below are mechanical variants of one pattern.
(module
  (memory (export "memory") 1)
  (global $TABLES i32 (i32.const 0))
  ;; First byte kernel.ts may allocate from.
  (global (export "heap_base") i32 (i32.const 8192))
  ;; Column chunk in bytes, a multiple of 16 (settable for tuning).
  (global $chunk (export "chunk") (mut i32) (i32.const 16384))

  ;; The $mad kernels by shape: index (S·4 + R)·2 + (1 for _set, 0 for _add),
  ;; S inputs × R output rows. Unused slots are null and would trap.
  (type $mad (func (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)))
  (table 36 funcref)
  (elem (i32.const 10) func $mad1x1_add)
  (elem (i32.const 11) func $mad1x1_set)
  (elem (i32.const 12) func $mad1x2_add)
  (elem (i32.const 13) func $mad1x2_set)
  (elem (i32.const 18) func $mad2x1_add)
  (elem (i32.const 19) func $mad2x1_set)
  (elem (i32.const 20) func $mad2x2_add)
  (elem (i32.const 21) func $mad2x2_set)
  (elem (i32.const 26) func $mad3x1_add)
  (elem (i32.const 27) func $mad3x1_set)
  (elem (i32.const 34) func $mad4x1_add)
  (elem (i32.const 35) func $mad4x1_set)

  ;; Address of the 32-byte product tables of coefficient c.
  (func $table (param $c i32) (result i32)
    (i32.add (global.get $TABLES) (i32.shl (local.get $c) (i32.const 5))))

  ;; d_r = XOR_{i<4} c[r][i]·s_i for one output row.
  (func $mad4x1_set (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $l00 v128) (local $h00 v128) (local $l01 v128) (local $h01 v128) (local $l02 v128) (local $h02 v128) (local $l03 v128) (local $h03 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $s1 (i32.add (i32.load offset=4 (local.get $ins)) (local.get $start)))
    (local.set $s2 (i32.add (i32.load offset=8 (local.get $ins)) (local.get $start)))
    (local.set $s3 (i32.add (i32.load offset=12 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $l01 (v128.load (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $h01 (v128.load offset=16 (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $l02 (v128.load (call $table (i32.load8_u offset=2 (local.get $coef)))))
    (local.set $h02 (v128.load offset=16 (call $table (i32.load8_u offset=2 (local.get $coef)))))
    (local.set $l03 (v128.load (call $table (i32.load8_u offset=3 (local.get $coef)))))
    (local.set $h03 (v128.load offset=16 (call $table (i32.load8_u offset=3 (local.get $coef)))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi))))
      (local.set $x (v128.load (i32.add (local.get $s1) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l01) (local.get $lo)) (i8x16.swizzle (local.get $h01) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s2) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l02) (local.get $lo)) (i8x16.swizzle (local.get $h02) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s3) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l03) (local.get $lo)) (i8x16.swizzle (local.get $h03) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r ^= XOR_{i<4} c[r][i]·s_i for one output row.
  (func $mad4x1_add (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $l00 v128) (local $h00 v128) (local $l01 v128) (local $h01 v128) (local $l02 v128) (local $h02 v128) (local $l03 v128) (local $h03 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $s1 (i32.add (i32.load offset=4 (local.get $ins)) (local.get $start)))
    (local.set $s2 (i32.add (i32.load offset=8 (local.get $ins)) (local.get $start)))
    (local.set $s3 (i32.add (i32.load offset=12 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $l01 (v128.load (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $h01 (v128.load offset=16 (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $l02 (v128.load (call $table (i32.load8_u offset=2 (local.get $coef)))))
    (local.set $h02 (v128.load offset=16 (call $table (i32.load8_u offset=2 (local.get $coef)))))
    (local.set $l03 (v128.load (call $table (i32.load8_u offset=3 (local.get $coef)))))
    (local.set $h03 (v128.load offset=16 (call $table (i32.load8_u offset=3 (local.get $coef)))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (v128.load (i32.add (local.get $d0) (local.get $j))) (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s1) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l01) (local.get $lo)) (i8x16.swizzle (local.get $h01) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s2) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l02) (local.get $lo)) (i8x16.swizzle (local.get $h02) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s3) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l03) (local.get $lo)) (i8x16.swizzle (local.get $h03) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r = XOR_{i<3} c[r][i]·s_i for one output row.
  (func $mad3x1_set (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32) (local $s1 i32) (local $s2 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $l00 v128) (local $h00 v128) (local $l01 v128) (local $h01 v128) (local $l02 v128) (local $h02 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $s1 (i32.add (i32.load offset=4 (local.get $ins)) (local.get $start)))
    (local.set $s2 (i32.add (i32.load offset=8 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $l01 (v128.load (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $h01 (v128.load offset=16 (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $l02 (v128.load (call $table (i32.load8_u offset=2 (local.get $coef)))))
    (local.set $h02 (v128.load offset=16 (call $table (i32.load8_u offset=2 (local.get $coef)))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi))))
      (local.set $x (v128.load (i32.add (local.get $s1) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l01) (local.get $lo)) (i8x16.swizzle (local.get $h01) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s2) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l02) (local.get $lo)) (i8x16.swizzle (local.get $h02) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r ^= XOR_{i<3} c[r][i]·s_i for one output row.
  (func $mad3x1_add (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32) (local $s1 i32) (local $s2 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $l00 v128) (local $h00 v128) (local $l01 v128) (local $h01 v128) (local $l02 v128) (local $h02 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $s1 (i32.add (i32.load offset=4 (local.get $ins)) (local.get $start)))
    (local.set $s2 (i32.add (i32.load offset=8 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $l01 (v128.load (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $h01 (v128.load offset=16 (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $l02 (v128.load (call $table (i32.load8_u offset=2 (local.get $coef)))))
    (local.set $h02 (v128.load offset=16 (call $table (i32.load8_u offset=2 (local.get $coef)))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (v128.load (i32.add (local.get $d0) (local.get $j))) (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s1) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l01) (local.get $lo)) (i8x16.swizzle (local.get $h01) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s2) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l02) (local.get $lo)) (i8x16.swizzle (local.get $h02) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r = XOR_{i<2} c[r][i]·s_i for one output row.
  (func $mad2x1_set (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32) (local $s1 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $l00 v128) (local $h00 v128) (local $l01 v128) (local $h01 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $s1 (i32.add (i32.load offset=4 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $l01 (v128.load (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $h01 (v128.load offset=16 (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi))))
      (local.set $x (v128.load (i32.add (local.get $s1) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l01) (local.get $lo)) (i8x16.swizzle (local.get $h01) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r ^= XOR_{i<2} c[r][i]·s_i for one output row.
  (func $mad2x1_add (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32) (local $s1 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $l00 v128) (local $h00 v128) (local $l01 v128) (local $h01 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $s1 (i32.add (i32.load offset=4 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $l01 (v128.load (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $h01 (v128.load offset=16 (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (v128.load (i32.add (local.get $d0) (local.get $j))) (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s1) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l01) (local.get $lo)) (i8x16.swizzle (local.get $h01) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r = XOR_{i<1} c[r][i]·s_i for one output row.
  (func $mad1x1_set (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $l00 v128) (local $h00 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r ^= XOR_{i<1} c[r][i]·s_i for one output row.
  (func $mad1x1_add (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $l00 v128) (local $h00 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (v128.load (i32.add (local.get $d0) (local.get $j))) (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r = XOR_{i<1} c[r][i]·s_i for 2 output rows.
  (func $mad1x2_set (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $d1 i32) (local $acc1 v128)
    (local $l00 v128) (local $h00 v128)
    (local $l10 v128) (local $h10 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $d1 (i32.add (i32.load offset=4 (local.get $outs)) (local.get $start)))
    (local.set $l10 (v128.load (call $table (i32.load8_u offset=0 (i32.add (local.get $coef) (local.get $nIn))))))
    (local.set $h10 (v128.load offset=16 (call $table (i32.load8_u offset=0 (i32.add (local.get $coef) (local.get $nIn))))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi))))
      (local.set $acc1 (v128.xor (i8x16.swizzle (local.get $l10) (local.get $lo)) (i8x16.swizzle (local.get $h10) (local.get $hi))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (v128.store (i32.add (local.get $d1) (local.get $j)) (local.get $acc1))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r ^= XOR_{i<1} c[r][i]·s_i for 2 output rows.
  (func $mad1x2_add (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $d1 i32) (local $acc1 v128)
    (local $l00 v128) (local $h00 v128)
    (local $l10 v128) (local $h10 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $d1 (i32.add (i32.load offset=4 (local.get $outs)) (local.get $start)))
    (local.set $l10 (v128.load (call $table (i32.load8_u offset=0 (i32.add (local.get $coef) (local.get $nIn))))))
    (local.set $h10 (v128.load offset=16 (call $table (i32.load8_u offset=0 (i32.add (local.get $coef) (local.get $nIn))))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (v128.load (i32.add (local.get $d0) (local.get $j))) (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi)))))
      (local.set $acc1 (v128.xor (v128.load (i32.add (local.get $d1) (local.get $j))) (v128.xor (i8x16.swizzle (local.get $l10) (local.get $lo)) (i8x16.swizzle (local.get $h10) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (v128.store (i32.add (local.get $d1) (local.get $j)) (local.get $acc1))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r = XOR_{i<2} c[r][i]·s_i for 2 output rows.
  (func $mad2x2_set (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32) (local $s1 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $d1 i32) (local $acc1 v128)
    (local $l00 v128) (local $h00 v128) (local $l01 v128) (local $h01 v128)
    (local $l10 v128) (local $h10 v128) (local $l11 v128) (local $h11 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $s1 (i32.add (i32.load offset=4 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $l01 (v128.load (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $h01 (v128.load offset=16 (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $d1 (i32.add (i32.load offset=4 (local.get $outs)) (local.get $start)))
    (local.set $l10 (v128.load (call $table (i32.load8_u offset=0 (i32.add (local.get $coef) (local.get $nIn))))))
    (local.set $h10 (v128.load offset=16 (call $table (i32.load8_u offset=0 (i32.add (local.get $coef) (local.get $nIn))))))
    (local.set $l11 (v128.load (call $table (i32.load8_u offset=1 (i32.add (local.get $coef) (local.get $nIn))))))
    (local.set $h11 (v128.load offset=16 (call $table (i32.load8_u offset=1 (i32.add (local.get $coef) (local.get $nIn))))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi))))
      (local.set $acc1 (v128.xor (i8x16.swizzle (local.get $l10) (local.get $lo)) (i8x16.swizzle (local.get $h10) (local.get $hi))))
      (local.set $x (v128.load (i32.add (local.get $s1) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l01) (local.get $lo)) (i8x16.swizzle (local.get $h01) (local.get $hi)))))
      (local.set $acc1 (v128.xor (local.get $acc1) (v128.xor (i8x16.swizzle (local.get $l11) (local.get $lo)) (i8x16.swizzle (local.get $h11) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (v128.store (i32.add (local.get $d1) (local.get $j)) (local.get $acc1))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; d_r ^= XOR_{i<2} c[r][i]·s_i for 2 output rows.
  (func $mad2x2_add (param $ins i32) (param $outs i32) (param $coef i32) (param $nIn i32) (param $start i32) (param $n i32)
    (local $j i32) (local $mask v128) (local $x v128) (local $lo v128) (local $hi v128)
    (local $s0 i32) (local $s1 i32)
    (local $d0 i32) (local $acc0 v128)
    (local $d1 i32) (local $acc1 v128)
    (local $l00 v128) (local $h00 v128) (local $l01 v128) (local $h01 v128)
    (local $l10 v128) (local $h10 v128) (local $l11 v128) (local $h11 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $s0 (i32.add (i32.load offset=0 (local.get $ins)) (local.get $start)))
    (local.set $s1 (i32.add (i32.load offset=4 (local.get $ins)) (local.get $start)))
    (local.set $d0 (i32.add (i32.load offset=0 (local.get $outs)) (local.get $start)))
    (local.set $l00 (v128.load (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $h00 (v128.load offset=16 (call $table (i32.load8_u offset=0 (local.get $coef)))))
    (local.set $l01 (v128.load (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $h01 (v128.load offset=16 (call $table (i32.load8_u offset=1 (local.get $coef)))))
    (local.set $d1 (i32.add (i32.load offset=4 (local.get $outs)) (local.get $start)))
    (local.set $l10 (v128.load (call $table (i32.load8_u offset=0 (i32.add (local.get $coef) (local.get $nIn))))))
    (local.set $h10 (v128.load offset=16 (call $table (i32.load8_u offset=0 (i32.add (local.get $coef) (local.get $nIn))))))
    (local.set $l11 (v128.load (call $table (i32.load8_u offset=1 (i32.add (local.get $coef) (local.get $nIn))))))
    (local.set $h11 (v128.load offset=16 (call $table (i32.load8_u offset=1 (i32.add (local.get $coef) (local.get $nIn))))))
    (loop $next
      (local.set $x (v128.load (i32.add (local.get $s0) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (v128.load (i32.add (local.get $d0) (local.get $j))) (v128.xor (i8x16.swizzle (local.get $l00) (local.get $lo)) (i8x16.swizzle (local.get $h00) (local.get $hi)))))
      (local.set $acc1 (v128.xor (v128.load (i32.add (local.get $d1) (local.get $j))) (v128.xor (i8x16.swizzle (local.get $l10) (local.get $lo)) (i8x16.swizzle (local.get $h10) (local.get $hi)))))
      (local.set $x (v128.load (i32.add (local.get $s1) (local.get $j))))
      (local.set $lo (v128.and (local.get $x) (local.get $mask)))
      (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
      (local.set $acc0 (v128.xor (local.get $acc0) (v128.xor (i8x16.swizzle (local.get $l01) (local.get $lo)) (i8x16.swizzle (local.get $h01) (local.get $hi)))))
      (local.set $acc1 (v128.xor (local.get $acc1) (v128.xor (i8x16.swizzle (local.get $l11) (local.get $lo)) (i8x16.swizzle (local.get $h11) (local.get $hi)))))
      (v128.store (i32.add (local.get $d0) (local.get $j)) (local.get $acc0))
      (v128.store (i32.add (local.get $d1) (local.get $j)) (local.get $acc1))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $n)))))

  ;; The entry point: chunks, then groups of (up to four) inputs, then output
  ;; rows (one at a time, or two for a group of one or two inputs).
  (func (export "mul_matrix") (param $desc i32) (param $nIn i32) (param $nOut i32) (param $len i32)
    (local $outTable i32) (local $coefs i32) (local $start i32) (local $n i32) (local $g i32) (local $r i32)
    (local $S i32) (local $R i32) (local $first i32) (local $ins i32) (local $outs i32) (local $coef i32)
    (if (i32.or (i32.eqz (local.get $len)) (i32.or (i32.eqz (local.get $nIn)) (i32.eqz (local.get $nOut))))
      (then (return)))
    (local.set $outTable (i32.add (local.get $desc) (i32.shl (local.get $nIn) (i32.const 2))))
    (local.set $coefs (i32.add (local.get $outTable) (i32.shl (local.get $nOut) (i32.const 2))))
    (loop $chunks
      (local.set $n (i32.sub (local.get $len) (local.get $start)))
      (if (i32.gt_u (local.get $n) (global.get $chunk)) (then (local.set $n (global.get $chunk))))
      (local.set $g (i32.const 0))
      (loop $groups
        (local.set $S (i32.sub (local.get $nIn) (local.get $g)))
        (if (i32.gt_u (local.get $S) (i32.const 4)) (then (local.set $S (i32.const 4))))
        (local.set $first (i32.eqz (local.get $g)))
        (local.set $ins (i32.add (local.get $desc) (i32.shl (local.get $g) (i32.const 2))))
        (local.set $r (i32.const 0))
        (loop $rows
          (local.set $R (select (i32.const 2) (i32.const 1)
            (i32.and (i32.le_u (local.get $S) (i32.const 2)) (i32.ge_u (i32.sub (local.get $nOut) (local.get $r)) (i32.const 2)))))
          (local.set $outs (i32.add (local.get $outTable) (i32.shl (local.get $r) (i32.const 2))))
          (local.set $coef (i32.add (local.get $coefs) (i32.add (i32.mul (local.get $r) (local.get $nIn)) (local.get $g))))
          (call_indirect (type $mad) (local.get $ins) (local.get $outs) (local.get $coef) (local.get $nIn) (local.get $start) (local.get $n)
            (i32.add (i32.shl (i32.add (i32.shl (local.get $S) (i32.const 2)) (local.get $R)) (i32.const 1)) (local.get $first)))
          (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (local.get $R))) (local.get $nOut))))
        (br_if $groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (local.get $S))) (local.get $nIn))))
      (br_if $chunks (i32.lt_u (local.tee $start (i32.add (local.get $start) (global.get $chunk))) (local.get $len)))))
)
