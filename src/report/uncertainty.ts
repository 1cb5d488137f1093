import type { Intervals, PointFit, RateOptions } from '../rating/rate.js';
import type { BattleTable } from '../data/table.js';
import { normalIntervals, sandwichCovariance } from '../stats/sandwich.js';
import { addUncertainty } from '../stats/uncertainty.js';

/** Interval bounds per model id with how they were made (what plots and reports name in their titles). */
export interface RatingIntervals extends Intervals {
  /** Method name, e.g. `sandwich` or `bootstrap`. */
  readonly method: string;
  /** Interval level in (0, 1), e.g. 0.95. */
  readonly level: number;
  /** Plain-sentence warnings about these intervals (e.g. widened bootstrap percentiles), if any. */
  readonly warnings?: readonly string[];
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


/** Options of {@link bootstrapProvider}. */
export interface BootstrapProviderOptions {
  /** Bootstrap rounds R (≥ 1). */
  readonly rounds: number;
  /** Random seed of the resamples (`--seed`). */
  readonly seed: string | number;
  /** Worker threads (never changes the result; default all cores). */
  readonly threads?: number;
  /** Progress callback (rounds done, rounds in all). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Bootstrap percentile intervals as an {@link IntervalProvider}, for Bradley–Terry and online Elo fits alike:
 * R resamples of the battles (multinomial over pair cells for BT, battles in a random order for Elo), each
 * refitted, and the central `level` percentiles of the R ratings per model, widened to reach the point rating
 * when a skewed distribution leaves it out (with a warning). Delegates to `addUncertainty` (src/stats/
 * uncertainty.ts), so `arena plot` and `arena report` draw exactly the intervals `arena rate --bootstrap R
 * --seed S` prints. Deterministic given the seed, whatever the thread count.
 *
 * O(R · fit / threads). Reference: Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13.
 *
 * @param table the battles the fits passed to the provider were made from
 * @throws RangeError when rounds < 1
 */
export function bootstrapProvider(table: BattleTable, o: BootstrapProviderOptions): IntervalProvider {
  if (!(Number.isInteger(o.rounds) && o.rounds >= 1)) throw new RangeError(`bootstrap intervals need at least 1 round, got ${o.rounds}`);
  return Object.freeze({
    method: 'bootstrap',
    intervals: async (point: PointFit, level: number, opts: RateOptions): Promise<RatingIntervals> => {
      const u = await addUncertainty(table, point, opts, {
        ciMethod: 'bootstrap',
        rounds: o.rounds,
        level,
        seed: o.seed,
        ...(o.threads !== undefined ? { threads: o.threads } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
      // no rounds were run (no battles, or a single model): every interval is the point rating itself
      const lower = u.intervals ? u.intervals.lower : Float64Array.from(point.ratings);
      const upper = u.intervals ? u.intervals.upper : Float64Array.from(point.ratings);
      return { method: 'bootstrap', level, lower, upper, warnings: u.warnings };
    },
  });
}
