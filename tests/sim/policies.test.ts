import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitBradleyTerry } from '../../src/rating/bradley-terry.js';
import { sigmoid } from '../../src/rating/predict.js';
import { AUTO_PRIOR } from '../../src/models/types.js';
import { createRng, type Rng } from '../../src/rng.js';
import { FenwickSampler } from '../../src/sim/fenwick.js';
import { battleSampler, type SimBattle } from '../../src/sim/generate.js';
import { activePolicy, activeWeight, createPolicy, describePolicy, lmarenaPolicy, type PairPolicy, popularityPolicy, uniformPolicy, zipfWeights } from '../../src/sim/policies.js';

/** Counts unordered pairs over n draws. */
function pairCounts(policy: PairPolicy, n: number, rng: Rng, record = false): Map<string, number> {
  const out = new Map<string, number>();
  const x = { a: 0, b: 0 };
  let distinct = true;
  for (let i = 0; i < n; i++) {
    policy.draw(rng, x);
    distinct &&= x.a !== x.b;
    const key = x.a < x.b ? `${x.a}-${x.b}` : `${x.b}-${x.a}`;
    out.set(key, (out.get(key) ?? 0) + 1);
    if (record) policy.record(x.a, x.b, 2);
  }
  expect(distinct).toBe(true);
  return out;
}

/** |observed − expected| within 4 binomial standard deviations. */
function near(count: number, n: number, p: number) {
  expect(Math.abs(count - n * p)).toBeLessThan(4 * Math.sqrt(n * p * (1 - p)) + 1);
}

describe('FenwickSampler', () => {
  it('known values', () => {
    const s = new FenwickSampler(Float64Array.from([1, 0, 3, 2]));
    expect(s.total()).toBe(6);
    expect([0, 0.99, 1, 3.99, 4, 5.99].map((t) => s.find(t))).toEqual([0, 0, 2, 2, 3, 3]);
    s.set(1, 5);
    expect(s.total()).toBe(11);
    expect(s.find(1)).toBe(1);
    expect(s.find(5.99)).toBe(1);
    expect(s.find(6)).toBe(2);
  });
  it('agrees with a linear scan after any updates (differential)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 20 })), { maxLength: 30 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 1, maxLength: 20 }),
        (w0, updates, us) => {
          const w = w0.slice();
          const s = new FenwickSampler(w);
          for (const [i, v] of updates) {
            w[i % w.length] = v;
            s.set(i % w.length, v);
          }
          const total = w.reduce((a, b) => a + b, 0);
          expect(s.total()).toBe(total);
          for (const u of us) {
            const t = u * total;
            let acc = 0;
            let want = -1;
            for (let i = 0; i < w.length; i++) {
              acc += w[i]!;
              if (acc > t) {
                want = i;
                break;
              }
            }
            expect(s.find(t)).toBe(want);
          }
        },
      ),
    );
  });
});

describe('uniform policy', () => {
  it('every unordered pair equally likely; both seats equally likely', () => {
    const n = 60_000;
    const counts = pairCounts(uniformPolicy(4), n, createRng(1));
    expect(counts.size).toBe(6);
    for (const c of counts.values()) near(c, n, 1 / 6);
  });
  it('never draws an ineligible model, and opponents are uniform among the eligible others', () => {
    const eligible = [1, 0, 1, 1, 0];
    const p = uniformPolicy(5, eligible);
    const rng = createRng(2);
    const counts = pairCounts(p, 20_000, rng);
    expect([...counts.keys()].sort()).toEqual(['0-2', '0-3', '2-3']);
    const opp = [0, 0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) opp[p.drawOpponent(0, rng)]!++;
    expect(opp[1]).toBe(0);
    expect(opp[4]).toBe(0);
    near(opp[2]!, 20_000, 0.5);
  });
  it('needs two eligible models', () => {
    expect(() => uniformPolicy(3, [0, 1, 0])).toThrow(/at least two/);
  });
});

describe('popularity policy', () => {
  it('P(pair {i, j}) ∝ wᵢ·wⱼ', () => {
    const w = [1, 2, 3, 4];
    let z = 0;
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) z += w[i]! * w[j]!;
    const n = 100_000;
    const counts = pairCounts(popularityPolicy(w), n, createRng(3));
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) near(counts.get(`${i}-${j}`) ?? 0, n, (w[i]! * w[j]!) / z);
  });
  it('zipfWeights: rank^−s by true rating, ineligible models get 0', () => {
    expect(Array.from(zipfWeights([10, 30, 20], 1))).toEqual([1 / 3, 1, 1 / 2]);
    expect(Array.from(zipfWeights([10, 30, 20], 0))).toEqual([1, 1, 1]);
    expect(Array.from(zipfWeights([10, 30, 20], 2, [1, 0, 1]))).toEqual([1 / 4, 0, 1]);
  });
  it('createPolicy takes explicit weights over Zipf', () => {
    const p = createPolicy({ type: 'popularity' }, { ratings: [1, 2, 3], weights: [0, 1, 1] });
    const counts = pairCounts(p, 1000, createRng(4));
    expect([...counts.keys()]).toEqual(['1-2']);
  });
});

describe('weighted draws (popularity, LMArena)', () => {
  it('each draw is the slot a binary search over the cumulative weights gives for the same uniform (zeros, plateaus, ties)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 1e-6, max: 50, noNaN: true })), { minLength: 2, maxLength: 60 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (weights, us) => {
          if (weights.filter((w) => w > 0).length < 2) return true;
          const cum: number[] = [];
          weights.reduce((acc, w) => (cum.push(acc + w), acc + w), 0);
          const total = cum[cum.length - 1]!;
          // independent reference: the smallest slot whose cumulative weight exceeds u·total (the last if none)
          const slotOf = (u: number) => {
            const t = u * total;
            const i = cum.findIndex((c) => c > t);
            return i < 0 ? cum.length - 1 : i;
          };
          const edges = [...us, ...cum.map((c) => c / total), 0];
          const policy = popularityPolicy(weights);
          for (const u of edges.filter((x) => x < 1)) {
            // drawOpponent(a) redraws when it meets a: an opponent slot nobody has (-1) takes the first draw
            let k = 0;
            const seq = [u, 0.5];
            const got = policy.drawOpponent(-1, () => seq[k++ % 2]!);
            expect(got).toBe(slotOf(u));
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('LMArena policy', () => {
  it('new ×5 until boostVotes, top-N ×3, others ×1: pair frequencies before and after the boost', () => {
    // slots: 0 = top model (top 1), 1 = new model, 2 = plain model
    const p = lmarenaPolicy([1500, 1300, 1200], [0, 1, 0], [0, 0, 0], { boost: 5, boostVotes: 4000, topWeight: 3, topN: 1 });
    const rng = createRng(5);
    // phase 1: weights 3, 5, 1 → pairs {0,1}: 15, {0,2}: 3, {1,2}: 5 (of 23); the new model plays in 20/23 of them,
    // so it reaches 4,000 votes after ≈ 4,600 battles: look at the first 3,000
    const before = pairCounts(p, 3000, rng, true);
    near(before.get('0-1')!, 3000, 15 / 23);
    near(before.get('0-2')!, 3000, 3 / 23);
    // run past the boost, then phase 2: weights 3, 1, 1 → 3/7, 3/7, 1/7
    pairCounts(p, 3000, rng, true);
    const after = pairCounts(p, 20_000, rng, true);
    near(after.get('0-1')!, 20_000, 3 / 7);
    near(after.get('1-2')!, 20_000, 1 / 7);
  });
  it('a new model that is also in the top N keeps the larger weight; votes already played count', () => {
    const p = lmarenaPolicy([1500, 1300, 1200], [1, 0, 0], [5000, 0, 0], { topN: 1 });
    // the boost is already spent: weights 3, 1, 1
    const counts = pairCounts(p, 20_000, createRng(6));
    near(counts.get('1-2')!, 20_000, 1 / 7);
  });
});

describe('active sampling (Chiang et al. 2024, eq. 9)', () => {
  it('activeWeight known value and monotonicity', () => {
    expect(activeWeight(0.5, 0)).toBeCloseTo(0.5 * (1 - 1 / Math.SQRT2), 15);
    expect(activeWeight(0.5, 3)).toBeCloseTo(0.5 * (1 / 2 - 1 / Math.sqrt(5)), 15);
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (s, n) => {
        expect(activeWeight(s, n + 1)).toBeLessThan(activeWeight(s, n));
        expect(activeWeight(s * 1.5, n)).toBeGreaterThan(activeWeight(s, n));
      }),
    );
  });

  /** A direct implementation: recompute every pair weight at every draw and scan linearly. */
  function naiveActive(m: number, refitFirst: number, refitGrowth: number) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pairs.push([i, j]);
    const n = new Float64Array(pairs.length);
    const s = new Float64Array(pairs.length);
    let theta: Float64Array = new Float64Array(m);
    let total = 0;
    let next = refitFirst;
    const weight = (q: number) => {
      const p = sigmoid(theta[pairs[q]![0]]! - theta[pairs[q]![1]]!);
      return activeWeight(Math.sqrt(p * (1 - p)), n[q]!);
    };
    return {
      draw(rng: Rng, out: { a: number; b: number }) {
        const w = pairs.map((_, q) => weight(q));
        let sum = 0;
        for (const x of w) sum += x;
        const t = rng() * sum;
        let acc = 0;
        let q = 0;
        for (; q < w.length; q++) {
          acc += w[q]!;
          if (acc > t) break;
        }
        const [i, j] = pairs[q]!;
        [out.a, out.b] = rng() < 0.5 ? [i, j] : [j, i];
      },
      record(a: number, b: number, o: number) {
        const q = pairs.findIndex(([i, j]) => (i === a && j === b) || (i === b && j === a));
        const sa = o === 0 ? 1 : o === 1 ? 0 : 0.5;
        n[q]!++;
        s[q]! += a < b ? sa : 1 - sa;
        total++;
        if (total >= next) {
          const keep = pairs.map((_, k) => k).filter((k) => n[k]! > 0);
          theta = fitBradleyTerry(
            { m, pairs: keep.length, i: Int32Array.from(keep, (k) => pairs[k]![0]), j: Int32Array.from(keep, (k) => pairs[k]![1]), s: Float64Array.from(keep, (k) => s[k]!), n: Float64Array.from(keep, (k) => n[k]!) },
            { prior: AUTO_PRIOR, tolerance: 1e-3, maxIterations: 50, init: theta },
          ).theta;
          while (next <= total) next = Math.max(next * refitGrowth, next + 1);
        }
      },
    };
  }

  it('the Fenwick implementation draws the same battles as the direct one, refits included (differential)', () => {
    const truth = { models: ['a', 'b', 'c', 'd', 'e', 'f'], ratings: Float64Array.from([1300, 1250, 1200, 1150, 1000, 900]) };
    const fast = battleSampler(truth, activePolicy(6, { refitFirst: 50, refitGrowth: 1.5 }), {}, createRng(8));
    const naive = naiveActive(6, 50, 1.5);
    const slow = battleSampler(truth, { name: 'naive', m: 6, draw: naive.draw, record: naive.record, drawOpponent: () => 0 }, {}, createRng(8));
    const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
    const y: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
    for (let i = 0; i < 3000; i++) expect(fast(i, x)).toEqual(slow(i, y));
  });

  it('spreads votes over pairs about twice as evenly as uniform sampling (sd ratio 1/√(1 + 2·1.5) = ½)', () => {
    // weights ∝ n^−1.5 pull every count back to the mean: a count's variance is μt/(1 + 2·1.5) instead of
    // the Poisson μt of uniform sampling, so the sd across pairs is about half
    const m = 12;
    const pairs = (m * (m - 1)) / 2;
    const n = pairs * 100;
    const sd = (counts: Map<string, number>) => {
      const xs = Array.from({ length: pairs }, (_, k) => [...counts.values()][k] ?? 0);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    };
    const active = pairCounts(activePolicy(m, { refitFirst: 1e9 }), n, createRng(9), true);
    const uniform = pairCounts(uniformPolicy(m), n, createRng(9));
    const ratio = sd(active) / sd(uniform);
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.65);
  });

  it('after refits, votes per pair grow as σ^(2/5): a close pair gets (σ₁/σ₂)^0.4 times the votes of a mismatch', () => {
    // sampling ∝ σ·n^−1.5/2 gives dn/dt ∝ σ·n^−1.5, so n^2.5 ∝ σ·t and n ∝ σ^0.4. Pair (0,1): p = ½, σ = ½;
    // pairs with model 2 (600 points lower): p = 1/(1+10^1.5), σ ≈ 0.172 ⇒ ratio (0.5/0.172)^0.4 ≈ 1.53
    const truth = { models: ['x', 'y', 'z'], ratings: Float64Array.from([1300, 1300, 700]) };
    const policy = activePolicy(3, { refitFirst: 200, refitGrowth: 1.25 });
    const next = battleSampler(truth, policy, {}, createRng(10));
    const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
    const counts = [0, 0, 0]; // pairs 0-1, 0-2, 1-2
    for (let i = 0; i < 40_000; i++) {
      next(i, x);
      counts[x.a + x.b - 1]!++; // 0+1 → 0, 0+2 → 1, 1+2 → 2
    }
    const p = 1 / (1 + 10 ** 1.5);
    const ratio = (0.5 / Math.sqrt(p * (1 - p))) ** 0.4;
    const observed = counts[0]! / ((counts[1]! + counts[2]!) / 2);
    expect(observed).toBeGreaterThan(ratio * 0.9);
    expect(observed).toBeLessThan(ratio * 1.1);
  });

  it('starts from votes already cast and skips ineligible models', () => {
    const n = new Float64Array(9);
    const s = new Float64Array(9);
    n[0 * 3 + 1] = 1000; // pair (0,1) has many votes already
    const p = activePolicy(3, { refitFirst: 1e9 }, { n, s });
    const counts = pairCounts(p, 600, createRng(11), true);
    expect(counts.get('0-1') ?? 0).toBeLessThan(20);
    const q = activePolicy(4, {}, undefined, [1, 1, 0, 1]);
    const c2 = pairCounts(q, 300, createRng(12), true);
    expect([...c2.keys()].some((k) => k.includes('2'))).toBe(false);
  });
});

describe('describePolicy', () => {
  it('names and parameters', () => {
    expect(describePolicy({ type: 'uniform' })).toBe('uniform');
    expect(describePolicy({ type: 'lmarena', boost: 5, topN: undefined })).toBe('lmarena(boost=5)');
  });
});
