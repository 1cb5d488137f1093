import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { glicko2Update, glicko2WinProbability, glickoG } from '../../src/rating/glicko2.js';

// Glickman's scale factor 173.7178 = 400/ln 10 (glicko2.pdf, step 2)
const F = 400 / Math.LN10;

describe('glicko2Update: Glickman\'s worked example', () => {
  // Source: M. E. Glickman, "Example of the Glicko-2 system" (glicko2.pdf, 2012/2022), section "Example
  // calculation": a player rated 1500, RD 200, σ 0.06, τ 0.5 plays (1400, 30) win, (1550, 100) loss,
  // (1700, 300) loss → r' = 1464.06, RD' = 151.52, σ' = 0.05999 (published to these digits).
  const mu = (r: number) => (r - 1500) / F;
  const out = glicko2Update({ mu: 0, phi: 200 / F, sigma: 0.06 }, [mu(1400), mu(1550), mu(1700)], [30 / F, 100 / F, 300 / F], [1, 0, 0], 0.5);
  // The example carries 4-decimal intermediates (step 8: μ' = −0.2069, φ' = 0.8722) and converts those, so its
  // r' = 173.7178·(−0.2069) + 1500 = 1464.06 and RD' = 151.52; in full precision μ' = −0.20694 (r' = 1464.0507) and
  // σ' = 0.0599960, printed truncated as 0.05999. So: the internal values to the example's 4 decimals, r' and RD'
  // within one unit of their last printed digit, σ' truncated to 5 decimals.
  it('step 8: μ\' = −0.2069, φ\' = 0.8722 (4 decimals)', () => {
    expect(out.mu).toBeCloseTo(-0.2069, 4);
    expect(out.phi).toBeCloseTo(0.8722, 4);
  });
  it('new rating 1464.06, RD 151.52 (to 0.01)', () => {
    expect(Math.abs(1500 + F * out.mu - 1464.06)).toBeLessThan(0.01);
    expect(Math.abs(F * out.phi - 151.52)).toBeLessThan(0.01);
  });
  it('new volatility 0.05999 (5 decimals, truncated)', () => expect(Math.trunc(out.sigma * 1e5) / 1e5).toBe(0.05999));
  it('g(φ) of the example\'s opponents: 0.9955, 0.9531, 0.7242 (step 3 table)', () => {
    expect(glickoG(30 / F)).toBeCloseTo(0.9955, 4);
    expect(glickoG(100 / F)).toBeCloseTo(0.9531, 4);
    expect(glickoG(300 / F)).toBeCloseTo(0.7242, 4);
  });
  it('a period without games only widens φ: φ\' = √(φ² + σ²) (step 6)', () => {
    const p = glicko2Update({ mu: 0.3, phi: 0.5, sigma: 0.06 }, [], [], [], 0.5);
    expect(p.mu).toBe(0.3);
    expect(p.phi).toBeCloseTo(Math.sqrt(0.25 + 0.0036), 15);
    expect(p.sigma).toBe(0.06);
  });
});

describe('glicko2: properties', () => {
  const state = fc.record({ mu: fc.double({ min: -3, max: 3, noNaN: true }), phi: fc.double({ min: 0.05, max: 2.5, noNaN: true }), sigma: fc.double({ min: 0.01, max: 0.2, noNaN: true }) });
  const opp = fc.record({ mu: fc.double({ min: -3, max: 3, noNaN: true }), phi: fc.double({ min: 0.05, max: 2.5, noNaN: true }) });
  it('a win moves μ up at least as far as a draw, and a draw at least as far as a loss', () => {
    fc.assert(
      fc.property(state, opp, (p, q) => {
        const [w, d, l] = [1, 0.5, 0].map((s) => glicko2Update(p, [q.mu], [q.phi], [s], 0.5).mu);
        expect(w).toBeGreaterThan(d!);
        expect(d).toBeGreaterThan(l!);
        expect(w).toBeGreaterThan(p.mu);
        expect(l).toBeLessThan(p.mu);
      }),
    );
  });
  it('games shrink the deviation below √(φ² + σ\'²), and everything stays finite', () => {
    fc.assert(
      fc.property(state, fc.array(fc.tuple(opp, fc.constantFrom(0, 0.5, 1)), { minLength: 1, maxLength: 8 }), (p, games) => {
        const out = glicko2Update(p, games.map((g) => g[0].mu), games.map((g) => g[0].phi), games.map((g) => g[1]), 0.5);
        expect(Number.isFinite(out.mu) && Number.isFinite(out.phi) && out.sigma > 0).toBe(true);
        expect(out.phi).toBeLessThan(Math.sqrt(p.phi * p.phi + out.sigma * out.sigma));
      }),
    );
  });
  it('the win probability is in (0, 1), symmetric, and ½ between equals', () => {
    fc.assert(
      fc.property(opp, opp, (a, b) => {
        const p = glicko2WinProbability(a.mu, a.phi, b.mu, b.phi);
        expect(p).toBeGreaterThan(0);
        expect(p).toBeLessThan(1);
        expect(p + glicko2WinProbability(b.mu, b.phi, a.mu, a.phi)).toBeCloseTo(1, 12);
        expect(glicko2WinProbability(a.mu, a.phi, a.mu, b.phi)).toBe(0.5);
      }),
    );
  });
});
