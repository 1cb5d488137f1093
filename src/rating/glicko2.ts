/**
 * Glicko-2 (Glickman, "Example of the Glicko-2 system", 2012/2022, glicko2.pdf): a rating μ, a rating deviation φ
 * and a volatility σ per player, updated once per rating period from all the period's games. Computed on
 * Glickman's internal scale (μ = (r − r₀)/f, φ = RD/f, with f = scale/ln(base) = 173.7178 on the 400/10 scale).
 */

/** Glicko-2's g(φ) = 1/√(1 + 3φ²/π²), the attenuation of a gap by the opponent's uncertainty. O(1). */
export function glickoG(phi: number): number {
  return 1 / Math.sqrt(1 + (3 * phi * phi) / (Math.PI * Math.PI));
}

/** Glicko-2's expected score E(μ, μⱼ, φⱼ) = 1/(1 + exp(−g(φⱼ)(μ − μⱼ))). O(1). */
export function glickoExpected(mu: number, muJ: number, phiJ: number): number {
  return 1 / (1 + Math.exp(-glickoG(phiJ) * (mu - muJ)));
}

/** One player's state on Glickman's internal scale. */
export interface Glicko2State {
  /** μ = (r − r₀)/f. */
  readonly mu: number;
  /** φ = RD/f. */
  readonly phi: number;
  /** Volatility σ. */
  readonly sigma: number;
}

/** Convergence tolerance ε of the volatility iteration (Glickman's step 5: 0.000001). */
export const GLICKO2_EPSILON = 1e-6;

/**
 * One rating-period update of one player (Glickman's steps 3–8) from the games of the period: opponents' μⱼ, φⱼ
 * (at the start of the period) and scores sⱼ (1 win, ½ draw, 0 loss). With no game only φ grows:
 * φ' = √(φ² + σ²) (step 6 alone). The new volatility σ' solves f(x) = 0 by the Illinois algorithm (step 5.2–5.4),
 * with τ constraining the change in volatility over time. O(games + iterations).
 *
 * @param tau system constant τ (Glickman: reasonable choices between 0.3 and 1.2)
 * @example Glickman's example: μ 0, φ 200/173.7178, σ 0.06 against (1400, 30) win, (1550, 100) loss, (1700, 300)
 * loss, τ 0.5 → rating 1464.06, RD 151.52, σ' 0.05999
 */
export function glicko2Update(p: Glicko2State, muJ: ArrayLike<number>, phiJ: ArrayLike<number>, s: ArrayLike<number>, tau: number): Glicko2State {
  const n = muJ.length;
  if (n === 0) return { mu: p.mu, phi: Math.sqrt(p.phi * p.phi + p.sigma * p.sigma), sigma: p.sigma };
  let vInv = 0;
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const g = glickoG(phiJ[j]!);
    const e = 1 / (1 + Math.exp(-g * (p.mu - muJ[j]!)));
    vInv += g * g * e * (1 - e);
    sum += g * (s[j]! - e);
  }
  const v = 1 / vInv;
  const delta = v * sum;
  const sigma = newVolatility(p.phi, p.sigma, v, delta, tau);
  const phiStar2 = p.phi * p.phi + sigma * sigma;
  const phi = 1 / Math.sqrt(1 / phiStar2 + vInv);
  return { mu: p.mu + phi * phi * sum, phi, sigma };
}

/** Step 5: σ' by the Illinois algorithm on f(x) = eˣ(Δ² − φ² − v − eˣ)/(2(φ² + v + eˣ)²) − (x − a)/τ², a = ln σ². */
function newVolatility(phi: number, sigma: number, v: number, delta: number, tau: number): number {
  const a = Math.log(sigma * sigma);
  const phi2 = phi * phi;
  const d2 = delta * delta;
  const tau2 = tau * tau;
  const f = (x: number) => {
    const ex = Math.exp(x);
    const den = phi2 + v + ex;
    return (ex * (d2 - phi2 - v - ex)) / (2 * den * den) - (x - a) / tau2;
  };
  let A = a;
  let B: number;
  if (d2 > phi2 + v) B = Math.log(d2 - phi2 - v);
  else {
    let k = 1;
    while (f(a - k * tau) < 0) k++;
    B = a - k * tau;
  }
  let fA = f(A);
  let fB = f(B);
  for (let it = 0; Math.abs(B - A) > GLICKO2_EPSILON && it < 200; it++) {
    const C = A + ((A - B) * fA) / (fB - fA);
    const fC = f(C);
    if (fC * fB <= 0) {
      A = B;
      fA = fB;
    } else fA /= 2;
    B = C;
    fB = fC;
  }
  return Math.exp(A / 2);
}

/**
 * Predicted probability that player i beats player j (draws counting half) before their game: the logistic curve
 * at the gap attenuated by both deviations, 1/(1 + exp(−g(√(φᵢ² + φⱼ²))(μᵢ − μⱼ))) (Glickman 1999, "Parameter
 * estimation in large dynamic paired comparison experiments", Appl. Statist. 48:377–394, eq. 16 on the natural
 * scale). Symmetric: P(i, j) + P(j, i) = 1. O(1).
 */
export function glicko2WinProbability(muI: number, phiI: number, muJ: number, phiJ: number): number {
  return 1 / (1 + Math.exp(-glickoG(Math.sqrt(phiI * phiI + phiJ * phiJ)) * (muI - muJ)));
}
