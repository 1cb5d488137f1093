import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATINGS_PATH } from '../../src/data/ratings.js';
import { FIXTURE_REAL_ENTRIES, loadSimRatings, parseSimRatings } from '../../src/sim/fixture.js';
import { tempFile } from '../helpers.js';

describe('the April 2026 fixture', () => {
  const raw = JSON.parse(readFileSync(DEFAULT_RATINGS_PATH, 'utf8')) as { votes: number; models: { model: string; rating: number; rank: number; real: boolean }[] };
  const truth = loadSimRatings();

  it('339 models, vote total 5.78M, the seven published entries at their ranks, marked real', () => {
    expect(truth.models).toHaveLength(339);
    expect(truth.votes).toBe(5_780_000);
    for (const e of FIXTURE_REAL_ENTRIES) {
      const v = truth.models.indexOf(e.model);
      expect(v).toBe(e.rank - 1);
      expect(truth.ratings[v]).toBe(e.rating);
      expect(truth.real![v]).toBe(1);
    }
    expect(truth.real!.reduce((a, b) => a + b, 0)).toBe(7);
    expect(truth.weights).toBeNull();
  });

  it('the 332 filled-in entries follow the documented curve (recomputed here, independently of the generator)', () => {
    const curve = (rank: number) => (rank < 177 ? 1486 - 47.0 * Math.log(rank / 6) : 1327 - 330 * Math.pow((rank - 177) / 162, 1.3));
    let fillers = 0;
    raw.models.forEach((m, i) => {
      expect(m.rank).toBe(i + 1);
      if (m.real) return;
      fillers++;
      expect(m.model).toBe(`filler-${String(m.rank).padStart(3, '0')}`);
      expect(m.rating).toBe(Math.round(curve(m.rank) * 10) / 10);
    });
    expect(fillers).toBe(332);
  });

  it('ratings never increase with rank (a consistent board)', () => {
    for (let v = 1; v < truth.ratings.length; v++) expect(truth.ratings[v]!).toBeLessThanOrEqual(truth.ratings[v - 1]!);
    expect(truth.ratings[338]).toBeCloseTo(997, 0);
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
