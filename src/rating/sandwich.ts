import { normalQuantile } from '../math/normal.js';
import type { PairCounts } from '../data/aggregate.js';
import { squaredCounts, weightedCounts } from '../data/weights.js';
import { sigmoid } from './predict.js';
import { pointsPerLogit, type ScaleOptions } from './scale.js';
import { btCells, type TiePolicy } from './bradley-terry.js';
import { centredInformation } from './bt-refit.js';
import { type SandwichFactors, sandwichEntry, sandwichFactors, sandwichMatrix } from '../math/linalg.js';
import { cgWork, conjugateGradient, type LaplacianSystem, laplacianSystem, unitSolves } from '../math/sparse.js';
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

/** The error for a whole n×n sparse-path sandwich past {@link SPARSE_FULL_COVARIANCE_LIMIT} models. */
export function fullCovarianceRefusal(n: number): RangeError {
  return new RangeError(`the whole ${n}×${n} sandwich covariance is not formed on the sparse path (more than ${SPARSE_FULL_COVARIANCE_LIMIT} models): per-model intervals and gaps are computed entry by entry; use --solver dense for the whole matrix`);
}

/** The sandwich of the sparse path: entries by linear solves, never an m×m matrix unless asked for. */
export interface SparseSandwich {
  readonly n: number;
  /** Entry (i, j) of H⁻¹BH⁻¹: u_iᵀ·B·u_j with u = (H + c·11ᵀ)⁻¹e, two solves (cached) and one pass over the cells. */
  entry(i: number, j: number): number;
  /**
   * Variances of θ_v − θ_ref for every v of `ids` (ref −1: of θ_v), in that order — a board's intervals — by
   * {@link sparseContrastVariances} in this thread: bit for bit `entry(v, v) + entry(ref, ref) − 2·entry(v, ref)`
   * (`entry(v, v)` without a reference), many times faster than entry by entry.
   */
  contrastVariances(ids: ArrayLike<number>, ref: number): Float64Array;
  /** The system and meat as plain data (for worker threads: {@link sparseContrastVariances} on a part of the ids). */
  readonly data: SparseSandwichData;
  /** The whole matrix (m solves and m passes): only up to {@link SPARSE_FULL_COVARIANCE_LIMIT} models. */
  matrix(): Float64Array;
  /** Conjugate-gradient iterations spent so far (for the bench). */
  readonly iterations: () => number;
}

/**
 * The plain data of a {@link sparseSandwich} (typed arrays and numbers only, so it can be posted to a worker
 * thread): the bread H + λI + c·11ᵀ as a weighted edge list (`i`, `j`, information weights `w` = n·p(1−p), ridge
 * `prior`; c and the diagonal are rebuilt by `laplacianSystem`, deterministically) and the meat B as weights `meat`
 * on the edges (`mi`, `mj`) of the squared-weight counts.
 */
export interface SparseSandwichData {
  readonly m: number;
  readonly i: Int32Array;
  readonly j: Int32Array;
  readonly w: Float64Array;
  readonly prior: number;
  readonly mi: Int32Array;
  readonly mj: Int32Array;
  readonly meat: Float64Array;
}

/** The meat form Σ_cells b_k·(x[a] − x[b])·(y[a] − y[b]) over a {@link SparseSandwichData}'s meat. O(cells). */
function meatForm(d: SparseSandwichData, x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < d.meat.length; k++) {
    const b = d.meat[k]!;
    if (b === 0) continue;
    const a = d.mi[k]!;
    const c = d.mj[k]!;
    s += b * (x[a]! - x[c]!) * (y[a]! - y[c]!);
  }
  return s;
}

/**
 * Sandwich variances of many contrasts at once on the sparse path: for every v of `ids`, the variance of θ_v − θ_ref
 * (ref −1: of θ_v) under H⁻¹BH⁻¹, i.e. u_vᵀBu_v + u_refᵀBu_ref − 2·u_vᵀBu_ref with u = (H + c·11ᵀ)⁻¹e (B is a
 * Laplacian, so the centring term c·11ᵀ — like any multiple of 1 added to u — changes nothing). The columns u_v are
 * solved {@link unitSolves}' way, `slots` right-hand sides per pass over the cells (the meat forms likewise 8 per
 * pass), each to the relative residual
 * {@link SPARSE_SOLVE_TOLERANCE} (sd to about 10⁻¹⁰ of itself; agreement with the dense sandwich tested), and each
 * variance is formed as soon as its column is solved, so memory stays O(pairs + slots·m). Every variance is bit for
 * bit the one `sparseSandwich(…).entry` gives, whatever `slots` and however `ids` are split (across worker threads,
 * `stats/sandwich-parallel`).
 *
 * O(Σ CG iterations · pairs / slots + |ids| · pairs) passes; measured at 20,000 models in bench/README.md.
 *
 * @param sys the bread as a system (`laplacianSystem(d.m, d.i, d.j, d.w, d.prior)`), built once by the caller
 * @param ids models (0 ≤ v < m)
 * @param ref reference model of the contrasts, or −1
 * @param slots right-hand sides per pass (default `UNIT_SOLVE_SLOTS`, 8; never changes a result)
 * @returns variances on the natural scale (logit²), one per id
 * @throws Error when a solve does not converge (the information is not positive definite)
 */
export function sparseContrastVariances(d: SparseSandwichData, sys: LaplacianSystem, ids: ArrayLike<number>, ref: number, slots?: number): Float64Array {
  const m = d.m;
  const out = new Float64Array(ids.length);
  if (ids.length === 0) return out;
  const fail = () => new Error('sparseSandwich: the information matrix is not positive definite (conjugate gradients did not converge)');
  let uRef: Float64Array | null = null;
  let refVar = 0;
  if (ref >= 0) {
    const e = new Float64Array(m);
    e[ref] = 1;
    uRef = new Float64Array(m);
    if (!conjugateGradient(sys, e, uRef, SPARSE_SOLVE_TOLERANCE, SPARSE_MAX_CG).converged) throw fail();
    refVar = meatForm(d, uRef, uRef);
  }
  const where = new Map<number, number[]>();
  for (let t = 0; t < ids.length; t++) {
    const list = where.get(ids[t]!);
    if (list) list.push(t);
    else where.set(ids[t]!, [t]);
  }
  // solved columns wait in a row-major m×8 buffer and their meat forms are taken 8 at a time (one pass over the cells)
  const pending = new Float64Array(m * 8);
  const pendingIds: number[] = [];
  const vv = new Float64Array(8);
  const vr = new Float64Array(8);
  const flush = () => {
    meatForms8(d, pending, uRef, vv, vr);
    for (let s = 0; s < pendingIds.length; s++) {
      const value = uRef ? vv[s]! + refVar - 2 * vr[s]! : vv[s]!;
      for (const t of where.get(pendingIds[s]!)!) out[t] = value;
    }
    pendingIds.length = 0;
    pending.fill(0);
  };
  const ok = unitSolves(
    sys,
    ids,
    SPARSE_SOLVE_TOLERANCE,
    SPARSE_MAX_CG,
    (v, x, k, s) => {
      const col = pendingIds.length;
      for (let u = 0; u < m; u++) pending[u * 8 + col] = x[u * k + s]!;
      pendingIds.push(v);
      if (pendingIds.length === 8) flush();
    },
    slots,
  );
  if (!ok) throw fail();
  if (pendingIds.length) flush();
  return out;
}

/**
 * The meat forms of 8 columns held row-major m×8 in `x` (unused columns zero): vv[s] = Σ_cells b·(x[a,s] − x[c,s])²
 * and, with `ref`, vr[s] = Σ_cells b·(x[a,s] − x[c,s])·(ref[a] − ref[c]) — each {@link meatForm}'s operations in its
 * order (cells with b = 0 skipped). O(8·cells).
 */
function meatForms8(d: SparseSandwichData, x: Float64Array, ref: Float64Array | null, vv: Float64Array, vr: Float64Array): void {
  const { meat, mi, mj } = d;
  let v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0, v6 = 0, v7 = 0;
  let r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
  for (let c = 0; c < meat.length; c++) {
    const b = meat[c]!;
    if (b === 0) continue;
    const a = mi[c]! * 8;
    const e = mj[c]! * 8;
    const d0 = x[a]! - x[e]!;
    const d1 = x[a + 1]! - x[e + 1]!;
    const d2 = x[a + 2]! - x[e + 2]!;
    const d3 = x[a + 3]! - x[e + 3]!;
    const d4 = x[a + 4]! - x[e + 4]!;
    const d5 = x[a + 5]! - x[e + 5]!;
    const d6 = x[a + 6]! - x[e + 6]!;
    const d7 = x[a + 7]! - x[e + 7]!;
    v0 += b * d0 * d0;
    v1 += b * d1 * d1;
    v2 += b * d2 * d2;
    v3 += b * d3 * d3;
    v4 += b * d4 * d4;
    v5 += b * d5 * d5;
    v6 += b * d6 * d6;
    v7 += b * d7 * d7;
    if (ref) {
      const dr = ref[mi[c]!]! - ref[mj[c]!]!;
      r0 += b * d0 * dr;
      r1 += b * d1 * dr;
      r2 += b * d2 * dr;
      r3 += b * d3 * dr;
      r4 += b * d4 * dr;
      r5 += b * d5 * dr;
      r6 += b * d6 * dr;
      r7 += b * d7 * dr;
    }
  }
  vv.set([v0, v1, v2, v3, v4, v5, v6, v7]);
  vr.set([r0, r1, r2, r3, r4, r5, r6, r7]);
}

/**
 * Huber–White sandwich H⁻¹BH⁻¹ of Bradley–Terry strengths — the same H (weighted information + λI + c·11ᵀ) and B
 * (weighted score outer products) as {@link btSandwichFactors} — without forming any m×m matrix: column
 * u_i = (H + c·11ᵀ)⁻¹e_i by Jacobi-preconditioned conjugate gradients on the cells (relative residual
 * {@link SPARSE_SOLVE_TOLERANCE}), and entry (i, j) = u_iᵀ·B·u_j = Σ_cells b_k·(u_i[a] − u_i[b])·(u_j[a] − u_j[b])
 * (B is a weighted Laplacian). Exact up to the solver's tolerance (agreement with the dense factors tested), not a
 * stochastic estimate: a model's variance costs one solve, O(CG iterations · pairs), and the last
 * {@link COLUMN_CACHE} columns are kept (an anchor's column serves every contrast). A whole board's variances go
 * through `contrastVariances` ({@link sparseContrastVariances}: many solves per pass over the cells, the same bits).
 * O(pairs + m) memory.
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
  const data: SparseSandwichData = { m, i: cells.i, j: cells.j, w, prior, mi: pc.i, mj: pc.j, meat };
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
  return {
    n: m,
    data,
    entry: (i, j) => meatForm(data, column(i), column(j)),
    contrastVariances: (ids, ref) => sparseContrastVariances(data, sys, ids, ref),
    matrix() {
      if (m > SPARSE_FULL_COVARIANCE_LIMIT) {
        throw fullCovarianceRefusal(m);
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
