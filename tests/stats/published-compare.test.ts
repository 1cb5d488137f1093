/**
 * comparePublished: the gap of two published ratings under an assumed correlation. Hand-computed values, the
 * invariants (swap, the link between "separated" and P(A above B), ρ shrinking the variance), agreement with a
 * Monte-Carlo draw of correlated normals, and the typical correlation re-derived by simulation.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPublishedBoard } from '../../src/data/board.js';
import { normalQuantile } from '../../src/math/normal.js';
import { createRng, normal } from '../../src/rng.js';
import { neighbourCorrelations } from '../../src/sim/neighbour-correlation.js';
import { comparePublished, type PublishedRating, TYPICAL_NEIGHBOUR_CORRELATION } from '../../src/stats/published-compare.js';
import { FIXTURES } from '../helpers.js';

const ZB = normalQuantile(0.975);
/** A published rating with standard errors `down` and `up` (display points) on each side. */
const pub = (rating: number, down: number, up = down): PublishedRating => ({ rating, lower: rating - ZB * down, upper: rating + ZB * up });

describe('comparePublished: known values', () => {
  it('symmetric bounds, s = 10 each: independent sd √200, ρ = 0.5 sd 10', () => {
    const a = pub(1030, 10);
    const b = pub(1000, 10);
    const ind = comparePublished(a, b, { correlation: 0 });
    expect(ind.gap.estimate).toBe(30);
    expect(ind.sdBelow).toBeCloseTo(Math.SQRT2 * 10, 10);
    expect(ind.sdAbove).toBeCloseTo(Math.SQRT2 * 10, 10);
    // Φ(30/14.1421) = Φ(2.12132) = 0.983052 (normal table)
    expect(ind.pAbove).toBeCloseTo(0.983052, 5);
    expect(ind.gap.lower).toBeCloseTo(30 - 1.959964 * 14.142136, 4);
    expect(ind.gap.upper).toBeCloseTo(30 + 1.959964 * 14.142136, 4);
    expect(ind.separated).toBe(true);
    const half = comparePublished(a, b, { correlation: 0.5 });
    expect(half.sdBelow).toBeCloseTo(10, 10); // 100 + 100 − 2·0.5·100
    expect(half.pAbove).toBeCloseTo(0.998650, 6); // Φ(3)
  });

  it('the gemini-3-pro / grok-4.1-thinking figures of 2025-12-11 (full), by hand', () => {
    // half-widths 6.2000224 and 6.0891578 → s = 3.163336, 3.106772; √(s² + s²) = 4.433832; 1.959964·4.433832 = 8.690330
    const a = { rating: 1486.6027120272704, lower: 1480.4026895976556, upper: 1492.8027344568852 };
    const b = { rating: 1451.2104783024167, lower: 1445.121320499003, upper: 1457.2996361058304 };
    const r = comparePublished(a, b, { correlation: 0 });
    expect(r.gap.estimate).toBeCloseTo(35.39223, 5);
    expect(r.gap.lower).toBeCloseTo(26.7019, 3);
    expect(r.gap.upper).toBeCloseTo(44.0826, 3);
  });

  it('asymmetric bounds: below the estimate A\'s lower and B\'s upper side, above the other two', () => {
    const a = pub(1020, 2, 4);
    const b = pub(1000, 3, 1);
    const r = comparePublished(a, b, { correlation: 0 });
    expect(r.sdBelow).toBeCloseTo(Math.sqrt(5), 10); // 2² + 1²
    expect(r.sdAbove).toBeCloseTo(5, 10); // 4² + 3²
    expect(r.gap.lower).toBeCloseTo(20 - ZB * Math.sqrt(5), 10);
    expect(r.gap.upper).toBeCloseTo(20 + ZB * 5, 10);
    // B vs A: the gap −20 faces 0 on its upper side, √(1² + 2²)
    const s = comparePublished(pub(1000, 3, 1), pub(1002, 2, 4), { correlation: 0 });
    expect(s.pAbove).toBeCloseTo(0.185546, 5); // Φ(−2/√5) = Φ(−0.894427) = 0.185546
  });

  it('equal ratings: P = ½, not separated; zero widths: certain order', () => {
    expect(comparePublished(pub(1000, 3), pub(1000, 5), { correlation: 0.3 }).pAbove).toBe(0.5);
    const z = comparePublished(pub(1001, 0), pub(1000, 0), { correlation: 0 });
    expect([z.pAbove, z.separated]).toEqual([1, true]);
  });

  it('rejects a correlation outside [−1, 1] and bounds not around the rating', () => {
    expect(() => comparePublished(pub(1, 1), pub(0, 1), { correlation: 1.5 })).toThrow(RangeError);
    expect(() => comparePublished({ rating: 5, lower: 6, upper: 7 }, pub(0, 1), { correlation: 0 })).toThrow(RangeError);
  });
});

const rating = fc.record({
  rating: fc.double({ min: 900, max: 1600, noNaN: true, noDefaultInfinity: true }),
  down: fc.double({ min: 0.1, max: 40, noNaN: true, noDefaultInfinity: true }),
  up: fc.double({ min: 0.1, max: 40, noNaN: true, noDefaultInfinity: true }),
});
const toPub = (x: { rating: number; down: number; up: number }) => pub(x.rating, x.down, x.up);
const rhoArb = fc.double({ min: -0.99, max: 0.99, noNaN: true, noDefaultInfinity: true });
const levelArb = fc.double({ min: 0.5, max: 0.999, noNaN: true, noDefaultInfinity: true });

describe('comparePublished: properties', () => {
  it('swapping A and B negates the gap and its interval, P(A above B) + P(B above A) = 1, separation unchanged', () => {
    fc.assert(
      fc.property(rating, rating, rhoArb, levelArb, (x, y, rho, level) => {
        const ab = comparePublished(toPub(x), toPub(y), { correlation: rho, level });
        const ba = comparePublished(toPub(y), toPub(x), { correlation: rho, level });
        expect(ba.gap.estimate).toBeCloseTo(-ab.gap.estimate, 9);
        expect(ba.gap.lower).toBeCloseTo(-ab.gap.upper, 9);
        expect(ba.gap.upper).toBeCloseTo(-ab.gap.lower, 9);
        expect(ab.pAbove + ba.pAbove).toBeCloseTo(1, 12);
        expect(ba.separated).toBe(ab.separated);
      }),
    );
  });

  it('separated at a level ⇔ P(A above B) beyond (1 ± level)/2; the interval holds the estimate', () => {
    fc.assert(
      fc.property(rating, rating, rhoArb, levelArb, (x, y, rho, level) => {
        const r = comparePublished(toPub(x), toPub(y), { correlation: rho, level });
        const z = normalQuantile((1 + level) / 2);
        const facing = r.gap.estimate >= 0 ? r.sdBelow : r.sdAbove;
        fc.pre(Math.abs(Math.abs(r.gap.estimate) / facing - z) > 1e-6);
        expect(r.separated).toBe(r.pAbove > (1 + level) / 2 || r.pAbove < (1 - level) / 2);
        expect(r.gap.lower).toBeLessThanOrEqual(r.gap.estimate);
        expect(r.gap.upper).toBeGreaterThanOrEqual(r.gap.estimate);
      }),
    );
  });

  it('a larger correlation never widens the gap (both sides), and moves P(A above B) away from ½', () => {
    fc.assert(
      fc.property(rating, rating, rhoArb, rhoArb, (x, y, r1, r2) => {
        const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        const a = comparePublished(toPub(x), toPub(y), { correlation: lo });
        const b = comparePublished(toPub(x), toPub(y), { correlation: hi });
        expect(b.sdBelow).toBeLessThanOrEqual(a.sdBelow + 1e-9);
        expect(b.sdAbove).toBeLessThanOrEqual(a.sdAbove + 1e-9);
        expect(Math.abs(b.pAbove - 0.5)).toBeGreaterThanOrEqual(Math.abs(a.pAbove - 0.5) - 1e-9); // Φ(x) − ½ near x = 0 carries ~1e-16 absolute rounding
      }),
    );
  });
});

describe('comparePublished agrees with correlated normal draws (symmetric bounds)', () => {
  it('P(A above B) and the 2.5%/97.5% quantiles of the gap match 200,000 draws', () => {
    const rng = createRng(7);
    const cases: [PublishedRating, PublishedRating, number][] = [
      [pub(1010, 4), pub(1003, 6), 0],
      [pub(1010, 4), pub(1003, 6), 0.4],
      [pub(1000, 8), pub(1004, 3), -0.3],
    ];
    for (const [a, b, rho] of cases) {
      const r = comparePublished(a, b, { correlation: rho });
      const sa = (a.upper - a.rating) / ZB;
      const sb = (b.upper - b.rating) / ZB;
      const n = 200_000;
      const gaps = new Float64Array(n);
      let above = 0;
      for (let k = 0; k < n; k++) {
        // Cholesky of [[1, ρ], [ρ, 1]]
        const z1 = normal(rng);
        const z2 = rho * z1 + Math.sqrt(1 - rho * rho) * normal(rng);
        const g = a.rating + sa * z1 - (b.rating + sb * z2);
        gaps[k] = g;
        if (g > 0) above++;
      }
      gaps.sort();
      // Monte-Carlo standard error of a proportion ≤ 0.0012 at n = 200,000: 4 SE
      expect(Math.abs(above / n - r.pAbove)).toBeLessThan(0.005);
      const sd = Math.sqrt(sa * sa + sb * sb - 2 * rho * sa * sb);
      expect(Math.abs(gaps[Math.floor(0.025 * n)]! - r.gap.lower)).toBeLessThan(0.03 * sd);
      expect(Math.abs(gaps[Math.floor(0.975 * n)]! - r.gap.upper)).toBeLessThan(0.03 * sd);
    }
  });
});

describe('TYPICAL_NEIGHBOUR_CORRELATION', () => {
  it('is re-derived by simulation: the 2025-12-11 full board as truth, popularity sampling, top-20 neighbours', () => {
    const b = readPublishedBoard(join(FIXTURES, 'lmarena-catalog', 'text-2025-12-11.json'), 'full');
    const r = neighbourCorrelations({ models: b.models, ratings: b.ratings }, { battles: 200_000, top: 20, seed: 1 });
    expect(r.correlations).toHaveLength(20);
    expect(Math.abs(r.median - TYPICAL_NEIGHBOUR_CORRELATION)).toBeLessThan(0.01);
    // uniform sampling leaves only the sum-to-zero constraint: about −1/(m − 1)
    const u = neighbourCorrelations({ models: b.models, ratings: b.ratings }, { battles: 200_000, policy: { type: 'uniform' }, seed: 2 });
    expect(Math.abs(u.median - -1 / (b.models.length - 1))).toBeLessThan(0.002);
  });
});
