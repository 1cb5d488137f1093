import type { TiePolicy } from '../rating/bradley-terry.js';
import type { Intervals, PointFit, RateOptions } from '../rating/rate.js';
import type { Rng } from '../rng.js';
import { normalIntervals, sandwichCovariance } from '../stats/sandwich.js';

/** What an interval method is given besides the point fit. */
export interface IntervalRequest {
  /** Interval level in (0, 1), e.g. 0.95. */
  readonly level: number;
  /** The rating options of the fit (tie policy, scale). */
  readonly rate: RateOptions;
  /** Random source, for resampling methods (derived from the command's seed). */
  readonly rng: Rng;
}

/**
 * A way to put intervals on a point fit. The simulation engine (what-if replications, stability checkpoints)
 * takes one as a parameter, so a bootstrap can replace the sandwich by one option.
 * @returns lower/upper per model id of `point.models`, or null when the method does not apply (e.g. online Elo)
 */
export type IntervalMethod = (point: PointFit, req: IntervalRequest) => Intervals | null;

/**
 * Sandwich (Huber–White) normal intervals on a Bradley–Terry fit: `rating ± z·sd` with the covariance
 * H⁻¹·B·H⁻¹ ({@link sandwichCovariance}), robust to ties that do not follow the logistic law. Deterministic
 * (the rng is not used); O(pairs + m³). Returns null for online Elo (no likelihood).
 */
export const sandwichIntervals: IntervalMethod = (point, req) => {
  if (point.intervals) return point.intervals; // tie models and style control carry their own sandwich intervals
  if (!point.theta) return null;
  const cov = sandwichCovariance(point.pairs, req.rate.ties as TiePolicy, point.theta, point.prior);
  const { lower, upper } = normalIntervals(point.ratings, cov, req.level, req.rate);
  return { lower, upper };
};

/** Interval methods by name: `sandwich`, and `none` (no intervals: ranks by rating only). */
export const INTERVAL_METHODS: ReadonlyMap<string, IntervalMethod> = new Map<string, IntervalMethod>([
  ['sandwich', sandwichIntervals],
  ['none', () => null],
]);
