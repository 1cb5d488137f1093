import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng, deriveRng, normal } from '../../src/rng.js';
import { quantileSorted } from '../../src/stats/interval.js';
import { accuracy3, binaryAccuracy, binaryLogLoss, blockBootstrapMean, blockBootstrapMeans, brier3, decisiveProbability, logLoss3 } from '../../src/stats/scoring.js';

const dist = fc.tuple(fc.double({ min: 0.001, max: 1, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true })).map(([x, y, z]) => {
  const s = x + y + z;
  return [x / s, y / s, z / s];
});

describe('scores: known values', () => {
  // the uniform prediction over three outcomes: log-loss ln 3, Brier (2/3)² + 2·(1/3)² = 2/3, accuracy ⅓ (a three-way tie)
  it('uniform prediction', () => {
    const u = [1 / 3, 1 / 3, 1 / 3];
    expect(logLoss3(u, 2)).toBeCloseTo(Math.log(3), 14);
    expect(brier3(u, 0)).toBeCloseTo(2 / 3, 14);
    expect(accuracy3(u, 1)).toBeCloseTo(1 / 3, 14);
  });
  it('certain predictions: right costs 0 (Brier 0, accuracy 1), wrong costs Brier 2 and the floored log-loss', () => {
    expect(logLoss3([1, 0, 0], 0)).toBe(-0);
    expect(brier3([1, 0, 0], 0)).toBe(0);
    expect(brier3([1, 0, 0], 1)).toBe(2);
    expect(logLoss3([1, 0, 0], 1)).toBeCloseTo(-Math.log(1e-15), 10);
    expect(accuracy3([0.5, 0.3, 0.2], 0)).toBe(1);
    expect(accuracy3([0.4, 0.4, 0.2], 1)).toBe(0.5);
  });
  it('decisive part and binary scores: q = 0.6/(0.6 + 0.2) = 0.75, A won: log-loss −ln 0.75, Brier 0.0625', () => {
    const q = decisiveProbability([0.6, 0.2, 0.2]);
    expect(q).toBeCloseTo(0.75, 14);
    expect(binaryLogLoss(q, 1)).toBeCloseTo(-Math.log(0.75), 14);
    expect(binaryLogLoss(q, 0)).toBeCloseTo(-Math.log(0.25), 14);
    expect(binaryAccuracy(q, 1)).toBe(1);
    expect(binaryAccuracy(q, 0)).toBe(0);
    expect(binaryAccuracy(0.5, 0)).toBe(0.5);
  });
});

describe('scores: properties', () => {
  it('log-loss and Brier are proper: the expected score under p is smallest when predicting p', () => {
    fc.assert(
      fc.property(dist, dist, (p, q) => {
        const exp = (f: (x: number[], o: number) => number, pred: number[]) => p.reduce((s, pk, k) => s + pk * f(pred, k), 0);
        expect(exp(logLoss3, p)).toBeLessThanOrEqual(exp(logLoss3, q) + 1e-12);
        expect(exp(brier3, p)).toBeLessThanOrEqual(exp(brier3, q) + 1e-12);
      }),
    );
  });
  it('ranges: log-loss ≥ 0, Brier in [0, 2], accuracy in [0, 1]', () => {
    fc.assert(
      fc.property(dist, fc.constantFrom(0, 1, 2), (p, o) => {
        expect(logLoss3(p, o)).toBeGreaterThanOrEqual(0);
        expect(brier3(p, o) >= 0 && brier3(p, o) <= 2).toBe(true);
        expect(accuracy3(p, o) >= 0 && accuracy3(p, o) <= 1).toBe(true);
      }),
    );
  });
});

describe('blockBootstrapMean', () => {
  it('several series at once give each series\' own result (shared blocks, no mixing)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true })), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 12 }), (xs, l) => {
        const a = Float64Array.from(xs, (x) => x[0]);
        const b = Float64Array.from(xs, (x) => x[1]);
        const both = blockBootstrapMeans([a, b], l, 25, 0.8, 9);
        expect(both[0]).toEqual(blockBootstrapMean(a, l, 25, 0.8, 9));
        expect(both[1]).toEqual(blockBootstrapMean(b, l, 25, 0.8, 9));
        expect(blockBootstrapMeans([b, a], l, 25, 0.8, 9)).toEqual([both[1], both[0]]);
      }),
    );
  });
  it('iid normal data, blocks of 1: the interval is the normal-theory mean ± 1.96·s/√n (to 10%)', () => {
    const rng = createRng(7);
    const n = 4000;
    const d = Float64Array.from({ length: n }, () => 0.3 + normal(rng));
    const r = blockBootstrapMean(d, 1, 2000, 0.95, 1);
    const mean = d.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
    const half = (1.96 * sd) / Math.sqrt(n);
    expect(r.mean).toBeCloseTo(mean, 12);
    expect(Math.abs((r.upper - r.lower) / 2 / half - 1)).toBeLessThan(0.1);
  });
  it('AR(1) data with ρ = 0.9: blocks widen the interval by about √((1 + ρ)/(1 − ρ)) = 4.36 over blocks of 1', () => {
    const rng = createRng(3);
    const n = 40000;
    const d = new Float64Array(n);
    for (let t = 1; t < n; t++) d[t] = 0.9 * d[t - 1]! + normal(rng);
    const iid = blockBootstrapMean(d, 1, 1000, 0.95, 5);
    const blocks = blockBootstrapMean(d, 200, 1000, 0.95, 5);
    const ratio = (blocks.upper - blocks.lower) / (iid.upper - iid.lower);
    expect(ratio).toBeGreaterThan(3.4);
    expect(ratio).toBeLessThan(5.3);
  });
  it('a block as long as the series gives the mean itself; the same seed gives the same interval', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 60 }), (xs, l) => {
        const d = Float64Array.from(xs);
        const whole = blockBootstrapMean(d, d.length, 20, 0.9, 3);
        expect(whole.lower).toBeCloseTo(whole.mean, 10);
        expect(whole.upper).toBeCloseTo(whole.mean, 10);
        expect(blockBootstrapMean(d, l, 30, 0.9, 'x')).toEqual(blockBootstrapMean(d, l, 30, 0.9, 'x'));
        const r = blockBootstrapMean(d, l, 30, 0.9, 'x');
        expect(r.lower).toBeLessThanOrEqual(r.upper);
      }),
    );
  });
});

describe('blockBootstrapMeans against a plain implementation', () => {
  /** Joins the blocks round by round, as the definition reads (no prefix sums, no batching, no sorting). */
  function naive(d: Float64Array, l: number, rounds: number, level: number, seed: string | number) {
    const n = d.length;
    const len0 = Math.max(1, Math.min(l, n));
    const starts = n - len0 + 1;
    const means: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const rng = deriveRng(seed, 'block-bootstrap', r);
      const joined: number[] = [];
      while (joined.length < n) {
        const u = Math.floor(rng() * starts);
        for (let t = u; t < u + len0 && joined.length < n; t++) joined.push(d[t]!);
      }
      means.push(joined.reduce((a, x) => a + x, 0) / n);
    }
    means.sort((a, b) => a - b);
    const alpha = (1 - level) / 2;
    return { lower: quantileSorted(Float64Array.from(means), alpha), upper: quantileSorted(Float64Array.from(means), 1 - alpha) };
  }
  it('gives the intervals of the blocks joined one by one (to 1e-9), for any block length and several batches', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), (xs, l, rounds) => {
        const d = Float64Array.from(xs);
        const got = blockBootstrapMean(d, l, rounds, 0.9, 'naive');
        const want = naive(d, l, rounds, 0.9, 'naive');
        expect(Math.abs(got.lower - want.lower)).toBeLessThan(1e-9);
        expect(Math.abs(got.upper - want.upper)).toBeLessThan(1e-9);
      }),
      { numRuns: 150 },
    );
  });
  it('a series longer than one batch of block starts (2²¹) gives the plain implementation\'s interval', () => {
    const rng = createRng(11);
    const d = Float64Array.from({ length: 300_000 }, () => normal(rng));
    // blocks of 1: 300,000 starts a round, so 7 rounds fill more than one batch
    const got = blockBootstrapMean(d, 1, 9, 0.8, 4);
    const want = naive(d, 1, 9, 0.8, 4);
    expect(Math.abs(got.lower - want.lower)).toBeLessThan(1e-9);
    expect(Math.abs(got.upper - want.upper)).toBeLessThan(1e-9);
  });
});
