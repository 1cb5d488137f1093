import { expect } from 'vitest';
import { logGamma } from '../../src/stats/binomial.js';
import { normalQuantile } from '../../src/math/normal.js';

/** Upper quantile of the chi-square law by the Wilson–Hilferty cube approximation. */
export function chiSquareQuantile(df: number, p: number): number {
  const z = normalQuantile(p);
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** All compositions of n into k non-negative parts. */
export function* compositions(n: number, k: number): Generator<number[]> {
  if (k === 1) {
    yield [n];
    return;
  }
  for (let x = 0; x <= n; x++) for (const rest of compositions(n - x, k - 1)) yield [x, ...rest];
}

/** log P(X = counts) for X ~ Multinomial(Σ counts, p). */
export function multinomialLogPmf(counts: readonly number[], p: readonly number[]): number {
  let logp = logGamma(counts.reduce((a, b) => a + b, 0) + 1);
  counts.forEach((x, k) => (logp += x * Math.log(p[k]!) - logGamma(x + 1)));
  return logp;
}

/**
 * Pearson chi-square of `draws` multinomial samples (`draw` fills its argument with counts over the first p.length
 * cells) against the exact pmf over every outcome of Multinomial(n, p); `outside` counts samples off the support.
 */
export function multinomialChiSquare(draw: () => ArrayLike<number>, draws: number, n: number, p: readonly number[]): { stat: number; bins: number; outside: number } {
  const seen = new Map<string, number>();
  for (let d = 0; d < draws; d++) {
    const key = Array.from(draw()).slice(0, p.length).join(',');
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  let stat = 0;
  let bins = 0;
  for (const c of compositions(n, p.length)) {
    const e = draws * Math.exp(multinomialLogPmf(c, p));
    const o = seen.get(c.join(',')) ?? 0;
    seen.delete(c.join(','));
    stat += (o - e) ** 2 / e;
    bins++;
  }
  return { stat, bins, outside: [...seen.values()].reduce((a, b) => a + b, 0) };
}

/**
 * The rounds' control variates of model v against the exact law of the linearised bootstrap: the sample mean within
 * 4.5 Monte-Carlo standard errors of the law's, the sample sd within `sdTolerance` (relative) of the law's, and the
 * refit within 10% of the law's sd of its control (rms T − L: the refit is nearly linear). Asserts with vitest.
 */
export function expectControlsFollowLaw(dist: { readonly rounds: number; readonly models: number; readonly ratings: Float64Array; readonly control?: Float64Array | null | undefined }, v: number, law: { mean: number; sd: number }, sdTolerance = 0.1): void {
  const R = dist.rounds;
  const m = dist.models;
  let s = 0;
  let s2 = 0;
  let d2 = 0;
  for (let r = 0; r < R; r++) {
    const x = dist.control![r * m + v]!;
    s += x;
    s2 += x * x;
    d2 += (dist.ratings[r * m + v]! - x) ** 2;
  }
  const mean = s / R;
  const sd = Math.sqrt(s2 / R - mean * mean);
  expect(Math.abs(mean - law.mean) / (law.sd / Math.sqrt(R))).toBeLessThan(4.5);
  expect(Math.abs(sd / law.sd - 1)).toBeLessThan(sdTolerance);
  expect(Math.sqrt(d2 / R)).toBeLessThan(0.1 * law.sd);
}
