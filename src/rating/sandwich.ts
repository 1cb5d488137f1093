import { normalQuantile } from '../math/normal.js';
import type { PairCounts } from '../data/aggregate.js';
import { squaredCounts, weightedCounts } from '../data/weights.js';
import { sigmoid } from './predict.js';
import { pointsPerLogit, type ScaleOptions } from './scale.js';
import { btCells, type TiePolicy } from './bradley-terry.js';
import { centredInformation } from './bt-refit.js';
import { type SandwichFactors, sandwichEntry, sandwichFactors, sandwichMatrix } from '../math/linalg.js';
import { cgWork, conjugateGradient, laplacianSystem } from '../math/sparse.js';
import { SPARSE_MAX_CG, SPARSE_SOLVE_TOLERANCE } from './bt-sparse.js';

/**
 * Huber–White sandwich covariance of Bradley–Terry strengths, `H⁻¹·B·H⁻¹`, with H the Fisher information
 * (Σ n·p(1−p)·x xᵀ, x = e_i − e_j, plus the ridge prior λI if any) and B the empirical score outer product
 * (Σ over battles of (y − p)²·x xᵀ, y = 1, 0 or ½ for a tie). Robust to ties that do not follow the logistic
 * law (as lmarena/arena-rank does since July 2025). Weighted pair counts (`../data/weights`): H = Σ w·p(1−p)·x xᵀ
 * and B = Σ w²·(y − p)²·x xᵀ over battles (arena-rank's weighted sandwich). Strengths are centred (Σθ = 0): the singular Laplacian is
 * inverted as (H + c·11ᵀ)⁻¹, which equals H⁺ on the centred subspace where B lives.
 *
 * O(pairs + m³). Reference: White (1980), Econometrica 48(4):817–838.
 *
 * @param theta fitted strengths (natural scale)
 * @returns covariance matrix m×m (row-major) on the natural scale
 */
export function sandwichCovariance(pc: PairCounts, ties: TiePolicy, theta: ArrayLike<number>, prior = 0): Float64Array {
  return sandwichMatrix(btSandwichFactors(pc, ties, theta, prior));
}

/**
 * The factors of {@link sandwichCovariance} (A = H⁻¹, T = A·B; `sandwichEntry` gives any entry in O(m)), for
 * callers that need a few entries (the diagonal, neighbours' gaps) rather than the whole matrix. O(pairs + m³).
 * @throws Error when the information matrix is not positive definite
 */
export function btSandwichFactors(pairs: PairCounts, ties: TiePolicy, theta: ArrayLike<number>, prior = 0): SandwichFactors {
  const m = pairs.models.length;
  // weighted data: H from Σw per cell, the meat from Σw² per cell (a battle's score is w·(y − p)·x)
  const h = centredInformation(btCells(weightedCounts(pairs), ties), theta, prior);
  const pc = squaredCounts(pairs);
  const b = new Float64Array(m * m);
  for (let k = 0; k < pc.pairs; k++) {
    const i = pc.i[k]!;
    const j = pc.j[k]!;
    const p = sigmoid(theta[i]! - theta[j]!);
    const t = ties === 'half' ? pc.ties[k]! + pc.bothbad[k]! : 0;
    const q = 1 - p;
    const w = pc.winsI[k]! * q * q + pc.winsJ[k]! * p * p + t * (0.5 - p) * (0.5 - p);
    if (w === 0) continue;
    b[i * m + i]! += w;
    b[j * m + j]! += w;
    b[i * m + j]! -= w;
    b[j * m + i]! -= w;
  }
  const f = sandwichFactors(h, b, m);
  if (!f) throw new Error('sandwichCovariance: information matrix is not positive definite');
  return f;
}

/** Most models for which the sparse sandwich forms the whole m×m matrix on request (m solves, 8·m² bytes). */
export const SPARSE_FULL_COVARIANCE_LIMIT = 5000;

/** Columns of H⁻¹ a {@link sparseSandwich} keeps (least recently used dropped first). */
const COLUMN_CACHE = 8;

/** The sandwich of the sparse path: entries by linear solves, never an m×m matrix unless asked for. */
export interface SparseSandwich {
  readonly n: number;
  /** Entry (i, j) of H⁻¹BH⁻¹: u_iᵀ·B·u_j with u = (H + c·11ᵀ)⁻¹e, two solves (cached) and one pass over the cells. */
  entry(i: number, j: number): number;
  /** The whole matrix (m solves and m passes): only up to {@link SPARSE_FULL_COVARIANCE_LIMIT} models. */
  matrix(): Float64Array;
  /** Conjugate-gradient iterations spent so far (for the bench). */
  readonly iterations: () => number;
}

/**
 * Huber–White sandwich H⁻¹BH⁻¹ of Bradley–Terry strengths — the same H (weighted information + λI + c·11ᵀ) and B
 * (weighted score outer products) as {@link btSandwichFactors} — without forming any m×m matrix: column
 * u_i = (H + c·11ᵀ)⁻¹e_i by Jacobi-preconditioned conjugate gradients on the cells (relative residual
 * {@link SPARSE_SOLVE_TOLERANCE}), and entry (i, j) = u_iᵀ·B·u_j = Σ_cells b_k·(u_i[a] − u_i[b])·(u_j[a] − u_j[b])
 * (B is a weighted Laplacian). Exact up to the solver's tolerance (agreement with the dense factors tested), not a
 * stochastic estimate: a model's variance costs one solve, O(CG iterations · pairs), and the last
 * {@link COLUMN_CACHE} columns are kept (an anchor's column serves every contrast). O(pairs + m) memory.
 * @throws Error when a solve does not converge (the information is not positive definite)
 */
export function sparseSandwich(pairs: PairCounts, ties: TiePolicy, theta: ArrayLike<number>, prior = 0): SparseSandwich {
  const m = pairs.models.length;
  const cells = btCells(weightedCounts(pairs), ties);
  const w = new Float64Array(cells.pairs);
  for (let k = 0; k < cells.pairs; k++) {
    const p = sigmoid(theta[cells.i[k]!]! - theta[cells.j[k]!]!);
    w[k] = cells.n[k]! * p * (1 - p);
  }
  const sys = laplacianSystem(m, cells.i, cells.j, w, prior);
  const pc = squaredCounts(pairs);
  const meat = new Float64Array(pc.pairs);
  for (let k = 0; k < pc.pairs; k++) {
    const p = sigmoid(theta[pc.i[k]!]! - theta[pc.j[k]!]!);
    const t = ties === 'half' ? pc.ties[k]! + pc.bothbad[k]! : 0;
    const q = 1 - p;
    meat[k] = pc.winsI[k]! * q * q + pc.winsJ[k]! * p * p + t * (0.5 - p) * (0.5 - p);
  }
  const work = cgWork(m);
  const cache = new Map<number, Float64Array>();
  let iterations = 0;
  const column = (i: number): Float64Array => {
    const hit = cache.get(i);
    if (hit) {
      cache.delete(i);
      cache.set(i, hit);
      return hit;
    }
    const e = new Float64Array(m);
    e[i] = 1;
    const u = new Float64Array(m);
    const r = conjugateGradient(sys, e, u, SPARSE_SOLVE_TOLERANCE, SPARSE_MAX_CG, work);
    iterations += r.iterations;
    if (!r.converged) throw new Error('sparseSandwich: the information matrix is not positive definite (conjugate gradients did not converge)');
    if (cache.size >= COLUMN_CACHE) cache.delete(cache.keys().next().value!);
    cache.set(i, u);
    return u;
  };
  const form = (ui: Float64Array, uj: Float64Array) => {
    let s = 0;
    for (let k = 0; k < pc.pairs; k++) {
      const b = meat[k]!;
      if (b === 0) continue;
      const a = pc.i[k]!;
      const c = pc.j[k]!;
      s += b * (ui[a]! - ui[c]!) * (uj[a]! - uj[c]!);
    }
    return s;
  };
  return {
    n: m,
    entry: (i, j) => form(column(i), column(j)),
    matrix() {
      if (m > SPARSE_FULL_COVARIANCE_LIMIT) {
        throw new RangeError(`the whole ${m}×${m} sandwich covariance is not formed on the sparse path (more than ${SPARSE_FULL_COVARIANCE_LIMIT} models): per-model intervals and gaps are computed entry by entry; use --solver dense for the whole matrix`);
      }
      // (H + c·11ᵀ)⁻¹·B·(H + c·11ᵀ)⁻¹ column by column: v_j = B·u_j, then the column H⁻¹v_j (symmetric result)
      const out = new Float64Array(m * m);
      const bu = new Float64Array(m);
      const x = new Float64Array(m);
      for (let j = 0; j < m; j++) {
        const u = column(j);
        bu.fill(0);
        for (let k = 0; k < pc.pairs; k++) {
          const d = meat[k]! * (u[pc.i[k]!]! - u[pc.j[k]!]!);
          bu[pc.i[k]!]! += d;
          bu[pc.j[k]!]! -= d;
        }
        x.fill(0);
        const r = conjugateGradient(sys, bu, x, SPARSE_SOLVE_TOLERANCE, SPARSE_MAX_CG, work);
        iterations += r.iterations;
        for (let i = 0; i < m; i++) out[i * m + j] = x[i]!;
      }
      for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) out[i * m + j] = out[j * m + i] = 0.5 * (out[i * m + j]! + out[j * m + i]!);
      return out;
    },
    iterations: () => iterations,
  };
}

/**
 * A {@link SandwichFactors} as a lazy covariance: entries on demand in O(m), the whole matrix formed on first use
 * of `cov` (then kept). Entries and matrix agree bit for bit.
 */
export function lazyCovariance(f: SandwichFactors): { readonly cov: Float64Array; readonly entry: (i: number, j: number) => number } {
  let full: Float64Array | null = null;
  return {
    get cov() {
      return (full ??= sandwichMatrix(f));
    },
    entry: (i: number, j: number) => (full ? full[i * f.n + j]! : sandwichEntry(f, i, j)),
  };
}

/**
 * Normal-approximation intervals from a covariance matrix: `rating ± z·sd`, z = Φ⁻¹((1+level)/2), sd on the
 * display scale (sd_natural · scale/ln base). An anchor shifts ratings, not their spread: intervals are those of
 * the centred ratings.
 */
export function normalIntervals(
  ratings: ArrayLike<number>,
  cov: Float64Array,
  level: number,
  scale: Pick<ScaleOptions, 'scale' | 'base'>,
): { lower: Float64Array; upper: Float64Array; se: Float64Array } {
  const m = ratings.length;
  const z = normalQuantile((1 + level) / 2);
  const f = pointsPerLogit(scale);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const se = new Float64Array(m);
  for (let v = 0; v < m; v++) {
    se[v] = Math.sqrt(Math.max(0, cov[v * m + v]!)) * f;
    lower[v] = ratings[v]! - z * se[v]!;
    upper[v] = ratings[v]! + z * se[v]!;
  }
  return { lower, upper, se };
}
