import { describe, expect, it } from 'vitest';
import { FIXTURE_REAL_ENTRIES, loadSimRatings } from '../../src/sim/fixture.js';
import { recoveryReport, roundTrip } from '../../src/sim/recovery.js';

// A 40-model slice of the April 2026 fixture (the six published leaders, llama-4-maverick and 33 filled-in ranks
// spread down the board): small enough for a unit test, the full 339 / 5.78M run is bench/roundtrip.mjs.
const full = loadSimRatings();
const keep = full.models.map((_, v) => v).filter((v) => v < 6 || v === 176 || (v % 10 === 5 && v > 6) || v === 338).slice(0, 40);
const truth = { models: keep.map((v) => full.models[v]!), ratings: Float64Array.from(keep, (v) => full.ratings[v]!) };
const named = FIXTURE_REAL_ENTRIES.map((e) => e.model);

describe('simulate → rate round trip (small scale)', () => {
  it('the slice holds the seven named models', () => {
    expect(truth.models.length).toBe(40);
    for (const n of named) expect(truth.models).toContain(n);
  });

  it('95% sandwich intervals cover the truth for about 95% of models (5 seeds × 40 models, 400k battles each)', () => {
    let covered = 0;
    let total = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const r = roundTrip(truth, 400_000, { seed, named });
      covered += r.covered;
      total += r.models;
      // with ~20k battles per model the error is a few points
      expect(r.meanAbsError).toBeLessThan(3);
      // every pair whose gap exceeds the two half-widths comes back in the right order
      for (const p of r.pairs.filter((x) => x.resolvable)) expect(p.ordered, `${p.a} > ${p.b}`).toBe(true);
      expect(r.pairs.filter((x) => x.resolvable).length).toBeGreaterThanOrEqual(10);
    }
    // binomial(200, 0.95): sd 1.5%; [0.90, 0.99] is about ±3 sd
    expect(covered / total).toBeGreaterThan(0.9);
    expect(covered / total).toBeLessThan(0.99);
  });

  it('coverage holds with the davidson tie model and LMArena sampling too (sandwich is robust to the tie law)', () => {
    let covered = 0;
    let total = 0;
    for (let seed = 11; seed <= 13; seed++) {
      const r = roundTrip(truth, 300_000, { seed, simulate: { tieModel: 'davidson', tieRate: 0.4 }, policy: { type: 'lmarena' } });
      covered += r.covered;
      total += r.models;
    }
    expect(covered / total).toBeGreaterThan(0.88);
  });
});

describe('recoveryReport', () => {
  it('known values', () => {
    const t = { models: ['a', 'b', 'c'], ratings: Float64Array.from([1010, 1000, 990]) };
    const fit = new Map([
      ['a', { rating: 1012, lower: 1008, upper: 1016 }],
      ['b', { rating: 998, lower: 996, upper: 999 }], // misses 1000
      ['c', { rating: 990, lower: 985, upper: 995 }],
    ]);
    const r = recoveryReport(t, fit, ['c', 'a', 'b']);
    expect(r).toMatchObject({ models: 3, covered: 2, coverage: 2 / 3, meanAbsError: 4 / 3, meanWidth: (8 + 3 + 10) / 3 });
    expect(r.pairs).toEqual([
      { a: 'a', b: 'c', trueGap: 20, halfWidths: 9, resolvable: true, ordered: true },
      { a: 'b', b: 'c', trueGap: 10, halfWidths: 6.5, resolvable: true, ordered: true },
      { a: 'a', b: 'b', trueGap: 10, halfWidths: 5.5, resolvable: true, ordered: true },
    ]);
  });
});
