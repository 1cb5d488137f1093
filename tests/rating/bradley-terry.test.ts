import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { tableFromBattles } from '../../src/data/table.js';
import { btCells, fitBradleyTerry, fitBradleyTerryMM } from '../../src/rating/bradley-terry.js';
import { InputError } from '../../src/errors.js';
import { analyseGraph } from '../../src/rating/graph.js';
import { fitBt, rateTable } from '../helpers.js';
import { anyBattles, battlesAmong, connectedBattles, modelName, type PlainBattle, splitBattles, toTable, undefeatedBattles } from '../arbitraries.js';

const rep = (modelA: string, modelB: string, outcome: PlainBattle['outcome'], count: number): PlainBattle => ({ modelA, modelB, outcome, count });
const ratingsOf = (bs: PlainBattle[], opts = {}) => new Map(rateTable(toTable(bs), opts).models.map((r) => [r.model, r.rating]));

describe('fitBradleyTerry: known values', () => {
  // Wikipedia "Bradley–Terry model" worked example (also lmarena/arena-rank's test): A beat B 2 times and lost 3,
  // A–D 1:4, B–C 5:3, C–D 1:3. MLE strengths normalised to geometric mean 1: A .640, B 1.043, C .660, D 2.270.
  const wiki = [rep('A', 'B', 'a', 2), rep('A', 'B', 'b', 3), rep('A', 'D', 'a', 1), rep('A', 'D', 'b', 4), rep('B', 'C', 'a', 5), rep('B', 'C', 'b', 3), rep('C', 'D', 'a', 1), rep('C', 'D', 'b', 3)];
  it('reproduces the Wikipedia 4-team example', () => {
    const t = toTable(wiki);
    const fit = fitBradleyTerry(btCells(aggregatePairs(t), 'half'));
    const strengths = [...fit.theta].map(Math.exp);
    expect(t.models).toEqual(['A', 'B', 'C', 'D']);
    expect(strengths.map((x) => Math.round(x * 1000) / 1000)).toEqual([0.64, 1.043, 0.66, 2.27]);
    expect(fit.converged).toBe(true);
  });
  it('Newton and MM agree on it to 1e-9 natural units', () => {
    const cells = btCells(aggregatePairs(toTable(wiki)), 'half');
    const a = fitBradleyTerry(cells, { tolerance: 1e-9 });
    const b = fitBradleyTerryMM(cells, { tolerance: 1e-9 });
    for (let v = 0; v < 4; v++) expect(a.theta[v]).toBeCloseTo(b.theta[v]!, 9);
  });
  it('two models: the gap is scale·log_base(wins_a / wins_b), ties counting half', () => {
    const r = ratingsOf([rep('x', 'y', 'a', 7), rep('x', 'y', 'b', 2), rep('x', 'y', 'tie', 3), rep('y', 'x', 'bothbad', 1)]);
    // x scores 7 + 2 = 9, y scores 2 + 2 = 4
    expect(r.get('x')! - r.get('y')!).toBeCloseTo(400 * Math.log10(9 / 4), 6);
    expect((r.get('x')! + r.get('y')!) / 2).toBeCloseTo(1000, 9);
  });
});

describe('fitBradleyTerry: properties', () => {
  const names = ['m0', 'm1', 'm2', 'm3', 'm4'];
  it('two models: gap formula holds for any counts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), (wa, wb, t, tb) => {
        const r = ratingsOf([rep('p', 'q', 'a', wa), rep('q', 'p', 'a', wb), rep('p', 'q', 'tie', t || 1), rep('p', 'q', 'bothbad', tb || 1)].filter((x) => x.count! > 0));
        const sa = wa + ((t || 1) + (tb || 1)) / 2;
        const sb = wb + ((t || 1) + (tb || 1)) / 2;
        expect(r.get('p')! - r.get('q')!).toBeCloseTo(400 * Math.log10(sa / sb), 6);
      }),
    );
  });
  it('is invariant to row order and to duplicating every battle', () => {
    // a real permutation: fast-check's shuffledSubarray at full length (any order, shrinkable)
    const withShuffle = connectedBattles(5).chain((bs) => fc.tuple(fc.constant(bs), fc.shuffledSubarray(bs, { minLength: bs.length, maxLength: bs.length })));
    const key = (x: PlainBattle) => JSON.stringify([x.modelA, x.modelB, x.outcome, x.count ?? 1]);
    fc.assert(
      fc.property(withShuffle, ([bs, shuffled]) => {
        // it is a permutation: same multiset of rows (each row object used once), same length
        expect(shuffled).toHaveLength(bs.length);
        expect(new Set(shuffled).size).toBe(bs.length);
        expect(shuffled.map(key).sort()).toEqual(bs.map(key).sort());
        const base = ratingsOf(bs);
        const doubled = [...bs, ...bs];
        for (const other of [ratingsOf(shuffled), ratingsOf(doubled)]) for (const [m, v] of base) expect(other.get(m)!).toBeCloseTo(v, 6);
      }),
    );
  });
  it('swapping sides and flipping the outcome changes nothing', () => {
    const flip = { a: 'b', b: 'a', tie: 'tie', bothbad: 'bothbad' } as const;
    fc.assert(
      fc.property(connectedBattles(4), (bs) => {
        const base = ratingsOf(bs);
        const other = ratingsOf(bs.map((x) => ({ modelA: x.modelB, modelB: x.modelA, outcome: flip[x.outcome] })));
        for (const [m, v] of base) expect(other.get(m)!).toBeCloseTo(v, 9);
      }),
    );
  });
  it('relabelling models permutes the ratings', () => {
    fc.assert(
      fc.property(connectedBattles(5), fc.uniqueArray(modelName, { minLength: 5, maxLength: 5 }), (bs, labels) => {
        const map = new Map(names.map((n, i) => [n, labels[i]!]));
        const base = ratingsOf(bs);
        const other = ratingsOf(bs.map((x) => ({ ...x, modelA: map.get(x.modelA)!, modelB: map.get(x.modelB)! })));
        for (const [m, v] of base) expect(other.get(map.get(m)!)!).toBeCloseTo(v, 9);
      }),
    );
  });
  it('--anchor is a pure shift', () => {
    fc.assert(
      fc.property(connectedBattles(5), fc.constantFrom(...names), fc.double({ min: 500, max: 2000, noNaN: true }), (bs, model, rating) => {
        const base = ratingsOf(bs);
        const anchored = ratingsOf(bs, { anchor: { model, rating } });
        expect(anchored.get(model)).toBeCloseTo(rating, 9);
        const shift = rating - base.get(model)!;
        for (const [m, v] of base) expect(anchored.get(m)!).toBeCloseTo(v + shift, 9);
      }),
    );
  });
  it('aggregated count rows equal repeated rows', () => {
    fc.assert(
      fc.property(connectedBattles(4).chain((bs) => fc.tuple(fc.constant(bs), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: bs.length, maxLength: bs.length }))), ([bs, counts]) => {
        const counted = bs.map((x, i) => ({ ...x, count: counts[i]! }));
        const expanded = counted.flatMap((x) => Array.from({ length: x.count }, () => ({ ...x, count: 1 })));
        const a = ratingsOf(counted);
        const b = ratingsOf(expanded);
        for (const [m, v] of a) expect(b.get(m)!).toBeCloseTo(v, 9);
      }),
    );
  });
  it('Newton and MM agree to 1e-6 rating points on connected data', () => {
    fc.assert(
      fc.property(connectedBattles(5, { maxLength: 80 }), (bs) => {
        const cells = btCells(aggregatePairs(toTable(bs)), 'half');
        const a = fitBradleyTerry(cells, { tolerance: 1e-8 });
        const b = fitBradleyTerryMM(cells, { tolerance: 1e-8, maxIterations: 1_000_000 });
        expect(a.converged && b.converged).toBe(true);
        for (let v = 0; v < cells.m; v++) expect(Math.abs(a.theta[v]! - b.theta[v]!) * (400 / Math.log(10))).toBeLessThan(1e-6);
      }),
      { numRuns: 30 },
    );
  });
  it('the Newton fit is a stationary point: the gradient vanishes and ratings average to initial', () => {
    // the gradient of the penalised log-likelihood Σ_cells [s·log σ(θi−θj) + (n−s)·log σ(θj−θi)] − λ/2·Σθ²,
    // computed here from the cells: g_v = Σ_{cells with i = v} (s − n·p) − Σ_{cells with j = v} (s − n·p) − λ·θ_v
    const bsAndPrior = fc.tuple(fc.oneof(connectedBattles(5), battlesAmong(names, { withCount: true, maxLength: 20 })), fc.constantFrom<number | 'auto'>('auto', 0.01, 0.3, 2));
    fc.assert(
      fc.property(bsAndPrior, ([bs, prior]) => {
        const point = fitBt(toTable(bs), { prior });
        const mean = point.ratings.reduce((s, r) => s + r, 0) / point.ratings.length;
        expect(mean).toBeCloseTo(1000, 9);
        expect(point.fit.converged).toBe(true);
        const cells = point.cells;
        const theta = point.theta;
        const lambda = point.prior;
        if (prior !== 'auto') expect(lambda).toBe(prior);
        const g = Array.from(theta, (t) => -lambda * t);
        let scale = 1;
        for (let k = 0; k < cells.pairs; k++) {
          const i = cells.i[k]!;
          const j = cells.j[k]!;
          const p = 1 / (1 + Math.exp(theta[j]! - theta[i]!));
          const r = cells.s[k]! - cells.n[k]! * p;
          g[i]! += r;
          g[j]! -= r;
          scale += cells.n[k]!;
        }
        for (const gv of g) expect(Math.abs(gv)).toBeLessThan(1e-7 * scale);
      }),
    );
  });
});

describe('degenerate data', () => {
  it('a model that never lost: finite ratings, a warning, no NaN', () => {
    const lb = rateTable(tableFromBattles([rep('champ', 'b', 'a', 5), rep('b', 'c', 'a', 2), rep('c', 'b', 'a', 1)]));
    expect(lb.models.every((r) => Number.isFinite(r.rating))).toBe(true);
    expect(lb.models[0]!.model).toBe('champ');
    expect(lb.warnings.join(' ')).toMatch(/"champ" never lost/);
    expect(lb.warnings.join(' ')).toMatch(/ridge prior/);
    expect(lb.fit.prior).toBe(0.01);
  });
  it('a model that never won is last and named', () => {
    const lb = rateTable(tableFromBattles([rep('a', 'loser', 'a', 3), rep('a', 'b', 'a', 2), rep('b', 'a', 'a', 1), rep('b', 'loser', 'a', 1)]));
    expect(lb.models.at(-1)!.model).toBe('loser');
    expect(lb.warnings.join(' ')).toMatch(/"loser" never won/);
  });
  it('disconnected parts: warned, each part finite', () => {
    const lb = rateTable(tableFromBattles([rep('a', 'b', 'a', 3), rep('a', 'b', 'b', 1), rep('c', 'd', 'a', 1), rep('c', 'd', 'b', 4)]));
    expect(lb.warnings[0]).toMatch(/2 disconnected parts/);
    expect(lb.models.every((r) => Number.isFinite(r.rating))).toBe(true);
  });
  it('one battle, one tie: the MLE exists (equal ratings), no prior', () => {
    const lb = rateTable(tableFromBattles([rep('a', 'b', 'tie', 1)]));
    expect(lb.warnings).toEqual([]);
    expect(lb.models.map((r) => r.rating)).toEqual([1000, 1000]);
  });
  it('one decisive battle: the prior fixes the gap exactly (the penalised MLE, solved here by bisection)', () => {
    // two models, a beat b once; θ = (x/2, −x/2) by symmetry of the ridge, so the penalised log-likelihood is
    // log σ(x) − λ/2·(x²/4 + x²/4) and its stationarity equation is 1 − σ(x) − λ·x/2 = 0 (decreasing in x)
    for (const prior of ['auto', 0.01, 0.5, 3] as const) {
      const lb = rateTable(tableFromBattles([rep('a', 'b', 'a', 1)]), { prior });
      const lambda = prior === 'auto' ? 0.01 : prior;
      expect(lb.fit.prior).toBe(lambda);
      let lo = 0;
      let hi = 1000;
      for (let it = 0; it < 200 && hi - lo > 1e-13; it++) {
        const x = (lo + hi) / 2;
        if (1 - 1 / (1 + Math.exp(-x)) - (lambda * x) / 2 > 0) lo = x;
        else hi = x;
      }
      const gap = ((lo + hi) / 2) * (400 / Math.log(10));
      expect(lb.models[0]!.model).toBe('a');
      expect(Math.abs(lb.models[0]!.rating - lb.models[1]!.rating - gap)).toBeLessThan(1e-5);
      expect((lb.models[0]!.rating + lb.models[1]!.rating) / 2).toBeCloseTo(1000, 9);
    }
  });
  it('an explicit zero prior on data without an MLE is an error, not a hang', () => {
    expect(() => rateTable(tableFromBattles([rep('a', 'b', 'a', 1)]), { prior: 0 })).toThrow(/do not exist/);
  });
  it('any battles give finite ratings (never NaN) with the automatic prior', () => {
    fc.assert(
      fc.property(fc.oneof(battlesAmong(['p', 'q', 'r', 's'], { withCount: true, maxLength: 12 }), anyBattles, undefeatedBattles.map((x) => x.battles), splitBattles.map((x) => x.battles)), (bs) => {
        for (const ties of ['half', 'ignore'] as const) {
          const lb = rateTable(toTable(bs), { ties });
          expect(lb.models.every((r) => Number.isFinite(r.rating))).toBe(true);
          expect(lb.fit.converged).toBe(true);
        }
      }),
    );
  });
});

describe('degenerate data: properties (undefeated models, split graphs, up to 9 models, counts up to 20)', () => {
  /** Brute force: the "scored against" digraph (a win scores, a tie or both-bad scores half both ways) closed by Floyd–Warshall. */
  function reach(bs: PlainBattle[], models: readonly string[], directed: boolean): boolean[][] {
    const m = models.length;
    const id = new Map(models.map((x, v) => [x, v]));
    const r = Array.from({ length: m }, (_, u) => Array.from({ length: m }, (_, v) => u === v));
    for (const x of bs) {
      if (!((x.count ?? 1) > 0)) continue;
      const a = id.get(x.modelA)!;
      const b = id.get(x.modelB)!;
      if (!directed || x.outcome !== 'b') r[a]![b] = true;
      if (!directed || x.outcome !== 'a') r[b]![a] = true;
    }
    for (let k = 0; k < m; k++) for (let u = 0; u < m; u++) for (let v = 0; v < m; v++) if (r[u]![k] && r[k]![v]) r[u]![v] = true;
    return r;
  }
  const neverLost = (bs: PlainBattle[]) => {
    const played = new Set(bs.flatMap((x) => [x.modelA, x.modelB]));
    const lost = new Set(bs.flatMap((x) => (x.outcome === 'a' ? [x.modelB] : x.outcome === 'b' ? [x.modelA] : [x.modelA, x.modelB])));
    return [...played].filter((x) => !lost.has(x));
  };

  it('the graph analysis agrees with a brute-force strong-connectivity check, and the MLE test follows it', () => {
    fc.assert(
      fc.property(fc.oneof(anyBattles, undefeatedBattles.map((x) => x.battles), splitBattles.map((x) => x.battles)), (bs) => {
        const t = toTable(bs);
        const point = fitBt(t);
        const g = analyseGraph(point.cells);
        const strong = reach(bs, t.models, true);
        const weak = reach(bs, t.models, false);
        for (let u = 0; u < t.models.length; u++) {
          for (let v = 0; v < t.models.length; v++) {
            expect(g.group[u] === g.group[v]).toBe(strong[u]![v]! && strong[v]![u]!);
            expect(g.part[u] === g.part[v]).toBe(weak[u]![v]!);
          }
        }
        const stronglyConnected = strong.every((row) => row.every(Boolean));
        expect(g.groups === 1).toBe(stronglyConnected);
        // the automatic prior is used exactly when the MLE does not exist
        expect(point.prior).toBe(stronglyConnected ? 0 : 0.01);
        expect(point.warnings.length > 0).toBe(!stronglyConnected);
      }),
    );
  });

  it('a model that never lost: prior auto gives finite ratings and warnings naming it; prior 0 is an InputError', () => {
    fc.assert(
      fc.property(undefeatedBattles, ({ battles, champions }) => {
        const t = toTable(battles);
        const lb = rateTable(t);
        expect(lb.models.every((r) => Number.isFinite(r.rating))).toBe(true);
        expect(lb.fit.converged).toBe(true);
        expect(lb.fit.prior).toBe(0.01);
        const undefeated = neverLost(battles);
        for (const c of champions) expect(undefeated).toContain(c);
        const line = lb.warnings.find((w) => w.includes('never lost'))!;
        expect(line).toBeDefined();
        // names (as JSON strings) in model order, at most five, then "and k more"
        const ordered = t.models.filter((x) => undefeated.includes(x));
        const named = ordered.slice(0, 5).map((x) => JSON.stringify(x)).join(', ') + (ordered.length > 5 ? ` and ${ordered.length - 5} more` : '');
        expect(line.startsWith(`${named} never lost`)).toBe(true);
        expect(lb.warnings.join(' ')).toMatch(/ridge prior/);
        expect(() => rateTable(t, { prior: 0 })).toThrow(InputError);
      }),
    );
  });

  it('a split graph: prior auto gives finite ratings and a warning with the part sizes; prior 0 is an InputError', () => {
    fc.assert(
      fc.property(splitBattles, ({ battles, parts }) => {
        const t = toTable(battles);
        const lb = rateTable(t);
        expect(lb.models.every((r) => Number.isFinite(r.rating))).toBe(true);
        expect(lb.fit.prior).toBe(0.01);
        const sizes = parts.map((p) => p.length).sort((a, b) => b - a);
        expect(lb.warnings[0]).toBe(`The comparison graph falls into 2 disconnected parts (sizes ${sizes.join(', ')}): ratings in different parts are not comparable.`);
        expect(() => rateTable(t, { prior: 0 })).toThrow(InputError);
        expect(() => rateTable(t, { prior: 0 })).toThrow(/do not exist/);
      }),
    );
  });
});
