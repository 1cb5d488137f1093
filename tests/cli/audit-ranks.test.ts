import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES } from '../helpers.js';

const REAL = join(FIXTURES, 'data', 'chatbot-arena-20240814-japanese', 'battles.jsonl');

interface Row { model: string; rating: number; rank: number; rankLower: number; rankUpper: number; simultaneousRankLower: number; simultaneousRankUpper: number }
const span = (lo: number, hi: number) => (lo === hi ? String(lo) : `${lo}–${hi}`);

describe('arena audit: simultaneous rank intervals of the top', () => {
  it('JSON and table carry the same intervals as `rate --simultaneous-ranks` (sandwich and bootstrap), with the contenders for #1', async () => {
    for (const extra of [[], ['--bootstrap', '40', '--threads', '1']]) {
      const common = [REAL, '--seed', '4', '--quiet', ...extra];
      const rate = JSON.parse((await cli(['rate', ...common, '--simultaneous-ranks', '--format', 'json'])).stdout);
      const a = await cli(['audit', ...common, '--action', 'drop', '--challengers', '2', '--format', 'json']);
      expect(a.code).toBe(0);
      const s = JSON.parse(a.stdout).simultaneousRanks;
      expect(s).toMatchObject({ ...rate.params.simultaneousRanks });
      // the top 3 (#1 and the two challengers), in rating order, as `rate` gives them
      const rows = rate.models as Row[];
      expect(s.top.map((r: Row) => r.model)).toEqual(rows.slice(0, 3).map((r) => r.model));
      for (const r of s.top as Row[]) {
        const want = rows.find((x) => x.model === r.model)!;
        expect([r.rating, r.rank, r.rankLower, r.rankUpper, r.simultaneousRankLower, r.simultaneousRankUpper]).toEqual([want.rating, want.rank, want.rankLower, want.rankUpper, want.simultaneousRankLower, want.simultaneousRankUpper]);
      }
      expect(s.contendersForFirst).toEqual(rows.filter((r) => r.simultaneousRankLower === 1).map((r) => r.model));
      // the table shows the same numbers
      const text = (await cli(['audit', ...common, '--action', 'drop', '--challengers', '2'])).stdout;
      expect(text).toMatch(new RegExp(`Simultaneous rank intervals of the top \\(95% for all ${rows.length} models at once, .*each gap ± ${s.critical.toFixed(2)} sd, against 1\\.96 for one pair alone\\)\\. ${s.contendersForFirst.length} models can be first`));
      const lines = text.split('\n');
      const head = lines.findIndex((l) => /^ {2}Model +Rating/.test(l));
      const shown = lines.slice(head + 1, head + 4).map((l) => l.trim().split(/ {2,}/));
      expect(shown.map((c) => [c[0], c[4], c[5]])).toEqual((s.top as Row[]).map((r) => [r.model, span(r.rankLower, r.rankUpper), span(r.simultaneousRankLower, r.simultaneousRankUpper)]));
      // 40 rounds are too few for the max-statistic's 95% quantile: the section says so (table and JSON)
      const few = /rests on 40 bootstrap rounds, fewer than 20 beyond it/;
      expect(s.warnings.some((w: string) => few.test(w))).toBe(extra.length > 0);
      expect(few.test(text)).toBe(extra.length > 0);
    }
  });

  it('--a/--b: the two models are in the section wherever they stand; no intervals, no section', async () => {
    const rate = JSON.parse((await cli(['rate', REAL, '--format', 'json'])).stdout);
    const [a, b] = [rate.models[0].model, rate.models[12].model];
    const j = JSON.parse((await cli(['audit', REAL, '--a', a, '--b', b, '--action', 'drop', '--challengers', '1', '--format', 'json', '--quiet'])).stdout);
    expect(j.simultaneousRanks.top.map((r: Row) => r.model)).toEqual([a, rate.models[1].model, b]);
    const none = await cli(['audit', REAL, '--ci-method', 'none', '--action', 'drop', '--challengers', '1', '--quiet']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/Simultaneous rank intervals: none \(they need sandwich intervals or at least 2 bootstrap rounds\)/);
    expect(JSON.parse((await cli(['audit', REAL, '--ci-method', 'none', '--action', 'drop', '--challengers', '1', '--format', 'json', '--quiet'])).stdout).simultaneousRanks).toBeNull();
  });
});
