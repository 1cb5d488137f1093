import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fitModel } from '../../src/models/index.js';
import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { type BattleTable, tableFromBattles } from '../../src/data/table.js';
import { btCells, fitBradleyTerry } from '../../src/rating/bradley-terry.js';
import { replayElo, replayEloRows } from '../../src/rating/elo.js';
import { DEFAULT_MODEL as DEFAULT_RATE } from '../../src/models/types.js';
import { fitBt as fitRatings } from '../helpers.js';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { simulateStyleTable } from '../../src/sim/style.js';
import { bootstrapRatings, bootstrapRatingsSync } from '../../src/stats/bootstrap.js';
import { workerScript } from '../../src/stats/worker-script.js';
import { btBootstrapJob, eloBootstrapJob, orderedResampler, prepareRounds, roundRng } from '../../src/stats/bootstrap-rounds.js';
import { FixedHessianRefit } from '../../src/rating/bt-refit.js';
import { countMultinomialInto, prepareCountMultinomial } from '../../src/stats/count-multinomial.js';
import { normalIntervals, sandwichCovariance } from '../../src/rating/sandwich.js';
import { bootstrapJobOf } from '../../src/stats/uncertainty.js';

const F = 400 / Math.log(10);

function truthOf(m: number, spread = 300) {
  const models = Array.from({ length: m }, (_, v) => `model-${String(v).padStart(3, '0')}`);
  return { models, ratings: Float64Array.from(models, (_, v) => 1000 + spread * (v / (m - 1) - 0.5)) };
}

function sim(m: number, n: number, seed = 1): BattleTable {
  return simulateTable(truthOf(m), n, {}, createRng(seed));
}

function sd(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

describe('FixedHessianRefit (chord method) against full Newton refits', () => {
  // dense (fast contraction: the early-stopping bound decides) and sparse (~2 battles a pair, slower contraction:
  // the step ≤ tolerance rule decides) comparison graphs
  it.each([
    { m: 25, battles: 20_000, maxMeanIterations: 12 },
    { m: 80, battles: 6_000, maxMeanIterations: 30 },
  ])('agrees to 1e−6 rating points on bootstrap resamples, with and without ties counted (%o)', ({ m, battles, maxMeanIterations }) => {
    for (const ties of ['half', 'ignore'] as const) {
      const t = sim(m, battles, ties === 'half' ? 1 : 2);
      const point = fitRatings(t, { ...DEFAULT_RATE, ties });
      const job = btBootstrapJob(point.pairs, { theta: point.theta!, prior: point.prior }, { ties, tolerance: 1e-6, scale: 400, base: 10, offset: 1000 });
      const plan = prepareCountMultinomial(job.counts, job.battles);
      const drawn = new Float64Array(job.counts.length);
      const pairs = job.i.length;
      const refit = new FixedHessianRefit(point.cells!, point.theta!, 0, 1e-6 / F);
      const theta = new Float64Array(m);
      let worst = 0;
      let iterations = 0;
      for (let r = 0; r < 20; r++) {
        countMultinomialInto(roundRng(7, r), plan, drawn);
        const s = new Float64Array(pairs);
        const n = new Float64Array(pairs);
        for (let k = 0; k < pairs; k++) {
          const tt = ties === 'half' ? drawn[3 * k + 1]! : 0;
          s[k] = drawn[3 * k]! + tt / 2;
          n[k] = drawn[3 * k]! + tt + drawn[3 * k + 2]!;
        }
        const res = refit.refit(s, n, theta);
        expect(res.converged).toBe(true);
        iterations += res.iterations;
        const full = fitBradleyTerry({ m, pairs, i: job.i, j: job.j, s, n }, { tolerance: 1e-10 });
        expect(full.converged).toBe(true);
        for (let v = 0; v < m; v++) worst = Math.max(worst, Math.abs(theta[v]! - full.theta[v]!) * F);
      }
      expect(worst).toBeLessThan(1e-6);
      expect(iterations / 20).toBeLessThan(maxMeanIterations); // the point of the method: few cheap iterations
    }
  });

  it('gives the same refits whether the pairs come sorted by their lower model (gradient kernel) or not (plain loop)', () => {
    const m = 30;
    const t = sim(m, 8_000, 5);
    const point = fitRatings(t, DEFAULT_RATE);
    const cells = point.cells!;
    const pairs = cells.pairs;
    // the same cells in reverse order: no longer sorted by i
    const rev = (a: ArrayLike<number>) => Float64Array.from(a).reverse();
    const shuffled = { m, pairs, i: Int32Array.from(rev(cells.i)), j: Int32Array.from(rev(cells.j)), s: rev(cells.s), n: rev(cells.n) };
    const sorted = new FixedHessianRefit(cells, point.theta!, 0, 1e-9 / F);
    const plain = new FixedHessianRefit(shuffled, point.theta!, 0, 1e-9 / F);
    expect(sorted.buffers()).not.toBeNull();
    expect(plain.buffers()).toBeNull();
    const rng = createRng(3);
    const a = new Float64Array(m);
    const b = new Float64Array(m);
    for (let r = 0; r < 5; r++) {
      const n = Float64Array.from(cells.n, (x) => Math.round(x * (0.5 + rng())));
      const s = Float64Array.from(n, (x) => Math.floor(rng() * (2 * x + 1)) / 2);
      expect(sorted.refit(s, n, a).converged).toBe(true);
      expect(plain.refit(rev(s), rev(n), b).converged).toBe(true);
      for (let v = 0; v < m; v++) expect(Math.abs(a[v]! - b[v]!) * F).toBeLessThan(1e-8);
      // and against a full Newton fit of the same cells
      const full = fitBradleyTerry({ m, pairs, i: cells.i, j: cells.j, s, n }, { tolerance: 1e-10 });
      for (let v = 0; v < m; v++) expect(Math.abs(a[v]! - full.theta[v]!) * F).toBeLessThan(1e-8);
    }
  });

  it('gives up (converged: false) on a resample without a maximum-likelihood estimate', () => {
    const t = tableFromBattles([
      { modelA: 'a', modelB: 'b', outcome: 'a' },
      { modelA: 'a', modelB: 'b', outcome: 'b' },
      { modelA: 'b', modelB: 'c', outcome: 'b' },
      { modelA: 'b', modelB: 'c', outcome: 'a' },
      { modelA: 'c', modelB: 'a', outcome: 'a' },
      { modelA: 'c', modelB: 'a', outcome: 'b' },
    ]);
    const point = fitRatings(t, DEFAULT_RATE);
    const refit = new FixedHessianRefit(point.cells!, point.theta!, 0, 1e-6 / F);
    // resample where a never lost: a–b 2:0, b–c 1:1, a–c 2:0 (cells are (a,b), (a,c), (b,c))
    const res = refit.refit([2, 2, 1], [2, 2, 2], new Float64Array(3));
    expect(res.converged).toBe(false);
  });
});

describe('bootstrap rounds', () => {
  it('the multinomial cell draw has the law of resampling battles: bootstrap sds match a naive row bootstrap', () => {
    const t = sim(8, 3000, 3);
    const point = fitRatings(t, DEFAULT_RATE);
    const R = 400;
    const fast = bootstrapRatingsSync(bootstrapJobOf(point), { rounds: R, seed: 1 });
    // naive: draw t.battles rows with replacement, aggregate, fit from scratch
    const rng = createRng(99);
    const naive: number[][] = Array.from({ length: 8 }, () => []);
    for (let r = 0; r < R; r++) {
      const rows = Int32Array.from({ length: t.rows }, () => Math.floor(rng() * t.rows));
      const sub: BattleTable = { ...t, a: rows.map((q) => t.a[q]!), b: rows.map((q) => t.b[q]!), outcome: Uint8Array.from(rows, (q) => t.outcome[q]!), count: new Uint32Array(t.rows).fill(1), tstamp: null };
      const fit = fitBradleyTerry(btCells(aggregatePairs(sub), 'half'), { tolerance: 1e-8 });
      fit.theta.forEach((x, v) => naive[v]!.push(F * x + 1000));
    }
    for (let v = 0; v < 8; v++) {
      const a = sd(Array.from({ length: R }, (_, r) => fast.ratings[r * 8 + v]!));
      const b = sd(naive[v]!);
      // two independent estimates of one sd from 400 rounds each: relative sd of each ≈ 3.5%
      expect(Math.abs(a / b - 1)).toBeLessThan(0.2);
    }
  });

  it('bootstrap sds agree with the sandwich standard errors (arena-rank’s check) at 200k battles, within the Monte-Carlo error', () => {
    const t = sim(12, 200_000, 4);
    const point = fitRatings(t, DEFAULT_RATE);
    const R = 2000;
    const dist = bootstrapRatingsSync(bootstrapJobOf(point), { rounds: R, seed: 2 });
    const se = normalIntervals(point.ratings, sandwichCovariance(point.pairs, 'half', point.theta!, 0), 0.95, DEFAULT_RATE).se;
    // the sample SD of R near-normal rounds has relative standard error 1/√(2(R − 1)): 4 of those (6.3%) plus 1%
    // for the O(1/n) bootstrap–sandwich difference at ≈33,000 battles a model
    const tol = 4 / Math.sqrt(2 * (R - 1)) + 0.01;
    expect(tol).toBeLessThan(0.074);
    for (let v = 0; v < 12; v++) {
      const b = sd(Array.from({ length: R }, (_, r) => dist.ratings[r * 12 + v]!));
      expect(Math.abs(b / se[v]! - 1)).toBeLessThan(tol);
    }
    expect(dist.fallbacks).toBe(0);
  });

  it('same seed ⇒ identical rounds; another seed ⇒ different; rounds independent of the range they are run in', () => {
    const t = sim(10, 5000, 5);
    const point = fitRatings(t, DEFAULT_RATE);
    const job = bootstrapJobOf(point);
    const a = bootstrapRatingsSync(job, { rounds: 12, seed: 'x' });
    const b = bootstrapRatingsSync(job, { rounds: 12, seed: 'x' });
    const c = bootstrapRatingsSync(job, { rounds: 12, seed: 'y' });
    expect([...a.ratings]).toEqual([...b.ratings]);
    expect([...a.ratings]).not.toEqual([...c.ratings]);
    const runner = prepareRounds(job, 'x');
    const out = new Float64Array(10);
    runner.run(7, out, { fallbacks: 0, degenerate: 0, unconverged: 0 });
    expect([...out]).toEqual([...a.ratings.subarray(70, 80)]);
  });

  it('from the TypeScript sources, workers run a bundle of the .ts worker source, never the built dist/', () => {
    // Bit-identical results with threads > 1 (below) cannot tell a fresh worker from a stale build in dist/ that
    // happens to compute the same thing, so the loader choice is asserted directly: an eval'd script bundled from
    // src/stats/bootstrap-worker.ts and the .ts modules it imports (esbuild marks each input with its path).
    const { script, eval: isEval, entry } = workerScript();
    expect(isEval).toBe(true);
    const source = pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'stats', 'bootstrap-worker.ts')).href;
    expect(existsSync(new URL(source))).toBe(true);
    expect(entry).toBe(source);
    const code = String(script);
    for (const input of ['stats/bootstrap-worker', 'stats/bootstrap-rounds', 'stats/count-multinomial', 'rating/tie-models', 'rating/style']) expect(code).toMatch(new RegExp(`^// (.*/)?src/${input}\\.ts$`, 'm'));
    expect(code).not.toMatch(/dist\/stats/);
    // built once per process
    expect(workerScript().script).toBe(script);
  });

  it('worker threads (the bundled .ts source) give bit-identical output for every job kind', async () => {
    const t = sim(15, 20_000, 6);
    // a small board with style fields for the style-control job (its rounds refit on every row)
    const styled = simulateStyleTable(truthOf(5), 1500, {}, { effect: [0.8, 0.3, 0, 0], verbosity: new Map([['model-001', 2]]) }, createRng(7));
    // every job kind of the engine: bt, elo, a tie model (η rides along as an extra column) and style control (β, η)
    for (const extra of [{ method: 'bt' as const }, { method: 'elo' as const }, { ties: 'davidson' as const }, { styleControl: true }]) {
      const rate = { ...DEFAULT_RATE, ...extra };
      const point = fitModel('styleControl' in extra ? styled : t, rate);
      expect(bootstrapJobOf(point).kind).toBe('styleControl' in extra ? 'style' : 'ties' in extra ? 'tie' : extra.method);
      const job = bootstrapJobOf(point);
      const one = await bootstrapRatings(job, { rounds: 9, seed: 3, threads: 1 });
      const two = await bootstrapRatings(job, { rounds: 9, seed: 3, threads: 2, minParallelWork: 0 });
      const three = await bootstrapRatings(job, { rounds: 9, seed: 3, threads: 3, minParallelWork: 0 });
      expect(Buffer.from(two.ratings.buffer).equals(Buffer.from(one.ratings.buffer))).toBe(true);
      expect(Buffer.from(three.ratings.buffer).equals(Buffer.from(one.ratings.buffer))).toBe(true);
      if (one.extra) expect(Buffer.from(two.extra!.buffer).equals(Buffer.from(one.extra.buffer))).toBe(true);
    }
  });

  it('Elo rounds: a resample of the expanded battles replayed in their original order (naive re-implementation)', () => {
    const t = tableFromBattles([
      { modelA: 'x', modelB: 'y', outcome: 'a', count: 3 },
      { modelA: 'y', modelB: 'z', outcome: 'tie' },
      { modelA: 'z', modelB: 'x', outcome: 'b', count: 2 },
      { modelA: 'x', modelB: 'z', outcome: 'bothbad' },
    ]);
    const opts = { k: 4, scale: 400, base: 10, initial: 1000, ties: 'half' as const };
    const job = eloBootstrapJob(t, { ...opts, shift: 5 });
    const runner = prepareRounds(job, 8);
    const out = new Float64Array(3);
    const resample = orderedResampler(7);
    for (let r = 0; r < 5; r++) {
      runner.run(r, out, { fallbacks: 0, degenerate: 0, unconverged: 0 });
      // naive: the list of battles in file order, the round's draws (same stream), kept in that order
      const list: { modelA: string; modelB: string; outcome: 'a' | 'b' | 'tie' | 'bothbad' }[] = [];
      const lab = ['a', 'b', 'tie', 'bothbad'] as const;
      for (let q = 0; q < t.rows; q++) for (let c = 0; c < t.count[q]!; c++) list.push({ modelA: t.models[t.a[q]!]!, modelB: t.models[t.b[q]!]!, outcome: lab[t.outcome[q]!]! });
      const idx = [...resample(roundRng(8, r))];
      expect(idx).toHaveLength(list.length);
      expect(idx).toEqual([...idx].sort((x, y) => x - y)); // original order kept
      const drawn = idx.map((q) => list[q]!);
      // FastChat compute_elo, by names
      const rating = new Map(t.models.map((name) => [name, 1000]));
      for (const x of drawn) {
        const ra = rating.get(x.modelA)!;
        const rb = rating.get(x.modelB)!;
        const ea = 1 / (1 + 10 ** ((rb - ra) / 400));
        const eb = 1 / (1 + 10 ** ((ra - rb) / 400));
        const sa = x.outcome === 'a' ? 1 : x.outcome === 'b' ? 0 : 0.5;
        rating.set(x.modelA, ra + 4 * (sa - ea));
        rating.set(x.modelB, rb + 4 * (1 - sa - eb));
      }
      t.models.forEach((name, v) => expect(out[v]).toBeCloseTo(rating.get(name)! + 5, 9));
    }
    // and replayEloRows itself is the replay used (a sanity check of the helper)
    expect([...replayEloRows(t, opts, null)]).toEqual([...replayElo(t, opts)]);
  });
});

describe('orderedResampler (online Elo rounds)', () => {
  it('draws each battle Binomial(n, 1/n) times (mean 1, variance 1 − 1/n), n in all, in increasing order', () => {
    const n = 50;
    const resample = orderedResampler(n);
    const rounds = 4000;
    const sum = new Float64Array(n);
    const sq = new Float64Array(n);
    for (let r = 0; r < rounds; r++) {
      const rows = resample(roundRng('ordered', r));
      expect(rows.length).toBe(n);
      const c = new Float64Array(n);
      for (let q = 0; q < n; q++) {
        if (q > 0) expect(rows[q]!).toBeGreaterThanOrEqual(rows[q - 1]!);
        c[rows[q]!]!++;
      }
      for (let i = 0; i < n; i++) {
        sum[i]! += c[i]!;
        sq[i]! += c[i]! * c[i]!;
      }
    }
    // pooled over the 50 battles (200,000 counts): mean 1 (sd of the estimate 0.0022), variance 0.98 (sd ≈ 0.004)
    let m = 0;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const mi = sum[i]! / rounds;
      m += mi / n;
      v += (sq[i]! / rounds - mi * mi) / n;
    }
    expect(Math.abs(m - 1)).toBeLessThan(0.01);
    expect(Math.abs(v - (1 - 1 / n))).toBeLessThan(0.03);
  });
});
