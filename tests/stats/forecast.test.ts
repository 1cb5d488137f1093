import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/math/normal.js';
import { forecastSeparation, type VoteLaw } from '../../src/stats/forecast.js';

const sigmoid = (d: number) => 1 / (1 + Math.exp(-d));
/** Bradley–Terry with a constant tie rate τ: P(win) = p − τ/2, P(tie) = τ, τ capped at 2·min(p, 1 − p) (the simulator's law). */
const btLaw = (tau: number): VoteLaw => (d) => {
  const p = sigmoid(d);
  const t = Math.min(tau, 2 * Math.min(p, 1 - p));
  return { win: p - t / 2, tie: t };
};

/**
 * P(separated after exactly n votes), computed independently: Gauss–Hermite-free quadrature over d* ~ N(d̂, s²)
 * (401 points on ±6 sd) of the exact law of the score S = Σ y (y ∈ {0, ½, 1}), by convolution, and the rule
 * |d̂ + (S − n·E)/(J₀ + n·E′)| > z·√((J₀ + n·b)/(J₀ + n·E′)²) with E, E′, b at d̂.
 */
function exactSeparated(gap: number, sd: number, tau: number, n: number, level: number): number {
  const z = normalQuantile((1 + level) / 2);
  const p0 = sigmoid(gap);
  const e0 = p0;
  const slope = p0 * (1 - p0);
  const b = p0 * (1 - p0) - tau / 4;
  const j0 = 1 / (sd * sd);
  const sep = (k: number) => {
    const est = gap + (k / 2 - n * e0) / (j0 + n * slope);
    return Math.abs(est) > z * Math.sqrt((j0 + n * b) / (j0 + n * slope) ** 2);
  };
  let total = 0;
  let weight = 0;
  for (let q = -200; q <= 200; q++) {
    const x = (6 * q) / 200;
    const w = Math.exp(-x * x / 2);
    const d = gap + sd * x;
    const win = sigmoid(d) - tau / 2;
    // law of 2S (integer 0..2n): one vote adds 0 (loss), 1 (tie) or 2 (win)
    let dist = new Float64Array(2 * n + 1);
    dist[0] = 1;
    for (let v = 0; v < n; v++) {
      const next = new Float64Array(2 * n + 1);
      for (let k = 0; k <= 2 * v; k++) {
        const pk = dist[k]!;
        if (!pk) continue;
        next[k]! += pk * (1 - win - tau);
        next[k + 1]! += pk * tau;
        next[k + 2]! += pk * win;
      }
      dist = next;
    }
    let ps = 0;
    for (let k = 0; k <= 2 * n; k++) if (sep(k)) ps += dist[k]!;
    total += w * ps;
    weight += w;
  }
  return total / weight;
}

describe('forecastSeparation', () => {
  it('P(separated after n votes) agrees with an exact computation (quadrature over the true gap × the exact score law)', () => {
    for (const [gap, sd, tau, n] of [
      [0.1, 0.08, 0.3, 40],
      [0.02, 0.1, 0.35, 60],
      [-0.15, 0.12, 0.2, 30],
      [0.05, 0.3, 0.35, 200], // the new votes dominate: their variance per vote (p(1−p) − τ/4) matters
    ] as const) {
      const f = forecastSeparation({ gap, sd, law: btLaw(tau), level: 0.95, at: [n], replications: 20_000, seed: 3 });
      const exact = exactSeparated(gap, sd, tau, n, 0.95);
      // Monte-Carlo sd of a proportion over 20,000 replications: ≤ 0.0036
      expect(Math.abs(f.points[0]!.pSeparated - exact)).toBeLessThan(4 * 0.0036);
    }
  });

  it('a law at its edge (P(win) = −1e−17 from rounding, P(tie) = 1) is taken as 0 and 1, not an error', () => {
    const edge: VoteLaw = () => ({ win: -1e-17, tie: 1 });
    const f = forecastSeparation({ gap: 0, sd: 0.1, law: edge, level: 0.95, at: [100], replications: 20, seed: 1 });
    expect(f.points[0]!.pSeparated).toBeGreaterThanOrEqual(0);
  });

  it('already separated: every forecast is 1 and the votes needed are 0', () => {
    const f = forecastSeparation({ gap: 0.5, sd: 0.1, law: btLaw(0.3), level: 0.95, at: [100, 1000], replications: 10, seed: 1 });
    expect(f.separatedNow).toBe(true);
    expect(f.points.map((p) => p.pSeparated)).toEqual([1, 1]);
    expect(f.medianVotes).toBe(0);
  });

  it('a true tie (trueGap 0) separates at one look in at most about 5% of replications; a real 20-point gap nearly always', () => {
    const f = forecastSeparation({ gap: 0, sd: 0.05, law: btLaw(0.3), level: 0.95, at: [1000, 100_000], replications: 4000, seed: 2, trueGap: 0 });
    for (const p of f.points) expect(p.pSeparated).toBeLessThan(0.05 + 4 * 0.0035);
    const real = forecastSeparation({ gap: 0, sd: 0.05, law: btLaw(0.3), level: 0.95, at: [100_000], replications: 400, seed: 2, trueGap: 0.115 });
    expect(real.points[0]!.pSeparated).toBeGreaterThan(0.95);
  });

  it('properties: separated for good by n ≤ separated at n, non-decreasing in n; same seed, same answer', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.3, max: 0.3, noNaN: true }), fc.double({ min: 0.02, max: 0.3, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (gap, sd, tau) => {
        const opts = { gap, sd, law: btLaw(tau), level: 0.95, at: [100, 1000, 10_000], replications: 200, seed: 'p' };
        const f = forecastSeparation(opts);
        const again = forecastSeparation(opts);
        if (JSON.stringify(f) !== JSON.stringify(again)) return false;
        for (let i = 0; i < f.points.length; i++) {
          const p = f.points[i]!;
          if (p.pSeparatedBy > p.pSeparated + 1e-12) return false;
          if (i > 0 && p.pSeparatedBy + 1e-12 < f.points[i - 1]!.pSeparatedBy) return false;
        }
        const { lowerVotes: lo, medianVotes: med, upperVotes: hi } = f;
        return (lo === null || med === null || lo <= med) && (med === null || hi === null || med <= hi);
      }),
      { numRuns: 40 },
    );
  });
});
