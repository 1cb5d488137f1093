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
export function sandwichRatingIntervals(point: PointFit, level: number, opts: Pick<RateOptions, 'ties' | 'scale' | 'base'>): RatingIntervals {
  if (!point.theta) throw new Error('sandwich intervals need a Bradley–Terry fit');
  if (opts.ties !== 'half' && opts.ties !== 'ignore') throw new Error('sandwich intervals here need --ties half or ignore');
  const cov = sandwichCovariance(point.pairs, opts.ties, point.theta, point.prior);
  const { lower, upper } = normalIntervals(point.ratings, cov, level, opts);
  return { method: 'sandwich', level, lower, upper };
}

/** The sandwich as an {@link IntervalProvider}. */
export const sandwichProvider: IntervalProvider = Object.freeze({
  method: 'sandwich',
  intervals: (point: PointFit, level: number, opts: RateOptions) => Promise.resolve(sandwichRatingIntervals(point, level, opts)),
});

