/**
 * "Is A really ahead of B?" asked of a published board: only each model's rating and the bounds of its interval
 * are known, not the correlation of the two estimates, so the answer is given under an assumed correlation ρ.
 */
import { normalCdf, normalQuantile } from '../math/normal.js';

/**
 * A typical correlation of two neighbouring models' rating estimates on an LMArena-like board: 0.06.
 *
 * Derived by simulation (`neighbourCorrelations` in `sim/neighbour-correlation.ts`; `bench/neighbour-correlation.mjs`
 * re-derives it and `tests/stats/published-compare.test.ts` checks it): the published 2025-12-11 `full` board
 * (282 models) as the truth, 1,000,000 battles drawn by the popularity policy (pairs ∝ wᵢ·wⱼ, Zipf weights by
 * true rank, exponent 1), ties at the default rate, fitted with Bradley–Terry (ties half); ρ is the median, over
 * the 20 adjacent pairs of the top 21 models, of the sandwich correlation Σab/√(Σaa·Σbb) (seeds 1–3: 0.0558–0.0568,
 * rounded; it does not depend on the number of battles, since the whole covariance scales as 1/N).
 *
 * For scale: uniform or LMArena-policy sampling gives ≈ −0.003 (−1/(m − 1), the sum-to-zero constraint alone); the
 * real Chatbot Arena battles of 2024-08-14 give a median of 0.09 over the top 20 neighbours (0.03 over all).
 * Positive, because two top models are both measured against the same, less-known rest of the board.
 */
export const TYPICAL_NEIGHBOUR_CORRELATION = 0.06;

/** One model's published figures: rating and the bounds of its interval (display points). */
export interface PublishedRating {
  readonly rating: number;
  readonly lower: number;
  readonly upper: number;
}

/** The gap A − B under one assumed correlation. */
export interface PublishedGap {
  /** The assumed correlation ρ of the two estimates. */
  readonly correlation: number;
  /** Gap A − B (display points) with its interval at `level` (asymmetric when the published bounds are). */
  readonly gap: { readonly estimate: number; readonly lower: number; readonly upper: number };
  /** Standard deviation of the gap below the estimate (from A's lower and B's upper half-widths). */
  readonly sdBelow: number;
  /** Standard deviation of the gap above the estimate (from A's upper and B's lower half-widths). */
  readonly sdAbove: number;
  /** P(A's true rating is above B's): Φ(gap / sd of the side towards 0) — a normal approximation, flat prior. */
  readonly pAbove: number;
  /** Whether the gap's interval excludes 0 (the project's one meaning of "separated"). */
  readonly separated: boolean;
  /** Interval level of `gap`. */
  readonly level: number;
}

/** Options of {@link comparePublished}. */
export interface ComparePublishedOptions {
  /** Assumed correlation ρ of the two estimates, in [−1, 1]. */
  readonly correlation: number;
  /** Level of the gap's interval (default 0.95). */
  readonly level?: number;
  /** Level of the published bounds (default 0.95: LMArena's `rating_q025`/`rating_q975`). */
  readonly boundsLevel?: number;
}

/**
 * Compares two models of a published board from their ratings and interval bounds alone.
 *
 * Each bound gives a standard error: s = half-width / z_b, z_b = Φ⁻¹((1 + boundsLevel)/2) = 1.96 at 95%. Bounds
 * may be asymmetric (LMArena's bootstrap percentiles up to May 2025; the sandwich bounds since are symmetric), so
 * each side keeps its own: A's lower half-width sA↓ = (r_A − lower_A)/z_b, its upper sA↑, and likewise for B. The
 * gap g = r_A − r_B falls when A's estimate is too high or B's too low, so the spread of g below its estimate
 * combines A's lower and B's upper sides, and above it the other two:
 *
 *     sd↓ = √(sA↓² + sB↑² − 2ρ·sA↓·sB↑),   sd↑ = √(sA↑² + sB↓² − 2ρ·sA↑·sB↓)
 *
 * (Var(A − B) = Var A + Var B − 2·Cov(A, B)). The gap's interval is [g − z·sd↓, g + z·sd↑], z = Φ⁻¹((1 + level)/2);
 * "separated" means it excludes 0. P(A above B) = Φ(g / sd↓) when g ≥ 0, Φ(g / sd↑) when g < 0 (the side facing 0),
 * so separated at `level` ⇔ P(A above B) > (1 + level)/2 or < (1 − level)/2, and swapping A and B gives
 * 1 − P. With symmetric bounds this is the usual normal comparison. A normal approximation: it reads the published
 * bounds as ±z_b standard errors and treats the two estimates as jointly normal with correlation ρ.
 *
 * O(1).
 *
 * @param a model A's published rating and bounds (display points)
 * @param b model B's
 * @throws RangeError for a correlation outside [−1, 1], a level outside (0, 1), or bounds not around the rating
 * @example comparePublished({ rating: 1486.6, lower: 1480.4, upper: 1492.8 }, { rating: 1451.2, lower: 1445.1, upper: 1457.3 }, { correlation: 0 }).separated // true
 */
export function comparePublished(a: PublishedRating, b: PublishedRating, o: ComparePublishedOptions): PublishedGap {
  const rho = o.correlation;
  const level = o.level ?? 0.95;
  const boundsLevel = o.boundsLevel ?? 0.95;
  if (!(rho >= -1 && rho <= 1)) throw new RangeError('comparePublished needs a correlation in [-1, 1]');
  if (!(level > 0 && level < 1) || !(boundsLevel > 0 && boundsLevel < 1)) throw new RangeError('comparePublished needs levels strictly between 0 and 1');
  for (const x of [a, b]) {
    if (![x.rating, x.lower, x.upper].every(Number.isFinite) || x.lower > x.rating || x.rating > x.upper) throw new RangeError('comparePublished needs finite bounds with lower ≤ rating ≤ upper');
  }
  const zb = normalQuantile((1 + boundsLevel) / 2);
  const z = normalQuantile((1 + level) / 2);
  const aDown = (a.rating - a.lower) / zb;
  const aUp = (a.upper - a.rating) / zb;
  const bDown = (b.rating - b.lower) / zb;
  const bUp = (b.upper - b.rating) / zb;
  const sd = (x: number, y: number) => Math.sqrt(Math.max(0, x * x + y * y - 2 * rho * x * y));
  const sdBelow = sd(aDown, bUp);
  const sdAbove = sd(aUp, bDown);
  const g = a.rating - b.rating;
  const facing = g >= 0 ? sdBelow : sdAbove;
  const pAbove = g === 0 ? 0.5 : facing > 0 ? normalCdf(g / facing) : g > 0 ? 1 : 0;
  const lower = g - z * sdBelow;
  const upper = g + z * sdAbove;
  return { correlation: rho, gap: { estimate: g, lower, upper }, sdBelow, sdAbove, pAbove, separated: lower > 0 || upper < 0, level };
}
