import { expectedScore } from '../../src/rating/predict.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { pairwiseMatrix } from '../../src/plot/pairwise.js';
import { DEFAULT_SCALE } from '../../src/rating/scale.js';
import { battlesAmong, toTable, type PlainBattle } from '../arbitraries.js';

const names = ['alpha', 'beta', '__proto__', 'constructor'];

describe('pairwiseMatrix', () => {
  it('known values: predicted from the logistic curve, observed with ties half or ignored, counts', () => {
    const t = toTable([
      { modelA: 'alpha', modelB: 'beta', outcome: 'a', count: 6 },
      { modelA: 'beta', modelB: 'alpha', outcome: 'a', count: 2 },
      { modelA: 'alpha', modelB: 'beta', outcome: 'tie', count: 1 },
      { modelA: 'beta', modelB: 'alpha', outcome: 'bothbad', count: 1 },
      { modelA: 'beta', modelB: 'gamma', outcome: 'tie', count: 3 },
    ]);
    const pc = aggregatePairs(t); // models sorted: alpha, beta, gamma
    const ratings = [1100, 1000, 1000];
    const half = pairwiseMatrix(pc, (i, j) => expectedScore(ratings[i]!, ratings[j]!, DEFAULT_SCALE), [0, 1, 2], 'half');
    expect(half.models).toEqual(['alpha', 'beta', 'gamma']);
    expect(half.predicted[0 * 3 + 1]).toBeCloseTo(0.6400649998028851, 15); // 1/(1+10^(−100/400))
    expect(half.predicted[1 * 3 + 0]).toBeCloseTo(1 - 0.6400649998028851, 15);
    expect(half.predicted[1 * 3 + 2]).toBe(0.5);
    expect(Number.isNaN(half.predicted[0])).toBe(true);
    expect(half.observed[0 * 3 + 1]).toBeCloseTo((6 + 1) / 10, 15); // 6 wins + ½·2 ties of 10
    expect(half.observed[1 * 3 + 2]).toBe(0.5);
    expect(Number.isNaN(half.observed[0 * 3 + 2])).toBe(true); // alpha and gamma never met
    expect([...half.counts]).toEqual([0, 10, 0, 10, 0, 3, 0, 3, 0]);
    const ignore = pairwiseMatrix(pc, (i, j) => expectedScore(ratings[i]!, ratings[j]!, DEFAULT_SCALE), [1, 0], 'ignore');
    expect(ignore.models).toEqual(['beta', 'alpha']);
    expect(ignore.observed[1 * 2 + 0]).toBeCloseTo(6 / 8, 15);
    expect(ignore.counts[1]).toBe(10); // counts keep every outcome
    const onlyTies = pairwiseMatrix(pc, (i, j) => expectedScore(ratings[i]!, ratings[j]!, DEFAULT_SCALE), [1, 2], 'ignore');
    expect(Number.isNaN(onlyTies.observed[1])).toBe(true);
  });

  it('rejects repeated or out-of-range ids', () => {
    const pc = aggregatePairs(toTable([{ modelA: 'a', modelB: 'b', outcome: 'a' }]));
    expect(() => pairwiseMatrix(pc, () => 0.5, [0, 0], 'half')).toThrow(/repeated/);
    expect(() => pairwiseMatrix(pc, () => 0.5, [2], 'half')).toThrow(/out of range/);
  });

  it('property: agrees with a naive count over the battle rows; complementary and symmetric', () => {
    const ratingsArb = fc.array(fc.double({ min: 500, max: 1500, noNaN: true }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(battlesAmong(names), ratingsArb, fc.constantFrom<'half' | 'ignore'>('half', 'ignore'), fc.shuffledSubarray([0, 1, 2, 3], { minLength: 1 }), (bs: PlainBattle[], rs, ties, pick) => {
        const t = toTable(bs);
        const pc = aggregatePairs(t);
        const order = pick.filter((v) => v < t.models.length);
        fc.pre(order.length > 0);
        const ratings = rs.slice(0, t.models.length);
        const mx = pairwiseMatrix(pc, (i, j) => expectedScore(ratings[i]!, ratings[j]!, DEFAULT_SCALE), order, ties);
        const n = order.length;
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < n; c++) {
            const x = t.models[order[r]!]!;
            const y = t.models[order[c]!]!;
            // naive: scan the plain battles
            let wins = 0;
            let losses = 0;
            let tied = 0;
            for (const b of bs) {
              const k = b.count ?? 1;
              if (b.modelA === x && b.modelB === y) {
                if (b.outcome === 'a') wins += k;
                else if (b.outcome === 'b') losses += k;
                else tied += k;
              } else if (b.modelA === y && b.modelB === x) {
                if (b.outcome === 'b') wins += k;
                else if (b.outcome === 'a') losses += k;
                else tied += k;
              }
            }
            expect(mx.counts[r * n + c]).toBe(r === c ? 0 : wins + losses + tied);
            const played = ties === 'half' ? wins + losses + tied : wins + losses;
            const obs = mx.observed[r * n + c]!;
            if (r === c || played === 0) expect(Number.isNaN(obs)).toBe(true);
            else {
              expect(obs).toBeCloseTo(ties === 'half' ? (wins + tied / 2) / played : wins / played, 12);
              expect(obs + mx.observed[c * n + r]!).toBeCloseTo(1, 12);
            }
            if (r !== c) expect(mx.predicted[r * n + c]! + mx.predicted[c * n + r]!).toBeCloseTo(1, 12);
          }
        }
      }),
    );
  });
});
