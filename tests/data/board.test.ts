/**
 * Published board files (LMArena arena-catalog format): the reader returns the file's own figures, sorted, with
 * names kept as data; every malformed shape is one line naming the file and the entry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardDate, parsePublishedBoard, readPublishedBoard } from '../../src/data/board.js';
import { InputError } from '../../src/errors.js';
import { FIXTURES, tempFile } from '../helpers.js';

const DEC = join(FIXTURES, 'lmarena-catalog', 'text-2025-12-11.json');
const entry = (rating: number, half = 5) => ({ rating, rating_q025: rating - half, rating_q975: rating + half });

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected an InputError');
}

describe('readPublishedBoard', () => {
  it('reads the 2025-12-11 full board: every figure as in the file (read independently), highest rating first', () => {
    const raw = JSON.parse(readFileSync(DEC, 'utf8')) as Record<string, Record<string, { rating: number; rating_q025: number; rating_q975: number }>>;
    const b = readPublishedBoard(DEC, 'full');
    expect(b.date).toBe('2025-12-11');
    expect(b.models).toHaveLength(282);
    expect(b.categories).toHaveLength(29);
    expect(b.categories).toContain('industry_mathematical');
    expect(b.models[0]).toBe('gemini-3-pro');
    expect(b.ratings[0]).toBe(1486.6027120272704);
    expect(b.lower[0]).toBe(1480.4026895976556);
    expect(b.upper[0]).toBe(1492.8027344568852);
    for (let v = 0; v < b.models.length; v++) {
      const e = raw.full![b.models[v]!]!;
      expect([b.ratings[v], b.lower[v], b.upper[v]]).toEqual([e.rating, e.rating_q025, e.rating_q975]);
      if (v > 0) expect(b.ratings[v - 1]!).toBeGreaterThanOrEqual(b.ratings[v]!);
    }
    expect(new Set(b.models)).toEqual(new Set(Object.keys(raw.full!)));
  });

  it('keeps __proto__ and constructor as ordinary models; equal ratings ordered by name', () => {
    const json = JSON.parse('{"full":{"__proto__":{"rating":1010,"rating_q025":1000,"rating_q975":1020},"constructor":' + JSON.stringify(entry(1010)) + ',"zed":' + JSON.stringify(entry(1200)) + '}}');
    const b = parsePublishedBoard(json, 'x-2025-01-02.json', 'full');
    expect(b.models).toEqual(['zed', '__proto__', 'constructor']);
    expect(Array.from(b.ratings)).toEqual([1200, 1010, 1010]);
    expect(b.date).toBe('2025-01-02');
  });

  it('an unknown category is one line listing the valid ones', () => {
    const msg = errorOf(() => parsePublishedBoard({ full: { a: entry(1) }, coding: { a: entry(1) } }, 'f.json', 'fulll'));
    expect(msg).toBe('f.json: unknown category "fulll" (this file has 2: "coding", "full")');
  });

  it('malformed files: one line naming the file, the category, the model and the field', () => {
    const cases: [unknown, string][] = [
      [[], 'f.json: (root): a published board file is a JSON object of category boards'],
      [{}, 'f.json: (root): no category boards'],
      [{ full: [] }, 'f.json: "full": a category board is a JSON object of model entries'],
      [{ full: {} }, 'f.json: "full": no models'],
      [{ full: { a: entry(1) }, coding: { 'm\u202e': { rating: 1, rating_q025: 0 } } }, 'f.json: "coding"."m\\u202e".rating_q975: must be a number'],
      [{ full: { a: { rating: '1', rating_q025: 0, rating_q975: 2 } } }, 'f.json: "full"."a".rating: must be a number'],
      [{ full: { a: { rating: 5, rating_q025: 6, rating_q975: 7 } } }, 'f.json: "full"."a".rating: needs rating_q025 ≤ rating ≤ rating_q975'],
      [{ full: { a: 3 } }, 'f.json: "full"."a": Invalid input: expected object, received number'],
    ];
    for (const [json, want] of cases) expect(errorOf(() => parsePublishedBoard(json, 'f.json', 'full'))).toBe(want);
  });

  it('unreadable and non-JSON files name the file', () => {
    expect(errorOf(() => readPublishedBoard('/nonexistent/board.json', 'full'))).toMatch(/^\/nonexistent\/board\.json: cannot read \(ENOENT\)$/);
    const f = tempFile('b.json', '{"full": ');
    expect(errorOf(() => readPublishedBoard(f, 'full'))).toMatch(/b\.json: \(json\): not valid JSON/);
  });

  it('boardDate: the first valid YYYY-MM-DD of the file name', () => {
    expect(boardDate('/a/2024-01-01/text-style-control-2025-12-17.json')).toBe('2025-12-17');
    expect(boardDate('text.json')).toBeNull();
    expect(boardDate('text-2025-02-30.json')).toBeNull();
  });
});
