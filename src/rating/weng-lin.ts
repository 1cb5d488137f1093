/**
 * Weng–Lin Bayesian online ranking, Bradley–Terry model with full pairing, for two players (Weng & Lin 2011,
 * "A Bayesian Approximation Method for Online Ranking", JMLR 12:267–300, Algorithm 1; the `bradleyTerryFull`
 * model of the openskill package, whose defaults it takes: μ 25, σ 25/3, β 25/6, κ 0.0001, γ = σᵢ/c).
 */

/** Weng–Lin parameters. */
export interface WengLinOptions {
  /** Prior mean μ₀ (openskill: 25). */
  readonly mu: number;
  /** Prior standard deviation σ₀ (openskill: 25/3). */
  readonly sigma: number;
  /** Performance noise β (openskill: 25/6). */
  readonly beta: number;
  /** Floor κ of the variance factor (openskill: 0.0001). */
  readonly kappa: number;
  /** Dynamics τ: before each game both players' σ² grow by τ², so ratings keep tracking (openskill: 25/300). */
  readonly tau: number;
}

/** openskill's defaults. */
export const DEFAULT_WENG_LIN: WengLinOptions = Object.freeze({ mu: 25, sigma: 25 / 3, beta: 25 / 6, kappa: 0.0001, tau: 25 / 300 });

/** c = √(σᵢ² + σⱼ² + 2β²), the scale of the pair's performance difference. O(1). */
export function wengLinC(sigmaI: number, sigmaJ: number, beta: number): number {
  return Math.sqrt(sigmaI * sigmaI + sigmaJ * sigmaJ + 2 * beta * beta);
}

/** p̂ = e^{μᵢ/c}/(e^{μᵢ/c} + e^{μⱼ/c}) = σ((μᵢ − μⱼ)/c): the model's probability that i beats j. O(1). */
export function wengLinWinProbability(muI: number, sigmaI: number, muJ: number, sigmaJ: number, beta: number): number {
  return 1 / (1 + Math.exp(-(muI - muJ) / wengLinC(sigmaI, sigmaJ, beta)));
}

/**
 * One game between i and j with score `s` for i (1 win, ½ draw, 0 loss), written in place to `mu` and `sigma` at
 * i and j. Algorithm 1 with two teams of one: c as {@link wengLinC}, p̂ᵢ = σ((μᵢ − μⱼ)/c),
 * Ωᵢ = σᵢ²/c·(s − p̂ᵢ), δᵢ = γᵢ·σᵢ²/c²·p̂ᵢ(1 − p̂ᵢ) with γᵢ = σᵢ/c; μᵢ += Ωᵢ, σᵢ² ·= max(1 − δᵢ, κ); the same for j
 * with 1 − s. Before the game both σ² grow by τ² (openskill's `rate`, σ ← √(σ² + τ²)). O(1).
 */
export function wengLinUpdate(mu: Float64Array, sigma: Float64Array, i: number, j: number, s: number, o: WengLinOptions = DEFAULT_WENG_LIN): void {
  const tau2 = o.tau * o.tau;
  const si = Math.sqrt(sigma[i]! * sigma[i]! + tau2);
  const sj = Math.sqrt(sigma[j]! * sigma[j]! + tau2);
  const c = wengLinC(si, sj, o.beta);
  const p = 1 / (1 + Math.exp(-(mu[i]! - mu[j]!) / c));
  const q = 1 - p;
  const si2 = si * si;
  const sj2 = sj * sj;
  mu[i] = mu[i]! + (si2 / c) * (s - p);
  mu[j] = mu[j]! + (sj2 / c) * (1 - s - q);
  const pq = (p * q) / (c * c);
  sigma[i] = Math.sqrt(si2 * Math.max(1 - (si / c) * si2 * pq, o.kappa));
  sigma[j] = Math.sqrt(sj2 * Math.max(1 - (sj / c) * sj2 * pq, o.kappa));
}
