/**
 * The uncertainty engine: one path from any fit of the rating-model family to intervals, ranks and rank
 * distributions — sandwich (closed form, every likelihood model) or bootstrap (worker threads, exact multinomial
 * cells, deterministic by seed for any thread count; control-variate quantiles wherever the model provides the
 * linearisation, i.e. every likelihood model: Bradley–Terry, Davidson, Rao–Kupper, style control over any of them;
 * online Elo has none). Every command and the library's `rateWithIntervals` go through it.
 */
import type { BattleTable } from '../data/table.js';
import { normalQuantile } from '../math/normal.js';
import { modelFor } from '../models/index.js';
import { DEFAULT_MODEL, type FitCovariance, type ModelFit, type ModelOptions, type RatingModel, type StyleCoefficient, type TieParameters } from '../models/types.js';
import { pointsPerLogit } from '../rating/scale.js';
import { resolveRoundsSolver } from '../rating/bt-sparse.js';
import { type BootstrapDistribution, bootstrapRatings } from './bootstrap.js';
import { type BootstrapJob, btBootstrapJob, eloBootstrapJob, jobHasControl, ROUND_PRIOR, SPARSE_CONTROL_MAX_MODELS } from './bootstrap-rounds.js';
import { controlIntervals, type LinearBootstrapModel, linearBootstrapModel } from './control-variate.js';
import { percentileIntervals, quantileSorted } from './interval.js';
import { contrastVariancesParallel } from './sandwich-parallel.js';
import { fewRoundsFor, simultaneousRanks, type SimultaneousRanks } from './simultaneous.js';

/** How intervals are computed: bootstrap percentiles, the Huber–White sandwich (normal approximation), or none. */
export type CiMethod = 'bootstrap' | 'sandwich' | 'none';

/**
 * How bootstrap quantiles are estimated: `control` uses each round's linearised refit as a control variate with a
 * known law (about 10× less Monte-Carlo error at the same rounds) for every likelihood model (Bradley–Terry, tie
 * models, style control); `plain` takes type-7 sample quantiles. Online Elo (no linearisation) always uses
 * `plain`, and so does any model whose linearised law is unusable (see `controlQuantiles`).
 */
export type BootstrapQuantiles = 'control' | 'plain';

/** Interval options: what `--ci-method --bootstrap --ci --seed --threads --bootstrap-quantiles` select. */
export interface IntervalOptions {
  readonly ciMethod: CiMethod;
  /** Bootstrap rounds (0 = none). With `sandwich` or `none` the rounds, if any, feed only rank distributions and P(above). */
  readonly rounds: number;
  /** Interval level in (0, 1). */
  readonly level: number;
  readonly seed: string | number;
  readonly bootstrapQuantiles: BootstrapQuantiles;
  /** Worker threads (default all cores); never changes the result. */
  readonly threads?: number | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  /**
   * Also compute simultaneous rank intervals at `level` ({@link RatedBoard.simultaneous}, see `simultaneousRanks`):
   * from the sandwich covariance or, with bootstrap intervals, from the rounds. Default false.
   */
  readonly simultaneous?: boolean | undefined;
}

/** Rounds of `--ci-method bootstrap` when `--bootstrap` is not given (FastChat's default). */
export const DEFAULT_BOOTSTRAP_ROUNDS = 1000;

/**
 * The default interval options: sandwich intervals at 95% for likelihood models (instant, deterministic, and the
 * closed form LMArena's arena-rank reports), none for online Elo unless rounds are asked for. See
 * {@link resolveCiMethod}.
 */
export const DEFAULT_INTERVALS: IntervalOptions = Object.freeze({ ciMethod: 'sandwich' as const, rounds: 0, level: 0.95, seed: 42, bootstrapQuantiles: 'control' as const });

/**
 * The interval method when none is named: `bootstrap` when rounds are asked for (`--bootstrap N` alone means
 * bootstrap intervals), else `sandwich` for likelihood models and `none` for online Elo (its only intervals need
 * resampling, which is never started unasked). O(1).
 */
export function resolveCiMethod(named: CiMethod | undefined, rounds: number, model: RatingModel): CiMethod {
  if (named) return named;
  if (rounds > 0) return 'bootstrap';
  return model.likelihood ? 'sandwich' : 'none';
}

/** Interval bounds per model id (display scale). */
export interface Intervals {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** A fit with its uncertainty: what every command formats. */
export interface RatedBoard {
  /** The point fit; its `fit.tieParameters` and `style` carry intervals by the chosen method. */
  readonly point: ModelFit;
  readonly model: RatingModel;
  readonly options: IntervalOptions;
  /** Intervals (display scale), or null (`none`, or bootstrap without rounds). */
  readonly intervals: Intervals | null;
  /** Sandwich covariance (natural scale, unanchored), when the method is `sandwich`. */
  readonly cov: FitCovariance | null;
  /** Bootstrap ratings (display scale; anchored per round under `--anchor`), when rounds > 0. */
  readonly dist: BootstrapDistribution | null;
  /** The linearised bootstrap's law (likelihood models with control quantiles), for contrasts such as a gap; else null. */
  readonly linear: LinearBootstrapModel | null;
  /** Anchor model id (−1: none): its interval has zero width and the others are intervals of the gap to it. */
  readonly reference: number;
  /**
   * Simultaneous rank intervals over every model (`simultaneous: true`; see `simultaneousRanks`), drawn from
   * `deriveRng(seed, 'simultaneous')` or taken from the rounds; absent or null when not asked for.
   */
  readonly simultaneous?: SimultaneousRanks | null;
  /** Plain-sentence warnings about the intervals. */
  readonly warnings: string[];
}

const names = (models: readonly string[], ids: number[], max = 5) =>
  ids.length <= max
    ? ids.map((v) => JSON.stringify(models[v])).join(', ')
    : `${ids.slice(0, max).map((v) => JSON.stringify(models[v])).join(', ')} and ${ids.length - max} more`;

/**
 * The bootstrap job of a fit (plain data, posted as is to worker threads). Display offsets are the initial
 * rating without the anchor shift: the engine anchors every round itself. O(pairs) for likelihood models on
 * cells, O(battles) for Elo, O(rows) for style control.
 */
export function bootstrapJobOf(fit: ModelFit): BootstrapJob {
  const o = fit.options;
  const offset = o.initial + (o.anchor ? 0 : fit.shift);
  switch (fit.kind) {
    case 'elo':
      return eloBootstrapJob(fit.table, { k: o.k, scale: o.scale, base: o.base, initial: o.initial, ties: o.ties === 'ignore' ? 'ignore' : 'half', shift: o.anchor ? 0 : fit.shift });
    case 'bt':
      return btBootstrapJob(fit.pairs, { theta: fit.theta, prior: fit.prior }, { ties: fit.ties, tolerance: o.tolerance, scale: o.scale, base: o.base, offset, solver: resolveRoundsSolver(o.solver, fit.models.length, fit.solver) });
    case 'tie': {
      // battle counts of the cells as the tie model sees them (both-bad merged into ties unless `separate`); on
      // weighted data each cell's battles keep the full data's mean weight (the two tie cells their merged mean)
      const c = fit.cells;
      const pc = fit.pairs;
      const sep = fit.bothBad === 'separate';
      const counts = new Float64Array(4 * c.pairs);
      const weights = pc.weight ? new Float64Array(4 * c.pairs) : null;
      let battles = 0;
      for (let k = 0; k < c.pairs; k++) {
        counts[4 * k] = pc.winsI[k]!;
        counts[4 * k + 1] = pc.winsJ[k]!;
        counts[4 * k + 2] = pc.ties[k]! + (sep ? 0 : pc.bothbad[k]!);
        counts[4 * k + 3] = sep ? pc.bothbad[k]! : 0;
        battles += pc.winsI[k]! + pc.winsJ[k]! + pc.ties[k]! + pc.bothbad[k]!;
        if (weights) {
          const w = pc.weight!;
          const mean = (sum: number, n: number) => (n > 0 ? sum / n : 1);
          weights[4 * k] = mean(w[4 * k]!, pc.winsI[k]!);
          weights[4 * k + 1] = mean(w[4 * k + 1]!, pc.winsJ[k]!);
          weights[4 * k + 2] = weights[4 * k + 3] = mean(w[4 * k + 2]! + w[4 * k + 3]!, pc.ties[k]! + pc.bothbad[k]!);
        }
      }
      // a tie-model round is a warm-started Newton fit (no factor made once, unlike BT's chord steps): its rounds take
      // the fit's path, which at 1,000 models on a league graph cost 72 ms sparse against 253 ms dense (bench/README)
      const solver = fit.solver;
      return { kind: 'tie', models: c.m, model: fit.tieModel, cells: c, counts, battles, weights, theta: fit.theta, eta: fit.eta, prior: fit.prior, tolerance: o.tolerance, scale: o.scale, base: o.base, offset, ...(solver === 'sparse' ? { solver } : {}) };
    }
    case 'style':
      return {
        kind: 'style',
        models: fit.models.length,
        table: fit.table,
        design: fit.design,
        outcome: fit.outcome,
        start: fit.x,
        prior: fit.prior,
        stylePrior: fit.stylePrior,
        tolerance: o.tolerance,
        scale: o.scale,
        base: o.base,
        offset,
      };
  }
}

/** Shifts every round so that model `ref` sits at `rating` (FastChat anchors each bootstrap round). O(R·m). */
function anchorRounds(x: Float64Array, R: number, m: number, ref: number, rating: number): void {
  for (let r = 0; r < R; r++) {
    const shift = rating - x[r * m + ref]!;
    for (let v = 0; v < m; v++) x[r * m + v]! += shift;
  }
}

/** Percentile interval (type 7) of one extra parameter's draws after `map`, widened to hold `value`. O(R log R). */
function extraInterval(dist: BootstrapDistribution, col: number, level: number, value: number, map: (x: number) => number = (x) => x): { lower: number; upper: number } {
  const v = new Float64Array(dist.rounds);
  for (let r = 0; r < dist.rounds; r++) v[r] = map(dist.extra![r * dist.extras + col]!);
  v.sort();
  return { lower: Math.min(quantileSorted(v, (1 - level) / 2), value), upper: Math.max(quantileSorted(v, (1 + level) / 2), value) };
}

/** Sandwich variance of θ_v − θ_ref (natural scale; ref −1: of θ_v). O(1). */
export function contrastVariance(c: FitCovariance, v: number, ref: number): number {
  const n = c.n;
  const e = c.entry ?? ((i: number, j: number) => c.cov[i * n + j]!);
  if (ref < 0) return e(v, v);
  return e(v, v) + e(ref, ref) - 2 * e(v, ref);
}

/**
 * Sandwich variances of every model's rating (of its gap to model `ref` when ref ≥ 0), natural scale: the
 * covariance's `contrastVariances` when it has one (the sparse Bradley–Terry sandwich: many solves per pass over the
 * cells), else {@link contrastVariance} model by model. Synchronous, in this thread. O(model's sandwich).
 */
export function boardVariances(c: FitCovariance, m: number, ref: number): Float64Array {
  const ids = Int32Array.from({ length: m }, (_, v) => v);
  if (c.contrastVariances) return c.contrastVariances(ids, ref);
  const out = new Float64Array(m);
  for (let v = 0; v < m; v++) out[v] = contrastVariance(c, v, ref);
  return out;
}

/**
 * {@link boardVariances} on worker threads when the covariance is a sparse sandwich (`contrastVariancesParallel`,
 * from `SANDWICH_PARALLEL_MODELS` models), else in this thread. Bit-identical for any `threads`.
 */
async function boardVariancesParallel(c: FitCovariance, m: number, ref: number, threads: number | undefined): Promise<Float64Array> {
  if (!c.sparse) return boardVariances(c, m, ref);
  return contrastVariancesParallel(
    c.sparse,
    Int32Array.from({ length: m }, (_, v) => v),
    ref,
    threads,
  );
}

/** Intervals rating ± z·sd from per-model variances (natural scale), z = Φ⁻¹((1 + level)/2). O(m). */
function intervalsFromVariances(point: ModelFit, variances: Float64Array, level: number): Intervals {
  const m = point.models.length;
  const z = normalQuantile((1 + level) / 2);
  const f = pointsPerLogit(point.options);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  for (let v = 0; v < m; v++) {
    const sd = Math.sqrt(Math.max(0, variances[v]!)) * f;
    lower[v] = point.ratings[v]! - z * sd;
    upper[v] = point.ratings[v]! + z * sd;
  }
  return { lower, upper };
}

/**
 * Sandwich intervals of a likelihood fit at `level`: rating ± z·sd, z = Φ⁻¹((1 + level)/2), sd the sandwich
 * standard deviation of the rating (of its gap to the anchor model under `--anchor`, so the anchor's interval has
 * zero width), all models' variances at once ({@link boardVariances}). Synchronous and deterministic: the
 * simulation engine calls it for every refit. O(model's sandwich).
 *
 * @throws RangeError for a fit without a likelihood (online Elo)
 */
export function sandwichIntervals(point: ModelFit, model: RatingModel, level: number): { intervals: Intervals; cov: FitCovariance } {
  if (!model.sandwich) throw new RangeError('sandwich intervals need a likelihood: use them with --method bt, or use --bootstrap N with --method elo');
  const cov = model.sandwich(point);
  return { intervals: intervalsFromVariances(point, boardVariances(cov, point.models.length, referenceOf(point)), level), cov };
}

/**
 * {@link sandwichIntervals} with a sparse sandwich's variances on `threads` worker threads (the same numbers, bit
 * for bit, for any `threads`): what {@link addIntervals} — every command — uses.
 *
 * @throws RangeError for a fit without a likelihood (online Elo)
 */
export async function sandwichIntervalsParallel(point: ModelFit, model: RatingModel, level: number, threads?: number): Promise<{ intervals: Intervals; cov: FitCovariance }> {
  if (!model.sandwich) throw new RangeError('sandwich intervals need a likelihood: use them with --method bt, or use --bootstrap N with --method elo');
  const cov = model.sandwich(point);
  const variances = await boardVariancesParallel(cov, point.models.length, referenceOf(point), threads);
  return { intervals: intervalsFromVariances(point, variances, level), cov };
}

/** The anchor model's id of a fit, or −1. */
function referenceOf(point: ModelFit): number {
  return point.options.anchor ? point.models.indexOf(point.options.anchor.model) : -1;
}

/** The fit's tie parameters and style coefficients with intervals by the chosen method. */
function withParameterIntervals(point: ModelFit, opts: IntervalOptions, cov: FitCovariance | null, dist: BootstrapDistribution | null): ModelFit {
  if (point.kind !== 'tie' && point.kind !== 'style') return point;
  const level = opts.level;
  const z = normalQuantile((1 + level) / 2);
  const sdOf = (name: string) => {
    const q = cov?.extra.get(name);
    return cov && q !== undefined ? Math.sqrt(Math.max(0, cov.cov[q * cov.n + q]!)) : Number.NaN;
  };
  const etaCol = point.kind === 'tie' ? 0 : point.design.features.length;
  let tieParameters = point.fit.tieParameters;
  if (tieParameters) {
    const key = 'nu' in tieParameters ? 'nu' : 'theta';
    const main = tieParameters[key]!;
    let iv: { lower?: number; upper?: number } = {};
    if (cov && Number.isFinite(point.eta)) {
      const se = sdOf('eta');
      if (Number.isFinite(se)) iv = { lower: Math.exp(point.eta - z * se), upper: Math.exp(point.eta + z * se) };
    } else if (dist?.extra && Number.isFinite(main.value)) iv = extraInterval(dist, etaCol, level, main.value, Math.exp);
    const share = tieParameters.bothbadShare;
    let next: Record<string, { value: number; lower?: number; upper?: number }> = { ...tieParameters, [key]: { value: main.value, ...iv } };
    if (share && share.lower !== undefined) {
      // the both-bad share's binomial interval at the requested level
      const ties = point.kind === 'tie' ? sum(point.cells.t) : Number.NaN;
      if (Number.isFinite(ties) && ties > 0) {
        const se = Math.sqrt((share.value * (1 - share.value)) / ties);
        next = { ...next, bothbadShare: { value: share.value, lower: Math.max(0, share.value - z * se), upper: Math.min(1, share.value + z * se) } };
      }
    }
    tieParameters = next as TieParameters;
  }
  const fit = { ...point.fit, ...(tieParameters ? { tieParameters } : {}) };
  if (point.kind === 'tie') return { ...point, fit };
  const how = cov ? 'sandwich' : dist?.extra ? 'bootstrap' : 'none';
  const coefficients = point.style.coefficients.map((c, q): StyleCoefficient => {
    if (!c.active) return { ...c, lower: 0, upper: 0, perUnitLower: 0, perUnitUpper: 0 };
    let lower = c.coefficient;
    let upper = c.coefficient;
    if (cov) {
      const sb = sdOf(`beta:${c.feature}`);
      lower = c.coefficient - z * sb;
      upper = c.coefficient + z * sb;
    } else if (dist?.extra) ({ lower, upper } = extraInterval(dist, q, level, c.coefficient));
    return { ...c, lower, upper, perUnitLower: lower / c.sd, perUnitUpper: upper / c.sd };
  });
  return { ...point, fit, style: { ...point.style, intervals: how, coefficients } };
}

function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k]!;
  return s;
}

/**
 * Adds uncertainty to a fit of any model of the family:
 * - `sandwich`: normal intervals from the model's sandwich covariance (every likelihood model; tie parameters and
 *   style coefficients too);
 * - `bootstrap` (rounds > 0): R resamples drawn exactly (multinomial over the model's cells, or over rows for
 *   style control; online Elo replays resampled rows) on worker threads, each refitted warm-started at the fit;
 *   percentile intervals — with the control variate for every likelihood model (BT, tie models, style control)
 *   unless `bootstrapQuantiles: 'plain'` — widened to hold the point (with a warning).
 * Under `--anchor` every round is anchored (FastChat): the anchor's interval has zero width, the others are
 * intervals of the gap to it; the sandwich does the same with the variance of θ_v − θ_anchor.
 * Rounds, when asked, also feed rank distributions and P(above) whatever the interval method.
 *
 * O(sandwich) or O(R · round / threads). Round r draws only from `deriveRng(seed, 'bootstrap', r)`.
 *
 * @throws RangeError for `sandwich` on a model without a likelihood, or a level outside (0, 1)
 */
export async function addIntervals(point: ModelFit, model: RatingModel, opts: IntervalOptions): Promise<RatedBoard> {
  if (!(opts.level > 0 && opts.level < 1)) throw new RangeError(`the interval level must be in (0, 1), got ${opts.level}`);
  const warnings: string[] = [];
  const m = point.models.length;
  const ref = referenceOf(point);
  let dist: BootstrapDistribution | null = null;
  let linear: LinearBootstrapModel | null = null;
  if (opts.rounds > 0 && point.battles > 0 && m > 1) {
    const job = bootstrapJobOf(point);
    if (opts.bootstrapQuantiles === 'control') linear = linearBootstrapModel(job);
    if (opts.bootstrapQuantiles === 'control' && (job.kind === 'bt' || job.kind === 'tie') && !jobHasControl(job)) {
      warnings.push(
        `Control-variate quantiles need the dense inverse information (${m} × ${m}), which the sparse solver does not form beyond ${SPARSE_CONTROL_MAX_MODELS} models: the bootstrap intervals are plain percentiles.`,
      );
    }
    dist = await bootstrapRatings(job, { rounds: opts.rounds, seed: opts.seed, threads: opts.threads, onProgress: opts.onProgress });
    if (ref >= 0) {
      anchorRounds(dist.ratings, dist.rounds, m, ref, point.options.anchor!.rating);
      if (dist.control) anchorRounds(dist.control, dist.rounds, m, ref, point.options.anchor!.rating);
    }
    if (dist.degenerate > 0) {
      warnings.push(
        `In ${dist.degenerate} of ${dist.rounds} bootstrap rounds the resampled battles had no maximum-likelihood ratings (a model never won or never lost in the resample); those rounds were fitted with a ridge prior (λ = ${ROUND_PRIOR}).`,
      );
    }
    if (dist.unconverged > 0) warnings.push(`${dist.unconverged} of ${dist.rounds} bootstrap refits did not converge in 200 iterations; their last iterates are kept.`);
  }
  let cov: FitCovariance | null = null;
  let intervals: Intervals | null = null;
  if (opts.ciMethod === 'sandwich') {
    ({ intervals, cov } = await sandwichIntervalsParallel(point, model, opts.level, opts.threads));
  } else if (opts.ciMethod === 'bootstrap' && dist) {
    const anchor = ref >= 0 ? { ref, rating: point.options.anchor!.rating } : null;
    const p = linear && dist.control ? controlIntervals(dist, linear, point.ratings, opts.level, undefined, anchor) : percentileIntervals(dist, point.ratings, opts.level);
    intervals = { lower: p.lower, upper: p.upper };
    if (p.widened.length) {
      warnings.push(
        `The bootstrap percentile interval of ${names(point.models, p.widened)} did not contain the point rating (a skewed bootstrap distribution${point.kind === 'elo' ? ': online Elo depends on battle order, and the rounds replay random orders' : ''}); it was widened to reach it.`,
      );
    }
  } else if (opts.ciMethod === 'bootstrap' && m > 1 && point.battles > 0) {
    throw new RangeError('bootstrap intervals need rounds ≥ 1');
  }
  const withParams = withParameterIntervals(point, opts, cov, opts.ciMethod === 'bootstrap' ? dist : null);
  const board: RatedBoard = { point: withParams, model, options: opts, intervals, cov, dist, linear, reference: ref, warnings };
  return opts.simultaneous ? { ...board, simultaneous: simultaneousOf(board) } : board;
}

/**
 * The simultaneous rank intervals of a rated board at its level and seed, with a warning when bootstrap rounds are
 * too few for the max-statistic's quantile (fewer than 20 beyond it).
 * @throws RangeError without intervals, or bootstrap intervals from fewer than 2 rounds
 */
function simultaneousOf(board: RatedBoard): SimultaneousRanks | null {
  const o = board.options;
  if (o.ciMethod === 'none') throw new RangeError('simultaneous rank intervals need the law of the rating gaps: sandwich or bootstrap intervals');
  if (o.ciMethod === 'bootstrap' && board.point.models.length > 1 && o.rounds < 2) throw new RangeError('simultaneous rank intervals from bootstrap intervals need at least 2 rounds');
  const s = simultaneousRanks(board, o.level, o.seed);
  const few = fewRoundsFor(o.level);
  if (s && s.method === 'bootstrap' && s.models > 1 && s.draws < few) {
    board.warnings.push(`Simultaneous ranks: the ${Math.round(o.level * 1000) / 10}% quantile of the max-statistic rests on ${s.draws} bootstrap rounds, fewer than 20 beyond it: the intervals are unstable (use --bootstrap ${few} or more, or the sandwich).`);
  }
  return s;
}

/**
 * The one call for "a leaderboard's numbers with intervals": fits the model that the options select (see
 * `modelFor`) and adds uncertainty ({@link addIntervals}). Missing options take LMArena's defaults
 * ({@link DEFAULT_MODEL}) and {@link DEFAULT_INTERVALS}; with `rounds` > 0 and no `ciMethod`, bootstrap intervals.
 *
 * @example
 * const board = await rateWithIntervals(table, { anchor: { model: 'mixtral-8x7b-instruct-v0.1', rating: 1114 } }, { rounds: 1000, seed: 1 });
 */
export async function rateWithIntervals(table: BattleTable, model: Partial<ModelOptions> = {}, intervals: Partial<IntervalOptions> = {}): Promise<RatedBoard> {
  const mo: ModelOptions = { ...DEFAULT_MODEL, ...model };
  const rm = modelFor(mo);
  const rounds = intervals.rounds ?? 0;
  const io: IntervalOptions = { ...DEFAULT_INTERVALS, ...intervals, rounds, ciMethod: resolveCiMethod(intervals.ciMethod, rounds, rm) };
  const withRounds = io.ciMethod === 'bootstrap' && rounds === 0 ? { ...io, rounds: DEFAULT_BOOTSTRAP_ROUNDS } : io;
  return addIntervals(rm.fit(table, mo), rm, withRounds);
}

/** A fit as a {@link RatedBoard} without intervals (ranks by rating): `--ci-method none`, synchronously. O(1). */
export function withoutIntervals(point: ModelFit, model: RatingModel): RatedBoard {
  return { point, model, options: { ...DEFAULT_INTERVALS, ciMethod: 'none' }, intervals: null, cov: null, dist: null, linear: null, reference: -1, warnings: [] };
}
