;; Dense linear-algebra kernels of src/math/linalg.ts in WebAssembly with 128-bit SIMD (f64x2).
;;
;; Compiled by `node scripts/kernels.mjs` (wabt) into src/math/kernels-wasm.ts (the bytes, base64); a test checks the
;; two never drift apart. Every kernel works on n×n row-major f64 matrices at byte addresses in the one exported
;; memory. All pointers are byte addresses; n is a count of elements.
;;
;; Summation order (the contract with the JavaScript fallback in linalg.ts, which follows it step by step so that
;; both give bit-identical results): a dot product Σ_{k=k0}^{k1−1} x_k·y_k is accumulated in two lanes, lane 0
;; over k0, k0+2, …, lane 1 over k0+1, k0+3, … (while two terms remain), then lane 0 + lane 1, then the last term
;; if k1 − k0 is odd. f64x2.mul and f64x2.add round each lane as scalar f64 operations do (no fused multiply-add).
(module
  (memory (export "memory") 1)

  ;; out = X·Yᵀ: out[i][j] = Σ_k x[i][k]·y[j][k], in 2×2 blocks. sym ≠ 0: only blocks with j ≥ i, then the lower
  ;; triangle mirrored from the upper. upperY ≠ 0: rows of Y are zero before their diagonal, so the sums of block
  ;; (i, j) start at k = j. An odd last row or column reuses the previous one's address and is not stored.
  (func (export "productNT") (param $x i32) (param $y i32) (param $out i32) (param $n i32) (param $sym i32) (param $upperY i32)
    (local $rb i32) (local $i i32) (local $j i32) (local $kb i32)
    (local $r0 i32) (local $r1 i32) (local $c0 i32) (local $c1 i32) (local $two i32) (local $twoJ i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $x0 v128) (local $x1 v128) (local $y0 v128) (local $y1 v128)
    (local $s00 f64) (local $s01 f64) (local $s10 f64) (local $s11 f64)
    (local $p f64) (local $q f64) (local $u f64) (local $v f64) (local $o i32)
    (local.set $rb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $doneI (loop $rowsI
      (br_if $doneI (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $r0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $rb))))
      (local.set $two (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
      (local.set $r1 (select (i32.add (local.get $r0) (local.get $rb)) (local.get $r0) (local.get $two)))
      (local.set $j (select (local.get $i) (i32.const 0) (local.get $sym)))
      (block $doneJ (loop $rowsJ
        (br_if $doneJ (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $c0 (i32.add (local.get $y) (i32.mul (local.get $j) (local.get $rb))))
        (local.set $twoJ (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $n)))
        (local.set $c1 (select (i32.add (local.get $c0) (local.get $rb)) (local.get $c0) (local.get $twoJ)))
        (local.set $kb (select (i32.shl (local.get $j) (i32.const 3)) (i32.const 0) (local.get $upperY)))
        (local.set $a00 (v128.const f64x2 0 0))
        (local.set $a01 (v128.const f64x2 0 0))
        (local.set $a10 (v128.const f64x2 0 0))
        (local.set $a11 (v128.const f64x2 0 0))
        (block $doneK (loop $pairsK
          (br_if $doneK (i32.gt_s (i32.add (local.get $kb) (i32.const 16)) (local.get $rb)))
          (local.set $x0 (v128.load align=8 (i32.add (local.get $r0) (local.get $kb))))
          (local.set $x1 (v128.load align=8 (i32.add (local.get $r1) (local.get $kb))))
          (local.set $y0 (v128.load align=8 (i32.add (local.get $c0) (local.get $kb))))
          (local.set $y1 (v128.load align=8 (i32.add (local.get $c1) (local.get $kb))))
          (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $x0) (local.get $y0))))
          (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (local.get $x0) (local.get $y1))))
          (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $x1) (local.get $y0))))
          (local.set $a11 (f64x2.add (local.get $a11) (f64x2.mul (local.get $x1) (local.get $y1))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $pairsK)))
        (local.set $s00 (f64.add (f64x2.extract_lane 0 (local.get $a00)) (f64x2.extract_lane 1 (local.get $a00))))
        (local.set $s01 (f64.add (f64x2.extract_lane 0 (local.get $a01)) (f64x2.extract_lane 1 (local.get $a01))))
        (local.set $s10 (f64.add (f64x2.extract_lane 0 (local.get $a10)) (f64x2.extract_lane 1 (local.get $a10))))
        (local.set $s11 (f64.add (f64x2.extract_lane 0 (local.get $a11)) (f64x2.extract_lane 1 (local.get $a11))))
        (if (i32.lt_s (local.get $kb) (local.get $rb)) (then
          (local.set $p (f64.load (i32.add (local.get $r0) (local.get $kb))))
          (local.set $q (f64.load (i32.add (local.get $r1) (local.get $kb))))
          (local.set $u (f64.load (i32.add (local.get $c0) (local.get $kb))))
          (local.set $v (f64.load (i32.add (local.get $c1) (local.get $kb))))
          (local.set $s00 (f64.add (local.get $s00) (f64.mul (local.get $p) (local.get $u))))
          (local.set $s01 (f64.add (local.get $s01) (f64.mul (local.get $p) (local.get $v))))
          (local.set $s10 (f64.add (local.get $s10) (f64.mul (local.get $q) (local.get $u))))
          (local.set $s11 (f64.add (local.get $s11) (f64.mul (local.get $q) (local.get $v))))))
        ;; out[i][j] at out + (i·n + j)·8
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3))))
        (f64.store (local.get $o) (local.get $s00))
        (if (local.get $twoJ) (then (f64.store offset=8 (local.get $o) (local.get $s01))))
        (if (local.get $two) (then
          (f64.store (i32.add (local.get $o) (local.get $rb)) (local.get $s10))
          (if (local.get $twoJ) (then (f64.store offset=8 (i32.add (local.get $o) (local.get $rb)) (local.get $s11))))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $rowsJ)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $rowsI)))
    ;; mirror: out[i][j] = out[j][i] for j < i
    (if (local.get $sym) (then
      (local.set $i (i32.const 1))
      (block $doneM (loop $rowsM
        (br_if $doneM (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $j (i32.const 0))
        (block $doneMJ (loop $colsM
          (br_if $doneMJ (i32.ge_s (local.get $j) (local.get $i)))
          (f64.store
            (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3)))
            (f64.load (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $i)) (i32.const 3)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $colsM)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rowsM))))))

  ;; Cholesky factorisation in place (lower triangle ← L, A = L·Lᵀ), column by column: the diagonal
  ;; d = a[j][j] − Σ_{k<j} a[j][k]², then the rows below four at a time: a[i][j] = (a[i][j] − Σ_{k<j} a[i][k]·a[j][k]) / l_jj.
  ;; Returns 0 when a pivot is not positive (A not numerically positive definite), else 1.
  (func (export "cholesky") (param $a i32) (param $n i32) (result i32)
    (local $rb i32) (local $j i32) (local $i i32) (local $kb i32) (local $jb i32)
    (local $rj i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $yv v128)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64) (local $y f64) (local $d f64) (local $l f64)
    (local.set $rb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $doneJ (loop $cols
      (br_if $doneJ (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $rj (i32.add (local.get $a) (i32.mul (local.get $j) (local.get $rb))))
      (local.set $jb (i32.shl (local.get $j) (i32.const 3)))
      ;; diagonal
      (local.set $a0 (v128.const f64x2 0 0))
      (local.set $kb (i32.const 0))
      (block $doneD (loop $pairsD
        (br_if $doneD (i32.gt_s (i32.add (local.get $kb) (i32.const 16)) (local.get $jb)))
        (local.set $yv (v128.load align=8 (i32.add (local.get $rj) (local.get $kb))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $yv) (local.get $yv))))
        (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
        (br $pairsD)))
      (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
      (if (i32.lt_s (local.get $kb) (local.get $jb)) (then
        (local.set $y (f64.load (i32.add (local.get $rj) (local.get $kb))))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $y) (local.get $y))))))
      (local.set $d (f64.sub (f64.load (i32.add (local.get $rj) (local.get $jb))) (local.get $s0)))
      (if (i32.eqz (f64.gt (local.get $d) (f64.const 0))) (then (return (i32.const 0))))
      (local.set $l (f64.sqrt (local.get $d)))
      (f64.store (i32.add (local.get $rj) (local.get $jb)) (local.get $l))
      ;; rows below, four at a time
      (local.set $i (i32.add (local.get $j) (i32.const 1)))
      (block $doneI4 (loop $rows4
        (br_if $doneI4 (i32.ge_s (i32.add (local.get $i) (i32.const 3)) (local.get $n)))
        (local.set $r0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rb))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $rb)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $rb)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $rb)))
        (local.set $a0 (v128.const f64x2 0 0))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $a2 (v128.const f64x2 0 0))
        (local.set $a3 (v128.const f64x2 0 0))
        (local.set $kb (i32.const 0))
        (block $doneK (loop $pairsK
          (br_if $doneK (i32.gt_s (i32.add (local.get $kb) (i32.const 16)) (local.get $jb)))
          (local.set $yv (v128.load align=8 (i32.add (local.get $rj) (local.get $kb))))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (i32.add (local.get $r0) (local.get $kb))) (local.get $yv))))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load align=8 (i32.add (local.get $r1) (local.get $kb))) (local.get $yv))))
          (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load align=8 (i32.add (local.get $r2) (local.get $kb))) (local.get $yv))))
          (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load align=8 (i32.add (local.get $r3) (local.get $kb))) (local.get $yv))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $pairsK)))
        (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (local.set $s1 (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
        (local.set $s2 (f64.add (f64x2.extract_lane 0 (local.get $a2)) (f64x2.extract_lane 1 (local.get $a2))))
        (local.set $s3 (f64.add (f64x2.extract_lane 0 (local.get $a3)) (f64x2.extract_lane 1 (local.get $a3))))
        (if (i32.lt_s (local.get $kb) (local.get $jb)) (then
          (local.set $y (f64.load (i32.add (local.get $rj) (local.get $kb))))
          (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (i32.add (local.get $r0) (local.get $kb))) (local.get $y))))
          (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (i32.add (local.get $r1) (local.get $kb))) (local.get $y))))
          (local.set $s2 (f64.add (local.get $s2) (f64.mul (f64.load (i32.add (local.get $r2) (local.get $kb))) (local.get $y))))
          (local.set $s3 (f64.add (local.get $s3) (f64.mul (f64.load (i32.add (local.get $r3) (local.get $kb))) (local.get $y))))))
        (f64.store (i32.add (local.get $r0) (local.get $jb)) (f64.div (f64.sub (f64.load (i32.add (local.get $r0) (local.get $jb))) (local.get $s0)) (local.get $l)))
        (f64.store (i32.add (local.get $r1) (local.get $jb)) (f64.div (f64.sub (f64.load (i32.add (local.get $r1) (local.get $jb))) (local.get $s1)) (local.get $l)))
        (f64.store (i32.add (local.get $r2) (local.get $jb)) (f64.div (f64.sub (f64.load (i32.add (local.get $r2) (local.get $jb))) (local.get $s2)) (local.get $l)))
        (f64.store (i32.add (local.get $r3) (local.get $jb)) (f64.div (f64.sub (f64.load (i32.add (local.get $r3) (local.get $jb))) (local.get $s3)) (local.get $l)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows4)))
      ;; the last rows one at a time
      (block $doneI1 (loop $rows1
        (br_if $doneI1 (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $r0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rb))))
        (local.set $a0 (v128.const f64x2 0 0))
        (local.set $kb (i32.const 0))
        (block $doneK1 (loop $pairsK1
          (br_if $doneK1 (i32.gt_s (i32.add (local.get $kb) (i32.const 16)) (local.get $jb)))
          (local.set $a0 (f64x2.add (local.get $a0)
            (f64x2.mul (v128.load align=8 (i32.add (local.get $r0) (local.get $kb))) (v128.load align=8 (i32.add (local.get $rj) (local.get $kb))))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $pairsK1)))
        (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (if (i32.lt_s (local.get $kb) (local.get $jb)) (then
          (local.set $s0 (f64.add (local.get $s0)
            (f64.mul (f64.load (i32.add (local.get $r0) (local.get $kb))) (f64.load (i32.add (local.get $rj) (local.get $kb))))))))
        (f64.store (i32.add (local.get $r0) (local.get $jb)) (f64.div (f64.sub (f64.load (i32.add (local.get $r0) (local.get $jb))) (local.get $s0)) (local.get $l)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows1)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $cols)))
    (i32.const 1))

  ;; Wᵀ with W = L⁻¹ for a Cholesky factor L (lower triangle of l): row j of wt is column j of W (zero before its
  ;; diagonal; wt must be zero on entry). Row i of L at a time: wt[i][i] = 1/l_ii, then for j < i, two rows j, j+1
  ;; of wt at a time (both sums from k = j: wt[j+1][j] = 0), wt[j][i] = −(Σ_{k=j}^{i−1} l[i][k]·wt[j][k]) · (1/l_ii).
  (func (export "lowerInverseT") (param $l i32) (param $wt i32) (param $n i32)
    (local $rb i32) (local $i i32) (local $j i32) (local $kb i32) (local $ib i32)
    (local $ri i32) (local $c0 i32) (local $c1 i32)
    (local $a0 v128) (local $a1 v128) (local $xv v128)
    (local $s0 f64) (local $s1 f64) (local $x f64) (local $inv f64)
    (local.set $rb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $doneI (loop $rowsI
      (br_if $doneI (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $ri (i32.add (local.get $l) (i32.mul (local.get $i) (local.get $rb))))
      (local.set $ib (i32.shl (local.get $i) (i32.const 3)))
      (local.set $inv (f64.div (f64.const 1) (f64.load (i32.add (local.get $ri) (local.get $ib)))))
      (f64.store (i32.add (i32.add (local.get $wt) (i32.mul (local.get $i) (local.get $rb))) (local.get $ib)) (local.get $inv))
      (local.set $j (i32.const 0))
      (block $doneJ2 (loop $rowsJ2
        (br_if $doneJ2 (i32.ge_s (i32.add (local.get $j) (i32.const 1)) (local.get $i)))
        (local.set $c0 (i32.add (local.get $wt) (i32.mul (local.get $j) (local.get $rb))))
        (local.set $c1 (i32.add (local.get $c0) (local.get $rb)))
        (local.set $a0 (v128.const f64x2 0 0))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $kb (i32.shl (local.get $j) (i32.const 3)))
        (block $doneK (loop $pairsK
          (br_if $doneK (i32.gt_s (i32.add (local.get $kb) (i32.const 16)) (local.get $ib)))
          (local.set $xv (v128.load align=8 (i32.add (local.get $ri) (local.get $kb))))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $xv) (v128.load align=8 (i32.add (local.get $c0) (local.get $kb))))))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $xv) (v128.load align=8 (i32.add (local.get $c1) (local.get $kb))))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $pairsK)))
        (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (local.set $s1 (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
        (if (i32.lt_s (local.get $kb) (local.get $ib)) (then
          (local.set $x (f64.load (i32.add (local.get $ri) (local.get $kb))))
          (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $x) (f64.load (i32.add (local.get $c0) (local.get $kb))))))
          (local.set $s1 (f64.add (local.get $s1) (f64.mul (local.get $x) (f64.load (i32.add (local.get $c1) (local.get $kb))))))))
        (f64.store (i32.add (local.get $c0) (local.get $ib)) (f64.mul (f64.neg (local.get $s0)) (local.get $inv)))
        (f64.store (i32.add (local.get $c1) (local.get $ib)) (f64.mul (f64.neg (local.get $s1)) (local.get $inv)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $rowsJ2)))
      ;; an odd last row j = i − 1: one term, l[i][i−1]·wt[i−1][i−1]
      (if (i32.lt_s (local.get $j) (local.get $i)) (then
        (local.set $c0 (i32.add (local.get $wt) (i32.mul (local.get $j) (local.get $rb))))
        (local.set $kb (i32.shl (local.get $j) (i32.const 3)))
        (local.set $s0 (f64.add (f64.const 0) (f64.mul (f64.load (i32.add (local.get $ri) (local.get $kb))) (f64.load (i32.add (local.get $c0) (local.get $kb))))))
        (f64.store (i32.add (local.get $c0) (local.get $ib)) (f64.mul (f64.neg (local.get $s0)) (local.get $inv)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rowsI))))

;; The product of src/math/sparse.ts's block conjugate gradients (product8 there, step by step): for 8 vectors held
  ;; row-major m×8 at p, q_u = (d_u·p_u + ct) − c·p_u, then q_u −= w_e·p_n for each entry e of row u's adjacency list
  ;; (start: m + 1 i32 offsets; nbr: i32 neighbours; w: f64 weights), q written at q; ct: the 8 values c·Σp; pq (out):
  ;; the 8 sums Σ_u p_u·q_u in vertex order. Lanes are the 8 vectors, so every vector's arithmetic is the scalar one
  ;; (f64x2 rounds each lane as f64 does; no fused multiply-add): bit-identical to the JavaScript loop.
  (func (export "adjProduct8") (param $m i32) (param $d i32) (param $c f64) (param $start i32) (param $nbr i32) (param $w i32) (param $p i32) (param $q i32) (param $ct i32) (param $pq i32)
    (local $u i32) (local $e i32) (local $end i32) (local $po i32) (local $qo i32) (local $pn i32)
    (local $cc v128) (local $du v128) (local $we v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $cc (f64x2.splat (local.get $c)))
    (local.set $t0 (v128.load align=8 (local.get $ct)))
    (local.set $t1 (v128.load offset=16 align=8 (local.get $ct)))
    (local.set $t2 (v128.load offset=32 align=8 (local.get $ct)))
    (local.set $t3 (v128.load offset=48 align=8 (local.get $ct)))
    (local.set $s0 (v128.const f64x2 0 0))
    (local.set $s1 (v128.const f64x2 0 0))
    (local.set $s2 (v128.const f64x2 0 0))
    (local.set $s3 (v128.const f64x2 0 0))
    (local.set $u (i32.const 0))
    (block $doneU (loop $rows
      (br_if $doneU (i32.ge_s (local.get $u) (local.get $m)))
      (local.set $po (i32.add (local.get $p) (i32.shl (local.get $u) (i32.const 6))))
      (local.set $qo (i32.add (local.get $q) (i32.shl (local.get $u) (i32.const 6))))
      (local.set $du (f64x2.splat (f64.load (i32.add (local.get $d) (i32.shl (local.get $u) (i32.const 3))))))
      (local.set $p0 (v128.load align=8 (local.get $po)))
      (local.set $p1 (v128.load offset=16 align=8 (local.get $po)))
      (local.set $p2 (v128.load offset=32 align=8 (local.get $po)))
      (local.set $p3 (v128.load offset=48 align=8 (local.get $po)))
      (local.set $q0 (f64x2.sub (f64x2.add (f64x2.mul (local.get $du) (local.get $p0)) (local.get $t0)) (f64x2.mul (local.get $cc) (local.get $p0))))
      (local.set $q1 (f64x2.sub (f64x2.add (f64x2.mul (local.get $du) (local.get $p1)) (local.get $t1)) (f64x2.mul (local.get $cc) (local.get $p1))))
      (local.set $q2 (f64x2.sub (f64x2.add (f64x2.mul (local.get $du) (local.get $p2)) (local.get $t2)) (f64x2.mul (local.get $cc) (local.get $p2))))
      (local.set $q3 (f64x2.sub (f64x2.add (f64x2.mul (local.get $du) (local.get $p3)) (local.get $t3)) (f64x2.mul (local.get $cc) (local.get $p3))))
      (local.set $e (i32.load (i32.add (local.get $start) (i32.shl (local.get $u) (i32.const 2)))))
      (local.set $end (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $u) (i32.const 2)))))
      (block $doneE (loop $entries
        (br_if $doneE (i32.ge_s (local.get $e) (local.get $end)))
        (local.set $pn (i32.add (local.get $p) (i32.shl (i32.load (i32.add (local.get $nbr) (i32.shl (local.get $e) (i32.const 2)))) (i32.const 6))))
        (local.set $we (f64x2.splat (f64.load (i32.add (local.get $w) (i32.shl (local.get $e) (i32.const 3))))))
        (local.set $q0 (f64x2.sub (local.get $q0) (f64x2.mul (local.get $we) (v128.load align=8 (local.get $pn)))))
        (local.set $q1 (f64x2.sub (local.get $q1) (f64x2.mul (local.get $we) (v128.load offset=16 align=8 (local.get $pn)))))
        (local.set $q2 (f64x2.sub (local.get $q2) (f64x2.mul (local.get $we) (v128.load offset=32 align=8 (local.get $pn)))))
        (local.set $q3 (f64x2.sub (local.get $q3) (f64x2.mul (local.get $we) (v128.load offset=48 align=8 (local.get $pn)))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $entries)))
      (v128.store align=8 (local.get $qo) (local.get $q0))
      (v128.store offset=16 align=8 (local.get $qo) (local.get $q1))
      (v128.store offset=32 align=8 (local.get $qo) (local.get $q2))
      (v128.store offset=48 align=8 (local.get $qo) (local.get $q3))
      (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $p0) (local.get $q0))))
      (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $p1) (local.get $q1))))
      (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $p2) (local.get $q2))))
      (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $p3) (local.get $q3))))
      (local.set $u (i32.add (local.get $u) (i32.const 1)))
      (br $rows)))
    (v128.store align=8 (local.get $pq) (local.get $s0))
    (v128.store offset=16 align=8 (local.get $pq) (local.get $s1))
    (v128.store offset=32 align=8 (local.get $pq) (local.get $s2))
    (v128.store offset=48 align=8 (local.get $pq) (local.get $s3))))
