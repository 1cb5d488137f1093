import { aggregatePairs } from '../../src/data/aggregate.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BattleTableBuilder } from '../../src/data/table.js';
import { PairBoard } from '../../src/sim/board.js';

/** The table of a board's votes built the plain way: one builder row per (pair, outcome) with a positive count. */
function viaBuilder(board: PairBoard) {
  const builder = new BattleTableBuilder();
  const ids = new Map<number, number>();
  const id = (v: number) => ids.get(v) ?? (ids.set(v, builder.intern(board.names[v]!)), ids.get(v)!);
  for (let i = 0; i < board.size; i++) {
    for (let j = i + 1; j < board.size; j++) {
      if (!board.present[i] || !board.present[j]) continue;
      for (let o = 0; o < 4; o++) {
        const c = board.counts[board.cell(i, j).base + o]!; // i < j: the cell is stored from i's side
        if (c > 0) builder.pushIds(id(i), id(j), o, c);
      }
    }
  }
  return builder.finish();
}

describe('PairBoard.toTable', () => {
  it('is the table a BattleTableBuilder gives for the same votes (names sorted, absent and silent models left out)', () => {
    const names = ['__proto__', 'zeta', 'alpha', 'mid', 'constructor', 'b'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 5 })), { maxLength: 40 }),
        fc.integer({ min: -1, max: 5 }),
        (votes, removed) => {
          const board = new PairBoard(8);
          names.forEach((n) => board.addModel(n, 1000, false));
          for (const [a, b, o, c] of votes) if (a !== b) board.add(a, b, o, c);
          if (removed >= 0) board.removeModel(removed);
          const got = board.toTable();
          const want = viaBuilder(board);
          expect(got.models).toEqual(want.models);
          expect([...got.a]).toEqual([...want.a]);
          expect([...got.b]).toEqual([...want.b]);
          expect([...got.outcome]).toEqual([...want.outcome]);
          expect([...got.count]).toEqual([...want.count]);
          expect([got.rows, got.battles]).toEqual([want.rows, want.battles]);
          // the pair counts the board hands over with its table are what a pass over the rows gives
          const handed = aggregatePairs(got);
          const fresh = aggregatePairs(want);
          expect(handed).not.toBe(fresh);
          for (const key of ['models', 'pairs', 'i', 'j', 'winsI', 'winsJ', 'ties', 'bothbad'] as const) {
            expect(handed[key]).toEqual(fresh[key]);
          }
          expect(aggregatePairs(got, { maxDenseModels: 1448 })).toEqual(fresh);
        },
      ),
    );
  });
});

describe('weighted PairBoard', () => {
  it('keeps Σw and Σw² per cell; toTable gives the mean weight and Σw², which aggregate back exactly; move carries mean weights', () => {
    const board = new PairBoard(3, true);
    board.addModel('x', 0, false);
    board.addModel('y', 0, false);
    board.addModel('z', 0, false);
    board.add(0, 1, 0, 2, 0.5); // x beats y twice, weight 0.5
    board.add(1, 0, 1, 1, 3); // seen from y: x won once more, weight 3
    board.add(2, 0, 2, 1); // a tie z–x, default weight 1
    const xy = board.cell(0, 1).base;
    expect(board.counts[xy]).toBe(3);
    expect(board.weights![xy]).toBe(2 * 0.5 + 3);
    expect(board.weights2![xy]).toBe(2 * 0.25 + 9);
    const t = board.toTable();
    const pc = aggregatePairs(t);
    const k = pc.i.findIndex((i, q) => t.models[i] === 'x' && t.models[pc.j[q]!] === 'y');
    expect(pc.winsI[k]).toBe(3);
    expect(pc.weight![4 * k]).toBeCloseTo(4, 12);
    expect(pc.weight2![4 * k]).toBe(9.5);
    // two of the three x-wins become y-wins: they take 2/3 of the cell's Σw and Σw² with them
    board.move(xy, xy + 1, 2);
    expect([board.counts[xy], board.counts[xy + 1]]).toEqual([1, 2]);
    expect(board.weights![xy]).toBeCloseTo(4 / 3, 12);
    expect(board.weights![xy + 1]).toBeCloseTo(8 / 3, 12);
    expect(board.weights2![xy]! + board.weights2![xy + 1]!).toBeCloseTo(9.5, 12);
    expect(board.weights2![xy + 1]).toBeCloseTo((2 * 9.5) / 3, 12);
    // a clone is independent and equal
    const c = board.clone();
    expect([...c.weights!]).toEqual([...board.weights!]);
    c.clearVotes(0);
    expect(c.weights![xy]).toBe(0);
    expect(board.weights![xy]).toBeCloseTo(4 / 3, 12);
  });
});
