import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logGaps } from '../helpers.js';
import { tableFromBattles } from '../../src/data/table.js';
import { modelFor } from '../../src/models/index.js';
import { DEFAULT_MODEL, type ModelOptions } from '../../src/models/types.js';
import { minimalPerturbation, type PerturbAction, type VoteChange } from '../../src/stats/fragility.js';
import { type BattleTable } from '../../src/data/table.js';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';

type Win = { a: string; b: string; n: number };

/** Battles (wins only) of a small board: n wins of a over b per entry. */
const tableOf = (wins: readonly Win[]) => tableFromBattles(wins.filter((w) => w.n > 0).map((w) => ({ modelA: w.a, modelB: w.b, outcome: 'a' as const, count: w.n })));

/** Every vector of per-entry changes (0…n) with sum k, in lexicographic order. */
function* vectors(caps: readonly number[], k: number, at = 0): Generator<number[]> {
  if (at === caps.length) {
    if (k === 0) yield [];
    return;
  }
  for (let x = 0; x <= Math.min(caps[at]!, k); x++) for (const rest of vectors(caps, k - x, at + 1)) yield [x, ...rest];
}

/** The true minimum by brute force: the smallest k for which some change vector puts `below` above `above`. */
function bruteForce(wins: readonly Win[], above: string, below: string, action: PerturbAction, opts: ModelOptions): number | null {
  const model = modelFor(opts);
  const total = wins.reduce((s, w) => s + w.n, 0);
  for (let k = 1; k <= total; k++) {
    for (const v of vectors(wins.map((w) => w.n), k)) {
      const changed: Win[] = [];
      wins.forEach((w, q) => {
        changed.push({ ...w, n: w.n - v[q]! });
        if (action === 'flip' && v[q]! > 0) changed.push({ a: w.b, b: w.a, n: v[q]! });
      });
      const t = tableOf(changed);
      if (!t.models.includes(above) || !t.models.includes(below)) continue;
      const f = model.fit(t, opts);
      const r = new Map(f.models.map((x, i) => [x, f.ratings[i]!]));
      if (r.get(below)! - r.get(above)! > 1e-6) return k;
    }
  }
  return null;
}

/** Small boards: 3 or 4 models, every ordered pair with 1–4 wins (so the data stay strongly connected). */
const boards = fc.integer({ min: 3, max: 4 }).chain((m) => {
  const names = ['w', 'x', 'y', 'z'].slice(0, m);
  const pairs: [string, string][] = [];
  for (const a of names) for (const b of names) if (a !== b) pairs.push([a, b]);
  return fc.array(fc.integer({ min: 1, max: 4 }), { minLength: pairs.length, maxLength: pairs.length }).map((ns) => pairs.map(([a, b], q) => ({ a, b, n: ns[q]! })));
});

/** The true minimum of added votes by brute force: every multiset of new wins (any ordered pair), smallest total first. */
function bruteForceAdd(wins: readonly Win[], names: readonly string[], above: string, below: string, maxK: number): number | null {
  const model = modelFor(DEFAULT_MODEL);
  const cand: Win[] = [];
  for (const a of names) for (const b of names) if (a !== b) cand.push({ a, b, n: 0 });
  for (let k = 1; k <= maxK; k++) {
    for (const v of vectors(cand.map(() => k), k)) {
      const f = model.fit(tableOf([...wins, ...cand.map((c, q) => ({ ...c, n: v[q]! }))]), DEFAULT_MODEL);
      const r = new Map(f.models.map((x, i) => [x, f.ratings[i]!]));
      if (r.get(below)! - r.get(above)! > 1e-6) return k;
    }
  }
  return null;
}

describe('minimalPerturbation (drop / flip votes until #2 overtakes #1)', () => {
  it('add: the count found is verified and equals the brute-force minimum on 3-model boards (new wins between any two models)', () => {
    const gaps: number[] = [];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
        (ns) => {
          const names = ['w', 'x', 'y'];
          const pairs: [string, string][] = [['w', 'x'], ['w', 'y'], ['x', 'w'], ['x', 'y'], ['y', 'w'], ['y', 'x']];
          const wins = pairs.map(([a, b], q) => ({ a, b, n: ns[q]! }));
          const fit = modelFor(DEFAULT_MODEL).fit(tableOf(wins), DEFAULT_MODEL);
          const order = fit.models.map((x, i) => [x, fit.ratings[i]!] as const).sort((p, q) => q[1] - p[1]);
          if (!(order[0]![1] - order[1]![1] > 1e-6)) return true;
          const p = minimalPerturbation(fit, order[0]![0], order[1]![0], 'add');
          expect(p.votes).not.toBeNull();
          expect(p.gapAfter!).toBeLessThan(0);
          expect(p.changes.every((c) => c.to === undefined && (c.outcome === 'a' || c.outcome === 'b'))).toBe(true);
          const truth = bruteForceAdd(wins, names, order[0]![0], order[1]![0], Math.min(p.votes!, 7));
          if (truth === null) return true; // the minimum is above 7: too many multisets to enumerate
          expect(p.votes!).toBeGreaterThanOrEqual(truth);
          gaps.push(p.votes! - truth);
          return true;
        },
      ),
      { numRuns: 60 },
    );
    logGaps('add', gaps);
    expect(gaps.length).toBeGreaterThan(20);
    expect(gaps.filter((g) => g === 0).length / gaps.length).toBeGreaterThan(0.9);
  });

  it.each(['drop', 'flip'] as const)('%s: the count found is verified, never below the brute-force minimum, and equal to it on small boards', (action) => {
    const gaps: number[] = [];
    fc.assert(
      fc.property(boards, (wins) => {
        const opts = DEFAULT_MODEL;
        const fit = modelFor(opts).fit(tableOf(wins), opts);
        const order = fit.models.map((x, i) => [x, fit.ratings[i]!] as const).sort((p, q) => q[1] - p[1]);
        const [above, below] = [order[0]![0], order[1]![0]];
        if (!(order[0]![1] > order[1]![1])) return true;
        const p = minimalPerturbation(fit, above, below, action);
        const truth = bruteForce(wins, above, below, action, opts);
        if (truth === null) {
          expect(p.votes).toBeNull();
          return true;
        }
        expect(p.votes).not.toBeNull();
        expect(p.gapAfter!).toBeLessThan(0);
        expect(p.votes!).toBeGreaterThanOrEqual(truth);
        expect(p.changes.reduce((s, c) => s + c.count, 0)).toBe(p.votes);
        gaps.push(p.votes! - truth);
        return true;
      }),
      { numRuns: 100 },
    );
    logGaps(action, gaps);
    expect(gaps.filter((g) => g === 0).length / gaps.length).toBeGreaterThan(0.8);
  });

  // 8 models, 3,000 simulated battles with ties: too many for a brute force, but a minimal set of votes must be
  // minimal locally — giving back any one of its votes loses the overtaking (each checked by its own exact refit)
  it.each(['drop', 'flip'] as const)('%s on a larger board: giving back any one vote of the set found undoes the overtaking', (action) => {
    const names = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];
    const t = simulateTable({ models: names, ratings: Float64Array.from(names, (_, v) => 1000 + 12 * v) }, 3000, { tieRate: 0.3 }, createRng(4));
    const model = modelFor(DEFAULT_MODEL);
    const fit = model.fit(t, DEFAULT_MODEL);
    const order = fit.models.map((x, i) => [x, fit.ratings[i]!] as const).sort((p, q) => q[1] - p[1]);
    const p = minimalPerturbation(fit, order[0]![0], order[1]![0], action);
    expect(p.votes).toBeGreaterThan(3);
    expect(p.firstOrder).not.toBeNull();
    const rows = rowsOf(t);
    const leads = (changes: readonly VoteChange[]) => {
      const f = model.fit(applyChanges(rows, changes), DEFAULT_MODEL);
      const r = new Map(f.models.map((x, i) => [x, f.ratings[i]!]));
      return r.get(p.below)! - r.get(p.above)! > 1e-6;
    };
    expect(leads(p.changes)).toBe(true);
    p.changes.forEach((_, q) => {
      const fewer = p.changes.map((x, k) => (k === q ? { ...x, count: x.count - 1 } : x));
      expect(leads(fewer)).toBe(false);
    });
  });
});

type Row = { modelA: string; modelB: string; outcome: 'a' | 'b' | 'tie' | 'bothbad'; count: number };

function rowsOf(t: BattleTable): Row[] {
  const label = ['a', 'b', 'tie', 'bothbad'] as const;
  return Array.from({ length: t.rows }, (_, r) => ({ modelA: t.models[t.a[r]!]!, modelB: t.models[t.b[r]!]!, outcome: label[t.outcome[r]!]!, count: t.count[r]! }));
}

/** The battles with `changes` applied, written independently of the library: votes of (a, b, outcome) removed or relabelled. */
function applyChanges(rows: readonly Row[], changes: readonly VoteChange[]): BattleTable {
  const out = rows.map((r) => ({ ...r }));
  const seat = (r: Row, c: VoteChange) => (r.modelA === c.a && r.modelB === c.b ? 'same' : r.modelA === c.b && r.modelB === c.a ? 'swapped' : null);
  const mirror = (o: Row['outcome']) => (o === 'a' ? 'b' : o === 'b' ? 'a' : o);
  for (const c of changes) {
    let left = c.count;
    for (const r of out) {
      if (left === 0) break;
      const s = seat(r, c);
      if (!s || r.count === 0) continue;
      // the row's outcome seen from c.a's side
      if ((s === 'same' ? r.outcome : mirror(r.outcome)) !== c.outcome) continue;
      const take = Math.min(left, r.count);
      r.count -= take;
      left -= take;
      if (c.to) out.push({ modelA: c.a, modelB: c.b, outcome: c.to, count: take });
    }
    expect(left).toBe(0);
  }
  return tableFromBattles(out.filter((r) => r.count > 0));
}
