import { quantileSorted as ssQuantileSorted } from 'simple-statistics';
import type { BootstrapDistribution } from './bootstrap.js';

/**
 * Sample quantile of sorted data by linear interpolation between order statistics: Hyndman & Fan (1996) type 7,
 * the default of R's `quantile` and numpy's `percentile` (`method="linear"`). With h = (n − 1)·p,
 * Q(p) = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) (0-based). Monotone in p.
 *
 * Computed by simple-statistics' `quantileSorted` (type 7 since 7.9). O(1). Reference: Hyndman & Fan (1996), "Sample quantiles in statistical packages", The American Statistician 50(4).
 *
 * @param sorted ascending values (not checked)
 * @param p probability in [0, 1]
 * @throws RangeError on empty data or p outside [0, 1]
 * @example quantileSorted([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantileSorted requires at least one value');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantileSorted requires p in [0, 1], got ${p}`);
  // simple-statistics' quantileSorted is exactly type 7; it only indexes, so typed arrays work unchanged
  return ssQuantileSorted(sorted as unknown as number[], p);
}

/** Percentile intervals per model, and the models whose interval had to be widened to hold the point estimate. */
export interface PercentileIntervals {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Model ids whose raw percentile interval missed the point rating (see {@link percentileIntervals}). */
  readonly widened: number[];
}

/**
 * Bootstrap percentile intervals at level L: for each model, the type-7 quantiles ({@link quantileSorted}) of
 * its bootstrap ratings at (1 − L)/2 and (1 + L)/2. The point estimate stays the full-data fit; when it falls
 * outside its percentile interval (a skewed bootstrap law: tiny data) the interval is widened to reach it, and the model is
 * listed in `widened` so that callers can say so. Hence lower ≤ rating ≤ upper always, and a higher level never
 * gives a narrower interval.
 *
 * O(R·m·log R). Reference: Efron & Tibshirani (1993), ch. 13 (the percentile interval).
 *
 * @param dist bootstrap ratings (R × m)
 * @param ratings point ratings (display scale), indexed like the models
 * @param level coverage level in (0, 1), e.g. 0.95
 */
export function percentileIntervals(dist: BootstrapDistribution, ratings: ArrayLike<number>, level: number): PercentileIntervals {
  if (!(level > 0 && level < 1)) throw new RangeError(`percentileIntervals requires a level in (0, 1), got ${level}`);
  const { rounds: R, models: m } = dist;
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const widened: number[] = [];
  const col = new Float64Array(R);
  for (let v = 0; v < m; v++) {
    for (let r = 0; r < R; r++) col[r] = dist.ratings[r * m + v]!;
    col.sort();
    const lo = quantileSorted(col, (1 - level) / 2);
    const hi = quantileSorted(col, (1 + level) / 2);
    const x = ratings[v]!;
    if (lo > x || hi < x) widened.push(v);
    lower[v] = Math.min(lo, x);
    upper[v] = Math.max(hi, x);
  }
  return { lower, upper, widened };
}
