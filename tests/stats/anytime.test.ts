import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/math/normal.js';
import { createRng, normal } from '../../src/rng.js';
import { anytimeFactor, anytimeHalfWidth, mixtureRatio } from '../../src/stats/anytime.js';

/** g(x) = (1 + x)·ln((1 + x)/(x·α²)): the squared half-width at I*, in units of 1/I* (see src/stats/anytime.ts). */
const g = (x: number, alpha: number) => (1 + x) * Math.log((1 + x) / (x * alpha * alpha));

describe('mixtureRatio', () => {
  it('minimises g: agrees with a dense grid search (an independent minimiser) for several α', () => {
    for (const alpha of [0.01, 0.05, 0.1, 0.2]) {
      let best = Number.POSITIVE_INFINITY;
      let arg = 0;
      for (let e = -6; e <= 3; e += 1e-4) {
        const x = 10 ** e;
        const v = g(x, alpha);
        if (v < best) {
          best = v;
          arg = x;
        }
      }
      const x = mixtureRatio(alpha);
      expect(Math.abs(Math.log(x / arg))).toBeLessThan(1e-3);
      expect(g(x, alpha)).toBeLessThanOrEqual(best + 1e-9);
    }
  });
  it('rejects α outside (0, 1)', () => {
    expect(() => mixtureRatio(0)).toThrow(RangeError);
    expect(() => mixtureRatio(1)).toThrow(RangeError);
  });
});

describe('anytimeHalfWidth', () => {
  it('known value: at se = tune the factor is √g(x*), for any tune', () => {
    const alpha = 0.05;
    const x = mixtureRatio(alpha);
    for (const tune of [0.5, 10, 37]) expect(anytimeFactor(tune, alpha, tune)).toBeCloseTo(Math.sqrt(g(x, alpha)), 12);
    // the closed form at a point off the tuning: I = 4, ρ = x*/100 (tune 10, se 0.5)
    const i = 4;
    const rho = x / 100;
    expect(anytimeHalfWidth(0.5, alpha, 10)).toBeCloseTo(Math.sqrt((i + rho) * Math.log((i + rho) / (rho * alpha * alpha))) / i, 14);
  });

  it('property: always wider than the fixed-level interval, and wider for smaller α', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-4, max: 1e4, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 0.001, max: 0.3, noNaN: true }), (se, tune, alpha) => {
        const c = anytimeFactor(se, alpha, tune);
        return c > normalQuantile(1 - alpha / 2) && anytimeFactor(se, alpha / 2, tune) > c;
      }),
    );
  });

  it('edge values: 0 at se 0, infinite at se ∞', () => {
    expect(anytimeHalfWidth(0, 0.05, 10)).toBe(0);
    expect(anytimeHalfWidth(Number.POSITIVE_INFINITY, 0.05, 10)).toBe(Number.POSITIVE_INFINITY);
    expect(() => anytimeHalfWidth(1, 0.05, 0)).toThrow(RangeError);
  });

  it('time-uniform coverage on Gaussian random walks (2,000 paths, checked at each of 2,000 steps): the sequence misses in ≤ 5%, the fixed 95% interval in far more', () => {
    // S_n = Σ ξ_i, ξ ~ N(0, 1): the estimate d̂_n = S_n/n of d = 0 has se 1/√n (information n). Seeded.
    const rng = createRng('anytime-walks');
    const paths = 2000;
    const steps = 2000;
    const alpha = 0.05;
    const ratio = mixtureRatio(alpha);
    const z = normalQuantile(1 - alpha / 2);
    const tune = 1 / Math.sqrt(200); // tightest at step 200
    const hw = Float64Array.from({ length: steps }, (_, k) => anytimeHalfWidth(1 / Math.sqrt(k + 1), alpha, tune, ratio));
    let missAnytime = 0;
    let missFixed = 0;
    for (let p = 0; p < paths; p++) {
      let s = 0;
      let anytime = false;
      let fixed = false;
      for (let n = 1; n <= steps; n++) {
        s += normal(rng);
        const est = Math.abs(s / n);
        if (est > hw[n - 1]!) anytime = true;
        if (est > z / Math.sqrt(n)) fixed = true;
      }
      if (anytime) missAnytime++;
      if (fixed) missFixed++;
    }
    // Ville's bound is 5%; the Monte-Carlo sd of a 5% rate over 2,000 paths is 0.49%
    expect(missAnytime / paths).toBeLessThanOrEqual(0.05 + 3 * 0.0049);
    // a fixed-level interval checked 2,000 times misses far more often (the law of the iterated logarithm)
    expect(missFixed / paths).toBeGreaterThan(0.3);
  });
});
