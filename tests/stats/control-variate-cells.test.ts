// Control variates for tie models (Davidson, Rao–Kupper) and style control: the linearised bootstrap over cells.
// Maths first: the law is checked against a brute-force enumeration of every resample with the one-step estimate
// computed independently (closed-form outcome probabilities, finite differences, reduced coordinates), against
// the sandwich variance, and against the refit (it must agree with it to first order); then the intervals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BattleTable } from '../../src/data/table.js';
import { tableFromBattles } from '../../src/data/table.js';
import { fitModel, modelFor } from '../../src/models/index.js';
import { DEFAULT_MODEL, type ModelOptions } from '../../src/models/types.js';
import { fitStyleControl, styleDesign } from '../../src/rating/style.js';
import { fitTieModel, type TieCells, type TieModel } from '../../src/rating/tie-models.js';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { simulateStyleTable } from '../../src/sim/style.js';
import { bootstrapRatings, bootstrapRatingsSync } from '../../src/stats/bootstrap.js';
import { type StyleBootstrapJob, type TieBootstrapJob, roundRng } from '../../src/stats/bootstrap-rounds.js';
import { cellLinearModel, contrastLaw, controlIntervals, linearBootstrapModel, modelLaws } from '../../src/stats/control-variate.js';
import { countMultinomialInto, prepareCountMultinomial } from '../../src/stats/count-multinomial.js';
import { percentileIntervals } from '../../src/stats/interval.js';
import { btLinearisation, linearStep, styleLinearisation, tieCellCounts, tieLinearisation } from '../../src/stats/linearisation.js';
import { FixedHessianRefit } from '../../src/rating/bt-refit.js';
import { addIntervals, bootstrapJobOf, DEFAULT_INTERVALS } from '../../src/stats/uncertainty.js';
import { btJobCells } from '../../src/stats/bootstrap-rounds.js';
import { compositions, expectControlsFollowLaw, multinomialLogPmf } from './exact-laws.js';

const F = 400 / Math.log(10);
const sigma = (x: number) => 1 / (1 + Math.exp(-x));

/** log P(outcome) of one battle, written from the models' definitions (independent of `outcomeTerms`). */
function logProb(model: TieModel, d: number, eta: number, o: 0 | 1 | 2): number {
  if (model === 'davidson') {
    const den = Math.exp(d / 2) + Math.exp(-d / 2) + Math.exp(eta);
    return Math.log((o === 0 ? Math.exp(d / 2) : o === 1 ? Math.exp(-d / 2) : Math.exp(eta)) / den);
  }
  const pw = sigma(d - eta);
  const pl = sigma(-d - eta);
  return Math.log(o === 0 ? pw : o === 1 ? pl : 1 - pw - pl);
}

/** Solves A·x = b (small, dense, partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const M = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

/**
 * The one-step estimate of a tie-model job computed independently of the library: reduced coordinates
 * y = (θ₀…θ_{m−2}, η) with θ_{m−1} = −Σθ (the centred strengths), per-cell scores and the information of the
 * penalised log-likelihood by central finite differences of {@link logProb}. Returns the display ratings of the
 * one-step estimate for any cell counts laid out like `job.counts` (four per pair: W, L, tie, both-bad tie).
 */
function independentOneStep(job: TieBootstrapJob) {
  const m = job.models;
  const c = job.cells;
  const K = c.pairs;
  const r = m; // m − 1 strengths + η
  const theta = (y: number[]) => {
    const t = y.slice(0, m - 1);
    t.push(-t.reduce((s, x) => s + x, 0));
    return t;
  };
  const cellLog = (y: number[], k: number, q: number) => {
    const t = theta(y);
    return logProb(job.model, t[c.i[k]!]! - t[c.j[k]!]!, y[m - 1]!, (q === 3 ? 2 : q) as 0 | 1 | 2);
  };
  const penalty = (y: number[]) => 0.5 * job.prior * theta(y).reduce((s, x) => s + x * x, 0);
  const objective = (y: number[]) => {
    let l = -penalty(y);
    for (let k = 0; k < K; k++) for (let q = 0; q < 4; q++) if (job.counts[4 * k + q]) l += job.counts[4 * k + q]! * cellLog(y, k, q);
    return l;
  };
  const yhat = [...Array.from(job.theta).slice(0, m - 1), job.eta];
  const shift = (y: number[], a: number, h: number) => y.map((x, q) => (q === a ? x + h : x));
  const h1 = 1e-6;
  const grad = (f: (y: number[]) => number) => Array.from({ length: r }, (_, a) => (f(shift(yhat, a, h1)) - f(shift(yhat, a, -h1))) / (2 * h1));
  const scores = Array.from({ length: 4 * K }, (_, cell) => grad((y) => cellLog(y, Math.floor(cell / 4), cell % 4)));
  const priorGrad = grad(penalty);
  const h2 = 1e-4;
  const info = Array.from({ length: r }, (_, a) =>
    Array.from({ length: r }, (_, b) => {
      const pp = objective(shift(shift(yhat, a, h2), b, h2));
      const pm = objective(shift(shift(yhat, a, h2), b, -h2));
      const mp = objective(shift(shift(yhat, a, -h2), b, h2));
      const mm = objective(shift(shift(yhat, a, -h2), b, -h2));
      return -(pp - pm - mp + mm) / (4 * h2 * h2);
    }),
  );
  return (counts: ArrayLike<number>) => {
    const g = priorGrad.map((x) => -x);
    for (let cell = 0; cell < 4 * K; cell++) if (counts[cell]) for (let a = 0; a < r; a++) g[a]! += counts[cell]! * scores[cell]![a]!;
    const step = solve(info, g);
    return theta(yhat.map((x, a) => x + step[a]!)).map((x) => F * x + job.offset);
  };
}

function tieJob(battles: string[][], ties: TieModel, extra: Partial<ModelOptions> = {}) {
  const t = tableFromBattles(battles.map(([modelA, modelB, outcome]) => ({ modelA: modelA!, modelB: modelB!, outcome: outcome as 'a' })));
  const point = fitModel(t, { ...extra, ties });
  const job = bootstrapJobOf(point);
  if (job.kind !== 'tie') throw new Error('expected a tie job');
  return { point, job };
}

describe('the linearised tie-model bootstrap: exact law against every resample', () => {
  // 3 models, 8 battles: every resample of the four cells per pair enumerated (thousands), each one-step estimate
  // computed independently (see independentOneStep) — checks the scores, the information (θ and η rows, prior,
  // centring), the merging of the two tie labels and the closed-form cumulants
  const base = [['a', 'b', 'a'], ['b', 'a', 'a'], ['a', 'c', 'tie'], ['c', 'a', 'a'], ['b', 'c', 'a'], ['c', 'b', 'bothbad'], ['c', 'b', 'a'], ['a', 'b', 'b']];
  it.each([
    { name: 'Davidson', ties: 'davidson' as const, battles: base, extra: {}, prior: false },
    { name: 'Rao–Kupper', ties: 'rao-kupper' as const, battles: base, extra: {}, prior: false },
    { name: 'Davidson, both-bad separate', ties: 'davidson' as const, battles: base, extra: { bothBad: 'separate' as const }, prior: false },
    {
      name: 'Rao–Kupper with the automatic ridge prior (a never loses)',
      ties: 'rao-kupper' as const,
      battles: [['a', 'b', 'a'], ['a', 'c', 'a'], ['b', 'c', 'a'], ['c', 'b', 'a'], ['b', 'c', 'tie'], ['c', 'b', 'bothbad'], ['b', 'a', 'b'], ['b', 'c', 'b'], ['a', 'c', 'a']],
      extra: {},
      prior: true,
    },
  ])('$name', ({ ties, battles, extra, prior }) => {
    const { point, job } = tieJob(battles, ties, extra);
    expect(point.kind === 'tie' && point.prior > 0).toBe(prior);
    const lin = linearBootstrapModel(job)!;
    expect(lin.kind).toBe('cells');
    expect(lin.n).toBe(4); // three strengths and η
    const oneStep = independentOneStep(job);
    const positive = [...job.counts.keys()].filter((c) => job.counts[c]! > 0);
    const probs = positive.map((c) => job.counts[c]! / job.battles);
    const outcomes: { p: number; x: number[] }[] = [];
    const drawn = new Float64Array(job.counts.length);
    for (const counts of compositions(job.battles, positive.length)) {
      drawn.fill(0);
      positive.forEach((c, q) => (drawn[c] = counts[q]!));
      outcomes.push({ p: Math.exp(multinomialLogPmf(counts, probs)), x: oneStep(drawn) });
    }
    expect(outcomes.length).toBeGreaterThan(700);
    expect(outcomes.reduce((s, o) => s + o.p, 0)).toBeCloseTo(1, 12);
    for (const w of [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, -1], [0.5, -2, 1.5]]) {
      const xs = outcomes.map((o) => ({ p: o.p, x: w.reduce((s, wv, v) => s + wv * o.x[v]!, 0) }));
      const mean = xs.reduce((s, { p, x }) => s + p * x, 0);
      const cm = (k: number) => xs.reduce((s, { p, x }) => s + p * (x - mean) ** k, 0);
      const [c2, c3, c4] = [cm(2), cm(3), cm(4)];
      const law = contrastLaw(lin, w);
      const sd = Math.sqrt(c2);
      // finite differences carry ~1e−7 relative error
      expect(Math.abs(law.mean - mean)).toBeLessThan(1e-5 * sd);
      expect(Math.abs(law.sd / sd - 1)).toBeLessThan(1e-5);
      expect(law.skewness).toBeCloseTo(c3 / c2 ** 1.5, 4);
      expect(law.kurtosis).toBeCloseTo((c4 - 3 * c2 * c2) / (c2 * c2), 4);
    }
    // the mean of a model's one-step estimate is its point rating (the penalised score vanishes at the fit); all
    // models at once (and anchored: the contrast e_v − e_ref) as contrastLaw one by one
    modelLaws(lin).forEach((law, v) => expect(law.mean).toBeCloseTo(point.ratings[v]!, 6));
    for (const ref of [-1, 1]) {
      modelLaws(lin, ref, 1100).forEach((law, v) => {
        const one = contrastLaw(lin, [0, 1, 2].map((x) => (x === v ? 1 : 0) - (x === ref ? 1 : 0)));
        expect(law.mean).toBeCloseTo(one.mean + (ref >= 0 ? 1100 : 0), 9);
        expect(law.sd).toBeCloseTo(one.sd, 9);
        expect(law.skewness).toBeCloseTo(one.skewness, 9);
        expect(law.kurtosis).toBeCloseTo(one.kurtosis, 9);
      });
    }
    // the rounds record that same one-step estimate for the counts they drew
    const R = 6;
    const dist = bootstrapRatingsSync(job, { rounds: R, seed: 9 });
    const plan = prepareCountMultinomial(job.counts, job.battles);
    const laws = modelLaws(lin);
    for (let r = 0; r < R; r++) {
      countMultinomialInto(roundRng(9, r), plan, drawn);
      oneStep(drawn).forEach((x, v) => expect(Math.abs(dist.control![r * 3 + v]! - x)).toBeLessThan(1e-6 * laws[v]!.sd));
    }
  });
});

/** Sandwich covariance of the strengths, display scale, for a contrast w. */
function sandwichVariance(cov: { cov: Float64Array; n: number }, w: number[]): number {
  let s = 0;
  for (let a = 0; a < w.length; a++) for (let b = 0; b < w.length; b++) s += w[a]! * w[b]! * cov.cov[a * cov.n + b]!;
  return F * F * s;
}

function tieBoard(m: number, n: number, seed: number): BattleTable {
  const models = Array.from({ length: m }, (_, v) => `m${v}`);
  return simulateTable({ models, ratings: Float64Array.from(models, (_, v) => 1000 + 240 * (v / (m - 1) - 0.5)) }, n, { tieRate: 0.3 }, createRng(seed));
}

function styleBoard(n: number, seed: number): BattleTable {
  const models = Array.from({ length: 8 }, (_, v) => `m${v}`);
  const truth = { models, ratings: Float64Array.from([1000, 1020, 1040, 1030, 1060, 1080, 1100, 1120]) };
  return simulateStyleTable(truth, n, { tieRate: 0.3 }, { effect: [1, 0.3, -0.2, 0], verbosity: new Map([['m3', 3]]) }, createRng(seed));
}

describe('variance of the linearised bootstrap = N·Var(B) = the sandwich H⁻¹JH⁻¹', () => {
  // without a prior the score sums to 0 at the fit, so J (the centred score covariance, times N) is the sandwich's B
  const unit = (m: number, v: number) => Array.from({ length: m }, (_, u) => (u === v ? 1 : 0));
  const contrasts = (m: number) => [...Array.from({ length: m }, (_, v) => unit(m, v)), unit(m, 0).map((x, v) => x - (v === m - 1 ? 1 : 0))];

  it.each([
    { ties: 'davidson' as const, bothBad: 'tie' as const },
    { ties: 'rao-kupper' as const, bothBad: 'tie' as const },
    { ties: 'davidson' as const, bothBad: 'separate' as const },
    { ties: 'rao-kupper' as const, bothBad: 'ignore' as const },
  ])('tie model $ties, both-bad $bothBad (10 models, 20,000 battles)', ({ ties, bothBad }) => {
    const t = tieBoard(10, 20_000, 5);
    const opts = { ...DEFAULT_MODEL, ties, bothBad };
    const point = fitModel(t, opts);
    const cov = modelFor(opts).sandwich!(point);
    expect(cov.n).toBe(11);
    const lin = linearBootstrapModel(bootstrapJobOf(point))!;
    for (const w of contrasts(10)) expect(contrastLaw(lin, w).sd ** 2 / sandwichVariance(cov, w)).toBeCloseTo(1, 10);
    modelLaws(lin).forEach((law, v) => expect(law.sd ** 2 / sandwichVariance(cov, unit(10, v))).toBeCloseTo(1, 10));
  });

  it.each(['half', 'ignore', 'davidson', 'rao-kupper'] as const)('style control over %s (8 models, 3,000 battles; β prior 0, then the default)', (ties) => {
    const t = styleBoard(3000, 7);
    for (const stylePrior of [0, 0.5]) {
      const opts = { ...DEFAULT_MODEL, ties, styleControl: true, stylePrior };
      const point = fitModel(t, opts);
      const cov = modelFor(opts).sandwich!(point);
      const lin = linearBootstrapModel(bootstrapJobOf(point))!;
      expect(lin.kind === 'cells' && lin.cells.features).toBe(4);
      // with the β prior the score sums to Λx̂ ≠ 0 at the fit: J = B − (Λx̂)(Λx̂)ᵀ/N, a ~1e−9 relative correction
      for (const w of contrasts(8)) expect(contrastLaw(lin, w).sd ** 2 / sandwichVariance(cov, w)).toBeCloseTo(1, stylePrior ? 7 : 10);
      modelLaws(lin).forEach((law, v) => expect(law.sd ** 2 / sandwichVariance(cov, unit(8, v))).toBeCloseTo(1, stylePrior ? 7 : 10));
    }
  });
});

describe('the general (cells) form reproduces Bradley–Terry', () => {
  it.each([
    { name: 'ties half', battles: 4000, rate: DEFAULT_MODEL },
    { name: 'ties ignored', battles: 4000, rate: { ...DEFAULT_MODEL, ties: 'ignore' as const } },
    { name: 'sparse, with the automatic prior', battles: 30, rate: DEFAULT_MODEL },
  ])('$name: same laws as the per-pair power sums; same one-step estimate as the chord refit', ({ battles, rate }) => {
    const t = tieBoard(8, battles, 2);
    const point = fitModel(t, rate);
    const job = bootstrapJobOf(point);
    if (job.kind !== 'bt') throw new Error('expected a BT job');
    const pairs = linearBootstrapModel(job)!;
    const cells = cellLinearModel(btLinearisation(job), F, job.offset)!;
    expect(pairs.kind).toBe('pairs');
    const a = modelLaws(pairs);
    const b = modelLaws(cells);
    const anchoredA = modelLaws(pairs, 3, 1100);
    const anchoredB = modelLaws(cells, 3, 1100);
    for (let v = 0; v < 8; v++) {
      for (const [x, y] of [[a[v]!, b[v]!], [anchoredA[v]!, anchoredB[v]!]]) {
        expect(y.mean).toBeCloseTo(x.mean, 8);
        expect(y.sd).toBeCloseTo(x.sd, 8);
        expect(y.skewness).toBeCloseTo(x.skewness, 8);
        expect(y.kurtosis).toBeCloseTo(x.kurtosis, 8);
      }
    }
    // the chord refit's first iterate is the general one-step estimate
    const lin = btLinearisation(job);
    const refit = new FixedHessianRefit(btJobCells(job, job.counts), job.theta, job.prior, 1e-9);
    const plan = prepareCountMultinomial(job.counts, job.battles);
    const drawn = new Float64Array(job.counts.length);
    const theta = new Float64Array(8);
    const first = new Float64Array(8);
    const mine = new Float64Array(8);
    for (let r = 0; r < 5; r++) {
      countMultinomialInto(roundRng(4, r), plan, drawn);
      const { s, n } = btJobCells(job, drawn);
      refit.refit(s, n, theta, first);
      linearStep(lin, drawn, new Float64Array(8), mine);
      for (let v = 0; v < 8; v++) expect(mine[v]).toBeCloseTo(first[v]!, 10);
    }
  });

  it('a tie model on data without ties (its boundary) has the law of Bradley–Terry with ties ignored', () => {
    const t = tieBoard(6, 3000, 4);
    const decided = tableFromBattles(
      Array.from({ length: t.rows }, (_, r) => ({ modelA: t.models[t.a[r]!]!, modelB: t.models[t.b[r]!]!, outcome: (['a', 'b', 'tie', 'bothbad'] as const)[t.outcome[r]!]!, count: t.count[r]! })).filter((b) => b.outcome === 'a' || b.outcome === 'b'),
    );
    const bt = linearBootstrapModel(bootstrapJobOf(fitModel(decided, DEFAULT_MODEL)))!;
    for (const ties of ['davidson', 'rao-kupper'] as const) {
      const tie = linearBootstrapModel(bootstrapJobOf(fitModel(decided, { ...DEFAULT_MODEL, ties })))!;
      expect(tie.n).toBe(6); // no η
      const [x, y] = [modelLaws(bt), modelLaws(tie)];
      for (let v = 0; v < 6; v++) {
        expect(y[v]!.sd).toBeCloseTo(x[v]!.sd, 6);
        expect(y[v]!.skewness).toBeCloseTo(x[v]!.skewness, 6);
      }
    }
  });
});

describe('the control variate equals the refit to first order: refit − one-step = O(1/N) (property)', () => {
  /** Expected cell probabilities (W, L, T) of a pair with gap d. */
  const cellProbs = (model: TieModel, d: number, eta: number) => [0, 1, 2].map((o) => Math.exp(logProb(model, d, eta, o as 0 | 1 | 2)));

  it('tie models: random strengths, tie parameters and resample directions; N → 4N shrinks the gap about fourfold', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<TieModel>('davidson', 'rao-kupper'),
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.double({ min: 0.15, max: 0.8, noNaN: true }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 18, maxLength: 18 }),
        (model, m, strengths, tie, direction) => {
          const pairs: [number, number][] = [];
          for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pairs.push([i, j]);
          const K = pairs.length;
          const eta = model === 'davidson' ? Math.log(2 * tie) : tie;
          const p = pairs.flatMap(([i, j]) => cellProbs(model, strengths[i]! - strengths[j]!, eta));
          // a direction in count space with Σ = 0 (a resample keeps N)
          const delta = direction.slice(0, 3 * K);
          const mean = delta.reduce((s, x) => s + x, 0) / delta.length;
          const dir = delta.map((x) => x - mean);
          const gapAt = (N: number) => {
            const cells = (counts: number[]): TieCells => ({
              m,
              pairs: K,
              i: Int32Array.from(pairs, ([i]) => i),
              j: Int32Array.from(pairs, ([, j]) => j),
              w: Float64Array.from(pairs, (_, k) => counts[3 * k]!),
              l: Float64Array.from(pairs, (_, k) => counts[3 * k + 1]!),
              t: Float64Array.from(pairs, (_, k) => counts[3 * k + 2]!),
              bb: new Float64Array(K),
              bothBad: 'tie',
            });
            const full = p.map((x) => N * x);
            const opts = { tolerance: 1e-10, maxIterations: 100 };
            const fit = fitTieModel(model, cells(full), opts);
            const job: TieBootstrapJob = {
              kind: 'tie',
              models: m,
              model,
              cells: cells(full),
              counts: Float64Array.from({ length: 4 * K }, (_, q) => (q % 4 === 3 ? 0 : full[3 * Math.floor(q / 4) + (q % 4)]!)),
              battles: N * K,
              theta: fit.theta,
              eta: fit.eta,
              prior: 0,
              tolerance: 1e-10,
              scale: 400,
              base: 10,
              offset: 0,
            };
            const resample = full.map((x, c) => x + Math.sqrt(N) * dir[c]!);
            const refit = fitTieModel(model, cells(resample), { ...opts, init: fit.theta, initEta: fit.eta });
            const lin = tieLinearisation(job);
            const one = new Float64Array(m);
            const counts4 = Float64Array.from({ length: 4 * K }, (_, q) => (q % 4 === 3 ? 0 : resample[3 * Math.floor(q / 4) + (q % 4)]!));
            const cc = new Float64Array(3 * K);
            tieCellCounts(counts4, cc);
            linearStep(lin, cc, new Float64Array(lin.n), one);
            let gap = 0;
            let move = 0;
            for (let v = 0; v < m; v++) {
              gap = Math.max(gap, Math.abs(refit.theta[v]! - one[v]!));
              move = Math.max(move, Math.abs(one[v]! - fit.theta[v]!));
            }
            expect(fit.converged && refit.converged).toBe(true);
            return { gap, move };
          };
          const a = gapAt(20_000);
          // a direction that moves no strength (e.g. counts scaled within every pair) has nothing to compare
          fc.pre(a.move > 1e-6);
          const b = gapAt(80_000);
          // the one-step estimate moves O(1/√N) from the fit (it is not the fit itself) …
          expect(b.move / a.move).toBeGreaterThan(0.45);
          // … and is within O(1/N) of the refit
          expect(b.gap).toBeLessThan(0.3 * a.gap + 1e-12);
          // (and well below the step itself: a wrong linearisation would miss by about the step; the bound is loose
          // because extreme draws — Rao–Kupper with θ 0.15, strengths at ±1 — reach a ratio of 0.2 at N = 20,000)
          expect(a.gap).toBeLessThan(0.5 * a.move + 1e-12);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('style control (rows as cells): random boards, outcome models and resample directions', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom('half', 'davidson', 'rao-kupper') as fc.Arbitrary<'half' | 'davidson' | 'rao-kupper'>,
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 300, maxLength: 300 }),
        (seed, outcome, direction) => {
          const base = styleBoard(300, seed);
          const design = styleDesign(base);
          const mean = direction.reduce((s, x) => s + x, 0) / 300;
          const dir = direction.map((x) => x - mean);
          const gapAt = (N: number) => {
            const t: BattleTable = { ...base, count: new Uint32Array(base.rows).fill(N), battles: N * base.rows };
            const opts = { outcome, prior: 0, stylePrior: 0.5, tolerance: 1e-9, maxIterations: 100, covariance: false };
            const fit = fitStyleControl(t, design, opts);
            const job: StyleBootstrapJob = { kind: 'style', models: 8, table: t, design, outcome, start: fit.x, prior: 0, stylePrior: 0.5, tolerance: 1e-9, scale: 400, base: 10, offset: 0 };
            const weights = Float64Array.from(dir, (x) => N + Math.sqrt(N) * x);
            const refit = fitStyleControl(t, design, { ...opts, weights, init: fit.x });
            const lin = styleLinearisation(job);
            const one = new Float64Array(8);
            linearStep(lin, weights, new Float64Array(lin.n), one);
            let gap = 0;
            let move = 0;
            for (let v = 0; v < 8; v++) {
              gap = Math.max(gap, Math.abs(refit.theta[v]! - one[v]!));
              move = Math.max(move, Math.abs(one[v]! - fit.theta[v]!));
            }
            expect(fit.converged && refit.converged).toBe(true);
            return { gap, move };
          };
          const a = gapAt(100);
          const b = gapAt(400);
          expect(b.move / a.move).toBeGreaterThan(0.45);
          expect(b.gap).toBeLessThan(0.32 * a.gap + 1e-12);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('control-variate intervals for tie models and style control', () => {
  it('the rounds carry the control variates; their sample moments match the law; threads do not change a bit', async () => {
    for (const [t, opts] of [
      [tieBoard(12, 40_000, 3), { ...DEFAULT_MODEL, ties: 'davidson' as const, bothBad: 'separate' as const }],
      [tieBoard(12, 40_000, 3), { ...DEFAULT_MODEL, ties: 'rao-kupper' as const }],
      [styleBoard(3000, 2), { ...DEFAULT_MODEL, ties: 'davidson' as const, styleControl: true }],
    ] as const) {
      const job = bootstrapJobOf(fitModel(t, opts));
      const lin = linearBootstrapModel(job)!;
      const R = job.kind === 'style' ? 300 : 2000;
      const dist = bootstrapRatingsSync(job, { rounds: R, seed: 11 });
      const m = job.models;
      const laws = modelLaws(lin);
      // the refit is nearly linear: T − L is a few percent of the spread
      for (let v = 0; v < m; v++) expectControlsFollowLaw(dist, v, laws[v]!, job.kind === 'style' ? 0.2 : 0.1);
      const par = await bootstrapRatings(job, { rounds: 40, seed: 11, threads: 2, minParallelWork: 0 });
      const seq = bootstrapRatingsSync(job, { rounds: 40, seed: 11 });
      expect(Buffer.from(par.control!.buffer).equals(Buffer.from(seq.control!.buffer))).toBe(true);
      expect(Buffer.from(par.ratings.buffer).equals(Buffer.from(seq.ratings.buffer))).toBe(true);
    }
  }, 60_000);

  it.each(['davidson', 'rao-kupper'] as const)('%s: agree with plain quantiles within the Monte-Carlo error, and move far less between seeds', (ties) => {
    const t = tieBoard(12, 60_000, 8);
    const point = fitModel(t, { ...DEFAULT_MODEL, ties });
    const job = bootstrapJobOf(point);
    const lin = linearBootstrapModel(job)!;
    const R = 1000;
    const runs = [1, 2, 3, 4].map((seed) => bootstrapRatingsSync(job, { rounds: R, seed }));
    const ctl = runs.map((d) => controlIntervals(d, lin, point.ratings, 0.95));
    const pla = runs.map((d) => percentileIntervals(d, point.ratings, 0.95));
    for (const c of ctl) expect(c.controlled).toBe(12);
    const laws = modelLaws(lin);
    let diff = 0;
    let width = 0;
    for (let s = 0; s < 4; s++) {
      for (let v = 0; v < 12; v++) {
        // a 2.5% sample quantile of 1,000 rounds has a standard error of ≈ 0.085·σ
        const se = 0.085 * laws[v]!.sd;
        expect(Math.abs(ctl[s]!.lower[v]! - pla[s]!.lower[v]!)).toBeLessThan(4 * se);
        expect(Math.abs(ctl[s]!.upper[v]! - pla[s]!.upper[v]!)).toBeLessThan(4 * se);
        diff += ctl[s]!.lower[v]! - pla[s]!.lower[v]! + (pla[s]!.upper[v]! - ctl[s]!.upper[v]!);
        width += pla[s]!.upper[v]! - pla[s]!.lower[v]!;
      }
    }
    // pooled over seeds and models, the two estimators of the same bootstrap quantile agree
    expect(Math.abs(diff / width)).toBeLessThan(0.01);
    const spread = (xs: { lower: Float64Array; upper: Float64Array }[]) => {
      let s = 0;
      for (const [a, b] of [[0, 1], [2, 3]] as const) for (let v = 0; v < 12; v++) s += Math.abs(xs[a]!.lower[v]! - xs[b]!.lower[v]!) + Math.abs(xs[a]!.upper[v]! - xs[b]!.upper[v]!);
      return s / 48;
    };
    expect(spread(ctl)).toBeLessThan(spread(pla) / 3);
  }, 60_000);

  it('style control (Bradley–Terry and Davidson outcomes): agree with plain quantiles within the Monte-Carlo error', async () => {
    // 4,000 battles: every model has about 1,000, so its law has ≥ CONTROL_MIN_DRAWS effective draws
    const t = styleBoard(4000, 3);
    for (const ties of ['half', 'davidson'] as const) {
      const point = fitModel(t, { ...DEFAULT_MODEL, ties, styleControl: true });
      const job = bootstrapJobOf(point);
      const lin = linearBootstrapModel(job)!;
      const R = 600;
      const d = await bootstrapRatings(job, { rounds: R, seed: 5, threads: 2 });
      const c = controlIntervals(d, lin, point.ratings, 0.95);
      const p = percentileIntervals(d, point.ratings, 0.95);
      expect(c.controlled).toBe(8);
      const laws = modelLaws(lin);
      for (let v = 0; v < 8; v++) {
        // the standard error of a 2.5% sample quantile: ≈ 0.085·σ at 1,000 rounds
        const se = 0.085 * Math.sqrt(1000 / R) * laws[v]!.sd;
        expect(Math.abs(c.lower[v]! - p.lower[v]!)).toBeLessThan(4 * se);
        expect(Math.abs(c.upper[v]! - p.upper[v]!)).toBeLessThan(4 * se);
      }
    }
  }, 120_000);

  it('addIntervals: tie models and style control use the control estimator; anchored rounds keep the anchor at zero width', async () => {
    const t = tieBoard(8, 20_000, 6);
    for (const model of [{ ties: 'davidson' as const }, { ties: 'rao-kupper' as const, anchor: { model: 'm2', rating: 1100 } }]) {
      const opts = { ...DEFAULT_MODEL, ...model };
      const point = fitModel(t, opts);
      const io = { ...DEFAULT_INTERVALS, ciMethod: 'bootstrap' as const, rounds: 400, seed: 3, threads: 1 };
      const [ctl, pla] = await Promise.all([addIntervals(point, modelFor(opts), io), addIntervals(point, modelFor(opts), { ...io, bootstrapQuantiles: 'plain' })]);
      expect(ctl.linear?.kind).toBe('cells');
      expect(pla.linear).toBeNull();
      const laws = model.anchor ? modelLaws(ctl.linear!, 2, 1100) : modelLaws(ctl.linear!);
      for (let v = 0; v < 8; v++) {
        if (model.anchor && v === 2) {
          expect(ctl.intervals!.lower[v]).toBe(1100);
          expect(ctl.intervals!.upper[v]).toBe(1100);
          expect(laws[v]!.sd).toBe(0);
          continue;
        }
        // the anchored law is the law of the contrast e_v − e_ref, shifted to the anchor's rating
        if (model.anchor) {
          const w = Array.from({ length: 8 }, (_, u) => (u === v ? 1 : u === 2 ? -1 : 0));
          const one = contrastLaw(ctl.linear!, w);
          expect(laws[v]!.sd).toBeCloseTo(one.sd, 9);
          expect(laws[v]!.mean).toBeCloseTo(one.mean + 1100, 9);
          expect(laws[v]!.mean).toBeCloseTo(point.ratings[v]!, 6);
        }
        const se = 0.085 * Math.sqrt(1000 / 400) * laws[v]!.sd;
        expect(Math.abs(ctl.intervals!.lower[v]! - pla.intervals!.lower[v]!)).toBeLessThan(4 * se);
        expect(Math.abs(ctl.intervals!.upper[v]! - pla.intervals!.upper[v]!)).toBeLessThan(4 * se);
      }
    }
  }, 60_000);
});
