import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tableFromBattles } from '../../src/data/table.js';
import { DEFAULT_MODEL as DEFAULT_RATE } from '../../src/models/types.js';
import { ciRanks } from '../../src/leaderboard/leaderboard.js';
import { quantileSorted, percentileIntervals } from '../../src/stats/interval.js';
import { rankBounds, rankCounts, rankDistributionOf } from '../../src/stats/rank.js';
import { rateWithIntervals as rateWithUncertainty } from '../../src/stats/uncertainty.js';
import { leaderboardOf } from '../../src/leaderboard/leaderboard.js';
import { connectedBattles, toTable } from '../arbitraries.js';

describe('quantileSorted (type 7)', () => {
  it('matches numpy.percentile / R quantile(type = 7) values', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    // numpy.percentile([1, 3, 7, 15, 31], [2.5, 97.5]) = [1.2, 29.4]
    expect(quantileSorted([1, 3, 7, 15, 31], 0.025)).toBeCloseTo(1.2, 12);
    expect(quantileSorted([1, 3, 7, 15, 31], 0.975)).toBeCloseTo(29.4, 12);
    expect(quantileSorted([5], 0.3)).toBe(5);
    expect(quantileSorted([1, 2], 1)).toBe(2);
    expect(() => quantileSorted([], 0.5)).toThrow(RangeError);
    expect(() => quantileSorted([1], 1.5)).toThrow(RangeError);
  });
  it('is monotone in p and stays within the data', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, p, q) => {
        const s = Float64Array.from(xs).sort();
        const [lo, hi] = p <= q ? [p, q] : [q, p];
        expect(quantileSorted(s, lo)).toBeLessThanOrEqual(quantileSorted(s, hi));
        expect(quantileSorted(s, lo)).toBeGreaterThanOrEqual(s[0]!);
        expect(quantileSorted(s, hi)).toBeLessThanOrEqual(s[s.length - 1]!);
      }),
    );
  });
});

describe('percentileIntervals', () => {
  it('widens an interval that misses the point estimate, and says which', () => {
    const dist = { rounds: 5, models: 2, ratings: Float64Array.from([10, 0, 11, 1, 12, 2, 13, 3, 14, 4]), fallbacks: 0, degenerate: 0, unconverged: 0, extras: 0, extra: null };
    const p = percentileIntervals(dist, [5, 2], 0.5);
    expect([...p.lower]).toEqual([5, 1]);
    expect([...p.upper]).toEqual([13, 3]);
    expect(p.widened).toEqual([0]);
  });
});

describe('rankBounds', () => {
  it('known values: best = rank (UB), worst = m − #surely below', () => {
    // A [10, 20], B [15, 25], C [0, 5], D [21, 30]
    const b = rankBounds([10, 15, 0, 21], [20, 25, 5, 30]);
    expect([...b.best]).toEqual([2, 1, 4, 1]);
    expect([...b.worst]).toEqual([3, 3, 4, 2]);
    expect([...b.best]).toEqual([...ciRanks([15, 20, 2, 25], [10, 15, 0, 21], [20, 25, 5, 30])]);
  });
  it('best ≤ worst, best equals the contract rank, and point intervals give competition ranks', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true })), { minLength: 1, maxLength: 30 }), (xs) => {
        const lower = xs.map(([c, h]) => c - h);
        const upper = xs.map(([c, h]) => c + h);
        const b = rankBounds(lower, upper);
        const r = ciRanks(xs.map(([c]) => c), lower, upper);
        xs.forEach((_, v) => {
          expect(b.best[v]).toBeLessThanOrEqual(b.worst[v]!);
          expect(b.best[v]).toBe(r[v]);
        });
      }),
    );
  });
});

describe('rankCounts', () => {
  it('counts competition ranks per round', () => {
    // round 0: a 3, b 2, c 1 → ranks 1, 2, 3; round 1: a 1, b 2, c 2 → 3, 1, 1
    const counts = rankCounts({ rounds: 2, models: 3, ratings: Float64Array.from([3, 2, 1, 1, 2, 2]), fallbacks: 0, degenerate: 0, unconverged: 0, extras: 0, extra: null });
    expect(rankDistributionOf(counts, 3, 2, 0)).toEqual([{ rank: 1, probability: 0.5 }, { rank: 3, probability: 0.5 }]);
    expect(rankDistributionOf(counts, 3, 2, 1)).toEqual([{ rank: 1, probability: 0.5 }, { rank: 2, probability: 0.5 }]);
    expect(rankDistributionOf(counts, 3, 2, 2)).toEqual([{ rank: 1, probability: 0.5 }, { rank: 3, probability: 0.5 }]);
  });
});

describe('intervals and ranks: properties over random battles (bootstrap and sandwich)', () => {
  const opts = (level: number, ciMethod: 'bootstrap' | 'sandwich' = 'bootstrap') => ({ ciMethod, rounds: 15, level, seed: 3, threads: 1 });

  it('lower ≤ rating ≤ upper; a wider level never gives a narrower interval; rank ≤ rankUpper; same seed ⇒ same output', async () => {
    await fc.assert(
      fc.asyncProperty(connectedBattles(4, { maxLength: 40 }), fc.constantFrom('bt' as const, 'elo' as const), fc.constantFrom('bootstrap' as const, 'sandwich' as const), async (bs, method, ciMethod) => {
        fc.pre(!(method === 'elo' && ciMethod === 'sandwich'));
        const t = toTable(bs);
        const rate = { ...DEFAULT_RATE, method };
        const narrow = await rateWithUncertainty(t, rate, opts(0.8, ciMethod));
        const wide = await rateWithUncertainty(t, rate, opts(0.95, ciMethod));
        const again = await rateWithUncertainty(t, rate, opts(0.8, ciMethod));
        const lbN = leaderboardOf(narrow, {}, true);
        expect(JSON.stringify(leaderboardOf(again, {}, true))).toBe(JSON.stringify(lbN));
        const { lower: ln, upper: un } = narrow.intervals!;
        const { lower: lw, upper: uw } = wide.intervals!;
        narrow.point.ratings.forEach((x, v) => {
          expect(ln[v]).toBeLessThanOrEqual(x);
          expect(x).toBeLessThanOrEqual(un[v]!);
          expect(lw[v]).toBeLessThanOrEqual(ln[v]!);
          expect(uw[v]).toBeGreaterThanOrEqual(un[v]!);
        });
        for (const row of lbN.models) {
          expect(row.rank).toBeLessThanOrEqual(row.rankUpper!);
          expect(row.rank).toBe(row.rankLower);
          const total = row.rankDistribution!.reduce((a, b) => a + b.probability, 0);
          expect(total).toBeCloseTo(1, 12);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('a model strictly better than all others in every bootstrap round has rank 1', async () => {
    await fc.assert(
      fc.asyncProperty(connectedBattles(4, { maxLength: 30 }), fc.integer({ min: 30, max: 80 }), fc.constantFrom('bt' as const, 'elo' as const), async (bs, wins, method) => {
        // "champ" beats everyone many times and loses once to each (so its BT rating is finite)
        const extra = ['m0', 'm1', 'm2', 'm3'].flatMap((o) => [
          { modelA: 'champ', modelB: o, outcome: 'a' as const, count: wins },
          { modelA: 'champ', modelB: o, outcome: 'b' as const },
        ]);
        const t = tableFromBattles([...bs, ...extra]);
        const u = await rateWithUncertainty(t, { ...DEFAULT_RATE, method }, { ciMethod: 'bootstrap', rounds: 25, level: 0.95, seed: 1, threads: 1 });
        const c = t.models.indexOf('champ');
        const m = t.models.length;
        let always = true;
        for (let r = 0; r < 25; r++) for (let v = 0; v < m; v++) if (v !== c && !(u.dist!.ratings[r * m + c]! > u.dist!.ratings[r * m + v]!)) always = false;
        fc.pre(always);
        const row = leaderboardOf(u, {}).models.find((x) => x.model === 'champ')!;
        expect(row.rank).toBe(1);
      }),
      { numRuns: 25 },
    );
  });
});
