import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multinomialInto, prepareMultinomial } from '../../src/stats/multinomial.js';
import { createRng } from '../../src/rng.js';
import { chiSquareQuantile, multinomialChiSquare } from './exact-laws.js';

describe('prepareMultinomial', () => {
  it('gives conditional probabilities w_c / Σ_{k≥c} w_k, the last positive cell 1', () => {
    const plan = prepareMultinomial([2, 0, 1, 1, 0]);
    expect([...plan.index]).toEqual([0, 2, 3]);
    expect([...plan.conditional]).toEqual([0.5, 0.5, 1]);
  });
  it('rejects negative, non-finite or all-zero weights', () => {
    expect(() => prepareMultinomial([1, -1])).toThrow(RangeError);
    expect(() => prepareMultinomial([1, Number.NaN])).toThrow(RangeError);
    expect(() => prepareMultinomial([0, 0])).toThrow(RangeError);
  });
});

describe('multinomialInto', () => {
  it('is exact in law on a small case: chi-square against the multinomial pmf over all outcomes', () => {
    const w = [1, 2, 3, 4, 0];
    const n = 6;
    const plan = prepareMultinomial(w);
    const out = new Float64Array(5);
    const rng = createRng(11);
    const draws = 100_000;
    let zeroCellDrawn = false;
    const { stat, bins, outside } = multinomialChiSquare(
      () => {
        multinomialInto(rng, n, plan, out);
        if (out[4] !== 0) zeroCellDrawn = true;
        return out;
      },
      draws,
      n,
      [0.1, 0.2, 0.3, 0.4],
    );
    expect(zeroCellDrawn).toBe(false);
    expect(outside).toBe(0); // nothing outside the support
    expect(stat).toBeLessThan(chiSquareQuantile(bins - 1, 1 - 1e-4));
  });

  it('has the multinomial mean n·p and covariance n·(diag p − p pᵀ) at LMArena-like sizes (fixed seed)', () => {
    const w = [120, 80, 40, 5, 3000, 1];
    const W = w.reduce((a, b) => a + b, 0);
    const n = 1_670_250;
    const plan = prepareMultinomial(w);
    const out = new Float64Array(w.length);
    const rng = createRng(5);
    const draws = 4000;
    const s = new Float64Array(w.length);
    const s01 = { v: 0 };
    const s2 = new Float64Array(w.length);
    for (let d = 0; d < draws; d++) {
      multinomialInto(rng, n, plan, out);
      expect(out.reduce((a, b) => a + b, 0)).toBe(n);
      for (let c = 0; c < w.length; c++) {
        s[c]! += out[c]!;
        s2[c]! += out[c]! * out[c]!;
      }
      s01.v += out[0]! * out[1]!;
    }
    for (let c = 0; c < w.length; c++) {
      const p = w[c]! / W;
      const mean = s[c]! / draws;
      const v = n * p * (1 - p);
      expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(v / draws));
      expect(Math.abs((s2[c]! / draws - mean * mean) / v - 1)).toBeLessThan(5 * Math.sqrt(2 / draws));
    }
    // covariance of cells 0 and 1: −n·p0·p1
    const p0 = w[0]! / W;
    const p1 = w[1]! / W;
    const cov = s01.v / draws - (s[0]! / draws) * (s[1]! / draws);
    const want = -n * p0 * p1;
    const sd = Math.sqrt(n * p0 * (1 - p0) * n * p1 * (1 - p1) / draws);
    expect(Math.abs(cov - want)).toBeLessThan(5 * sd);
  });

  it('always draws n in total, nothing in zero cells, and is reproducible', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 30 }), fc.nat({ max: 100_000 }), fc.integer(), (w, n, seed) => {
        fc.pre(w.some((x) => x > 0));
        const plan = prepareMultinomial(w);
        const a = new Float64Array(w.length);
        const b = new Float64Array(w.length);
        multinomialInto(createRng(seed), n, plan, a);
        multinomialInto(createRng(seed), n, plan, b);
        expect([...a]).toEqual([...b]);
        expect(a.reduce((x, y) => x + y, 0)).toBe(n);
        w.forEach((x, c) => {
          if (x === 0) expect(a[c]).toBe(0);
          expect(Number.isInteger(a[c])).toBe(true);
        });
      }),
    );
  });
});
