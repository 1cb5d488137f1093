/**
 * No command prints a point outside its own interval: for every model of the family and both interval methods, on
 * random boards, each rating lies in its interval, and compare's gap and expected score lie in theirs. Online Elo's
 * rounds replay the resampled battles in their original order (the estimator the point is), so its percentile
 * intervals hold the point without widening on the real data (measured in the note of issue 12: 0 of 129 models
 * widened, against 94 of 129 with FastChat's random-order replay).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import type { ModelOptions } from '../../src/models/types.js';
import { compareModels } from '../../src/stats/compare.js';
import { percentileIntervals } from '../../src/stats/interval.js';
import { rateWithIntervals, type IntervalOptions } from '../../src/stats/uncertainty.js';
import { toTable, wellPosed } from '../arbitraries.js';
import { FIXTURES } from '../helpers.js';

const CASES: [string, Partial<ModelOptions>, Partial<IntervalOptions>][] = [
  ['bt, sandwich', {}, {}],
  ['bt, bootstrap', {}, { ciMethod: 'bootstrap', rounds: 30, threads: 1 }],
  ['davidson, sandwich', { ties: 'davidson' }, {}],
  ['rao-kupper, bootstrap', { ties: 'rao-kupper' }, { ciMethod: 'bootstrap', rounds: 30, threads: 1 }],
  ['elo, bootstrap', { method: 'elo' }, { ciMethod: 'bootstrap', rounds: 30, threads: 1 }],
];

describe('every point lies in its own interval (property, random boards)', () => {
  for (const [name, model, intervals] of CASES) {
    it(name, { timeout: 120_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(wellPosed(4), fc.integer({ min: 0, max: 1000 }), async (bs, seed) => {
          const rated = await rateWithIntervals(toTable(bs), model, { ...intervals, seed });
          const { lower, upper } = rated.intervals!;
          const r = rated.point.ratings;
          for (let v = 0; v < r.length; v++) if (!(lower[v]! <= r[v]! && r[v]! <= upper[v]!)) return false;
          const c = compareModels(rated, 0, 1, rated.point.options);
          return c.gap.lower <= c.gap.estimate && c.gap.estimate <= c.gap.upper && c.winProbability.lower <= c.winProbability.estimate && c.winProbability.estimate <= c.winProbability.upper;
        }),
        { numRuns: 15 },
      );
    });
  }
});

describe('online Elo bootstrap on real data', () => {
  it('the in-order ratings lie inside the raw percentile range of the ordered rounds for every model (no widening)', { timeout: 120_000 }, async () => {
    const t = await readBattles([`${FIXTURES}/data/llmfao/battles.jsonl`]);
    const rated = await rateWithIntervals(t, { method: 'elo' }, { ciMethod: 'bootstrap', rounds: 100, seed: 1 });
    // with FastChat's random-order replay 7 of these 59 models needed widening
    expect(percentileIntervals(rated.dist!, rated.point.ratings, 0.95).widened).toEqual([]);
  });
});
