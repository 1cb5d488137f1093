import type { Intervals, PointFit, RateOptions } from '../rating/rate.js';
import { normalIntervals, sandwichCovariance } from '../stats/sandwich.js';

/** Interval bounds per model id with how they were made (what plots and reports name in their titles). */
export interface RatingIntervals extends Intervals {
  /** Method name, e.g. `sandwich` or `bootstrap`. */
  readonly method: string;
  /** Interval level in (0, 1), e.g. 0.95. */
  readonly level: number;
}

/**
 * A source of rating intervals for plots and reports. Plots and the HTML report take intervals only through
 * this interface, so another method (the bootstrap) slots in without touching them.
 */
export interface IntervalProvider {
  /** Method name shown in plot titles and report parameters. */
  readonly method: string;
  /**
   * Intervals of the display ratings of a point fit at `level`.
   * @throws Error when the method does not apply to the fit (e.g. the sandwich on an Elo fit)
   */
  intervals(point: PointFit, level: number, opts: RateOptions): Promise<RatingIntervals>;
}

/**
 * Normal-approximation intervals from the Huber–White sandwich covariance `H⁻¹BH⁻¹` of the Bradley–Terry
 * strengths (lmarena/arena-rank's closed form): `rating ± Φ⁻¹((1+level)/2)·sd`, sd on the display scale. Uses
 * the fit's own cells, tie policy and ridge prior; instant (no resampling, no randomness).
 *
 * O(pairs + m³). Reference: White (1980), Econometrica 48(4):817–838.
 *
 * @param point a Bradley–Terry point fit ({@link fitRatings} with `method: 'bt'`)
 * @param level interval level in (0, 1)
 * @param opts the rating options of the fit (tie policy and display scale)
 * @throws Error for an Elo fit (no likelihood, so no sandwich)
 */
export function sandwichIntervals(point: PointFit, level: number, opts: Pick<RateOptions, 'ties' | 'scale' | 'base'>): RatingIntervals {
  if (!point.theta) throw new Error('sandwich intervals need a Bradley–Terry fit');
  const cov = sandwichCovariance(point.pairs, opts.ties, point.theta, point.prior);
  const { lower, upper } = normalIntervals(point.ratings, cov, level, opts);
  return { method: 'sandwich', level, lower, upper };
}

/** The sandwich as an {@link IntervalProvider}. */
export const sandwichProvider: IntervalProvider = Object.freeze({
  method: 'sandwich',
  intervals: (point: PointFit, level: number, opts: RateOptions) => Promise.resolve(sandwichIntervals(point, level, opts)),
});

/** Best and worst rank per model id (1 = top). */
export interface RankBounds {
  readonly best: Int32Array;
  readonly worst: Int32Array;
}

/**
 * The rank interval of each model: the best and the worst rank consistent with the rating intervals.
 * best = 1 + #{j : lower_j > upper_i} (models surely above; LMArena's "Rank (UB)"), worst = m − #{j : upper_j <
 * lower_i} (all but the models surely below). When every interval holds its rating, best ≤ (1 + #{j : R_j >
 * R_i}) ≤ worst; with zero-width intervals and distinct ratings both equal the ordinal rank.
 *
 * O(m log m). Reference: Chiang et al. (2024), *Chatbot Arena*, arXiv:2403.04132, §6 (ranks from intervals).
 *
 * @param lower lower bounds per model id
 * @param upper upper bounds per model id (same length)
 */
export function rankBounds(lower: ArrayLike<number>, upper: ArrayLike<number>): RankBounds {
  const m = lower.length;
  if (upper.length !== m) throw new Error('rankBounds: lower and upper differ in length');
  const lo = Float64Array.from(lower).sort();
  const hi = Float64Array.from(upper).sort();
  const best = new Int32Array(m);
  const worst = new Int32Array(m);
  for (let v = 0; v < m; v++) {
    best[v] = 1 + (m - upperBound(lo, upper[v]!)); // lower_j > upper_v
    worst[v] = m - lowerBound(hi, lower[v]!); // upper_j < lower_v
  }
  return { best, worst };
}

/** First index with a[k] > x (a sorted ascending). */
function upperBound(a: Float64Array, x: number): number {
  let l = 0;
  let r = a.length;
  while (l < r) {
    const mid = (l + r) >> 1;
    if (a[mid]! > x) r = mid;
    else l = mid + 1;
  }
  return l;
}

/** First index with a[k] >= x (a sorted ascending): the count of entries < x. */
function lowerBound(a: Float64Array, x: number): number {
  let l = 0;
  let r = a.length;
  while (l < r) {
    const mid = (l + r) >> 1;
    if (a[mid]! < x) l = mid + 1;
    else r = mid;
  }
  return l;
}
