/**
 * Board history across published snapshots: hand-computed ranks, rank changes and turnover on small boards, and
 * the real snapshots checked against the raw files read independently.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePublishedBoard, readPublishedBoard } from '../../src/data/board.js';
import { boardTurnover, modelHistory, orderSnapshots } from '../../src/leaderboard/history.js';
import { FIXTURES } from '../helpers.js';

const CATALOG = join(FIXTURES, 'lmarena-catalog');
const PLAIN = readdirSync(CATALOG).filter((f) => /^text-\d{4}-\d{2}-\d{2}\.json$/.test(f)).map((f) => join(CATALOG, f));
const e = (rating: number, half: number) => ({ rating, rating_q025: rating - half, rating_q975: rating + half });

describe('modelHistory and boardTurnover on hand-made boards', () => {
  // day 1: a 1020±5, b 1010±5, c 1000±5. Ranks (1 + #lower_j > upper_i): a 1; b 1 (a's lower 1015 is not > 1015); c 2 (a's 1015 > 1005).
  // day 2: b 1030±2, a 1020±2, d 1019±2. Ranks: b 1; a 2 (b's 1028 > 1022); d 2 (b's 1028 > 1021, a's 1018 is not).
  // day 3: a only with c: a 1000±1, c 990±1 → a 1, c 2. b absent.
  const d1 = parsePublishedBoard({ full: { c: e(1000, 5), a: e(1020, 5), b: e(1010, 5) } }, 'x-2025-01-01.json', 'full');
  const d2 = parsePublishedBoard({ full: { a: e(1020, 2), d: e(1019, 2), b: e(1030, 2) } }, 'x-2025-01-02.json', 'full');
  const d3 = parsePublishedBoard({ full: { a: e(1000, 1), c: e(990, 1) } }, 'x-2025-01-03.json', 'full');

  it('orders snapshots by date', () => {
    expect(orderSnapshots([d3, d1, d2]).map((b) => b.date)).toEqual(['2025-01-01', '2025-01-02', '2025-01-03']);
  });

  it('a: ranks 1, 2, 1 (changes −1, +1); positions 1, 2, 1', () => {
    const h = modelHistory([d1, d2, d3], 'a');
    expect(h.present).toBe(3);
    expect(h.points.map((p) => [p.rank, p.position, p.rankChange, p.positionChange, p.boardSize])).toEqual([
      [1, 1, null, null, 3],
      [2, 2, -1, -1, 3],
      [1, 1, 1, 1, 2],
    ]);
    expect(h.points.map((p) => p.rating)).toEqual([1020, 1020, 1000]);
  });

  it('c: absent on day 2, its change on day 3 is against day 1 (rank 2 → 2)', () => {
    const h = modelHistory([d1, d2, d3], 'c');
    expect(h.points.map((p) => [p.present, p.rank, p.rankChange])).toEqual([
      [true, 2, null],
      [false, 0, null],
      [true, 2, 0],
    ]);
    expect(Number.isNaN(h.points[1]!.rating)).toBe(true);
  });

  it('turnover of the top 2: day 1 {a, b} → day 2 {b, a}: none; day 2 → day 3 {a, c}: +c −b', () => {
    const t = boardTurnover([d1, d2, d3], 2);
    expect(t.map((s) => [s.entered, s.left])).toEqual([
      [[], []],
      [['c'], ['b']],
    ]);
    expect(() => boardTurnover([d1], 0)).toThrow(RangeError);
  });
});

describe('history of the published snapshots', () => {
  const boards = orderSnapshots(PLAIN.map((f) => readPublishedBoard(f, 'full')));

  it('15 snapshots from 2025-03-07 to 2025-12-11; gemini-2.5-pro on the last 3, with the files\' own figures', () => {
    expect(boards).toHaveLength(15);
    expect([boards[0]!.date, boards[14]!.date]).toEqual(['2025-03-07', '2025-12-11']);
    const h = modelHistory(boards, 'gemini-2.5-pro');
    expect(h.present).toBe(3);
    expect(h.points.filter((p) => p.present).map((p) => p.date)).toEqual(['2025-11-05', '2025-11-06', '2025-12-11']);
    for (const p of h.points.filter((q) => q.present)) {
      const raw = JSON.parse(readFileSync(p.file, 'utf8')).full['gemini-2.5-pro'];
      expect([p.rating, p.lower, p.upper]).toEqual([raw.rating, raw.rating_q025, raw.rating_q975]);
    }
    // 2025-12-11: gemini-3-pro (lower 1480.4) is above gemini-2.5-pro's upper 1467.9, nobody else is → rank 2
    expect(h.points[14]!.rank).toBe(2);
    expect(h.points[14]!.rankChange).toBe(-1);
  });

  it('top-10 turnover between consecutive snapshots matches sets computed from the raw files', () => {
    const t = boardTurnover(boards, 10);
    const top10 = (file: string) => {
      const full = JSON.parse(readFileSync(file, 'utf8')).full as Record<string, { rating: number }>;
      return new Set(Object.entries(full).sort((x, y) => y[1].rating - x[1].rating).slice(0, 10).map(([m]) => m));
    };
    t.forEach((s, k) => {
      const before = top10(boards[k]!.file);
      const after = top10(boards[k + 1]!.file);
      expect(new Set(s.entered)).toEqual(new Set([...after].filter((m) => !before.has(m))));
      expect(new Set(s.left)).toEqual(new Set([...before].filter((m) => !after.has(m))));
      expect(s.entered.length).toBe(s.left.length);
    });
  });
});
