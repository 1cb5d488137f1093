import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tableFromBattles } from '../../src/data/table.js';
import { modelFor } from '../../src/models/index.js';
import { DEFAULT_MODEL, type ModelOptions } from '../../src/models/types.js';
import { contrastVariance } from '../../src/stats/uncertainty.js';
import { type PlainBattle, wellPosed } from '../arbitraries.js';

/** Invariants of weighted fits (ratings and sandwich intervals), for every likelihood model on pair cells. */

const MODELS = ['half', 'davidson', 'rao-kupper'] as const;

function fitOf(bs: (PlainBattle & { weight?: number })[], ties: (typeof MODELS)[number], reweight: { floor: number } | null = null) {
  const opts: ModelOptions = { ...DEFAULT_MODEL, ties, reweight };
  const model = modelFor(opts);
  const fit = model.fit(tableFromBattles(bs), opts);
  const cov = model.sandwich!(fit);
  const sd = Array.from({ length: fit.models.length }, (_, v) => Math.sqrt(contrastVariance(cov, v, 0)));
  return { fit, sd };
}

const closeArrays = (x: ArrayLike<number>, y: ArrayLike<number>, tol: number) => {
  expect(x.length).toBe(y.length);
  for (let v = 0; v < x.length; v++) expect(Math.abs(x[v]! - y[v]!)).toBeLessThan(tol);
};

describe('weights: properties', () => {
  it('every weight equal to a constant: the ratings and sandwich intervals of the unweighted fit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }).chain((m) => wellPosed(m, 40)), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.constantFrom(...MODELS), (bs, k, ties) => {
        const plain = fitOf(bs, ties);
        const weighted = fitOf(
          bs.map((b) => ({ ...b, weight: k })),
          ties,
        );
        closeArrays(weighted.fit.ratings, plain.fit.ratings, 1e-6);
        closeArrays(weighted.sd, plain.sd, 1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('duplicating a row gives the point estimate of doubling its weight', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }).chain((m) => wellPosed(m, 40)), fc.nat(), fc.constantFrom(...MODELS), (bs, pick, ties) => {
        const r = pick % bs.length;
        const dup = fitOf([...bs, bs[r]!], ties);
        const doubled = fitOf(
          bs.map((b, q) => (q === r ? { ...b, weight: 2 } : b)),
          ties,
        );
        closeArrays(doubled.fit.ratings, dup.fit.ratings, 1e-6);
      }),
      { numRuns: 60 },
    );
  });

  it('a floor at or above every pair count: the unweighted fit (ratings and intervals)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }).chain((m) => wellPosed(m, 40)), fc.constantFrom(...MODELS), fc.double({ min: 0, max: 1e6, noNaN: true }), (bs, ties, extra) => {
        const plain = fitOf(bs, ties);
        const pairCount = new Map<string, number>();
        for (const b of bs) {
          const key = [b.modelA, b.modelB].sort().join('\u0000');
          pairCount.set(key, (pairCount.get(key) ?? 0) + (b.count ?? 1));
        }
        const floor = Math.max(...pairCount.values()) + extra;
        const rw = fitOf(bs, ties, { floor });
        closeArrays(rw.fit.ratings, plain.fit.ratings, 1e-6);
        closeArrays(rw.sd, plain.sd, 1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('relabelling (swapping sides and flipping outcomes) of weighted rows changes nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }).chain((m) => wellPosed(m, 40)), fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 100, maxLength: 100 }), fc.constantFrom(...MODELS), (bs, ws, ties) => {
        const weighted = bs.map((b, q) => ({ ...b, weight: ws[q % ws.length]! }));
        const flip = { a: 'b', b: 'a', tie: 'tie', bothbad: 'bothbad' } as const;
        const swapped = weighted.map((b) => ({ ...b, modelA: b.modelB, modelB: b.modelA, outcome: flip[b.outcome] }));
        const x = fitOf(weighted, ties, { floor: 3 });
        const y = fitOf(swapped, ties, { floor: 3 });
        closeArrays(x.fit.ratings, y.fit.ratings, 1e-6);
        closeArrays(x.sd, y.sd, 1e-8);
      }),
      { numRuns: 40 },
    );
  });
});
