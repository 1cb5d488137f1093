import { aggregatePairs, modelTotals, type ModelTotals, type PairCounts } from '../data/aggregate.js';
import type { BattleTable } from '../data/table.js';
import { InputError, UsageError } from '../errors.js';
import { ciRanks, type FitInfo, type Leaderboard, type LeaderboardRow, orderByRating, type StyleReport } from '../report/leaderboard.js';
import { type BtCells, btCells, btLogLikelihood, fitBradleyTerry, type TiePolicy } from './bradley-terry.js';
import { replayElo } from './elo.js';
import { analyseGraph, type GraphStructure } from './graph.js';
import { dropBothBad, type ExtendedState, fitExtendedRatings, isTieModel } from './rate-extended.js';
import type { BothBadPolicy, TieModel } from './tie-models.js';
import { type Anchor, anchorShift, DEFAULT_SCALE, pointsPerLogit, type ScaleOptions, toDisplay } from './scale.js';

/** Ridge strength used when the data has no maximum-likelihood estimate and the user did not choose one. */
export const AUTO_PRIOR = 0.01;

/** Options of {@link rateTable} (the `arena rate` options). */
export interface RateOptions extends ScaleOptions {
  readonly method: 'bt' | 'elo';
  /** Elo K-factor. */
  readonly k: number;
  /** `half` / `ignore` (Bradley–Terry), or a likelihood tie model (`davidson`, `rao-kupper`; BT only). */
  readonly ties: TiePolicy | TieModel;
  /** How `tie (bothbad)` enters: one tie outcome (`tie`, default), its own parameter (`separate`), dropped (`ignore`). */
  readonly bothBad?: BothBadPolicy;
  /** Style control (BT only): a style term in the logit, fitted on battle rows with style fields. */
  readonly styleControl?: boolean;
  /** Ridge λ on the style coefficients (summed log-likelihood scale), default 0.5 (FastChat). */
  readonly stylePrior?: number;
  /** Interval level of the sandwich intervals the tie models and style control report [0.95]. */
  readonly ci?: number;
  readonly anchor: Anchor | null;
  /** BT ridge prior λ, or `auto`: 0 when the MLE exists, {@link AUTO_PRIOR} otherwise. */
  readonly prior: number | 'auto';
  /** BT convergence tolerance in rating points. */
  readonly tolerance: number;
}

/** `arena rate` defaults (LMArena's). */
export const DEFAULT_RATE: RateOptions = Object.freeze({
  ...DEFAULT_SCALE,
  method: 'bt' as const,
  k: 4,
  ties: 'half' as const,
  anchor: null,
  prior: 'auto' as const,
  tolerance: 1e-6,
});

/** A rating fit before intervals: display ratings per model id plus diagnostics. */
export interface PointFit {
  readonly models: readonly string[];
  /** Display-scale ratings, anchored, indexed like `models`. */
  readonly ratings: Float64Array;
  readonly fit: FitInfo;
  readonly warnings: string[];
  /** Aggregated cells (shared with interval methods). */
  readonly pairs: PairCounts;
  /** BT cells under the tie policy (BT only). */
  readonly cells: BtCells | null;
  /** Natural-scale strengths (BT only). */
  readonly theta: Float64Array | null;
  /** Prior used (BT only). */
  readonly prior: number;
  /** Anchor shift added to the display ratings. */
  readonly shift: number;
  readonly totals: ModelTotals;
  /** Intervals computed with the fit (the tie models and style control: sandwich), if any. */
  readonly intervals?: Intervals | null;
  /** Style coefficients (style control only). */
  readonly style?: StyleReport;
  /** The full-data state of a tie-model or style-control fit, for its bootstrap. */
  readonly extended?: ExtendedState;
}

const list = (names: string[], max = 5) =>
  names.length <= max ? names.map((n) => JSON.stringify(n)).join(', ') : `${names.slice(0, max).map((n) => JSON.stringify(n)).join(', ')} and ${names.length - max} more`;

/** Plain-sentence warnings about a comparison graph on which the BT maximum-likelihood estimate does not exist. */
export function graphWarnings(models: readonly string[], cells: BtCells, g: GraphStructure): string[] {
  const out: string[] = [];
  if (g.parts > 1) {
    const sizes = new Map<number, number>();
    for (let v = 0; v < cells.m; v++) sizes.set(g.part[v]!, (sizes.get(g.part[v]!) ?? 0) + 1);
    out.push(
      `The comparison graph falls into ${g.parts} disconnected parts (sizes ${[...sizes.values()].sort((a, b) => b - a).join(', ')}): ratings in different parts are not comparable.`,
    );
  }
  const scored = new Float64Array(cells.m);
  const played = new Float64Array(cells.m);
  for (let k = 0; k < cells.pairs; k++) {
    scored[cells.i[k]!]! += cells.s[k]!;
    scored[cells.j[k]!]! += cells.n[k]! - cells.s[k]!;
    played[cells.i[k]!]! += cells.n[k]!;
    played[cells.j[k]!]! += cells.n[k]!;
  }
  const never = (pred: (v: number) => boolean) => models.filter((_, v) => played[v]! > 0 && pred(v));
  const noLoss = never((v) => scored[v] === played[v]);
  const noWin = never((v) => scored[v] === 0);
  const unplayed = models.filter((_, v) => played[v] === 0);
  if (noLoss.length) out.push(`${list(noLoss)} never lost: the maximum-likelihood rating is +infinity.`);
  if (noWin.length) out.push(`${list(noWin)} never won: the maximum-likelihood rating is −infinity.`);
  if (unplayed.length) out.push(`${list(unplayed)} took part in no counted battle (only ties, which are ignored).`);
  if (g.parts === 1 && !noLoss.length && !noWin.length && !unplayed.length && g.groups > 1) {
    out.push(`The models split into ${g.groups} groups with no win from a lower group over a higher one: the maximum-likelihood ratings do not exist.`);
  }
  return out;
}

/**
 * Point ratings from battles: Bradley–Terry (aggregated cells, Newton) or online Elo (replay in row order).
 * BT policy on degenerate data: when the "scored against" graph is not strongly connected (a model never lost
 * or never won, disconnected parts), the maximum-likelihood estimate does not exist; with `prior: 'auto'` a
 * ridge prior λ = {@link AUTO_PRIOR} is added (a Gaussian prior with σ = 10 natural units, about 1,737 points)
 * and the warnings say which models it affects. An explicit `prior: 0` on such data is an error.
 *
 * @throws InputError when the anchor model is absent or an explicit zero prior meets degenerate data
 */
export function fitRatings(input: BattleTable, opts: RateOptions): PointFit {
  if (opts.method === 'bt' && (isTieModel(opts.ties) || opts.styleControl)) return fitExtendedRatings(input, opts);
  if (isTieModel(opts.ties) || opts.styleControl) throw new UsageError('tie models (--ties davidson|rao-kupper) and --style-control need --method bt');
  const t = opts.bothBad === 'ignore' ? dropBothBad(input) : input;
  const ties = opts.ties as TiePolicy;
  const pairs = aggregatePairs(t);
  const totals = modelTotals(pairs);
  const warnings: string[] = [];
  if (opts.method === 'elo') {
    const ratings = replayElo(t, { ...opts, ties });
    const shift = anchorOrThrow(t.models, ratings, opts.anchor);
    for (let v = 0; v < ratings.length; v++) ratings[v]! += shift;
    const cells = btCells(pairs, ties);
    const f = pointsPerLogit(opts);
    const theta = Float64Array.from(ratings, (r) => r / f);
    const comparisons = cells.n.reduce((a, b) => a + b, 0);
    const ll = comparisons ? btLogLikelihood(cells, theta) / comparisons : 0;
    return { models: t.models, ratings, fit: { converged: true, iterations: 1, logLikelihood: ll }, warnings, pairs, cells: null, theta: null, prior: 0, shift, totals };
  }
  const cells = btCells(pairs, ties);
  const graph = analyseGraph(cells);
  const degenerate = graph.groups > 1;
  let prior = opts.prior === 'auto' ? (degenerate ? AUTO_PRIOR : 0) : opts.prior;
  if (degenerate) {
    warnings.push(...graphWarnings(t.models, cells, graph));
    if (prior === 0) {
      throw new InputError(`the maximum-likelihood ratings do not exist for these battles (${warnings[0]}) — use --prior with a positive value`, {});
    }
    warnings.push(
      opts.prior === 'auto'
        ? `A ridge prior (λ = ${prior}, --prior) keeps every rating finite; the ratings of the models named above are set mostly by the prior.`
        : `The ridge prior (λ = ${prior}) keeps every rating finite; the ratings of the models named above are set mostly by the prior.`,
    );
  }
  if (cells.m === 1) warnings.push('Only one model: its rating is the initial rating.');
  prior = Math.max(prior, 0);
  const fit = fitBradleyTerry(cells, { prior, tolerance: opts.tolerance, scale: opts, maxIterations: 200 });
  if (!fit.converged) warnings.push(`The Bradley–Terry fit did not converge in ${fit.iterations} iterations.`);
  const ratings = toDisplay(fit.theta, opts);
  const shift = anchorOrThrow(t.models, ratings, opts.anchor);
  for (let v = 0; v < ratings.length; v++) ratings[v]! += shift;
  return {
    models: t.models,
    ratings,
    fit: { converged: fit.converged, iterations: fit.iterations, logLikelihood: fit.comparisons ? fit.logLikelihood / fit.comparisons : 0, prior },
    warnings,
    pairs,
    cells,
    theta: fit.theta,
    prior,
    shift,
    totals,
  };
}

function anchorOrThrow(models: readonly string[], ratings: Float64Array, anchor: Anchor | null): number {
  try {
    return anchorShift(models, ratings, anchor);
  } catch (e) {
    throw new InputError((e as Error).message, { field: '--anchor' });
  }
}

/** Interval bounds per model id, to be shown on a leaderboard. */
export interface Intervals {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/**
 * Assembles the leaderboard (sorted rows, LMArena ranks) from a point fit and optional intervals.
 */
export function buildLeaderboard(
  point: PointFit,
  params: Readonly<Record<string, unknown>>,
  battles: number,
  method: string,
  intervals: Intervals | null,
  extraWarnings: readonly string[] = [],
): Leaderboard {
  const { ratings, totals } = point;
  intervals = intervals ?? point.intervals ?? null;
  const ranks = ciRanks(ratings, intervals?.lower, intervals?.upper);
  const rows: LeaderboardRow[] = orderByRating(point.models, ratings).map((v) => ({
    model: point.models[v]!,
    rating: ratings[v]!,
    ...(intervals ? { lower: intervals.lower[v]!, upper: intervals.upper[v]! } : {}),
    rank: ranks[v]!,
    battles: totals.battles[v]!,
    wins: totals.wins[v]!,
    losses: totals.losses[v]!,
    ties: totals.ties[v]!,
  }));
  return { method, params, battles, models: rows, fit: point.fit, ...(point.style ? { style: point.style } : {}), warnings: [...point.warnings, ...extraWarnings] };
}

/** The parameters echoed in a leaderboard's `params`. */
export function rateParams(opts: RateOptions): Record<string, unknown> {
  const p: Record<string, unknown> = { scale: opts.scale, base: opts.base, initial: opts.initial, ties: opts.ties, anchor: opts.anchor ? { model: opts.anchor.model, rating: opts.anchor.rating } : null };
  p.bothBad = opts.bothBad ?? 'tie';
  if (opts.styleControl) {
    p.styleControl = true;
    p.stylePrior = opts.stylePrior ?? 0.5;
  }
  if (opts.method === 'bt' && (isTieModel(opts.ties) || opts.styleControl)) p.intervals = 'sandwich';
  if (opts.method === 'elo') p.k = opts.k;
  else {
    p.prior = opts.prior;
    p.tolerance = opts.tolerance;
  }
  return p;
}

/**
 * Rates battles without intervals: the whole `arena rate` pipeline for `--bootstrap 0`.
 */
export function rateTable(t: BattleTable, options: Partial<RateOptions> = {}): Leaderboard {
  const opts = { ...DEFAULT_RATE, ...options };
  const point = fitRatings(t, opts);
  return buildLeaderboard(point, rateParams(opts), t.battles, opts.method, null);
}
