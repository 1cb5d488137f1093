import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/data/schema.js';
import { type BattleTable, BattleTableBuilder } from '../../src/data/table.js';
import { fitModel, modelFor } from '../../src/models/index.js';
import { DEFAULT_MODEL, type ModelOptions } from '../../src/models/types.js';
import { createRng } from '../../src/rng.js';
import { simulateStyleTable } from '../../src/sim/style.js';
import { bootstrapRatingsSync } from '../../src/stats/bootstrap.js';
import { prepareRounds, type RoundStats } from '../../src/stats/bootstrap-rounds.js';
import { bootstrapJobOf } from '../../src/stats/uncertainty.js';
import { chiSquareQuantile, multinomialLogPmf } from './exact-laws.js';

/** Rating points per natural-log unit on the default 400/10 scale. */
const F = 400 / Math.log(10);

/** Battles between two models `a` and `b` with the same style counts on both sides (every style feature inactive). */
function twoModels(rows: [string, string, Outcome, number][]): BattleTable {
  const builder = new BattleTableBuilder();
  for (const [x, y, o, c] of rows) builder.push(x, y, o, c, undefined, [100, 1, 2, 3, 100, 1, 2, 3]);
  return builder.finish();
}

/**
 * The outcome counts (a's wins W, b's wins L, ties T) of N battles that a two-model Davidson fit reproduces:
 * the fit matches the frequencies exactly, d = θa − θb = log(W/L) and ν = T/√(W·L), hence
 * L = N/(e^d + 1 + ν·e^{d/2}), W = L·e^d, T = ν·L·e^{d/2}. O(1).
 */
function countsOfDavidson(d: number, nu: number, N: number): [number, number, number] {
  const L = N / (Math.exp(d) + 1 + nu * Math.exp(d / 2));
  return [L * Math.exp(d), L, nu * L * Math.exp(d / 2)];
}

/**
 * Runs `draws` rounds of the job of a two-model Davidson fit (a tie job, or a style job whose features are all
 * inactive, so it is Davidson on the rows) and reads each round's resampled outcome counts back from its refit.
 */
function resampledCounts(t: BattleTable, opts: Partial<ModelOptions>, draws: number, seed: number) {
  const point = fitModel(t, { ...DEFAULT_MODEL, ties: 'davidson', ...opts });
  const job = bootstrapJobOf(point);
  const runner = prepareRounds(job, seed);
  const id = new Map(t.models.map((name, v) => [name, v]));
  const [ia, ib] = [id.get('a')!, id.get('b')!];
  const out = new Float64Array(2);
  const extra = new Float64Array(runner.extras);
  const eta = job.kind === 'tie' ? 0 : job.kind === 'style' ? runner.extras - 1 : -1;
  const stats: RoundStats = { fallbacks: 0, degenerate: 0, unconverged: 0 };
  const counts: [number, number, number][] = [];
  let worstRounding = 0;
  for (let r = 0; r < draws; r++) {
    runner.run(r, out, stats, undefined, extra);
    const x = countsOfDavidson((out[ia]! - out[ib]!) / F, Math.exp(extra[eta]!), t.battles);
    for (const v of x) worstRounding = Math.max(worstRounding, Math.abs(v - Math.round(v)));
    counts.push(x.map(Math.round) as [number, number, number]);
  }
  return { kind: job.kind, counts, stats, worstRounding };
}

/**
 * Checks draws of (W, L, T) against Multinomial(N, p): every draw sums to N; the sample means, variances and the
 * W–T covariance against N·p, N·p(1−p), −N·pW·pT (5 standard errors each: the mean's SE is √(N·p(1−p)/D), a
 * variance's relative SE ≈ √(2/D), the covariance's SE ≈ √(Var W·Var T/D)); and each margin, Binomial(N, p_k),
 * by Pearson's chi-square over bins pooled to an expected count ≥ 5, rejected above its 1 − 1e-4 quantile.
 */
function expectMultinomial(draws: [number, number, number][], N: number, p: [number, number, number]) {
  const D = draws.length;
  for (const x of draws) expect(x[0] + x[1] + x[2]).toBe(N);
  const variance = p.map((q) => N * q * (1 - q));
  for (let k = 0; k < 3; k++) {
    const mean = draws.reduce((s, x) => s + x[k]!, 0) / D;
    const v = draws.reduce((s, x) => s + (x[k]! - mean) ** 2, 0) / (D - 1);
    expect(Math.abs(mean - N * p[k]!), `mean of cell ${k}`).toBeLessThan(5 * Math.sqrt(variance[k]! / D));
    expect(Math.abs(v / variance[k]! - 1), `variance of cell ${k}`).toBeLessThan(5 * Math.sqrt(2 / D));
  }
  const mw = draws.reduce((s, x) => s + x[0], 0) / D;
  const mt = draws.reduce((s, x) => s + x[2], 0) / D;
  const cov = draws.reduce((s, x) => s + (x[0] - mw) * (x[2] - mt), 0) / (D - 1);
  expect(Math.abs(cov + N * p[0] * p[2])).toBeLessThan(5 * Math.sqrt((variance[0]! * variance[2]!) / D));
  for (let k = 0; k < 3; k++) {
    const seen = new Float64Array(N + 1);
    for (const x of draws) seen[x[k]!]!++;
    // pool values into consecutive bins of expected count ≥ 5 (the last bin takes the rest)
    let stat = 0;
    let bins = 0;
    let e = 0;
    let o = 0;
    for (let x = 0; x <= N; x++) {
      e += D * Math.exp(multinomialLogPmf([x, N - x], [p[k]!, 1 - p[k]!]));
      o += seen[x]!;
      if (e >= 5 || x === N) {
        stat += (o - e) ** 2 / e;
        bins++;
        e = 0;
        o = 0;
      }
    }
    expect(stat, `chi-square of cell ${k} over ${bins} bins`).toBeLessThan(chiSquareQuantile(bins - 1, 1 - 1e-4));
  }
}

describe('tie-model and style-control bootstrap rounds draw the exact multinomial law of resampled battles', () => {
  // a beat b 40 times (in two rows and both seats), b beat a 30 times, 30 ties (10 of them both bad): N = 100.
  // P(some outcome is never drawn) < 1e-15, so every resample has a maximum-likelihood estimate.
  const rows: [string, string, Outcome, number][] = [
    ['a', 'b', 'a', 25],
    ['b', 'a', 'b', 15],
    ['a', 'b', 'b', 30],
    ['a', 'b', 'tie', 20],
    ['b', 'a', 'bothbad', 10],
  ];
  const N = 100;
  const p: [number, number, number] = [0.4, 0.3, 0.3];
  const D = 6000;

  it('tie job (Davidson): each round refits Multinomial(N, observed shares) counts of W, L, T', () => {
    const { kind, counts, stats, worstRounding } = resampledCounts(twoModels(rows), {}, D, 17);
    expect(kind).toBe('tie');
    expect(stats).toEqual({ fallbacks: 0, degenerate: 0, unconverged: 0 });
    // the refit reproduces integer counts summing to N: a resample of another size, or fractional weights, would not
    expect(worstRounding).toBeLessThan(1e-5);
    expectMultinomial(counts, N, p);
    // the rounds really resample: an identity resampler would give (40, 30, 30) every time
    expect(new Set(counts.map((x) => x.join())).size).toBeGreaterThan(500);
  });

  it('style job (features inactive, Davidson outcome): the rows are drawn as Multinomial(N, row counts / N)', () => {
    const t = twoModels(rows);
    const { kind, counts, stats, worstRounding } = resampledCounts(t, { styleControl: true }, D, 23);
    expect(kind).toBe('style');
    expect(stats).toEqual({ fallbacks: 0, degenerate: 0, unconverged: 0 });
    expect(worstRounding).toBeLessThan(1e-5);
    expectMultinomial(counts, N, p);
  });
});

describe('tie-model and style-control bootstrap SDs vs the sandwich standard errors', () => {
  const models = ['m0', 'm1', 'm2', 'm3', 'm4'];
  const truth = { models, ratings: Float64Array.from([1000, 1030, 1060, 1090, 1120]) };
  // Tolerance of a bootstrap SD against the sandwich SE: over R rounds the sample SD of a (near-normal) statistic
  // has relative standard error ≈ 1/√(2(R−1)); we allow 4 of those plus 2% for the O(1/n) difference between the
  // bootstrap SD and the asymptotic sandwich SE at these sizes (≥ 1,200 battles per model).
  const sdTolerance = (rounds: number) => 4 / Math.sqrt(2 * (rounds - 1)) + 0.02;
  const sdOf = (x: ArrayLike<number>, stride: number, col: number, rounds: number) => {
    let s = 0;
    let s2 = 0;
    for (let r = 0; r < rounds; r++) {
      const v = x[r * stride + col]!;
      s += v;
      s2 += v * v;
    }
    return Math.sqrt((s2 - (s * s) / rounds) / (rounds - 1));
  };

  it('Davidson: ratings and η (5,000 rounds: within 6%)', () => {
    const t = simulateStyleTable(truth, 6000, {}, { effect: [0.8, 0.3, 0, 0], verbosity: new Map([['m1', 2]]) }, createRng(99));
    const opts = { ...DEFAULT_MODEL, ties: 'davidson' as const };
    const point = fitModel(t, opts);
    const rounds = 5000;
    const dist = bootstrapRatingsSync(bootstrapJobOf(point), { rounds, seed: 3 });
    expect(dist.extras).toBe(1);
    const cov = modelFor(opts).sandwich!(point);
    const tol = sdTolerance(rounds);
    expect(tol).toBeLessThan(0.0601);
    const id = new Map(point.models.map((name, v) => [name, v]));
    for (const name of models) {
      const v = id.get(name)!;
      const ratio = sdOf(dist.ratings, dist.models, v, rounds) / F / Math.sqrt(cov.cov[v * cov.n + v]!);
      expect(Math.abs(ratio - 1), name).toBeLessThan(tol);
    }
    const q = cov.extra.get('eta')!;
    expect(Math.abs(sdOf(dist.extra!, 1, 0, rounds) / Math.sqrt(cov.cov[q * cov.n + q]!) - 1)).toBeLessThan(tol);
  });

  it('style control: ratings and active coefficients (800 rounds: within 12%)', () => {
    // a smaller board than the Davidson test's (a style round refits on every row): 3,000 battles, ≈1,200 a model
    const t = simulateStyleTable(truth, 3000, {}, { effect: [0.8, 0.3, 0, 0], verbosity: new Map([['m1', 2]]) }, createRng(98));
    const opts = { ...DEFAULT_MODEL, styleControl: true };
    const point = fitModel(t, opts);
    if (point.kind !== 'style') throw new TypeError('expected a style fit');
    const rounds = 800;
    const dist = bootstrapRatingsSync(bootstrapJobOf(point), { rounds, seed: 4 });
    const cov = modelFor(opts).sandwich!(point);
    const tol = sdTolerance(rounds);
    expect(tol).toBeLessThan(0.121);
    const id = new Map(point.models.map((name, v) => [name, v]));
    for (const name of models) {
      const v = id.get(name)!;
      const ratio = sdOf(dist.ratings, dist.models, v, rounds) / F / Math.sqrt(cov.cov[v * cov.n + v]!);
      expect(Math.abs(ratio - 1), name).toBeLessThan(tol);
    }
    const active = point.style.coefficients.filter((c) => c.active);
    expect(active.length).toBeGreaterThanOrEqual(2);
    for (const c of active) {
      const col = point.style.coefficients.indexOf(c);
      const q = cov.extra.get(`beta:${c.feature}`)!;
      const ratio = sdOf(dist.extra!, dist.extras, col, rounds) / Math.sqrt(cov.cov[q * cov.n + q]!);
      expect(Math.abs(ratio - 1), c.feature).toBeLessThan(tol);
    }
  });
});
