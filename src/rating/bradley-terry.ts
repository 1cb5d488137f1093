import type { PairCounts } from '../data/aggregate.js';
import { choleskyInPlace, choleskySolveInPlace } from '../math/linalg.js';
import { logSigmoid, sigmoid } from './predict.js';
import { DEFAULT_SCALE, pointsPerLogit, type ScaleOptions } from './scale.js';

/** How ties enter a Bradley–Terry fit: `half` (LMArena: half a win to each side, both labels) or `ignore`. */
export type TiePolicy = 'half' | 'ignore';

/**
 * Bradley–Terry data: one cell per pair (i < j) with `n` comparisons of which `s` count for i
 * (wins of i plus half of the ties when ties count half).
 */
export interface BtCells {
  /** Number of models. */
  readonly m: number;
  /** Number of cells. */
  readonly pairs: number;
  /** Lower model id per cell. */
  readonly i: Int32Array;
  /** Higher model id per cell. */
  readonly j: Int32Array;
  /** Score of model i (wins + ½·ties under `half`). */
  readonly s: Float64Array;
  /** Comparisons in the cell. */
  readonly n: Float64Array;
}

/**
 * Turns pair counts into BT cells under a tie policy. With `half`, a tie of either label is half a win for each
 * side (FastChat / arena-rank); with `ignore` ties are dropped.
 */
export function btCells(pc: PairCounts, ties: TiePolicy): BtCells {
  const s = new Float64Array(pc.pairs);
  const n = new Float64Array(pc.pairs);
  for (let k = 0; k < pc.pairs; k++) {
    const t = ties === 'half' ? pc.ties[k]! + pc.bothbad[k]! : 0;
    s[k] = pc.winsI[k]! + 0.5 * t;
    n[k] = pc.winsI[k]! + pc.winsJ[k]! + t;
  }
  return { m: pc.models.length, pairs: pc.pairs, i: pc.i, j: pc.j, s, n };
}

/** Options of {@link fitBradleyTerry}. */
export interface BtFitOptions {
  /**
   * Ridge (Gaussian prior) strength λ on the natural scale: the fit maximises
   * `Σ [s·log σ(θi−θj) + (n−s)·log σ(θj−θi)] − λ/2·Σθ²`. 0 = plain maximum likelihood.
   */
  readonly prior: number;
  /** Convergence: stop when the largest Newton step is below this many rating points. */
  readonly tolerance: number;
  /** Iteration limit. */
  readonly maxIterations: number;
  /** Display scale, used only to express the tolerance in rating points. */
  readonly scale: Pick<ScaleOptions, 'scale' | 'base'>;
  /** Starting strengths (warm start); zeros by default. */
  readonly init?: Float64Array | undefined;
  /**
   * A Cholesky factor of the definite Newton matrix of a nearby fit (its {@link BtFit.factor}, same models in the
   * same order): the fit first takes chord steps with it (O(pairs + m²) each, no factorisation) while they contract
   * by at least half per step, stops when a step is below 10⁻⁴ of the tolerance, and otherwise goes on with
   * Newton from where the chord steps left it. Ignored when its size is not m×m.
   */
  readonly chordFactor?: Float64Array | undefined;
  /**
   * Comparisons (Σn) of the cells `chordFactor` was computed on: the chord steps are scaled by this over the
   * current Σn, since the information grows about in proportion to the battles (without it a factor from a
   * checkpoint with half the battles would overshoot twofold). 0 or absent: no scaling.
   */
  readonly chordComparisons?: number | undefined;
  /**
   * Instead of `chordFactor`: an approximate Newton solver (g ← F⁻¹g in place, F ≈ the definite Newton matrix) for
   * the chord steps, e.g. {@link borderedChordSolver} when models were added to a nearby fit. Unscaled.
   */
  readonly chordSolve?: ((g: Float64Array) => void) | undefined;
  /**
   * Whether to evaluate the log-likelihood (and, after chord steps, the objective) at the estimate [true]: one or
   * two more passes over the cells. false: both are NaN unless the iteration computed the objective anyway (refits
   * that only need the estimate, e.g. a backtest's).
   */
  readonly logLikelihood?: boolean;
}

/** Default fit options: no prior, 1e-6 rating points, 100 iterations. */
export const DEFAULT_BT_FIT: BtFitOptions = Object.freeze({ prior: 0, tolerance: 1e-6, maxIterations: 100, scale: DEFAULT_SCALE });

/** A fitted Bradley–Terry model on the natural (log-odds) scale. */
export interface BtFit {
  /** Strengths θ (natural log-odds), Σθ = 0. */
  readonly theta: Float64Array;
  /** Newton iterations made. */
  readonly iterations: number;
  /** Whether the largest step fell below the tolerance. */
  readonly converged: boolean;
  /** Penalised log-likelihood at θ (natural log, summed over comparisons). */
  readonly objective: number;
  /** Log-likelihood at θ (natural log, summed over comparisons, ties as half under `half`). */
  readonly logLikelihood: number;
  /** Number of comparisons (Σn). */
  readonly comparisons: number;
  /** The prior used. */
  readonly prior: number;
  /**
   * Cholesky factor (lower triangle, m×m row-major) of the definite Newton matrix H + c·11ᵀ at the last Newton
   * iterate (or the chord factor the fit converged with): the `chordFactor` of a later fit on similar data.
   * Absent when the fit stopped without a factorisation.
   */
  readonly factor?: Float64Array;
  /** Comparisons (Σn) of the cells `factor` was computed on (its `chordComparisons` for a later fit). */
  readonly factorComparisons?: number;
  /** Chord steps taken before (or instead of) Newton. */
  readonly chordSteps?: number;
}

/**
 * Log-likelihood Σ s·log σ(θi−θj) + (n−s)·log σ(θj−θi) of strengths θ, computed as Σ n·log σ(d) − (n−s)·d with
 * d = θi − θj (log σ(−d) = log σ(d) − d: one logarithm per cell). O(pairs).
 */
export function btLogLikelihood(cells: BtCells, theta: ArrayLike<number>): number {
  let ll = 0;
  for (let k = 0; k < cells.pairs; k++) {
    const n = cells.n[k]!;
    if (n === 0) continue;
    const d = theta[cells.i[k]!]! - theta[cells.j[k]!]!;
    const s = cells.s[k]!;
    ll += n * logSigmoid(d) - (n - s) * d;
  }
  return ll;
}

/** The penalised log-likelihood Σ log-likelihood − λ/2·Σθ² at θ (natural log). O(pairs + m). */
export function btObjective(cells: BtCells, theta: Float64Array, prior: number): number {
  let pen = 0;
  if (prior) for (let v = 0; v < theta.length; v++) pen += theta[v]! * theta[v]!;
  return btLogLikelihood(cells, theta) - 0.5 * prior * pen;
}
const objective = btObjective;

/**
 * The step-halving line search of a Bradley–Terry Newton iteration (dense or sparse): tries θ + t·δ for t = 1, ½, …
 * (at most 40 halvings) until the penalised objective does not fall below f (up to 10⁻¹² relative), then moves θ
 * there and re-centres it. Returns the accepted objective and the largest accepted step t·max|δ|, or null when no
 * trial was accepted (θ unchanged). O(halvings · (pairs + m)).
 *
 * @param trial work array of length m
 */
export function btLineSearch(cells: BtCells, prior: number, theta: Float64Array, step: Float64Array, f: number, trial: Float64Array): { f: number; moved: number } | null {
  const m = theta.length;
  let stepMax = 0;
  for (let v = 0; v < m; v++) stepMax = Math.max(stepMax, Math.abs(step[v]!));
  let t = 1;
  let fNew = Number.NEGATIVE_INFINITY;
  for (let halvings = 0; halvings < 40; halvings++) {
    for (let v = 0; v < m; v++) trial[v] = theta[v]! + t * step[v]!;
    fNew = objective(cells, trial, prior);
    if (fNew >= f - 1e-12 * Math.abs(f)) break;
    t *= 0.5;
  }
  if (!(fNew >= f - 1e-12 * Math.abs(f))) return null;
  theta.set(trial);
  centre(theta);
  return { f: fNew, moved: t * stepMax };
}

/**
 * Gradient and (negative) Hessian of the log-likelihood at θ: `g[i] = Σ (s − n·p)` over i's cells (sign flipped
 * for the j side), `H` the weighted graph Laplacian with weights n·p·(1−p). Optionally adds the prior.
 */
export function btGradientHessian(cells: BtCells, theta: ArrayLike<number>, prior: number, g: Float64Array, h: Float64Array): void {
  const m = cells.m;
  g.fill(0);
  h.fill(0);
  for (let k = 0; k < cells.pairs; k++) {
    const n = cells.n[k]!;
    if (n === 0) continue;
    const i = cells.i[k]!;
    const j = cells.j[k]!;
    const p = sigmoid(theta[i]! - theta[j]!);
    const r = cells.s[k]! - n * p;
    g[i]! += r;
    g[j]! -= r;
    const w = n * p * (1 - p);
    h[i * m + i]! += w;
    h[j * m + j]! += w;
    h[i * m + j]! -= w;
    h[j * m + i]! -= w;
  }
  if (prior) {
    for (let v = 0; v < m; v++) {
      g[v]! -= prior * theta[v]!;
      h[v * m + v]! += prior;
    }
  }
}

/**
 * Bradley–Terry maximum likelihood (optionally ridge-penalised) by Newton's method with step halving, on
 * aggregated pair cells. Strengths are centred to Σθ = 0 (mean rating = initial); the Newton system is made
 * definite by adding c·11ᵀ to the Laplacian, which leaves steps with Σδ = 0 unchanged.
 * Without a prior the data must be strongly connected (see {@link analyseGraph}), or the estimate does not
 * exist; {@link rateTable} checks this and adds a prior when needed.
 *
 * Cost per iteration O(pairs + m³/3). References: Bradley & Terry (1952); Hunter (2004), "MM algorithms for
 * generalized Bradley–Terry models"; https://en.wikipedia.org/wiki/Bradley%E2%80%93Terry_model
 *
 * @returns strengths on the natural scale; never NaN (a non-definite system ends the iteration unconverged)
 */
export function fitBradleyTerry(cells: BtCells, opts: Partial<BtFitOptions> = {}): BtFit {
  const o = { ...DEFAULT_BT_FIT, ...opts };
  const m = cells.m;
  const theta = o.init ? Float64Array.from(o.init) : new Float64Array(m);
  centre(theta);
  const g = new Float64Array(m);
  const trial = new Float64Array(m);
  const tolTheta = o.tolerance / pointsPerLogit(o.scale);
  let f = Number.NaN; // the objective at θ, evaluated when a step needs it (chord steps that converge never do)
  let iterations = 0;
  let converged = false;
  let factor: Float64Array | undefined;
  let factorComparisons = 0;
  let chordSteps = 0;
  let comparisons = 0;
  for (let k = 0; k < cells.pairs; k++) comparisons += cells.n[k]!;
  const withFactor = o.chordFactor !== undefined && o.chordFactor.length === m * m;
  if ((withFactor || o.chordSolve) && m > 1) {
    const scaleStep = withFactor && o.chordComparisons && comparisons > 0 ? o.chordComparisons / comparisons : 1;
    // chord steps δ = F⁻¹g with a stale factor: linear convergence at rate ρ ≈ ‖I − F⁻¹H‖, kept only while each
    // step is at most half the previous one (ρ ≤ ½), so that the error after a step s is at most s·ρ/(1−ρ) ≤ s;
    // they stop at 10⁻⁴ of the tolerance, about where Newton's quadratic last step leaves its error
    // (a few more O(pairs + m²) steps, no factorisation)
    const start = Float64Array.from(theta);
    let last = Number.POSITIVE_INFINITY;
    let done = false;
    for (let k = 0; k < 60; k++) {
      btGradient(cells, theta, o.prior, g);
      if (withFactor) choleskySolveInPlace(o.chordFactor!, m, g);
      else o.chordSolve!(g);
      let stepMax = 0;
      for (let v = 0; v < m; v++) {
        g[v]! *= scaleStep;
        stepMax = Math.max(stepMax, Math.abs(g[v]!));
      }
      if (!Number.isFinite(stepMax) || stepMax > 0.5 * last) break;
      if (k === 0 && stepMax < 1e-4 * tolTheta) {
        done = true; // the start is already the optimum (a refit of unchanged data): left exactly as it is
        break;
      }
      for (let v = 0; v < m; v++) theta[v]! += g[v]!;
      centre(theta);
      chordSteps++;
      last = stepMax;
      if (stepMax < 1e-4 * tolTheta) {
        done = true;
        break;
      }
    }
    if (done) {
      // the last step was below 10⁻⁴ of the tolerance, so the gradient F·δ is ≈ 0: the stationary point of a concave
      // objective (strictly concave on centred strengths of connected data, or with a prior) is its maximum
      converged = true;
      if (withFactor) {
        factor = o.chordFactor;
        factorComparisons = o.chordComparisons ?? 0;
      }
    } else {
      const f0 = objective(cells, start, o.prior);
      const fc = objective(cells, theta, o.prior);
      if (fc >= f0 - 1e-12 * Math.abs(f0)) f = fc;
      else {
        theta.set(start); // the chord steps lost ground: Newton from the start
        f = f0;
      }
    }
  }
  const h = new Float64Array(converged ? 0 : m * m); // the Newton matrix (not needed after converged chord steps)
  if (!converged && Number.isNaN(f)) f = objective(cells, theta, o.prior);
  while (!converged && iterations < o.maxIterations) {
    iterations++;
    btGradientHessian(cells, theta, o.prior, g, h);
    let trace = 0;
    for (let v = 0; v < m; v++) trace += h[v * m + v]!;
    const c = trace > 0 ? trace / (m * m) : 1;
    for (let q = 0; q < m * m; q++) h[q]! += c;
    if (!choleskyInPlace(h, m)) {
      factor = undefined;
      break;
    }
    factor = h;
    factorComparisons = comparisons;
    choleskySolveInPlace(h, m, g); // g now holds the Newton step δ
    const accepted = btLineSearch(cells, o.prior, theta, g, f, trial);
    if (!accepted) break;
    f = accepted.f;
    if (accepted.moved < tolTheta) {
      converged = true;
      break;
    }
  }
  const logLikelihood = o.logLikelihood === false ? Number.NaN : btLogLikelihood(cells, theta);
  // converged by chord steps, f was never needed: the objective is the log-likelihood less the prior's penalty
  if (Number.isNaN(f) && o.logLikelihood !== false) f = o.prior ? objective(cells, theta, o.prior) : logLikelihood;
  return { theta, iterations, converged, objective: f, logLikelihood, comparisons, prior: o.prior, ...(factor ? { factor, factorComparisons } : {}), chordSteps };
}

/** Gradient of the (penalised) log-likelihood at θ only ({@link btGradientHessian} without the Hessian). O(pairs + m). */
export function btGradient(cells: BtCells, theta: ArrayLike<number>, prior: number, g: Float64Array): void {
  g.fill(0);
  const m = theta.length;
  let big = 0;
  for (let v = 0; v < m; v++) big = Math.max(big, Math.abs(theta[v]!));
  if (big < 300) {
    // σ(θi − θj) = γi/(γi + γj) with γ = e^θ: m exponentials instead of one per cell (no overflow below |θ| = 300)
    const gamma = new Float64Array(m);
    for (let v = 0; v < m; v++) gamma[v] = Math.exp(theta[v]!);
    for (let k = 0; k < cells.pairs; k++) {
      const n = cells.n[k]!;
      if (n === 0) continue;
      const i = cells.i[k]!;
      const j = cells.j[k]!;
      const gi = gamma[i]!;
      const r = cells.s[k]! - (n * gi) / (gi + gamma[j]!);
      g[i]! += r;
      g[j]! -= r;
    }
  } else {
    for (let k = 0; k < cells.pairs; k++) {
      const n = cells.n[k]!;
      if (n === 0) continue;
      const i = cells.i[k]!;
      const j = cells.j[k]!;
      const r = cells.s[k]! - n * sigmoid(theta[i]! - theta[j]!);
      g[i]! += r;
      g[j]! -= r;
    }
  }
  if (prior) for (let v = 0; v < m; v++) g[v]! -= prior * theta[v]!;
}

/**
 * One minorisation–maximisation update γ_v = num_v / den_v, rescaled to geometric mean 1 (the MM solvers'
 * identifiability constraint). O(m).
 */
export function mmStep(num: ArrayLike<number>, den: ArrayLike<number>): Float64Array<ArrayBuffer> {
  const m = num.length;
  const next = new Float64Array(m);
  let logMean = 0;
  for (let v = 0; v < m; v++) {
    next[v] = num[v]! / den[v]!;
    logMean += Math.log(next[v]!);
  }
  const scale = Math.exp(logMean / m);
  for (let v = 0; v < m; v++) next[v] = next[v]! / scale;
  return next;
}

/** Largest change of log-strength between two MM iterates, max_v |log next_v − log prev_v|. O(m). */
export function mmChange(next: ArrayLike<number>, prev: ArrayLike<number>): number {
  let change = 0;
  for (let v = 0; v < next.length; v++) change = Math.max(change, Math.abs(Math.log(next[v]!) - Math.log(prev[v]!)));
  return change;
}

/** Shifts a vector so its entries sum to zero. */
export function centre(x: Float64Array): void {
  let s = 0;
  for (let v = 0; v < x.length; v++) s += x[v]!;
  const mean = s / (x.length || 1);
  for (let v = 0; v < x.length; v++) x[v]! -= mean;
}

/**
 * Bradley–Terry by Hunter's (2004) minorisation–maximisation iteration γi ← Wi / Σj nij/(γi+γj), a second,
 * independent solver used to check {@link fitBradleyTerry} (same maximum, no prior). Requires strongly
 * connected data. Linear convergence: can need thousands of iterations.
 */
export function fitBradleyTerryMM(cells: BtCells, opts: { tolerance?: number; maxIterations?: number; scale?: Pick<ScaleOptions, 'scale' | 'base'> } = {}): BtFit {
  const m = cells.m;
  const tolTheta = (opts.tolerance ?? 1e-6) / pointsPerLogit(opts.scale ?? DEFAULT_SCALE);
  const maxIt = opts.maxIterations ?? 100000;
  const wins = new Float64Array(m);
  for (let k = 0; k < cells.pairs; k++) {
    wins[cells.i[k]!]! += cells.s[k]!;
    wins[cells.j[k]!]! += cells.n[k]! - cells.s[k]!;
  }
  let gamma = new Float64Array(m).fill(1);
  const denom = new Float64Array(m);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIt) {
    iterations++;
    denom.fill(0);
    for (let k = 0; k < cells.pairs; k++) {
      const i = cells.i[k]!;
      const j = cells.j[k]!;
      const q = cells.n[k]! / (gamma[i]! + gamma[j]!);
      denom[i]! += q;
      denom[j]! += q;
    }
    const next = mmStep(wins, denom);
    const change = mmChange(next, gamma);
    gamma = next;
    if (change < tolTheta * 1e-2) {
      converged = true;
      break;
    }
  }
  const theta = Float64Array.from(gamma, Math.log);
  centre(theta);
  let comparisons = 0;
  for (let k = 0; k < cells.pairs; k++) comparisons += cells.n[k]!;
  const ll = btLogLikelihood(cells, theta);
  return { theta, iterations, converged, objective: ll, logLikelihood: ll, comparisons, prior: 0 };
}

/** Ridge λ of {@link fitAgainstFixed} (the same value as the models' automatic prior). */
export const AGAINST_FIXED_PRIOR = 0.01;

/**
 * One-dimensional Bradley–Terry estimate of a model against opponents of fixed strength: maximises
 * Σ_u [s_u·log σ(θ − φ_u) + (n_u − s_u)·log σ(φ_u − θ)] − λ/2·(θ − φ̄)² by Newton's method (λ = {@link AGAINST_FIXED_PRIOR}, φ̄ the
 * vote-weighted mean opponent, which keeps the estimate finite when every vote was won or lost). O(k·iterations).
 *
 * @param n votes against each opponent
 * @param s score against each opponent (wins + ½ ties)
 * @param phi opponents' strengths (natural scale)
 * @returns θ on the natural scale
 */
export function fitAgainstFixed(n: ArrayLike<number>, s: ArrayLike<number>, phi: ArrayLike<number>): number {
  let total = 0;
  let mean = 0;
  for (let u = 0; u < n.length; u++) {
    if (!(n[u]! > 0)) continue;
    total += n[u]!;
    mean += n[u]! * phi[u]!;
  }
  if (total === 0) return 0;
  mean /= total;
  let theta = mean;
  for (let it = 0; it < 100; it++) {
    let g = -AGAINST_FIXED_PRIOR * (theta - mean);
    let h = AGAINST_FIXED_PRIOR;
    for (let u = 0; u < n.length; u++) {
      if (!(n[u]! > 0)) continue;
      const p = sigmoid(theta - phi[u]!);
      g += s[u]! - n[u]! * p;
      h += n[u]! * p * (1 - p);
    }
    const step = Math.max(-2, Math.min(2, g / h));
    theta += step;
    if (Math.abs(step) < 1e-12) break;
  }
  return theta;
}
