import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/rng.js';
import { leagueGraph, leaguePolicy } from '../../src/sim/league.js';

describe('leagueGraph', () => {
  it('known value: 4 models, 2 opponents — the chain by rating (h = 1) plus one random partner each, simple and symmetric', () => {
    const g = leagueGraph([1200, 1000, 1300, 1100], 2, createRng(1));
    const pairs = new Set([...g.i].map((a, k) => `${a}-${g.j[k]}`));
    // rating order 2 > 0 > 3 > 1: the chain 0–2, 0–3, 1–3
    for (const p of ['0-2', '0-3', '1-3']) expect(pairs.has(p)).toBe(true);
    expect(pairs.size).toBe(g.i.length);
    expect(g.i.length).toBeLessThanOrEqual(3 + 4);
  });
  it('properties: no self-pairs or duplicates, i < j, every rating neighbour linked, adjacency symmetric, about m·k/2 pairs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 80 }), fc.integer({ min: 2, max: 30 }), fc.integer(), (m, k, seed) => {
        const ratings = Array.from({ length: m }, (_, v) => Math.sin(v * 7.1 + seed) * 300);
        const g = leagueGraph(ratings, k, createRng(seed));
        const keys = new Set<number>();
        for (let e = 0; e < g.i.length; e++) {
          expect(g.i[e]!).toBeLessThan(g.j[e]!);
          keys.add(g.i[e]! * m + g.j[e]!);
        }
        expect(keys.size).toBe(g.i.length);
        const h = Math.ceil(k / 4);
        const order = Array.from({ length: m }, (_, v) => v).sort((a, b) => ratings[b]! - ratings[a]! || a - b);
        for (let r = 0; r + 1 < m; r++) expect(keys.has(Math.min(order[r]!, order[r + 1]!) * m + Math.max(order[r]!, order[r + 1]!))).toBe(true);
        expect(g.i.length).toBeLessThanOrEqual(2 * h * m);
        for (let v = 0; v < m; v++) {
          for (let q = g.start[v]!; q < g.start[v + 1]!; q++) {
            const u = g.adj[q]!;
            expect(keys.has(Math.min(u, v) * m + Math.max(u, v))).toBe(true);
          }
        }
        expect(g.start[m]).toBe(2 * g.i.length);
      }),
    );
  });
  it('the policy draws only league pairs, both seats, and is deterministic for a seed', () => {
    const ratings = Array.from({ length: 50 }, (_, v) => 1000 + v);
    const g = leagueGraph(ratings, 8, createRng('g'));
    const keys = new Set([...g.i].map((a, k) => a * 50 + g.j[k]!));
    const run = () => {
      const p = leaguePolicy(ratings, 8, createRng('g'));
      const rng = createRng('draws');
      const out = { a: 0, b: 0 };
      const seen: number[] = [];
      let aLow = 0;
      for (let q = 0; q < 2000; q++) {
        p.draw(rng, out);
        expect(keys.has(Math.min(out.a, out.b) * 50 + Math.max(out.a, out.b))).toBe(true);
        if (out.a < out.b) aLow++;
        seen.push(out.a, out.b);
      }
      return { seen, aLow };
    };
    const x = run();
    expect(run().seen).toEqual(x.seen);
    expect(x.aLow).toBeGreaterThan(850);
    expect(x.aLow).toBeLessThan(1150);
  });
});
