/**
 * Covariates over any likelihood model: style control ("contextual Bradley–Terry", LMArena's style control since
 * 2024) adds Σ_q βq·xq to the logit gap of each battle, x the standardised style differences from
 * `conv_metadata`, and fits θ, β (and the wrapped model's tie parameter) jointly on battle rows.
 */
import type { BattleTable } from '../data/table.js';
import { InputError, UsageError } from '../errors.js';
import { normalQuantile } from '../math/normal.js';
import { btCells } from '../rating/bradley-terry.js';
import { pointsPerLogit, toDisplay } from '../rating/scale.js';
import { DEFAULT_STYLE_PRIOR, fitStyleControl, styleDesign } from '../rating/style.js';
import { tieCells, tieTotals } from '../rating/tie-models.js';
import { fitBase, fittedData, resolvePrior } from './common.js';
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
  if (!base.likelihood || !outcomeOf) throw new UsageError(`--style-control needs a likelihood model (--method bt), not ${base.name}`);
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
      const { prior, warnings } = resolvePrior(t.models, btCells(d.pairs, outcome === 'ignore' ? 'ignore' : 'half'), opts.prior);
      const design = styleDesign(t);
      const stylePrior = opts.stylePrior ?? DEFAULT_STYLE_PRIOR;
      const s = fitStyleControl(t, design, { outcome, prior, stylePrior, tolerance: opts.tolerance, scale: opts, maxIterations: 200 });
      if (!s.converged) warnings.push(`The style-controlled ${tieModel ? tieModelName(tieModel) : 'Bradley–Terry'} fit did not converge in ${s.iterations} iterations.`);
      const f = pointsPerLogit(opts);
      const z = normalQuantile(0.975);
      const coefficients = design.features.map((feature, q): StyleCoefficient => {
        const idx = s.betaIndex[q]!;
        const b = s.beta[q]!;
        const sb = idx >= 0 ? Math.sqrt(Math.max(0, s.cov[idx * s.n + idx]!)) : 0;
        const sd = design.sd[q]!;
        return { feature, coefficient: b, lower: b - z * sb, upper: b + z * sb, perUnit: b / sd, perUnitLower: (b - z * sb) / sd, perUnitUpper: (b + z * sb) / sd, points: b * f, mean: design.mean[q]!, sd, active: idx >= 0 };
      });
      for (const c of coefficients) if (!c.active) warnings.push(`Style feature ${c.feature} does not vary across battles: its coefficient is fixed at 0.`);
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
        style: { prior: stylePrior, intervals: 'sandwich', coefficients },
      };
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
