import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { loadRatings } from '../../src/data/ratings.js';
import { expectedScore } from '../../src/rating/predict.js';
import { rateTable } from '../helpers.js';
import { createRng } from '../../src/rng.js';
import { DEFAULT_SIMULATE, drawOutcome, simulateTable } from '../../src/sim/generate.js';

describe('drawOutcome: the tie law keeps the expected score at the BT probability', () => {
  it('integrates exactly: P(A) + ½·P(tie) = p for every rating gap and tie rate', () => {
    fc.assert(
      fc.property(fc.double({ min: -800, max: 800, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (gap, tieRate, share) => {
        const opts = { ...DEFAULT_SIMULATE, tieRate, bothbadShare: share };
        // the outcome is a step function of u: measure each region exactly by bisection on u
        const edge = (code: number) => {
          // smallest u with outcome > code in the order a(0) < tie(2) < bothbad(3) < b(1)
          const rank = (o: number) => [0, 3, 1, 2][o]!;
          let lo = 0;
          let hi = 1;
          for (let k = 0; k < 60; k++) {
            const mid = (lo + hi) / 2;
            if (rank(drawOutcome(1000 + gap, 1000, opts, mid)) > rank(code)) hi = mid;
            else lo = mid;
          }
          return hi;
        };
        const pA = edge(0);
        const pTie = edge(3) - pA;
        const p = expectedScore(1000 + gap, 1000, opts);
        expect(pA + pTie / 2).toBeCloseTo(p, 9);
        expect(pTie).toBeLessThanOrEqual(tieRate + 1e-12);
      }),
    );
  });
});

describe('simulateTable', () => {
  const truth = loadRatings();
  it('the embedded fixture has 339 models and the published top six', () => {
    expect(truth.models).toHaveLength(339);
    expect(truth.models.slice(0, 6)).toEqual(['claude-opus-4.6-thinking', 'claude-opus-4.6', 'muse-spark', 'gemini-3.1-pro-preview', 'gemini-3-pro', 'gpt-5.4-high']);
    expect(truth.models[176]).toBe('llama-4-maverick');
    expect(truth.ratings[176]).toBe(1327);
    expect(truth.votes).toBe(5_780_000);
  });
  it('is reproducible from the seed', () => {
    const a = simulateTable(truth, 5000, {}, createRng(3));
    const b = simulateTable(truth, 5000, {}, createRng(3));
    expect(a.a).toEqual(b.a);
    expect(a.outcome).toEqual(b.outcome);
  });
  it('observed tie rate and win rates match the law (fixed seed, 4-sigma bounds)', () => {
    const small = { models: ['p', 'q'], ratings: Float64Array.from([1100, 1000]) };
    const n = 200_000;
    const t = simulateTable(small, n, { tieRate: 0.3 }, createRng(11));
    const pc = aggregatePairs(t);
    const ties = pc.ties[0]! + pc.bothbad[0]!;
    const p = expectedScore(1100, 1000, DEFAULT_SIMULATE);
    const score = (pc.winsI[0]! + ties / 2) / n; // i = 'p'
    expect(Math.abs(ties / n - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / n));
    expect(Math.abs(score - p)).toBeLessThan(4 * Math.sqrt(0.25 / n));
    expect(pc.bothbad[0]! / ties).toBeCloseTo(DEFAULT_SIMULATE.bothbadShare, 1);
  });
  it('a BT fit recovers the true gaps (round trip at small scale)', () => {
    const few = { models: ['a', 'b', 'c', 'd'], ratings: Float64Array.from([1300, 1200, 1150, 1000]) };
    const lb = rateTable(simulateTable(few, 100_000, {}, createRng(5)));
    const got = new Map(lb.models.map((r) => [r.model, r.rating]));
    const mean = (1300 + 1200 + 1150 + 1000) / 4;
    few.models.forEach((m, i) => expect(Math.abs(got.get(m)! - (few.ratings[i]! - mean + 1000))).toBeLessThan(6));
  });
});

describe('drawOutcome with a likelihood tie model (what-ifs on a baseline fitted with it)', () => {
  /** Share of u ∈ [0, 1) (a fine grid) that draws each outcome: exact probabilities up to the grid step. */
  const shares = (ra: number, rb: number, law: { model: 'davidson' | 'rao-kupper'; eta: number }) => {
    const n = 200_000;
    const c = [0, 0, 0, 0];
    for (let q = 0; q < n; q++) c[drawOutcome(ra, rb, { ...DEFAULT_SIMULATE, bothbadShare: 0.25, law }, (q + 0.5) / n)]!++;
    return c.map((x) => x / n);
  };
  it('Davidson: P(A) = π_A/(π_A + π_B + ν√(π_Aπ_B)), ties split by the both-bad share (Davidson 1970)', () => {
    const nu = 1.4;
    const d = (120 * Math.LN10) / 400;
    const den = Math.exp(d / 2) + Math.exp(-d / 2) + nu;
    const [a, b, tie, bb] = shares(1120, 1000, { model: 'davidson', eta: Math.log(nu) });
    expect(a).toBeCloseTo(Math.exp(d / 2) / den, 4);
    expect(b).toBeCloseTo(Math.exp(-d / 2) / den, 4);
    expect(tie! + bb!).toBeCloseTo(nu / den, 4);
    expect(bb! / (tie! + bb!)).toBeCloseTo(0.25, 3);
  });
  it('Rao–Kupper: P(A) = π_A/(π_A + θπ_B) (Rao & Kupper 1967)', () => {
    const theta = 2.15;
    const d = (-80 * Math.LN10) / 400;
    const [a, b] = shares(1000, 1080, { model: 'rao-kupper', eta: Math.log(theta) });
    expect(a).toBeCloseTo(1 / (1 + theta * Math.exp(-d)), 4);
    expect(b).toBeCloseTo(1 / (1 + theta * Math.exp(d)), 4);
  });
});
