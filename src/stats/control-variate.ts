import { sigmoid } from '../rating/predict.js';
import { pointsPerLogit } from '../rating/scale.js';
import type { BootstrapDistribution } from './bootstrap.js';
import { type BootstrapJob, type BtBootstrapJob, btJobCells, jobHasControl } from './bootstrap-rounds.js';
import { centredInformation } from '../rating/bt-refit.js';
import { type PercentileIntervals, quantileSorted } from './interval.js';
import { choleskyInPlace, choleskyInverse } from '../math/linalg.js';
import { normalCdf } from '../math/normal.js';
import { type Linearisation, styleLinearisation, tieLinearisation } from './linearisation.js';

/**
 * The linearised bootstrap, whose law is known in closed form.
 *
 * A bootstrap round draws cell counts n* ~ Multinomial(N, n/N) over cells c and refits. Its first chord iterate
 * from the full-data fit x̂ (the one-step estimate, see `./linearisation`) is linear in n*:
 *
 *   L* = f·θ̂ + offset − f·[H⁻¹Λx̂]_θ + Σ_c n*_c·b_c,   b_c = f·[H⁻¹s_c]_θ,
 *
 * with f = scale/ln(base), s_c the score of one battle of cell c at x̂, Λ the ridge priors and H the full-data
 * information (inverted on the centred subspace of the strengths). Any contrast w·L* is thus a sum of N
 * independent draws of the discrete variable B = w·b_c (probability n_c/N), so its cumulants are exact:
 * κ_r(w·L*) = N·κ_r(B). Two forms:
 * - `pairs` (Bradley–Terry): cells c = (pair k, outcome o), b_c = f·(y_o − p_k)·H⁻¹(e_i − e_j) with y_o = 1, ½ (a
 *   tie under `half`; ignored ties have b_c = 0) or 0, p_k = σ(θ̂_i − θ̂_j). B factors into a per-pair and a
 *   per-cell part, so per-pair power sums suffice. O(m²) memory.
 * - `cells` (tie models: pair × outcome cells with the extra parameter η; style control: battle rows with the
 *   style coefficients β, and η under a tie model): B = f·(ℓ_d·(u_a − u_b + u_β·x_c) + ℓ_η·u_η) for u = H⁻¹w
 *   does not factor, so each contrast takes one pass over the cells. O(n² + cells) memory.
 * This object holds what those cumulants need.
 */
export type LinearBootstrapModel = PairLinearModel | CellLinearModel;

/** What both forms of {@link LinearBootstrapModel} hold. */
interface LinearModelBase {
  readonly m: number;
  /** Display points per natural unit, f. */
  readonly f: number;
  /** N, the battles drawn per round. */
  readonly battles: number;
  /** Parameters of the linearisation: the m strengths first, then the extra parameters (β, η); n = m for BT. */
  readonly n: number;
  /** (H + c·vvᵀ)⁻¹, n × n, natural scale (equals H⁺ on vectors whose strengths sum to 0). */
  readonly hinv: Float64Array;
  /** The constant part of L* per model: f·θ̂ + offset − f·[H⁻¹Λx̂]_θ (display scale). */
  readonly c0: Float64Array;
}

/** The Bradley–Terry form of {@link LinearBootstrapModel}: per-pair power sums. */
export interface PairLinearModel extends LinearModelBase {
  readonly kind: 'pairs';
  readonly i: Int32Array;
  readonly j: Int32Array;
  /**
   * Per pair k, the power sums P_s = Σ_o n_ko·(y_o − p_k)^s for s = 1…4 over its three cells (wins of i, ties, wins
   * of j; ignored ties contribute 0), at `4k + s − 1`. A cell's b_c is d_k·(y_o − p_k) with d_k = f·(u_i − u_j) for
   * the contrast's u = H⁻¹w, so Σ_c n_c·b_c^s = Σ_k d_k^s·P_s: one pass over pairs per contrast.
   */
  readonly power: Float64Array;
}

/** The general form of {@link LinearBootstrapModel} (tie models, style control): the cells' scores themselves. */
export interface CellLinearModel extends LinearModelBase {
  readonly kind: 'cells';
  readonly cells: Linearisation;
}

/** Mean and standardised cumulants of a contrast of the linearised bootstrap (see {@link contrastLaw}). */
export interface ContrastLaw {
  readonly mean: number;
  readonly sd: number;
  /** Skewness κ₃/κ₂^{3/2}. */
  readonly skewness: number;
  /** Excess kurtosis κ₄/κ₂². */
  readonly kurtosis: number;
  /**
   * Effective number of draws κ₂²/M₄ (M₄ = N·E(B − μ)⁴): N when every draw moves the contrast alike, about the
   * number of battles of a model for its rating. At most N; small means a lumpy (lattice-like) law.
   */
  readonly effectiveDraws: number;
}

/**
 * Prepares the {@link LinearBootstrapModel} of a bootstrap job (the same x̂, priors and H as the rounds' control
 * variates): the `pairs` form for Bradley–Terry, the `cells` form for tie models and style control; null for online
 * Elo (no likelihood), for a sparse Bradley–Terry or tie-model job beyond `SPARSE_CONTROL_MAX_MODELS` (its dense H⁻¹ is not formed) or when the information matrix cannot be factored (a degenerate full-data fit).
 * O(pairs + m³) for BT and tie models; O(rows·k² + n³) for style control.
 */
export function linearBootstrapModel(job: BootstrapJob): LinearBootstrapModel | null {
  switch (job.kind) {
    case 'bt':
      return jobHasControl(job) ? pairLinearModel(job) : null;
    case 'tie':
      return jobHasControl(job) ? cellLinearModel(tieLinearisation(job), pointsPerLogit(job), job.offset) : null;
    case 'style':
      return cellLinearModel(styleLinearisation(job), pointsPerLogit(job), job.offset);
    case 'elo':
      return null;
  }
}

/** The `pairs` form of a Bradley–Terry job. O(pairs + m³). */
function pairLinearModel(job: BtBootstrapJob): PairLinearModel | null {
  const m = job.models;
  const pairs = job.i.length;
  const f = pointsPerLogit(job);
  const half = job.ties === 'half';
  const h = centredInformation(btJobCells(job, job.counts), job.theta, job.prior);
  if (!choleskyInPlace(h, m)) return null;
  const hinv = choleskyInverse(h, m);
  const c0 = new Float64Array(m);
  for (let v = 0; v < m; v++) {
    let shift = 0;
    if (job.prior) for (let u = 0; u < m; u++) shift += hinv[v * m + u]! * job.prior * job.theta[u]!;
    c0[v] = f * (job.theta[v]! - shift) + job.offset;
  }
  const power = new Float64Array(4 * pairs);
  const addCell = (k: number, n: number, y: number) => {
    const y2 = y * y;
    power[4 * k]! += n * y;
    power[4 * k + 1]! += n * y2;
    power[4 * k + 2]! += n * y2 * y;
    power[4 * k + 3]! += n * y2 * y2;
  };
  // a battle of weight ω in a cell scores ω·(y − p): weighted data scales each cell's y − p by its weight
  const wt = job.weights;
  for (let k = 0; k < pairs; k++) {
    const pk = sigmoid(job.theta[job.i[k]!]! - job.theta[job.j[k]!]!);
    addCell(k, job.counts[3 * k]!, (wt ? wt[3 * k]! : 1) * (1 - pk));
    if (half) addCell(k, job.counts[3 * k + 1]!, (wt ? wt[3 * k + 1]! : 1) * (0.5 - pk));
    addCell(k, job.counts[3 * k + 2]!, (wt ? wt[3 * k + 2]! : 1) * -pk);
  }
  return { kind: 'pairs', m, n: m, f, i: job.i, j: job.j, battles: job.battles, power, hinv, c0 };
}

/**
 * The `cells` form of a {@link Linearisation} (display scale f·θ + offset), or null when its information matrix
 * could not be factored. O(n³ + n·m).
 */
export function cellLinearModel(lin: Linearisation, f: number, offset: number): CellLinearModel | null {
  if (!lin.factor) return null;
  const { m, n } = lin;
  const hinv = choleskyInverse(lin.factor, n);
  const c0 = new Float64Array(m);
  for (let v = 0; v < m; v++) {
    let shift = 0;
    for (let q = 0; q < n; q++) shift += hinv[v * n + q]! * lin.priorGrad[q]!;
    c0[v] = f * (lin.xhat[v]! - shift) + offset;
  }
  return { kind: 'cells', m, n, f, battles: lin.battles, hinv, c0, cells: lin };
}

/**
 * The law of the contrast w·L* of the linearised bootstrap ({@link LinearBootstrapModel}): its mean and its exact
 * second to fourth cumulants (as sd, skewness and excess kurtosis). For model v's rating, w = e_v (or use
 * {@link modelLaws} for all of them at once); for the gap between a and b, w = e_a − e_b. O(m·n + pairs) for BT, O(m·n + cells·(1 + k)) for the `cells` form (k style coefficients).
 */
export function contrastLaw(lin: LinearBootstrapModel, w: ArrayLike<number>): ContrastLaw {
  if (lin.kind === 'cells') return cellContrastLaw(lin, w);
  const { m, f, i, j, power, hinv } = lin;
  const u = new Float64Array(m);
  let mean = 0;
  for (let v = 0; v < m; v++) {
    const wv = w[v]!;
    if (wv === 0) continue;
    mean += wv * lin.c0[v]!;
    for (let x = 0; x < m; x++) u[x]! += wv * hinv[v * m + x]!;
  }
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  let r4 = 0;
  for (let k = 0; k < i.length; k++) {
    const d = f * (u[i[k]!]! - u[j[k]!]!);
    const d2 = d * d;
    r1 += d * power[4 * k]!;
    r2 += d2 * power[4 * k + 1]!;
    r3 += d2 * d * power[4 * k + 2]!;
    r4 += d2 * d2 * power[4 * k + 3]!;
  }
  return lawOfSums(mean, lin.battles, r1, r2, r3, r4);
}

/**
 * The laws of every model's rating under the linearised bootstrap ({@link contrastLaw} with w = e_v for each v),
 * in one pass over the pairs: O(m² + pairs·m) for BT (about 0.1 s at 339 models and 57k pairs); in one pass over
 * the cells for the `cells` form, O(m·n + cells·m·(1 + k)) (k style coefficients). With `ref` ≥ 0 (an
 * anchor, FastChat's way: every round shifted so that model `ref` sits at `target`), the laws of e_v − e_ref plus
 * `target` instead; model `ref` then has a point law (sd 0).
 */
export function modelLaws(lin: LinearBootstrapModel, ref = -1, target = 0): ContrastLaw[] {
  if (lin.kind === 'cells') return cellModelLaws(lin, ref, target);
  const { m, f, i, j, power, hinv } = lin;
  const r1 = new Float64Array(m);
  const r2 = new Float64Array(m);
  const r3 = new Float64Array(m);
  const r4 = new Float64Array(m);
  for (let k = 0; k < i.length; k++) {
    const ri = i[k]! * m;
    const rj = j[k]! * m;
    const p1 = f * power[4 * k]!;
    const p2 = f * f * power[4 * k + 1]!;
    const p3 = f * f * f * power[4 * k + 2]!;
    const p4 = f * f * f * f * power[4 * k + 3]!;
    // H⁻¹ is symmetric: column v of rows i and j, read along the rows; anchored, the contrast is e_v − e_ref
    const dref = ref >= 0 ? hinv[ri + ref]! - hinv[rj + ref]! : 0;
    for (let v = 0; v < m; v++) {
      const d = hinv[ri + v]! - hinv[rj + v]! - dref;
      const d2 = d * d;
      r1[v]! += d * p1;
      r2[v]! += d2 * p2;
      r3[v]! += d2 * d * p3;
      r4[v]! += d2 * d2 * p4;
    }
  }
  const c0 = (v: number) => (ref >= 0 ? lin.c0[v]! - lin.c0[ref]! + target : lin.c0[v]!);
  return Array.from({ length: m }, (_, v) => lawOfSums(c0(v), lin.battles, r1[v]!, r2[v]!, r3[v]!, r4[v]!));
}

/** {@link contrastLaw} for the `cells` form: u = H⁻¹w, then one pass over the cells. */
function cellContrastLaw(lin: CellLinearModel, w: ArrayLike<number>): ContrastLaw {
  const { m, n, f, hinv } = lin;
  const { cells, a, b, count, ld, le, x, stride, columns, features: kk } = lin.cells;
  const u = new Float64Array(n);
  let mean = 0;
  for (let v = 0; v < m; v++) {
    const wv = w[v]!;
    if (wv === 0) continue;
    mean += wv * lin.c0[v]!;
    for (let q = 0; q < n; q++) u[q]! += wv * hinv[v * n + q]!;
  }
  const ue = le ? u[n - 1]! : 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  let r4 = 0;
  for (let c = 0; c < cells; c++) {
    const cnt = count[c]!;
    if (!cnt) continue;
    let d = u[a[c]!]! - u[b[c]!]!;
    for (let s = 0; s < kk; s++) d += u[m + s]! * x![c * stride + columns[s]!]!;
    const y = f * (ld[c]! * d + (le ? le[c]! * ue : 0));
    const y2 = y * y;
    r1 += cnt * y;
    r2 += cnt * y2;
    r3 += cnt * y2 * y;
    r4 += cnt * y2 * y2;
  }
  return lawOfSums(mean, lin.battles, r1, r2, r3, r4);
}

/**
 * {@link modelLaws} for the `cells` form: per cell, B for every model v is f·(ℓ_d·(H⁻¹[a,v] − H⁻¹[b,v] +
 * Σ_s x_s·H⁻¹[m+s,v]) + ℓ_η·H⁻¹[η,v]) (H⁻¹ symmetric, read along rows), less the anchor's B when anchored.
 */
function cellModelLaws(lin: CellLinearModel, ref: number, target: number): ContrastLaw[] {
  const { m, n, f, hinv } = lin;
  const { cells, a, b, count, ld, le, x, stride, columns, features: kk } = lin.cells;
  const r1 = new Float64Array(m);
  const r2 = new Float64Array(m);
  const r3 = new Float64Array(m);
  const r4 = new Float64Array(m);
  const re = (n - 1) * n;
  const style = new Float64Array(m);
  const xr = new Float64Array(kk);
  for (let c = 0; c < cells; c++) {
    const cnt = count[c]!;
    if (!cnt) continue;
    const ra = a[c]! * n;
    const rb = b[c]! * n;
    const fd = f * ld[c]!;
    const fe = le ? f * le[c]! : 0;
    if (kk) {
      for (let s = 0; s < kk; s++) xr[s] = x![c * stride + columns[s]!]!;
      for (let v = 0; v < m; v++) {
        let z = 0;
        for (let s = 0; s < kk; s++) z += xr[s]! * hinv[(m + s) * n + v]!;
        style[v] = z;
      }
    }
    const at = (v: number) => fd * (hinv[ra + v]! - hinv[rb + v]! + style[v]!) + (le ? fe * hinv[re + v]! : 0);
    const bref = ref >= 0 ? at(ref) : 0;
    for (let v = 0; v < m; v++) {
      const y = fd * (hinv[ra + v]! - hinv[rb + v]! + style[v]!) + (le ? fe * hinv[re + v]! : 0) - bref;
      const y2 = y * y;
      r1[v]! += cnt * y;
      r2[v]! += cnt * y2;
      r3[v]! += cnt * y2 * y;
      r4[v]! += cnt * y2 * y2;
    }
  }
  const c0 = (v: number) => (ref >= 0 ? lin.c0[v]! - lin.c0[ref]! + target : lin.c0[v]!);
  return Array.from({ length: m }, (_, v) => lawOfSums(c0(v), lin.battles, r1[v]!, r2[v]!, r3[v]!, r4[v]!));
}

/**
 * Mean and cumulants of X = Σ_c n*_c·b_c, n* ~ Multinomial(N, n/N), from the raw sums R_s = Σ_c n_c·b_c^s: with
 * μ = R₁/N, the central sums are M₂ = R₂ − Nμ², M₃ = R₃ − 3μR₂ + 2Nμ³, M₄ = R₄ − 4μR₃ + 6μ²R₂ − 3Nμ⁴, and
 * κ₂ = M₂, κ₃ = M₃, κ₄ = M₄ − 3M₂²/N (N times the cumulants of one draw). μ is ~0 (the score vanishes at the fit;
 * only a prior leaves a small offset), so raw sums lose no precision. `constant` is added to the mean.
 */
function lawOfSums(constant: number, N: number, r1: number, r2: number, r3: number, r4: number): ContrastLaw {
  const mu = r1 / N;
  const k2 = r2 - N * mu * mu;
  const k3 = r3 - 3 * mu * r2 + 2 * N * mu * mu * mu;
  const m4 = r4 - 4 * mu * r3 + 6 * mu * mu * r2 - 3 * N * mu * mu * mu * mu;
  const k4 = m4 - (3 * k2 * k2) / N;
  const sd = Math.sqrt(Math.max(0, k2));
  return {
    mean: constant + r1,
    sd,
    skewness: k2 > 0 ? k3 / (k2 * sd) : 0,
    kurtosis: k2 > 0 ? k4 / (k2 * k2) : 0,
    effectiveDraws: m4 > 0 ? (k2 * k2) / m4 : 0,
  };
}

/**
 * Edgeworth approximation (to order 1/N) of the CDF of a standardised sum with skewness γ₁ and excess kurtosis
 * γ₂: Φ(z) − φ(z)·[γ₁/6·He₂(z) + γ₂/24·He₃(z) + γ₁²/72·He₅(z)], He the probabilists' Hermite polynomials.
 * O(1). Reference: Hall (1992), "The Bootstrap and Edgeworth Expansion", §2.2.
 */
export function edgeworthCdf(z: number, skewness: number, kurtosis: number): number {
  const z2 = z * z;
  const he2 = z2 - 1;
  const he3 = z * (z2 - 3);
  const he5 = z * (z2 * z2 - 10 * z2 + 15);
  const phi = Math.exp(-0.5 * z2) / Math.sqrt(2 * Math.PI);
  return normalCdf(z) - phi * ((skewness / 6) * he2 + (kurtosis / 24) * he3 + ((skewness * skewness) / 72) * he5);
}

/** The Edgeworth density divided by φ(z): 1 + γ₁/6·He₃ + γ₂/24·He₄ + γ₁²/72·He₆ (positive where the CDF increases). */
function edgeworthDensityRatio(z: number, skewness: number, kurtosis: number): number {
  const z2 = z * z;
  const he3 = z * (z2 - 3);
  const he4 = z2 * z2 - 6 * z2 + 3;
  const he6 = z2 * z2 * z2 - 15 * z2 * z2 + 45 * z2 - 15;
  return 1 + (skewness / 6) * he3 + (kurtosis / 24) * he4 + ((skewness * skewness) / 72) * he6;
}

/**
 * Largest |skewness| and |excess kurtosis| of the linearised law for which {@link controlQuantiles} uses it: the
 * Edgeworth terms left out are then O(γ³) ≈ 1e−2·φ(z), well below the Monte-Carlo error they replace.
 */
export const CONTROL_MAX_CUMULANT = 0.2;

/**
 * Fewest effective draws ({@link ContrastLaw.effectiveDraws}) for which {@link controlQuantiles} uses the smooth
 * Edgeworth law. A sum of n lattice draws has atoms of about φ(z)/√n near the 2.5% tail; with n ≥ 400 replacing
 * them by a smooth law shifts a bound by at most ~0.03·σ in the worst (lattice) case — a third of the
 * Monte-Carlo error of plain quantiles at 1,000 rounds (0.085·σ), and far less for real data, whose many opponents
 * make the law non-lattice. Thinner contrasts (models with a few hundred battles or fewer) use plain quantiles.
 */
export const CONTROL_MIN_DRAWS = 400;

/** The standardised range always covered by the grid of {@link controlQuantiles} (whatever the level). */
const GRID_Z = 6;

/** Default smoothing of {@link controlQuantiles}: the bandwidth is this many standard deviations of T − L. */
export const CONTROL_BANDWIDTH = 4;

/**
 * Bootstrap quantiles with the linearised bootstrap as a control variate (Efron 1990; Davison & Hinkley 1997,
 * §9.3): the bootstrap CDF of T is estimated as
 *
 *   Ĝ(t) = G_L(t) + (1/R)·Σ_r [K((t − T_r)/h) − K((t − L_r)/h)],
 *
 * where L_r is round r's control variate (computed from the same resample), G_L its law (Edgeworth, from the exact
 * cumulants of {@link contrastLaw}) and K = Φ a smoothing kernel of bandwidth h (h = 0: indicators 1(x ≤ t)).
 * With h = 0, Ĝ is an unbiased estimate of the same bootstrap CDF as the plain empirical one; its Monte-Carlo error
 * comes only from the rounds where T and L fall on different sides of t — few, since the Bradley–Terry refit is
 * nearly linear at LMArena sizes. Smoothing the correction term (not T itself) cuts that error further at a bias
 * of h²/2·(F_T − F_L)″, second order in the already small difference F_T − F_L: with h = 4·sd(T − L) (capped at
 * sd(L)/4) the bias is below a hundredth of a rating point on LMArena data, while the error falls about threefold.
 * The quantile at probability q is the first crossing inf{t : Ĝ(t) ≥ q}, found on a grid of step sd(L)/10 and
 * refined by bisection.
 *
 * Returns null — the caller then uses plain percentiles — when the law is not usable: zero or non-finite spread,
 * |skewness| or |excess kurtosis| above {@link CONTROL_MAX_CUMULANT}, fewer than {@link CONTROL_MIN_DRAWS}
 * effective draws, a non-finite T or L, or an Edgeworth density that is not positive over the grid (±6 sd and
 * every round). None of these depends on `probs`.
 *
 * O(R log R + grid · rounds within 8h of a grid point) per call.
 *
 * @param t the rounds' statistic (any order; not modified)
 * @param l the rounds' control variates, aligned with `t`
 * @param law the exact law of the control variate
 * @param probs probabilities in (0, 1)
 * @param bandwidth h as a multiple of sd(T − L) (default {@link CONTROL_BANDWIDTH}; 0 = unsmoothed)
 */
export function controlQuantiles(
  t: ArrayLike<number>,
  l: ArrayLike<number>,
  law: ContrastLaw,
  probs: readonly number[],
  bandwidth = CONTROL_BANDWIDTH,
): number[] | null {
  const R = t.length;
  const { mean, sd, skewness: g1, kurtosis: g2 } = law;
  if (R === 0 || l.length !== R || !(sd > 0) || !Number.isFinite(mean) || !Number.isFinite(sd)) return null;
  if (!(Math.abs(g1) <= CONTROL_MAX_CUMULANT && Math.abs(g2) <= CONTROL_MAX_CUMULANT && law.effectiveDraws >= CONTROL_MIN_DRAWS)) return null;
  let dSum = 0;
  let dSq = 0;
  for (let r = 0; r < R; r++) {
    const d = t[r]! - l[r]!;
    dSum += d;
    dSq += d * d;
  }
  if (!Number.isFinite(dSq)) return null;
  const dSd = Math.sqrt(Math.max(0, dSq / R - (dSum / R) ** 2));
  const h = Math.min(bandwidth * dSd, sd / 4);
  const ts = Float64Array.from(t).sort();
  const ls = Float64Array.from(l).sort();
  // the standardised range where Ĝ is evaluated: ±GRID_Z and every round, plus the kernel's reach; it does not
  // depend on `probs`, so the grid — hence the estimator's choice and its answers — is the same at every level
  if (!Number.isFinite(ts[0]!) || !Number.isFinite(ts[R - 1]!) || !Number.isFinite(ls[0]!) || !Number.isFinite(ls[R - 1]!)) return null;
  const zLo = Math.min(-GRID_Z, (ts[0]! - mean) / sd, (ls[0]! - mean) / sd) - (WINDOW * h) / sd;
  const zHi = Math.max(GRID_Z, (ts[R - 1]! - mean) / sd, (ls[R - 1]! - mean) / sd) + (WINDOW * h) / sd;
  for (let z = zLo; z < zHi; z += 0.02) if (!(edgeworthDensityRatio(z, g1, g2) > 0)) return null;
  if (!(edgeworthDensityRatio(zHi, g1, g2) > 0)) return null;
  const G = (x: number) => edgeworthCdf((x - mean) / sd, g1, g2) + (smoothCount(ts, x, h) - smoothCount(ls, x, h)) / R;
  const step = sd / 10;
  const cells = Math.ceil(((zHi - zLo) * sd) / step);
  const grid = new Float64Array(cells + 1);
  for (let c = 0; c <= cells; c++) grid[c] = G(mean + zLo * sd + c * step);
  const out: number[] = [];
  for (const q of probs) {
    let c = 0;
    while (c <= cells && grid[c]! < q) c++;
    if (c === 0) out.push(mean + zLo * sd);
    else if (c > cells) out.push(mean + zHi * sd);
    else {
      // Ĝ(lo) < q ≤ Ĝ(hi): bisect to the last bit
      let lo = mean + zLo * sd + (c - 1) * step;
      let hi = mean + zLo * sd + c * step;
      for (let it = 0; it < 200; it++) {
        const mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        if (G(mid) < q) lo = mid;
        else hi = mid;
      }
      out.push(hi);
    }
  }
  return out;
}

/**
 * Σ_r K((x − s_r)/h) over sorted s, K = Φ (h > 0) or the indicator 1(s_r ≤ x) (h = 0). Terms more than
 * {@link WINDOW}·h away are within 1e−9 of 0 or 1 and are counted, not evaluated. O(log R + terms within the window).
 */
function smoothCount(sorted: Float64Array, x: number, h: number): number {
  if (h === 0) return upperBound(sorted, x);
  const a = upperBound(sorted, x - WINDOW * h);
  const b = upperBound(sorted, x + WINDOW * h);
  let s = a;
  for (let r = a; r < b; r++) s += normalCdf((x - sorted[r]!) / h);
  return s;
}

/** Kernel terms beyond this many bandwidths are taken as 0 or 1 (Φ(−6) ≈ 1e−9). */
const WINDOW = 6;

/** Number of values ≤ x in ascending `sorted`. O(log n). */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** {@link PercentileIntervals} plus how many models used the control-variate estimate. */
export interface ControlIntervals extends PercentileIntervals {
  /** Models whose bounds came from {@link controlQuantiles} (the others: plain type-7 percentiles). */
  readonly controlled: number;
}

/**
 * Bootstrap percentile intervals at level L estimated with the control variate ({@link controlQuantiles}) for
 * every model whose linearised law is usable, plain type-7 percentiles otherwise; then widened to hold the point
 * rating, as {@link percentileIntervals} does. Hence lower ≤ rating ≤ upper, and a higher level never gives a
 * narrower interval (each model's choice of estimator does not depend on the level).
 *
 * O(m·(m + pairs + R log R)).
 *
 * @param dist bootstrap ratings with their control variates (`dist.control`)
 * @param lin the linearised law of the same job
 * @param ratings point ratings (display scale)
 * @param level coverage level in (0, 1)
 * @param anchor when given, the rounds were anchored (each shifted so that model `ref` is at `rating`): the laws are those of the anchored contrasts (see {@link modelLaws})
 */
export function controlIntervals(
  dist: BootstrapDistribution,
  lin: LinearBootstrapModel,
  ratings: ArrayLike<number>,
  level: number,
  bandwidth = CONTROL_BANDWIDTH,
  anchor: { readonly ref: number; readonly rating: number } | null = null,
): ControlIntervals {
  if (!(level > 0 && level < 1)) throw new RangeError(`controlIntervals requires a level in (0, 1), got ${level}`);
  const { rounds: R, models: m } = dist;
  if (!dist.control || lin.m !== m) throw new RangeError('controlIntervals requires a bootstrap with control variates (Bradley–Terry, tie models, style control) and the linearised law of the same job');
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const widened: number[] = [];
  let controlled = 0;
  const tc = new Float64Array(R);
  const lc = new Float64Array(R);
  const laws = anchor ? modelLaws(lin, anchor.ref, anchor.rating) : modelLaws(lin);
  const probs = [(1 - level) / 2, (1 + level) / 2];
  for (let v = 0; v < m; v++) {
    for (let r = 0; r < R; r++) {
      tc[r] = dist.ratings[r * m + v]!;
      lc[r] = dist.control[r * m + v]!;
    }
    let q = controlQuantiles(tc, lc, laws[v]!, probs, bandwidth);
    if (q) controlled++;
    else {
      tc.sort();
      q = [quantileSorted(tc, probs[0]!), quantileSorted(tc, probs[1]!)];
    }
    const x = ratings[v]!;
    if (q[0]! > x || q[1]! < x) widened.push(v);
    lower[v] = Math.min(q[0]!, x);
    upper[v] = Math.max(q[1]!, x);
  }
  return { lower, upper, widened, controlled };
}
