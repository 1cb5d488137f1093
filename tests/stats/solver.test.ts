import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { leaguePolicy } from '../../src/sim/league.js';
import { bootstrapJobOf, rateWithIntervals } from '../../src/stats/uncertainty.js';
import { compareModels } from '../../src/stats/compare.js';
import { resolveRoundsSolver, resolveSandwichSolver, resolveSolver, SPARSE_ALWAYS_MODELS, SPARSE_AUTO_MODELS, SPARSE_ROUNDS_MODELS, SPARSE_SANDWICH_MODELS } from '../../src/rating/bt-sparse.js';
import { toTable, type PlainBattle } from '../arbitraries.js';
import { cli, jsonl, tempFile } from '../helpers.js';

/** A league board of m models (sparse graph, ~k opponents each) with n battles. */
function league(m: number, k: number, n: number, seed: number) {
  const truth = { models: Array.from({ length: m }, (_, v) => `m${String(v).padStart(3, '0')}`), ratings: Float64Array.from({ length: m }, (_, v) => 1000 + 400 * Math.sin(v * 1.7 + seed)) };
  return simulateTable(truth, n, {}, createRng(seed), leaguePolicy(truth.ratings, k, createRng(seed + 1)));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let v = 0; v < a.length; v++) d = Math.max(d, Math.abs(a[v]! - b[v]!));
  return d;
};

describe('--solver: the sparse path gives the dense path\'s numbers', () => {
  const t = league(120, 10, 30_000, 3);
  it('auto: a sparse fit from SPARSE_AUTO_MODELS models on sparse graphs (opponents ≤ m/10) and from SPARSE_ALWAYS_MODELS on any; a sparse sandwich above SPARSE_SANDWICH_MODELS', () => {
    expect(resolveSolver('auto', SPARSE_AUTO_MODELS - 1, SPARSE_AUTO_MODELS)).toBe('dense');
    // 1,000 models: a league of 40 opponents (20,000 pairs) sparse, 100 opponents sparse, 101 dense, unknown pairs dense
    expect(resolveSolver(undefined, 1000, 20_000)).toBe('sparse');
    expect(resolveSolver(undefined, 1000, 50_000)).toBe('sparse');
    expect(resolveSolver(undefined, 1000, 50_500)).toBe('dense');
    expect(resolveSolver(undefined, 1000)).toBe('dense');
    expect(resolveSolver(undefined, SPARSE_ALWAYS_MODELS)).toBe('sparse');
    expect(resolveSolver('dense', 10 ** 6)).toBe('dense');
    expect(resolveSolver('sparse', 2)).toBe('sparse');
    expect(resolveSandwichSolver('auto', SPARSE_SANDWICH_MODELS)).toBe('dense');
    expect(resolveSandwichSolver('auto', SPARSE_SANDWICH_MODELS + 1)).toBe('sparse');
    expect(resolveSandwichSolver('sparse', 2)).toBe('sparse');
    // bootstrap rounds: dense below SPARSE_ROUNDS_MODELS whatever the fit took, then the fit's; an explicit choice holds
    expect(resolveRoundsSolver(undefined, SPARSE_ROUNDS_MODELS - 1, 'sparse')).toBe('dense');
    expect(resolveRoundsSolver('auto', SPARSE_ROUNDS_MODELS, 'sparse')).toBe('sparse');
    expect(resolveRoundsSolver('auto', SPARSE_ROUNDS_MODELS, 'dense')).toBe('dense');
    expect(resolveRoundsSolver('sparse', 10, 'dense')).toBe('sparse');
    expect(resolveRoundsSolver('dense', 10 ** 5, 'sparse')).toBe('dense');
  });
  it('auto: a sparse fit at 500 models on a league graph bootstraps with dense rounds (the same rounds as the sparse ones to 1e-6 points)', async () => {
    const big = league(SPARSE_AUTO_MODELS + 100, 12, 60_000, 4);
    const auto = await rateWithIntervals(big, {}, { rounds: 4, seed: 2, threads: 1 });
    expect(auto.point.kind === 'bt' && auto.point.solver).toBe('sparse');
    expect((bootstrapJobOf(auto.point) as { solver?: string }).solver ?? 'dense').toBe('dense');
    const sparse = await rateWithIntervals(big, { solver: 'sparse' }, { rounds: 4, seed: 2, threads: 1 });
    expect((bootstrapJobOf(sparse.point) as { solver?: string }).solver).toBe('sparse');
    expect(maxDiff(auto.dist!.ratings, sparse.dist!.ratings)).toBeLessThan(1e-6);
  });
  it('ratings and sandwich intervals to 1e-6 points, plain and anchored', async () => {
    for (const anchor of [null, { model: 'm007', rating: 1234 }]) {
      const d = await rateWithIntervals(t, { solver: 'dense', anchor });
      const s = await rateWithIntervals(t, { solver: 'sparse', anchor });
      expect(d.point.kind === 'bt' && d.point.solver).toBe('dense');
      expect(s.point.kind === 'bt' && s.point.solver).toBe('sparse');
      expect(maxDiff(s.point.ratings, d.point.ratings)).toBeLessThan(1e-6);
      expect(maxDiff(s.intervals!.lower, d.intervals!.lower)).toBeLessThan(1e-6);
      expect(maxDiff(s.intervals!.upper, d.intervals!.upper)).toBeLessThan(1e-6);
      // the intervals are not degenerate: a wrong variance would show
      expect(d.intervals!.upper[0]! - d.intervals!.lower[0]!).toBeGreaterThan(10);
    }
  });
  it('a gap\'s sandwich interval (compare) to 1e-6 points', async () => {
    const a = t.models.indexOf('m001');
    const b = t.models.indexOf('m050');
    const d = compareModels(await rateWithIntervals(t, { solver: 'dense' }), a, b, { scale: 400, base: 10 });
    const s = compareModels(await rateWithIntervals(t, { solver: 'sparse' }), a, b, { scale: 400, base: 10 });
    expect(Math.abs(s.gap.lower! - d.gap.lower!)).toBeLessThan(1e-6);
    expect(Math.abs(s.gap.upper! - d.gap.upper!)).toBeLessThan(1e-6);
    expect(d.gap.upper! - d.gap.lower!).toBeGreaterThan(1);
  });
  it('bootstrap intervals (control-variate and plain quantiles) to 1e-6 points, whatever the thread count', async () => {
    for (const bootstrapQuantiles of ['control', 'plain'] as const) {
      const d = await rateWithIntervals(t, { solver: 'dense' }, { rounds: 30, seed: 5, bootstrapQuantiles, threads: 1 });
      const s = await rateWithIntervals(t, { solver: 'sparse' }, { rounds: 30, seed: 5, bootstrapQuantiles, threads: 2 });
      expect(maxDiff(s.dist!.ratings, d.dist!.ratings)).toBeLessThan(1e-6);
      expect(maxDiff(s.intervals!.lower, d.intervals!.lower)).toBeLessThan(1e-6);
      expect(maxDiff(s.intervals!.upper, d.intervals!.upper)).toBeLessThan(1e-6);
      const s1 = await rateWithIntervals(t, { solver: 'sparse' }, { rounds: 30, seed: 5, bootstrapQuantiles, threads: 1 });
      expect([...s1.dist!.ratings]).toEqual([...s.dist!.ratings]);
    }
  });
  it('disconnected parts (the automatic ridge prior) and weighted data: the same ratings and intervals', async () => {
    const bs: PlainBattle[] = [];
    for (let v = 0; v < 6; v++) {
      const p = v < 3 ? 'x' : 'y';
      bs.push({ modelA: `${p}${v}`, modelB: `${p}${(v + 1) % 3 + (v < 3 ? 0 : 3)}`, outcome: 'a', count: 3 + v }, { modelA: `${p}${v}`, modelB: `${p}${(v + 1) % 3 + (v < 3 ? 0 : 3)}`, outcome: 'b', count: 2 });
    }
    bs.push({ modelA: 'x0', modelB: 'lonely', outcome: 'a', count: 4 });
    for (const reweight of [null, { floor: 2 }]) {
      const d = await rateWithIntervals(toTable(bs), { solver: 'dense', reweight });
      const s = await rateWithIntervals(toTable(bs), { solver: 'sparse', reweight });
      expect(s.point.fit.prior).toBe(0.01);
      expect(maxDiff(s.point.ratings, d.point.ratings)).toBeLessThan(1e-6);
      expect(maxDiff(s.intervals!.lower, d.intervals!.lower)).toBeLessThan(1e-6);
    }
  });
});

describe('arena rate --solver', () => {
  const f = tempFile('solver.jsonl', jsonl([
    { model_a: 'a', model_b: 'b', winner: 'model_a', count: 5 },
    { model_a: 'a', model_b: 'b', winner: 'model_b', count: 2 },
    { model_a: 'b', model_b: 'c', winner: 'model_a', count: 4 },
    { model_a: 'c', model_b: 'a', winner: 'model_a', count: 1 },
    { model_a: 'c', model_b: 'b', winner: 'tie', count: 3 },
  ]));
  it('dense and sparse print the same board (sandwich intervals)', async () => {
    const d = await cli(['rate', f, '--format', 'json', '--solver', 'dense']);
    const s = await cli(['rate', f, '--format', 'json', '--solver', 'sparse']);
    expect(s.code).toBe(0);
    const rd = JSON.parse(d.stdout).models;
    const rs = JSON.parse(s.stdout).models;
    rd.forEach((row: { rating: number; lower: number; upper: number }, q: number) => {
      expect(Math.abs(rs[q].rating - row.rating)).toBeLessThan(1e-6);
      expect(Math.abs(rs[q].lower - row.lower)).toBeLessThan(1e-6);
      expect(Math.abs(rs[q].upper - row.upper)).toBeLessThan(1e-6);
    });
  });
  it('--solver sparse with style control is a usage error (exit 2) naming what it covers', async () => {
    const r = await cli(['rate', f, '--style-control', '--solver', 'sparse']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--solver sparse' covers Bradley–Terry/);
  });
});
