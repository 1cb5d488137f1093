import { expectedScoreAtGap } from '../models/predict.js';
import { sigmoid } from '../rating/predict.js';
import { pointsPerLogit, type ScaleOptions } from '../rating/scale.js';
import { contrastLaw, controlQuantiles } from './control-variate.js';
import { quantileSorted } from './interval.js';
import { normalCdf, normalQuantile } from '../math/normal.js';
import type { RatedBoard } from './uncertainty.js';

export { normalCdf };

/** An estimate with its interval. */
export interface Estimate {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

/** The answer to "is model A really different from model B?". */
export interface PairComparison {
  /** Rating gap A − B (display points) with its interval. */
  readonly gap: Estimate;
  /**
   * Predicted expected score of A against B (P(A wins) + ½·P(tie)) under the fitted model's own outcome law (the
   * logistic curve for Bradley–Terry and Elo; Davidson's or Rao–Kupper's at the fitted tie parameter), with its
   * interval: the same law at the gap interval's endpoints.
   */
  readonly winProbability: Estimate;
  /** P(A ranked above B): share of bootstrap rounds with A rated higher (equal ratings count half); or, without
   * rounds, the normal approximation Φ(gap / sd). */
  readonly pAbove: number;
  /** Where `pAbove` comes from. */
  readonly pAboveMethod: 'bootstrap' | 'normal';
  /** Standard deviation of the gap (display points): the sandwich's, or the bootstrap interval's half-width / z. */
  readonly gapSd: number;
  /** Whether the gap's interval excludes 0 at the chosen level. */
  readonly separated: boolean;
  /**
   * Extra head-to-head battles between A and B that would make the gap's interval exclude 0 if the gap stayed at
   * its estimate (0 when already separated; null when the estimated gap is 0). See {@link votesToSeparate}.
   */
  readonly votesToSeparate: number | null;
}

/**
 * How many more head-to-head battles between two models would make the interval of their rating gap exclude 0,
 * if the gap stayed at its current estimate.
 *
 * Derivation: on the natural scale let d be the estimated gap and s² its variance. The Fisher information of the
 * strengths is a weighted graph Laplacian H; n more battles between A and B add n·w·xxᵀ with x = e_A − e_B and
 * w = p(1 − p), p = σ(d), the information of one battle. By Sherman–Morrison,
 * Var(xᵀθ̂) = xᵀ(H + n·w·xxᵀ)⁻¹x = s²/(1 + n·w·s²), i.e. 1/s²_new = 1/s² + n·w: precisions add. The interval
 * d ± z·s_new excludes 0 when s_new ≤ |d|/z, hence
 *
 *     n = ⌈ ( z²/d² − 1/s² ) / ( p(1 − p) ) ⌉,  and 0 when |d| > z·s already.
 *
 * O(1). Assumes the logistic law for the new battles (ties make each battle carry a little less information, so
 * read n as a lower bound when ties are frequent).
 *
 * @param gap estimated gap A − B in display points
 * @param sd its standard deviation in display points
 * @param level interval level in (0, 1)
 * @param scale display scale (points per logit = scale/ln base)
 * @returns battles needed, 0 if already separated, null when gap = 0 (no number of votes separates equal models)
 */
export function votesToSeparate(gap: number, sd: number, level: number, scale: Pick<ScaleOptions, 'scale' | 'base'>): number | null {
  const z = normalQuantile((1 + level) / 2);
  if (Math.abs(gap) > z * sd) return 0;
  if (gap === 0) return null;
  const f = pointsPerLogit(scale);
  const d = gap / f;
  const s = sd / f;
  const p = sigmoid(d);
  const need = (z * z) / (d * d) - (s > 0 ? 1 / (s * s) : Number.POSITIVE_INFINITY);
  return Math.max(0, Math.ceil(need / (p * (1 - p))));
}

/**
 * Compares models a and b (ids) of a fit with uncertainty: the gap with its interval (bootstrap percentiles of
 * the per-round gap — with the control variate of `u.linear` when there is one (see `controlQuantiles`), else
 * type 7 — widened to hold the point gap if needed; or the sandwich normal interval with
 * Var = Σaa + Σbb − 2Σab), the predicted expected score (the model's outcome law at the gap, so its interval maps
 * the gap's endpoints), P(a above b) and {@link votesToSeparate}.
 *
 * O(R log R) with a bootstrap, O(1) with the sandwich.
 *
 * @throws RangeError when the fit has neither bootstrap rounds nor a sandwich covariance
 */
export function compareModels(u: RatedBoard, a: number, b: number, scale: Pick<ScaleOptions, 'scale' | 'base'>): PairComparison {
  const level = u.options.level;
  const z = normalQuantile((1 + level) / 2);
  const gap = u.point.ratings[a]! - u.point.ratings[b]!;
  const m = u.point.models.length;
  let lower: number;
  let upper: number;
  let gapSd: number;
  const dist = u.dist;
  if (u.cov) {
    const f = pointsPerLogit(scale);
    const { cov, n } = u.cov;
    const v = cov[a * n + a]! + cov[b * n + b]! - 2 * cov[a * n + b]!;
    gapSd = Math.sqrt(Math.max(0, v)) * f;
    lower = gap - z * gapSd;
    upper = gap + z * gapSd;
  } else if (dist) {
    const g = new Float64Array(dist.rounds);
    for (let r = 0; r < dist.rounds; r++) g[r] = dist.ratings[r * m + a]! - dist.ratings[r * m + b]!;
    const probs = [(1 - level) / 2, (1 + level) / 2];
    let q: number[] | null = null;
    if (u.linear && dist.control) {
      const l = new Float64Array(dist.rounds);
      for (let r = 0; r < dist.rounds; r++) l[r] = dist.control[r * m + a]! - dist.control[r * m + b]!;
      const w = new Float64Array(m);
      w[a] = 1;
      w[b] = -1;
      q = controlQuantiles(g, l, contrastLaw(u.linear, w), probs);
    }
    if (!q) {
      g.sort();
      q = [quantileSorted(g, probs[0]!), quantileSorted(g, probs[1]!)];
    }
    lower = Math.min(gap, q[0]!);
    upper = Math.max(gap, q[1]!);
    gapSd = (upper - lower) / (2 * z);
  } else {
    throw new RangeError('compareModels needs bootstrap rounds or a sandwich covariance');
  }
  let pAbove: number;
  let pAboveMethod: 'bootstrap' | 'normal';
  if (dist) {
    let above = 0;
    for (let r = 0; r < dist.rounds; r++) {
      const d = dist.ratings[r * m + a]! - dist.ratings[r * m + b]!;
      above += d > 0 ? 1 : d === 0 ? 0.5 : 0;
    }
    pAbove = above / dist.rounds;
    pAboveMethod = 'bootstrap';
  } else {
    pAbove = gapSd > 0 ? normalCdf(gap / gapSd) : gap > 0 ? 1 : gap < 0 ? 0 : 0.5;
    pAboveMethod = 'normal';
  }
  const win = (x: number) => expectedScoreAtGap(u.point, x);
  const separated = lower > 0 || upper < 0;
  // a (possibly asymmetric) bootstrap interval decides "separated"; the formula then sizes the rest
  const votes = separated ? 0 : votesToSeparate(gap, gapSd, level, scale);
  return {
    gap: { estimate: gap, lower, upper },
    winProbability: { estimate: win(gap), lower: win(lower), upper: win(upper) },
    pAbove,
    pAboveMethod,
    gapSd,
    separated,
    votesToSeparate: votes === null ? null : separated ? 0 : Math.max(1, votes),
  };
}
