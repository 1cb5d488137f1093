import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonl, FIXTURES, tempDir, tempFile, SMALL_BOARD } from '../helpers.js';
import { parseSvg } from '../report/svg.js';

const REAL = join(FIXTURES, 'data', 'chatbot-arena-20240814', 'battles.jsonl');
const MATH = join(FIXTURES, 'data', 'chatbot-arena-20240814-math', 'battles.jsonl');

interface TrajValue {
  model: string;
  x: number;
  rating: number;
  lower: number;
  upper: number;
}
interface StabilityJson {
  checkpoints: { battles: number; tstamp: number | null; models: { model: string; rating: number; lower: number | null; upper: number | null }[] }[];
  models: { model: string }[];
}

/** The values of the trajectory spec's data, as drawn. */
const trajValues = (spec: { data: { values: TrajValue[] } }) => spec.data.values;

describe('arena plot trajectory', () => {
  it('real data without timestamps (input order, checkpoints by battle count): the stability replay, drawn; SVG with names and axis titles', async () => {
    const args = [REAL, '--sort', 'input', '--checkpoints', '4'];
    const st = await cli(['stability', ...args, '--format', 'json']);
    expect(st.code, st.stderr).toBe(0);
    const s = JSON.parse(st.stdout) as StabilityJson;
    expect(s.checkpoints).toHaveLength(4);
    const r = await cli(['plot', 'trajectory', ...args, '--format', 'vega-lite', '--top', '5']);
    expect(r.code, r.stderr).toBe(0);
    const spec = JSON.parse(r.stdout);
    const top5 = s.models.slice(0, 5).map((x) => x.model);
    expect(spec.encoding.color.scale.domain).toEqual(top5);
    expect(spec.title.subtitle).toMatch(/chatbot-arena-20240814\/battles\.jsonl · 1,670,250 battles · Bradley–Terry, a tie counts half · a checkpoint every 417,563 battles/);
    // every drawn point is the stability replay's rating and sandwich interval at that checkpoint
    const values = trajValues(spec);
    expect(values).toHaveLength(5 * 4);
    for (const v of values) {
      const c = s.checkpoints.find((k) => k.battles === v.x)!;
      const x = c.models.find((k) => k.model === v.model)!;
      expect([v.rating, v.lower, v.upper]).toEqual([x.rating, x.lower, x.upper]);
      expect(v.lower).toBeLessThan(v.rating);
    }
    const dir = tempDir();
    const out = join(dir, 't.svg');
    const svg = await cli(['plot', 'trajectory', ...args, '--top', '5', '--out', out]);
    expect(svg.code, svg.stderr).toBe(0);
    expect(svg.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['t.svg']);
    const p = parseSvg(readFileSync(out, 'utf8'));
    for (const t of ['Battles replayed', 'Rating', 'Model', 'Rating over time with its 95% interval (sandwich)', ...top5]) expect(p.texts).toContain(t);
  });

  it('simulated April 2026 fixture battles with timestamps: by day on a date axis; same options as stability (--every, --ci, --method elo)', async () => {
    const sim = await cli(['simulate', '--battles', '20000', '--interval', '20', '--start', '2026-04-01', '--seed', '5']);
    expect(sim.code, sim.stderr).toBe(0);
    const f = tempFile('sim.jsonl', sim.stdout);
    const s = JSON.parse((await cli(['stability', f, '--by', 'day', '--format', 'json'])).stdout) as StabilityJson;
    expect(s.checkpoints).toHaveLength(5); // 400,000 s from midnight: 4.6 days
    const r = await cli(['plot', 'trajectory', f, '--by', 'day', '--top', '6']);
    expect(r.code, r.stderr).toBe(0);
    const p = parseSvg(r.stdout);
    for (const t of ['Date (UTC)', 'Rating', 'Model', ...s.models.slice(0, 6).map((x) => x.model)]) expect(p.texts).toContain(t);
    const spec = JSON.parse((await cli(['plot', 'trajectory', f, '--by', 'day', '--format', 'vega-lite'])).stdout);
    expect(spec.encoding.x.type).toBe('temporal');
    expect([...new Set(trajValues(spec).map((v) => v.x))]).toEqual(s.checkpoints.map((c) => c.tstamp! * 1000));

    const every = JSON.parse((await cli(['plot', 'trajectory', f, '--every', '5000', '--ci', '0.8', '--format', 'vega-lite'])).stdout);
    expect(every.title.text).toBe('Rating over time with its 80% interval (sandwich)');
    expect([...new Set(trajValues(every).map((v) => v.x))]).toEqual([5000, 10000, 15000, 20000]);

    const elo = await cli(['plot', 'trajectory', f, '--method', 'elo', '--checkpoints', '3']);
    expect(elo.code, elo.stderr).toBe(0);
    const pe = parseSvg(elo.stdout);
    expect(pe.texts).toContain('Rating over time');
    expect(pe.texts).toContain('Battles replayed');
  });

  it('errors: no battles or --by with --every (exit 2); time axis or default time order without timestamps (exit 2 / 1)', async () => {
    const f = tempFile('s.jsonl', jsonl([{ model_a: 'a', model_b: 'b', winner: 'model_a' }, { model_a: 'b', model_b: 'a', winner: 'model_a' }]));
    for (const args of [['plot', 'trajectory'], ['plot', 'trajectory', f, '--sort', 'input', '--by', 'day', '--every', '3'], ['plot', 'trajectory', f, '--sort', 'input', '--x', 'time']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1); // commander's usage errors too: one line
    }
    const r = await cli(['plot', 'trajectory', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tstamp/);
  });
});

/** A scenario file: a small simulated baseline from the April 2026 fixture, three replications. */
function scenario(extra: object): string {
  const file = join(tempDir(), 'scenario.json');
  writeFileSync(file, JSON.stringify({ replications: 3, seed: 2, baseline: { battles: 200000 }, ...extra }));
  return file;
}

interface WhatIfJson {
  models: { model: string; baseline: { rank: number; position: number } | null; scenario: { rank: number } | null; pRankChange: number | null }[];
}

describe('arena plot whatif', () => {
  it('simulated April 2026 baseline: the ranks of arena whatif, drawn; SVG with names and axis titles', async () => {
    const file = scenario({ steps: [{ type: 'bestOfN', model: 'muse-spark', variants: 10, votesPerVariant: 2000 }] });
    const w = await cli(['whatif', '--scenario', file, '--format', 'json']);
    expect(w.code, w.stderr).toBe(0);
    const j = JSON.parse(w.stdout) as WhatIfJson;
    const r = await cli(['plot', 'whatif', '--scenario', file, '--format', 'vega-lite', '--top', '8']);
    expect(r.code, r.stderr).toBe(0);
    const spec = JSON.parse(r.stdout);
    expect(spec.title.subtitle).toBe('scenario.json: baseline 200,000 battles simulated from the April 2026 fixture (pairs by popularity); 3 replications, seed 2');
    const rankLayers = spec.hconcat[0].layer.filter((l: { mark: { type: string } }) => l.mark.type !== 'rect');
    const dots = rankLayers[1].data.values as { model: string; board: string; rank: number }[];
    const shown = new Set(dots.map((d) => d.model));
    expect(shown.has('muse-spark')).toBe(true);
    expect(shown.size).toBe(j.models.slice(0, 8).some((x) => x.model === 'muse-spark') ? 8 : 9);
    for (const d of dots) {
      const x = j.models.find((k) => k.model === d.model)!;
      expect(d.rank).toBe(d.board === 'baseline' ? x.baseline!.rank : x.scenario!.rank);
    }
    // rows top to bottom by baseline position
    const pos = rankLayers[0].encoding.y.scale.domain.map((m: string) => j.models.find((k) => k.model === m)!.baseline!.position);
    expect(pos).toEqual([...pos].sort((a: number, b: number) => a - b));
    const svg = await cli(['plot', 'whatif', '--scenario', file, '--top', '8']);
    const p = parseSvg(svg.stdout);
    for (const t of ['Rank (1 = top)', 'Model', 'P(rank change)', 'baseline', 'scenario', ...shown]) expect(p.texts).toContain(t);
    // --seed and --replications override the scenario, as in arena whatif
    const o = JSON.parse((await cli(['plot', 'whatif', '--scenario', file, '--seed', '9', '--replications', '2', '--format', 'vega-lite'])).stdout);
    expect(o.title.subtitle).toMatch(/; 2 replications, seed 9$/);
  });

  it('a new model has only its scenario dot, and no line', async () => {
    const file = scenario({ steps: [{ type: 'newModel', model: 'newcomer', rating: 1500, votes: 3000 }] });
    const r = await cli(['plot', 'whatif', '--scenario', file, '--format', 'vega-lite', '--top', '5']);
    expect(r.code, r.stderr).toBe(0);
    const spec = JSON.parse(r.stdout);
    const rankLayers = spec.hconcat[0].layer.filter((l: { mark: { type: string } }) => l.mark.type !== 'rect');
    const dots = (rankLayers[1].data.values as { model: string; board: string }[]).filter((d) => d.model === 'newcomer');
    expect(dots.map((d) => d.board)).toEqual(['scenario']);
    expect((rankLayers[0].data.values as { model: string }[]).some((l) => l.model === 'newcomer')).toBe(false);
    expect(parseSvg((await cli(['plot', 'whatif', '--scenario', file, '--top', '5'])).stdout).texts).toContain('newcomer');
  });

  it('real battles as the baseline (chatbot-arena-20240814 math): names and titles; the scenario baseline is ignored with a warning', async () => {
    const file = scenario({ steps: [{ type: 'addVotes', model: 'gpt-4o-mini-2024-07-18', votes: 5000, winRate: 0.7 }] });
    const r = await cli(['plot', 'whatif', MATH, '--scenario', file, '--top', '6']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: The scenario baseline \(ratings, battles, policy, without\) is ignored/);
    const p = parseSvg(r.stdout);
    for (const t of ['Rank (1 = top)', 'Model', 'P(rank change)', 'gpt-4o-mini-2024-07-18']) expect(p.texts).toContain(t);
    expect(p.texts.some((t) => /baseline 12,088 battles from .*battles\.jsonl/.test(t) || /from \S+math\/battles\.jsonl/.test(t))).toBe(true);
  });

  it('usage errors exit 2 with one line: no --scenario; options of other kinds; rating options', async () => {
    const file = scenario({ steps: [{ type: 'removeModel', model: 'muse-spark' }] });
    const f = tempFile('s.jsonl', jsonl([{ model_a: 'a', model_b: 'b', winner: 'model_a' }]));
    const cases: [string[], RegExp][] = [
      [['plot', 'whatif'], /required option '--scenario <file>' not specified/],
      // the same rule as arena whatif: model options apply to a baseline read from battle files
      [['plot', 'whatif', '--scenario', file, '--method', 'elo'], /--method applies to a baseline read from battle files/],
      [['plot', 'whatif', '--scenario', file, '--every', '10'], /unknown option '--every'/],
      [['plot', 'intervals', f, '--scenario', file], /unknown option '--scenario'/],
      [['plot', 'counts', f, '--every', '3'], /unknown option '--every'/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1); // commander's usage errors too: one line
    }
    const bad = await cli(['plot', 'whatif', '--scenario', scenario({ steps: [{ type: 'removeModel', model: 'nobody' }] })]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/scenario\.json: steps\.0\.model/);
  });
});

describe('plot intervals and report with bootstrap intervals', () => {
  const rows = SMALL_BOARD;

  it('the intervals of arena rate --bootstrap R --seed S, for bt and elo; independent of --threads', async () => {
    const f = tempFile('s.jsonl', rows);
    for (const method of ['bt', 'elo']) {
      const rate = JSON.parse((await cli(['rate', f, '--method', method, '--bootstrap', '40', '--seed', '4', '--ci', '0.9', '--format', 'json'])).stdout);
      const r = await cli(['plot', 'intervals', f, '--method', method, '--ci-method', 'bootstrap', '--bootstrap', '40', '--seed', '4', '--ci', '0.9', '--format', 'vega-lite', '--threads', '1']);
      expect(r.code, r.stderr).toBe(0);
      const spec = JSON.parse(r.stdout);
      expect(spec.title.text).toBe('Rating with its 90% interval (bootstrap)');
      for (const v of spec.data.values as { model: string; rating: number; lower: number; upper: number }[]) {
        const row = rate.models.find((x: { model: string }) => x.model === v.model);
        expect([v.rating, v.lower, v.upper]).toEqual([row.rating, row.lower, row.upper]);
      }
      const two = await cli(['plot', 'intervals', f, '--method', method, '--ci-method', 'bootstrap', '--bootstrap', '40', '--seed', '4', '--ci', '0.9', '--format', 'vega-lite', '--threads', '2']);
      expect(two.stdout).toBe(r.stdout);
      const other = await cli(['plot', 'intervals', f, '--method', method, '--ci-method', 'bootstrap', '--bootstrap', '40', '--seed', '5', '--ci', '0.9', '--format', 'vega-lite']);
      expect(other.stdout).not.toBe(r.stdout);
    }
    // real data, online Elo (no sandwich there): names and titles
    const eloTop = JSON.parse((await cli(['rate', REAL, '--method', 'elo', '--format', 'json'])).stdout).models.slice(0, 5).map((x: { model: string }) => x.model);
    const svg = parseSvg((await cli(['plot', 'intervals', REAL, '--method', 'elo', '--ci-method', 'bootstrap', '--bootstrap', '5', '--top', '5', '--quiet'])).stdout);
    for (const t of ['Rating with its 95% interval (bootstrap)', 'Rating', ...eloTop]) expect(svg.texts).toContain(t);
  });

  it('report: bootstrap intervals in the table and the parameters; usage errors exit 2', async () => {
    const f = tempFile('s.jsonl', rows);
    const r = await cli(['report', f, '--method', 'elo', '--ci-method', 'bootstrap', '--bootstrap', '30', '--seed', '8']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/95% interval \(bootstrap\)/);
    expect(r.stdout).toMatch(/<th scope="row">bootstrap<\/th><td>30<\/td>/);
    expect(r.stdout).toMatch(/<th scope="row">seed<\/th><td>8<\/td>/);
    for (const args of [
      ['report', f, '--ci-method', 'none'],
      ['report', f, '--method', 'elo'],
      ['plot', 'intervals', f, '--ci-method', 'none'],
      ['plot', 'intervals', f, '--method', 'elo'],
    ]) {
      const e = await cli(args);
      expect(e.code, args.join(' ')).toBe(2);
      expect(e.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
