import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomial, binomialLogPmf, logGamma } from '../../src/stats/binomial.js';
import { chiSquareQuantile } from './exact-laws.js';
import { createRng } from '../../src/rng.js';


/** Pearson chi-square statistic of `draws` samples against the exact pmf, pooling tails so each bin expects ≥ 5. */
function chiSquare(n: number, p: number, draws: number, seed: number): { stat: number; df: number } {
  const rng = createRng(seed);
  const counts = new Float64Array(n + 1);
  for (let d = 0; d < draws; d++) counts[binomial(rng, n, p)]!++;
  const bins: { obs: number; exp: number }[] = [];
  let cur = { obs: 0, exp: 0 };
  for (let k = 0; k <= n; k++) {
    cur.obs += counts[k]!;
    cur.exp += draws * Math.exp(binomialLogPmf(k, n, p));
    if (cur.exp >= 5) {
      bins.push(cur);
      cur = { obs: 0, exp: 0 };
    }
  }
  if (bins.length) {
    bins[bins.length - 1]!.obs += cur.obs;
    bins[bins.length - 1]!.exp += cur.exp;
  }
  let stat = 0;
  for (const b of bins) stat += (b.obs - b.exp) ** 2 / b.exp;
  return { stat, df: bins.length - 1 };
}

describe('logGamma and binomialLogPmf', () => {
  it('match known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
    // C(10,3)·0.3³·0.7⁷ = 0.26682793200000005
    expect(Math.exp(binomialLogPmf(3, 10, 0.3))).toBeCloseTo(0.266827932, 12);
  });
  it('sums to one', () => {
    for (const [n, p] of [[20, 0.1], [200, 0.45], [57, 0.9]] as const) {
      let s = 0;
      for (let k = 0; k <= n; k++) s += Math.exp(binomialLogPmf(k, n, p));
      expect(s).toBeCloseTo(1, 11);
    }
  });
});

describe('binomial sampler', () => {
  it('rejects bad arguments', () => {
    const rng = createRng(1);
    expect(() => binomial(rng, -1, 0.5)).toThrow(RangeError);
    expect(() => binomial(rng, 2.5, 0.5)).toThrow(RangeError);
    expect(() => binomial(rng, 10, 1.5)).toThrow(RangeError);
    expect(() => binomial(rng, 10, Number.NaN)).toThrow(RangeError);
  });

  it('handles the degenerate cases', () => {
    const rng = createRng(1);
    expect(binomial(rng, 0, 0.3)).toBe(0);
    expect(binomial(rng, 17, 0)).toBe(0);
    expect(binomial(rng, 17, 1)).toBe(17);
  });

  it('is exact in law: chi-square against the pmf in both regimes (inversion and BTPE, p below and above ½)', () => {
    // The cases straddle the inversion/BTPE switch (mean 30) and use every BTPE region, including the Stirling test
    // (|y − mode| > 20 needs a standard deviation of more than about 7).
    const cases: [number, number][] = [
      [5, 0.3],
      [40, 0.2], // mean 8: inversion
      [58, 0.5], // mean 29: inversion near its limit
      [70, 0.45], // mean 31.5: BTPE near its lower limit
      [100, 0.3],
      [1000, 0.5],
      [5000, 0.04], // sd 13.9: Stirling-series branch reached
      [300, 0.8], // p > ½, flipped to BTPE on q
      [60, 0.9], // p > ½, flipped to inversion on q
    ];
    for (const [n, p] of cases) {
      const { stat, df } = chiSquare(n, p, 200_000, n * 1000 + Math.round(p * 100));
      // α = 1e−4 per case at a fixed seed: a sampler off by even a few percent in one bin fails
      expect(stat, `n=${n} p=${p} chi2=${stat.toFixed(1)} df=${df}`).toBeLessThan(chiSquareQuantile(df, 1 - 1e-4));
    }
  });

  it('chi-square test has power: a slightly wrong p is rejected', () => {
    // draws from Binomial(100, 0.31) tested against the pmf of Binomial(100, 0.30)
    const rng = createRng(7);
    const draws = 200_000;
    const counts = new Float64Array(101);
    for (let d = 0; d < draws; d++) counts[binomial(rng, 100, 0.31)]!++;
    let stat = 0;
    let df = -1;
    for (let k = 15; k <= 45; k++) {
      const e = draws * Math.exp(binomialLogPmf(k, 100, 0.3));
      stat += (counts[k]! - e) ** 2 / e;
      df++;
    }
    expect(stat).toBeGreaterThan(chiSquareQuantile(df, 1 - 1e-4));
  });

  it('has mean n·p and variance n·p·(1−p) at large n (fixed seed)', () => {
    for (const [n, p] of [[1_670_250, 0.37], [10_000_000, 1e-5], [123_456, 0.5]] as const) {
      const rng = createRng(n);
      const draws = 50_000;
      let s = 0;
      let s2 = 0;
      let bad = 0;
      for (let d = 0; d < draws; d++) {
        const x = binomial(rng, n, p);
        if (!(Number.isInteger(x) && x >= 0 && x <= n)) bad++;
        s += x;
        s2 += x * x;
      }
      expect(bad).toBe(0);
      const mean = s / draws;
      const variance = s2 / draws - mean * mean;
      const v = n * p * (1 - p);
      // 5 standard errors of the mean and ~5 of the variance (sd of a sample variance ≈ v·√(2/draws))
      expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(v / draws));
      expect(Math.abs(variance / v - 1)).toBeLessThan(5 * Math.sqrt(2 / draws));
    }
  });

  it('always returns an integer in [0, n], the same for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e7 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (n, p, seed) => {
        const x = binomial(createRng(seed), n, p);
        expect(Number.isInteger(x) && x >= 0 && x <= n).toBe(true);
        expect(binomial(createRng(seed), n, p)).toBe(x);
      }),
    );
  });
});
