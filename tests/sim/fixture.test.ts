import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPublishedBoard } from '../../src/data/board.js';
import { DEFAULT_RATINGS_PATH, loadRatings } from '../../src/data/ratings.js';
import { inferBoardVotes } from '../../src/sim/board-votes.js';
import { FIXTURE_REAL_ENTRIES, loadSimRatings, parseSimRatings } from '../../src/sim/fixture.js';
import { FIXTURES, tempFile } from '../helpers.js';

const DEC = join(FIXTURES, 'lmarena-catalog', 'text-2025-12-11.json');

/**
 * The embedded April 2026 fixture (fixtures/lmarena-text-2026-04.json), shaped like the published 2025-12-11
 * board: the published entries kept, every filler and weight recomputed here from the December file and the
 * documented formulas of fixtures/README.md (independently of the generator script).
 */
describe('the April 2026 fixture', () => {
  const raw = JSON.parse(readFileSync(DEFAULT_RATINGS_PATH, 'utf8')) as { votes: number; models: { model: string; rating: number; rank: number; real: boolean; weight: number }[] };
  const truth = loadSimRatings();
  const dec = Object.values(JSON.parse(readFileSync(DEC, 'utf8')).full as Record<string, { rating: number }>)
    .map((e) => e.rating)
    .sort((a, b) => b - a);
  // D(x): the December rating at position x ∈ [1, 282], linear between ranks; x(r) = 1 + (r − 1)·281/338
  const D = (r: number) => {
    const x = 1 + ((r - 1) * 281) / 338;
    const k = Math.min(Math.floor(x), 281);
    return dec[k - 1]! + (x - k) * (dec[k]! - dec[k - 1]!);
  };

  it('is the file loadSimRatings and loadRatings read by default', () => {
    expect(DEFAULT_RATINGS_PATH.endsWith(join('fixtures', 'lmarena-text-2026-04.json'))).toBe(true);
    expect(loadRatings().models).toEqual(truth.models);
  });

  it('339 models, vote total 5.78M, the seven published entries at their ranks, marked real; a weight on every model', () => {
    expect(truth.models).toHaveLength(339);
    expect(truth.votes).toBe(5_780_000);
    for (const e of FIXTURE_REAL_ENTRIES) {
      const v = truth.models.indexOf(e.model);
      expect([v + 1, truth.ratings[v], raw.models[v]!.rank]).toEqual([e.rank, e.rating, e.rank]);
      expect(truth.real![v]).toBe(1);
    }
    expect(truth.real!.reduce((a, b) => a + b, 0)).toBe(7);
    expect(truth.weights).not.toBeNull();
    expect(truth.weights).toHaveLength(339);
  });

  it("every filler rating is December's spacing between the published anchors (recomputed from the December file)", () => {
    let fillers = 0;
    raw.models.forEach((m, i) => {
      expect(m.rank).toBe(i + 1);
      if (m.real) return;
      fillers++;
      expect(m.model).toBe(`filler-${String(m.rank).padStart(3, '0')}`);
      const want = m.rank < 177 ? 1486 + ((D(m.rank) - D(6)) * (1327 - 1486)) / (D(177) - D(6)) : 1327 + (D(m.rank) - D(177));
      expect(m.rating).toBe(Math.round(want * 10) / 10);
    });
    expect(fillers).toBe(332);
    // the tail keeps December's own gaps: the last filler sits as far below 1327 as December's last model below D(177)
    expect(raw.models[338]!.rating).toBeCloseTo(1327 + dec[281]! - D(177), 0);
    expect(raw.models[338]!.rating).toBe(889.4);
  });

  it('ratings never increase with rank (a consistent board)', () => {
    for (let v = 1; v < truth.ratings.length; v++) expect(truth.ratings[v]!).toBeLessThanOrEqual(truth.ratings[v - 1]!);
  });

  it("weights: the December board's inferred votes at the same position (log-linear), normalised", () => {
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
    // uneven, as a real board's votes are: the most popular model has several times the weight of the least
    expect(Math.max(...raw.models.map((m) => m.weight)) / Math.min(...raw.models.map((m) => m.weight))).toBeGreaterThan(5);
  });
});

describe('simulation extras of a ratings file', () => {
  const models = (extra: object[]) => ({ models: [{ model: 'a', rating: 1100 }, { model: 'b', rating: 1000 }].map((m, i) => ({ ...m, ...extra[i] })) });
  it('reads weight and new', () => {
    const r = parseSimRatings(models([{ weight: 2, new: true }, { weight: 0.5 }]), 'x.json');
    expect(Array.from(r.weights!)).toEqual([2, 0.5]);
    expect(Array.from(r.isNew)).toEqual([1, 0]);
    expect(r.real).toBeNull();
  });
  it('rejects bad extras with the JSON path', () => {
    expect(() => parseSimRatings(models([{ weight: 2 }, {}]), 'x.json')).toThrow('x.json: models.1.weight: missing (give a weight to every model or to none)');
    expect(() => parseSimRatings(models([{ weight: 0 }, { weight: 1 }]), 'x.json')).toThrow('x.json: models.0.weight: must be a number > 0');
    expect(() => parseSimRatings(models([{}, { new: 'yes' }]), 'x.json')).toThrow('x.json: models.1.new: must be true or false');
    expect(() => parseSimRatings(models([{}, { rank: 0 }]), 'x.json')).toThrow('x.json: models.1.rank: must be an integer ≥ 1');
  });
  it('reports unreadable and invalid files', () => {
    expect(() => loadSimRatings('/nonexistent/r.json')).toThrow(/\/nonexistent\/r.json: cannot read \(ENOENT\)/);
    expect(() => loadSimRatings(tempFile('r.json', '{"models": ['))).toThrow(/r.json: \(json\): not valid JSON/);
    expect(() => loadSimRatings(tempFile('r.json', '{"models": [{"model": "a", "rating": 1}]}'))).toThrow(/r.json: models: needs at least two models/);
  });
});
