import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { btCells, fitBradleyTerry } from '../../src/rating/bradley-terry.js';
import { fitBradleyTerrySparse } from '../../src/rating/bt-sparse.js';
import { pointsPerLogit } from '../../src/rating/scale.js';
import { FixedHessianRefit } from '../../src/rating/bt-refit.js';
import { sandwichCovariance, sparseSandwich } from '../../src/rating/sandwich.js';
import { applyWeights, weightedCounts } from '../../src/data/weights.js';
import { anyBattles, connectedBattles, type PlainBattle, splitBattles, toTable } from '../arbitraries.js';

const POINTS = pointsPerLogit({ scale: 400, base: 10 });
const rep = (modelA: string, modelB: string, outcome: PlainBattle['outcome'], count: number): PlainBattle => ({ modelA, modelB, outcome, count });
const maxGap = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let v = 0; v < a.length; v++) d = Math.max(d, Math.abs(a[v]! - b[v]!));
  return d * POINTS;
};

describe('fitBradleyTerrySparse: known values', () => {
  it('reproduces the Wikipedia 4-team example (strengths .640, 1.043, .660, 2.270 at geometric mean 1)', () => {
    const wiki = [rep('A', 'B', 'a', 2), rep('A', 'B', 'b', 3), rep('A', 'D', 'a', 1), rep('A', 'D', 'b', 4), rep('B', 'C', 'a', 5), rep('B', 'C', 'b', 3), rep('C', 'D', 'a', 1), rep('C', 'D', 'b', 3)];
    const fit = fitBradleyTerrySparse(btCells(aggregatePairs(toTable(wiki)), 'half'));
    expect(fit.converged).toBe(true);
    expect([...fit.theta].map((x) => Math.round(Math.exp(x) * 1000) / 1000)).toEqual([0.64, 1.043, 0.66, 2.27]);
  });
  it('two models: θx − θy = ln(9/4) (x scores 7 + ½·4, y 2 + ½·4)', () => {
    const fit = fitBradleyTerrySparse(btCells(aggregatePairs(toTable([rep('x', 'y', 'a', 7), rep('x', 'y', 'b', 2), rep('x', 'y', 'tie', 3), rep('y', 'x', 'bothbad', 1)])), 'half'));
    expect(fit.theta[0]! - fit.theta[1]!).toBeCloseTo(Math.log(9 / 4), 10);
    expect(fit.theta[0]! + fit.theta[1]!).toBeCloseTo(0, 14);
  });
  it('with a ridge prior on two models, the stationarity equation s − n·σ(d) − λ·θx = 0 holds', () => {
    const cells = btCells(aggregatePairs(toTable([rep('x', 'y', 'a', 5)])), 'half');
    const fit = fitBradleyTerrySparse(cells, { prior: 0.5 });
    const d = fit.theta[0]! - fit.theta[1]!;
    expect(5 - 5 / (1 + Math.exp(-d)) - 0.5 * fit.theta[0]!).toBeCloseTo(0, 10);
  });
});

describe('fitBradleyTerrySparse: agreement with the dense Newton path', () => {
  it('equals fitBradleyTerry to 1e-6 rating points on random connected boards (2–12 models)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }).chain((m) => connectedBattles(m, { maxLength: 80 })), fc.constantFrom('half' as const, 'ignore' as const), (bs, ties) => {
        const cells = btCells(aggregatePairs(toTable(bs)), ties);
        const dense = fitBradleyTerry(cells, { prior: 0.01 });
        const sparse = fitBradleyTerrySparse(cells, { prior: 0.01 });
        expect(sparse.converged).toBe(dense.converged);
        expect(maxGap(sparse.theta, dense.theta)).toBeLessThan(1e-6);
        expect(Math.abs(sparse.logLikelihood - dense.logLikelihood)).toBeLessThan(1e-9 * (1 + Math.abs(dense.logLikelihood)));
      }),
    );
  });
  it('equals it on any data with a ridge prior (never-lost models, unplayed models), and on disconnected parts', () => {
    fc.assert(
      fc.property(fc.oneof(anyBattles, splitBattles.map((x) => x.battles)), fc.constantFrom(0.01, 0.3), (bs, prior) => {
        const cells = btCells(aggregatePairs(toTable(bs)), 'half');
        const dense = fitBradleyTerry(cells, { prior, maxIterations: 200 });
        const sparse = fitBradleyTerrySparse(cells, { prior, maxIterations: 200 });
        expect(sparse.converged && dense.converged).toBe(true);
        expect(maxGap(sparse.theta, dense.theta)).toBeLessThan(1e-6);
      }),
    );
  });
  it('maximum likelihood (no prior) on a 60-model random board with 3,000 battles equals the dense fit to 1e-6 points', () => {
    const bs: PlainBattle[] = [];
    let x = 12345;
    const next = () => ((x = (x * 1103515245 + 12345) % 2147483648), x / 2147483648);
    for (let v = 0; v < 60; v++) bs.push(rep(`m${v}`, `m${(v + 1) % 60}`, 'a', 1), rep(`m${v}`, `m${(v + 1) % 60}`, 'b', 1));
    for (let q = 0; q < 3000; q++) {
      const a = Math.floor(next() * 60);
      const b = (a + 1 + Math.floor(next() * 59)) % 60;
      bs.push(rep(`m${a}`, `m${b}`, next() < 0.5 + (a - b) / 200 ? 'a' : 'b', 1));
    }
    const cells = btCells(aggregatePairs(toTable(bs)), 'half');
    const dense = fitBradleyTerry(cells);
    const sparse = fitBradleyTerrySparse(cells);
    expect(sparse.converged).toBe(true);
    expect(maxGap(sparse.theta, dense.theta)).toBeLessThan(1e-6);
    expect(sparse.cgIterations).toBeGreaterThan(0);
  });
  it('a warm start at the optimum converges in one Newton step to the same strengths', () => {
    const cells = btCells(aggregatePairs(toTable([rep('a', 'b', 'a', 3), rep('b', 'c', 'a', 2), rep('c', 'a', 'a', 1), rep('a', 'c', 'a', 1), rep('b', 'a', 'a', 1), rep('c', 'b', 'a', 1)])), 'half');
    const cold = fitBradleyTerrySparse(cells);
    const warm = fitBradleyTerrySparse(cells, { init: cold.theta });
    expect(warm.iterations).toBe(1);
    expect(maxGap(warm.theta, cold.theta)).toBeLessThan(1e-9);
  });
});

describe('sparse sandwich and chord refits: agreement with the dense factors', () => {
  const boards = fc.tuple(fc.integer({ min: 2, max: 12 }).chain((m) => connectedBattles(m, { maxLength: 80 })), fc.constantFrom(0, 0.05), fc.boolean());
  it('every entry of H⁻¹BH⁻¹ (and the whole matrix) equals the dense sandwich to 1e-9 relative, weighted or not, with or without a prior', () => {
    fc.assert(
      fc.property(boards, ([bs, prior, weighted]) => {
        const pc = applyWeights(aggregatePairs(toTable(bs)), weighted ? { floor: 2 } : null);
        const cells = btCells(weightedCounts(pc), 'half');
        const theta = fitBradleyTerry(cells, { prior: prior || 0.01 }).theta;
        const dense = sandwichCovariance(pc, 'half', theta, prior);
        const sparse = sparseSandwich(pc, 'half', theta, prior);
        const m = cells.m;
        let scale = 0;
        for (const x of dense) scale = Math.max(scale, Math.abs(x));
        const whole = sparse.matrix();
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) {
            expect(Math.abs(sparse.entry(i, j) - dense[i * m + j]!)).toBeLessThanOrEqual(1e-9 * scale);
            expect(Math.abs(whole[i * m + j]! - dense[i * m + j]!)).toBeLessThanOrEqual(1e-9 * scale);
          }
        }
      }),
    );
  });
  it('a bootstrap refit (chord steps, Newton when they do not settle) with the sparse solver equals the dense one to 1e-6 points; the first iterate (the control variate, solved exactly) to 1e-8', () => {
    fc.assert(
      fc.property(boards, fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: 200, maxLength: 200 }), ([bs, prior], jitter) => {
        const cells = btCells(aggregatePairs(toTable(bs)), 'half');
        const lambda = prior || 0.01;
        const theta = fitBradleyTerry(cells, { prior: lambda }).theta;
        const tol = 1e-7 / POINTS;
        // a resample-like perturbation of the counts
        const resample = { ...cells, n: cells.n.map((x, k) => x * jitter[k % 200]!), s: cells.s.map((x, k) => x * jitter[k % 200]!) };
        const round = (solver: 'dense' | 'sparse') => {
          const refit = new FixedHessianRefit(cells, theta, lambda, tol, 60, solver);
          const out = new Float64Array(cells.m);
          const first = new Float64Array(cells.m);
          // on slowly contracting graphs (long rings) the two may stop on different sides of the give-up rule
          // (a ratio of 0.9 measured on steps near the rounding floor): the rounds then refit by Newton, as here
          if (!refit.refit(resample.s, resample.n, out, first).converged) {
            const o = { prior: lambda, tolerance: 1e-7, init: theta };
            out.set((solver === 'dense' ? fitBradleyTerry(resample, o) : fitBradleyTerrySparse(resample, o)).theta);
          }
          return { out, first };
        };
        const d = round('dense');
        const sp = round('sparse');
        expect(maxGap(d.first, sp.first)).toBeLessThan(1e-8);
        expect(maxGap(d.out, sp.out)).toBeLessThan(1e-6);
      }),
    );
  });
});
