import { backwardSolveJs, cholesky, forwardSolveJs, inverseFromFactor, pairedDot, productNT, sandwichKernel } from './kernels.js';

/**
 * Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite n×n matrix stored row-major, in place: on
 * return the lower triangle holds L. O(n³/3), in WebAssembly SIMD from n = 16 on (`./kernels.ts`: the same bits as
 * the JavaScript loops).
 * @returns false when A is not (numerically) positive definite
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  return cholesky(a, n);
}

/**
 * Solves L·Lᵀ·x = b given the factor from {@link choleskyInPlace}; `b` is overwritten with x (a forward then a
 * backward substitution). O(n²).
 */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  forwardSolveInPlace(l, n, b);
  backwardSolveInPlace(l, n, b);
}

/** Solves L·y = x in place (x at `x[at…at+n−1]`), L the lower triangle of `l` (n×n row-major). O(n²). See {@link forwardSolveJs}. */
export function forwardSolveInPlace(l: Float64Array, n: number, x: Float64Array, at = 0): void {
  forwardSolveJs(l, n, x, at);
}

/** Solves Lᵀ·z = y in place, L the lower triangle of `l` (n×n row-major), reading L by rows. O(n²). See {@link backwardSolveJs}. */
export function backwardSolveInPlace(l: Float64Array, n: number, y: Float64Array): void {
  backwardSolveJs(l, n, y);
}

/**
 * Inverse of a symmetric positive-definite matrix from its Cholesky factor (the lower triangle of `l`, as left by
 * {@link choleskyInPlace}): first Wᵀ with W = L⁻¹ (n³/6 multiply-adds), then A⁻¹ = Wᵀ·W, only its upper triangle
 * computed and mirrored (n³/6). Returns a new symmetric row-major n×n matrix.
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  return inverseFromFactor(l, n);
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
 * so its rows are its columns), in one pass of the WebAssembly kernels. Returns null when H is not positive definite. O(n³).
 */
export function sandwichFactors(h: Float64Array, b: Float64Array, n: number): SandwichFactors | null {
  const a = new Float64Array(n * n);
  const t = new Float64Array(n * n);
  return sandwichKernel(h, b, a, t, n) ? { n, a, t, l: h } : null;
}

/**
 * Entry (i, j) of the sandwich A·B·A = T·A: Σₖ T[min][k]·A[max][k] (A symmetric), summed in the same order as
 * {@link sandwichMatrix}, so the two agree bit for bit. O(n).
 */
export function sandwichEntry(f: SandwichFactors, i: number, j: number): number {
  const n = f.n;
  return pairedDot(f.t, (i < j ? i : j) * n, f.a, (i < j ? j : i) * n, n);
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
