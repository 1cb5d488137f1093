/**
 * The sparse path of the tie models (Davidson, Rao–Kupper): Newton on (θ, η) and the sandwich over (θ, η) without
 * any m×m matrix. Each pair's log-likelihood depends on θ only through d = θi − θj, so the negative Hessian is
 *
 *     H = [ A   b ]     A = L(h_dd) + λI + c·11ᵀ   (a weighted graph Laplacian, the ridge, the centring term)
 *         [ bᵀ  s ]     b = Σ_k h_dη,k·(e_i − e_j),  s = Σ_k h_ηη,k
 *
 * (per-pair h_dd = −∂²ℓ/∂d² ≥ 0, h_dη = −∂²ℓ/∂d∂η, h_ηη = −∂²ℓ/∂η²), and a system H·(x, y) = (r, ρ) is solved by the
 * Schur complement on η: v = A⁻¹b (one conjugate-gradient solve, reused), S = s − bᵀv, x₀ = A⁻¹r,
 * y = (ρ − bᵀx₀)/S, x = x₀ − y·v. A is the Bradley–Terry sparse path's system (`../math/sparse`), solved by
 * Jacobi-preconditioned conjugate gradients on the cells. Memory O(pairs + m).
 */
import { cgWork, type CgWork, conjugateGradient, type LaplacianSystem, laplacianSystem, refreshLaplacian } from '../math/sparse.js';
import { fitBradleyTerrySparse, SPARSE_MAX_CG, SPARSE_NEWTON_LOOSE_TOLERANCE, SPARSE_SOLVE_TOLERANCE } from './bt-sparse.js';
import { centreFirst } from './newton.js';
import { pointsPerLogit } from './scale.js';
import { fullCovarianceRefusal, SPARSE_FULL_COVARIANCE_LIMIT, type SparseSandwich } from './sandwich.js';
import {
  DEFAULT_TIE_FIT,
  initialEta,
  noTiesFit,
  noTiesProblem,
  pairOutcomeSums,
  type OutcomeModel,
  type TieCells,
  type TieFit,
  type TieFitOptions,
  tieLogLikelihood,
  type TieModel,
  tieParameter,
  tieTotals,
  outcomeTerms,
} from './tie-models.js';

/**
 * A tie model's sandwich on the sparse path: entries by bordered solves, the whole matrix on request (as
 * Bradley–Terry's {@link SparseSandwich}, without its block solves for a whole board).
 */
export type TieSparseSandwich = Pick<SparseSandwich, 'n' | 'entry' | 'matrix' | 'iterations'>;

/** Newton steps after one larger than this (natural units) are solved loosely (as `fitBradleyTerrySparse`). */
const LOOSE_STEP = 0.01;

/**
 * The bordered system of one point (θ, η): the Laplacian part A (weights h_dd per cell in `sys.w`), the border b
 * (length m) and the corner s.
 */
interface Bordered {
  readonly sys: LaplacianSystem;
  readonly b: Float64Array;
  s: number;
}

/**
 * Accumulates, at x = (θ₁…θ_m, η), the gradient of the log-likelihood into `g` (length m + 1, zeroed here) and the
 * per-cell information weights h_dd into `h.sys.w`, the border b and the corner s into `h` (then the system's
 * diagonal and centring term are refreshed with the ridge `prior`, and the prior's gradient −λθ added). Each pair's
 * terms come from `pairOutcomeSums`, as in the dense path's `accumulateCells`. Returns ℓ (−∞ where infeasible).
 * O(pairs + m).
 */
function tieSparseDerivatives(model: OutcomeModel, c: TieCells, x: Float64Array, prior: number, g: Float64Array, h: Bordered): number {
  const m = c.m;
  const eta = x[m]!;
  const acc = new Float64Array(6);
  g.fill(0);
  h.b.fill(0);
  const w = h.sys.w;
  let s = 0;
  let ge = 0;
  let ll = 0;
  for (let k = 0; k < c.pairs; k++) {
    const i = c.i[k]!;
    const j = c.j[k]!;
    const d = x[i]! - x[j]!;
    acc[0] = ll;
    pairOutcomeSums(model, c, k, d, eta, acc);
    ll = acc[0]!;
    const gd = acc[1]!;
    const hdd = acc[3]!;
    const hde = acc[4]!;
    ge += acc[2]!;
    s += acc[5]!;
    g[i]! += gd;
    g[j]! -= gd;
    w[k] = hdd;
    h.b[i]! += hde;
    h.b[j]! -= hde;
  }
  g[m] = ge;
  h.s = s;
  if (prior) for (let v = 0; v < m; v++) g[v]! -= prior * x[v]!;
  refreshLaplacian(h.sys, prior);
  return ll;
}

/** The reusable parts of a bordered solve: v = A⁻¹b and the Schur complement S = s − bᵀv. */
interface BorderedFactor {
  readonly v: Float64Array;
  readonly schur: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * v = A⁻¹b by conjugate gradients (warm-started at `v`'s content) and S = s − bᵀv; not converged when the solve
 * fails or S ≤ 0 (H not positive definite). O(CG iterations · (pairs + m)).
 */
function borderedFactor(h: Bordered, v: Float64Array, tolerance: number, work: CgWork): BorderedFactor {
  const cg = conjugateGradient(h.sys, h.b, v, tolerance, SPARSE_MAX_CG, work);
  let bv = 0;
  for (let q = 0; q < v.length; q++) bv += h.b[q]! * v[q]!;
  const schur = h.s - bv;
  return { v, schur, iterations: cg.iterations, converged: cg.converged && schur > 0 };
}

/**
 * Solves H·(x, y) = (r, ρ) with a {@link BorderedFactor}: x₀ = A⁻¹r (conjugate gradients from zero into the first
 * m entries of `x`),
 * y = (ρ − bᵀx₀)/S, x = x₀ − y·v. Returns y and the CG iterations, or null when the solve did not converge.
 * O(CG iterations · (pairs + m)).
 */
function borderedSolve(h: Bordered, f: BorderedFactor, r: ArrayLike<number>, rho: number, x: Float64Array, tolerance: number, work: CgWork): { y: number; iterations: number } | null {
  x.fill(0);
  const cg = conjugateGradient(h.sys, r, x, tolerance, SPARSE_MAX_CG, work);
  if (!cg.converged) return null;
  const m = h.b.length;
  let bx = 0;
  for (let q = 0; q < m; q++) bx += h.b[q]! * x[q]!;
  const y = (rho - bx) / f.schur;
  for (let q = 0; q < m; q++) x[q]! -= y * f.v[q]!;
  return { y, iterations: cg.iterations };
}

/** A fresh {@link Bordered} over the cells' pairs (weights zero until the first derivatives). */
function bordered(c: TieCells, prior: number): Bordered {
  return { sys: laplacianSystem(c.m, c.i, c.j, new Float64Array(c.pairs), prior), b: new Float64Array(c.m), s: 0 };
}

/** A {@link TieFit} of the sparse path, with the conjugate-gradient iterations it took. */
export interface SparseTieFit extends TieFit {
  /** Conjugate-gradient iterations summed over the Newton steps (two solves a step: A⁻¹b and A⁻¹g_θ). */
  readonly cgIterations: number;
}

/**
 * Maximum likelihood of a tie model (Davidson or Rao–Kupper) on pair cells by the iteration of {@link fitTieModel}
 * (`./tie-models`) — Newton on (θ, η) with Σθ = 0, the ridge λ/2·Σθ², step halving until the objective does not
 * fall, convergence when the accepted step's largest entry (θ and η) is below the tolerance in rating points, the
 * same start (warm θ and η, or 0 and the tie share's η), the same boundary case (no tie: Bradley–Terry on the
 * decided battles, here `fitBradleyTerrySparse`) — whose Newton systems, the Laplacian bordered by η's row and
 * column, are solved by the Schur complement on η with two Jacobi-preconditioned conjugate-gradient solves on the
 * cells (module comment) instead of a dense (m+1)² Cholesky factorisation. Steps after a large one are solved
 * loosely (inexact Newton), the last ones to `SPARSE_SOLVE_TOLERANCE`, so the result equals the dense fit's to
 * 10⁻⁶ rating points (tested). Where the dense path would add a Levenberg ridge to an indefinite Hessian, this one
 * stops unconverged (a failed solve or a Schur complement ≤ 0).
 *
 * Memory O(pairs + m); cost per Newton step O(pairs + CG iterations · (pairs + m)).
 * References: Davidson (1970), JASA 65:317–328; Rao & Kupper (1967), JASA 62:194–204; Saad (2003), "Iterative
 * Methods for Sparse Linear Systems", §9.2; Dembo, Eisenstat & Steihaug (1982), SIAM J. Numer. Anal. 19(2).
 *
 * @throws Error when the cells hold no decided battle
 */
export function fitTieModelSparse(model: TieModel, c: TieCells, opts: Partial<TieFitOptions> = {}): SparseTieFit {
  const o = { ...DEFAULT_TIE_FIT, ...opts };
  const tot = tieTotals(c);
  if (!(tot.decided > 0)) throw new Error(`${model} fit requires at least one decided (non-tie) battle`);
  const m = c.m;
  const tol = o.tolerance / pointsPerLogit(o.scale);
  const share = c.bothBad === 'separate' && tot.ties > 0 ? tot.bothbad / tot.ties : null;
  if (!(tot.ties > 0)) {
    const p = noTiesProblem(c, o);
    const f = fitBradleyTerrySparse(p.cells, p.opts);
    return { ...noTiesFit(model, c, o, share, f), cgIterations: f.cgIterations };
  }
  const n = m + 1;
  const x = new Float64Array(n);
  if (o.init) x.set(o.init.subarray(0, m));
  x[m] = o.initEta !== undefined && Number.isFinite(o.initEta) ? o.initEta : initialEta(model, tot.ties / tot.battles);
  if (model === 'rao-kupper' && !(x[m]! > 0)) x[m] = initialEta(model, tot.ties / tot.battles);
  centreFirst(x, m);
  const penalty = (p: Float64Array) => {
    if (!o.prior) return 0;
    let s = 0;
    for (let v = 0; v < m; v++) s += p[v]! * p[v]!;
    return 0.5 * o.prior * s;
  };
  const value = (p: Float64Array) => tieLogLikelihood(model, c, p, p[m]!) - penalty(p);
  // two sets of derivatives: at x, and at the trial point (swapped in when the full step is accepted)
  let g = new Float64Array(n);
  let gT = new Float64Array(n);
  let h = bordered(c, o.prior);
  let hT = bordered(c, o.prior);
  const work = cgWork(m);
  const v = new Float64Array(m);
  const step = new Float64Array(n);
  const trial = new Float64Array(n);
  let f = tieSparseDerivatives(model, c, x, o.prior, g, h) - penalty(x);
  let have = true;
  let iterations = 0;
  let cgIterations = 0;
  let converged = false;
  let last = Number.POSITIVE_INFINITY;
  if (Number.isFinite(f)) {
    while (iterations < o.maxIterations) {
      iterations++;
      if (!have) f = tieSparseDerivatives(model, c, x, o.prior, g, h) - penalty(x);
      have = false;
      const cgTol = last > LOOSE_STEP ? SPARSE_NEWTON_LOOSE_TOLERANCE : SPARSE_SOLVE_TOLERANCE;
      const bf = borderedFactor(h, v, cgTol, work);
      cgIterations += bf.iterations;
      if (!bf.converged) break;
      const sol = borderedSolve(h, bf, g, g[m]!, step, cgTol, work);
      if (!sol) break;
      cgIterations += sol.iterations;
      step[m] = sol.y;
      let stepMax = 0;
      for (let q = 0; q < n; q++) stepMax = Math.max(stepMax, Math.abs(step[q]!));
      let t = 1;
      let fNew = Number.NEGATIVE_INFINITY;
      const floor = f - 1e-12 * Math.abs(f);
      for (let halvings = 0; halvings < 60; halvings++) {
        for (let q = 0; q < n; q++) trial[q] = x[q]! + t * step[q]!;
        if (halvings === 0 && iterations < o.maxIterations) {
          fNew = tieSparseDerivatives(model, c, trial, o.prior, gT, hT) - penalty(trial);
          have = fNew >= floor;
        } else fNew = value(trial);
        if (fNew >= floor) break;
        t *= 0.5;
      }
      if (!(fNew >= floor)) {
        if (stepMax < tol) converged = true;
        break;
      }
      x.set(trial);
      if (have) {
        [g, gT] = [gT, g];
        [h, hT] = [hT, h];
      }
      centreFirst(x, m);
      f = fNew;
      last = t * stepMax;
      if (last < tol) {
        converged = true;
        break;
      }
    }
  }
  const theta = x.slice(0, m);
  const eta = x[m]!;
  const ll = o.logLikelihood === false ? Number.NaN : tieLogLikelihood(model, c, theta, eta, share);
  let shareLl = 0;
  if (share !== null) {
    for (let k = 0; k < c.pairs; k++) {
      const bb = c.bb[k]!;
      const rest = c.t[k]! - bb;
      if (bb) shareLl += bb * Math.log(share);
      if (rest) shareLl += rest * Math.log(1 - share);
    }
  }
  return { model, theta, eta, tie: tieParameter(eta), bothbadShare: share, iterations, converged, logLikelihood: ll, objective: value(x) + shareLl, battles: tot.battles, prior: o.prior, cgIterations };
}

/**
 * Huber–White sandwich H⁻¹·B·H⁻¹ over (θ₁…θ_m, η) of a tie model — the same H (information of the cells `c` plus
 * the ridge λ on θ plus c·vvᵀ on the strength block) and B (Σ over battles of the score outer product
 * s·sᵀ, s = (∂ℓ/∂d·(e_i − e_j), ∂ℓ/∂η), counts from `meat`: Σw² per cell on weighted data) as
 * `tieSandwichCovariance` (`./tie-models`) — without an m×m matrix. Column u_p = H⁻¹e_p is one bordered solve (module
 * comment; v = A⁻¹b computed once), and entry (p, q) = u_pᵀ·B·u_q = Σ_k [B_dd,k·Δ_pΔ_q + B_dη,k·(Δ_p·u_q,η +
 * Δ_q·u_p,η) + B_ηη,k·u_p,η·u_q,η] with Δ = u[i] − u[j] and per-cell meat sums B_dd = Σ_o n·(∂ℓ/∂d)²,
 * B_dη = Σ_o n·∂ℓ/∂d·∂ℓ/∂η, B_ηη = Σ_o n·(∂ℓ/∂η)². With no tie in the data only the θ block (n = m) exists, as on
 * the dense path (the decided battles' Bradley–Terry sandwich). Exact up to the solver's tolerance; a model's
 * variance costs one solve, the last 8 columns are kept. Index m is η.
 *
 * @throws Error when a solve does not converge or the Schur complement is not positive (H not positive definite)
 */
export function tieSparseSandwich(model: TieModel, c: TieCells, theta: ArrayLike<number>, eta: number, prior = 0, meat: TieCells = c): TieSparseSandwich {
  const m = c.m;
  const tot = tieTotals(c);
  const hasEta = tot.ties > 0;
  const useModel: OutcomeModel = hasEta ? model : 'ignore';
  const etaAt = hasEta ? eta : 0;
  const n = hasEta ? m + 1 : m;
  const x = new Float64Array(m + 1);
  for (let q = 0; q < m; q++) x[q] = theta[q]!;
  x[m] = etaAt;
  const h = bordered(c, prior);
  tieSparseDerivatives(useModel, c, x, prior, new Float64Array(m + 1), h);
  if (!hasEta) {
    h.b.fill(0);
    h.s = 1;
  }
  const work = cgWork(m);
  const bf = borderedFactor(h, new Float64Array(m), SPARSE_SOLVE_TOLERANCE, work);
  let iterations = bf.iterations;
  if (!bf.converged) throw new Error('tieSparseSandwich: the information matrix is not positive definite');
  // per-cell meat sums
  const bdd = new Float64Array(meat.pairs);
  const bde = new Float64Array(meat.pairs);
  const bee = new Float64Array(meat.pairs);
  const out = new Float64Array(6);
  for (let k = 0; k < meat.pairs; k++) {
    const d = x[meat.i[k]!]! - x[meat.j[k]!]!;
    for (let o = 0; o < 3; o++) {
      const cnt = o === 0 ? meat.w[k]! : o === 1 ? meat.l[k]! : meat.t[k]!;
      if (!cnt) continue;
      outcomeTerms(useModel, d, etaAt, o, out);
      const sd = out[1]!;
      const se = hasEta ? out[2]! : 0;
      bdd[k]! += cnt * sd * sd;
      bde[k]! += cnt * sd * se;
      bee[k]! += cnt * se * se;
    }
  }
  const cache = new Map<number, { u: Float64Array; y: number }>();
  const rhs = new Float64Array(m);
  const column = (p: number) => {
    const hit = cache.get(p);
    if (hit) {
      cache.delete(p);
      cache.set(p, hit);
      return hit;
    }
    const u = new Float64Array(m);
    let y: number;
    if (p < m) {
      rhs.fill(0);
      rhs[p] = 1;
      const sol = borderedSolve(h, bf, rhs, 0, u, SPARSE_SOLVE_TOLERANCE, work);
      if (!sol) throw new Error('tieSparseSandwich: the information matrix is not positive definite (conjugate gradients did not converge)');
      iterations += sol.iterations;
      y = hasEta ? sol.y : 0;
    } else {
      y = 1 / bf.schur;
      for (let q = 0; q < m; q++) u[q] = -bf.v[q]! * y;
    }
    const col = { u, y };
    if (cache.size >= 8) cache.delete(cache.keys().next().value!);
    cache.set(p, col);
    return col;
  };
  const form = (a: { u: Float64Array; y: number }, b: { u: Float64Array; y: number }) => {
    let s = 0;
    for (let k = 0; k < meat.pairs; k++) {
      const i = meat.i[k]!;
      const j = meat.j[k]!;
      const da = a.u[i]! - a.u[j]!;
      const db = b.u[i]! - b.u[j]!;
      s += bdd[k]! * da * db + bde[k]! * (da * b.y + db * a.y) + bee[k]! * a.y * b.y;
    }
    return s;
  };
  const check = (p: number) => {
    if (!(p >= 0 && p < n)) throw new RangeError(`tieSparseSandwich: index ${p} outside 0…${n - 1}`);
    return p;
  };
  return {
    n,
    entry: (p, q) => form(column(check(p)), column(check(q))),
    matrix() {
      if (m > SPARSE_FULL_COVARIANCE_LIMIT) {
        throw fullCovarianceRefusal(n);
      }
      // column q of H⁻¹·B·H⁻¹ = H⁻¹·(B·u_q): B·u_q from the cells, then one bordered solve
      const cov = new Float64Array(n * n);
      const bu = new Float64Array(m);
      const z = new Float64Array(m);
      for (let q = 0; q < n; q++) {
        const col = column(q);
        bu.fill(0);
        let be = 0;
        for (let k = 0; k < meat.pairs; k++) {
          const i = meat.i[k]!;
          const j = meat.j[k]!;
          const dq = col.u[i]! - col.u[j]!;
          const r = bdd[k]! * dq + bde[k]! * col.y;
          bu[i]! += r;
          bu[j]! -= r;
          be += bde[k]! * dq + bee[k]! * col.y;
        }
        const sol = borderedSolve(h, bf, bu, be, z, SPARSE_SOLVE_TOLERANCE, work);
        if (!sol) throw new Error('tieSparseSandwich: the information matrix is not positive definite (conjugate gradients did not converge)');
        iterations += sol.iterations;
        for (let p = 0; p < m; p++) cov[p * n + q] = z[p]!;
        if (hasEta) cov[m * n + q] = sol.y;
      }
      for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) cov[p * n + q] = cov[q * n + p] = 0.5 * (cov[p * n + q]! + cov[q * n + p]!);
      return cov;
    },
    iterations: () => iterations,
  };
}
