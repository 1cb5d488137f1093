/** Bradley–Terry maximum likelihood (LMArena) as a member of the rating-model family. */
import type { BattleTable } from '../data/table.js';
import { weightedCounts } from '../data/weights.js';
import { type BtCells, btCells, fitBradleyTerry, type TiePolicy } from '../rating/bradley-terry.js';
import { toDisplay } from '../rating/scale.js';
import { btSandwichFactors, lazyCovariance, sparseSandwich } from '../rating/sandwich.js';
import { fitBradleyTerrySparse, resolveSandwichSolver, resolveSolver } from '../rating/bt-sparse.js';
import { borderedChordSolver, MAX_BORDERED_MODELS } from '../rating/bt-refit.js';
import { fitBase, fittedData, resolvePrior, warmTheta } from './common.js';
import type { BtModelFit, FitCovariance, ModelFit, ModelOptions, RatingModel } from './types.js';

/**
 * Bradley–Terry on aggregated pair cells: P(i beats j) = σ(θi − θj), a tie (either label) half a win each side
 * (`ties: 'half'`, LMArena) or dropped (`ignore`); Newton with step halving to `tolerance` rating points; the
 * ridge prior of {@link resolvePrior} when the MLE does not exist. Sandwich: H⁻¹BH⁻¹ on the cells
 * (`sandwichCovariance`, entries on demand). O(pairs + m³) per Newton step on the dense path; from
 * `SPARSE_AUTO_MODELS` models (or `solver: 'sparse'`) Newton's systems are solved by conjugate gradients on the
 * cells instead (`fitBradleyTerrySparse`): O(CG iterations · pairs) per step, no m×m matrix; the sandwich's entries
 * too (`sparseSandwich`) from `SPARSE_SANDWICH_MODELS` models (or `solver: 'sparse'`).
 */
export const bradleyTerry: RatingModel = Object.freeze({
  name: 'bt',
  likelihood: true,
  outcome: (opts: ModelOptions) => opts.ties as TiePolicy,
  fit(input: BattleTable, opts: ModelOptions, start?: ModelFit): BtModelFit {
    const ties = opts.ties as TiePolicy;
    const d = fittedData(input, opts);
    const cells = btCells(weightedCounts(d.pairs), ties);
    const { prior, warnings } = resolvePrior(d.table.models, cells, opts.prior);
    const warm = start?.kind === 'bt' && start.ties === ties ? start : undefined;
    const init = warmTheta(d.table.models, warm, cells);
    const solver = resolveSolver(opts.solver, cells.m, cells.pairs);
    if (solver === 'sparse') {
      // conjugate gradients on the cells: no factor, so a warm start gives only its strengths
      let fit = fitBradleyTerrySparse(cells, { prior, tolerance: opts.tolerance, scale: opts, maxIterations: 200, init });
      if (init && !fit.converged) fit = fitBradleyTerrySparse(cells, { prior, tolerance: opts.tolerance, scale: opts, maxIterations: 200 });
      if (!fit.converged) warnings.push(`The Bradley–Terry fit did not converge in ${fit.iterations} iterations.`);
      const info = { converged: fit.converged, iterations: fit.iterations, logLikelihood: fit.comparisons ? fit.logLikelihood / fit.comparisons : 0, prior };
      return { kind: 'bt', ...fitBase(d, toDisplay(fit.theta, opts), opts, info, warnings), ties, cells, theta: fit.theta, prior, solver };
    }
    // the start's Newton factor serves for chord steps when it is over the same models in the same order
    const same = warm !== undefined && warm.prior === prior && warm.models.length === d.table.models.length && warm.models.every((name, v) => name === d.table.models[v]);
    // models added to the start's (a debut): its factor bordered with the new models' rows serves instead
    const bordered = !same && warm?.factor && init && warm.prior === prior ? borderedFor(d.table.models, warm.models, warm.factor, cells, init, prior) : null;
    const cold = () => fitBradleyTerry(cells, { prior, tolerance: opts.tolerance, scale: opts, maxIterations: 200 });
    let fit = init
      ? fitBradleyTerry(cells, {
          prior,
          tolerance: opts.tolerance,
          scale: opts,
          maxIterations: 200,
          init,
          chordFactor: same ? warm.factor : undefined,
          chordComparisons: same ? warm.factorComparisons : undefined,
          chordSolve: bordered ?? undefined,
        })
      : cold();
    // a warm start can lie far from the optimum (a model held down by the ridge prior at the previous checkpoint
    // whose first win now drops the prior): Newton may then run into a non-definite system; start again from 0
    if (init && !fit.converged) fit = cold();
    if (!fit.converged) warnings.push(`The Bradley–Terry fit did not converge in ${fit.iterations} iterations.`);
    const info = { converged: fit.converged, iterations: fit.iterations, logLikelihood: fit.comparisons ? fit.logLikelihood / fit.comparisons : 0, prior };
    return {
      kind: 'bt',
      ...fitBase(d, toDisplay(fit.theta, opts), opts, info, warnings),
      ties,
      cells,
      theta: fit.theta,
      prior,
      solver,
      ...(fit.factor ? { factor: fit.factor, factorComparisons: fit.factorComparisons ?? 0 } : {}),
    };
  },
  sandwich(f: ModelFit): FitCovariance {
    if (f.kind !== 'bt') throw new TypeError(`bradleyTerry.sandwich needs a bt fit, got ${f.kind}`);
    if (resolveSandwichSolver(f.options.solver, f.models.length) === 'sparse') {
      const s = sparseSandwich(f.pairs, f.ties, f.theta, f.prior);
      let full: Float64Array | null = null;
      return {
        get cov() {
          return (full ??= s.matrix());
        },
        entry: (i: number, j: number) => (full ? full[i * s.n + j]! : s.entry(i, j)),
        contrastVariances: s.contrastVariances,
        sparse: s.data,
        n: s.n,
        extra: new Map(),
      };
    }
    const factors = btSandwichFactors(f.pairs, f.ties, f.theta, f.prior);
    const lazy = lazyCovariance(factors);
    return {
      factor: factors.l,
      get cov() {
        return lazy.cov;
      },
      entry: lazy.entry,
      n: f.models.length,
      extra: new Map(),
    };
  },
});

/**
 * The bordered chord solver (`borderedChordSolver`) when `models` are the start's models plus at most
 * {@link MAX_BORDERED_MODELS} new ones; else null. O(m + k·m₀²).
 */
function borderedFor(models: readonly string[], startModels: readonly string[], factor: Float64Array, cells: BtCells, theta: Float64Array, prior: number) {
  const k = models.length - startModels.length;
  if (k < 1 || k > MAX_BORDERED_MODELS) return null;
  const at = new Map<string, number>();
  startModels.forEach((name, q) => at.set(name, q));
  const oldOf = Int32Array.from(models, (name) => at.get(name) ?? -1);
  let found = 0;
  for (const q of oldOf) if (q >= 0) found++;
  if (found !== startModels.length) return null;
  return borderedChordSolver(cells, theta, prior, oldOf, factor, startModels.length);
}
