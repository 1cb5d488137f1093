import type { ModelFit } from '../models/types.js';
import type { FitInfo, StyleReport } from '../models/types.js';
import { rankBounds, rankCounts, rankDistributionOf } from '../stats/rank.js';
import type { SimultaneousRanks } from '../stats/simultaneous.js';
import type { Intervals, RatedBoard } from '../stats/uncertainty.js';

export type { FitInfo, StyleCoefficient, StyleReport } from '../models/types.js';

/** One model's line on a leaderboard (display scale). */
export interface LeaderboardRow {
  readonly model: string;
  readonly rating: number;
  /** Lower bound of the interval, when intervals were computed. */
  readonly lower?: number;
  /** Upper bound of the interval, when intervals were computed. */
  readonly upper?: number;
  /**
   * LMArena rank: 1 + number of models whose lower bound exceeds this model's upper bound (see {@link ciRanks});
   * without intervals (`--ci-method none`) the bounds are the ratings, so: 1 + number of models rated higher.
   */
  readonly rank: number;
  /** Best rank consistent with the intervals (equals `rank`), when intervals were computed (see `rankBounds`). */
  readonly rankLower?: number;
  /** Worst rank consistent with the intervals, when intervals were computed (see `rankBounds`). */
  readonly rankUpper?: number;
  readonly battles: number;
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  /** Bootstrap distribution of the rank (`--rank-distribution`): ranks that occurred with their share of rounds. */
  readonly rankDistribution?: readonly { readonly rank: number; readonly probability: number }[];
  /**
   * Simultaneous rank interval (`--simultaneous-ranks`, see `simultaneousRanks`): best and worst rank holding for
   * every model at once at the interval level, from the max-statistic over all pairwise gaps.
   */
  readonly simultaneousRankLower?: number;
  /** Worst rank of the simultaneous rank interval (with `simultaneousRankLower`). */
  readonly simultaneousRankUpper?: number;
}

/** A leaderboard with the parameters that produced it (the JSON of `arena rate`). */
export interface Leaderboard {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly battles: number;
  /** Sorted by rating, highest first (ties in rating broken by name). */
  readonly models: readonly LeaderboardRow[];
  readonly fit: FitInfo;
  /** Style coefficients with intervals (`--style-control`). */
  readonly style?: StyleReport;
  readonly warnings: readonly string[];
}

/**
 * Ranks as LMArena shows them. Without intervals: 1 + number of models with a strictly higher rating. With
 * intervals: 1 + number of models whose lower bound exceeds this model's upper bound (FastChat's
 * "rank (UB)"), so models whose intervals overlap share ranks. O(m log m).
 */
export function ciRanks(rating: ArrayLike<number>, lower?: ArrayLike<number>, upper?: ArrayLike<number>): Int32Array {
  const m = rating.length;
  const lo = lower ?? rating;
  const hi = upper ?? rating;
  const sortedLo = Float64Array.from(lo).sort();
  const out = new Int32Array(m);
  for (let v = 0; v < m; v++) {
    // count of lower bounds strictly greater than hi[v]
    let a = 0;
    let b = m;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (sortedLo[mid]! > hi[v]!) b = mid;
      else a = mid + 1;
    }
    out[v] = 1 + (m - a);
  }
  return out;
}

/** Indices of models sorted by rating, highest first; equal ratings by name (code-unit order). */
export function orderByRating(models: readonly string[], rating: ArrayLike<number>): number[] {
  return models
    .map((_, i) => i)
    .sort((x, y) => rating[y]! - rating[x]! || (models[x]! < models[y]! ? -1 : models[x]! > models[y]! ? 1 : 0));
}

/** Interval bounds with how they were made (what plots and reports name in their titles). */
export interface RatingIntervals extends Intervals {
  /** Method name: `sandwich` or `bootstrap`. */
  readonly method: string;
  /** Interval level in (0, 1). */
  readonly level: number;
}

/** The intervals of a rated board as {@link RatingIntervals}, or null without intervals. */
export function ratingIntervals(b: RatedBoard): RatingIntervals | null {
  return b.intervals ? { ...b.intervals, method: b.options.ciMethod, level: b.options.level } : null;
}

/** How a board's simultaneous rank intervals were made, as `params.simultaneousRanks` echoes it. */
export function simultaneousParams(s: SimultaneousRanks): { method: string; level: number; draws: number; critical: number; models: number } {
  return { method: s.method, level: s.level, draws: s.draws, critical: s.critical, models: s.models };
}

/**
 * The leaderboard of a fit with its uncertainty: rows sorted by rating with LMArena ranks, plus `lower`/`upper`,
 * `rankLower`/`rankUpper` (see `rankBounds`) when there are intervals, each model's bootstrap
 * `rankDistribution` when asked, and `simultaneousRankLower`/`Upper` with `params.simultaneousRanks` when the board
 * has simultaneous rank intervals (`IntervalOptions.simultaneous`). `params` is echoed as given, with the board's `ciMethod` and `ci` (level) added when not given. O(m log m + R·m log m with the rank distribution).
 */
export function leaderboardOf(b: RatedBoard, params: Readonly<Record<string, unknown>>, withRankDistribution = false): Leaderboard {
  const point: ModelFit = b.point;
  const { ratings, totals } = point;
  const iv = b.intervals;
  const ranks = ciRanks(ratings, iv?.lower, iv?.upper);
  const bounds = iv ? rankBounds(iv.lower, iv.upper) : null;
  const counts = withRankDistribution && b.dist ? rankCounts(b.dist) : null;
  const m = point.models.length;
  const sim = b.simultaneous ?? null;
  const rows: LeaderboardRow[] = orderByRating(point.models, ratings).map((v) => ({
    model: point.models[v]!,
    rating: ratings[v]!,
    ...(iv ? { lower: iv.lower[v]!, upper: iv.upper[v]! } : {}),
    rank: ranks[v]!,
    ...(bounds ? { rankLower: bounds.best[v]!, rankUpper: bounds.worst[v]! } : {}),
    battles: totals.battles[v]!,
    wins: totals.wins[v]!,
    losses: totals.losses[v]!,
    ties: totals.ties[v]!,
    ...(counts ? { rankDistribution: rankDistributionOf(counts, m, b.dist!.rounds, v) } : {}),
    ...(sim ? { simultaneousRankLower: sim.lower[v]!, simultaneousRankUpper: sim.upper[v]! } : {}),
  }));
  const style = point.kind === 'style' ? { style: point.style } : {};
  // the interval method and level are the board's own unless the caller echoes them (the CLI does, in its order)
  const echoed: Record<string, unknown> = { ...params };
  if (!('ciMethod' in echoed)) echoed.ciMethod = b.options.ciMethod;
  if (!('ci' in echoed)) echoed.ci = b.options.level;
  if (sim) echoed.simultaneousRanks = simultaneousParams(sim);
  return { method: point.options.method, params: echoed, battles: point.battles, models: rows, fit: point.fit, ...style, warnings: [...point.warnings, ...b.warnings] };
}
