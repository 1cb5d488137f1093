/**
 * Covariates over any likelihood model: style control ("contextual Bradley–Terry", LMArena's style control since
 * 2024) and any numeric per-battle covariates (`--covariate`) add Σ_q βq·xq to the logit gap of each battle, x the
 * standardised style differences from `conv_metadata` and the standardised covariates, and fit θ, β (and the
 * wrapped model's tie parameter) jointly on battle rows. Form (`--style-form`): LMArena's current objective
 * (`lmarena`, arena-rank's `ContextualBradleyTerry`) or FastChat's 2024 one (`fastchat-2024`); optional inverse
 * pair-frequency weights (`reweight`).
 */
import type { BattleTable } from '../data/table.js';
import { InputError, UsageError } from '../errors.js';
import { normalQuantile } from '../math/normal.js';
import { btCells, fitBradleyTerry } from '../rating/bradley-terry.js';
import { pointsPerLogit, toDisplay } from '../rating/scale.js';
import { covariateDesign, DEFAULT_FORM_PRIOR, featureSpread, fitStyleControl, rowWeights, type StyleDesign, type StyleFit } from '../rating/style.js';
import { fitCovariatesBySteps } from '../rating/style-steps.js';
import type { PairStepSums } from '../data/step-sql.js';
import { STYLE_FEATURES } from '../data/style-fields.js';
import { type BothBadPolicy, type OutcomeModel, tieCells, tieTotals } from '../rating/tie-models.js';
import { weightedCounts } from '../data/weights.js';
import { fitBase, type FittedData, fittedData, resolvePrior } from './common.js';
import { tieModelName, tieParameterReport } from './tie-model.js';
import type { CovariateModelFit, FitCovariance, ModelFit, ModelOptions, RatingModel, StyleCoefficient } from './types.js';

/**
 * Wraps a likelihood model with style covariates. The wrapped model contributes its outcome law
 * (`RatingModel.outcome`); the wrapper fits on rows (features vary per battle, so rows cannot be folded into
 * cells), reports the coefficients with sandwich intervals at 95% (the uncertainty engine replaces them at the
 * requested level and method), and its sandwich covers (θ, active β, η). O(iterations · rows · K² + n³).
 *
 * @throws UsageError when the wrapped model has no likelihood
 */
export function withCovariates(base: RatingModel): RatingModel {
  const outcomeOf = base.outcome;
  if (!base.likelihood || !outcomeOf) throw new UsageError(`--style-control and --covariate need a likelihood model (--method bt), not ${base.name}`);
  return Object.freeze({
    name: `${base.name}+style`,
    likelihood: true,
    outcome: outcomeOf,
    fit(input: BattleTable, opts: ModelOptions): CovariateModelFit {
      const outcome = outcomeOf(opts);
      const bothBad = opts.bothBad ?? 'tie';
      const d = fittedData(input, opts);
      const t = d.table;
      const tieModel = outcome === 'davidson' || outcome === 'rao-kupper' ? outcome : null;
      const tot = tieTotals(tieCells(d.pairs, bothBad === 'ignore' ? 'tie' : bothBad));
      if (tieModel && !(tot.decided > 0)) throw new InputError(`--ties ${tieModel}: the battles hold no decided (non-tie) battle, so the tie parameter has no finite estimate`, {});
      const cells = btCells(d.pairs, outcome === 'ignore' ? 'ignore' : 'half');
      const { prior, warnings } = resolvePrior(t.models, cells, opts.prior);
      const form = opts.styleForm ?? 'lmarena';
      const hasCov = (opts.covariates?.length ?? 0) > 0;
      const reweight = opts.reweight ?? null;
      // battle weights: the per-row `weight` times the pair weights of --reweight pairs, normalised to mean 1
      const design = covariateDesign(t, { style: opts.styleControl ? form : null, covariates: hasCov, rowWeight: rowWeights(t, reweight ? reweight.floor : null, true, d.pairs) });
      if (hasCov) {
        const want = opts.covariates!.map((c) => c.name).join(', ');
        const got = t.covariates!.names.join(', ');
        if (want !== got) throw new InputError(`the battles were read with covariates (${got}), not the ones asked for (${want})`, { field: '--covariate' });
      }
      // lmarena: reg on the mean weighted log-likelihood = λ = reg·N on the summed scale (weights have mean 1)
      const reg = opts.stylePrior ?? DEFAULT_FORM_PRIOR[form];
      const stylePrior = form === 'lmarena' ? reg * t.battles : reg;
      // warm start (half / ignore): θ of the plain fit on the pair cells (cheap), β = 0; the row passes are the cost
      // (on weighted data the weighted cells: the plain fit of the same weighted likelihood, one Newton step nearer)
      const init = tieModel ? undefined : fitBradleyTerry(d.pairs.weight ? btCells(weightedCounts(d.pairs), outcome === 'ignore' ? 'ignore' : 'half') : cells, { prior: Math.max(prior, 1e-8), scale: opts, tolerance: 1e-3, maxIterations: 50 }).theta;
      const s = fitStyleControl(t, design, { outcome, prior, stylePrior, tolerance: opts.tolerance, scale: opts, maxIterations: 200, centreScores: form === 'lmarena', init });
      return covariateFit(d, opts, { outcome, bothBad, design, s, prior, stylePrior, reg, tieModel, tieTotals: tot, warnings });
    },
    sandwich(fit: ModelFit): FitCovariance {
      if (fit.kind !== 'style') throw new TypeError(`withCovariates.sandwich needs a style fit, got ${fit.kind}`);
      const extra = new Map<string, number>();
      fit.design.features.forEach((feature, q) => {
        if (fit.betaIndex[q]! >= 0) extra.set(`beta:${feature}`, fit.betaIndex[q]!);
      });
      if (fit.etaIndex >= 0) extra.set('eta', fit.etaIndex);
      return { cov: fit.cov, n: fit.n, extra };
    },
  });
}

/** What {@link covariateFit} turns into a {@link CovariateModelFit}. */
interface CovariateFitParts {
  readonly outcome: OutcomeModel;
  readonly bothBad: BothBadPolicy;
  readonly design: StyleDesign;
  readonly s: StyleFit;
  readonly prior: number;
  readonly stylePrior: number;
  /** `lmarena`'s reg (on the mean log-likelihood), echoed in the report. */
  readonly reg: number;
  readonly tieModel: 'davidson' | 'rao-kupper' | null;
  readonly tieTotals: { readonly ties: number; readonly bothbad: number };
  readonly warnings: string[];
}

/** The fit's report: ratings, coefficients with 95% sandwich intervals, warnings (node rows or SQL steps alike). */
function covariateFit(d: FittedData, opts: ModelOptions, p: CovariateFitParts): CovariateModelFit {
  const { outcome, bothBad, design, s, prior, stylePrior, reg, tieModel, warnings } = p;
  const tot = p.tieTotals;
  const form = opts.styleForm ?? 'lmarena';
  const reweight = opts.reweight ?? null;
  if (!s.converged) warnings.push(`The covariate-adjusted ${tieModel ? tieModelName(tieModel) : 'Bradley–Terry'} fit did not converge in ${s.iterations} iterations.`);
  const f = pointsPerLogit(opts);
  const z = normalQuantile(0.975);
  const coefficients = design.features.map((feature, q): StyleCoefficient => {
    const idx = s.betaIndex[q]!;
    const b = s.beta[q]!;
    const sb = idx >= 0 ? Math.sqrt(Math.max(0, s.cov[idx * s.n + idx]!)) : 0;
    const sd = design.sd[q]!;
    return { feature, coefficient: b, lower: b - z * sb, upper: b + z * sb, perUnit: b / sd, perUnitLower: (b - z * sb) / sd, perUnitUpper: (b + z * sb) / sd, points: b * f, mean: design.mean[q]!, sd, active: idx >= 0 };
  });
  for (const c of coefficients) if (!c.active) warnings.push(`Feature ${c.feature} does not vary across battles: its coefficient is fixed at 0.`);
  const info = {
    converged: s.converged,
    iterations: s.iterations,
    logLikelihood: s.battles ? s.logLikelihood / s.battles : 0,
    prior,
    ...(tieModel ? { tieParameters: tieParameterReport(tieModel, s.eta, Number.NaN, bothBad, tot.ties, tot.bothbad, 0.95) } : {}),
  };
  return {
    kind: 'style',
    ...fitBase(d, toDisplay(s.theta, opts), opts, info, warnings),
    outcome,
    bothBad,
    design,
    theta: s.theta,
    beta: s.beta,
    eta: s.eta,
    x: s.x,
    cov: s.cov,
    n: s.n,
    betaIndex: s.betaIndex,
    etaIndex: s.etaIndex,
    prior,
    stylePrior,
    style: { prior: stylePrior, form, ...(form === 'lmarena' ? { reg } : {}), reweight: reweight ? { floor: reweight.floor } : null, intervals: 'sandwich', coefficients },
  };
}

/**
 * Where the battles of {@link fitCovariatesInDatabase} live: their checked cells, and the two queries of
 * `data/step-sql.ts` run where the rows are (the DuckDB engine's `openCovariateSteps`, or any engine by the recipe
 * of docs/reference.md).
 */
export interface CovariateStepSource {
  /** The cells of the battles (names, pair counts): the prior, the warm start and the report's totals. */
  readonly cells: BattleTable;
  /** The constants pass: Σ count, Σ count·weight, per covariate the mean and Σ count·(x − mean)². */
  constants(): Promise<{ readonly battles: number; readonly sw: number; readonly mean: Float64Array; readonly ss: Float64Array }>;
  /** The step query at θ (by the cells' model ids) and the named parameters (`beta1`, `mean1`, `sd1`, …, `wnorm`). */
  step(theta: Float64Array, params: ReadonlyMap<string, number>): Promise<PairStepSums>;
}

/**
 * The covariate fit of {@link withCovariates} (Bradley–Terry, ties half or ignored, style control and numeric
 * covariates, per-row weights) with every pass over the battle rows done by the source's queries: the constants pass gives the
 * standardisation, each Newton step one step query, and the same prior, warm start, ridge (`--style-form`,
 * `--style-prior`), stopping rule and sandwich apply, so the result equals the node fit on the same battles up to
 * the order of summation (tested to 1e-9 rating points). Rows never reach Node.
 * O(iterations · (one scan of the battles + pairs·K² + n³)).
 *
 * @throws UsageError for what the step query does not cover: tie models, --reweight pairs
 */
export async function fitCovariatesInDatabase(source: CovariateStepSource, base: RatingModel, opts: ModelOptions): Promise<CovariateModelFit> {
  const outcome = base.outcome?.(opts);
  if (outcome !== 'half' && outcome !== 'ignore') throw new UsageError('--engine duckdb fits covariates with --ties half or ignore (the step query has no tie parameter): use --engine node for tie models');
  if (opts.reweight) throw new UsageError('--engine duckdb fits covariates without --reweight pairs (the pair totals would need the seats folded in SQL): use --engine node');
  const bothBad = opts.bothBad ?? 'tie';
  const d = fittedData(source.cells, opts);
  const t = d.table;
  const cells = btCells(d.pairs, outcome === 'ignore' ? 'ignore' : 'half');
  const { prior, warnings } = resolvePrior(t.models, cells, opts.prior);
  const form = opts.styleForm ?? 'lmarena';
  const reg = opts.stylePrior ?? DEFAULT_FORM_PRIOR[form];
  const stylePrior = form === 'lmarena' ? reg * t.battles : reg;
  const init = fitBradleyTerry(d.pairs.weight ? btCells(weightedCounts(d.pairs), outcome === 'ignore' ? 'ignore' : 'half') : cells, { prior: Math.max(prior, 1e-8), scale: opts, tolerance: 1e-3, maxIterations: 50 }).theta;
  const c = await source.constants();
  if (c.battles !== t.battles) throw new Error(`the constants pass counted ${c.battles} battles, the cells ${t.battles}`);
  const { sd, active } = featureSpread(c.mean, c.ss, c.battles);
  const features = [...(opts.styleControl ? STYLE_FEATURES : []), ...(opts.covariates ?? []).map((x) => x.name)];
  const wnorm = c.sw > 0 ? c.battles / c.sw : 1;
  const s = await fitCovariatesBySteps(
    (theta, beta) => {
      const params = new Map<string, number>();
      for (let k = 0; k < beta.length; k++) {
        params.set(`beta${k + 1}`, beta[k]!);
        params.set(`mean${k + 1}`, c.mean[k]!);
        params.set(`sd${k + 1}`, sd[k]!);
      }
      params.set('wnorm', wnorm);
      return source.step(theta, params);
    },
    { m: t.models.length, active, prior, stylePrior, tolerance: opts.tolerance, scale: opts, maxIterations: 200, centreScores: form === 'lmarena', battles: t.battles, init, outcome },
  );
  const design: StyleDesign = Object.freeze({
    features,
    mean: Float64Array.from(c.mean),
    sd,
    active,
    get x(): Float64Array {
      throw new Error('a covariate fit in the database holds no battle rows (design.x)');
    },
  });
  const tot = tieTotals(tieCells(d.pairs, bothBad === 'ignore' ? 'tie' : bothBad));
  return covariateFit(d, opts, { outcome, bothBad, design, s, prior, stylePrior, reg, tieModel: null, tieTotals: tot, warnings });
}
