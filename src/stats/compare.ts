import { expectedScoreAtGap } from '../models/predict.js';
import { sigmoid } from '../rating/predict.js';
import { pointsPerLogit, type ScaleOptions } from '../rating/scale.js';
import { contrastLaw, controlQuantiles } from './control-variate.js';
import { quantileSorted } from './interval.js';
import { normalCdf, normalQuantile } from '../math/normal.js';
import { contrastVariance, type RatedBoard } from './uncertainty.js';

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
 * Derivation: on the natural scale let d be the estimated gap and s² its variance (sandwich, or the bootstrap
 * interval's half-width / z). With p = σ(d), one more A–B vote adds w·xxᵀ (x = e_A − e_B) to the information H
 * (the sandwich's bread), w = p(1 − p), and b·xxᵀ to the score variance B (its meat), b = E[(y − p)²] for the
 * vote's score y ∈ {1, ½, 0}. In the two-model case the sandwich variance of the gap is B/H², so n votes of this
 * kind give 1/s²_new = 1/s² + n·w²/b: precision per vote w²/b. With more models the exact sandwich after n votes
 * is (s² + n·b·h²)/(1 + n·w·h)² (Sherman–Morrison on the bread), h = xᵀH⁻¹x; it reduces to the update above when
 * s² = h·b/w (two models, or whenever the gap's present information has the same meat-to-bread ratio) and has
 * the same limit b/(n·w²) for large n; the update is used because it needs only s. The interval d ± z·s_new
 * excludes 0 when s_new ≤ |d|/z, hence
 *
 *     n = ⌈ ( z²/d² − 1/s² ) / ( w²/b ) ⌉,  and 0 when |d| > z·s already.
 *
 * The meat b: the new votes are drawn from the law the plug-in assumes — expected score p (the gap holds) and tie
 * rate τ, P(A) = p − τ/2, P(tie) = τ, P(B) = 1 − p − τ/2 — which gives b = p(1 − p) − τ/4 (with τ capped at
 * 2·min(p, 1 − p) so the law exists; then b > 0 whenever d ≠ 0). Each vote then carries
 * w²/b = p(1 − p)/(1 − τ/(4p(1 − p))) ≥ p(1 − p): a tie scored ½ sits closer to p than a win or a loss, so it
 * adds less meat than bread. τ is the caller's (`compareModels` uses the tie share of the two models' battles,
 * not their head-to-head cell, which may be small or empty). With `ties = 'ignore'` a tie is dropped, so a vote
 * carries (1 − τ)·p(1 − p). With τ = 0 (the default) this is the information of a decisive logistic vote,
 * p(1 − p), the former behaviour.
 *
 * A plug-in estimate, not a bound: it assumes the gap stays at its estimate (a true gap smaller than the
 * estimate needs more votes, a larger one fewer, and the estimate itself is uncertain) and that the new votes
 * follow that law. Under the tie models (Davidson, Rao–Kupper) the same half-win formula is applied to that
 * fit's gap: a rough guide only. O(1).
 *
 * @param gap estimated gap A − B in display points
 * @param sd its standard deviation in display points
 * @param level interval level in (0, 1)
 * @param scale display scale (points per logit = scale/ln base)
 * @param tieRate tie probability τ of a new A–B vote, in [0, 1] (default 0: decisive votes)
 * @param ties how the fit scores ties: `half` (LMArena) or `ignore` (dropped)
 * @returns battles needed, 0 if already separated, null when gap = 0 (no number of votes separates equal models)
 */
export function votesToSeparate(
  gap: number,
  sd: number,
  level: number,
  scale: Pick<ScaleOptions, 'scale' | 'base'>,
  tieRate = 0,
  ties: 'half' | 'ignore' = 'half',
): number | null {
  const z = normalQuantile((1 + level) / 2);
  if (Math.abs(gap) > z * sd) return 0;
  if (gap === 0) return null;
  const f = pointsPerLogit(scale);
  const d = gap / f;
  const s = sd / f;
  const p = sigmoid(d);
  const v = p * (1 - p);
  const tau = Math.min(Math.max(tieRate, 0), 1);
  // ties half: the law P(A) = p − τ/2, P(tie) = τ exists for τ ≤ 2·min(p, 1 − p)
  const perVote = ties === 'ignore' ? (1 - tau) * v : (v * v) / (v - Math.min(tau, 2 * Math.min(p, 1 - p)) / 4);
  const need = (z * z) / (d * d) - (s > 0 ? 1 / (s * s) : Number.POSITIVE_INFINITY);
  return Math.max(0, Math.ceil(need / perVote));
}

/**
 * Compares models a and b (ids) of a fit with uncertainty: the gap with its interval (bootstrap percentiles of
 * the per-round gap — with the control variate of `u.linear` when there is one (see `controlQuantiles`), else
 * type 7 — widened to hold the point gap if needed; or the sandwich normal interval with
 * Var = Σaa + Σbb − 2Σab), the predicted expected score (the model's outcome law at the gap, so its interval maps
 * the gap's endpoints), P(a above b) and {@link votesToSeparate} (with the tie share of a's and b's battles, and
 * the fit's `ties` when it is `ignore`).
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
    const v = contrastVariance(u.cov, a, b);
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
  // tie rate of a new A–B vote: the tie share of the two models' battles (see votesToSeparate)
  const tot = u.point.totals;
  const played = tot.battles[a]! + tot.battles[b]!;
  const tieRate = played > 0 ? (tot.ties[a]! + tot.ties[b]!) / played : 0;
  const votes = separated ? 0 : votesToSeparate(gap, gapSd, level, scale, tieRate, u.point.options.ties === 'ignore' ? 'ignore' : 'half');
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
