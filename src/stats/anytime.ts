/**
 * Anytime-valid confidence sequences for a rating gap watched at many checkpoints.
 *
 * Checking a fixed-level interval at every checkpoint and stopping at the first "separated" inflates false calls:
 * with 100 looks at a true gap of 0, a 95% interval excludes 0 at some look far more often than 5% of the time.
 * A confidence sequence holds at every look at once: P(∃ t: d ∉ CS_t) ≤ α.
 *
 * Construction (Robbins' normal mixture; Howard, Ramdas, McAuliffe & Sekhon 2021, "Time-uniform, nonparametric,
 * nonasymptotic confidence sequences", Ann. Statist. 49(2), eq. (14) and §3.2). As votes accumulate, a
 * maximum-likelihood gap d̂ₜ with information Iₜ = 1/se²ₜ behaves like S = I·(d̂ − d), a Brownian motion in
 * information time with variance I (the score is a sum of independent per-vote terms; the estimator is its
 * linearisation). For any ρ > 0,
 *
 *     Mₜ = √(ρ/(Iₜ + ρ)) · exp( Sₜ² / (2(Iₜ + ρ)) )
 *
 * is a nonnegative (super)martingale with M₀ = 1 (a N(0, 1/ρ) mixture of exp(λS − λ²I/2)), so by Ville's
 * inequality P(∃ t: Mₜ ≥ 1/α) ≤ α, i.e. with probability ≥ 1 − α, at every t simultaneously,
 *
 *     |d̂ₜ − d| ≤ √( (Iₜ + ρ) · ln((Iₜ + ρ)/(ρ·α²)) ) / Iₜ.
 *
 * The half-width grows like √(ln I / I), against the fixed z/√I. ρ sets where the sequence is tightest; written
 * ρ = x·I*, the half-width at I* is √(g(x)/I*) with g(x) = (1 + x)·ln((1 + x)/(x·α²)), minimised at the root x*
 * of ln((1 + x)/(x·α²)) = 1/x, which depends on α only. The sequence is tuned, before any data, by the standard
 * error σ* (display points) at which it should be tightest: I* = 1/σ*² on the natural scale.
 *
 * Validity is asymptotic in the same sense as the sandwich interval itself (Waudby-Smith, Arbour, Sinha, Kennedy &
 * Ramdas 2024, "Time-uniform central limit theory and asymptotic confidence sequences", Ann. Statist.): the bench
 * `bench/anytime.mjs` measures the false-separation rate on simulated boards with a true tie, checked at every
 * checkpoint.
 */

/** Default tuning: the sequence is tightest when the gap's standard error is this many display points. */
export const DEFAULT_ANYTIME_TUNE = 10;

/**
 * The ratio x* = ρ/I* that makes the normal-mixture half-width smallest at information I*: the root of
 * ln((1 + x)/(x·α²)) − 1/x (increasing in x from −∞ to ln(1/α²) > 0, so one root; bisection on a log scale).
 * O(1).
 *
 * @param alpha error level in (0, 1)
 */
export function mixtureRatio(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const h = (x: number) => Math.log((1 + x) / (x * alpha * alpha)) - 1 / x;
  let lo = 1e-12;
  let hi = 1e12;
  for (let it = 0; it < 200; it++) {
    const mid = Math.sqrt(lo * hi);
    if (h(mid) < 0) lo = mid;
    else hi = mid;
    if (hi / lo < 1 + 1e-15) break;
  }
  return Math.sqrt(lo * hi);
}

/**
 * Half-width of the normal-mixture confidence sequence at standard error `se`: √((I + ρ)·ln((I + ρ)/(ρα²)))/I with
 * I = 1/se² and ρ = x*(α)/tune², so that the half-width is smallest (relative to `se`) when se = tune. Units: `se`
 * and `tune` in the same units (display points); the result in those units. Infinite when se is infinite or NaN;
 * 0 when se = 0. O(1) given x*.
 *
 * @param se the gap's standard error now (sandwich)
 * @param alpha error level, for every checkpoint at once
 * @param tune the standard error at which the sequence is tightest (chosen before the data)
 * @param ratio x*(α) from {@link mixtureRatio} (pass it when calling many times)
 */
export function anytimeHalfWidth(se: number, alpha: number, tune: number, ratio = mixtureRatio(alpha)): number {
  if (!(tune > 0)) throw new RangeError(`tune must be > 0, got ${tune}`);
  if (se === 0) return 0;
  if (!(se < Number.POSITIVE_INFINITY)) return Number.POSITIVE_INFINITY;
  const info = 1 / (se * se);
  const rho = ratio / (tune * tune);
  return Math.sqrt((info + rho) * Math.log((info + rho) / (rho * alpha * alpha))) / info;
}

/**
 * The factor c = half-width / se of the confidence sequence at standard error `se` (compare z = 1.96 for a fixed
 * 95% interval): c² = (1 + ρ·se²)·ln((1 + ρ·se²)/(ρ·se²·α²)). Always > z_{1−α/2}. O(1) given x*.
 */
export function anytimeFactor(se: number, alpha: number, tune: number, ratio = mixtureRatio(alpha)): number {
  return se > 0 && Number.isFinite(se) ? anytimeHalfWidth(se, alpha, tune, ratio) / se : Number.NaN;
}
