/**
 * Sparse solves with the Bradley–Terry information matrix: a weighted graph Laplacian L (one edge per pair cell,
 * weight w ≥ 0) plus a ridge λI plus c·11ᵀ (the centring term the dense path adds), solved by conjugate gradients
 * with the Jacobi (diagonal) preconditioner. Never forms an m×m matrix: O(edges) memory, O(edges) per iteration.
 */

/**
 * The matrix A = L(w) + λI + c·11ᵀ of a weighted graph on m vertices, given by its edge list. The edge arrays are
 * shared with the caller's cells (not copied); `w` is owned by the system and may be refilled between solves
 * ({@link refreshLaplacian}).
 */
export interface LaplacianSystem {
  readonly m: number;
  /** Edge endpoints (i ≠ j). */
  readonly i: Int32Array;
  readonly j: Int32Array;
  /** Edge weights (≥ 0). */
  readonly w: Float64Array;
  /** Ridge λ on the diagonal. */
  shift: number;
  /** Coefficient c of the rank-one term c·11ᵀ. */
  c: number;
  /** The diagonal of A: Σ of incident weights + λ + c (the Jacobi preconditioner). */
  readonly diag: Float64Array;
}

/**
 * A {@link LaplacianSystem} over the given edges with weights `w` (copied), ridge λ and c = trace(L + λI)/m², the
 * value {@link centredInformation}'s dense matrix uses, so both paths solve the same system. O(edges + m).
 */
export function laplacianSystem(m: number, i: Int32Array, j: Int32Array, w: ArrayLike<number>, shift: number): LaplacianSystem {
  const sys: LaplacianSystem = { m, i, j, w: Float64Array.from(w), shift, c: 0, diag: new Float64Array(m) };
  refreshLaplacian(sys, shift);
  return sys;
}

/**
 * Recomputes the diagonal and c of a system after its weights `w` changed (in place): diag_v = Σ incident w + λ,
 * c = Σ diag / m² (1 when the trace is 0, as the dense path), then diag_v += c. O(edges + m).
 */
export function refreshLaplacian(sys: LaplacianSystem, shift: number): void {
  const { m, i, j, w, diag } = sys;
  sys.shift = shift;
  diag.fill(shift);
  for (let k = 0; k < w.length; k++) {
    diag[i[k]!]! += w[k]!;
    diag[j[k]!]! += w[k]!;
  }
  let trace = 0;
  for (let v = 0; v < m; v++) trace += diag[v]!;
  sys.c = trace > 0 ? trace / (m * m) : 1;
  for (let v = 0; v < m; v++) diag[v]! += sys.c;
}

/** y = A·x for a {@link LaplacianSystem} (y overwritten). O(edges + m). */
export function laplacianProduct(sys: LaplacianSystem, x: ArrayLike<number>, y: Float64Array): void {
  const { m, i, j, w, diag, c } = sys;
  let total = 0;
  for (let v = 0; v < m; v++) total += x[v]!;
  // diag already holds Σw + λ + c; the off-diagonal part of c·11ᵀ is c·(Σx − x_v)
  const ct = c * total;
  for (let v = 0; v < m; v++) y[v] = diag[v]! * x[v]! + ct - c * x[v]!;
  for (let k = 0; k < w.length; k++) {
    const a = i[k]!;
    const b = j[k]!;
    const wk = w[k]!;
    y[a]! -= wk * x[b]!;
    y[b]! -= wk * x[a]!;
  }
}

/** Outcome of {@link conjugateGradient}. */
export interface CgResult {
  /** Iterations made (matrix products). */
  readonly iterations: number;
  /** Whether ‖b − A·x‖₂ ≤ tolerance·‖b‖₂ was reached. */
  readonly converged: boolean;
}

/** Work arrays of {@link conjugateGradient} for systems of size m (reuse them across solves). */
export interface CgWork {
  readonly r: Float64Array;
  readonly z: Float64Array;
  readonly p: Float64Array;
  readonly q: Float64Array;
}

/** Fresh {@link CgWork} for size m. */
export function cgWork(m: number): CgWork {
  return { r: new Float64Array(m), z: new Float64Array(m), p: new Float64Array(m), q: new Float64Array(m) };
}

/**
 * Solves A·x = b by conjugate gradients with the Jacobi preconditioner (Hestenes & Stiefel 1952; Saad 2003,
 * "Iterative Methods for Sparse Linear Systems", Alg. 9.1), A symmetric positive definite. `x` holds the start
 * on entry (a warm start; zeros for none) and the solution on return. Stops when the residual's 2-norm is at most
 * `tolerance`·‖b‖₂, or after `maxIterations`. Deterministic: a fixed order of every sum, so the same bits on
 * every thread. O(iterations · (edges + m)); the number of iterations grows with √κ of the preconditioned matrix
 * (small on well-mixed comparison graphs, large on long chains such as a ladder of neighbours by rating).
 */
export function conjugateGradient(sys: LaplacianSystem, b: ArrayLike<number>, x: Float64Array, tolerance: number, maxIterations: number, work: CgWork = cgWork(sys.m)): CgResult {
  const m = sys.m;
  const { r, z, p, q } = work;
  const d = sys.diag;
  let bb = 0;
  for (let v = 0; v < m; v++) bb += b[v]! * b[v]!;
  if (bb === 0) {
    x.fill(0);
    return { iterations: 0, converged: true };
  }
  const goal = tolerance * tolerance * bb;
  laplacianProduct(sys, x, q);
  let rr = 0;
  let rz = 0;
  for (let v = 0; v < m; v++) {
    const rv = b[v]! - q[v]!;
    r[v] = rv;
    rr += rv * rv;
    const zv = rv / d[v]!;
    z[v] = zv;
    p[v] = zv;
    rz += rv * zv;
  }
  let it = 0;
  while (rr > goal && it < maxIterations) {
    laplacianProduct(sys, p, q);
    let pq = 0;
    for (let v = 0; v < m; v++) pq += p[v]! * q[v]!;
    if (!(pq > 0)) break; // not positive definite (or a breakdown): give up unconverged
    const alpha = rz / pq;
    rr = 0;
    let next = 0;
    for (let v = 0; v < m; v++) {
      x[v]! += alpha * p[v]!;
      const rv = r[v]! - alpha * q[v]!;
      r[v] = rv;
      rr += rv * rv;
      const zv = rv / d[v]!;
      z[v] = zv;
      next += rv * zv;
    }
    const beta = next / rz;
    rz = next;
    for (let v = 0; v < m; v++) p[v] = z[v]! + beta * p[v]!;
    it++;
  }
  return { iterations: it, converged: rr <= goal };
}
