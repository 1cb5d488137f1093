import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelFor } from '../../src/models/index.js';
import { DEFAULT_MODEL } from '../../src/models/types.js';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { simultaneousRanks } from '../../src/stats/simultaneous.js';
import { addIntervals, DEFAULT_INTERVALS, rateWithIntervals, type RatedBoard } from '../../src/stats/uncertainty.js';
import { leaderboardOf } from '../../src/leaderboard/leaderboard.js';
import { applyDisplayRules } from '../../src/leaderboard/display.js';
import { type BattleTable } from '../../src/data/table.js';

const names = (m: number) => Array.from({ length: m }, (_, v) => `m${String(v).padStart(2, '0')}`);

async function rated(t: BattleTable, rounds = 0): Promise<RatedBoard> {
  const model = modelFor(DEFAULT_MODEL);
  return addIntervals(model.fit(t, DEFAULT_MODEL), model, { ...DEFAULT_INTERVALS, rounds, ciMethod: rounds > 0 ? 'bootstrap' : 'sandwich', seed: 1, threads: 1 });
}

/** A simulated board of m models `step` points apart (tie rate 0.3). */
const spaced = (m: number, step: number, battles: number, seed: number) => simulateTable({ models: names(m), ratings: Float64Array.from(names(m), (_, v) => 1000 + step * v) }, battles, { tieRate: 0.3 }, createRng(seed));

/** Positions by rating (1 = highest). */
const positions = (r: ArrayLike<number>) => {
  const order = Array.from({ length: r.length }, (_, v) => v).sort((x, y) => r[y]! - r[x]!);
  const pos = new Int32Array(r.length);
  order.forEach((v, q) => (pos[v] = q + 1));
  return pos;
};

describe('simultaneous rank intervals (max-statistic over all pairwise gaps)', () => {
  it('two models: the max-statistic is |N(0, 1)|, so c ≈ 1.96 at 95% and 2.576 at 99%', async () => {
    const t = simulateTable({ models: ['a', 'b'], ratings: Float64Array.of(1010, 1000) }, 4000, { tieRate: 0.3 }, createRng(2));
    const r = await rated(t);
    const s95 = simultaneousRanks(r, 0.95, 1, 20_000)!;
    const s99 = simultaneousRanks(r, 0.99, 1, 20_000)!;
    expect(s95.method).toBe('sandwich');
    expect(Math.abs(s95.critical - 1.959964)).toBeLessThan(0.05);
    expect(Math.abs(s99.critical - 2.575829)).toBeLessThan(0.08);
  });

  it('with m models c exceeds the single-pair 1.96 and grows with m (Bonferroni bounds it: c ≤ Φ⁻¹(1 − 0.025/pairs))', async () => {
    const cs: number[] = [];
    for (const m of [3, 6, 12]) {
      const t = spaced(m, 10, 30_000, m);
      cs.push(simultaneousRanks(await rated(t), 0.95, 1)!.critical);
    }
    expect(cs[0]!).toBeGreaterThan(2.0);
    expect(cs[1]!).toBeGreaterThan(cs[0]!);
    expect(cs[2]!).toBeGreaterThan(cs[1]!);
    // Bonferroni over 66 pairs: Φ⁻¹(1 − 0.025/66) = 3.37; the max-statistic is below it (the gaps are correlated)
    expect(cs[2]!).toBeLessThan(3.37);
  });

  it('each model\'s rating position lies in its interval, and a higher level gives nested (wider) intervals', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 1, max: 1000 }), fc.boolean(), async (m, seed, boot) => {
        const t = spaced(m, 15, 3000, seed);
        const r = await rated(t, boot ? 60 : 0);
        const lo = simultaneousRanks(r, 0.8, seed, 500)!;
        const hi = simultaneousRanks(r, 0.99, seed, 500)!;
        expect(lo.method).toBe(boot ? 'bootstrap' : 'sandwich');
        const pos = positions(r.point.ratings);
        for (let v = 0; v < m; v++) {
          expect(lo.lower[v]!).toBeLessThanOrEqual(pos[v]!);
          expect(lo.upper[v]!).toBeGreaterThanOrEqual(pos[v]!);
          expect(hi.lower[v]!).toBeLessThanOrEqual(lo.lower[v]!);
          expect(hi.upper[v]!).toBeGreaterThanOrEqual(lo.upper[v]!);
        }
      }),
      { numRuns: 25 },
    );
  });

  // 15 models in three tiers of five equal true ratings, 20,000 battles: a pair of equal models is declared ordered
  // ("surely above") by a per-pair 95% interval 5% of the time, so with 30 such pairs per-pair intervals order some
  // pair against the truth in most boards; the max-statistic's intervals almost never (about 5% of boards)
  it('never order a pair against the truth in about 95% of simulated boards, where per-pair intervals do most of the time', async () => {
    const m = 15;
    const truth = Float64Array.from(names(m), (_, v) => 1000 + 40 * Math.floor(v / 5));
    let joint = 0;
    let perPair = 0;
    const boards = 60;
    const f = 400 / Math.log(10);
    for (let b = 0; b < boards; b++) {
      const t = simulateTable({ models: names(m), ratings: truth }, 20_000, { tieRate: 0.3 }, createRng(100 + b));
      const r = await rated(t);
      const s = simultaneousRanks(r, 0.95, b)!;
      const cov = r.cov!.cov;
      const sdOf = (i: number, j: number) => Math.sqrt(cov[i * m + i]! + cov[j * m + j]! - 2 * cov[i * m + j]!) * f;
      // a claim "j surely above i" (gap j − i beyond c·sd) is false when j is not truly above i
      const wrong = (c: number) => {
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) {
            if (i !== j && r.point.ratings[j]! - r.point.ratings[i]! - c * sdOf(i, j) > 0 && !(truth[j]! > truth[i]!)) return true;
          }
        }
        return false;
      };
      // the library's rank intervals are those of its critical value: 1 + surely above, m − surely below
      for (let v = 0; v < m; v++) {
        let above = 0;
        let below = 0;
        for (let j = 0; j < m; j++) {
          if (j === v) continue;
          const g = r.point.ratings[j]! - r.point.ratings[v]!;
          if (g - s.critical * sdOf(v, j) > 0) above++;
          if (-g - s.critical * sdOf(v, j) > 0) below++;
        }
        expect([s.lower[v], s.upper[v]]).toEqual([1 + above, m - below]);
      }
      if (!wrong(s.critical)) joint++;
      if (!wrong(1.959964)) perPair++;
    }
    // binomial sd at 95% over 60 boards: 2.8%
    expect(joint / boards).toBeGreaterThanOrEqual(0.88);
    expect(perPair / boards).toBeLessThan(0.7);
  });
});

describe('simultaneous ranks over a scope (display rules) and beside the per-model ones', () => {
  /** An independent max-statistic from the bootstrap rounds over the pairs of `shown` (two passes, no shared code). */
  function criticalFromRounds(r: RatedBoard, shown: number[], level: number): number {
    const { rounds: R, ratings: x } = r.dist!;
    const m = r.point.models.length;
    const gaps: { a: number; b: number; sd: number }[] = [];
    for (const a of shown) {
      for (const b of shown) {
        if (a >= b) continue;
        const g = Array.from({ length: R }, (_, k) => x[k * m + a]! - x[k * m + b]!);
        const mean = g.reduce((s, v) => s + v, 0) / R;
        gaps.push({ a, b, sd: Math.sqrt(g.reduce((s, v) => s + (v - mean) ** 2, 0) / (R - 1)) });
      }
    }
    const p = r.point.ratings;
    const t = Array.from({ length: R }, (_, k) => Math.max(...gaps.map(({ a, b, sd }) => Math.abs(x[k * m + a]! - x[k * m + b]! - (p[a]! - p[b]!)) / sd))).sort((u, v) => u - v);
    // type-7 quantile
    const h = (R - 1) * level;
    const lo = Math.floor(h);
    return t[lo]! + (h - lo) * ((t[Math.min(lo + 1, R - 1)] ?? t[lo]!) - t[lo]!);
  }

  it('the critical value over a subset of models is the max-statistic of its pairs (bootstrap rounds, independent recomputation), never above the whole board\'s', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 4, max: 8 }), fc.integer({ min: 1, max: 1000 }), async (m, seed) => {
        const t = spaced(m, 20, 3000, seed);
        const r = await rated(t, 50);
        const shown = names(m).map((_, v) => v).filter((v) => (v * 7 + seed) % 3 !== 0);
        if (shown.length < 2) return;
        const all = simultaneousRanks(r, 0.9, seed)!;
        const sub = simultaneousRanks(r, 0.9, seed, undefined, { shown })!;
        expect(sub.models).toBe(shown.length);
        expect(all.critical).toBeCloseTo(criticalFromRounds(r, names(m).map((_, v) => v), 0.9), 9);
        expect(sub.critical).toBeCloseTo(criticalFromRounds(r, shown, 0.9), 9);
        expect(sub.critical).toBeLessThanOrEqual(all.critical + 1e-12);
        // models outside the scope get no interval
        for (let v = 0; v < m; v++) if (!shown.includes(v)) expect([sub.lower[v], sub.upper[v]]).toEqual([0, 0]);
      }),
      { numRuns: 15 },
    );
  });

  it('sandwich: a subset draws the same normal vectors, so its critical value is at most the whole board\'s; uncounted (deprecated) models count in nobody\'s rank and are ranked among the others', async () => {
    const m = 10;
    const t = spaced(m, 30, 20_000, 4);
    const r = await rated(t);
    const all = simultaneousRanks(r, 0.95, 7)!;
    const shown = [0, 1, 2, 4, 5, 6, 8, 9];
    const uncounted = [5];
    const sub = simultaneousRanks(r, 0.95, 7, undefined, { shown, uncounted })!;
    expect(sub.critical).toBeLessThanOrEqual(all.critical);
    expect(sub.critical).toBeGreaterThan(2);
    // ranks among the pool (shown, not uncounted), recomputed here from the critical value and the covariance
    const cov = r.cov!.cov;
    const f = 400 / Math.log(10);
    const sure = (a: number, b: number) => r.point.ratings[a]! - r.point.ratings[b]! > sub.critical * Math.sqrt(cov[a * m + a]! + cov[b * m + b]! - 2 * cov[a * m + b]!) * f;
    const pool = shown.filter((v) => !uncounted.includes(v));
    for (const v of shown) {
      const above = pool.filter((u) => u !== v && sure(u, v)).length;
      const below = pool.filter((u) => u !== v && sure(v, u)).length;
      const size = pool.length + (uncounted.includes(v) ? 1 : 0);
      expect([sub.lower[v], sub.upper[v]]).toEqual([1 + above, size - below]);
    }
  });

  // the per-pair intervals (1.96 on each gap's own sd) give the narrowest rank intervals of this construction; the
  // max-statistic's critical value is at least 1.96 for two or more models, so its intervals contain them. Both
  // contain the model's position by rating. (LMArena's per-model rank range is another test, not nested by
  // construction: docs/methods.md.)
  it('property: the simultaneous interval contains the per-pair one at the same level, and both contain the point rank', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 1, max: 1000 }), fc.boolean(), async (m, seed, boot) => {
        const t = spaced(m, 25, 4000, seed);
        const r = await rated(t, boot ? 80 : 0);
        const s = simultaneousRanks(r, 0.95, seed, 2000)!;
        const pos = positions(r.point.ratings);
        // per-pair gap sd from the same law (bootstrap rounds or sandwich), independently computed here
        const gapSd = (a: number, b: number) => {
          if (boot) {
            const { rounds: R, ratings: x } = r.dist!;
            const g = Array.from({ length: R }, (_, k) => x[k * m + a]! - x[k * m + b]!);
            const mean = g.reduce((u, w) => u + w, 0) / R;
            return Math.sqrt(g.reduce((u, w) => u + (w - mean) ** 2, 0) / (R - 1));
          }
          const c = r.cov!.cov;
          return Math.sqrt(c[a * m + a]! + c[b * m + b]! - 2 * c[a * m + b]!) * (400 / Math.log(10));
        };
        expect(s.critical).toBeGreaterThanOrEqual(1.959964);
        for (let v = 0; v < m; v++) {
          let above = 0;
          let below = 0;
          for (let u = 0; u < m; u++) {
            if (u === v) continue;
            const g = r.point.ratings[u]! - r.point.ratings[v]!;
            if (g > 1.959964 * gapSd(u, v)) above++;
            if (-g > 1.959964 * gapSd(u, v)) below++;
          }
          const [pl, pu] = [1 + above, m - below];
          expect(pl).toBeLessThanOrEqual(pos[v]!);
          expect(pu).toBeGreaterThanOrEqual(pos[v]!);
          expect(s.lower[v]!).toBeLessThanOrEqual(pl);
          expect(s.upper[v]!).toBeGreaterThanOrEqual(pu);
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('the library: rateWithIntervals({ simultaneous: true }) → leaderboardOf → applyDisplayRules', () => {
  it('rows carry the board\'s intervals; display rules recompute them among the shown models from the rated board, and refuse without it', async () => {
    const m = 8;
    const t = spaced(m, 25, 8000, 3);
    const board = await rateWithIntervals(t, {}, { simultaneous: true, seed: 5 });
    expect(board.simultaneous!.method).toBe('sandwich');
    const again = simultaneousRanks(board, 0.95, 5)!;
    expect(board.simultaneous!.critical).toBe(again.critical);
    const lb = leaderboardOf(board, {});
    expect(lb.params.simultaneousRanks).toMatchObject({ method: 'sandwich', level: 0.95, models: m, critical: again.critical });
    for (const r of lb.models) {
      const v = board.point.models.indexOf(r.model);
      expect([r.simultaneousRankLower, r.simultaneousRankUpper]).toEqual([again.lower[v], again.upper[v]]);
    }
    const top = lb.models[0]!.model;
    expect(() => applyDisplayRules(lb, { deprecated: [top] })).toThrow(RangeError);
    const shown = applyDisplayRules(lb, { deprecated: [top] }, board);
    const v0 = board.point.models.indexOf(top);
    const direct = simultaneousRanks(board, 0.95, 5, undefined, { uncounted: [v0] })!;
    for (const r of shown.models) {
      const v = board.point.models.indexOf(r.model);
      expect([r.simultaneousRankLower, r.simultaneousRankUpper]).toEqual([direct.lower[v], direct.upper[v]]);
      expect(r.simultaneousRankUpper).toBeLessThanOrEqual(m - 1 + (r.model === top ? 1 : 0));
    }
    // no rule that changes the pool: the rows are kept as they are, no board needed
    expect(applyDisplayRules(lb, { intervalStyle: 'plusminus' }).models.map((r) => r.simultaneousRankUpper)).toEqual(lb.models.map((r) => r.simultaneousRankUpper));
    // bootstrap rounds, and the usage errors of the engine
    const boot = await rateWithIntervals(t, {}, { simultaneous: true, rounds: 30, threads: 1 });
    expect(boot.simultaneous).toMatchObject({ method: 'bootstrap', draws: 30 });
    expect(boot.warnings.some((w) => /rests on 30 bootstrap rounds/.test(w))).toBe(true);
    await expect(rateWithIntervals(t, {}, { simultaneous: true, ciMethod: 'none' })).rejects.toThrow(RangeError);
    expect((await rateWithIntervals(t, {}, {})).simultaneous).toBeUndefined();
  });
});
