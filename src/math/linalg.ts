/**
 * Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite n×n matrix stored row-major, in place: on
 * return the lower triangle holds L. O(n³/3).
 * @returns false when A is not (numerically) positive definite
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let k = 0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / ljj;
    }
  }
  return true;
}

/**
 * Solves L·Lᵀ·x = b given the factor from {@link choleskyInPlace}; `b` is overwritten with x. O(n²).
 */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * b[k]!;
    b[i] = s / l[ri + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/**
 * Inverse of a symmetric positive-definite matrix from its Cholesky factor (column by column). O(n³).
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    col.fill(0);
    col[c] = 1;
    choleskySolveInPlace(l, n, col);
    for (let r = 0; r < n; r++) inv[r * n + c] = col[r]!;
  }
  return inv;
}

/** C = A·B for m×m row-major matrices. O(m³). */
export function matmul(a: Float64Array, b: Float64Array, c: Float64Array, m: number): void {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    const ri = i * m;
    for (let k = 0; k < m; k++) {
      const aik = a[ri + k]!;
      if (aik === 0) continue;
      const rk = k * m;
      for (let j = 0; j < m; j++) c[ri + j]! += aik * b[rk + j]!;
    }
  }
}

/**
 * The sandwich H⁻¹·B·H⁻¹ of two symmetric n×n row-major matrices (H positive definite; factored in place, so `h` is
 * overwritten). Returns null when H is not positive definite. O(n³).
 */
export function sandwichProduct(h: Float64Array, b: Float64Array, n: number): Float64Array | null {
  if (!choleskyInPlace(h, n)) return null;
  const hinv = choleskyInverse(h, n);
  const tmp = new Float64Array(n * n);
  matmul(hinv, b, tmp, n);
  const cov = new Float64Array(n * n);
  matmul(tmp, hinv, cov, n);
  return cov;
}
