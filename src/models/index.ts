/**
 * The rating-model registry: name → model. Adding a model is one file implementing {@link RatingModel} plus one
 * line here. `modelFor` turns the command-line model options into the model they select.
 */
import { UsageError } from '../errors.js';
import { bradleyTerry } from './bradley-terry.js';
import { withCovariates } from './covariates.js';
import { davidson } from './davidson.js';
import { elo } from './elo.js';
import { raoKupper } from './rao-kupper.js';
import type { BattleTable } from '../data/table.js';
import { DEFAULT_MODEL, type ModelFit, type ModelOptions, type RatingModel } from './types.js';

/** Every model of the family by name. */
export const MODELS: ReadonlyMap<string, RatingModel> = new Map<string, RatingModel>([
  ['elo', elo],
  ['bt', bradleyTerry],
  ['davidson', davidson],
  ['rao-kupper', raoKupper],
]);

/**
 * The model that model options select: `--method elo` → online Elo; `--method bt` with `--ties half|ignore` →
 * Bradley–Terry, with `--ties davidson|rao-kupper` → that tie model; `--style-control` or `--covariate` wraps the
 * result with covariates (likelihood models only).
 *
 * @throws UsageError for combinations without meaning (a tie model, style control or `--reweight` with Elo;
 * `--both-bad separate` without a tie model)
 */
export function modelFor(opts: Pick<ModelOptions, 'method' | 'ties' | 'styleControl' | 'bothBad' | 'covariates'> & Partial<Pick<ModelOptions, 'reweight'>>): RatingModel {
  const tieModel = opts.ties === 'davidson' || opts.ties === 'rao-kupper';
  const covariates = opts.styleControl || (opts.covariates?.length ?? 0) > 0;
  if (opts.method === 'elo' && (tieModel || covariates)) throw new UsageError('tie models (--ties davidson|rao-kupper), --style-control and --covariate need --method bt');
  if (opts.reweight && opts.method === 'elo') throw new UsageError('--reweight pairs weights a likelihood fit: it needs --method bt (online Elo has no weighted form)');
  if (opts.reweight && !(opts.reweight.floor > 0)) throw new UsageError(`--reweight-floor must be a positive number, got ${opts.reweight.floor}`);
  if (opts.bothBad === 'separate' && !tieModel) {
    throw new UsageError('--both-bad separate needs a tie model (--ties davidson|rao-kupper): with half or ignore both labels are scored alike');
  }
  const base = MODELS.get(opts.method === 'elo' ? 'elo' : tieModel ? opts.ties : 'bt')!;
  return covariates ? withCovariates(base) : base;
}

/**
 * Fits battles with the model the options select (missing options: LMArena's defaults, {@link DEFAULT_MODEL}).
 * No intervals: see `rateWithIntervals` for the one call with them. O(the model's fit).
 */
export function fitModel(table: BattleTable, options: Partial<ModelOptions> = {}): ModelFit {
  const opts: ModelOptions = { ...DEFAULT_MODEL, ...options };
  return modelFor(opts).fit(table, opts);
}
