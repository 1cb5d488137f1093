import type { Rng } from '../rng.js';
import type { PairPolicy } from './policies.js';

/**
 * The fixed opponents of a league ({@link leaguePolicy}): an undirected simple graph as an edge list and, per
 * model, its opponents (CSR: `start[v]…start[v+1]` in `adj`).
 */
export interface LeagueGraph {
  readonly m: number;
  readonly i: Int32Array;
  readonly j: Int32Array;
  readonly start: Int32Array;
  readonly adj: Int32Array;
}

/**
 * The opponents of a league of m models, about `opponents` each: half its neighbours by rating (the ⌈k/4⌉ models
 * just above and the ⌈k/4⌉ just below it in the rating order, as a chess league or a Swiss pairing), half random
 * (each model draws ⌈k/4⌉ partners uniformly among the others, and is drawn by as many on average). The neighbour
 * part makes a long chain of close matches, the random part a few long links, so the comparison graph is sparse
 * (about m·k/2 pairs) and connected. Duplicate pairs are kept once. Deterministic for a given `rng`. O(m·k log(m·k)).
 *
 * @param ratings true ratings (the order of neighbours)
 * @param opponents target number of opponents per model, k ≥ 2
 */
export function leagueGraph(ratings: ArrayLike<number>, opponents: number, rng: Rng): LeagueGraph {
  const m = ratings.length;
  if (m < 2) throw new Error('a league needs at least two models');
  const h = Math.max(1, Math.ceil(opponents / 4));
  const order = Array.from({ length: m }, (_, v) => v).sort((a, b) => ratings[b]! - ratings[a]! || a - b);
  const keys = new Set<number>();
  const add = (a: number, b: number) => {
    if (a !== b) keys.add(Math.min(a, b) * m + Math.max(a, b));
  };
  for (let r = 0; r < m; r++) for (let d = 1; d <= h && r + d < m; d++) add(order[r]!, order[r + d]!);
  for (let v = 0; v < m; v++) {
    for (let q = 0; q < h; q++) {
      let u = Math.floor(rng() * (m - 1));
      if (u >= v) u++;
      add(v, u);
    }
  }
  const sorted = Float64Array.from(keys).sort();
  const e = sorted.length;
  const i = new Int32Array(e);
  const j = new Int32Array(e);
  const degree = new Int32Array(m + 1);
  for (let k = 0; k < e; k++) {
    i[k] = Math.floor(sorted[k]! / m);
    j[k] = sorted[k]! - i[k]! * m;
    degree[i[k]! + 1]!++;
    degree[j[k]! + 1]!++;
  }
  for (let v = 0; v < m; v++) degree[v + 1]! += degree[v]!;
  const start = Int32Array.from(degree);
  const fill = Int32Array.from(degree.subarray(0, m));
  const adj = new Int32Array(2 * e);
  for (let k = 0; k < e; k++) {
    adj[fill[i[k]!]!++] = j[k]!;
    adj[fill[j[k]!]!++] = i[k]!;
  }
  return { m, i, j, start, adj };
}

/**
 * League sampling: every battle is one of the league's pairs ({@link leagueGraph}), chosen uniformly, seats by a
 * coin — so about battles/pairs battles per pair, on a sparse graph. The graph comes from `graphRng`; the draws from
 * the battle stream (three uniforms a battle). O(1) per battle.
 */
export function leaguePolicy(ratings: ArrayLike<number>, opponents: number, graphRng: Rng): PairPolicy {
  const g = leagueGraph(ratings, opponents, graphRng);
  const e = g.i.length;
  return {
    name: 'league',
    m: g.m,
    draw(rng, out) {
      const k = Math.min(e - 1, Math.floor(rng() * e));
      const flip = rng() < 0.5;
      out.a = flip ? g.j[k]! : g.i[k]!;
      out.b = flip ? g.i[k]! : g.j[k]!;
    },
    drawOpponent(a, rng) {
      const d = g.start[a + 1]! - g.start[a]!;
      if (d === 0) {
        let u = Math.floor(rng() * (g.m - 1));
        if (u >= a) u++;
        return u;
      }
      return g.adj[g.start[a]! + Math.min(d - 1, Math.floor(rng() * d))]!;
    },
    record() {},
  };
}
