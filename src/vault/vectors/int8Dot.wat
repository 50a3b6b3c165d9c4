;; The int8 first pass of the vector search (see kernel.ts), in WebAssembly SIMD.
;;
;; `dots` writes, for every row of a row-major count x dim int8 matrix, its dot product with an
;; int16 query as an exact int32. Rows and query live in the imported memory, laid out by
;; simdKernel.ts. The caller keeps |row component| <= 128 and picks the query's int16 range so
;; that 128 * max|query| * dim < 2^31: no partial sum can overflow.
;;
;; Per 16 components: one 16-byte load of the row, sign-extended to two i16x8 halves, and two
;; i32x4.dot_i16x8_s against the query (pairwise products summed into four i32 lanes). Two
;; accumulators keep the two dot products of an iteration independent. Components past the
;; last multiple of 16 are added one at a time.
;;
;; Regenerate src/vault/vectors/int8DotWasm.ts after editing: `node scripts/build-wasm.mjs`.
(module
  (import "env" "memory" (memory 1))
  (func (export "dots")
    (param $q i32)      ;; byte offset of the int16 query (dim components)
    (param $rows i32)   ;; byte offset of row 0
    (param $dim i32)    ;; components per row (the row stride in bytes)
    (param $count i32)  ;; rows
    (param $out i32)    ;; byte offset of the int32 results (count of them)
    (local $r i32) (local $p i32) (local $j i32) (local $qp i32) (local $vec i32) (local $s i32)
    (local $v v128) (local $a0 v128) (local $a1 v128)
    ;; components covered by whole 16-byte blocks
    (local.set $vec (i32.and (local.get $dim) (i32.const -16)))
    (local.set $p (local.get $rows))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $count)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (local.set $qp (local.get $q))
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.ge_u (local.get $j) (local.get $vec)))
            (local.set $v (v128.load align=1 (i32.add (local.get $p) (local.get $j))))
            (local.set $a0
              (i32x4.add (local.get $a0)
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load align=2 (local.get $qp)))))
            (local.set $a1
              (i32x4.add (local.get $a1)
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 align=2 (local.get $qp)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (local.set $qp (i32.add (local.get $qp) (i32.const 32)))
            (br $vloop)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $a1)))
        (local.set $s
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
            (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0)))))
        ;; the tail: dim - vec components, scalar
        (block $tdone
          (loop $tloop
            (br_if $tdone (i32.ge_u (local.get $j) (local.get $dim)))
            (local.set $s
              (i32.add (local.get $s)
                (i32.mul
                  (i32.load8_s (i32.add (local.get $p) (local.get $j)))
                  (i32.load16_s align=1 (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $tloop)))
        (i32.store align=1 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s))
        (local.set $p (i32.add (local.get $p) (local.get $dim)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))))
