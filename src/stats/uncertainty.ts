import type { TiePolicy } from '../rating/bradley-terry.js';
import type { BattleTable } from '../data/table.js';
import { buildLeaderboard, fitRatings, type Intervals, type PointFit, type RateOptions } from '../rating/rate.js';
import type { Leaderboard, LeaderboardRow } from '../report/leaderboard.js';
import { type BootstrapDistribution, bootstrapRatings } from './bootstrap.js';
import { type BootstrapJob, btBootstrapJob, eloBootstrapJob, ROUND_PRIOR } from './bootstrap-rounds.js';
import { controlIntervals, type LinearBootstrapModel, linearBootstrapModel } from './control-variate.js';
import { percentileIntervals } from './interval.js';
import { rankBounds, rankCounts, rankDistributionOf } from './rank.js';
import { normalIntervals, sandwichCovariance } from './sandwich.js';

/** How intervals are computed: bootstrap percentiles, or the Huber–White sandwich (normal approximation). */
export type CiMethod = 'bootstrap' | 'sandwich';

/**
 * How bootstrap quantiles are estimated from the rounds (Bradley–Terry): `control` uses each round's linearised
 * refit as a control variate with a known law (`controlQuantiles`), about 10× less Monte-Carlo error at the
 * same rounds; `plain` takes type-7 sample quantiles of the rounds. Online Elo always uses `plain`.
 */
export type BootstrapQuantiles = 'control' | 'plain';

/** Options of {@link rateWithUncertainty} (`arena rate --bootstrap --ci --ci-method --seed --threads`). */
export interface UncertaintyOptions {
  readonly ciMethod: CiMethod;
  /** Bootstrap rounds (0 = none). With `sandwich` the rounds, if any, feed only rank distributions and P(above). */
  readonly rounds: number;
  /** Interval level in (0, 1). */
  readonly level: number;
  readonly seed: string | number;
  /** Bootstrap quantile estimator (default `control`; applies to Bradley–Terry). */
  readonly bootstrapQuantiles?: BootstrapQuantiles;
  /** Worker threads (default all cores); never changes the result. */
  readonly threads?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A point fit with its uncertainty. */
export interface RatedWithUncertainty {
  readonly point: PointFit;
  readonly options: UncertaintyOptions;
  /** Bootstrap ratings, when rounds > 0. */
  readonly dist: BootstrapDistribution | null;
  /**
   * The linearised bootstrap's law (Bradley–Terry rounds with `bootstrapQuantiles: 'control'`), for control-variate
   * quantiles of any contrast (e.g. a gap in `compareModels`); else null.
   */
  readonly linear: LinearBootstrapModel | null;
  /** Sandwich covariance of the strengths (natural scale, m × m), with `sandwich`. */
  readonly cov: Float64Array | null;
  /** Intervals (display scale), when computed: bootstrap with rounds > 0, or sandwich. */
  readonly intervals: Intervals | null;
  /** Plain-sentence warnings about the intervals. */
  readonly warnings: string[];
}

const names = (models: readonly string[], ids: number[], max = 5) =>
  ids.length <= max
    ? ids.map((v) => JSON.stringify(models[v])).join(', ')
    : `${ids.slice(0, max).map((v) => JSON.stringify(models[v])).join(', ')} and ${ids.length - max} more`;

/** The bootstrap job of a point fit (BT cells or Elo battles). O(pairs) for BT, O(battles) for Elo. */
export function bootstrapJobOf(t: BattleTable, point: PointFit, rate: RateOptions): BootstrapJob {
  if (rate.method === 'elo') return eloBootstrapJob(t, { k: rate.k, scale: rate.scale, base: rate.base, initial: rate.initial, ties: rate.ties as TiePolicy, shift: point.shift });
  return btBootstrapJob(point.pairs, { theta: point.theta!, prior: point.prior }, { ties: rate.ties as TiePolicy, tolerance: rate.tolerance, scale: rate.scale, base: rate.base, offset: rate.initial + point.shift });
}

/**
 * Rates battles (see `fitRatings`) and adds uncertainty: bootstrap percentile intervals (`ciMethod:
 * 'bootstrap'`, rounds > 0; Bradley–Terry quantiles estimated with the control variate unless
 * `bootstrapQuantiles: 'plain'`, see {@link controlIntervals}) or sandwich normal intervals (`ciMethod: 'sandwich'`, Bradley–Terry only: online Elo
 * has no likelihood to build one from). The point ratings are always the full-data fit.
 *
 * O(fit + R · round / threads) for the bootstrap; O(pairs + m³) for the sandwich.
 *
 * @throws RangeError for `sandwich` with `method: 'elo'`, or a level outside (0, 1)
 */
export async function rateWithUncertainty(t: BattleTable, rate: RateOptions, opts: UncertaintyOptions): Promise<RatedWithUncertainty> {
  if (!(opts.level > 0 && opts.level < 1)) throw new RangeError(`the interval level must be in (0, 1), got ${opts.level}`);
  if (opts.ciMethod === 'sandwich' && rate.method === 'elo') throw new RangeError('sandwich intervals need a likelihood: use them with --method bt, or use --ci-method bootstrap with --method elo');
  const point = fitRatings(t, rate);
  return addUncertainty(t, point, rate, opts);
}

/** {@link rateWithUncertainty} for an existing point fit. */
export async function addUncertainty(t: BattleTable, point: PointFit, rate: RateOptions, opts: UncertaintyOptions): Promise<RatedWithUncertainty> {
  const warnings: string[] = [];
  let dist: BootstrapDistribution | null = null;
  let linear: LinearBootstrapModel | null = null;
  if (opts.rounds > 0 && t.battles > 0 && point.models.length > 1) {
    const job = bootstrapJobOf(t, point, rate);
    if (job.kind === 'bt' && (opts.bootstrapQuantiles ?? 'control') === 'control') linear = linearBootstrapModel(job);
    dist = await bootstrapRatings(job, {
      rounds: opts.rounds,
      seed: opts.seed,
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    if (dist.degenerate > 0) {
      warnings.push(
        `In ${dist.degenerate} of ${dist.rounds} bootstrap rounds the resampled battles had no maximum-likelihood ratings (a model never won or never lost in the resample); those rounds were fitted with a ridge prior (λ = ${ROUND_PRIOR}).`,
      );
    }
  }
  let cov: Float64Array | null = null;
  let intervals: Intervals | null = null;
  if (opts.ciMethod === 'sandwich') {
    if (!point.theta) throw new RangeError('sandwich intervals need a Bradley–Terry fit');
    cov = sandwichCovariance(point.pairs, rate.ties as TiePolicy, point.theta, point.prior);
    const n = normalIntervals(point.ratings, cov, opts.level, rate);
    intervals = { lower: n.lower, upper: n.upper };
  } else if (dist) {
    const p = linear && dist.control ? controlIntervals(dist, linear, point.ratings, opts.level) : percentileIntervals(dist, point.ratings, opts.level);
    intervals = { lower: p.lower, upper: p.upper };
    if (p.widened.length) {
      warnings.push(
        `The bootstrap percentile interval of ${names(point.models, p.widened)} did not contain the point rating (a skewed bootstrap distribution${rate.method === 'elo' ? ': online Elo depends on battle order, and the rounds replay random orders' : ''}); it was widened to reach it.`,
      );
    }
  }
  return { point, options: opts, dist, linear, cov, intervals, warnings };
}

/**
 * The leaderboard of a fit with uncertainty: the contract's rows plus `rankLower`/`rankUpper` (see
 * `rankBounds`) when there are intervals, and each model's bootstrap `rankDistribution` when asked.
 * O(m log m + R·m log m with the rank distribution).
 */
export function uncertaintyLeaderboard(u: RatedWithUncertainty, params: Readonly<Record<string, unknown>>, battles: number, method: string, withRankDistribution = false): Leaderboard {
  const lb = buildLeaderboard(u.point, params, battles, method, u.intervals, u.warnings);
  const id = new Map(u.point.models.map((name, v) => [name, v]));
  const bounds = u.intervals ? rankBounds(u.intervals.lower, u.intervals.upper) : null;
  const counts = withRankDistribution && u.dist ? rankCounts(u.dist) : null;
  const m = u.point.models.length;
  const models = lb.models.map((row): LeaderboardRow => {
    const v = id.get(row.model)!;
    const { battles: b, wins, losses, ties, ...head } = row;
    return {
      ...head,
      ...(bounds ? { rankLower: bounds.best[v]!, rankUpper: bounds.worst[v]! } : {}),
      battles: b,
      wins,
      losses,
      ties,
      ...(counts ? { rankDistribution: rankDistributionOf(counts, m, u.dist!.rounds, v) } : {}),
    };
  });
  return { ...lb, models };
}
