import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countMultinomialInto, prepareCountMultinomial } from '../../src/stats/count-multinomial.js';
import { createRng } from '../../src/rng.js';
import { binomialLogPmf } from '../../src/stats/binomial.js';
import { chiSquareQuantile, multinomialChiSquare } from './exact-laws.js';

describe('prepareCountMultinomial', () => {
  it('sets λ = max(0, n − z·√n) and splits counts of at least `block` into blocks', () => {
    expect(prepareCountMultinomial([1, 2], 6).lambda).toBe(0);
    expect(prepareCountMultinomial([1, 2], 10_000).lambda).toBe(9600);
    const plan = prepareCountMultinomial([5, 0, 2, 11], 100, { block: 4 });
    expect([...plan.index]).toEqual([0, 2, 3]);
    expect([...plan.bigCells]).toEqual([0, 2]);
    expect([...plan.bigBlocks]).toEqual([1, 2]);
    expect(plan.blockTable.length).toBe(5);
  });
  it('rejects non-integer, negative or all-zero counts and a bad n', () => {
    expect(() => prepareCountMultinomial([1, 0.5], 3)).toThrow(RangeError);
    expect(() => prepareCountMultinomial([1, -1], 3)).toThrow(RangeError);
    expect(() => prepareCountMultinomial([0, 0], 3)).toThrow(RangeError);
    expect(() => prepareCountMultinomial([1, 2], 2.5)).toThrow(RangeError);
  });
});

describe('countMultinomialInto', () => {
  // each configuration exercises another path: fix-up only (λ = 0); Poisson stage with frequent redraws (z small);
  // blocks (counts ≥ block drawn as sums of Poisson blocks)
  const configs = [{}, { z: 0.3 }, { z: 0.5, block: 2 }];
  it.each(configs)('is exact in law on a small case (%o): chi-square against the multinomial pmf over all outcomes', (opts) => {
    const w = [1, 2, 3, 4, 0];
    const n = 6;
    const plan = prepareCountMultinomial(w, n, opts);
    const out = new Float64Array(5);
    const rng = createRng(11);
    const draws = 60_000;
    let zeroCellDrawn = false;
    const { stat, bins, outside } = multinomialChiSquare(
      () => {
        countMultinomialInto(rng, plan, out);
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

  it('has binomial marginals when the Poisson stage does most of the work (chi-square, blocks included)', () => {
    const w = [1, 7, 30, 62];
    const n = 400;
    const plan = prepareCountMultinomial(w, n, { z: 1, block: 16 });
    expect(plan.lambda).toBe(380);
    const out = new Float64Array(4);
    const rng = createRng(3);
    const draws = 40_000;
    const hist = w.map(() => new Map<number, number>());
    for (let d = 0; d < draws; d++) {
      countMultinomialInto(rng, plan, out);
      expect(out.reduce((a, b) => a + b, 0)).toBe(n);
      out.forEach((x, c) => hist[c]!.set(x, (hist[c]!.get(x) ?? 0) + 1));
    }
    w.forEach((wc, c) => {
      const p = wc / 100;
      // bins pooled so that every one expects ≥ 5 draws (tails included)
      const e = Array.from({ length: n + 1 }, (_, x) => draws * Math.exp(binomialLogPmf(x, n, p)));
      const rest = e.map((_, x) => e.slice(x + 1).reduce((a, b) => a + b, 0));
      let stat = 0;
      let bins = 0;
      let eAcc = 0;
      let oAcc = 0;
      for (let x = 0; x <= n; x++) {
        eAcc += e[x]!;
        oAcc += hist[c]!.get(x) ?? 0;
        if ((eAcc >= 5 && rest[x]! >= 5) || x === n) {
          stat += (oAcc - eAcc) ** 2 / eAcc;
          bins++;
          eAcc = 0;
          oAcc = 0;
        }
      }
      expect(stat).toBeLessThan(chiSquareQuantile(bins - 1, 1 - 1e-4));
    });
  });

  it('has the multinomial mean n·p and covariance n·(diag p − p pᵀ) at LMArena-like sizes (fixed seed)', () => {
    const w = [120, 80, 40, 5, 3000, 1];
    const W = w.reduce((a, b) => a + b, 0);
    const n = 1_670_250;
    const plan = prepareCountMultinomial(w, n);
    expect(plan.bigCells.length).toBe(1); // 3000 ≥ the default block of 1024
    const out = new Float64Array(w.length);
    const rng = createRng(5);
    const draws = 4000;
    const s = new Float64Array(w.length);
    const s01 = { v: 0 };
    const s2 = new Float64Array(w.length);
    for (let d = 0; d < draws; d++) {
      countMultinomialInto(rng, plan, out);
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
    const p0 = w[0]! / W;
    const p1 = w[1]! / W;
    const cov = s01.v / draws - (s[0]! / draws) * (s[1]! / draws);
    const sd = Math.sqrt((n * p0 * (1 - p0) * n * p1 * (1 - p1)) / draws);
    expect(Math.abs(cov - -n * p0 * p1)).toBeLessThan(5 * sd);
  });

  it('draws what a plain search of the same tables draws for the same uniforms (the guide only shortens the search)', () => {
    const w = Array.from({ length: 400 }, (_, c) => (c % 7 === 0 ? 0 : c % 50 === 3 ? 2000 + c : 1 + ((c * 37) % 23)));
    const n = w.reduce((a, b) => a + b, 0);
    const plan = prepareCountMultinomial(w, n, { block: 1024 });
    expect(plan.bigCells.length).toBeGreaterThan(0);
    for (let round = 0; round < 5; round++) {
      const used: number[] = [];
      const base = createRng(round + 100);
      const recording = () => {
        const u = base();
        used.push(u);
        return u;
      };
      const out = new Float64Array(w.length);
      countMultinomialInto(recording, plan, out);
      // replay: every law searched from its first value; a uniform past the table's last value is redrawn
      let q = 0;
      const next = () => used[q++]!;
      const plain = (start: number, lo: number, size: number): number => {
        for (;;) {
          const u = next();
          let k = 0;
          while (k < size && u >= plan.cdf[start + k]!) k++;
          if (k < size) return lo + k;
        }
      };
      const want = new Float64Array(w.length);
      let total = 0;
      for (let p = 0; p < plan.index.length; p++) {
        const l = plan.law[p]! - 1;
        if (l < 0) continue;
        const x = plain(plan.cdfStart[l]!, plan.lo[l]!, plan.size[l]!);
        want[plan.index[p]!] = x;
        total += x;
      }
      const bt = plan.blockTable;
      for (let b = 0; b < plan.bigCells.length; b++) {
        let x = 0;
        for (let k = plan.bigBlocks[b]!; k > 0; k--) x += plain(bt[0]!, bt[1]!, bt[4]!);
        want[plan.index[plan.bigCells[b]!]!]! += x;
        total += x;
      }
      expect(total).toBeLessThanOrEqual(n); // (a redraw of the whole first stage would show here)
      // the fix-up draws: two uniforms each, through the alias table
      const C = plan.index.length;
      for (let r = n - total; r > 0; r--) {
        const v = (next() + next() * 2 ** -32) * C;
        const k = Math.min(C - 1, Math.floor(v));
        want[plan.index[v - k < plan.aliasProb[k]! ? k : plan.alias[k]!]!]! += 1;
      }
      expect(q).toBe(used.length);
      expect([...out]).toEqual([...want]);
    }
  });

  it('always draws n in total, nothing in zero cells, integers, and is reproducible', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 30 }),
        fc.nat({ max: 100_000 }),
        fc.integer(),
        fc.double({ min: 0, max: 6, noNaN: true }),
        fc.integer({ min: 1, max: 64 }),
        (w, n, seed, z, block) => {
          fc.pre(w.some((x) => x > 0));
          const plan = prepareCountMultinomial(w, n, { z, block });
          const a = new Float64Array(w.length);
          const b = new Float64Array(w.length);
          countMultinomialInto(createRng(seed), plan, a);
          countMultinomialInto(createRng(seed), plan, b);
          expect([...a]).toEqual([...b]);
          expect(a.reduce((x, y) => x + y, 0)).toBe(n);
          w.forEach((x, c) => {
            if (x === 0) expect(a[c]).toBe(0);
            expect(Number.isInteger(a[c])).toBe(true);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
