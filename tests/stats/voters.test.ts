import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/data/schema.js';
import { type BattleTable, tableFromBattles } from '../../src/data/table.js';
import { type OutcomeModel } from '../../src/rating/tie-models.js';
import { benjaminiHochberg, outcomeProbabilities, voterPValue, voterStatistics } from '../../src/stats/voters.js';

const battle = (a: string, b: string, outcome: Outcome, voter: string | null, count = 1) => ({ modelA: a, modelB: b, outcome, voter, count });
const withVoters = (rows: ReturnType<typeof battle>[]) => tableFromBattles(rows, { voterField: 'judge' });

describe('benjaminiHochberg', () => {
  it('known values: hand computation (sorted .01 .03 .04 .2: 4p/1, 4p/2, 4p/3, 4p/4, then running minima from the top)', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2]);
    expect(q[0]).toBeCloseTo(0.04, 12);
    expect(q[1]).toBeCloseTo(0.16 / 3, 12);
    expect(q[2]).toBeCloseTo(0.16 / 3, 12); // min(0.06, 0.0533…)
    expect(q[3]).toBeCloseTo(0.2, 12);
    // R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "BH") = 0.05 0.05 0.05 0.05 0.05
    expect(Array.from(benjaminiHochberg([0.01, 0.02, 0.03, 0.04, 0.05]), (x) => +x.toFixed(12))).toEqual([0.05, 0.05, 0.05, 0.05, 0.05]);
  });

  it('property: q ≤ α rejects exactly the step-up set (largest k with p_(k) ≤ kα/N); q ≥ p; q follows p’s order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.double({ min: 0.001, max: 0.5, noNaN: true }), (p, alpha) => {
        const q = benjaminiHochberg(p);
        const sorted = [...p].sort((x, y) => x - y);
        let k = 0;
        sorted.forEach((x, i) => {
          if (x <= ((i + 1) * alpha) / p.length) k = i + 1;
        });
        const cut = k > 0 ? sorted[k - 1]! : -1;
        p.forEach((x, i) => {
          expect(q[i]! <= alpha * (1 + 1e-12)).toBe(x <= cut);
          expect(q[i]!).toBeGreaterThanOrEqual(x - 1e-15);
          expect(q[i]!).toBeLessThanOrEqual(1);
        });
        for (let i = 0; i < p.length; i++) for (let j = 0; j < p.length; j++) if (p[i]! < p[j]!) expect(q[i]!).toBeLessThanOrEqual(q[j]!);
      }),
    );
  });
});

describe('voterStatistics: known values', () => {
  it('Bradley–Terry: d = ln 3 (p = 3/4), the voter gives x 1 win in 4: T = −2 ln 3, Var = 4·(ln 3)²·3/16, z = −2/√0.75', () => {
    const t = withVoters([battle('x', 'y', 'a', 'v'), battle('x', 'y', 'b', 'v', 3)]);
    const [s] = voterStatistics(t, [Math.log(3), 0], 'half', 0);
    expect(s!.votes).toBe(4);
    expect(s!.agreementSum).toBeCloseTo(-2 * Math.log(3), 12);
    expect(s!.agreementVar).toBeCloseTo(0.75 * Math.log(3) ** 2, 12);
    expect(s!.agreementZ).toBeCloseTo(-2 / Math.sqrt(0.75), 12);
    expect(s!.favour).toBeNull(); // W = 0.75 < 2
    expect(voterPValue(s!).p).toBeCloseTo(0.010461, 5); // Φ(−2.3094), normal table
  });

  it('votes exactly at the model’s expectation give T = 0 and U = 0 (3 wins in 4 at p = 3/4; ties as y = ½ at p = ½)', () => {
    const t = withVoters([battle('x', 'y', 'a', 'v', 3), battle('x', 'y', 'b', 'v'), battle('z', 'w', 'tie', 'u', 2)]);
    const s = voterStatistics(t, [0, Math.log(3), 0, 0], 'half', 0); // models sorted: w, x, y, z
    for (const x of s) expect(Math.abs(x.agreementSum)).toBeLessThan(1e-12); // σ(ln 3) = 3/4 up to rounding
    expect(Math.abs(s.find((x) => t.voters!.names[x.voter] === 'v')!.agreementZ)).toBeLessThan(1e-12);
  });

  it('Davidson: d = ln 4, ν = 1: pW = 4/7, pT = 2/7, μ = 5/7, σ² = 13/98; one tie: z = (−3/14)/√(13/98)', () => {
    const t = withVoters([battle('x', 'y', 'tie', 'v')]);
    const [pa, pb, pt] = outcomeProbabilities('davidson', Math.log(4), 0);
    expect([pa, pb, pt].map((x) => x.toFixed(12))).toEqual([4 / 7, 1 / 7, 2 / 7].map((x) => x.toFixed(12)));
    const [s] = voterStatistics(t, [Math.log(4), 0], 'davidson', 0);
    expect(s!.agreementZ).toBeCloseTo(-3 / 14 / Math.sqrt(13 / 98), 12);
  });

  it('favour: even odds, 30 of 40 for x: U = 10, W = 10, z = (10 − ½)/√10 for x (continuity-corrected; x and y qualify, K = 2): p = 2·min(1, 4·Φ(−z))', () => {
    const t = withVoters([battle('x', 'y', 'a', 'v', 30), battle('x', 'y', 'b', 'v', 10)]);
    const [s] = voterStatistics(t, [0, 0], 'half', 0);
    expect([s!.favour!.model, s!.favour!.models]).toEqual([0, 2]);
    expect(s!.favour!.z).toBeCloseTo(9.5 / Math.sqrt(10), 12);
    const p = voterPValue(s!);
    expect(p.agreementP).toBe(1); // d = 0: no agreement test
    expect(p.favourP!).toBeCloseTo(4 * 1.3315e-3, 6); // Φ(−3.0042) = 0.0013315 (normal table: Φ(−3) = 0.0013499, φ(3) = 0.004432)
    expect(p.p).toBeCloseTo(2 * p.favourP!, 15);
  });

  it('ties are left out under ignore; minVotes leaves small voters out', () => {
    const t = withVoters([battle('x', 'y', 'tie', 'v', 5), battle('x', 'y', 'a', 'v'), battle('x', 'y', 'a', 'u')]);
    const s = voterStatistics(t, [0.3, -0.3], 'ignore', 0, 1);
    expect(s.map((x) => [t.voters!.names[x.voter], x.votes, x.tested])).toEqual([['u', 1, 1], ['v', 6, 1]]);
    expect(voterStatistics(t, [0.3, -0.3], 'ignore', 0, 2)).toEqual([]);
  });
});

/** A naive implementation: every battle expanded, per voter a Map of model residuals. */
function naive(t: BattleTable, theta: number[], law: OutcomeModel, eta: number) {
  const per = new Map<number, { votes: number; tested: number; t: number; v: number; u: Map<number, [number, number]> }>();
  for (let r = 0; r < t.rows; r++) {
    const id = t.voters!.id[r]!;
    if (id < 0) continue;
    const e = per.get(id) ?? { votes: 0, tested: 0, t: 0, v: 0, u: new Map() };
    per.set(id, e);
    for (let c = 0; c < t.count[r]!; c++) {
      e.votes++;
      const o = t.outcome[r]!;
      if (o >= 2 && law === 'ignore') continue;
      e.tested++;
      const d = theta[t.a[r]!]! - theta[t.b[r]!]!;
      const [pa, , pt] = outcomeProbabilities(law, d, eta);
      const y = o === 0 ? 1 : o === 1 ? 0 : 0.5;
      const mu = pa + pt / 2;
      const s2 = pa + pt / 4 - mu * mu;
      e.t += d * (y - mu);
      e.v += d * d * s2;
      for (const [k, sign] of [[t.a[r]!, 1], [t.b[r]!, -1]] as const) {
        const cur = e.u.get(k) ?? [0, 0];
        e.u.set(k, [cur[0] + sign * (y - mu), cur[1] + s2]);
      }
    }
  }
  return per;
}

const rowArb = fc.record({
  a: fc.integer({ min: 0, max: 3 }),
  off: fc.integer({ min: 1, max: 3 }),
  outcome: fc.constantFrom<Outcome>('a', 'b', 'tie', 'bothbad'),
  voter: fc.constantFrom('p', 'q', '__proto__', 'r', null),
  count: fc.integer({ min: 1, max: 12 }),
});
const M = ['m0', 'm1', 'm2', 'm3'];

describe('voterStatistics: properties', () => {
  it('agrees with a naive per-battle implementation for every outcome law', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 40 }), fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 4, maxLength: 4 }), fc.constantFrom<OutcomeModel>('half', 'ignore', 'davidson', 'rao-kupper'), fc.double({ min: 0.05, max: 1.5, noNaN: true }), (rows, theta, law, eta) => {
        const t = withVoters(rows.map((r) => battle(M[r.a]!, M[(r.a + r.off) % 4]!, r.outcome, r.voter, r.count)));
        const th = t.models.map((n) => theta[M.indexOf(n)]!);
        const got = voterStatistics(t, th, law, eta);
        const want = naive(t, th, law, eta);
        expect(got.map((s) => s.voter).sort()).toEqual([...want.keys()].filter((k) => want.get(k)!.tested >= 1).sort());
        for (const s of got) {
          const w = want.get(s.voter)!;
          expect(s.votes).toBe(w.votes);
          expect(s.agreementSum).toBeCloseTo(w.t, 9);
          expect(s.agreementVar).toBeCloseTo(w.v, 9);
          const eligible = [...w.u.entries()].filter(([, [, v]]) => v >= 2);
          expect(s.favour?.models ?? 0).toBe(eligible.length);
          if (s.favour) {
            const best = Math.max(...eligible.map(([, [u, v]]) => Math.max(0, Math.abs(u) - 0.5) / Math.sqrt(v)));
            expect(Math.abs(s.favour.z)).toBeCloseTo(best, 9);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('relabelling the voters permutes the results; swapping the sides of every battle changes nothing', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 30 }), (rows) => {
        const base = withVoters(rows.map((r) => battle(M[r.a]!, M[(r.a + r.off) % 4]!, r.outcome, r.voter, r.count)));
        const rename = new Map([['p', 'zz'], ['q', 'a'], ['__proto__', 'constructor'], ['r', 'm']]);
        const renamed = withVoters(rows.map((r) => battle(M[r.a]!, M[(r.a + r.off) % 4]!, r.outcome, r.voter === null ? null : rename.get(r.voter)!, r.count)));
        const flip = { a: 'b', b: 'a', tie: 'tie', bothbad: 'bothbad' } as const;
        const swapped = withVoters(rows.map((r) => battle(M[(r.a + r.off) % 4]!, M[r.a]!, flip[r.outcome], r.voter, r.count)));
        const theta = [0.4, -0.1, 0.9, -1.2];
        const key = (t: BattleTable, map: (n: string) => string) => new Map(voterStatistics(t, theta, 'davidson', 0.3).map((s) => [map(t.voters!.names[s.voter]!), [s.votes, s.agreementZ, s.favour ? s.favour.z : null] as const]));
        const inverse = new Map([...rename].map(([k, v]) => [v, k]));
        const b = key(base, (n) => n);
        for (const other of [key(renamed, (n) => inverse.get(n)!), key(swapped, (n) => n)]) {
          expect([...other.keys()].sort()).toEqual([...b.keys()].sort());
          for (const [k, [votes, z, fz]] of b) {
            const o = other.get(k)!;
            expect(o[0]).toBe(votes);
            expect(Math.abs(o[1] - z)).toBeLessThan(1e-9);
            expect(o[2] === null ? null : Math.abs(o[2])).toBeCloseTo(fz === null ? (null as never) : Math.abs(fz), 9);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
