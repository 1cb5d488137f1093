import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { expectedScore } from '../../src/rating/predict.js';
import { createRng, type Rng } from '../../src/rng.js';
import { battleSampler, DEFAULT_SIMULATE, drawOutcome, drawOutcomeP, type SimBattle, simulateTable, tieProbability, uniformBattleSampler } from '../../src/sim/generate.js';
import { uniformPolicy } from '../../src/sim/policies.js';

/** Measures the u-regions of drawOutcomeP exactly (it is a step function of u) by bisection. */
function regions(p: number, opts: Parameters<typeof drawOutcomeP>[1]) {
  const rank = (o: number) => [0, 3, 1, 2][o]!; // order along u: a, tie, bothbad, b
  const edge = (code: number) => {
    let lo = 0;
    let hi = 1;
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (rank(drawOutcomeP(p, opts, mid)) > rank(code)) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  const pA = edge(0);
  const pTie = edge(3) - pA;
  return { pA, pTie, pB: 1 - pA - pTie };
}

describe('tieProbability', () => {
  it('known values of both tie models', () => {
    expect(tieProbability(0.5, { tieRate: 0.34, tieModel: 'constant' })).toBe(0.34);
    expect(tieProbability(0.5, { tieRate: 0.34, tieModel: 'davidson' })).toBeCloseTo(0.34, 15);
    expect(tieProbability(0.7, { tieRate: 0.34, tieModel: 'constant' })).toBe(0.34);
    expect(tieProbability(0.7, { tieRate: 0.34, tieModel: 'davidson' })).toBeCloseTo(2 * 0.34 * Math.sqrt(0.21), 15); // 0.31161
    expect(tieProbability(0.9, { tieRate: 0.34, tieModel: 'constant' })).toBeCloseTo(0.2, 15); // capped at 2·(1 − p)
    expect(tieProbability(0.9, { tieRate: 0.34, tieModel: 'davidson' })).toBeCloseTo(0.2, 15); // 0.204 capped at 0.2
  });
  it('davidson never exceeds constant, and falls as the pair gets more uneven', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (t, d1, d2) => {
        const [near, far] = d1 <= d2 ? [d1, d2] : [d2, d1];
        const dav = (p: number) => tieProbability(p, { tieRate: t, tieModel: 'davidson' });
        expect(dav(0.5 + near)).toBeLessThanOrEqual(tieProbability(0.5 + near, { tieRate: t, tieModel: 'constant' }) + 1e-15);
        expect(dav(0.5 + far)).toBeLessThanOrEqual(dav(0.5 + near) + 1e-15);
      }),
    );
  });
});

describe('drawOutcomeP: every tie model keeps the expected score at the BT probability', () => {
  it('P(A) + ½·P(tie) = p, probabilities in [0, 1], ties split by bothbadShare', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom<'constant' | 'davidson'>('constant', 'davidson'),
        (p, tieRate, tieModel) => {
          const opts = { tieRate, tieModel, bothbadShare: 0.5 };
          const { pA, pTie, pB } = regions(p, opts);
          expect(pA + pTie / 2).toBeCloseTo(p, 9);
          expect(pTie).toBeCloseTo(tieProbability(p, opts), 9);
          expect(Math.min(pA, pB, pTie)).toBeGreaterThanOrEqual(-1e-12);
        },
      ),
    );
  });
  it('drawOutcome is drawOutcomeP at the logistic probability of the ratings', () => {
    fc.assert(
      fc.property(fc.double({ min: -600, max: 600, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (gap, u) => {
        const o = { ...DEFAULT_SIMULATE, tieModel: 'davidson' as const };
        expect(drawOutcome(1000 + gap, 1000, o, u)).toBe(drawOutcomeP(expectedScore(1000 + gap, 1000, o), o, u));
      }),
    );
  });
  it('davidson at a fixed seed: tie rate ≈ 2t·√(p(1−p)) and score ≈ p (4-sigma bounds)', () => {
    const truth = { models: ['p', 'q'], ratings: Float64Array.from([1150, 1000]) };
    const n = 200_000;
    const t = simulateTable(truth, n, { tieRate: 0.3, tieModel: 'davidson' }, createRng(19));
    const pc = aggregatePairs(t);
    const p = expectedScore(1150, 1000, DEFAULT_SIMULATE);
    const tau = 2 * 0.3 * Math.sqrt(p * (1 - p));
    const ties = pc.ties[0]! + pc.bothbad[0]!;
    expect(Math.abs(ties / n - tau)).toBeLessThan(4 * Math.sqrt((tau * (1 - tau)) / n));
    expect(Math.abs((pc.winsI[0]! + ties / 2) / n - p)).toBeLessThan(4 * Math.sqrt(0.25 / n));
  });
});

/** The uniform sampler as first written (before policies existed): the reference for the regression test. */
function originalUniform(m: number, ratings: Float64Array, rng: Rng) {
  return (i: number, out: SimBattle) => {
    const a = Math.floor(rng() * m);
    let b = Math.floor(rng() * (m - 1));
    if (b >= a) b++;
    out.a = a;
    out.b = b;
    out.outcome = drawOutcome(ratings[a]!, ratings[b]!, DEFAULT_SIMULATE, rng());
    out.tstamp = DEFAULT_SIMULATE.start + i * DEFAULT_SIMULATE.interval;
    return out;
  };
}

describe('battleSampler', () => {
  const truth = { models: ['a', 'b', 'c', 'd', 'e'], ratings: Float64Array.from([1200, 1100, 1050, 1000, 900]) };
  it('with the uniform policy draws exactly the battles of the original uniform sampler (same seed)', () => {
    const x = originalUniform(5, truth.ratings, createRng(7));
    const y = uniformBattleSampler(truth, {}, createRng(7));
    const bx: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
    const by: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
    for (let i = 0; i < 2000; i++) expect(y(i, by)).toEqual(x(i, bx));
  });
  it('fixed arrivals: tstamp = start + i·interval', () => {
    const next = battleSampler(truth, uniformPolicy(5), { start: 1000, interval: 2.5 }, createRng(1));
    const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
    for (let i = 0; i < 10; i++) expect(next(i, x).tstamp).toBe(1000 + 2.5 * i);
  });
  it('poisson arrivals: starts at start, increasing, mean gap ≈ interval (4-sigma)', () => {
    const next = battleSampler(truth, uniformPolicy(5), { start: 500, interval: 3, arrivals: 'poisson' }, createRng(2));
    const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
    const n = 50_000;
    let prev = Number.NEGATIVE_INFINITY;
    let first = 0;
    let increasing = true;
    for (let i = 0; i < n; i++) {
      next(i, x);
      if (i === 0) first = x.tstamp;
      increasing &&= x.tstamp >= prev;
      prev = x.tstamp;
    }
    expect(increasing).toBe(true);
    expect(first).toBe(500);
    const meanGap = (prev - first) / (n - 1);
    expect(Math.abs(meanGap - 3)).toBeLessThan((4 * 3) / Math.sqrt(n)); // exponential: sd = mean
  });
});
