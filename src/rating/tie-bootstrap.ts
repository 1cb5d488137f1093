import { multinomialInto, prepareMultinomial } from '../stats/multinomial.js';
import { quantileSorted } from '../stats/interval.js';
import type { BattleTable } from '../data/table.js';
import { deriveRng, type Rng } from '../rng.js';
import { ROUND_PRIOR } from '../stats/bootstrap-rounds.js';
import { analyseGraph } from './graph.js';
import { fitStyleControl, type StyleDesign, type StyleFitOptions } from './style.js';
import { fitTieModel, type TieCells, type TieFitOptions, type TieModel } from './tie-models.js';

/** Options of the bootstraps in this file. */
export interface TieBootstrapOptions {
  /** Number of resamples. */
  readonly rounds: number;
  /** Seed: round r draws from `deriveRng(seed, 'bootstrap', r)`, so results do not depend on run order. */
  readonly seed: string | number;
  /** Interval level, e.g. 0.95 (percentile intervals). */
  readonly level: number;
  /** Called after each round with (rounds done, rounds) — for a progress bar. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Bootstrap distribution of p parameters: draws (rounds × p, row-major) and percentile intervals. */
export interface ParameterBootstrap {
  readonly rounds: number;
  readonly p: number;
  readonly draws: Float64Array;
  /** Percentile bounds (quantile type 7 at (1 ∓ level)/2). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Standard deviation of the draws (n − 1 denominator). */
  readonly sd: Float64Array;
  /**
   * Rounds whose resample had no maximum-likelihood estimate (the "scored against" graph of the resample, ties
   * as half a win, is not strongly connected) while the fit had no prior: refitted with a ridge prior λ =
   * {@link ROUND_PRIOR}, as the plain Bradley–Terry bootstrap does.
   */
  readonly degenerate: number;
  /** Rounds whose refit did not converge (their last iterate is kept). */
  readonly unconverged: number;
}

/**
 * Multinomial resample of integer counts: N = Σ counts draws, category k with probability counts[k]/N — the same
 * law as resampling the N underlying battles with replacement. Drawn exactly by conditional binomials
 * ({@link multinomialInto}: inversion for small means, BTPE otherwise), O(K) per resample instead of O(N).
 */
export function resampleCounts(counts: ArrayLike<number>, rng: Rng): Float64Array {
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k]!;
  const out = new Float64Array(counts.length);
  if (total > 0) multinomialInto(rng, Math.round(total), prepareMultinomial(counts), out);
  return out;
}

/** Type-7 quantile of sorted numbers, NaN when empty (see {@link quantileSorted}). */
export function quantileSortedType7(sorted: ArrayLike<number>, p: number): number {
  return sorted.length === 0 ? Number.NaN : quantileSorted(sorted, p);
}

function summarise(draws: Float64Array, rounds: number, p: number, level: number, degenerate: number, unconverged: number): ParameterBootstrap {
  const lower = new Float64Array(p);
  const upper = new Float64Array(p);
  const sd = new Float64Array(p);
  const col = new Float64Array(rounds);
  for (let v = 0; v < p; v++) {
    let mean = 0;
    for (let r = 0; r < rounds; r++) mean += col[r] = draws[r * p + v]!;
    mean /= rounds;
    let ss = 0;
    for (let r = 0; r < rounds; r++) ss += (col[r]! - mean) ** 2;
    sd[v] = rounds > 1 ? Math.sqrt(ss / (rounds - 1)) : 0;
    col.sort();
    lower[v] = quantileSortedType7(col, (1 - level) / 2);
    upper[v] = quantileSortedType7(col, (1 + level) / 2);
  }
  return { rounds, p, draws, lower, upper, sd, degenerate, unconverged };
}

/** Whether BT cells with scores s out of n have no maximum-likelihood estimate (graph not strongly connected). */
function degenerateCells(m: number, i: Int32Array, j: Int32Array, s: Float64Array, n: Float64Array): boolean {
  return analyseGraph({ m, pairs: i.length, i, j, s, n }).groups > 1;
}

/**
 * Bootstrap of a tie model on pair cells: each round resamples the battles (multinomial over the cell × outcome
 * counts, both-bad kept apart under `separate`) and refits warm-started at `start` (θ, η). A round whose resample
 * has no maximum-likelihood estimate while `fit.prior` is 0 is refitted with λ = ROUND_PRIOR (counted in
 * `degenerate`). Returns the distribution of (θ₁…θ_m, η) on the natural scale. O(rounds·(N log K + fit)).
 */
export function bootstrapTieModel(
  model: TieModel,
  c: TieCells,
  start: { theta: Float64Array; eta: number },
  fit: Partial<TieFitOptions>,
  opts: TieBootstrapOptions,
): ParameterBootstrap {
  const K = c.pairs;
  const counts = new Float64Array(4 * K);
  for (let k = 0; k < K; k++) {
    counts[4 * k] = c.w[k]!;
    counts[4 * k + 1] = c.l[k]!;
    counts[4 * k + 2] = c.t[k]! - c.bb[k]!;
    counts[4 * k + 3] = c.bb[k]!;
  }
  const p = c.m + 1;
  const draws = new Float64Array(opts.rounds * p);
  const s = new Float64Array(K);
  const n = new Float64Array(K);
  let degenerate = 0;
  let unconverged = 0;
  for (let r = 0; r < opts.rounds; r++) {
    const x = resampleCounts(counts, deriveRng(opts.seed, 'bootstrap', r));
    const w = new Float64Array(K);
    const l = new Float64Array(K);
    const t = new Float64Array(K);
    const bb = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      w[k] = x[4 * k]!;
      l[k] = x[4 * k + 1]!;
      t[k] = x[4 * k + 2]! + x[4 * k + 3]!;
      bb[k] = x[4 * k + 3]!;
      s[k] = w[k]! + 0.5 * t[k]!;
      n[k] = w[k]! + l[k]! + t[k]!;
    }
    let prior = fit.prior ?? 0;
    if (!(prior > 0) && degenerateCells(c.m, c.i, c.j, s, n)) {
      prior = ROUND_PRIOR;
      degenerate++;
    }
    const f = fitTieModel(model, { ...c, w, l, t, bb }, { ...fit, prior, init: start.theta, initEta: start.eta });
    if (!f.converged) unconverged++;
    draws.set(f.theta, r * p);
    draws[r * p + c.m] = f.eta;
    opts.onProgress?.(r + 1, opts.rounds);
  }
  return summarise(draws, opts.rounds, p, opts.level, degenerate, unconverged);
}

/**
 * Bootstrap of a style-controlled fit over battles: each round resamples the N battles with replacement
 * (multinomial weights on the rows, a row of count c standing for c battles) and refits on the same standardised
 * design, warm-started at `start` (the full-data x = θ, active β, η); degenerate resamples as in
 * {@link bootstrapTieModel} (checked on the rows' pair cells, ties as half wins). Returns the distribution of θ (m values) then
 * the four β (0 for inactive features) then η (NaN without a tie model). O(rounds·(N log rows + fit)).
 */
export function bootstrapStyleControl(
  t: BattleTable,
  design: StyleDesign,
  start: Float64Array,
  fit: Partial<StyleFitOptions>,
  opts: TieBootstrapOptions,
): ParameterBootstrap {
  const m = t.models.length;
  const p = m + 5;
  const draws = new Float64Array(opts.rounds * p);
  // pair cell of each row (for the degeneracy check of a resample)
  const cellOf = new Int32Array(t.rows);
  const index = new Map<number, number>();
  const pi: number[] = [];
  const pj: number[] = [];
  for (let r = 0; r < t.rows; r++) {
    const lo = Math.min(t.a[r]!, t.b[r]!);
    const hi = Math.max(t.a[r]!, t.b[r]!);
    let k = index.get(lo * m + hi);
    if (k === undefined) {
      k = pi.length;
      index.set(lo * m + hi, k);
      pi.push(lo);
      pj.push(hi);
    }
    cellOf[r] = k;
  }
  const ci = Int32Array.from(pi);
  const cj = Int32Array.from(pj);
  const s = new Float64Array(ci.length);
  const n = new Float64Array(ci.length);
  const ignoreTies = fit.outcome === 'ignore';
  let degenerate = 0;
  let unconverged = 0;
  for (let r = 0; r < opts.rounds; r++) {
    const weights = resampleCounts(t.count, deriveRng(opts.seed, 'bootstrap', r));
    let prior = fit.prior ?? 0;
    if (!(prior > 0)) {
      s.fill(0);
      n.fill(0);
      for (let q = 0; q < t.rows; q++) {
        const w = weights[q]!;
        if (!w) continue;
        const o = t.outcome[q]!;
        if (o >= 2 && ignoreTies) continue;
        const k = cellOf[q]!;
        n[k]! += w;
        // score of the lower id of the pair
        const aLow = t.a[q]! < t.b[q]!;
        s[k]! += o >= 2 ? 0.5 * w : (o === 0) === aLow ? w : 0;
      }
      if (degenerateCells(m, ci, cj, s, n)) {
        prior = ROUND_PRIOR;
        degenerate++;
      }
    }
    const f = fitStyleControl(t, design, { ...fit, prior, weights, init: start, covariance: false });
    if (!f.converged) unconverged++;
    draws.set(f.theta, r * p);
    draws.set(f.beta, r * p + m);
    draws[r * p + m + 4] = f.eta;
    opts.onProgress?.(r + 1, opts.rounds);
  }
  return summarise(draws, opts.rounds, p, opts.level, degenerate, unconverged);
}
