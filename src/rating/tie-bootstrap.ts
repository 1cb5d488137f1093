import type { BattleTable } from '../data/table.js';
import { deriveRng, type Rng } from '../rng.js';
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
}

/**
 * Multinomial resample of integer counts: N = Σ counts draws, category k with probability counts[k]/N — the same
 * law as resampling the N underlying battles with replacement. Each draw is a uniform on [0, N) located by binary
 * search in the cumulative counts. O(N·log K).
 */
export function resampleCounts(counts: ArrayLike<number>, rng: Rng): Float64Array {
  const K = counts.length;
  const cum = new Float64Array(K);
  let total = 0;
  for (let k = 0; k < K; k++) {
    total += counts[k]!;
    cum[k] = total;
  }
  const out = new Float64Array(K);
  const n = Math.round(total);
  for (let s = 0; s < n; s++) {
    const u = rng() * total;
    let lo = 0;
    let hi = K - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    out[lo]!++;
  }
  return out;
}

/** Quantile of a sorted array by linear interpolation between order statistics (Hyndman & Fan type 7). O(1). */
export function quantileSortedType7(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function summarise(draws: Float64Array, rounds: number, p: number, level: number): ParameterBootstrap {
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
  return { rounds, p, draws, lower, upper, sd };
}

/**
 * Bootstrap of a tie model on pair cells: each round resamples the battles (multinomial over the cell × outcome
 * counts, both-bad kept apart under `separate`) and refits warm-started at `start` (θ, η). Returns the
 * distribution of (θ₁…θ_m, η) on the natural scale. O(rounds·(N log K + fit)).
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
    }
    const f = fitTieModel(model, { ...c, w, l, t, bb }, { ...fit, init: start.theta, initEta: start.eta });
    draws.set(f.theta, r * p);
    draws[r * p + c.m] = f.eta;
  }
  return summarise(draws, opts.rounds, p, opts.level);
}

/**
 * Bootstrap of a style-controlled fit over battles: each round resamples the N battles with replacement
 * (multinomial weights on the rows, a row of count c standing for c battles) and refits on the same standardised
 * design, warm-started at `start` (the full-data x = θ, active β, η). Returns the distribution of θ (m values) then
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
  for (let r = 0; r < opts.rounds; r++) {
    const weights = resampleCounts(t.count, deriveRng(opts.seed, 'bootstrap', r));
    const f = fitStyleControl(t, design, { ...fit, weights, init: start, covariance: false });
    draws.set(f.theta, r * p);
    draws.set(f.beta, r * p + m);
    draws[r * p + m + 4] = f.eta;
  }
  return summarise(draws, opts.rounds, p, opts.level);
}
