import { aggregatePairs, modelTotals } from '../data/aggregate.js';
import { filterRows, type BattleTable } from '../data/table.js';
import { InputError } from '../errors.js';
import type { FitInfo, StyleCoefficient, StyleReport } from '../report/leaderboard.js';
import { normalQuantile } from '../stats/normal.js';
import { btCells, type TiePolicy } from './bradley-terry.js';
import { analyseGraph } from './graph.js';
import { AUTO_PRIOR, graphWarnings, type Intervals, type PointFit, type RateOptions } from './rate.js';
import { anchorShift, pointsPerLogit, toDisplay } from './scale.js';
import { DEFAULT_STYLE_PRIOR, fitStyleControl, type StyleDesign, styleDesign } from './style.js';
import { type BothBadPolicy, fitTieModel, type TieCells, tieCells, type TieModel, tieSandwichCovariance, tieTotals } from './tie-models.js';

/**
 * What a bootstrap of an extended fit needs from the full-data fit (kept on `PointFit.extended`): the battles as
 * fitted (both-bad dropped under `--both-bad ignore`), the tie cells, the style design, the warm start and the
 * prior, so that rounds refit exactly the point fit's model without refitting the full data.
 */
export interface ExtendedState {
  /** The battles as fitted. */
  readonly table: BattleTable;
  /** Tie cells of the fitted battles (tie models). */
  readonly cells: TieCells;
  /** Standardised style design (style control), else null. */
  readonly design: StyleDesign | null;
  /** Warm start: θ (tie model) or the free parameters x = (θ, active β, η) (style control), natural scale. */
  readonly start: Float64Array;
  /** Tie parameter η of the fit (NaN without a tie model). */
  readonly eta: number;
  /** Ridge λ on θ used by the fit. */
  readonly prior: number;
  /** Ridge λ on the style coefficients (style control). */
  readonly stylePrior: number;
  /** Tie totals of the fitted battles (for the both-bad share). */
  readonly ties: number;
  readonly bothbad: number;
}

/** A parameter estimate with its interval (absent bounds: no interval). */
export interface Estimate {
  readonly value: number;
  readonly lower?: number;
  readonly upper?: number;
}

/**
 * Tie parameters as reported in `fit.tieParameters`: Davidson `nu` (ν ≥ 0), Rao–Kupper `theta` (θ ≥ 1); under
 * `--both-bad separate` also `bothbadShare` (share of ties labelled both-bad) and, for Davidson, `nuTie` and
 * `nuBothbad` (ν·(1−share), ν·share).
 */
export type TieParameters = Readonly<Record<string, Estimate>>;

/** Whether a `--ties` value names a likelihood tie model. */
export function isTieModel(ties: string): ties is TieModel {
  return ties === 'davidson' || ties === 'rao-kupper';
}

/** Drops the `tie (bothbad)` battles of a table (`--both-bad ignore`). O(rows). */
export function dropBothBad(t: BattleTable): BattleTable {
  for (let r = 0; r < t.rows; r++) if (t.outcome[r] === 3) return filterRows(t, (row) => t.outcome[row] !== 3);
  return t;
}

const z = (level: number) => normalQuantile((1 + level) / 2);

/** Interval of exp(η) from η ± z·se (the tie parameters are positive; intervals are built on the log scale). */
function expEstimate(eta: number, se: number, zz: number): Estimate {
  if (!Number.isFinite(eta)) return { value: Math.exp(eta) };
  return Number.isFinite(se) ? { value: Math.exp(eta), lower: Math.exp(eta - zz * se), upper: Math.exp(eta + zz * se) } : { value: Math.exp(eta) };
}

function shareEstimate(bb: number, ties: number, zz: number): Estimate {
  const p = bb / ties;
  const se = Math.sqrt((p * (1 - p)) / ties);
  return { value: p, lower: Math.max(0, p - zz * se), upper: Math.min(1, p + zz * se) };
}

/** Tie-parameter report of a fit with η and its SE. */
export function tieParameterReport(model: TieModel, eta: number, seEta: number, bothBad: BothBadPolicy, ties: number, bothbad: number, level: number): TieParameters {
  const zz = z(level);
  const main = expEstimate(eta, seEta, zz);
  const out: Record<string, Estimate> = model === 'davidson' ? { nu: main } : { theta: main };
  if (bothBad === 'separate' && ties > 0) {
    const share = shareEstimate(bothbad, ties, zz);
    out.bothbadShare = share;
    if (model === 'davidson') {
      out.nuTie = { value: main.value * (1 - share.value) };
      out.nuBothbad = { value: main.value * share.value };
    }
  }
  return out;
}

/**
 * Point ratings, sandwich intervals and diagnostics for the fits beyond "a tie is half a win": a tie model
 * (`ties` davidson | rao-kupper, on aggregated cells) and/or style control (`styleControl`, on battle rows), under
 * the both-bad policy. Degenerate comparison graphs get the same treatment as plain Bradley–Terry (warnings, the
 * automatic ridge prior). Intervals are Huber–White sandwich intervals at `opts.ci` (default 0.95) on the ratings
 * (and the tie parameters and style coefficients); an anchor shifts ratings and bounds alike.
 *
 * @throws InputError on degenerate data with an explicit zero prior, a missing anchor, or style control without
 * style fields
 */
export function fitExtendedRatings(input: BattleTable, opts: RateOptions): PointFit {
  const bothBad: BothBadPolicy = opts.bothBad ?? 'tie';
  const t = bothBad === 'ignore' ? dropBothBad(input) : input;
  const level = opts.ci ?? 0.95;
  const pairs = aggregatePairs(t);
  const totals = modelTotals(pairs);
  const warnings: string[] = [];
  const cells = tieCells(pairs, bothBad === 'ignore' ? 'tie' : bothBad);
  const tot = tieTotals(cells);
  const ties = opts.ties;
  const halfOrIgnore: TiePolicy = ties === 'ignore' ? 'ignore' : 'half';
  if (isTieModel(ties) && !(tot.decided > 0)) throw new InputError(`--ties ${ties}: the battles hold no decided (non-tie) battle, so the tie parameter has no finite estimate`, {});
  const bt = btCells(pairs, halfOrIgnore);
  const graph = analyseGraph(bt);
  const degenerate = graph.groups > 1;
  let prior = opts.prior === 'auto' ? (degenerate ? AUTO_PRIOR : 0) : opts.prior;
  if (degenerate) {
    warnings.push(...graphWarnings(t.models, bt, graph));
    if (prior === 0) throw new InputError(`the maximum-likelihood ratings do not exist for these battles (${warnings[0]}) — use --prior with a positive value`, {});
    warnings.push(`A ridge prior (λ = ${prior}, --prior) keeps every rating finite; the ratings of the models named above are set mostly by the prior.`);
  }
  prior = Math.max(prior, 0);
  const m = t.models.length;
  const f = pointsPerLogit(opts);
  const zz = z(level);
  let theta: Float64Array;
  let se: Float64Array;
  let fit: FitInfo;
  let style: StyleReport | undefined;
  let state: ExtendedState;
  const modelName = ties === 'davidson' ? 'Davidson' : ties === 'rao-kupper' ? 'Rao–Kupper' : 'Bradley–Terry';
  if (opts.styleControl) {
    const design = styleDesign(t);
    const stylePrior = opts.stylePrior ?? DEFAULT_STYLE_PRIOR;
    const s = fitStyleControl(t, design, { outcome: ties, prior, stylePrior, tolerance: opts.tolerance, scale: opts, maxIterations: 200 });
    theta = s.theta;
    state = { table: t, cells, design, start: s.x, eta: s.eta, prior, stylePrior, ties: tot.ties, bothbad: tot.bothbad };
    se = Float64Array.from({ length: m }, (_, v) => Math.sqrt(Math.max(0, s.cov[v * s.n + v]!)));
    if (!s.converged) warnings.push(`The style-controlled ${modelName} fit did not converge in ${s.iterations} iterations.`);
    const coefficients = design.features.map((feature, q): StyleCoefficient => {
      const idx = s.betaIndex[q]!;
      const b = s.beta[q]!;
      const sb = idx >= 0 ? Math.sqrt(Math.max(0, s.cov[idx * s.n + idx]!)) : 0;
      const sd = design.sd[q]!;
      return {
        feature,
        coefficient: b,
        lower: b - zz * sb,
        upper: b + zz * sb,
        perUnit: b / sd,
        perUnitLower: (b - zz * sb) / sd,
        perUnitUpper: (b + zz * sb) / sd,
        points: b * f,
        mean: design.mean[q]!,
        sd,
        active: idx >= 0,
      };
    });
    for (const c of coefficients) if (!c.active) warnings.push(`Style feature ${c.feature} does not vary across battles: its coefficient is fixed at 0.`);
    style = { prior: stylePrior, intervals: 'sandwich', coefficients };
    const seEta = s.etaIndex >= 0 ? Math.sqrt(Math.max(0, s.cov[s.etaIndex * s.n + s.etaIndex]!)) : Number.NaN;
    fit = {
      converged: s.converged,
      iterations: s.iterations,
      logLikelihood: s.battles ? s.logLikelihood / s.battles : 0,
      prior,
      ...(isTieModel(ties) ? { tieParameters: tieParameterReport(ties, s.eta, seEta, bothBad, tot.ties, tot.bothbad, level) } : {}),
    };
  } else if (isTieModel(ties)) {
    const r = fitTieModel(ties, cells, { prior, tolerance: opts.tolerance, scale: opts, maxIterations: 200 });
    if (!r.converged) warnings.push(`The ${modelName} fit did not converge in ${r.iterations} iterations.`);
    if (!(tot.ties > 0)) warnings.push(`No tie in the battles: the ${modelName} tie parameter sits on its boundary (${ties === 'davidson' ? 'ν = 0' : 'θ = 1'}) and the ratings are plain Bradley–Terry.`);
    theta = r.theta;
    state = { table: t, cells, design: null, start: r.theta, eta: r.eta, prior, stylePrior: 0, ties: tot.ties, bothbad: tot.bothbad };
    const { cov, n } = tieSandwichCovariance(ties, cells, r.theta, r.eta, prior);
    se = Float64Array.from({ length: m }, (_, v) => Math.sqrt(Math.max(0, cov[v * n + v]!)));
    const seEta = n > m ? Math.sqrt(Math.max(0, cov[m * n + m]!)) : Number.NaN;
    fit = {
      converged: r.converged,
      iterations: r.iterations,
      logLikelihood: r.battles ? r.logLikelihood / r.battles : 0,
      prior,
      tieParameters: tieParameterReport(ties, r.eta, seEta, bothBad, tot.ties, tot.bothbad, level),
    };
  } else {
    throw new Error('fitExtendedRatings needs a tie model or style control');
  }
  const ratings = toDisplay(theta, opts);
  let shift: number;
  try {
    shift = anchorShift(t.models, ratings, opts.anchor);
  } catch (e) {
    throw new InputError((e as Error).message, { field: '--anchor' });
  }
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  for (let v = 0; v < m; v++) {
    ratings[v]! += shift;
    lower[v] = ratings[v]! - zz * se[v]! * f;
    upper[v] = ratings[v]! + zz * se[v]! * f;
  }
  const intervals: Intervals = { lower, upper };
  return { models: t.models, ratings, fit, warnings, pairs, cells: null, theta, prior, shift, totals, intervals, ...(style ? { style } : {}), extended: state };
}
