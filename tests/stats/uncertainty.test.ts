import { describe, expect, it } from 'vitest';
import { tableFromBattles } from '../../src/data/table.js';
import { fitModel, modelFor } from '../../src/models/index.js';
import { DEFAULT_MODEL, type ModelOptions } from '../../src/models/types.js';
import { addIntervals, DEFAULT_INTERVALS, type IntervalOptions, rateWithIntervals, sandwichIntervals } from '../../src/stats/uncertainty.js';

/** Rating points per natural-log unit on the default 400/10 scale. */
const F = 400 / Math.log(10);

/** a beat b `w` times in `n` (no ties), a seated first in half the rows. */
const twoModels = (w: number, n: number) =>
  tableFromBattles([
    { modelA: 'a', modelB: 'b', outcome: 'a', count: w },
    { modelA: 'b', modelB: 'a', outcome: 'a', count: n - w },
  ]);

/**
 * The exact bootstrap law of two models: a resample of n battles has X ~ Binomial(n, w/n) wins of a, and the fit
 * puts the gap a − b at F·log(X/(n − X)). Its p-quantile is the gap at the smallest x with P(X ≤ x) ≥ p.
 */
function exactGapQuantile(w: number, n: number, p: number): number {
  // log pmf by log C(n, x) = Σ_{k ≤ x} log((n − x + k)/k), computed here from the definition
  let cdf = 0;
  for (let x = 0; x <= n; x++) {
    let logChoose = 0;
    for (let k = 1; k <= x; k++) logChoose += Math.log((n - x + k) / k);
    cdf += Math.exp(logChoose + x * Math.log(w / n) + (n - x) * Math.log(1 - w / n));
    if (cdf >= p) return F * Math.log(x / (n - x));
  }
  return Infinity;
}

const bootstrap = (rounds: number, extra: Partial<IntervalOptions> = {}): IntervalOptions => ({ ...DEFAULT_INTERVALS, ciMethod: 'bootstrap', rounds, level: 0.9, seed: 3, threads: 1, ...extra });

describe('addIntervals (the uncertainty engine) against exact bootstrap laws', () => {
  // Tolerance: one lattice step of the gap near the 5%/95% quantiles (≈ 0.83 points, so ≈ 0.41 for each of a and
  // b, who sit at ±gap/2) plus 4 Monte-Carlo SEs of a type-7 quantile at R rounds, √(p(1−p)/R)/φ(z_p)·σ ≈ 2.1σ/√R
  // ≈ 0.2 points for σ ≈ 6 points, R = 4000 (the control-variate estimator is more precise still): 1.25 points,
  // against a half-width of ≈ 10 points.
  const n = 1000;
  const w = 700;

  it.each(['control', 'plain'] as const)('BT, two models (%s quantiles): the 90 per cent interval is the 5th/95th percentile of Binomial(n, w/n) wins', async (bootstrapQuantiles) => {
    const t = twoModels(w, n);
    const point = fitModel(t, DEFAULT_MODEL);
    const rated = await addIntervals(point, modelFor(DEFAULT_MODEL), bootstrap(4000, { bootstrapQuantiles }));
    const id = new Map(t.models.map((name, v) => [name, v]));
    const [ia, ib] = [id.get('a')!, id.get('b')!];
    expect(point.ratings[ia]).toBeCloseTo(1000 + (F * Math.log(w / (n - w))) / 2, 6);
    expect(rated.warnings).toEqual([]);
    expect(rated.linear === null).toBe(bootstrapQuantiles === 'plain');
    const { lower, upper } = rated.intervals!;
    expect(Math.abs(lower[ia]! - (1000 + exactGapQuantile(w, n, 0.05) / 2))).toBeLessThan(1.25);
    expect(Math.abs(upper[ia]! - (1000 + exactGapQuantile(w, n, 0.95) / 2))).toBeLessThan(1.25);
    // b mirrors a around 1000 in every round
    expect(lower[ib]! + upper[ia]!).toBeCloseTo(2000, 6);
    expect(upper[ib]! + lower[ia]!).toBeCloseTo(2000, 6);
    // the thread count does not change the result
    const two = await addIntervals(point, modelFor(DEFAULT_MODEL), bootstrap(4000, { bootstrapQuantiles, threads: 2 }));
    expect([...two.intervals!.lower]).toEqual([...lower]);
    expect([...two.intervals!.upper]).toEqual([...upper]);
  });

  it('BT, two models, anchored at a = 1000 (FastChat anchors every round): a has zero width, b the interval of the gap', async () => {
    const opts: ModelOptions = { ...DEFAULT_MODEL, anchor: { model: 'a', rating: 1000 } };
    const t = twoModels(w, n);
    const rated = await rateWithIntervals(t, opts, bootstrap(4000));
    const id = new Map(t.models.map((name, v) => [name, v]));
    const [ia, ib] = [id.get('a')!, id.get('b')!];
    expect(rated.point.ratings[ia]).toBe(1000);
    expect(rated.intervals!.lower[ia]).toBe(1000);
    expect(rated.intervals!.upper[ia]).toBe(1000);
    // b = 1000 − gap: its 5% quantile is 1000 minus the gap's 95% quantile (tolerance: two lattice half-steps
    // and the Monte-Carlo error of a gap quantile, twice those of a's above)
    expect(Math.abs(rated.intervals!.lower[ib]! - (1000 - exactGapQuantile(w, n, 0.95)))).toBeLessThan(2.5);
    expect(Math.abs(rated.intervals!.upper[ib]! - (1000 - exactGapQuantile(w, n, 0.05)))).toBeLessThan(2.5);
  });

  it('Elo, two battles a>b and b>a: the interval runs from two losses to two wins (each resample has probability 1/4)', async () => {
    // a resample is 2 battles drawn with replacement from the 2 rows: a wins both with probability 1/4, loses both
    // with probability 1/4, so with R = 400 rounds the 5% and 95% sample quantiles fall inside those two atoms.
    // Elo by hand, K = 4, scale 400, base 10, both at 1000: a win moves a by K·(1 − E), E = 1/(1 + 10^((r_b − r_a)/400)).
    const t = tableFromBattles([
      { modelA: 'a', modelB: 'b', outcome: 'a' },
      { modelA: 'b', modelB: 'a', outcome: 'a' },
    ]);
    const opts: ModelOptions = { ...DEFAULT_MODEL, method: 'elo' };
    const point = fitModel(t, opts);
    const rated = await addIntervals(point, modelFor(opts), bootstrap(400));
    const E = (ra: number, rb: number) => 1 / (1 + 10 ** ((rb - ra) / 400));
    let [ra, rb] = [1000, 1000];
    for (let q = 0; q < 2; q++) {
      const e = E(ra, rb);
      [ra, rb] = [ra + 4 * (1 - e), rb - 4 * (1 - e)];
    }
    const id = new Map(t.models.map((name, v) => [name, v]));
    const [ia, ib] = [id.get('a')!, id.get('b')!];
    const { lower, upper } = rated.intervals!;
    expect(upper[ia]).toBeCloseTo(ra, 9);
    expect(lower[ib]).toBeCloseTo(rb, 9);
    expect(lower[ia]).toBeCloseTo(rb, 9);
    expect(upper[ib]).toBeCloseTo(ra, 9);
    // the point fit (a won, then lost) lies strictly inside
    expect(lower[ia]).toBeLessThan(point.ratings[ia]!);
    expect(upper[ia]).toBeGreaterThan(point.ratings[ia]!);
  });

  it('bootstrap intervals without rounds are an error; rounds on a board without battles give no intervals', async () => {
    const t = twoModels(7, 10);
    await expect(addIntervals(fitModel(t), modelFor(DEFAULT_MODEL), bootstrap(0))).rejects.toThrow(RangeError);
    const empty = tableFromBattles([]);
    const rated = await addIntervals(fitModel(empty), modelFor(DEFAULT_MODEL), bootstrap(10));
    expect(rated.dist).toBeNull();
    expect(rated.intervals).toBeNull();
  });
});

describe('sandwichIntervals: known value', () => {
  it('two models, 70 wins in 100: half-width z·F·√(1/(4·n·p·(1−p)))', () => {
    // with no ties the empirical score variance equals the Fisher information at the MLE (p = 0.7), so the
    // sandwich is 1/(n·p·(1−p)) for the gap and a quarter of it for each centred strength
    const t = twoModels(70, 100);
    const point = fitModel(t);
    const { intervals } = sandwichIntervals(point, modelFor(DEFAULT_MODEL), 0.95);
    const half = 1.959963984540054 * F * Math.sqrt(1 / (4 * 100 * 0.7 * 0.3));
    expect(half).toBeCloseTo(37.1495, 3); // by hand: 1.96 · 173.72 · 0.10911
    for (const v of [0, 1]) {
      expect(intervals.upper[v]! - point.ratings[v]!).toBeCloseTo(half, 6);
      expect(point.ratings[v]! - intervals.lower[v]!).toBeCloseTo(half, 6);
    }
    expect(() => sandwichIntervals(fitModel(t, { method: 'elo' }), modelFor({ ...DEFAULT_MODEL, method: 'elo' }), 0.95)).toThrow(RangeError);
  });
});
