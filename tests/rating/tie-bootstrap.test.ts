import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { BattleTableBuilder } from '../../src/data/table.js';
import { bootstrapStyleControl, bootstrapTieModel, quantileSortedType7, resampleCounts } from '../../src/rating/tie-bootstrap.js';
import { fitStyleControl, styleDesign } from '../../src/rating/style.js';
import { fitDavidson, tieCells, tieSandwichCovariance } from '../../src/rating/tie-models.js';
import { createRng } from '../../src/rng.js';
import { simulateStyleTable } from '../../src/sim/style.js';

describe('resampleCounts and quantiles', () => {
  it('keeps the total and matches the expected frequencies', () => {
    const counts = [100, 0, 300, 600];
    const sum = [0, 0, 0, 0];
    for (let r = 0; r < 200; r++) {
      const x = resampleCounts(counts, createRng(r));
      expect(x.reduce((a, b) => a + b, 0)).toBe(1000);
      expect(x[1]).toBe(0);
      x.forEach((v, k) => (sum[k]! += v / 200));
    }
    for (let k = 0; k < 4; k++) expect(Math.abs(sum[k]! - counts[k]!)).toBeLessThan(5);
  });

  it('type-7 quantiles at known values', () => {
    expect(quantileSortedType7([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSortedType7([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSortedType7([5], 0.9)).toBe(5);
  });
});

describe('bootstrap vs sandwich (differential)', () => {
  const models = ['m0', 'm1', 'm2', 'm3', 'm4'];
  const truth = { models, ratings: Float64Array.from([1000, 1030, 1060, 1090, 1120]) };
  const t = simulateStyleTable(truth, 6000, {}, { effect: [0.8, 0.3, 0, 0], verbosity: new Map([['m1', 2]]) }, createRng(99));

  it('Davidson: bootstrap SDs agree with the sandwich standard errors within 25%', () => {
    const c = tieCells(aggregatePairs(t));
    const f = fitDavidson(c);
    const bs = bootstrapTieModel('davidson', c, f, {}, { rounds: 120, seed: 3, level: 0.95 });
    const again = bootstrapTieModel('davidson', c, f, {}, { rounds: 120, seed: 3, level: 0.95 });
    expect(Array.from(again.draws)).toEqual(Array.from(bs.draws));
    const { cov, n } = tieSandwichCovariance('davidson', c, f.theta, f.eta);
    for (let v = 0; v < n; v++) {
      const se = Math.sqrt(cov[v * n + v]!);
      expect(bs.sd[v]! / se).toBeGreaterThan(0.75);
      expect(bs.sd[v]! / se).toBeLessThan(1.25);
      expect(bs.lower[v]!).toBeLessThan(bs.upper[v]!);
    }
  });

  it('style control: bootstrap SDs of ratings and coefficients agree with the sandwich within 25%', () => {
    const d = styleDesign(t);
    const s = fitStyleControl(t, d, { outcome: 'half' });
    const bs = bootstrapStyleControl(t, d, s.x, { outcome: 'half' }, { rounds: 80, seed: 4, level: 0.95 });
    const m = t.models.length;
    for (let v = 0; v < m; v++) {
      const ratio = bs.sd[v]! / Math.sqrt(s.cov[v * s.n + v]!);
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.25);
    }
    for (let q = 0; q < 4; q++) {
      const i = s.betaIndex[q]!;
      const ratio = bs.sd[m + q]! / Math.sqrt(s.cov[i * s.n + i]!);
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.25);
    }
  });
});

describe('bootstrap rounds without a maximum-likelihood estimate', () => {
  it('are fitted with the small round prior, counted, and give finite draws', () => {
    // z wins once and never ties: about e^-1 of the resamples hold no win of z (no MLE for them)
    const c = tieCells(aggregatePairs(tableOf([
      ['x', 'y', 0, 20], ['y', 'x', 0, 15], ['x', 'y', 2, 10],
      ['x', 'z', 0, 30], ['z', 'x', 0, 1], ['y', 'z', 0, 25],
    ])));
    const f = fitDavidson(c);
    const bs = bootstrapTieModel('davidson', c, f, {}, { rounds: 40, seed: 8, level: 0.9 });
    expect(bs.degenerate).toBeGreaterThan(0);
    expect(bs.degenerate).toBeLessThan(40);
    for (const x of bs.draws) expect(Number.isFinite(x)).toBe(true);
    for (let v = 0; v < bs.p; v++) expect(bs.lower[v]!).toBeLessThanOrEqual(bs.upper[v]!);
  });
});

function tableOf(rows: [string, string, number, number][]) {
  const b = new BattleTableBuilder();
  for (const [x, y, o, c] of rows) b.pushIds(b.intern(x), b.intern(y), o, c);
  return b.finish();
}
