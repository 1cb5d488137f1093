import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDisplayRules } from '../../src/leaderboard/display.js';
import { ciRanks, type Leaderboard, type LeaderboardRow } from '../../src/leaderboard/leaderboard.js';
import { rankBounds } from '../../src/stats/rank.js';

/** A board from (rating, half-widths, battles) rows, ranked by the library's own ciRanks/rankBounds over all rows. */
function board(rows: { model: string; rating: number; minus: number; plus: number; battles: number }[], intervals = true): Leaderboard {
  const sorted = [...rows].sort((a, b) => b.rating - a.rating || (a.model < b.model ? -1 : 1));
  const lo = sorted.map((r) => (intervals ? r.rating - r.minus : r.rating));
  const hi = sorted.map((r) => (intervals ? r.rating + r.plus : r.rating));
  const ranks = ciRanks(sorted.map((r) => r.rating), lo, hi);
  const b = rankBounds(lo, hi);
  const models: LeaderboardRow[] = sorted.map((r, k) => ({
    model: r.model,
    rating: r.rating,
    ...(intervals ? { lower: lo[k]!, upper: hi[k]!, rankLower: b.best[k]!, rankUpper: b.worst[k]! } : {}),
    rank: ranks[k]!,
    battles: r.battles,
    wins: 0,
    losses: 0,
    ties: 0,
  }));
  return { method: 'bt', params: {}, battles: 0, models, fit: { converged: true, iterations: 1, logLikelihood: 0, prior: 0 }, warnings: [] };
}

const rowsArb = fc
  .uniqueArray(fc.constantFrom('__proto__', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'constructor'), { minLength: 1, maxLength: 10 })
  .chain((names) =>
    fc.tuple(
      ...names.map((model) =>
        fc.record({
          model: fc.constant(model),
          rating: fc.integer({ min: 900, max: 1100 }),
          minus: fc.integer({ min: 0, max: 60 }),
          plus: fc.integer({ min: 0, max: 60 }),
          battles: fc.integer({ min: 0, max: 1000 }),
        }),
      ),
    ),
  );

/** Brute force: LMArena's rank of interval [lo, hi] among the pool's intervals, and the worst rank. */
const bruteRank = (pool: readonly LeaderboardRow[], r: LeaderboardRow) => 1 + pool.filter((u) => (u.lower ?? u.rating) > (r.upper ?? r.rating)).length;
const bruteWorst = (pool: readonly LeaderboardRow[], r: LeaderboardRow, self: boolean) => pool.length + (self ? 0 : 1) - pool.filter((u) => (u.upper ?? u.rating) < (r.lower ?? r.rating)).length;

describe('applyDisplayRules', () => {
  it('changes nothing in ranks without rules', () => {
    fc.assert(
      fc.property(rowsArb, fc.boolean(), (rows, iv) => {
        const lb = board(rows, iv);
        const d = applyDisplayRules(lb);
        expect(d.models.map((r) => [r.model, r.rank, r.rankLower, r.rankUpper])).toEqual(lb.models.map((r) => [r.model, r.rank, r.rankLower, r.rankUpper]));
        expect(d.display.hidden).toEqual([]);
      }),
    );
  });

  it('hides models below --min-votes and ranks the rest among themselves (brute force over the shown intervals)', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 0, max: 1000 }), fc.boolean(), (rows, k, iv) => {
        const lb = board(rows, iv);
        const d = applyDisplayRules(lb, { minVotes: k });
        const shown = lb.models.filter((r) => r.battles >= k);
        expect(d.models.map((r) => r.model)).toEqual(shown.map((r) => r.model));
        expect(d.display.hidden.map((h) => h.model).sort()).toEqual(lb.models.filter((r) => r.battles < k).map((r) => r.model).sort());
        d.models.forEach((r) => {
          expect(r.rank).toBe(bruteRank(shown, r));
          if (iv) expect(r.rankUpper).toBe(bruteWorst(shown, r, true));
        });
      }),
    );
  });

  it('deprecated models count in nobody\'s rank: the others rank as on the board without them; each gets its rank among the current ones', () => {
    fc.assert(
      fc.property(rowsArb, fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), (rows, flags) => {
        const deprecated: string[] = rows.filter((_, q) => flags[q]).map((r) => r.model);
        const d = applyDisplayRules(board(rows), { deprecated });
        const without = board(rows.filter((r) => !deprecated.includes(r.model)));
        const current = without.models;
        for (const r of d.models) {
          if (deprecated.includes(r.model)) {
            expect(r.deprecated).toBe(true);
            expect(r.rank).toBe(bruteRank(current, r));
            expect(r.rankUpper).toBe(bruteWorst(current, r, false));
          } else {
            const w = current.find((x) => x.model === r.model)!;
            expect([r.rank, r.rankLower, r.rankUpper]).toEqual([w.rank, w.rankLower, w.rankUpper]);
            expect(r.deprecated).toBeUndefined();
          }
        }
      }),
    );
  });

  // hand-worked board: A 1100 [1090, 1110], B 1080 [1060, 1100], C 1050 [1040, 1060], D 1000 [990, 1010] (30 votes)
  const hand = board([
    { model: 'A', rating: 1100, minus: 10, plus: 10, battles: 500 },
    { model: 'B', rating: 1080, minus: 20, plus: 20, battles: 400 },
    { model: 'C', rating: 1050, minus: 10, plus: 10, battles: 300 },
    { model: 'D', rating: 1000, minus: 10, plus: 10, battles: 30 },
  ]);

  it('hand-worked ranks: A 1, B 1, C 2 (only A lies wholly above), D 4; with A deprecated: B 1, C 1, D 3 and A keeps rank 1', () => {
    expect(hand.models.map((r) => r.rank)).toEqual([1, 1, 2, 4]);
    const d = applyDisplayRules(hand, { deprecated: ['A'] });
    expect(d.models.map((r) => [r.model, r.rank])).toEqual([['A', 1], ['B', 1], ['C', 1], ['D', 3]]);
  });

  it('Δ against a reference board by name (null for a model it does not have), and +x / −y', () => {
    const reference = { name: 'overall.json', ranks: new Map([['A', 2], ['B', 1], ['D', 4]]) };
    const d = applyDisplayRules(hand, { minVotes: 100, reference, intervalStyle: 'plusminus' });
    expect(d.models.map((r) => [r.model, r.delta, r.plus, r.minus])).toEqual([['A', -1, 10, 10], ['B', 0, 20, 20], ['C', null, 10, 10]]);
    expect(d.display).toMatchObject({ minVotes: 100, reference: 'overall.json', intervalStyle: 'plusminus', hidden: [{ model: 'D', battles: 30 }] });
  });

  it('warns about deprecated names that are not on the board, and rejects a negative --min-votes', () => {
    expect(applyDisplayRules(hand, { deprecated: ['Z'] }).warnings).toEqual(['Deprecated model not on this board: "Z".']);
    expect(() => applyDisplayRules(hand, { minVotes: -1 })).toThrow(RangeError);
  });
});
