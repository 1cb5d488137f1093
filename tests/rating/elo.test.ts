import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tableFromBattles } from '../../src/data/table.js';
import { DEFAULT_ELO, replayElo } from '../../src/rating/elo.js';
import { bradleyTerry } from '../../src/models/bradley-terry.js';
import { elo } from '../../src/models/elo.js';
import { DEFAULT_MODEL } from '../../src/models/types.js';
import { battlesAmong, modelName, type PlainBattle, toTable } from '../arbitraries.js';

const byName = (t: ReturnType<typeof tableFromBattles>, r: Float64Array) => new Map(t.models.map((m, i) => [m, r[i]!]));

describe('replayElo: known values', () => {
  // Expected values computed with FastChat's compute_elo (elo_analysis.py), run in Python 3.11:
  // battles A>B, B>A, B=C (tie), C=A (tie (bothbad)), A>C.
  // Compared to 1e-9 points, not bit for bit: replayElo uses one Math.exp per battle (eb = 1 − ea) instead of
  // FastChat's two `BASE ** x`, equal in exact arithmetic; and even Math.pow differs from CPython's ** in the last
  // bit for ~10% of exponents, so bit parity with FastChat is not possible in JavaScript anyway.
  const near = (x: number | undefined, expected: number) => expect(Math.abs(x! - expected)).toBeLessThanOrEqual(1e-9);
  const seq: PlainBattle[] = [
    { modelA: 'A', modelB: 'B', outcome: 'a' },
    { modelA: 'A', modelB: 'B', outcome: 'b' },
    { modelA: 'B', modelB: 'C', outcome: 'tie' },
    { modelA: 'C', modelB: 'A', outcome: 'bothbad' },
    { modelA: 'A', modelB: 'C', outcome: 'a' },
  ];
  it('matches FastChat with K=4', () => {
    const t = tableFromBattles(seq);
    const r = byName(t, replayElo(t));
    near(r.get('A'), 1001.9772402407646);
    near(r.get('B'), 1000.022892292048);
    near(r.get('C'), 997.9998674671874);
  });
  it('matches FastChat with K=32', () => {
    const t = tableFromBattles(seq);
    const r = byName(t, replayElo(t, { ...DEFAULT_ELO, k: 32 }));
    near(r.get('A'), 1014.6655567266682);
    near(r.get('B'), 1001.401828886217);
    near(r.get('C'), 983.9326143871148);
  });
  it('a first win between equals moves each side by K/2', () => {
    const t = tableFromBattles([{ modelA: 'x', modelB: 'y', outcome: 'a' }]);
    expect([...replayElo(t)]).toEqual([1002, 998]);
  });
  it('--ties ignore skips tie rows', () => {
    const t = tableFromBattles([
      { modelA: 'x', modelB: 'y', outcome: 'tie' },
      { modelA: 'x', modelB: 'y', outcome: 'bothbad' },
    ]);
    expect([...replayElo(t, { ...DEFAULT_ELO, ties: 'ignore' })]).toEqual([1000, 1000]);
  });
});

/** FastChat's compute_elo written literally (two `base ** x` per battle): the independent implementation. */
function eloPow(t: ReturnType<typeof toTable>, o: typeof DEFAULT_ELO): Float64Array {
  const r = new Float64Array(t.models.length).fill(o.initial);
  for (let q = 0; q < t.rows; q++) {
    const out = t.outcome[q]!;
    if (out >= 2 && o.ties === 'ignore') continue;
    const [a, b] = [t.a[q]!, t.b[q]!];
    const sa = out === 0 ? 1 : out === 1 ? 0 : 0.5;
    for (let c = 0; c < t.count[q]!; c++) {
      const [ra, rb] = [r[a]!, r[b]!];
      const ea = 1 / (1 + o.base ** ((rb - ra) / o.scale));
      const eb = 1 / (1 + o.base ** ((ra - rb) / o.scale));
      r[a] = ra + o.k * (sa - ea);
      r[b] = rb + o.k * (1 - sa - eb);
    }
  }
  return r;
}

describe('replayElo: properties', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  it('agrees with the literal two-power FastChat formula to 1e-9 points (one exp per battle is a rewrite, not an approximation)', () => {
    fc.assert(
      fc.property(
        battlesAmong(names, { withCount: true, maxLength: 200 }),
        fc.double({ min: 0.5, max: 64, noNaN: true }),
        fc.constantFrom(10, Math.E, 2),
        fc.double({ min: 50, max: 800, noNaN: true }),
        fc.constantFrom('half' as const, 'ignore' as const),
        (bs, k, base, scale, ties) => {
          const t = toTable(bs);
          const o = { ...DEFAULT_ELO, k, base, scale, ties };
          const fast = replayElo(t, o);
          const slow = eloPow(t, o);
          for (let v = 0; v < fast.length; v++) expect(Math.abs(fast[v]! - slow[v]!)).toBeLessThanOrEqual(1e-9);
        },
      ),
    );
  });
  it('conserves the total rating (zero-sum updates)', () => {
    fc.assert(
      fc.property(battlesAmong(names, { withCount: true }), fc.double({ min: 0.5, max: 64, noNaN: true }), (bs, k) => {
        const t = toTable(bs);
        const r = replayElo(t, { ...DEFAULT_ELO, k });
        const total = r.reduce((s, x) => s + x, 0);
        expect(Math.abs(total - 1000 * t.models.length)).toBeLessThan(1e-9 * t.battles * k + 1e-9);
      }),
    );
  });
  it('k = 0 leaves every rating at initial', () => {
    fc.assert(
      fc.property(battlesAmong(names), fc.integer({ min: -500, max: 2000 }), (bs, initial) => {
        const r = replayElo(toTable(bs), { ...DEFAULT_ELO, k: 0, initial });
        expect([...r].every((x) => x === initial)).toBe(true);
      }),
    );
  });
  it('swapping sides and flipping the outcome changes nothing', () => {
    const flip = { a: 'b', b: 'a', tie: 'tie', bothbad: 'bothbad' } as const;
    fc.assert(
      fc.property(battlesAmong(names), (bs) => {
        const swapped = bs.map((x) => ({ modelA: x.modelB, modelB: x.modelA, outcome: flip[x.outcome] }));
        const r1 = byName(toTable(bs), replayElo(toTable(bs)));
        const t2 = toTable(swapped);
        const r2 = byName(t2, replayElo(t2));
        for (const [m, v] of r1) expect(r2.get(m)).toBeCloseTo(v, 9);
      }),
    );
  });
  it('relabelling models permutes the ratings (names are data, even __proto__)', () => {
    fc.assert(
      fc.property(battlesAmong(names), fc.uniqueArray(modelName, { minLength: 5, maxLength: 5 }), (bs, labels) => {
        const map = new Map(names.map((n, i) => [n, labels[i]!]));
        const t1 = toTable(bs);
        const t2 = toTable(bs.map((x) => ({ ...x, modelA: map.get(x.modelA)!, modelB: map.get(x.modelB)! })));
        const r1 = byName(t1, replayElo(t1));
        const r2 = byName(t2, replayElo(t2));
        for (const [m, v] of r1) expect(r2.get(map.get(m)!)).toBe(v);
      }),
    );
  });
  it('a row with count c equals c repeated rows', () => {
    fc.assert(
      fc.property(battlesAmong(names, { withCount: true }), (bs) => {
        const expanded = bs.flatMap((x) => Array.from({ length: x.count ?? 1 }, () => ({ ...x, count: 1 })));
        expect([...replayElo(toTable(bs))]).toEqual([...replayElo(toTable(expanded))]);
      }),
    );
  });
});

describe('online Elo warns when its replay order is not a time order', () => {
  const t0 = 1_700_000_000;
  const fitElo = (bs: PlainBattle[]) => elo.fit(toTable(bs), { ...DEFAULT_MODEL, method: 'elo' });
  it('rows with count > 1: one warning, naming the rows', () => {
    const w = fitElo([
      { modelA: 'A', modelB: 'B', outcome: 'a', count: 3 },
      { modelA: 'B', modelB: 'A', outcome: 'a', count: 1 },
    ]).warnings;
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^1 of 2 rows carry a count > 1, so their battles replay back to back in file order, not in time order; online Elo depends on the order/);
    expect(w[0]).toContain('--orderings 100 --sort input.');
  });
  it('no timestamps: a warning; timestamps out of order: points to --sort tstamp; in time order: none', () => {
    const bs: PlainBattle[] = [
      { modelA: 'A', modelB: 'B', outcome: 'a' },
      { modelA: 'B', modelB: 'A', outcome: 'a' },
      { modelA: 'A', modelB: 'C', outcome: 'tie' },
    ];
    expect(fitElo(bs).warnings).toEqual([expect.stringMatching(/^The battles have no timestamps, so online Elo replays them in file order/)]);
    const shuffled = bs.map((b, i) => ({ ...b, tstamp: t0 + [5, 1, 9][i]! }));
    expect(fitElo(shuffled).warnings).toEqual([expect.stringMatching(/^The battles are not in time order \(1 step back in tstamp\): replay them by time with --sort tstamp;/)]);
    const ordered = bs.map((b, i) => ({ ...b, tstamp: t0 + i }));
    expect(fitElo(ordered).warnings).toEqual([]);
    const partly = bs.map((b, i) => (i === 1 ? b : { ...b, tstamp: t0 + i }));
    expect(fitElo(partly).warnings).toEqual([expect.stringMatching(/^1 of 3 battles have no timestamp/)]);
  });
  it('Bradley–Terry, which does not depend on order, never gets the warning', () => {
    const t = toTable([{ modelA: 'A', modelB: 'B', outcome: 'a', count: 3 }, { modelA: 'B', modelB: 'A', outcome: 'a', count: 2 }]);
    expect(bradleyTerry.fit(t, DEFAULT_MODEL).warnings.join(' ')).not.toMatch(/order/);
  });
});
