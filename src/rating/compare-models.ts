import { logSigmoid } from './predict.js';
import { type BtCells, fitBradleyTerry } from './bradley-terry.js';
import { DEFAULT_SCALE, type ScaleOptions } from './scale.js';
import { type BothBadPolicy, fitTieModel, type TieCells, tieTotals } from './tie-models.js';
import { fitBradleyTerrySparse, resolveSolver, type SolverChoice } from './bt-sparse.js';
import { fitTieModelSparse } from './tie-sparse.js';

/** The outcome models compared by {@link compareTieModels}, named as the `--ties` values. */
export const COMPARED_MODELS = ['half', 'ignore', 'davidson', 'rao-kupper'] as const;

/** One row of a model comparison. */
export interface ModelComparisonRow {
  /** `half`, `ignore`, `davidson` or `rao-kupper`. */
  readonly model: (typeof COMPARED_MODELS)[number];
  /** Free parameters k: (m − 1) strengths + 1 tie parameter (+ 1 both-bad share under `separate`). */
  readonly parameters: number;
  /** Total log-likelihood of the 3-outcome (4 under `separate`) data, natural log. */
  readonly logLikelihood: number;
  /** Mean log-likelihood per battle. */
  readonly meanLogLikelihood: number;
  /** Negative log-likelihood −ℓ. */
  readonly nll: number;
  /** Akaike information criterion 2k − 2ℓ. */
  readonly aic: number;
  /** Bayesian information criterion k·ln n − 2ℓ. */
  readonly bic: number;
  /** AIC minus the smallest AIC of the comparison (0 = best). */
  readonly deltaAic: number;
  /** The model's tie parameter: `tieRate` (half, ignore), `nu` (Davidson), `theta` (Rao–Kupper). */
  readonly tieParameter: { readonly name: string; readonly value: number };
  readonly converged: boolean;
}

/** Options of {@link compareTieModels}. */
export interface CompareOptions {
  /** Ridge prior λ on θ for every fit (0 when the MLE exists). */
  readonly prior: number;
  readonly tolerance: number;
  readonly scale: Pick<ScaleOptions, 'scale' | 'base'>;
  /**
   * `--solver` for every fit (`resolveSolver` on the cells: conjugate gradients on them when sparse, the same
   * numbers to 1e-6 points); default `auto`.
   */
  readonly solver?: SolverChoice | undefined;
}

/**
 * Log-likelihood of "Bradley–Terry + constant tie rate": P(i wins) = (1 − τ)·σ(d), P(j wins) = (1 − τ)·σ(−d),
 * P(tie) = τ, τ the overall tie share (its MLE for any θ, since the likelihood factorises). This is the honest
 * 3-outcome completion of the models that do not describe ties themselves: LMArena's half-win fit gives θ (its
 * quasi-likelihood counts a tie as half a win, which is not a probability of the observed outcome), and the model
 * supplies the tie probability. O(pairs).
 */
export function constantTieLogLikelihood(c: TieCells, theta: ArrayLike<number>): number {
  const tot = tieTotals(c);
  const tau = tot.battles ? tot.ties / tot.battles : 0;
  const logTau = tau > 0 ? Math.log(tau) : 0;
  const logRest = tau < 1 ? Math.log1p(-tau) : 0;
  let ll = 0;
  for (let k = 0; k < c.pairs; k++) {
    const d = theta[c.i[k]!]! - theta[c.j[k]!]!;
    const w = c.w[k]!;
    const l = c.l[k]!;
    const t = c.t[k]!;
    if (w) ll += w * (logRest + logSigmoid(d));
    if (l) ll += l * (logRest + logSigmoid(-d));
    if (t) ll += t * logTau;
  }
  return ll;
}

function shareTerm(c: TieCells): { ll: number; k: number } {
  if (c.bothBad !== 'separate') return { ll: 0, k: 0 };
  const tot = tieTotals(c);
  if (!(tot.ties > 0)) return { ll: 0, k: 0 };
  const rho = tot.bothbad / tot.ties;
  const rest = tot.ties - tot.bothbad;
  return { ll: (tot.bothbad ? tot.bothbad * Math.log(rho) : 0) + (rest ? rest * Math.log(1 - rho) : 0), k: 1 };
}

/**
 * Compares outcome models on the same battles by likelihood: every row is a likelihood of the same 3-outcome data
 * (win, loss, tie; 4 outcomes under `--both-bad separate`, the split of ties into labels adding the same binomial
 * term and one parameter to each row), so NLL, AIC and BIC are comparable like with like:
 * - `half`: LMArena's ratings (ties as half wins) + a constant tie rate (see {@link constantTieLogLikelihood});
 * - `ignore`: the maximum-likelihood fit of "BT + constant tie rate" (BT on decided battles, τ = tie share);
 * - `davidson`, `rao-kupper`: the tie models by maximum likelihood ({@link fitTieModel}).
 * Each has (m − 1) + 1 parameters (m = models that played). O(fits), each O(pairs + m³) per iteration on the dense
 * path, O(CG iterations · pairs) on the sparse one (`options.solver`).
 */
export function compareTieModels(c: TieCells, options: Partial<CompareOptions> = {}): ModelComparisonRow[] {
  const o = { prior: 0, tolerance: 1e-6, scale: DEFAULT_SCALE, ...options };
  const tot = tieTotals(c);
  const played = new Uint8Array(c.m);
  for (let k = 0; k < c.pairs; k++) {
    if (c.w[k]! + c.l[k]! + c.t[k]! > 0) played[c.i[k]!] = played[c.j[k]!] = 1;
  }
  const mEff = played.reduce((a, b) => a + b, 0);
  const share = shareTerm(c);
  const base = Math.max(mEff - 1, 0) + 1 + share.k;
  const tau = tot.battles ? tot.ties / tot.battles : 0;
  const rows: Omit<ModelComparisonRow, 'deltaAic'>[] = [];
  const row = (model: ModelComparisonRow['model'], ll0: number, tie: { name: string; value: number }, converged: boolean) => {
    const ll = ll0 + share.ll;
    const k = base;
    rows.push({
      model,
      parameters: k,
      logLikelihood: ll,
      meanLogLikelihood: tot.battles ? ll / tot.battles : 0,
      nll: -ll,
      aic: 2 * k - 2 * ll,
      bic: k * Math.log(Math.max(tot.battles, 1)) - 2 * ll,
      tieParameter: tie,
      converged,
    });
  };
  const fitOpts = { prior: o.prior, tolerance: o.tolerance, scale: o.scale, maxIterations: 200 };
  const sparse = resolveSolver(o.solver, c.m, c.pairs) === 'sparse';
  const fitBt = sparse ? fitBradleyTerrySparse : fitBradleyTerry;
  const fitTie = sparse ? fitTieModelSparse : fitTieModel;
  const half: BtCells = { m: c.m, pairs: c.pairs, i: c.i, j: c.j, s: Float64Array.from(c.w, (w, k) => w + c.t[k]! / 2), n: Float64Array.from(c.w, (w, k) => w + c.l[k]! + c.t[k]!) };
  const fh = fitBt(half, fitOpts);
  row('half', constantTieLogLikelihood(c, fh.theta), { name: 'tieRate', value: tau }, fh.converged);
  const dec: BtCells = { m: c.m, pairs: c.pairs, i: c.i, j: c.j, s: c.w, n: Float64Array.from(c.w, (w, k) => w + c.l[k]!) };
  const fi = fitBt(dec, fitOpts);
  row('ignore', constantTieLogLikelihood(c, fi.theta), { name: 'tieRate', value: tau }, fi.converged);
  for (const model of ['davidson', 'rao-kupper'] as const) {
    const f = fitTie(model, { ...c, bb: new Float64Array(c.pairs), bothBad: 'tie' as BothBadPolicy }, fitOpts);
    row(model, f.logLikelihood, { name: model === 'davidson' ? 'nu' : 'theta', value: f.tie }, f.converged);
  }
  const best = Math.min(...rows.map((r) => r.aic));
  return rows.map((r) => ({ ...r, deltaAic: r.aic - best }));
}
