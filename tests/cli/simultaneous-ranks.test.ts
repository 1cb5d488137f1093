import { describe, expect, it } from 'vitest';
import { cli, FIXTURES } from '../helpers.js';
import { join } from 'node:path';

const REAL = join(FIXTURES, 'data', 'chatbot-arena-20240814-japanese', 'battles.jsonl');

interface Row { model: string; rating: number; rank: number; rankLower: number; rankUpper: number; battles: number; deprecated?: boolean; simultaneousRankLower: number; simultaneousRankUpper: number }
const range = (r: Row) => (r.simultaneousRankLower === r.simultaneousRankUpper ? String(r.simultaneousRankLower) : `${r.simultaneousRankLower}–${r.simultaneousRankUpper}`);

describe('arena rate --simultaneous-ranks', () => {
  it('adds rank intervals holding for all models at once: each contains the model\'s position, and they are wider than the per-model ones', async () => {
    for (const extra of [[], ['--bootstrap', '60', '--threads', '1']]) {
      const r = await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--seed', '3', ...extra]);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      const s = j.params.simultaneousRanks;
      expect(s.method).toBe(extra.length ? 'bootstrap' : 'sandwich');
      expect(s.level).toBe(0.95);
      expect(s.models).toBe(j.models.length);
      // many pairs: the max-statistic's critical value is well above the single pair's 1.96
      expect(s.critical).toBeGreaterThan(2.5);
      let wider = 0;
      j.models.forEach((row: Row, q: number) => {
        expect(row.simultaneousRankLower).toBeLessThanOrEqual(q + 1);
        expect(row.simultaneousRankUpper).toBeGreaterThanOrEqual(q + 1);
        if (row.simultaneousRankUpper - row.simultaneousRankLower > row.rankUpper - row.rankLower) wider++;
      });
      expect(wider).toBeGreaterThan(j.models.length / 4);
    }
  });

  it('table, CSV and Markdown show the JSON\'s intervals, with a legend saying what simultaneous means (display rules too)', async () => {
    for (const rules of [[], ['--min-votes', '300', '--deprecated', 'gpt-4-0613']]) {
      const args = ['rate', REAL, '--simultaneous-ranks', '--seed', '5', ...rules];
      const j = JSON.parse((await cli([...args, '--format', 'json'])).stdout);
      const want = new Map<string, string>(j.models.map((r: Row) => [r.model, range(r)]));
      expect(want.size).toBeGreaterThan(20);
      // table: "Rank  Simultaneous rank  Model …", cells separated by two or more spaces
      const table = (await cli([...args, '--format', 'table'])).stdout.split('\n');
      expect(table[0]).toMatch(/^Rank {2}Simultaneous rank {2}Model/);
      const tableRows = table.slice(1, 1 + want.size).map((l) => l.trim().split(/ {2,}/));
      expect(new Map(tableRows.map((c) => [c[2]!.replace(/ \(deprecated\)$/, ''), c[1]]))).toEqual(want);
      const legend = new RegExp(`Simultaneous rank: best and worst rank of each model, holding for all ${want.size} shown models at once with 95% confidence \\(max-statistic over every pairwise gap, 4,000 normal draws from the sandwich covariance: each gap ± ${j.params.simultaneousRanks.critical.toFixed(2)} sd, against 1\\.96 for one pair alone\\)`);
      expect(table.join('\n')).toMatch(legend);
      // CSV: two columns with the bounds
      const csv = (await cli([...args, '--format', 'csv'])).stdout.trim().split('\n').map((l) => l.split(','));
      const lo = csv[0]!.indexOf('simultaneous_rank_lower');
      expect(csv[0]![lo + 1]).toBe('simultaneous_rank_upper');
      expect(new Map(csv.slice(1).map((c) => [c[1]!, c[lo] === c[lo + 1] ? c[lo]! : `${c[lo]}–${c[lo + 1]}`]))).toEqual(want);
      // Markdown: a column after Rank, the legend under the table
      const md = (await cli([...args, '--format', 'markdown'])).stdout;
      const lines = md.split('\n');
      expect(lines[0]).toMatch(/^\| Rank \| Simultaneous rank \| Model \|/);
      const mdRows = lines.slice(2, 2 + want.size).map((l) => l.split(' | '));
      expect(new Map(mdRows.map((c) => [c[2]!.replace(/ \(deprecated\)$/, ''), c[1]]))).toEqual(want);
      expect(md).toMatch(/\*Simultaneous rank\*: best and worst rank of each model, holding for all/);
    }
  });

  it('with display rules: ranks among the shown models (hidden ones out of the family, deprecated ones counted in nobody\'s rank), as LMArena\'s rank range does', async () => {
    const all = JSON.parse((await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--seed', '5'])).stdout);
    const dep = 'gpt-4-0613';
    const j = JSON.parse((await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--seed', '5', '--min-votes', '300', '--deprecated', dep])).stdout);
    const rows = j.models as Row[];
    const pool = rows.filter((r) => !r.deprecated);
    expect(rows.some((r) => r.deprecated)).toBe(true);
    expect(j.params.simultaneousRanks.models).toBe(rows.length);
    // fewer pairs, the same draws: a critical value no larger than the whole board's
    expect(j.params.simultaneousRanks.critical).toBeLessThan(all.params.simultaneousRanks.critical);
    for (const r of rows) {
      const position = 1 + pool.filter((u) => u.model !== r.model && u.rating > r.rating).length;
      expect(r.simultaneousRankLower).toBeLessThanOrEqual(position);
      expect(r.simultaneousRankUpper).toBeGreaterThanOrEqual(position);
      expect(r.simultaneousRankUpper).toBeLessThanOrEqual(pool.length + (r.deprecated ? 1 : 0));
      // the per-model rank range of the same rows lies inside (on this board)
      expect(r.simultaneousRankLower).toBeLessThanOrEqual(r.rankLower);
      expect(r.simultaneousRankUpper).toBeGreaterThanOrEqual(r.rankUpper);
    }
    // a model's interval among the shown models is never wider than in the whole board
    const whole = new Map((all.models as Row[]).map((r) => [r.model, r]));
    for (const r of pool) expect(r.simultaneousRankUpper - r.simultaneousRankLower).toBeLessThanOrEqual(whole.get(r.model)!.simultaneousRankUpper - whole.get(r.model)!.simultaneousRankLower);
  });

  it('bootstrap: the same bytes with 1 and 2 worker threads; online Elo and weighted battles from the rounds', async () => {
    const run = (threads: string, extra: string[] = []) => cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--bootstrap', '40', '--threads', threads, '--seed', '11', '--quiet', ...extra]);
    const [a, b] = [await run('1'), await run('2')];
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    for (const extra of [['--method', 'elo'], ['--reweight', 'pairs']]) {
      const [e1, e2] = [await run('1', extra), await run('2', extra)];
      expect(e1.code).toBe(0);
      expect(e1.stdout).toBe(e2.stdout);
      const j = JSON.parse(e1.stdout);
      expect(j.params.simultaneousRanks).toMatchObject({ method: 'bootstrap', draws: 40 });
      j.models.forEach((row: Row, q: number) => {
        expect(row.simultaneousRankLower).toBeLessThanOrEqual(q + 1);
        expect(row.simultaneousRankUpper).toBeGreaterThanOrEqual(q + 1);
      });
    }
    // weighted battles, sandwich
    const w = JSON.parse((await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--reweight', 'pairs'])).stdout);
    const u = JSON.parse((await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json'])).stdout);
    expect(w.params.simultaneousRanks.method).toBe('sandwich');
    // the weights change the gaps' law, so the critical value
    expect(w.params.simultaneousRanks.critical).not.toBe(u.params.simultaneousRanks.critical);
    (w.models as Row[]).forEach((row, q) => expect([row.simultaneousRankLower <= q + 1, row.simultaneousRankUpper >= q + 1]).toEqual([true, true]));
  });

  it('same seed, same intervals; usage errors without the law of the gaps', async () => {
    const a = await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--seed', '9']);
    const b = await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--seed', '9']);
    expect(a.stdout).toBe(b.stdout);
    for (const [args, msg] of [
      [['--ci-method', 'none'], /needs the law of the rating gaps/],
      [['--method', 'elo'], /needs the law of the rating gaps/],
      [['--compare-models'], /--compare-models prints none/],
      [['--bootstrap', '1'], /needs at least 2 rounds/],
    ] as const) {
      for (const cmd of args[0] === '--compare-models' ? ['rate'] : ['rate', 'report']) {
        const r = await cli([cmd, REAL, '--simultaneous-ranks', ...args]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(msg);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    }
  });

  it('follows the board\'s interval method (sandwich with rounds kept for other uses), and warns when few rounds carry the quantile', async () => {
    const a = JSON.parse((await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--ci-method', 'sandwich', '--bootstrap', '10', '--threads', '1'])).stdout);
    expect(a.params.simultaneousRanks.method).toBe('sandwich');
    const b = await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--bootstrap', '40', '--threads', '1']);
    expect(JSON.parse(b.stdout).params.simultaneousRanks).toMatchObject({ method: 'bootstrap', draws: 40 });
    expect(b.stderr).toMatch(/rests on 40 bootstrap rounds, fewer than 20 beyond it.*--bootstrap 400 or more/);
  });
});

describe('arena report --simultaneous-ranks', () => {
  it('adds a column equal to the embedded JSON\'s and to `rate`\'s, with the legend', async () => {
    const args = [REAL, '--simultaneous-ranks', '--seed', '5', '--min-votes', '300', '--top', '5', '--heatmap-top', '4'];
    const html = (await cli(['report', ...args])).stdout;
    const rate = JSON.parse((await cli(['rate', ...args.slice(0, -4), '--format', 'json'])).stdout);
    const embedded = JSON.parse(html.match(/<script type="application\/json" id="arena-leaderboard">([^<]*)<\/script>/)![1]!);
    expect(embedded.models.map(range)).toEqual(rate.models.map(range));
    expect(html).toContain('<th class="num">Simultaneous rank</th>');
    const cells = [...html.matchAll(/<tr><td class="num">\d+<\/td><td class="num">[^<]*<\/td><td class="num">([^<]*)<\/td>/g)].map((x) => x[1]);
    expect(cells).toEqual(rate.models.map(range));
    expect(html).toMatch(/Simultaneous rank: best and worst rank of each model, holding for all \d+ shown models at once with 95% confidence/);
    // without the option: no column
    expect((await cli(['report', REAL, '--top', '3', '--heatmap-top', '3'])).stdout).not.toContain('Simultaneous rank');
  });
});

describe('arena compare --simultaneous-ranks', () => {
  it('the two rows carry the same intervals as `rate`, and the table names them; a published board has none', async () => {
    const rate = JSON.parse((await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--seed', '2'])).stdout);
    const [a, b] = [rate.models[1] as Row, rate.models[4] as Row];
    const args = ['compare', REAL, '--a', a.model, '--b', b.model, '--simultaneous-ranks', '--seed', '2', '--forecast-replications', '20'];
    const j = JSON.parse((await cli([...args, '--format', 'json'])).stdout);
    expect(j.models.map(range)).toEqual([a, b].map(range));
    const text = (await cli(args)).stdout;
    expect(text).toContain(`rank ${a.rank} (could be ${a.rankLower}–${a.rankUpper}; all ${rate.models.length} models at once: ${a.simultaneousRankLower}–${a.simultaneousRankUpper})`);
    const board = await cli(['compare', '--board', join(FIXTURES, 'lmarena-text-2026-04.json'), '--a', 'x', '--b', 'y', '--simultaneous-ranks']);
    expect(board.code).toBe(2);
    expect(board.stderr).toMatch(/--simultaneous-ranks needs battles/);
  });
});
