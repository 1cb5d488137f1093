import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BattleTable, tableFromBattles } from '../../src/data/table.js';
import { DEFAULT_ELO, replayElo } from '../../src/rating/elo.js';
import { DEFAULT_MODEL as DEFAULT_RATE } from '../../src/models/types.js';
import { fitModel as fitRatings } from '../../src/models/index.js';
import { createRng } from '../../src/rng.js';
import { normalQuantile } from '../../src/math/normal.js';
import { simulateTable } from '../../src/sim/generate.js';
import { sandwichIntervals } from '../../src/stats/uncertainty.js';
import { bradleyTerry } from '../../src/models/bradley-terry.js';
import { eloOrderSensitivity, replayEloBattles, shuffleInPlace, stabilityReplay, unseparatedPairs } from '../../src/sim/stability.js';

const truth = { models: ['a', 'b', 'c', 'd', 'e'], ratings: Float64Array.from([1200, 1150, 1100, 1050, 1000]) };
const day = 86400;
// 6,000 battles, one every 60 s from midnight: 4 days and a bit
const table = simulateTable(truth, 6000, { start: 10 * day, interval: 60 }, createRng(4));
const sandwich = 'sandwich' as const;

describe('stabilityReplay', () => {
  it('the last checkpoint is the fit of all battles (BT + sandwich, as arena rate)', () => {
    const r = stabilityReplay(table, { rate: DEFAULT_RATE, checkpoints: { every: 1000 }, level: 0.95, intervals: sandwich, seed: 1 });
    expect(r.checkpoints.map((c) => c.battles)).toEqual([1000, 2000, 3000, 4000, 5000, 6000]);
    const point = fitRatings(table, DEFAULT_RATE);
    const iv = sandwichIntervals(point, bradleyTerry, 0.95).intervals;
    const last = r.checkpoints[5]!;
    for (const x of last.models) {
      const v = table.models.indexOf(x.model);
      expect(x.rating).toBeCloseTo(point.ratings[v]!, 9);
      expect(x.lower).toBeCloseTo(iv.lower[v]!, 9);
      expect(x.upper).toBeCloseTo(iv.upper[v]!, 9);
    }
    expect(last.tstamp).toBe(10 * day + 5999 * 60);
    expect(r.models.map((x) => x.model)).toEqual(last.models.map((x) => x.model));
  });
  it('an intermediate checkpoint is the fit of the battles so far', () => {
    const r = stabilityReplay(table, { rate: DEFAULT_RATE, checkpoints: { every: 2500 }, level: 0.95, intervals: sandwich, seed: 1 });
    expect(r.checkpoints.map((c) => c.battles)).toEqual([2500, 5000, 6000]);
    const head = { ...table, a: table.a.slice(0, 2500), b: table.b.slice(0, 2500), outcome: table.outcome.slice(0, 2500), count: table.count.slice(0, 2500), tstamp: null, rows: 2500, battles: 2500 };
    const point = fitRatings(head as BattleTable, DEFAULT_RATE);
    for (const x of r.checkpoints[0]!.models) expect(x.rating).toBeCloseTo(point.ratings[table.models.indexOf(x.model)]!, 9);
  });
  it('checkpoints by day: one at the end of each UTC day with battles', () => {
    const r = stabilityReplay(table, { rate: DEFAULT_RATE, checkpoints: { by: 'day' }, level: 0.95, intervals: sandwich, seed: 1 });
    // 1,440 battles a day: days 10, 11, 12, 13 full and 240 battles on day 14
    expect(r.checkpoints.map((c) => c.battles)).toEqual([1440, 2880, 4320, 5760, 6000]);
    expect(r.checkpoints.every((c) => Math.floor(c.tstamp! / day) === 10 + c.index)).toBe(true);
    const noTime = tableFromBattles([{ modelA: 'a', modelB: 'b', outcome: 'a' }]);
    expect(() => stabilityReplay(noTime, { rate: DEFAULT_RATE, checkpoints: { by: 'day' }, level: 0.95, intervals: sandwich, seed: 1 })).toThrow(/need a tstamp/);
  });
  it('online Elo checkpoints are the running ratings; the last equals replayElo', () => {
    const rate = { ...DEFAULT_RATE, method: 'elo' as const };
    const r = stabilityReplay(table, { rate, checkpoints: { every: 3000 }, level: 0.95, intervals: sandwich, seed: 1 });
    const elo = replayElo(table, DEFAULT_ELO);
    for (const x of r.checkpoints[1]!.models) {
      expect(x.rating).toBeCloseTo(elo[table.models.indexOf(x.model)]!, 9);
      expect(x.lower).toBeNull();
    }
    expect(r.models.every((x) => !x.settling.rating.settled && x.settling.rating.reason === 'no intervals')).toBe(true);
    expect(r.models.every((x) => !x.settling.settled.settled && x.settling.settled.reason === 'no intervals')).toBe(true);
  });
  it('models appear when they first play; the anchor applies once its model plays', () => {
    const bs = [
      { modelA: 'a', modelB: 'b', outcome: 'a' as const, tstamp: 1 },
      { modelA: 'b', modelB: 'a', outcome: 'a' as const, tstamp: 2 },
      { modelA: 'c', modelB: 'a', outcome: 'tie' as const, tstamp: 3 },
      { modelA: 'c', modelB: 'b', outcome: 'b' as const, tstamp: 4 },
    ];
    const t = tableFromBattles(bs);
    const rate = { ...DEFAULT_RATE, anchor: { model: 'c', rating: 1500 } };
    const r = stabilityReplay(t, { rate, checkpoints: { every: 2 }, level: 0.95, intervals: sandwich, seed: 1 });
    expect(r.checkpoints[0]!.models.map((x) => x.model).sort()).toEqual(['a', 'b']);
    expect(r.checkpoints[1]!.models.find((x) => x.model === 'c')!.rating).toBeCloseTo(1500, 9);
    expect(r.warnings).toContain('Checkpoints before "c" first plays are not anchored.');
    expect(() => stabilityReplay(t, { rate: { ...DEFAULT_RATE, anchor: { model: 'zz', rating: 1 } }, checkpoints: { every: 2 }, level: 0.95, intervals: sandwich, seed: 1 })).toThrow(
      '--anchor: anchor model "zz" is not in the battles',
    );
  });
});

describe('unseparatedPairs (separated = the gap\'s interval excludes 0, as compare)', () => {
  const z = normalQuantile(0.975);
  /** A row at position q (1-based) with interval ±half and, towards the next row, a gap sd (null: none). */
  const m = (model: string, rating: number, half: number, position: number, gapSdBelow: number | null, battles = 1000) => ({
    model, rating, lower: rating - half, upper: rating + half, rank: 1, position, battles, separatedAbove: null, separatedBelow: null, gapSdBelow,
  });
  it('known values: neighbours use the sandwich sd of their gap; factor (z·sd/gap)², more battles N·(factor − 1)', () => {
    // gap 10 with sd 10: factor (z·10/10)² = z² → N·(z² − 1) more
    const pairs = unseparatedPairs([m('a', 1010, 10, 1, 10, 400), m('b', 1000, 10, 2, 50, 600), m('c', 900, 5, 3, null)], 5000, 0.95);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ a: 'a', b: 'b', gap: 10, gapSd: 10, gapSdMethod: 'sandwich', moreBattles: Math.ceil(5000 * (z * z - 1)), moreBattlesA: Math.ceil(400 * (z * z - 1)), moreBattlesB: Math.ceil(600 * (z * z - 1)) });
    expect(pairs[0]!.factor).toBeCloseTo(z * z, 12);
  });
  it('overlapping intervals can still be separated (the gap\'s sd is less than the sum of the two); equal ratings never are', () => {
    // intervals ±10 overlap (1010 − 10 < 1000 + 10), but a gap of 10 with sd 4 excludes 0
    expect(unseparatedPairs([m('a', 1010, 10, 1, 4), m('b', 1000, 10, 2, null)], 100, 0.95)).toEqual([]);
    expect(unseparatedPairs([m('a', 1000, 5, 1, 3), m('b', 1000, 5, 2, null)], 100, 0.95)[0]).toMatchObject({ gap: 0, factor: null, moreBattles: null });
  });
  it('neighbours only by default; with all, other pairs use √(se_a² + se_b²) from the intervals', () => {
    const board = [m('a', 1010, 10, 1, 8), m('b', 1005, 10, 2, 8), m('c', 1000, 10, 3, null)];
    expect(unseparatedPairs(board, 100, 0.95).map((p) => `${p.a}>${p.b}`)).toEqual(['a>b', 'b>c']);
    const all = unseparatedPairs(board, 100, 0.95, true);
    expect(all.map((p) => `${p.a}>${p.b}`)).toEqual(['a>b', 'a>c', 'b>c']);
    const ac = all.find((p) => p.b === 'c' && p.a === 'a')!;
    expect(ac.gapSdMethod).toBe('independent');
    expect(ac.gapSd).toBeCloseTo(Math.SQRT2 * (10 / z), 12);
  });
});

describe('online Elo order sensitivity', () => {
  it('replayEloBattles in the given order equals replayElo (differential)', () => {
    const seq = Int32Array.from({ length: table.rows }, (_, i) => i);
    const a = replayEloBattles(table, seq, DEFAULT_ELO);
    const b = replayElo(table, DEFAULT_ELO);
    a.forEach((x, v) => expect(x).toBeCloseTo(b[v]!, 9));
  });
  it('shuffleInPlace is a permutation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer(), (n, seed) => {
        const xs = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), createRng(seed));
        expect(Array.from(xs).sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });
  it('is reproducible, conserves the rating total per ordering, and K = 0 has no spread', () => {
    const t = simulateTable(truth, 3000, {}, createRng(6));
    const a = eloOrderSensitivity(t, DEFAULT_ELO, 20, 9);
    const b = eloOrderSensitivity(t, DEFAULT_ELO, 20, 9);
    expect(a).toEqual(b);
    expect(a.models.reduce((s, x) => s + x.mean, 0)).toBeCloseTo(5 * 1000, 6);
    expect(a.meanSd).toBeGreaterThan(0);
    for (const x of a.models) {
      expect(x.lower).toBeLessThanOrEqual(x.upper);
      expect(x.min).toBeLessThanOrEqual(x.lower);
      expect(x.bestPosition).toBeLessThanOrEqual(x.worstPosition);
    }
    const still = eloOrderSensitivity(t, { ...DEFAULT_ELO, k: 0 }, 5, 9);
    expect(still.maxSd).toBe(0);
  });
  it('a row with count c stands for c battles that are shuffled apart', () => {
    const t = tableFromBattles([
      { modelA: 'a', modelB: 'b', outcome: 'a', count: 30 },
      { modelA: 'a', modelB: 'b', outcome: 'b', count: 30 },
    ]);
    const r = eloOrderSensitivity(t, { ...DEFAULT_ELO, k: 32 }, 50, 1);
    // in the input order a wins 30 then loses 30 and ends below 1000; shuffled orders end on both sides
    expect(r.models.find((x) => x.model === 'a')!.inOrder).toBeLessThan(1000);
    expect(r.models.find((x) => x.model === 'a')!.min).toBeLessThan(1000);
    expect(r.models.find((x) => x.model === 'a')!.max).toBeGreaterThan(1000);
  });
});
