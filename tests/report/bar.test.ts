import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { colorEnabled, formatLeaderboard, formatLeaderboardTable, intervalBar } from '../../src/formats/format.js';
import type { Leaderboard } from '../../src/leaderboard/leaderboard.js';

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('intervalBar', () => {
  it('known values', () => {
    expect(intervalBar(2, 5, 8, 0, 10, 11)).toBe('  ├──●──┤  ');
    expect(intervalBar(0, 0, 10, 0, 10, 6)).toBe('●────┤');
    expect(intervalBar(5, 5, 5, 0, 10, 5)).toBe('  ●  ');
    expect(intervalBar(4.9, 5, 5.1, 0, 10, 5)).toBe('  ●  '); // narrower than a cell: only the dot
    expect(intervalBar(Number.NaN, 5, 6, 0, 10, 4)).toBe('    ');
    expect(intervalBar(1, 1, 1, 1, 1, 5)).toBe('  ●  '); // degenerate axis: centred
    expect(intervalBar(2, 5, 8, 0, 10, 11, true)).toBe('  \x1b[36m├──\x1b[39m\x1b[1m●\x1b[22m\x1b[36m──┤\x1b[39m  ');
  });

  it('property: fixed width, glyphs in order, colour changes nothing visible, wider interval never shorter', () => {
    const arb = fc.record({
      r: fc.double({ min: -50, max: 50, noNaN: true }),
      a: fc.double({ min: 0, max: 40, noNaN: true }),
      b: fc.double({ min: 0, max: 40, noNaN: true }),
      extra: fc.double({ min: 0, max: 20, noNaN: true }),
      width: fc.integer({ min: 1, max: 60 }),
    });
    fc.assert(
      fc.property(arb, ({ r, a, b, extra, width }) => {
        const lo = -100;
        const hi = 100;
        const plain = intervalBar(r - a, r, r + b, lo, hi, width);
        expect([...plain]).toHaveLength(width);
        expect(strip(intervalBar(r - a, r, r + b, lo, hi, width, true))).toBe(plain);
        expect(plain.split('●')).toHaveLength(2);
        const dot = plain.indexOf('●');
        const left = plain.indexOf('├');
        const right = plain.indexOf('┤');
        if (left >= 0) expect(left).toBeLessThan(dot);
        if (right >= 0) expect(right).toBeGreaterThan(dot);
        const inked = (s: string) => s.replace(/ /g, '').length;
        expect(inked(intervalBar(r - a - extra, r, r + b + extra, lo, hi, width))).toBeGreaterThanOrEqual(inked(plain));
      }),
    );
  });
});

describe('colorEnabled', () => {
  it('only on a terminal, without NO_COLOR, not TERM=dumb', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(true); // no-color.org: set and non-empty
    expect(colorEnabled({ TERM: 'dumb' }, true)).toBe(false);
  });
});

const board = (withIntervals: boolean): Leaderboard => ({
  method: 'bt',
  params: { ci: 0.95 },
  battles: 30,
  fit: { converged: true, iterations: 3, logLikelihood: -0.6 },
  warnings: [],
  models: [
    { model: 'alpha', rating: 1050, rank: 1, battles: 20, wins: 12, losses: 6, ties: 2, ...(withIntervals ? { lower: 1020, upper: 1080 } : {}) },
    { model: '__proto__', rating: 1000, rank: 1, battles: 20, wins: 8, losses: 10, ties: 2, ...(withIntervals ? { lower: 960, upper: 1040 } : {}) },
    { model: 'beta', rating: 950, rank: 2, battles: 20, wins: 6, losses: 10, ties: 4, ...(withIntervals ? { lower: 930, upper: 970 } : {}) },
  ],
});

describe('formatLeaderboardTable with intervals', () => {
  it('adds the interval and a bar on a shared axis, captioned with its ends', () => {
    const lines = formatLeaderboardTable(board(true), { barWidth: 16 }).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Rank\s+Model\s+Rating\s+95% CI\s+930\s+1080\s+Battles\s+Wins\s+Losses\s+Ties$/);
    // axis 930…1080 over 16 cells: 150/15 = 10 points per cell
    expect(lines[1]).toContain('1020.0 – 1080.0  ' + intervalBar(1020, 1050, 1080, 930, 1080, 16) + '  ');
    expect(lines[3]).toContain(intervalBar(930, 950, 970, 930, 1080, 16));
    expect(intervalBar(930, 950, 970, 930, 1080, 16)).toBe('├─●─┤           '); // cells 0, 2, 4
    // columns stay aligned
    const col = (l: string) => l.indexOf('Battles') >= 0 ? l.indexOf('Battles') + 'Battles'.length : -1;
    const end = col(lines[0]!);
    for (const l of lines.slice(1)) expect(l[end - 1]).toBe('0');
  });

  it('colour adds ANSI codes only: the visible table is the same and still aligned', () => {
    const plain = formatLeaderboardTable(board(true));
    const coloured = formatLeaderboardTable(board(true), { color: true });
    expect(coloured).not.toBe(plain);
    expect(strip(coloured)).toBe(plain);
    expect(formatLeaderboard(board(true), 'table', { color: true })).toBe(coloured);
  });

  it('no intervals, no bar: the table is unchanged', () => {
    const t = formatLeaderboardTable(board(false), { color: true });
    expect(t).not.toMatch(/[●├┤\x1b]/);
    expect(t.split('\n')[0]).toMatch(/^Pos\.\s+Model\s+Rating\s+Battles\s+Wins\s+Losses\s+Ties$/);
    expect(formatLeaderboardTable(board(true), { barWidth: 0 })).not.toMatch(/●/);
  });
});
