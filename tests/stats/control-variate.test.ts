import { fitModel } from '../../src/models/index.js';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { type BattleTable, tableFromBattles } from '../../src/data/table.js';
import { DEFAULT_MODEL as DEFAULT_RATE, type ModelOptions as RateOptions } from '../../src/models/types.js';
import { fitBt as fitRatings } from '../helpers.js';
import { pointsPerLogit } from '../../src/rating/scale.js';
import { createRng, normal } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { bootstrapRatings, bootstrapRatingsSync } from '../../src/stats/bootstrap.js';
import { type BtBootstrapJob, btJobCells } from '../../src/stats/bootstrap-rounds.js';
import { FixedHessianRefit } from '../../src/rating/bt-refit.js';
import {
  CONTROL_MAX_CUMULANT,
  CONTROL_MIN_DRAWS,
  type ContrastLaw,
  contrastLaw,
  controlIntervals,
  controlQuantiles,
  edgeworthCdf,
  linearBootstrapModel,
  modelLaws,
} from '../../src/stats/control-variate.js';
import { percentileIntervals, quantileSorted } from '../../src/stats/interval.js';
import { normalCdf, normalQuantile } from '../../src/math/normal.js';
import { bootstrapJobOf } from '../../src/stats/uncertainty.js';
import { logGamma } from '../../src/stats/binomial.js';
import { FIXTURES } from '../helpers.js';
import { compositions, expectControlsFollowLaw, multinomialLogPmf } from './exact-laws.js';

function board(m: number, n: number, seed: number): BattleTable {
  const models = Array.from({ length: m }, (_, v) => `m${v}`);
  return simulateTable({ models, ratings: Float64Array.from(models, (_, v) => 1000 + 240 * (v / (m - 1) - 0.5)) }, n, {}, createRng(seed));
}

function btJob(t: BattleTable, rate: RateOptions = DEFAULT_RATE) {
  const point = fitRatings(t, rate);
  const job = bootstrapJobOf(point);
  if (job.kind !== 'bt') throw new Error('expected a BT job');
  return { point, job };
}

/** The one-step estimate (display scale) of every count vector, computed by the chord refit's first iterate. */
function exactLinearMoments(job: BtBootstrapJob, w: number[]) {
  const m = job.models;
  const f = pointsPerLogit(job);
  const refit = new FixedHessianRefit(btJobCells(job, job.counts), job.theta, job.prior, 1e-9);
  const positive = [...job.counts.keys()].filter((c) => job.counts[c]! > 0);
  const probs = positive.map((c) => job.counts[c]! / job.battles);
  const values: { x: number; p: number }[] = [];
  const drawn = new Float64Array(job.counts.length);
  const theta = new Float64Array(m);
  const first = new Float64Array(m);
  let mass = 0;
  for (const counts of compositions(job.battles, positive.length)) {
    const p = Math.exp(multinomialLogPmf(counts, probs));
    drawn.fill(0);
    positive.forEach((c, q) => (drawn[c] = counts[q]!));
    const { s, n } = btJobCells(job, drawn);
    refit.refit(s, n, theta, first);
    let x = 0;
    for (let v = 0; v < m; v++) x += w[v]! * (f * first[v]! + job.offset);
    values.push({ x, p });
    mass += p;
  }
  const mean = values.reduce((a, { x, p }) => a + p * x, 0);
  const c = (r: number) => values.reduce((a, { x, p }) => a + p * (x - mean) ** r, 0);
  const [c2, c3, c4] = [c(2), c(3), c(4)];
  return { mass, mean, sd: Math.sqrt(c2), skewness: c3 / c2 ** 1.5, kurtosis: (c4 - 3 * c2 * c2) / (c2 * c2), outcomes: values.length };
}

describe('contrastLaw: exact cumulants of the linearised bootstrap', () => {
  // 3 models, 7 or 8 battles: every resample enumerated (thousands), each one-step estimate computed by the
  // chord refit itself — an independent check of the closed-form cumulants, including the prior's constant
  it.each([
    {
      name: 'maximum likelihood, ties half',
      rate: DEFAULT_RATE,
      prior: false,
      battles: [['a', 'b', 'a'], ['b', 'a', 'a'], ['a', 'c', 'tie'], ['c', 'a', 'a'], ['b', 'c', 'a'], ['c', 'b', 'bothbad'], ['c', 'b', 'a'], ['a', 'b', 'b']],
    },
    {
      name: 'ties ignored',
      rate: { ...DEFAULT_RATE, ties: 'ignore' as const },
      prior: false,
      battles: [['a', 'b', 'a'], ['b', 'a', 'a'], ['a', 'c', 'tie'], ['c', 'a', 'a'], ['b', 'c', 'a'], ['c', 'b', 'b'], ['a', 'c', 'b']],
    },
    {
      name: 'with the automatic ridge prior (a never loses)',
      rate: DEFAULT_RATE,
      prior: true,
      battles: [['a', 'b', 'a'], ['a', 'c', 'a'], ['b', 'c', 'a'], ['c', 'b', 'a'], ['b', 'c', 'tie'], ['b', 'a', 'b'], ['c', 'a', 'b']],
    },
  ])('$name', ({ rate, prior, battles }) => {
    const t = tableFromBattles(battles.map(([modelA, modelB, outcome]) => ({ modelA: modelA!, modelB: modelB!, outcome: outcome as 'a' })));
    const { point, job } = btJob(t, rate);
    expect(point.prior > 0).toBe(prior);
    const lin = linearBootstrapModel(job)!;
    expect(lin).not.toBeNull();
    for (const w of [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, -1], [0.5, -2, 1.5]]) {
      const exact = exactLinearMoments(job, w);
      expect(exact.mass).toBeCloseTo(1, 12);
      expect(exact.outcomes).toBeGreaterThan(300);
      const law = contrastLaw(lin, w);
      expect(law.mean).toBeCloseTo(exact.mean, 8);
      expect(law.sd).toBeCloseTo(exact.sd, 8);
      expect(law.skewness).toBeCloseTo(exact.skewness, 8);
      expect(law.kurtosis).toBeCloseTo(exact.kurtosis, 8);
      expect(law.effectiveDraws).toBeGreaterThan(0);
      expect(law.effectiveDraws).toBeLessThanOrEqual(job.battles + 1e-9);
    }
    // the mean of a model's one-step estimate is its point rating (the score vanishes at the fit)
    for (let v = 0; v < 3; v++) expect(contrastLaw(lin, [0, 1, 2].map((x) => (x === v ? 1 : 0))).mean).toBeCloseTo(point.ratings[v]!, 6);
    // all models at once, as contrastLaw one by one
    modelLaws(lin).forEach((law, v) => {
      const one = contrastLaw(lin, [0, 1, 2].map((x) => (x === v ? 1 : 0)));
      expect(law.mean).toBeCloseTo(one.mean, 9);
      expect(law.sd).toBeCloseTo(one.sd, 9);
      expect(law.skewness).toBeCloseTo(one.skewness, 9);
      expect(law.kurtosis).toBeCloseTo(one.kurtosis, 9);
    });
  });

  it('the rounds carry the control variates; their sample moments match the law (20 models, 2,000 rounds)', async () => {
    const t = board(20, 40_000, 3);
    const { job } = btJob(t);
    const lin = linearBootstrapModel(job)!;
    const R = 2000;
    const dist = bootstrapRatingsSync(job, { rounds: R, seed: 11 });
    expect(dist.control).toBeInstanceOf(Float64Array);
    const m = job.models;
    for (let v = 0; v < m; v++) {
      const law = contrastLaw(lin, Array.from({ length: m }, (_, u) => (u === v ? 1 : 0)));
      // the refit is nearly linear: T − L is a few percent of the spread
      expectControlsFollowLaw(dist, v, law);
    }
    // worker threads carry them too, bit-identically
    const par = await bootstrapRatings(job, { rounds: 300, seed: 11, threads: 2, minParallelWork: 0 });
    const seq = bootstrapRatingsSync(job, { rounds: 300, seed: 11 });
    expect(Buffer.from(par.control!.buffer).equals(Buffer.from(seq.control!.buffer))).toBe(true);
    expect(Buffer.from(par.ratings.buffer).equals(Buffer.from(seq.ratings.buffer))).toBe(true);
  });

  it('online Elo rounds have no control variate', () => {
    const t = board(5, 500, 4);
    const rate = { ...DEFAULT_RATE, method: 'elo' as const };
    const dist = bootstrapRatingsSync(bootstrapJobOf(fitModel(t, rate)), { rounds: 3, seed: 1 });
    expect(dist.control).toBeNull();
  });
});

describe('edgeworthCdf', () => {
  it('is Φ without skewness or kurtosis', () => {
    for (const z of [-3, -1.96, -0.5, 0, 0.7, 1.96, 3]) expect(edgeworthCdf(z, 0, 0)).toBe(normalCdf(z));
  });

  it('matches the exact CDF of a sum of 400 exponentials (Gamma(400): skewness 0.1, excess kurtosis 0.015)', () => {
    const n = 400;
    // P(Gamma(n) ≤ x) = P(Poisson(x) ≥ n)
    const gammaCdf = (x: number) => {
      let tail = 0;
      for (let k = 0; k < n; k++) tail += Math.exp(-x + k * Math.log(x) - logGamma(k + 1));
      return 1 - tail;
    };
    for (const z of [-2.576, -1.96, -1, 0, 1, 1.96, 2.576]) {
      const exact = gammaCdf(n + z * Math.sqrt(n));
      const edge = edgeworthCdf(z, 2 / Math.sqrt(n), 6 / n);
      expect(Math.abs(edge - exact)).toBeLessThan(2e-5);
      if (z !== 0) expect(Math.abs(edge - exact)).toBeLessThan(Math.abs(normalCdf(z) - exact) / 20);
    }
  });
});

describe('controlQuantiles', () => {
  const normalLaw = (mean: number, sd: number): ContrastLaw => ({ mean, sd, skewness: 0, kurtosis: 0, effectiveDraws: Number.POSITIVE_INFINITY });

  it('returns the quantiles of the known law when T equals its control in every round', () => {
    const rng = createRng(5);
    const t = Float64Array.from({ length: 500 }, () => 3 + 2 * normal(rng));
    const q = controlQuantiles(t, t, normalLaw(3, 2), [0.025, 0.5, 0.975])!;
    // to the accuracy of Φ (1.2e−7)
    expect(q[0]).toBeCloseTo(3 + 2 * normalQuantile(0.025), 6);
    expect(q[1]).toBeCloseTo(3, 6);
    expect(q[2]).toBeCloseTo(3 + 2 * normalQuantile(0.975), 6);
  });

  it('declines (null) when the law is too skewed or degenerate, or a round is not finite', () => {
    const t = [1, 2, 3];
    const law = normalLaw(2, 1);
    expect(controlQuantiles(t, t, { ...law, skewness: CONTROL_MAX_CUMULANT * 1.01 }, [0.5])).toBeNull();
    expect(controlQuantiles(t, t, { ...law, kurtosis: -CONTROL_MAX_CUMULANT * 1.01 }, [0.5])).toBeNull();
    expect(controlQuantiles(t, t, { ...law, effectiveDraws: CONTROL_MIN_DRAWS - 1 }, [0.5])).toBeNull();
    expect(controlQuantiles(t, t, { ...law, effectiveDraws: CONTROL_MIN_DRAWS }, [0.5])).not.toBeNull();
    // a skewed, heavy-tailed law whose Edgeworth density turns negative within ±6 sd
    expect(controlQuantiles(t, t, { ...law, skewness: 0.2, kurtosis: -0.2 }, [0.5])).toBeNull();
    expect(controlQuantiles(t, t, normalLaw(2, 0), [0.5])).toBeNull();
    expect(controlQuantiles([1, Number.NaN, 3], t, normalLaw(2, 1), [0.5])).toBeNull();
    expect(controlQuantiles(t, t, normalLaw(2, 1), [0.5])).not.toBeNull();
  });

  it('is monotone in the probability, whatever the rounds (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true })), { minLength: 1, maxLength: 60 }),
        fc.double({ min: -0.2, max: 0.2, noNaN: true }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.constantFrom(0, 4),
        (rounds, skew, p, q, h) => {
          const t = rounds.map(([x]) => x);
          const l = rounds.map(([, y]) => y);
          const [lo, hi] = [Math.min(p, q), Math.max(p, q)];
          const law = { mean: 0, sd: 1.5, skewness: skew, kurtosis: 0, effectiveDraws: 1e4 };
          const r = controlQuantiles(t, l, law, [lo, hi], h);
          if (r) expect(r[0]!).toBeLessThanOrEqual(r[1]!);
          // separate calls (another level) give the same answers: the grid does not depend on the probabilities
          const a = controlQuantiles(t, l, law, [lo], h);
          const b = controlQuantiles(t, l, law, [hi], h);
          expect(a === null).toBe(r === null);
          if (r) expect([a![0], b![0]]).toEqual(r);
        },
      ),
    );
  });

  it('estimates the true quantile without bias and with far less Monte-Carlo error than sample quantiles', () => {
    // L ~ N(0, 1) with known law; T = L + δ·Z′ ~ N(0, 1 + δ²): the true 2.5% and 97.5% quantiles are known
    const delta = 0.05;
    const truth = [normalQuantile(0.025), normalQuantile(0.975)].map((z) => z * Math.sqrt(1 + delta * delta));
    const R = 1000;
    const reps = 200;
    const rng = createRng(2026);
    const err = { plain: [] as number[], h0: [] as number[], smooth: [] as number[] };
    const t = new Float64Array(R);
    const l = new Float64Array(R);
    for (let rep = 0; rep < reps; rep++) {
      for (let r = 0; r < R; r++) {
        l[r] = normal(rng);
        t[r] = l[r]! + delta * normal(rng);
      }
      const h0 = controlQuantiles(t, l, normalLaw(0, 1), [0.025, 0.975], 0)!;
      const smooth = controlQuantiles(t, l, normalLaw(0, 1), [0.025, 0.975])!;
      const sorted = Float64Array.from(t).sort();
      const plain = [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)];
      for (let s = 0; s < 2; s++) {
        err.plain.push(plain[s]! - truth[s]!);
        err.h0.push(h0[s]! - truth[s]!);
        err.smooth.push(smooth[s]! - truth[s]!);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rms = (xs: number[]) => Math.sqrt(mean(xs.map((x) => x * x)));
    // unbiased: mean error within 3 standard errors (and tiny in absolute terms)
    for (const xs of [err.h0, err.smooth]) {
      expect(Math.abs(mean(xs))).toBeLessThan(3 * (rms(xs) / Math.sqrt(xs.length)) + 1e-3);
    }
    // plain sample quantiles: rms ≈ 0.085·σ at R = 1000; the control estimators several times less
    expect(rms(err.plain)).toBeGreaterThan(0.06);
    expect(rms(err.h0)).toBeLessThan(rms(err.plain) / 3);
    expect(rms(err.smooth)).toBeLessThan(rms(err.h0) / 1.5);
  });
});

describe('controlIntervals', () => {
  const t = board(12, 60_000, 8);
  const { point, job } = btJob(t);
  const lin = linearBootstrapModel(job)!;

  it('lower ≤ rating ≤ upper, wider levels never narrower, every model on the control estimator', () => {
    const dist = bootstrapRatingsSync(job, { rounds: 200, seed: 3 });
    let prev = controlIntervals(dist, lin, point.ratings, 0.5);
    for (const level of [0.6, 0.8, 0.9, 0.95, 0.99]) {
      const c = controlIntervals(dist, lin, point.ratings, level);
      expect(c.controlled).toBe(12);
      for (let v = 0; v < 12; v++) {
        expect(c.lower[v]).toBeLessThanOrEqual(point.ratings[v]!);
        expect(c.upper[v]).toBeGreaterThanOrEqual(point.ratings[v]!);
        expect(c.lower[v]).toBeLessThanOrEqual(prev.lower[v]!);
        expect(c.upper[v]).toBeGreaterThanOrEqual(prev.upper[v]!);
      }
      prev = c;
    }
  });

  it('bounds move far less between seeds than plain percentiles, and agree with them on average', () => {
    const R = 400;
    const runs = [1, 2, 3, 4].map((seed) => bootstrapRatingsSync(job, { rounds: R, seed }));
    const ctl = runs.map((d) => controlIntervals(d, lin, point.ratings, 0.95));
    const pla = runs.map((d) => percentileIntervals(d, point.ratings, 0.95));
    const spread = (xs: { lower: Float64Array; upper: Float64Array }[]) => {
      let s = 0;
      for (const [a, b] of [[0, 1], [2, 3]] as const) for (let v = 0; v < 12; v++) s += Math.abs(xs[a]!.lower[v]! - xs[b]!.lower[v]!) + Math.abs(xs[a]!.upper[v]! - xs[b]!.upper[v]!);
      return s / 48;
    };
    expect(spread(ctl)).toBeLessThan(spread(pla) / 3);
    // pooled over seeds and models, the two estimators of the same bootstrap quantile agree
    let diff = 0;
    let width = 0;
    for (let s = 0; s < 4; s++) {
      for (let v = 0; v < 12; v++) {
        diff += ctl[s]!.lower[v]! - pla[s]!.lower[v]! + (pla[s]!.upper[v]! - ctl[s]!.upper[v]!);
        width += pla[s]!.upper[v]! - pla[s]!.lower[v]!;
      }
    }
    expect(Math.abs(diff / width)).toBeLessThan(0.02);
  });
});

describe('on LMArena’s 1.67M real battles (fixtures/data/chatbot-arena-20240814)', () => {
  it('bounds at 1,000 rounds move less than 0.5 points between two seeds, for every model; plain quantiles do not', async () => {
    const t = await readBattles([join(FIXTURES, 'data', 'chatbot-arena-20240814', 'battles.jsonl')], {});
    const { point, job } = btJob(t);
    const lin = linearBootstrapModel(job)!;
    const [a, b] = await Promise.all([1, 2].map((seed) => bootstrapRatings(job, { rounds: 1000, seed, threads: 2 })));
    const [ca, cb] = [a!, b!].map((d) => controlIntervals(d, lin, point.ratings, 0.95));
    expect(ca!.controlled).toBe(129);
    let worst = 0;
    for (let v = 0; v < 129; v++) worst = Math.max(worst, Math.abs(ca!.lower[v]! - cb!.lower[v]!), Math.abs(ca!.upper[v]! - cb!.upper[v]!));
    expect(worst).toBeLessThan(0.5);
    const [pa, pb] = [a!, b!].map((d) => percentileIntervals(d, point.ratings, 0.95));
    let worstPlain = 0;
    for (let v = 0; v < 129; v++) worstPlain = Math.max(worstPlain, Math.abs(pa!.lower[v]! - pb!.lower[v]!), Math.abs(pa!.upper[v]! - pb!.upper[v]!));
    expect(worstPlain).toBeGreaterThan(1);
  }, 60_000);
});
