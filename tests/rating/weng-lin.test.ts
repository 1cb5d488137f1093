import fc from 'fast-check';
import { rate, rating } from 'openskill';
import { bradleyTerryFull } from 'openskill/models';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WENG_LIN, wengLinUpdate, wengLinWinProbability } from '../../src/rating/weng-lin.js';

const noTau = { ...DEFAULT_WENG_LIN, tau: 0 };

describe('wengLinUpdate: known values', () => {
  // Weng & Lin 2011 (JMLR 12:267–300), Algorithm 1 with the Bradley–Terry full-pair model, evaluated by hand for two
  // new players (μ 25, σ 25/3, β 25/6): c = √(2σ² + 2β²) = 13.176156917368248, p̂ = ½,
  // μ' = 25 ± σ²/c·½ = 27.63523138347365 / 22.36476861652635, σ' = σ·√(1 − (σ/c)·σ²/c²·¼) = 8.065506316323548.
  it('a win between two new players', () => {
    const mu = Float64Array.of(25, 25);
    const sigma = Float64Array.of(25 / 3, 25 / 3);
    wengLinUpdate(mu, sigma, 0, 1, 1, noTau);
    expect(mu[0]).toBeCloseTo(27.63523138347365, 12);
    expect(mu[1]).toBeCloseTo(22.36476861652635, 12);
    expect(sigma[0]).toBeCloseTo(8.065506316323548, 12);
    expect(sigma[1]).toBeCloseTo(8.065506316323548, 12);
  });
  it('a draw between equals moves no mean', () => {
    const mu = Float64Array.of(25, 25);
    const sigma = Float64Array.of(25 / 3, 25 / 3);
    wengLinUpdate(mu, sigma, 0, 1, 0.5, noTau);
    expect([mu[0], mu[1]]).toEqual([25, 25]);
  });
});

describe('wengLinUpdate agrees with the openskill package (bradleyTerryFull), an independent implementation', () => {
  const player = fc.record({ mu: fc.double({ min: 0, max: 50, noNaN: true }), sigma: fc.double({ min: 0.5, max: 9, noNaN: true }) });
  it('wins, losses and draws, with and without the dynamics τ', () => {
    fc.assert(
      fc.property(player, player, fc.constantFrom(1, 0.5, 0), fc.constantFrom(0, 25 / 300, 1), (a, b, s, tau) => {
        const mu = Float64Array.of(a.mu, b.mu);
        const sigma = Float64Array.of(a.sigma, b.sigma);
        wengLinUpdate(mu, sigma, 0, 1, s, { ...DEFAULT_WENG_LIN, tau });
        const [[x], [y]] = rate([[rating(a)], [rating(b)]], { model: bradleyTerryFull, tau, rank: s === 1 ? [1, 2] : s === 0 ? [2, 1] : [1, 1] });
        expect(mu[0]).toBeCloseTo(x!.mu, 10);
        expect(mu[1]).toBeCloseTo(y!.mu, 10);
        expect(sigma[0]).toBeCloseTo(x!.sigma, 10);
        expect(sigma[1]).toBeCloseTo(y!.sigma, 10);
      }),
    );
  });
  it('the win probability is the logistic curve at (μᵢ − μⱼ)/c, symmetric', () => {
    fc.assert(
      fc.property(player, player, (a, b) => {
        const p = wengLinWinProbability(a.mu, a.sigma, b.mu, b.sigma, 25 / 6);
        expect(p + wengLinWinProbability(b.mu, b.sigma, a.mu, a.sigma, 25 / 6)).toBeCloseTo(1, 12);
        expect(p >= 0 && p <= 1).toBe(true);
      }),
    );
  });
});
