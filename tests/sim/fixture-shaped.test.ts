/**
 * The April 2026 fixture shaped like the published 2025-12-11 board (fixtures/lmarena-text-2026-04-shaped.json):
 * the published entries kept, every filler and weight recomputed here from the December file and the documented
 * formulas (independently of the generator script).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPublishedBoard } from '../../src/data/board.js';
import { inferBoardVotes } from '../../src/sim/board-votes.js';
import { FIXTURE_REAL_ENTRIES, loadSimRatings } from '../../src/sim/fixture.js';
import { FIXTURES } from '../helpers.js';

const FILE = join(FIXTURES, 'lmarena-text-2026-04-shaped.json');
const DEC = join(FIXTURES, 'lmarena-catalog', 'text-2025-12-11.json');

describe('the shaped April 2026 fixture', () => {
  const raw = JSON.parse(readFileSync(FILE, 'utf8')) as { votes: number; models: { model: string; rating: number; rank: number; real: boolean; weight: number }[] };
  const dec = Object.values(JSON.parse(readFileSync(DEC, 'utf8')).full as Record<string, { rating: number }>)
    .map((e) => e.rating)
    .sort((a, b) => b - a);
  // D(x): the December rating at position x ∈ [1, 282], linear between ranks
  const D = (r: number) => {
    const x = 1 + ((r - 1) * 281) / 338;
    const k = Math.min(Math.floor(x), 281);
    return dec[k - 1]! + (x - k) * (dec[k]! - dec[k - 1]!);
  };

  it('keeps the seven published entries at their ranks, 339 models, 5.78M votes; reads as simulation ratings with weights', () => {
    const truth = loadSimRatings(FILE);
    expect(truth.models).toHaveLength(339);
    expect(truth.votes).toBe(5_780_000);
    for (const e of FIXTURE_REAL_ENTRIES) {
      const v = truth.models.indexOf(e.model);
      expect([v + 1, truth.ratings[v]]).toEqual([e.rank, e.rating]);
    }
    expect(truth.real!.reduce((a, b) => a + b, 0)).toBe(7);
    expect(truth.weights).not.toBeNull();
    for (let v = 1; v < 339; v++) expect(truth.ratings[v]!).toBeLessThanOrEqual(truth.ratings[v - 1]!);
  });

  it('every filler rating is December\'s spacing between the published anchors (recomputed from the December file)', () => {
    let fillers = 0;
    for (const m of raw.models) {
      if (m.real) continue;
      fillers++;
      expect(m.model).toBe(`filler-${String(m.rank).padStart(3, '0')}`);
      const want = m.rank < 177 ? 1486 + ((D(m.rank) - D(6)) * (1327 - 1486)) / (D(177) - D(6)) : 1327 + (D(m.rank) - D(177));
      expect(m.rating).toBe(Math.round(want * 10) / 10);
    }
    expect(fillers).toBe(332);
    // the tail keeps December's own gaps: the last filler sits as far below 1327 as December's last model below D(177)
    expect(raw.models[338]!.rating).toBeCloseTo(1327 + dec[281]! - D(177), 0);
  });

  it('weights: the December board\'s inferred votes at the same position (log-linear), normalised', () => {
    const inf = inferBoardVotes(readPublishedBoard(DEC, 'full'), { tieRate: 0.34 });
    const lv = Array.from(inf.votes, Math.log);
    const w = raw.models.map((m) => {
      const x = 1 + ((m.rank - 1) * 281) / 338;
      const k = Math.min(Math.floor(x), 281);
      return Math.exp(lv[k - 1]! + (x - k) * (lv[k]! - lv[k - 1]!));
    });
    const total = w.reduce((a, b) => a + b, 0);
    raw.models.forEach((m, i) => expect(Math.abs(m.weight / (w[i]! / total) - 1)).toBeLessThan(1e-5));
    expect(raw.models.reduce((a, m) => a + m.weight, 0)).toBeCloseTo(1, 4);
  });
});
