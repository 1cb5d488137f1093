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
    // Rows below the diagonal four at a time, sharing each load of row j (each sum keeps its own order, so the
    // result is bit-identical to one row at a time, about 1.8× faster).
    let i = j + 1;
    for (; i + 3 < n; i += 4) {
      const r0 = i * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let s0 = a[r0 + j]!;
      let s1 = a[r1 + j]!;
      let s2 = a[r2 + j]!;
      let s3 = a[r3 + j]!;
      for (let k = 0; k < j; k++) {
        const y = a[rj + k]!;
        s0 -= a[r0 + k]! * y;
        s1 -= a[r1 + k]! * y;
        s2 -= a[r2 + k]! * y;
        s3 -= a[r3 + k]! * y;
      }
      a[r0 + j] = s0 / ljj;
      a[r1 + j] = s1 / ljj;
      a[r2 + j] = s2 / ljj;
      a[r3 + j] = s3 / ljj;
    }
    for (; i < n; i++) {
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
 * Inverse of a symmetric positive-definite matrix from its Cholesky factor (the lower triangle of `l`, as left by
 * {@link choleskyInPlace}). Two triangular passes written as contiguous row dot products: first Wᵀ with W = L⁻¹
 * (n³/6 multiply-adds), then A⁻¹ = Wᵀ·W, only its upper triangle computed and mirrored (n³/6). Returns a new
 * symmetric row-major n×n matrix.
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // wt[j·n + k] = W[k][j] (row j of wt = column j of W = L⁻¹, nonzero for k ≥ j).
  const wt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const inv = 1 / l[ri + i]!;
    wt[ri + i] = inv;
    for (let j = 0; j < i; j++) {
      // W[i][j] = −(Σ_{k=j}^{i−1} L[i][k]·W[k][j]) / L[i][i]
      const rj = j * n;
      let s = 0;
      for (let k = j; k < i; k++) s += l[ri + k]! * wt[rj + k]!;
      wt[rj + i] = -s * inv;
    }
  }
  // (Wᵀ·W)[i][j] = Σₖ W[k][i]·W[k][j] = Σₖ wt[i][k]·wt[j][k]: rows of wt are zero before their diagonal.
  const out = new Float64Array(n * n);
  productNT(wt, wt, out, n, true, true);
  return out;
}

/**
 * out[i][j] = Σₖ x[i][k]·y[j][k] (out = X·Yᵀ) for n×n row-major matrices, in 2×2 register blocks (each loaded
 * element used twice: about 2.5× the speed of the plain dot-product loop in V8). `symmetric`: only blocks on or
 * above the diagonal are computed and mirrored (the caller knows X·Yᵀ is symmetric). `upperY`: rows of Y are zero
 * before their diagonal, so each block's sum starts at its first column index.
 */
function productNT(x: Float64Array, y: Float64Array, out: Float64Array, n: number, symmetric: boolean, upperY: boolean): void {
  for (let i = 0; i < n; i += 2) {
    const r0 = i * n;
    const two = i + 1 < n;
    const r1 = two ? r0 + n : r0;
    for (let j = symmetric ? i : 0; j < n; j += 2) {
      const c0 = j * n;
      const twoJ = j + 1 < n;
      const c1 = twoJ ? c0 + n : c0;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = upperY ? j : 0; k < n; k++) {
        const x0 = x[r0 + k]!;
        const x1 = x[r1 + k]!;
        const y0 = y[c0 + k]!;
        const y1 = y[c1 + k]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      out[r0 + j] = s00;
      if (twoJ) out[r0 + j + 1] = s01;
      if (two) {
        out[r1 + j] = s10;
        if (twoJ) out[r1 + j + 1] = s11;
      }
    }
  }
  if (symmetric) {
    for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i]!;
  }
}

/**
 * The two factors of a sandwich H⁻¹·B·H⁻¹: A = H⁻¹ and T = A·B, from which any entry of the sandwich is one row
 * product ({@link sandwichEntry}, O(n)) and the whole matrix one more product ({@link sandwichMatrix}).
 */
export interface SandwichFactors {
  readonly n: number;
  readonly a: Float64Array;
  readonly t: Float64Array;
  /** The Cholesky factor of H (lower triangle, row-major). */
  readonly l: Float64Array;
}

/**
 * {@link SandwichFactors} of two symmetric n×n row-major matrices (H positive definite; factored in place, so `h`
 * is overwritten): A = H⁻¹ ({@link choleskyInverse}) and T = A·B as row dot products in 2×2 blocks (B symmetric,
 * so its rows are its columns). Returns null when H is not positive definite. O(n³).
 */
export function sandwichFactors(h: Float64Array, b: Float64Array, n: number): SandwichFactors | null {
  if (!choleskyInPlace(h, n)) return null;
  const a = choleskyInverse(h, n);
  const t = new Float64Array(n * n);
  productNT(a, b, t, n, false, false);
  return { n, a, t, l: h };
}

/**
 * Entry (i, j) of the sandwich A·B·A = T·A: Σₖ T[min][k]·A[max][k] (A symmetric), summed in the same order as
 * {@link sandwichMatrix}, so the two agree bit for bit. O(n).
 */
export function sandwichEntry(f: SandwichFactors, i: number, j: number): number {
  const n = f.n;
  const r = (i < j ? i : j) * n;
  const c = (i < j ? j : i) * n;
  let s = 0;
  for (let k = 0; k < n; k++) s += f.t[r + k]! * f.a[c + k]!;
  return s;
}

/** The whole sandwich T·A (upper triangle computed, mirrored). O(n³/2). */
export function sandwichMatrix(f: SandwichFactors): Float64Array {
  const cov = new Float64Array(f.n * f.n);
  productNT(f.t, f.a, cov, f.n, true, false);
  return cov;
}

/**
 * The sandwich H⁻¹·B·H⁻¹ of two symmetric n×n row-major matrices (H positive definite; factored in place, so `h` is
 * overwritten): {@link sandwichFactors} then {@link sandwichMatrix}. Returns null when H is not positive definite.
 */
export function sandwichProduct(h: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const f = sandwichFactors(h, b, n);
  return f ? sandwichMatrix(f) : null;
}
