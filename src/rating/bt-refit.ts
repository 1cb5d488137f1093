import { type BtCells, btGradientHessian, centre } from './bradley-terry.js';
import { backwardSolveInPlace, choleskyInPlace, forwardSolveInPlace } from '../math/linalg.js';
import { type BtGradientKernel, btGradientKernel, factorSolver } from '../math/kernels.js';
import { cgWork, conjugateGradient, laplacianSystem } from '../math/sparse.js';
import { type BtSolver, SPARSE_CHORD_TOLERANCE, SPARSE_MAX_CG, SPARSE_SOLVE_TOLERANCE } from './bt-sparse.js';

/**
 * A solver for the centred information H₀ + c·11ᵀ at θ (prior λ included): g ← (H₀ + c·11ᵀ)⁻¹·g in place, false when
 * it failed. `dense`: one Cholesky factorisation (O(pairs + m³/3)), then O(m²) per solve (exact: `tolerance` is
 * ignored); `sparse`: Jacobi-preconditioned conjugate gradients on the cells to a relative residual of `tolerance`
 * (default {@link SPARSE_SOLVE_TOLERANCE})
 * (O(pairs + m) to build, O(CG iterations · (pairs + m)) per solve, no m² memory). Null when H₀ is not positive
 * definite (dense only: the sparse solver reports failure per solve).
 */
export function informationSolver(cells: BtCells, theta: ArrayLike<number>, prior: number, solver: BtSolver): ((g: Float64Array, tolerance?: number) => boolean) | null {
  const m = cells.m;
  if (solver === 'dense') {
    const h = centredInformation(cells, theta, prior);
    if (!choleskyInPlace(h, m)) return null;
    const solve = factorSolver(h, m);
    return (g) => {
      solve(g);
      return true;
    };
  }
  const w = new Float64Array(cells.pairs);
  for (let k = 0; k < cells.pairs; k++) {
    const n = cells.n[k]!;
    if (n === 0) continue;
    const p = 1 / (1 + Math.exp(theta[cells.j[k]!]! - theta[cells.i[k]!]!));
    w[k] = n * p * (1 - p);
  }
  const sys = laplacianSystem(m, cells.i, cells.j, w, prior);
  const work = cgWork(m);
  const rhs = new Float64Array(m);
  return (g, tolerance = SPARSE_SOLVE_TOLERANCE) => {
    rhs.set(g);
    g.fill(0);
    return conjugateGradient(sys, rhs, g, tolerance, SPARSE_MAX_CG, work).converged;
  };
}

/**
 * The information matrix at θ (negative Hessian of the log-likelihood plus the ridge prior λI) with c·11ᵀ added,
 * c = trace/m²: positive definite when the comparison graph is connected, and on centred vectors its inverse acts
 * as the pseudo-inverse of the (singular) information. m × m, row-major. O(pairs + m²).
 */
export function centredInformation(cells: BtCells, theta: ArrayLike<number>, prior: number): Float64Array {
  const m = cells.m;
  const h = new Float64Array(m * m);
  btGradientHessian(cells, theta, prior, new Float64Array(m), h);
  let trace = 0;
  for (let v = 0; v < m; v++) trace += h[v * m + v]!;
  const c = trace > 0 ? trace / (m * m) : 1;
  for (let q = 0; q < m * m; q++) h[q]! += c;
  return h;
}

/** Outcome of one {@link FixedHessianRefit.refit}. */
export interface RefitResult {
  /** Iterations made. */
  readonly iterations: number;
  /** Whether the iteration met its stopping rule (otherwise the caller must refit another way). */
  readonly converged: boolean;
}

/**
 * Bradley–Terry refits on reweighted copies of one comparison graph (bootstrap resamples) by the chord method:
 * Newton's iteration with the Hessian frozen at the full-data fit,
 * `θ ← θ + H₀⁻¹·g(θ)`, where `g` is the gradient of the (penalised) log-likelihood of the resample and `H₀` the
 * negative Hessian of the full data at its maximum θ̂ (plus the ridge prior, plus c·11ᵀ to fix the centring).
 * `H₀` is factored once (Cholesky, O(m³/3)); each iteration then costs O(pairs + m²) instead of Newton's
 * O(pairs + m³/3): at 339 models one solve is ~0.1 ms against ~13 ms for a factorisation. With the `sparse` solver
 * H₀ is never formed: each iteration solves with it by conjugate gradients on the cells (O(CG iterations · pairs)).
 *
 * Why it converges, and fast: the fixed point satisfies g(θ) = 0, the resample's maximum-likelihood equation,
 * whatever H₀ is; the error contracts by the factor ‖I − H₀⁻¹H(θ*)‖ per step, which is small because a resample's
 * Hessian differs from the full data's only by sampling noise (a few percent at LMArena sizes).
 * Win probabilities are computed as γᵢ/(γᵢ+γⱼ) with γ = e^θ, so an iteration needs m exponentials, not one per pair.
 *
 * Stopping rule (a-posteriori bound of a linearly converging iteration): with r = step/previous step, the error
 * left after a step is at most step·r/(1−r) when the contraction factor is r. Stop when either
 * (a) step ≤ tolerance and r ≤ ½ (then the bound is below the step, hence below the tolerance), or
 * (b) 2r ≤ ½ and step·2r/(1−2r) ≤ tolerance (the bound with r doubled, allowing for r being estimated from two
 * steps). Rule (b) saves the last confirming iteration when the contraction is fast: at LMArena sizes r ≈ 0.03, so
 * it stops once the step is below ~15× the tolerance (5 iterations instead of 6); rule (a) covers sparse graphs
 * whose contraction is slower (r up to ½). The iteration gives up (converged =
 * false) when steps stop shrinking (ratio > 0.9 after three steps), become non-finite, or after `maxIterations`;
 * callers then fall back to a full Newton fit (see {@link ../stats/bootstrap-rounds}). Agreement with full Newton
 * refits to 1e−6 rating points is tested.
 *
 * Reference: Kelley (1995), "Iterative Methods for Linear and Nonlinear Equations", §5.4 (the chord method).
 */
export class FixedHessianRefit {
  readonly m: number;
  private readonly i: Int32Array;
  private readonly j: Int32Array;
  private readonly pairs: number;
  private readonly theta0: Float64Array;
  private readonly gamma0: Float64Array;
  private readonly solve: ((g: Float64Array, tolerance?: number) => boolean) | null;
  private readonly prior: number;
  private readonly tolTheta: number;
  private readonly maxIterations: number;
  private readonly g: Float64Array;
  private readonly gamma: Float64Array;
  /** The gradient over the pairs when they are sorted by their lower model (the usual order), else null. */
  private readonly kernel: BtGradientKernel | null;
  /** Whether H₀ could be factored (false only for a degenerate full-data fit). */
  readonly ok: boolean;

  /**
   * @param cells the full-data cells (their `n` weights define H₀)
   * @param theta0 the full-data fit θ̂ (natural scale, Σθ = 0)
   * @param prior ridge prior λ used by the refits (natural scale)
   * @param tolTheta convergence tolerance on the natural scale (rating points / pointsPerLogit)
   * @param maxIterations give up after this many iterations
   * @param solver how H₀ is solved: a dense Cholesky factor, or conjugate gradients on the cells ({@link informationSolver})
   */
  constructor(cells: BtCells, theta0: Float64Array, prior: number, tolTheta: number, maxIterations = 60, solver: BtSolver = 'dense') {
    const m = cells.m;
    this.m = m;
    this.i = cells.i;
    this.j = cells.j;
    this.pairs = cells.pairs;
    this.theta0 = Float64Array.from(theta0);
    this.gamma0 = Float64Array.from(theta0, Math.exp);
    this.prior = prior;
    this.tolTheta = tolTheta;
    this.maxIterations = maxIterations;
    this.g = new Float64Array(m);
    this.solve = informationSolver(cells, theta0, prior, solver);
    const rows = rowStarts(cells.i.subarray(0, cells.pairs), m);
    this.kernel = rows ? btGradientKernel(rows, cells.j.subarray(0, cells.pairs), m) : null;
    this.gamma = this.kernel ? this.kernel.gamma : new Float64Array(m);
    this.ok = this.solve !== null;
  }

  /**
   * Arrays the caller may fill with a round's scores and counts and pass to {@link refit} as they are (no copy is
   * made then): views of the gradient kernel's memory, or null when the pairs are not sorted (then any arrays do).
   */
  buffers(): { readonly s: Float64Array; readonly n: Float64Array } | null {
    return this.kernel ? { s: this.kernel.s, n: this.kernel.n } : null;
  }

  /**
   * Refits on cell scores `s` and counts `n` (same pairs as the full data), writing θ (Σθ = 0) into `theta`.
   * With `first`, also writes the first iterate θ̂ + H₀⁻¹·g(θ̂) there: the one-step (linearised) estimate, which
   * is linear in the counts and serves as the bootstrap's control variate (see `../stats/control-variate`).
   * O(iterations · (pairs + m²)).
   */
  refit(s: ArrayLike<number>, n: ArrayLike<number>, theta: Float64Array, first?: Float64Array): RefitResult {
    const { m, i, j, pairs, g, gamma, prior, solve, kernel } = this;
    if (kernel) {
      if (s !== kernel.s) kernel.s.set(s);
      if (n !== kernel.n) kernel.n.set(n);
    }
    theta.set(this.theta0);
    gamma.set(this.gamma0);
    if (!this.ok) {
      first?.fill(Number.NaN);
      return { iterations: 0, converged: false };
    }
    let prev = Number.POSITIVE_INFINITY;
    for (let it = 1; it <= this.maxIterations; it++) {
      if (kernel) kernel.gradient(g);
      else {
        g.fill(0);
        for (let k = 0; k < pairs; k++) {
          const nk = n[k]!;
          if (nk === 0) continue;
          const a = i[k]!;
          const b = j[k]!;
          const ga = gamma[a]!;
          const r = s[k]! - (nk * ga) / (ga + gamma[b]!);
          g[a]! += r;
          g[b]! -= r;
        }
      }
      if (prior) for (let v = 0; v < m; v++) g[v]! -= prior * theta[v]!;
      // the first step exactly (it is the control variate); later ones, whose errors the iteration itself corrects,
      // to a looser residual on the sparse path (ignored by the dense one)
      if (!solve!(g, it === 1 && first ? SPARSE_SOLVE_TOLERANCE : SPARSE_CHORD_TOLERANCE)) return { iterations: it, converged: false };
      let step = 0;
      for (let v = 0; v < m; v++) {
        const d = Math.abs(g[v]!);
        if (d > step) step = d;
        theta[v]! += g[v]!;
      }
      if (!Number.isFinite(step)) return { iterations: it, converged: false };
      centre(theta);
      if (it === 1) first?.set(theta);
      if (step === 0) return { iterations: it, converged: true };
      const ratio = step / prev;
      const r2 = 2 * ratio;
      if (it >= 2 && ((step <= this.tolTheta && ratio <= 0.5) || (r2 <= 0.5 && (step * r2) / (1 - r2) <= this.tolTheta))) return { iterations: it, converged: true };
      if (it >= 3 && ratio > 0.9) return { iterations: it, converged: false };
      prev = step;
      for (let v = 0; v < m; v++) gamma[v] = Math.exp(theta[v]!);
    }
    return { iterations: this.maxIterations, converged: false };
  }
}

/**
 * Where each model's pairs start when the pairs are sorted by their first model `i` (non-decreasing): m + 1
 * offsets, pairs of model a at [start[a], start[a+1]). Null when `i` is not sorted. O(pairs + m).
 */
export function rowStarts(i: Int32Array, m: number): Int32Array | null {
  const start = new Int32Array(m + 1);
  for (let k = 0; k < i.length; k++) {
    if (k > 0 && i[k]! < i[k - 1]!) return null;
    start[i[k]! + 1]!++;
  }
  for (let a = 0; a < m; a++) start[a + 1]! += start[a]!;
  return start;
}

/** Most added models {@link borderedChordSolver} borders a factor with (beyond it, Newton refactors). */
export const MAX_BORDERED_MODELS = 8;

/**
 * A chord solver for a Bradley–Terry fit whose models are those of an earlier fit plus a few new ones (a what-if
 * debut): the earlier fit's Cholesky factor L of H₀ + c·11ᵀ (its definite Newton matrix, old models in their own
 * order) is bordered with the new models' rows of the current information at θ, plus the same c:
 *
 *     F = [ L   0 ]   with  L·B = H_on + c·1,   D·Dᵀ = H_nn + c·11ᵀ − BᵀB,
 *         [ Bᵀ  D ]
 *
 * so F·Fᵀ equals the old block as it was and the new rows as they are now. c is recovered from the factor (the rows
 * of H₀ + c·11ᵀ sum to λ + c·m₀). Solving with F costs O(m²) per step after O(k·m₀²) to build (k new models): the
 * fit takes chord steps instead of factorising (see `fitBradleyTerry`'s `chordSolve`). Null when more than
 * {@link MAX_BORDERED_MODELS} models are new, or the bordered matrix is not positive definite.
 *
 * @param oldOf for each current model id, its index in the earlier fit, or −1 when new
 * @param factor the earlier fit's factor (m₀×m₀, lower triangle)
 */
export function borderedChordSolver(cells: BtCells, theta: ArrayLike<number>, prior: number, oldOf: Int32Array, factor: Float64Array, m0: number): ((g: Float64Array) => void) | null {
  const m = cells.m;
  const fresh: number[] = [];
  const oldIds = new Int32Array(m0).fill(-1); // earlier index → current id
  for (let v = 0; v < m; v++) {
    if (oldOf[v]! < 0) fresh.push(v);
    else oldIds[oldOf[v]!] = v;
  }
  const k = fresh.length;
  if (k === 0 || k > MAX_BORDERED_MODELS || m0 + k !== m || factor.length !== m0 * m0) return null;
  for (let q = 0; q < m0; q++) if (oldIds[q]! < 0) return null;
  // c from the factor: (L·Lᵀ·1)_q = λ + c·m₀ for every row q (the mean over rows, for rounding)
  const lt1 = new Float64Array(m0);
  for (let i = 0; i < m0; i++) for (let j = 0; j <= i; j++) lt1[j]! += factor[i * m0 + j]!;
  let rows = 0;
  for (let i = 0; i < m0; i++) {
    let r = 0;
    for (let j = 0; j <= i; j++) r += factor[i * m0 + j]! * lt1[j]!;
    rows += r;
  }
  const c = (rows / m0 - prior) / m0;
  // the new models' rows of the current information at θ (+ c): against the old models (by earlier index) and each other
  const newAt = new Int32Array(m).fill(-1);
  fresh.forEach((v, q) => (newAt[v] = q));
  const hon = new Float64Array(k * m0).fill(c); // row q: H[new q][old]
  const hnn = new Float64Array(k * k).fill(c);
  for (let q = 0; q < k; q++) hnn[q * k + q]! += prior;
  for (let e = 0; e < cells.pairs; e++) {
    const n = cells.n[e]!;
    if (n === 0) continue;
    const i = cells.i[e]!;
    const j = cells.j[e]!;
    const qi = newAt[i]!;
    const qj = newAt[j]!;
    if (qi < 0 && qj < 0) continue;
    const d = theta[i]! - theta[j]!;
    const p = 1 / (1 + Math.exp(-d));
    const w = n * p * (1 - p);
    if (qi >= 0) hnn[qi * k + qi]! += w;
    if (qj >= 0) hnn[qj * k + qj]! += w;
    if (qi >= 0 && qj >= 0) {
      hnn[qi * k + qj]! -= w;
      hnn[qj * k + qi]! -= w;
    } else if (qi >= 0) hon[qi * m0 + oldOf[j]!]! -= w;
    else hon[qj * m0 + oldOf[i]!]! -= w;
  }
  // B: L·b_q = h_on,q (forward substitution), then the Schur complement S = H_nn − BᵀB and its factor D
  const bt = hon; // row q becomes b_q in place
  for (let q = 0; q < k; q++) forwardSolveInPlace(factor, m0, bt, q * m0);
  const s = hnn;
  for (let q = 0; q < k; q++) {
    for (let r = 0; r < k; r++) {
      let dot = 0;
      for (let t = 0; t < m0; t++) dot += bt[q * m0 + t]! * bt[r * m0 + t]!;
      s[q * k + r]! -= dot;
    }
  }
  if (!choleskyInPlace(s, k)) return null;
  const yOld = new Float64Array(m0);
  const yNew = new Float64Array(k);
  return (g: Float64Array) => {
    for (let q = 0; q < m0; q++) yOld[q] = g[oldIds[q]!]!;
    for (let q = 0; q < k; q++) yNew[q] = g[fresh[q]!]!;
    // forward: L·y₀ = x₀; D·y₁ = x₁ − Bᵀ·y₀
    forwardSolveInPlace(factor, m0, yOld, 0);
    for (let q = 0; q < k; q++) {
      let dot = 0;
      for (let t = 0; t < m0; t++) dot += bt[q * m0 + t]! * yOld[t]!;
      yNew[q]! -= dot;
    }
    forwardSolveInPlace(s, k, yNew, 0);
    // backward: Dᵀ·z₁ = y₁; Lᵀ·z₀ = y₀ − B·z₁
    backwardSolveInPlace(s, k, yNew);
    for (let q = 0; q < k; q++) {
      const z = yNew[q]!;
      for (let t = 0; t < m0; t++) yOld[t]! -= bt[q * m0 + t]! * z;
    }
    backwardSolveInPlace(factor, m0, yOld);
    for (let q = 0; q < m0; q++) g[oldIds[q]!] = yOld[q]!;
    for (let q = 0; q < k; q++) g[fresh[q]!] = yNew[q]!;
  };
}
