import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { BattleTableBuilder, sortByTimestamp, tableFromBattles } from '../../src/data/table.js';
import { battlesAmong } from '../arbitraries.js';

describe('BattleTableBuilder', () => {
  it('keeps every row through in-place growth past the doubling range (1.3M rows)', () => {
    const builder = new BattleTableBuilder();
    const ids = ['c', 'a', 'b'].map((n) => builder.intern(n));
    const n = 1_300_000;
    for (let i = 0; i < n; i++) builder.pushIds(ids[i % 3]!, ids[(i + 1) % 3]!, i & 3, 1 + (i % 5), i >= 700_000 ? i : undefined);
    const t = builder.finish();
    expect(t.models).toEqual(['a', 'b', 'c']); // ids follow sorted names: c→2, a→0, b→1
    expect(t.rows).toBe(n);
    expect(t.a.length).toBe(n);
    let battles = 0;
    for (const i of [0, 1, 2, 1023, 1024, 699_999, 700_000, 1_048_575, 1_048_576, 1_299_999]) {
      expect([t.a[i], t.b[i], t.outcome[i], t.count[i]]).toEqual([[2, 0, 1][i % 3], [2, 0, 1][(i + 1) % 3], i & 3, 1 + (i % 5)]);
      expect(t.tstamp![i]).toBe(i >= 700_000 ? i : Number.NaN);
    }
    for (let i = 0; i < n; i++) battles += 1 + (i % 5);
    expect(t.battles).toBe(battles);
  });
  it('grows by copying where resizable ArrayBuffers are missing (same table)', async () => {
    const Real = ArrayBuffer;
    class NoResizable extends Real {
      constructor(n: number, opts?: unknown) {
        if (opts !== undefined) throw new RangeError('resizable ArrayBuffer not supported');
        super(n);
      }
    }
    const fill = (B: typeof BattleTableBuilder) => {
      const builder = new B();
      for (let i = 0; i < 5000; i++) builder.push(`m${i % 7}`, `m${(i + 1) % 7}`, 'tie', 1 + (i % 3), i % 2 ? i : undefined);
      return builder.finish();
    };
    vi.resetModules();
    vi.stubGlobal('ArrayBuffer', NoResizable);
    let copied;
    try {
      const mod = await import('../../src/data/table.js');
      copied = fill(mod.BattleTableBuilder);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
    const inPlace = fill(BattleTableBuilder);
    expect(copied).toEqual(inPlace);
    expect(copied.rows).toBe(5000);
  });
  it('drops timestamps when asked, and refuses reuse after finish', () => {
    const builder = new BattleTableBuilder({ tstamp: false });
    builder.push('x', 'y', 'a', 2, 100);
    const t = builder.finish();
    expect(t.tstamp).toBeNull();
    expect(t.battles).toBe(2);
    expect(() => builder.finish()).toThrow(/finish\(\) called twice/);
  });
});

describe('aggregatePairs: dense and sparse strategies agree', () => {
  it('same cells for random battles (property)', () => {
    const names = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    fc.assert(
      fc.property(battlesAmong(names, { maxLength: 80, withCount: true }), (bs) => {
        const t = tableFromBattles(bs);
        const dense = aggregatePairs(t);
        const sparse = aggregatePairs(t, { maxDenseModels: 0 });
        expect(dense).toEqual(sparse);
        // and both match a count made the plain way, cell by cell
        const want = new Map<string, number[]>();
        for (const b of bs) {
          const [x, y, flip] = b.modelA < b.modelB ? [b.modelA, b.modelB, false] : [b.modelB, b.modelA, true];
          const cell = want.get(`${x}|${y}`) ?? [0, 0, 0, 0];
          const o = { a: flip ? 1 : 0, b: flip ? 0 : 1, tie: 2, bothbad: 3 }[b.outcome];
          cell[o]! += b.count ?? 1;
          want.set(`${x}|${y}`, cell);
        }
        expect(dense.pairs).toBe(want.size);
        for (let k = 0; k < dense.pairs; k++) {
          const key = `${t.models[dense.i[k]!]}|${t.models[dense.j[k]!]}`;
          expect([dense.winsI[k], dense.winsJ[k], dense.ties[k], dense.bothbad[k]]).toEqual(want.get(key));
          if (k > 0) expect(dense.i[k - 1]! < dense.i[k]! || (dense.i[k - 1] === dense.i[k] && dense.j[k - 1]! < dense.j[k]!)).toBe(true);
        }
      }),
    );
  });
  it('same cells, bit for bit, with per-row weights (Σw and Σw² summed in row order by both)', () => {
    const names = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    fc.assert(
      fc.property(battlesAmong(names, { maxLength: 80, withCount: true }), fc.array(fc.double({ min: 0.01, max: 3, noNaN: true }), { minLength: 80, maxLength: 80 }), (bs, ws) => {
        const base = tableFromBattles(bs);
        const t = { ...base, weight: Float64Array.from({ length: base.rows }, (_, r) => ws[r]!) };
        const dense = aggregatePairs(t);
        const sparse = aggregatePairs(t, { maxDenseModels: 0 });
        expect(sparse.weight).toBeDefined();
        expect(dense).toEqual(sparse);
      }),
    );
  });
});

describe('sortByTimestamp', () => {
  it('returns time-ordered data as is and sorts the rest stably', () => {
    const sorted = tableFromBattles([
      { modelA: 'x', modelB: 'y', outcome: 'a', tstamp: 1 },
      { modelA: 'x', modelB: 'y', outcome: 'b', tstamp: 1 },
      { modelA: 'x', modelB: 'y', outcome: 'tie', tstamp: 2 },
    ]);
    expect(sortByTimestamp(sorted)).toBe(sorted);
    const mixed = tableFromBattles([
      { modelA: 'x', modelB: 'y', outcome: 'tie', tstamp: 2 },
      { modelA: 'x', modelB: 'y', outcome: 'a', tstamp: 1 },
      { modelA: 'x', modelB: 'y', outcome: 'b', tstamp: 1 },
    ]);
    expect([...sortByTimestamp(mixed).outcome]).toEqual([0, 1, 2]);
  });
});
