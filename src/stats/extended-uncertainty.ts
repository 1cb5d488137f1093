import { isTieModel, type TieParameters } from '../rating/rate-extended.js';
import type { Intervals, PointFit, RateOptions } from '../rating/rate.js';
import { pointsPerLogit } from '../rating/scale.js';
import { bootstrapStyleControl, bootstrapTieModel, type ParameterBootstrap, quantileSortedType7 } from '../rating/tie-bootstrap.js';
import type { StyleCoefficient, StyleReport } from '../report/leaderboard.js';
import type { BootstrapDistribution } from './bootstrap.js';
import { percentileIntervals } from './interval.js';
import type { RatedWithUncertainty, UncertaintyOptions } from './uncertainty.js';

/** How the intervals of an extended fit were computed (echoed as `params.intervals`). */
export type ExtendedIntervals = 'bootstrap' | 'sandwich';

/**
 * Which intervals an extended fit (tie model or style control) reports: bootstrap percentiles when
 * `ciMethod` is `bootstrap` and rounds > 0, else the Huber–White sandwich intervals computed with the fit (so that
 * `--bootstrap 0` keeps reporting intervals for the ratings, tie parameters and style coefficients). O(1).
 */
export function extendedIntervalsOf(opts: Pick<UncertaintyOptions, 'ciMethod' | 'rounds'>): ExtendedIntervals {
  return opts.ciMethod === 'bootstrap' && opts.rounds > 0 ? 'bootstrap' : 'sandwich';
}

const names = (models: readonly string[], ids: number[], max = 5) =>
  ids.length <= max
    ? ids.map((v) => JSON.stringify(models[v])).join(', ')
    : `${ids.slice(0, max).map((v) => JSON.stringify(models[v])).join(', ')} and ${ids.length - max} more`;

/** Percentile interval (type 7) of column `col` of the draws after `map`, widened to contain `value`. O(R log R). */
function columnInterval(bs: ParameterBootstrap, col: number, level: number, value: number, map: (x: number) => number = (x) => x): { lower: number; upper: number } {
  const v = new Float64Array(bs.rounds);
  for (let r = 0; r < bs.rounds; r++) v[r] = map(bs.draws[r * bs.p + col]!);
  v.sort();
  const lo = quantileSortedType7(v, (1 - level) / 2);
  const hi = quantileSortedType7(v, (1 + level) / 2);
  return { lower: Math.min(lo, value), upper: Math.max(hi, value) };
}

/**
 * Adds bootstrap uncertainty to a tie-model or style-control fit (`arena rate --ties davidson|rao-kupper` and/or
 * `--style-control` with `--bootstrap R`): R resamples of the battles, each refitted warm-started at the full-data
 * fit ({@link bootstrapTieModel}: multinomial over the pair × outcome cells; {@link bootstrapStyleControl}: the
 * battle rows resampled with replacement). Round r draws only from `deriveRng(seed, 'bootstrap', r)`, so the result
 * does not depend on anything but the seed. The rounds run in this thread (`threads` is ignored: it could not
 * change the numbers anyway).
 *
 * With `ciMethod: 'bootstrap'` (and R > 0) the ratings get percentile intervals (widened to contain the point
 * rating, as for plain Bradley–Terry), and so do the tie parameter (ν or θ_RK, percentiles of exp(η)) and the style
 * coefficients; with `sandwich` the fit's sandwich intervals are kept and the rounds, if any, feed only the rank
 * distribution. Rounds whose resample has no maximum-likelihood estimate are fitted with a small ridge prior and
 * counted in a warning.
 *
 * O(R · (N log K + refit)), N battles, K resampled cells (pairs × outcomes, or battle rows with style control).
 *
 * @param point a fit from `fitRatings` with a tie model or style control (it carries `extended`)
 * @throws RangeError when the point fit is not an extended fit, or the level is outside (0, 1)
 */
export function addExtendedUncertainty(point: PointFit, rate: RateOptions, opts: UncertaintyOptions): RatedWithUncertainty {
  const state = point.extended;
  if (!state) throw new RangeError('addExtendedUncertainty needs a tie-model or style-control fit');
  if (!(opts.level > 0 && opts.level < 1)) throw new RangeError(`the interval level must be in (0, 1), got ${opts.level}`);
  const m = point.models.length;
  const warnings: string[] = [];
  const ties = rate.ties;
  const tieModel = isTieModel(ties) ? ties : null;
  let bs: ParameterBootstrap | null = null;
  if (opts.rounds > 0 && m > 1 && state.table.battles > 0) {
    const bopts = { rounds: opts.rounds, seed: opts.seed, level: opts.level, onProgress: opts.onProgress };
    const fit = { prior: state.prior, tolerance: rate.tolerance, scale: rate, maxIterations: 200 };
    if (state.design) {
      const outcome = tieModel ?? (ties === 'ignore' ? 'ignore' : 'half');
      bs = bootstrapStyleControl(state.table, state.design, state.start, { ...fit, outcome, stylePrior: state.stylePrior }, bopts);
    } else if (tieModel) {
      bs = bootstrapTieModel(tieModel, state.cells, { theta: state.start, eta: state.eta }, fit, bopts);
    }
  }
  let dist: BootstrapDistribution | null = null;
  if (bs) {
    const f = pointsPerLogit(rate);
    const offset = rate.initial + point.shift;
    const ratings = new Float64Array(bs.rounds * m);
    for (let r = 0; r < bs.rounds; r++) for (let v = 0; v < m; v++) ratings[r * m + v] = f * bs.draws[r * bs.p + v]! + offset;
    dist = { rounds: bs.rounds, models: m, ratings, fallbacks: 0, degenerate: bs.degenerate };
    if (bs.degenerate > 0) {
      warnings.push(
        `In ${bs.degenerate} of ${bs.rounds} bootstrap rounds the resampled battles had no maximum-likelihood ratings (a model never won or never lost in the resample); those rounds were fitted with a ridge prior (λ = 0.01).`,
      );
    }
    if (bs.unconverged > 0) warnings.push(`${bs.unconverged} of ${bs.rounds} bootstrap refits did not converge in 200 iterations; their last iterates are kept.`);
  }
  if (extendedIntervalsOf(opts) === 'sandwich' || !bs || !dist) {
    return { point, options: opts, dist, linear: null, cov: null, intervals: point.intervals ?? null, warnings };
  }
  const p = percentileIntervals(dist, point.ratings, opts.level);
  const intervals: Intervals = { lower: p.lower, upper: p.upper };
  if (p.widened.length) {
    warnings.push(`The bootstrap percentile interval of ${names(point.models, p.widened)} did not contain the point rating (a skewed bootstrap distribution); it was widened to reach it.`);
  }
  let fit = point.fit;
  const tp = fit.tieParameters as TieParameters | undefined;
  if (tieModel && tp) {
    const key = tieModel === 'davidson' ? 'nu' : 'theta';
    const main = tp[key];
    const etaCol = state.design ? m + 4 : m;
    if (main && Number.isFinite(main.value)) {
      fit = { ...fit, tieParameters: { ...tp, [key]: { value: main.value, ...columnInterval(bs, etaCol, opts.level, main.value, Math.exp) } } };
    }
  }
  let style: StyleReport | undefined = point.style;
  if (style) {
    style = {
      ...style,
      intervals: 'bootstrap',
      coefficients: style.coefficients.map((c, q): StyleCoefficient => {
        if (!c.active) return { ...c, lower: 0, upper: 0, perUnitLower: 0, perUnitUpper: 0 };
        const { lower, upper } = columnInterval(bs, m + q, opts.level, c.coefficient);
        return { ...c, lower, upper, perUnitLower: lower / c.sd, perUnitUpper: upper / c.sd };
      }),
    };
  }
  const out: PointFit = { ...point, fit, intervals, ...(style ? { style } : {}) };
  return { point: out, options: opts, dist, linear: null, cov: null, intervals, warnings };
}
