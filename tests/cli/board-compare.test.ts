/**
 * `arena compare --board`: the published figures in, the gap and verdict out; JSON numbers recomputed here from the
 * raw file; usage and input errors are one line with the right exit status.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from '../../src/math/normal.js';
import { TYPICAL_NEIGHBOUR_CORRELATION } from '../../src/stats/published-compare.js';
import { cli, FIXTURES, tempFile } from '../helpers.js';

const DEC = join(FIXTURES, 'lmarena-catalog', 'text-2025-12-11.json');
const MAR = join(FIXTURES, 'lmarena-catalog', 'text-2025-03-07.json');
const raw = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, { rating: number; rating_q025: number; rating_q975: number }>>;

describe('compare --board', () => {
  it('gemini-3-pro vs grok-4.1-thinking (full, 2025-12-11): separated under both assumptions; JSON recomputed from the file', async () => {
    const r = await cli(['compare', '--board', DEC, '--category', 'full', '--a', 'gemini-3-pro', '--b', 'grok-4.1-thinking', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const f = raw(DEC).full!;
    const a = f['gemini-3-pro']!;
    const b = f['grok-4.1-thinking']!;
    const z = normalQuantile(0.975);
    const sa = (a.rating_q975 - a.rating_q025) / (2 * z);
    const sb = (b.rating_q975 - b.rating_q025) / (2 * z);
    const gap = a.rating - b.rating;
    const rho = TYPICAL_NEIGHBOUR_CORRELATION;
    const sdInd = Math.hypot(sa, sb);
    const sdRho = Math.sqrt(sa * sa + sb * sb - 2 * rho * sa * sb);
    expect(j.comparison.assumptions.map((x: { name: string; correlation: number }) => [x.name, x.correlation])).toEqual([
      ['independent', 0],
      ['typical', rho],
    ]);
    const [ind, typ] = j.comparison.assumptions;
    expect(ind.gap.estimate).toBeCloseTo(gap, 9);
    expect(ind.gap.lower).toBeCloseTo(gap - z * sdInd, 9);
    expect(ind.gap.upper).toBeCloseTo(gap + z * sdInd, 9);
    expect(typ.gap.lower).toBeCloseTo(gap - z * sdRho, 9);
    expect(typ.pAbove).toBeCloseTo(normalCdf(gap / sdRho), 12);
    expect(j.comparison.gap).toEqual(typ.gap);
    expect([ind.separated, typ.separated, j.comparison.separated]).toEqual([true, true, true]);
    expect(j.models.map((m: { model: string; rank: number; position: number }) => [m.model, m.position])).toEqual([
      ['gemini-3-pro', 1],
      ['grok-4.1-thinking', 3],
    ]);
    expect(j.params).toMatchObject({ category: 'full', date: '2025-12-11', ci: 0.95, correlation: rho });
    expect(j.comparison.verdict).toMatch(/^Yes: gemini-3-pro is ahead of grok-4\.1-thinking/);
    expect(j.comparison.assumption).toContain('not how the two estimates move together');
  });

  it('the table: a verdict in plain words and the assumption stated (--quiet is accepted)', async () => {
    const r = await cli(['compare', '--board', DEC, '--a', 'gemini-3-pro', '--b', 'grok-4.1-thinking', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gap A − B: 35.4 points');
    expect(r.stdout).toContain('independent estimates (ρ = 0): 95% interval 26.7 – 44.1');
    expect(r.stdout).toMatch(/^verdict: Yes: gemini-3-pro is ahead of grok-4\.1-thinking on LMArena's published full board of 2025-12-11, by 35\.4 points/m);
    expect(r.stdout).toMatch(/^assumption: LMArena publishes each model's rating and 95% interval, not how the two estimates move together/m);
  });

  it('asked the other way round, a clear gap is "No, the other way round"', async () => {
    const r = await cli(['compare', '--board', DEC, '--a', 'grok-4.1-thinking', '--b', 'gemini-3-pro', '--format', 'json']);
    const j = JSON.parse(r.stdout);
    expect(j.comparison.separated).toBe(true);
    expect(j.comparison.pAbove).toBeLessThan(0.001);
    expect(j.comparison.verdict).toMatch(/^No, the other way round: gemini-3-pro is ahead of grok-4\.1-thinking/);
  });

  it('a close pair is "not clearly" ahead, and the chance is the normal P(A above B)', async () => {
    // grok-4.1-thinking 1451.2 ± 6.1 vs gpt-5.1-high 1445.9 ± 6.4
    const r = await cli(['compare', '--board', DEC, '--a', 'gpt-5.1-high', '--b', 'grok-4.1-thinking', '--correlation', '0', '--format', 'json']);
    const j = JSON.parse(r.stdout);
    expect(j.comparison.assumptions).toHaveLength(1);
    expect(j.comparison.separated).toBe(false);
    expect(j.comparison.pAbove).toBeLessThan(0.5);
    expect(j.comparison.verdict).toMatch(/^Not clearly: grok-4\.1-thinking is 5\.3 points above gpt-5\.1-high/);
  });

  it('a verdict that depends on ρ says so', async () => {
    // 11 points apart, s = 3 each: ρ = 0 gives sd 4.243 (11/4.243 = 2.59 > 1.96, separated); ρ = −0.9 gives sd 5.848 (1.88 < 1.96, not)
    const z = normalQuantile(0.975);
    const e = (r: number) => ({ rating: r, rating_q025: r - 3 * z, rating_q975: r + 3 * z });
    const f = tempFile('b-2025-01-01.json', JSON.stringify({ full: { x: e(1011), y: e(1000) } }));
    const r = await cli(['compare', '--board', f, '--a', 'x', '--b', 'y', '--correlation', '-0.9']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verdict: It depends on a figure LMArena does not publish/);
  });

  it('asymmetric published bounds (March 2025) give a warning and an asymmetric gap interval', async () => {
    const f = raw(MAR).full!;
    const [a, b] = Object.entries(f).filter(([, e]) => Math.abs(e.rating_q975 - e.rating - (e.rating - e.rating_q025)) > 0.15 * (e.rating_q975 - e.rating_q025)).slice(0, 2);
    const r = await cli(['compare', '--board', MAR, '--a', a![0], '--b', b![0], '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the published interval of .* is asymmetric/);
    const g = JSON.parse(r.stdout).comparison.assumptions[0];
    expect(g.sdBelow).not.toBeCloseTo(g.sdAbove, 3);
  });

  it('an anchored board (2025-03-07, mixtral-8x7b-instruct-v0.1 at zero width) says so', async () => {
    const r = await cli(['compare', '--board', MAR, '--a', 'chatgpt-4o-latest-20250129', '--b', 'gpt-4.5-preview-2025-02-27']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: this board is anchored on mixtral-8x7b-instruct-v0\.1 \(its interval has zero width\)/);
  });

  it('bad input: one line, exit 1 (malformed file, unknown category); usage: exit 2', async () => {
    const bad = tempFile('bad.json', JSON.stringify({ full: { a: { rating: 1, rating_q025: 0, rating_q975: 'x' } } }));
    const cases: [string[], number, RegExp][] = [
      [['--board', bad, '--a', 'a', '--b', 'b'], 1, /^arena: .*bad\.json: "full"\."a"\.rating_q975: must be a number\n$/],
      [['--board', DEC, '--category', 'fulll', '--a', 'a', '--b', 'b'], 1, /^arena: .*text-2025-12-11\.json: unknown category "fulll" \(this file has 29: "chinese", .*"full", .*\)\n$/],
      [['--board', DEC, '--a', 'gemini-3', '--b', 'grok-4.1-thinking'], 2, /^arena: error: --a: model "gemini-3" is not on the full board .*; did you mean "gemini-3-pro"\?\n$/],
      [['--board', DEC, '--a', 'gemini-3-pro', '--b', 'grok-4.1-thinking', '--bootstrap', '100'], 2, /^arena: error: --bootstrap does not apply to --board/],
      [['--board', DEC, '--a', 'gemini-3-pro', '--b', 'grok-4.1-thinking', '--ties', 'davidson'], 2, /^arena: error: --ties does not apply to --board/],
      [[DEC, '--board', DEC, '--a', 'gemini-3-pro', '--b', 'grok-4.1-thinking'], 2, /^arena: error: give either battle files or --board FILE, not both\n$/],
      [['--a', 'x', '--b', 'y'], 2, /^arena: error: give battle files \(or --board FILE/],
      [['--board', DEC, '--a', 'gemini-3-pro', '--b', 'grok-4.1-thinking', '--correlation', '2'], 2, /correlation in \[-1, 1\]/],
    ];
    for (const [args, code, err] of cases) {
      const r = await cli(['compare', ...args]);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(err);
      expect(r.stdout).toBe('');
    }
  });

  it('hostile names: exact in JSON, escaped in the text', async () => {
    const e = (r: number) => ({ rating: r, rating_q025: r - 5, rating_q975: r + 5 });
    const f = tempFile('h.json', `{"full":{"__proto__":${JSON.stringify(e(1100))},"bell\\u0007\\u202e":${JSON.stringify(e(1000))}}}`);
    const r = await cli(['compare', '--board', f, '--a', '__proto__', '--b', 'bell\u0007\u202e']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0007\u202e]/);
    expect(r.stdout).toContain('bell\\u0007\\u202e');
    const j = JSON.parse((await cli(['compare', '--board', f, '--a', '__proto__', '--b', 'bell\u0007\u202e', '--format', 'json'])).stdout);
    expect(j.models.map((m: { model: string }) => m.model)).toEqual(['__proto__', 'bell\u0007\u202e']);
  });
});

describe('the README example of compare --board', () => {
  it('every line shown is a line the command prints', async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const block = /\$ npx arena compare --board (\S+) --category full --a gemini-3-pro --b grok-4\.1-thinking\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const r = await cli(['compare', '--board', block![1]!, '--category', 'full', '--a', 'gemini-3-pro', '--b', 'grok-4.1-thinking']);
    const printed = new Set(r.stdout.split('\n'));
    const shown = block![2]!.split('\n').filter((l) => l !== '' && l !== '…' && !l.endsWith('…'));
    expect(shown.length).toBeGreaterThanOrEqual(4);
    for (const l of shown) expect(printed, l).toContain(l);
  });
});
