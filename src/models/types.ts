/**
 * The rating-model family: one interface ({@link RatingModel}) that online Elo, Bradley–Terry, Davidson and
 * Rao–Kupper implement, with covariates (style control) as a wrapper over any likelihood model. A fit is a
 * discriminated union ({@link ModelFit}) that carries its own parameters, so the uncertainty engine
 * (`src/stats/uncertainty.ts`) needs no casts to know what it holds.
 */
import type { ModelTotals, PairCounts } from '../data/aggregate.js';
import type { BattleTable } from '../data/table.js';
import type { BtCells, TiePolicy } from '../rating/bradley-terry.js';
import type { BtSolver, SolverChoice } from '../rating/bt-sparse.js';
import type { SparseSandwichData } from '../rating/sandwich.js';
import type { Anchor, ScaleOptions } from '../rating/scale.js';
import type { CovariateSpec } from '../data/covariates.js';
import type { StyleDesign, StyleForm } from '../rating/style.js';
import type { BothBadPolicy, OutcomeModel, TieCells, TieModel } from '../rating/tie-models.js';

/** Model options: what `--method --ties --both-bad --style-control --anchor --prior …` select. */
export interface ModelOptions extends ScaleOptions {
  /** `bt` (a likelihood model, chosen further by `ties`) or online `elo`. */
  readonly method: 'bt' | 'elo';
  /** Elo K-factor. */
  readonly k: number;
  /** `half` / `ignore` (Bradley–Terry, Elo), or a likelihood tie model (`davidson`, `rao-kupper`; bt only). */
  readonly ties: TiePolicy | TieModel;
  /** How `tie (bothbad)` enters: one tie outcome (`tie`), its own parameter (`separate`, tie models), dropped (`ignore`). */
  readonly bothBad?: BothBadPolicy | undefined;
  /** Covariates: style control (bt only), a style term in the logit fitted on rows with style fields. */
  readonly styleControl?: boolean | undefined;
  /**
   * Ridge on the style and covariate coefficients, on the scale of {@link styleForm}: `reg` on the mean weighted
   * log-likelihood for `lmarena` (default 1), λ on the summed log-likelihood for `fastchat-2024` (default 0.5).
   */
  readonly stylePrior?: number | undefined;
  readonly anchor: Anchor | null;
  /** Ridge prior λ on θ, or `auto`: 0 when the MLE exists, {@link AUTO_PRIOR} otherwise. */
  readonly prior: number | 'auto';
  /** Convergence tolerance in rating points. */
  readonly tolerance: number;
  /** Inverse pair-frequency weights (LMArena since July 2025): a battle of pair {A, B} weighs 1/max(n_AB, floor). null/absent: unweighted. */
  readonly reweight?: { readonly floor: number } | null | undefined;
  /**
   * Form of style control and of the covariate objective ({@link StyleForm}): `lmarena` (default: (a − b)/(a + b),
   * ridge on the mean weighted log-likelihood) or `fastchat-2024` ((a − b)/(a + b + 1), ridge on the summed one).
   */
  readonly styleForm?: StyleForm | undefined;
  /** Covariates (`--covariate`): numeric per-battle expressions, fitted beside θ (and the style features). */
  readonly covariates?: readonly CovariateSpec[] | undefined;
  /**
   * How Bradley–Terry solves its linear systems (`--solver`): `dense` Cholesky, `sparse` conjugate gradients on the
   * pair cells, or `auto` (default: the fit and bootstrap rounds sparse from `SPARSE_AUTO_MODELS` models, the
   * sandwich from `SPARSE_SANDWICH_MODELS`). The same ratings and intervals to 10⁻⁶ points either way. Tie models and
   * style control always solve dense.
   */
  readonly solver?: SolverChoice | undefined;
}

/** Ridge strength used when the data has no maximum-likelihood estimate and the user did not choose one. */
export const AUTO_PRIOR = 0.01;

/** LMArena's defaults: Bradley–Terry, ties half, mean rating 1000 on the 400/10 scale. */
export const DEFAULT_MODEL: ModelOptions = Object.freeze({
  scale: 400,
  base: 10,
  initial: 1000,
  method: 'bt' as const,
  k: 4,
  ties: 'half' as const,
  bothBad: 'tie' as const,
  anchor: null,
  prior: 'auto' as const,
  tolerance: 1e-6,
});

/** A parameter estimate with its interval (absent bounds: no interval). */
export interface Estimate {
  readonly value: number;
  readonly lower?: number;
  readonly upper?: number;
}

/**
 * Tie parameters as reported in `fit.tieParameters`: Davidson `nu` (ν ≥ 0), Rao–Kupper `theta` (θ ≥ 1); under
 * `--both-bad separate` also `bothbadShare` and, for Davidson, `nuTie` and `nuBothbad`.
 */
export type TieParameters = Readonly<Record<string, Estimate>>;

/** Fit diagnostics. */
export interface FitInfo {
  readonly converged: boolean;
  readonly iterations: number;
  /** Mean log-likelihood per battle (natural log) of the fitted ratings on the input. */
  readonly logLikelihood: number;
  /** Ridge prior λ used by a likelihood fit (0 = plain maximum likelihood). */
  readonly prior?: number;
  /** Tie-model parameters with intervals (`--ties davidson|rao-kupper`). */
  readonly tieParameters?: TieParameters;
}

/** One style coefficient of a style-controlled leaderboard (`style.coefficients`). */
export interface StyleCoefficient {
  readonly feature: string;
  /** Natural log-odds per SD of the standardised feature, with its interval. */
  readonly coefficient: number;
  readonly lower: number;
  readonly upper: number;
  /** Per unit of the raw value (the style form's relative difference, or the covariate as read): coefficient / sd. */
  readonly perUnit: number;
  readonly perUnitLower: number;
  readonly perUnitUpper: number;
  /** Rating points per SD of the feature (coefficient · scale/ln base). */
  readonly points: number;
  /** Mean and SD of the raw value over battles. */
  readonly mean: number;
  readonly sd: number;
  /** False when the feature does not vary (coefficient fixed at 0). */
  readonly active: boolean;
}

/** The style block of a style-controlled leaderboard. */
export interface StyleReport {
  /** Ridge λ on the coefficients as applied, on the summed log-likelihood scale (`lmarena`: reg·N). */
  readonly prior: number;
  /** The style form (also the covariate objective's form). */
  readonly form?: StyleForm;
  /** `lmarena`: the ridge `reg` on the mean log-likelihood scale (λ = reg·N). */
  readonly reg?: number;
  /** Whether the fit used inverse pair-frequency weights, and their floor. */
  readonly reweight?: { readonly floor: number } | null;
  /** How the intervals were computed. */
  readonly intervals: 'sandwich' | 'bootstrap' | 'none';
  readonly coefficients: readonly StyleCoefficient[];
}

/** What every fit holds: display ratings per model id plus diagnostics and the data as fitted. */
export interface FitBase {
  readonly models: readonly string[];
  /** Display-scale ratings, anchored, indexed like `models`. */
  readonly ratings: Float64Array;
  readonly fit: FitInfo;
  readonly warnings: string[];
  /** The battles as fitted (both-bad dropped under `--both-bad ignore`). */
  readonly table: BattleTable;
  /** Aggregated cells of `table`. */
  readonly pairs: PairCounts;
  readonly totals: ModelTotals;
  /** Anchor shift added to the display ratings (0 without an anchor). */
  readonly shift: number;
  /** Battles counted (those of `table`). */
  readonly battles: number;
  /** The options that produced the fit. */
  readonly options: ModelOptions;
}

/** Online Elo: order-dependent, no likelihood. */
export interface EloModelFit extends FitBase {
  readonly kind: 'elo';
}

/** Bradley–Terry with ties as half wins or ignored. */
export interface BtModelFit extends FitBase {
  readonly kind: 'bt';
  readonly ties: TiePolicy;
  readonly cells: BtCells;
  /** Natural-scale strengths, Σθ = 0. */
  readonly theta: Float64Array;
  readonly prior: number;
  /** The solver the fit used (its sandwich and bootstrap rounds choose their own under `auto`: `resolveSandwichSolver`, `resolveRoundsSolver`). */
  readonly solver: BtSolver;
  /** Cholesky factor of the last Newton matrix (`BtFit.factor`): chord steps for a later warm-started fit. */
  readonly factor?: Float64Array;
  /** Comparisons of the cells `factor` was computed on (`BtFit.factorComparisons`). */
  readonly factorComparisons?: number;
}

/** Davidson or Rao–Kupper on pair cells. */
export interface TieModelFit extends FitBase {
  readonly kind: 'tie';
  readonly tieModel: TieModel;
  readonly bothBad: BothBadPolicy;
  readonly cells: TieCells;
  readonly theta: Float64Array;
  /** η = log ν (Davidson) or log θ_RK (Rao–Kupper). */
  readonly eta: number;
  readonly prior: number;
  /** The solver the fit used (`--solver`, resolved as for Bradley–Terry); its sandwich chooses its own under `auto`. */
  readonly solver: BtSolver;
}

/** Any likelihood model with style covariates, fitted on battle rows. */
export interface CovariateModelFit extends FitBase {
  readonly kind: 'style';
  /** The outcome model the covariates wrap. */
  readonly outcome: OutcomeModel;
  readonly bothBad: BothBadPolicy;
  readonly design: StyleDesign;
  readonly theta: Float64Array;
  readonly beta: Float64Array;
  readonly eta: number;
  /** Free parameters x = (θ, active β, η) at the estimate (the warm start of refits). */
  readonly x: Float64Array;
  /** Sandwich covariance of x (n × n, natural scale). */
  readonly cov: Float64Array;
  readonly n: number;
  readonly betaIndex: Int32Array;
  readonly etaIndex: number;
  readonly prior: number;
  readonly stylePrior: number;
  /** Style coefficients with sandwich intervals at the fit's level. */
  readonly style: StyleReport;
}

/** A fit of any model of the family. */
export type ModelFit = EloModelFit | BtModelFit | TieModelFit | CovariateModelFit;

/** A likelihood fit (has strengths θ and a sandwich covariance). */
export type LikelihoodFit = BtModelFit | TieModelFit | CovariateModelFit;

/**
 * Natural-scale covariance of a likelihood fit: the first m parameters are the strengths θ; `extra` names the
 * others in order (`eta`, `beta:<feature>`), so callers find a tie parameter or a coefficient by name.
 */
export interface FitCovariance {
  /** The whole matrix, n×n row-major (may be computed on first access). */
  readonly cov: Float64Array;
  /** Entry (i, j) without forming the whole matrix, when the model can (equal to `cov[i·n + j]`). */
  readonly entry?: (i: number, j: number) => number;
  /**
   * Cholesky factor of the bread (the definite information matrix at the fit, as the Newton iteration forms it),
   * when the model has one: a later warm-started fit on similar data takes chord steps with it.
   */
  readonly factor?: Float64Array;
  /** Number of parameters (rows of `cov`). */
  readonly n: number;
  /**
   * Variances of θ_v − θ_ref (ref −1: of θ_v) for every v of `ids`, natural scale, when the model computes many at
   * once faster than entry by entry (the sparse Bradley–Terry sandwich: `sparseContrastVariances`); equal bit for
   * bit to `entry(v, v) + entry(ref, ref) − 2·entry(v, ref)`.
   */
  readonly contrastVariances?: (ids: ArrayLike<number>, ref: number) => Float64Array;
  /** The sparse sandwich as plain data, when the covariance is one (worker threads compute its variances). */
  readonly sparse?: SparseSandwichData;
  /** Index in the parameter vector of each named extra parameter. */
  readonly extra: ReadonlyMap<string, number>;
}

/** A member of the rating-model family (see `./index.ts` for the registry). */
export interface RatingModel {
  /** Registry name (`elo`, `bt`, `davidson`, `rao-kupper`; `+style` when wrapped with covariates). */
  readonly name: string;
  /** Whether the model has a likelihood (sandwich intervals, log-likelihood comparisons). */
  readonly likelihood: boolean;
  /**
   * Fits the battles. `start`: an earlier fit of the same model on related battles (the previous checkpoint of a
   * replay, the baseline of a what-if) whose parameters, matched by model name, start the iteration (a warm
   * start: fewer Newton steps, the same optimum to the tolerance). Models without an iteration ignore it.
   * @throws InputError on data the model cannot fit (no decided battle for a tie model, a missing anchor, an explicit
   * zero prior on data without a maximum-likelihood estimate, style control without style fields)
   */
  fit(table: BattleTable, opts: ModelOptions, start?: ModelFit): ModelFit;
  /**
   * The outcome law of a likelihood model under the options (`half`, `ignore`, `davidson`, `rao-kupper`): what the
   * covariate wrapper fits on battle rows. Absent for Elo.
   */
  readonly outcome?: (opts: ModelOptions) => OutcomeModel;
  /** Sandwich covariance of a likelihood fit (absent for Elo). */
  readonly sandwich?: (fit: ModelFit) => FitCovariance;
}
