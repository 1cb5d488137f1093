import type { Rng } from '../rng.js';

/**
 * Below this mean (n·min(p, 1−p)) {@link binomial} uses inversion, above it BTPE. Kachitvichyanukul & Schmeiser
 * allow BTPE from a mean of 10 on; numpy switches at 30, as here (measured fastest in the multinomial bootstrap).
 * Both methods are exact, so the switch point only trades speed (inversion costs O(mean) multiplications, BTPE
 * O(1) but with a costly set-up).
 */
export const BINOMIAL_INVERSION_MAX_MEAN = 30;

/**
 * Draws one Binomial(n, p) variate: the number of successes in n independent trials of probability p.
 *
 * Why: the multinomial bootstrap of Bradley–Terry cells needs one binomial draw per cell per round, with n up to
 * millions, so the sampler must cost O(1) whatever n is.
 *
 * How: for a mean n·min(p, 1−p) below {@link BINOMIAL_INVERSION_MAX_MEAN}, sequential inversion of the CDF
 * (BINV: walk up from P(0) = qⁿ using P(x)/P(x−1) = (n−x+1)p / (x q)); otherwise BTPE, the triangle /
 * parallelogram / exponential-tails acceptance–rejection algorithm of Kachitvichyanukul & Schmeiser (1988),
 * "Binomial random variate generation", Communications of the ACM 31(2):216–222, with the squeeze and the
 * Stirling-series final test, following numpy's `random_binomial_btpe`. For p > ½ the draw is n − Binomial(n, 1−p).
 * Exact in law (acceptance–rejection; inversion restarts beyond mean + 10 sd, a tail of mass below 1e−20, as numpy).
 *
 * O(1) expected for BTPE (about 1.2 pairs of uniforms per draw), O(n·p) for inversion. Uses `rng` only.
 *
 * @param rng uniform source in [0, 1)
 * @param n number of trials, a non-negative integer (up to 2^53)
 * @param p success probability in [0, 1]
 * @returns an integer in [0, n]
 * @throws RangeError when n is not a non-negative integer or p is outside [0, 1]
 * @example binomial(createRng(1), 100, 0.3) // an integer near 30
 */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`binomial requires a non-negative integer n, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial requires p in [0, 1], got ${p}`);
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p <= 0.5) return n * p < BINOMIAL_INVERSION_MAX_MEAN ? binomialInversion(rng, n, p) : binomialBtpe(rng, n, p);
  const q = 1 - p;
  return n - (n * q < BINOMIAL_INVERSION_MAX_MEAN ? binomialInversion(rng, n, q) : binomialBtpe(rng, n, q));
}

/**
 * Binomial by sequential CDF inversion (Kachitvichyanukul & Schmeiser's BINV), for p ≤ ½ and a small mean n·p.
 * O(n·p) expected. Not exported through the index: call {@link binomial}.
 */
export function binomialInversion(rng: Rng, n: number, p: number): number {
  return binomialInversionWith(rng, n, Math.log1p(-p), p / (1 - p));
}

const RECIPROCAL = Float64Array.from({ length: 1025 }, (_, x) => (x ? 1 / x : 0));

/**
 * BINV with the per-p constants supplied: `logq` = ln(1 − p), `ratio` = p/(1 − p), so that a caller drawing
 * many binomials with one p but varying n (the multinomial bootstrap) computes them once. Walks up from
 * P(0) = e^{n·logq} with P(x) = P(x−1)·(n−x+1)·ratio/x. The walk is capped at min(n, mean + 10·sd + 10, 1024) and
 * restarts beyond (mass beyond the cap is below 1e−20, as numpy's `random_binomial_inversion`); requires p ≤ ½
 * and n·p ≤ 30 or so for speed. O(n·p).
 */
export function binomialInversionWith(rng: Rng, n: number, logq: number, ratio: number): number {
  const qn = Math.exp(n * logq);
  const p = ratio / (1 + ratio);
  const np = n * p;
  const bound = Math.min(n, np + 10 * Math.sqrt(np * (1 - p) + 1) + 10, 1024);
  for (;;) {
    let x = 0;
    let px = qn;
    let u = rng();
    while (u > px) {
      x++;
      if (x > bound) break;
      u -= px;
      px *= (n - x + 1) * ratio * RECIPROCAL[x]!;
    }
    if (x <= bound) return x;
  }
}

/**
 * Binomial by BTPE (Kachitvichyanukul & Schmeiser 1988) for p ≤ ½ and n·p ≥ about 10. O(1) expected.
 * Not exported through the index: call {@link binomial}.
 */
export function binomialBtpe(rng: Rng, n: number, p: number): number {
  const r = p;
  const q = 1 - r;
  const fm = n * r + r;
  const m = Math.floor(fm);
  const p1 = Math.floor(2.195 * Math.sqrt(n * r * q) - 4.6 * q) + 0.5;
  const xm = m + 0.5;
  const xl = xm - p1;
  const xr = xm + p1;
  const c = 0.134 + 20.5 / (15.3 + m);
  let a = (fm - xl) / (fm - xl * r);
  const laml = a * (1 + a / 2);
  a = (xr - fm) / (xr * q);
  const lamr = a * (1 + a / 2);
  const p2 = p1 * (1 + 2 * c);
  const p3 = p2 + c / laml;
  const p4 = p3 + c / lamr;
  const nrq = n * r * q;
  for (;;) {
    const u = rng() * p4;
    let v = rng();
    let y: number;
    if (u <= p1) {
      // triangular region: accept at once
      return Math.floor(xm - p1 * v + u);
    }
    if (u <= p2) {
      // parallelograms
      const x = xl + (u - p1) / c;
      v = v * c + 1 - Math.abs(m - x + 0.5) / p1;
      if (v > 1) continue;
      y = Math.floor(x);
    } else if (u <= p3) {
      // left exponential tail
      y = Math.floor(xl + Math.log(v) / laml);
      if (y < 0 || v === 0) continue;
      v = v * (u - p2) * laml;
    } else {
      // right exponential tail
      y = Math.floor(xr - Math.log(v) / lamr);
      if (y > n || v === 0) continue;
      v = v * (u - p3) * lamr;
    }
    const k = Math.abs(y - m);
    if (k <= 20 || k >= nrq / 2 - 1) {
      // explicit evaluation of f(y)/f(m) by the recurrence
      const s = r / q;
      const aa = s * (n + 1);
      let f = 1;
      if (m < y) for (let i = m + 1; i <= y; i++) f *= aa / i - s;
      else if (m > y) for (let i = y + 1; i <= m; i++) f /= aa / i - s;
      if (v > f) continue;
      return y;
    }
    // squeeze on log f(y)/f(m), then the Stirling-series bound
    const rho = (k / nrq) * ((k * (k / 3 + 0.625) + 0.16666666666666666) / nrq + 0.5);
    const t = (-k * k) / (2 * nrq);
    const A = Math.log(v);
    if (A < t - rho) return y;
    if (A > t + rho) continue;
    const x1 = y + 1;
    const f1 = m + 1;
    const z = n + 1 - m;
    const w = n - y + 1;
    const x2 = x1 * x1;
    const f2 = f1 * f1;
    const z2 = z * z;
    const w2 = w * w;
    const bound =
      xm * Math.log(f1 / x1) +
      (n - m + 0.5) * Math.log(z / w) +
      (y - m) * Math.log((w * r) / (x1 * q)) +
      (13680 - (462 - (132 - (99 - 140 / f2) / f2) / f2) / f2) / f1 / 166320 +
      (13680 - (462 - (132 - (99 - 140 / z2) / z2) / z2) / z2) / z / 166320 +
      (13680 - (462 - (132 - (99 - 140 / x2) / x2) / x2) / x2) / x1 / 166320 +
      (13680 - (462 - (132 - (99 - 140 / w2) / w2) / w2) / w2) / w / 166320;
    if (A > bound) continue;
    return y;
  }
}

/**
 * Natural log of the binomial probability mass P(X = k) for X ~ Binomial(n, p), via log-gamma
 * (Lanczos, g = 7, 9 terms; relative error ~1e−15). Used to test {@link binomial}.
 * O(1).
 */
export function binomialLogPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  if (p === 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (p === 1) return k === n ? 0 : Number.NEGATIVE_INFINITY;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * log Γ(x) for x > 0 by the Lanczos approximation (g = 7), with the reflection formula below ½.
 * Reference: https://en.wikipedia.org/wiki/Lanczos_approximation. O(1).
 */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const xx = x - 1;
  let a = LANCZOS[0]!;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}
