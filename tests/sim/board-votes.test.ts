/**
 * Votes from published interval widths: the two-model case by hand, the real boards' predicted widths, and a
 * simulated board whose rebuilt intervals have the published widths.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePublishedBoard, readPublishedBoard } from '../../src/data/board.js';
import { normalQuantile } from '../../src/math/normal.js';
import { createRng } from '../../src/rng.js';
import { inferBoardVotes, simRatingsOfBoard } from '../../src/sim/board-votes.js';
import { simulateTable } from '../../src/sim/generate.js';
import { createPolicy } from '../../src/sim/policies.js';
import { rateWithIntervals } from '../../src/stats/uncertainty.js';
import { FIXTURES } from '../helpers.js';

const CATALOG = join(FIXTURES, 'lmarena-catalog');
const F = 400 / Math.log(10);
const Z = normalQuantile(0.975);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

describe('inferBoardVotes: two models by hand', () => {
  // 1050 vs 1000: p = 1/(1 + 10^(−50/400)) = 0.571463, v = p(1 − p) = 0.244893. Published se 2 points each; centred
  // ratings have se = se(gap)/2, so se(gap) = 4 points = 0.0230258 logits; Var(gap) = b/(n·v²) for n battles.
  const e = (r: number) => ({ rating: r, rating_q025: r - 2 * Z, rating_q975: r + 2 * Z });
  const board = parsePublishedBoard({ full: { a: e(1050), b: e(1000) } }, 'two.json', 'full');
  const p = 1 / (1 + 10 ** (-50 / 400));
  const v = p * (1 - p);
  const s2 = (4 / F) ** 2;

  it('no ties: n = 1/(v·σ²) = 7,702', () => {
    const r = inferBoardVotes(board, { tieRate: 0 });
    expect(r.converged).toBe(true);
    expect(r.battles).toBe(Math.round(1 / (v * s2)));
    expect(r.battles).toBe(7702);
    expect(r.votes[0]).toBeCloseTo(1 / (v * s2), -1);
    expect(r.predictedSe[0]).toBeCloseTo(2, 2);
  });

  it('ties at 0.2 carry less meat: n = (v − τ/4)/(v²·σ²) = 6,129', () => {
    const r = inferBoardVotes(board, { tieRate: 0.2 });
    expect(r.battles).toBe(Math.round((v - 0.05) / (v * v * s2)));
    expect(r.battles).toBe(6129);
  });

  it('rejects two zero-width intervals', () => {
    const z = parsePublishedBoard({ full: { a: { rating: 1, rating_q025: 1, rating_q975: 1 }, b: { rating: 0, rating_q025: 0, rating_q975: 0 } } }, 'z.json', 'full');
    expect(() => inferBoardVotes(z)).toThrow(RangeError);
  });
});

describe('inferBoardVotes on the published boards', () => {
  it('2025-12-11 full: every predicted se within 0.1% of the published one; wider intervals get fewer votes', () => {
    const b = readPublishedBoard(join(CATALOG, 'text-2025-12-11.json'), 'full');
    const r = inferBoardVotes(b);
    expect(r.converged).toBe(true);
    expect(r.anchor).toBeNull();
    for (let v = 0; v < b.models.length; v++) {
      expect(r.publishedSe[v]).toBeCloseTo((b.upper[v]! - b.lower[v]!) / (2 * Z), 12);
      expect(Math.abs(r.predictedSe[v]! / r.publishedSe[v]! - 1)).toBeLessThanOrEqual(1e-3);
    }
    // Σ votes = 2 · battles (each battle has two seats)
    expect(r.votes.reduce((a, x) => a + x, 0) / 2).toBeCloseTo(r.battles, -1);
    // the narrowest published interval has far more votes than the widest
    const narrow = r.publishedSe.indexOf(Math.min(...r.publishedSe));
    const wide = r.publishedSe.indexOf(Math.max(...r.publishedSe));
    expect(r.votes[narrow]! / r.votes[wide]!).toBeGreaterThan(10);
  });

  it('an anchored board (2025-03-07: mixtral-8x7b-instruct-v0.1 = 1114, zero width) is matched on the gaps to the anchor', () => {
    const b = readPublishedBoard(join(CATALOG, 'text-2025-03-07.json'), 'full');
    const r = inferBoardVotes(b);
    expect(r.anchor).toBe('mixtral-8x7b-instruct-v0.1');
    expect(r.converged).toBe(true);
  });

  it('a board simulated from it and rebuilt as arena rate rebuilds it shows the published widths (median ratio within 0.97–1.03)', async () => {
    const b = readPublishedBoard(join(CATALOG, 'text-2025-12-11.json'), 'full');
    const r = inferBoardVotes(b);
    const truth = simRatingsOfBoard(r);
    const t = simulateTable(truth, r.battles, {}, createRng(5), createPolicy({ type: 'popularity' }, { ratings: truth.ratings, weights: truth.weights! }));
    const rated = await rateWithIntervals(t, {}, { ciMethod: 'sandwich', level: 0.95 });
    const id = new Map(rated.point.models.map((m, k) => [m, k]));
    const ratios = b.models.map((m, v) => {
      const k = id.get(m)!;
      return (rated.intervals!.upper[k]! - rated.intervals!.lower[k]!) / (b.upper[v]! - b.lower[v]!);
    });
    expect(Math.abs(median(ratios) - 1)).toBeLessThan(0.03);
    // and no model far off: the expected counts are what the simulation draws
    for (const x of ratios) expect(Math.abs(x - 1)).toBeLessThan(0.15);
  });
});
