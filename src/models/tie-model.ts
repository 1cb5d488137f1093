/**
 * The likelihood tie models (Davidson, Rao–Kupper) as members of the rating-model family: one implementation
 * over pair × outcome cells, parameterised by the model name; `davidson.ts` and `rao-kupper.ts` instantiate it.
 */
import type { BattleTable } from '../data/table.js';
import { squaredCounts, weightedCounts } from '../data/weights.js';
import { InputError, UsageError } from '../errors.js';
import { normalQuantile } from '../math/normal.js';
import { btCells } from '../rating/bradley-terry.js';
import { toDisplay } from '../rating/scale.js';
import { type BothBadPolicy, fitTieModel, tieCells, type TieModel, tieSandwichCovariance, tieTotals } from '../rating/tie-models.js';
import { resolveSandwichSolver, resolveSolver } from '../rating/bt-sparse.js';
import { fitTieModelSparse, tieSparseSandwich } from '../rating/tie-sparse.js';
import { fitBase, fittedData, resolvePrior, warmTheta } from './common.js';
import type { Estimate, FitCovariance, ModelFit, ModelOptions, RatingModel, TieModelFit, TieParameters } from './types.js';

/** Display name of a tie model (for messages). */
export function tieModelName(model: TieModel): string {
  return model === 'davidson' ? 'Davidson' : 'Rao–Kupper';
}

/** Interval of exp(η) from η ± z·se (the tie parameters are positive, so intervals are built on the log scale). */
function expEstimate(eta: number, se: number, z: number): Estimate {
  if (!Number.isFinite(eta) || !Number.isFinite(se)) return { value: Math.exp(eta) };
  return { value: Math.exp(eta), lower: Math.exp(eta - z * se), upper: Math.exp(eta + z * se) };
}

/**
 * Tie-parameter report of a fit with η and its standard error (NaN: no interval): Davidson `nu`, Rao–Kupper
 * `theta`; under `--both-bad separate` also `bothbadShare` (binomial interval) and, for Davidson, `nuTie` and
 * `nuBothbad`. O(1).
 */
export function tieParameterReport(model: TieModel, eta: number, seEta: number, bothBad: BothBadPolicy, ties: number, bothbad: number, level: number): TieParameters {
  const z = normalQuantile((1 + level) / 2);
  const main = expEstimate(eta, seEta, z);
  const out: Record<string, Estimate> = model === 'davidson' ? { nu: main } : { theta: main };
  if (bothBad === 'separate' && ties > 0) {
    const p = bothbad / ties;
    const se = Math.sqrt((p * (1 - p)) / ties);
    const share = { value: p, lower: Math.max(0, p - z * se), upper: Math.min(1, p + z * se) };
    out.bothbadShare = share;
    if (model === 'davidson') {
      out.nuTie = { value: main.value * (1 - share.value) };
      out.nuBothbad = { value: main.value * share.value };
    }
  }
  return out;
}

/**
 * A tie model as a {@link RatingModel}: fitted by Newton on the cells (both-bad as a tie, as its own outcome under
 * `separate`, or dropped), with the degenerate-data prior of plain Bradley–Terry; sandwich over (θ, η). The solver
 * follows `--solver` as Bradley–Terry's does (`resolveSolver`, `resolveSandwichSolver`): on the sparse path the
 * Newton systems and the sandwich's columns are bordered Laplacian solves by conjugate gradients
 * (`fitTieModelSparse`, `tieSparseSandwich`), no m×m matrix. The fit's
 * `tieParameters` carry the point value only: intervals are added by the uncertainty engine.
 */
export function tieLikelihoodModel(model: TieModel): RatingModel {
  const label = tieModelName(model);
  return Object.freeze({
    name: model,
    likelihood: true,
    outcome: () => model,
    fit(input: BattleTable, opts: ModelOptions, start?: ModelFit): TieModelFit {
      if (opts.method !== 'bt') throw new UsageError('tie models (--ties davidson|rao-kupper) need --method bt');
      const bothBad: BothBadPolicy = opts.bothBad ?? 'tie';
      const d = fittedData(input, opts);
      const wpc = weightedCounts(d.pairs);
      const cells = tieCells(wpc, bothBad === 'ignore' ? 'tie' : bothBad);
      const tot = tieTotals(cells);
      if (!(tot.decided > 0)) throw new InputError(`--ties ${model}: the battles hold no decided (non-tie) battle, so the tie parameter has no finite estimate`, {});
      const { prior, warnings } = resolvePrior(d.table.models, btCells(wpc, 'half'), opts.prior);
      const warm = start?.kind === 'tie' && start.tieModel === model && start.bothBad === bothBad ? start : undefined;
      const init = warm ? warmTheta(d.table.models, warm, btCells(wpc, 'half')) : undefined;
      const solver = resolveSolver(opts.solver, cells.m, cells.pairs);
      const fitOpts = { prior, tolerance: opts.tolerance, scale: opts, maxIterations: 200, init, initEta: warm?.eta };
      let r = solver === 'sparse' ? fitTieModelSparse(model, cells, fitOpts) : fitTieModel(model, cells, fitOpts);
      // the sparse path has no Levenberg fallback: a warm start far from the optimum restarts cold
      if (solver === 'sparse' && init && !r.converged) r = fitTieModelSparse(model, cells, { ...fitOpts, init: undefined, initEta: undefined });
      if (!r.converged) warnings.push(`The ${label} fit did not converge in ${r.iterations} iterations.`);
      if (!(tot.ties > 0)) warnings.push(`No tie in the battles: the ${label} tie parameter sits on its boundary (${model === 'davidson' ? 'ν = 0' : 'θ = 1'}) and the ratings are plain Bradley–Terry.`);
      const info = {
        converged: r.converged,
        iterations: r.iterations,
        logLikelihood: r.battles ? r.logLikelihood / r.battles : 0,
        prior,
        tieParameters: tieParameterReport(model, r.eta, Number.NaN, bothBad, tot.ties, tot.bothbad, 0.95),
      };
      return {
        kind: 'tie',
        ...fitBase(d, toDisplay(r.theta, opts), opts, info, warnings),
        tieModel: model,
        bothBad,
        cells,
        theta: r.theta,
        eta: r.eta,
        prior,
        solver,
      };
    },
    sandwich(f: ModelFit): FitCovariance {
      if (f.kind !== 'tie') throw new TypeError(`${model}.sandwich needs a tie-model fit, got ${f.kind}`);
      // the meat from Σw² per cell (the cells themselves when unweighted)
      const meat = f.pairs.weight2 ? tieCells(squaredCounts(f.pairs), f.bothBad === 'ignore' ? 'tie' : f.bothBad) : undefined;
      if (resolveSandwichSolver(f.options.solver, f.models.length) === 'sparse') {
        // entries by bordered conjugate-gradient solves; the whole matrix only on request
        const s = tieSparseSandwich(f.tieModel, f.cells, f.theta, f.eta, f.prior, meat);
        let full: Float64Array | null = null;
        return {
          get cov() {
            return (full ??= s.matrix());
          },
          entry: (i: number, j: number) => (full ? full[i * s.n + j]! : s.entry(i, j)),
          n: s.n,
          extra: new Map(s.n > f.models.length ? [['eta', f.models.length]] : []),
        };
      }
      const { cov, n } = tieSandwichCovariance(f.tieModel, f.cells, f.theta, f.eta, f.prior, meat);
      return { cov, n, extra: new Map(n > f.models.length ? [['eta', f.models.length]] : []) };
    },
  });
}
