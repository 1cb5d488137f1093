import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { type BattleTable, tableFromBattles } from '../../src/data/table.js';
import { btCells, fitBradleyTerry } from '../../src/rating/bradley-terry.js';
import { fitStyleControl, styleDesign } from '../../src/rating/style.js';
import { fitTieModel, type OutcomeModel, outcomeTerms, tieCells } from '../../src/rating/tie-models.js';
import { createRng } from '../../src/rng.js';
import { simulateStyleTable } from '../../src/sim/style.js';
import { type PlainBattle, wellPosed } from '../arbitraries.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

/** Plain battles with style counts drawn from `rng` (or all zero). */
function withStyle(bs: PlainBattle[], rng: (() => number) | null): BattleTable {
  return tableFromBattles(bs.map((b) => ({ ...b, style: Array.from({ length: 8 }, () => (rng ? Math.floor(rng() * 20) : 0)) })));
}


describe('styleDesign', () => {
  it('standardises the relative differences (a − b)/(a + b + 1), weighted by count', () => {
    const t = tableFromBattles([
      { modelA: 'x', modelB: 'y', outcome: 'a', count: 2, style: [9, 0, 0, 0, 0, 0, 0, 0] },
      { modelA: 'x', modelB: 'y', outcome: 'b', count: 1, style: [0, 0, 0, 0, 9, 0, 0, 0] },
    ]);
    const d = styleDesign(t);
    // raw: 0.9 (twice) and −0.9 → mean 0.3, SD √(((0.6)²·2 + (1.2)²)/3) = √0.72
    expect(d.mean[0]).toBeCloseTo(0.3, 14);
    expect(d.sd[0]).toBeCloseTo(Math.sqrt(0.72), 14);
    expect(d.x[0]).toBeCloseTo(0.6 / Math.sqrt(0.72), 14);
    expect(d.x[4]).toBeCloseTo(-1.2 / Math.sqrt(0.72), 14);
    expect(Array.from(d.active)).toEqual([1, 0, 0, 0]);
  });

  it('rejects a table without style fields, naming the option', () => {
    const t = tableFromBattles([{ modelA: 'x', modelB: 'y', outcome: 'a' }]);
    expect(() => styleDesign(t)).toThrow(/--style-control: style control needs style fields/);
    const mixed = tableFromBattles([
      { modelA: 'x', modelB: 'y', outcome: 'a', style: [1, 1, 1, 1, 1, 1, 1, 1] },
      { modelA: 'x', modelB: 'y', outcome: 'b' },
    ]);
    expect(() => styleDesign(mixed)).toThrow(/row 2/);
  });
});

describe('fitStyleControl', () => {
  it('with all-zero features equals plain Bradley–Terry (and the tie models on cells)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }).chain((m) => wellPosed(m)), (bs) => {
        const t = withStyle(bs, null);
        const d = styleDesign(t);
        const pc = aggregatePairs(t);
        const half = fitStyleControl(t, d, { outcome: 'half', tolerance: 1e-9 });
        expect(Array.from(half.beta)).toEqual([0, 0, 0, 0]);
        expect(maxDiff(half.theta, fitBradleyTerry(btCells(pc, 'half'), { tolerance: 1e-9 }).theta)).toBeLessThan(1e-9);
        for (const model of ['davidson', 'rao-kupper'] as const) {
          const s = fitStyleControl(t, d, { outcome: model, tolerance: 1e-9 });
          const c = fitTieModel(model, tieCells(pc), { tolerance: 1e-9 });
          expect(maxDiff(s.theta, c.theta)).toBeLessThan(1e-8);
          expect(Math.abs(s.eta - c.eta)).toBeLessThan(1e-8);
          expect(s.logLikelihood).toBeCloseTo(c.logLikelihood, 8);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('returns a stationary point of an independently written penalised likelihood (finite differences)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }).chain((m) => wellPosed(m, 80)), fc.constantFrom<OutcomeModel>('half', 'ignore', 'davidson', 'rao-kupper'), fc.integer(), (bs, model, seed) => {
        const t = withStyle(bs, createRng(seed));
        const d = styleDesign(t);
        const stylePrior = 0.5;
        const s = fitStyleControl(t, d, { outcome: model, tolerance: 1e-10, stylePrior });
        expect(s.converged).toBe(true);
        const m = t.models.length;
        // naive objective over the full vector (θ, β₁..β₄, η)
        const out = new Float64Array(6);
        const objective = (p: Float64Array) => {
          let ll = 0;
          for (let r = 0; r < t.rows; r++) {
            let gap = p[t.a[r]!]! - p[t.b[r]!]!;
            for (let q = 0; q < 4; q++) gap += p[m + q]! * d.x[r * 4 + q]!;
            outcomeTerms(model, gap, p[m + 4]!, Math.min(t.outcome[r]!, 2), out);
            ll += t.count[r]! * out[0]!;
          }
          let pen = 0;
          for (let q = 0; q < 4; q++) pen += p[m + q]! * p[m + q]!;
          return ll - 0.5 * stylePrior * pen;
        };
        const p = new Float64Array(m + 5);
        p.set(s.theta);
        p.set(s.beta, m);
        p[m + 4] = Number.isFinite(s.eta) ? s.eta : 0;
        const f0 = objective(p);
        const h = 1e-6;
        const hasEta = s.etaIndex >= 0;
        for (let v = 0; v < m + 5; v++) {
          if (v === m + 4 && !hasEta) continue;
          if (v >= m && v < m + 4 && !d.active[v - m]) continue;
          const up = Float64Array.from(p);
          const dn = Float64Array.from(p);
          up[v]! += h;
          dn[v]! -= h;
          const grad = (objective(up) - objective(dn)) / (2 * h);
          expect(Math.abs(grad)).toBeLessThan(1e-4 * Math.max(1, Math.abs(f0) / 100));
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('style control round trip (simulated board with a planted verbosity bonus)', () => {
  const models = ['m0', 'm1', 'm2', 'verbose', 'm4', 'm5', 'm6', 'm7'];
  const truth = { models, ratings: Float64Array.from([1000, 1020, 1040, 1030, 1060, 1080, 1100, 1120]) };
  const effect = [1.0, 0, 0, 0];
  const t = simulateStyleTable(truth, 30000, {}, { effect, verbosity: new Map([['verbose', 3]]) }, createRng(2024));
  const v = t.models.indexOf('verbose');
  const rankOf = (theta: Float64Array) => 1 + Array.from(theta).filter((x) => x > theta[v]!).length;

  it('ranks the verbose model lower with style control than without, near its true place', () => {
    const plain = fitBradleyTerry(btCells(aggregatePairs(t), 'half'));
    const styled = fitStyleControl(t, styleDesign(t), { outcome: 'half' });
    expect(rankOf(plain.theta)).toBeLessThanOrEqual(2); // the bonus buys it a place near the top
    expect(rankOf(styled.theta)).toBeGreaterThan(rankOf(plain.theta));
    expect(rankOf(styled.theta)).toBe(6); // its true place: 1030 sits above 1000 and 1020 only
    // and its style-controlled strength is within 15 points of the truth (centred), against about 70 without
    const f = 400 / Math.log(10);
    const mean = truth.ratings.reduce((a, b) => a + b, 0) / truth.ratings.length;
    expect(Math.abs(styled.theta[v]! * f - (1030 - mean))).toBeLessThan(15);
    expect(plain.theta[v]! * f - (1030 - mean)).toBeGreaterThan(50);
  });

  it('covers the planted coefficient with its 95% sandwich interval (per unit of the raw feature)', () => {
    const d = styleDesign(t);
    const s = fitStyleControl(t, d, { outcome: 'half' });
    const idx = s.betaIndex[0]!;
    const se = Math.sqrt(s.cov[idx * s.n + idx]!);
    const lower = (s.beta[0]! - 1.96 * se) / d.sd[0]!;
    const upper = (s.beta[0]! + 1.96 * se) / d.sd[0]!;
    expect(lower).toBeLessThan(effect[0]!);
    expect(upper).toBeGreaterThan(effect[0]!);
    expect(upper - lower).toBeLessThan(0.25);
    // features without a planted effect: intervals cover 0
    for (let q = 1; q < 4; q++) {
      const i = s.betaIndex[q]!;
      const sq = Math.sqrt(s.cov[i * s.n + i]!);
      expect(Math.abs(s.beta[q]!)).toBeLessThan(3.5 * sq);
    }
  });
});
