import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ciRanks } from '../../src/leaderboard/leaderboard.js';
import { bootstrapProvider, sandwichRatingIntervals } from '../../src/report/uncertainty.js';
import { tableFromBattles } from '../../src/data/table.js';
import { addUncertainty } from '../../src/stats/uncertainty.js';
import { rankBounds } from '../../src/stats/rank.js';
import { DEFAULT_RATE, fitRatings } from '../../src/rating/rate.js';
import { toTable } from '../arbitraries.js';

describe('rankBounds', () => {
  it('known values', () => {
    // intervals [10,12], [11,13], [0,1]: the first two overlap, the third is surely last
    const { best, worst } = rankBounds([10, 11, 0], [12, 13, 1]);
    expect([...best]).toEqual([1, 1, 3]);
    expect([...worst]).toEqual([2, 2, 3]);
  });

  it('property: best ≤ ordinal rank ≤ worst when intervals hold their ratings; best is LMArena’s rank', () => {
    const model = fc.record({ r: fc.double({ min: -100, max: 100, noNaN: true }), a: fc.double({ min: 0, max: 30, noNaN: true }), b: fc.double({ min: 0, max: 30, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(model, { minLength: 1, maxLength: 30 }), (ms) => {
        const rating = ms.map((x) => x.r);
        const lower = ms.map((x) => x.r - x.a);
        const upper = ms.map((x) => x.r + x.b);
        const { best, worst } = rankBounds(lower, upper);
        const ub = ciRanks(rating, lower, upper);
        ms.forEach((x, i) => {
          const ordinal = 1 + rating.filter((r) => r > x.r).length;
          expect(best[i]).toBe(ub[i]);
          expect(best[i]).toBeLessThanOrEqual(ordinal);
          expect(worst[i]).toBeGreaterThanOrEqual(ordinal);
          expect(worst[i]).toBeLessThanOrEqual(ms.length);
        });
      }),
    );
  });

  it('property: zero-width intervals and distinct ratings give the ordinal rank exactly', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 40 }), (rs) => {
        const { best, worst } = rankBounds(rs, rs);
        rs.forEach((r, i) => {
          const ordinal = 1 + rs.filter((x) => x > r).length;
          expect(best[i]).toBe(ordinal);
          expect(worst[i]).toBe(ordinal);
        });
      }),
    );
  });
});

describe('sandwichRatingIntervals', () => {
  it('known value: two models, 70 wins in 100 — half-width z·f·sqrt(1/(4·n·p·(1−p)))', () => {
    // With no ties the empirical score variance equals the Fisher information at the MLE (p = 0.7), so the
    // sandwich is 1/(n·p·(1−p)) for the gap and a quarter of it for each centred strength.
    const t = toTable([
      { modelA: 'a', modelB: 'b', outcome: 'a', count: 70 },
      { modelA: 'a', modelB: 'b', outcome: 'b', count: 30 },
    ]);
    const point = fitRatings(t, DEFAULT_RATE);
    const iv = sandwichRatingIntervals(point, 0.95, DEFAULT_RATE);
    const half = 1.959963984540054 * (400 / Math.log(10)) * Math.sqrt(1 / (4 * 100 * 0.7 * 0.3));
    expect(half).toBeCloseTo(37.1495, 3); // by hand: 1.96 · 173.72 · 0.10911
    for (const v of [0, 1]) {
      expect(iv.upper[v]! - point.ratings[v]!).toBeCloseTo(half, 6);
      expect(point.ratings[v]! - iv.lower[v]!).toBeCloseTo(half, 6);
    }
    expect(iv).toMatchObject({ method: 'sandwich', level: 0.95 });
  });

  it('wider level, wider interval; the rating inside; Elo has no sandwich', () => {
    const t = toTable([
      { modelA: 'a', modelB: 'b', outcome: 'a', count: 7 },
      { modelA: 'b', modelB: 'c', outcome: 'a', count: 5 },
      { modelA: 'c', modelB: 'a', outcome: 'a', count: 3 },
      { modelA: 'a', modelB: 'c', outcome: 'tie', count: 4 },
      { modelA: 'b', modelB: 'a', outcome: 'a', count: 2 },
    ]);
    const point = fitRatings(t, DEFAULT_RATE);
    const i80 = sandwichRatingIntervals(point, 0.8, DEFAULT_RATE);
    const i95 = sandwichRatingIntervals(point, 0.95, DEFAULT_RATE);
    for (let v = 0; v < 3; v++) {
      expect(i95.lower[v]).toBeLessThan(i80.lower[v]!);
      expect(i80.lower[v]).toBeLessThan(point.ratings[v]!);
      expect(i80.upper[v]).toBeGreaterThan(point.ratings[v]!);
      expect(i95.upper[v]).toBeGreaterThan(i80.upper[v]!);
      // normal intervals: half-widths scale with z
      expect((i95.upper[v]! - point.ratings[v]!) / (i80.upper[v]! - point.ratings[v]!)).toBeCloseTo(1.959963984540054 / 1.2815515655446004, 7);
    }
    const elo = fitRatings(t, { ...DEFAULT_RATE, method: 'elo' });
    expect(() => sandwichRatingIntervals(elo, 0.95, DEFAULT_RATE)).toThrow(/Bradley–Terry/);
  });
});

describe('bootstrapProvider', () => {
  it('gives the percentile intervals of addUncertainty (bt and elo), whatever the thread count; no rounds → point', async () => {
    const t = tableFromBattles([
      ...Array.from({ length: 6 }, () => ({ modelA: 'a', modelB: 'b', outcome: 'a' as const })),
      ...Array.from({ length: 3 }, () => ({ modelA: 'b', modelB: 'c', outcome: 'a' as const })),
      { modelA: 'c', modelB: 'a', outcome: 'a' as const },
      { modelA: 'b', modelB: 'a', outcome: 'tie' as const },
      { modelA: 'c', modelB: 'b', outcome: 'b' as const },
    ]);
    for (const method of ['bt', 'elo'] as const) {
      const rate = { ...DEFAULT_RATE, method };
      const point = fitRatings(t, rate);
      const iv = await bootstrapProvider(t, { rounds: 60, seed: 3, threads: 1 }).intervals(point, 0.9, rate);
      const u = await addUncertainty(t, point, rate, { ciMethod: 'bootstrap', rounds: 60, level: 0.9, seed: 3, threads: 1 });
      expect(iv.method).toBe('bootstrap');
      expect(iv.level).toBe(0.9);
      expect([...iv.lower]).toEqual([...u.intervals!.lower]);
      expect([...iv.upper]).toEqual([...u.intervals!.upper]);
      expect(iv.warnings).toEqual(u.warnings);
      point.ratings.forEach((r, v) => {
        expect(iv.lower[v]).toBeLessThanOrEqual(r);
        expect(iv.upper[v]).toBeGreaterThanOrEqual(r);
        expect(iv.upper[v]).toBeGreaterThan(iv.lower[v]!);
      });
      const two = await bootstrapProvider(t, { rounds: 60, seed: 3, threads: 2 }).intervals(point, 0.9, rate);
      expect([...two.lower]).toEqual([...iv.lower]);
    }
    const one = tableFromBattles([]);
    const p1 = fitRatings(one, DEFAULT_RATE);
    const none = await bootstrapProvider(one, { rounds: 10, seed: 1 }).intervals(p1, 0.95, DEFAULT_RATE);
    expect([...none.lower]).toEqual([...p1.ratings]);
    expect(() => bootstrapProvider(t, { rounds: 0, seed: 1 })).toThrow(RangeError);
  });
});
