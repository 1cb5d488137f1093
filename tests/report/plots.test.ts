import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRatings } from '../../src/data/ratings.js';
import { BOARD_PLOT_KINDS, boardPlotSpec } from '../../src/plot/board.js';
import { renderSvg } from '../../src/plot/render.js';
import { expectedScore } from '../../src/rating/predict.js';
import { DEFAULT_MODEL as DEFAULT_RATE, type ModelFit as PointFit } from '../../src/models/types.js';
import { fitModel as fitRatings } from '../../src/models/index.js';
import { orderByRating } from '../../src/leaderboard/leaderboard.js';
import type { RatingIntervals } from '../../src/leaderboard/leaderboard.js';
import { sandwichRatingIntervals } from '../helpers.js';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { toTable } from '../arbitraries.js';
import { cli, FIXTURES } from '../helpers.js';
import { marks, parseSvg, translate } from './svg.js';

const opts = { ties: 'half' as const, scale: DEFAULT_RATE, subtitle: 'test board' };

/** Renders and parses, failing on any Vega or Vega-Lite warning. */
async function draw(kind: (typeof BOARD_PLOT_KINDS)[number], point: PointFit, iv: RatingIntervals | null, top: number) {
  const warnings: string[] = [];
  const svg = await renderSvg(boardPlotSpec(kind, point, iv, { ...opts, top }), { warn: (w) => warnings.push(w) });
  expect(warnings).toEqual([]);
  return { svg, p: parseSvg(svg) };
}

describe('plots of the April 2026 fixture board (simulated, 150,000 battles)', () => {
  let point: PointFit;
  let iv: RatingIntervals;
  let order: number[];
  beforeAll(() => {
    const t = simulateTable(loadRatings(), 150_000, {}, createRng(2026));
    point = fitRatings(t, DEFAULT_RATE);
    iv = sandwichRatingIntervals(point, 0.95, DEFAULT_RATE);
    order = orderByRating(point.models, point.ratings);
  });

  it('intervals: valid SVG, titles, the top 30 names in rating order, each line and dot where the numbers say', async () => {
    const { p } = await draw('intervals', point, iv, 30);
    expect(p.root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(p.texts).toContain('Rating');
    expect(p.texts).toContain('Model');
    expect(p.texts).toContain('Rating with its 95% interval (sandwich)');
    expect(p.texts).toContain('test board');
    const top = order.slice(0, 30).map((v) => point.models[v]!);
    const labels = p.nodes.filter((n) => n.tag === 'text' && n.path.some((s) => s.includes('role-axis-label'))).map((n) => n.text);
    expect(labels.filter((l) => top.includes(l))).toEqual(top);
    const rules = marks(p, 'rule mark');
    const dots = marks(p, 'point');
    expect(rules).toHaveLength(30);
    expect(dots).toHaveLength(30);
    rules.forEach((r, k) => {
      const v = order[k]!;
      expect(r.fields.get('Model')).toBe(point.models[v]);
      expect(Number(r.fields.get('Rating'))).toBeCloseTo(iv.lower[v]!, 5);
      expect(Number(r.fields.get('upper'))).toBeCloseTo(iv.upper[v]!, 5);
      expect(Number(dots[k]!.fields.get('rating'))).toBeCloseTo(point.ratings[v]!, 5);
    });
    // top to bottom by rating, and the dots' x grows with the rating
    const ys = dots.map((d) => translate(d.attrs)[1]);
    const xs = dots.map((d) => translate(d.attrs)[0]);
    for (let k = 1; k < 30; k++) {
      expect(ys[k]).toBeGreaterThan(ys[k - 1]!);
      expect(xs[k]).toBeLessThanOrEqual(xs[k - 1]! + 1e-9);
    }
  });

  it('winrate: two panels, every predicted cell equals the logistic curve of the ratings', async () => {
    const { p } = await draw('winrate', point, null, 12);
    for (const t of ['Model (row)', 'Opponent (column)', 'Predicted P(row beats column)', 'Observed win rate (a tie counts half)']) expect(p.texts).toContain(t);
    const top = order.slice(0, 12);
    for (const v of top) expect(p.texts).toContain(point.models[v]!);
    const rects = marks(p, 'rect mark');
    const predicted = rects.slice(0, 12 * 11);
    expect(predicted).toHaveLength(132);
    for (const r of predicted) {
      const a = point.models.indexOf(r.fields.get('Model (row)')!);
      const b = point.models.indexOf(r.fields.get('Opponent (column)')!);
      expect(Number(r.fields.get('P(win)'))).toBeCloseTo(expectedScore(point.ratings[a]!, point.ratings[b]!, DEFAULT_RATE), 9);
    }
    // the printed labels are the same values, two decimals
    const labels = marks(p, 'text mark').slice(0, 132);
    expect(labels.map((l) => l.text)).toEqual(predicted.map((r) => Number(r.fields.get('P(win)')).toFixed(2)));
  });

  it('counts: one cell per ordered pair that met, with its battle count', async () => {
    const { p } = await draw('counts', point, null, 10);
    for (const t of ['Model (row)', 'Opponent (column)', 'Battles per pair of models']) expect(p.texts).toContain(t);
    const top = new Set(order.slice(0, 10));
    let expected = 0;
    const count = new Map<string, number>();
    for (let k = 0; k < point.pairs.pairs; k++) {
      const i = point.pairs.i[k]!;
      const j = point.pairs.j[k]!;
      if (!top.has(i) || !top.has(j)) continue;
      const n = point.pairs.winsI[k]! + point.pairs.winsJ[k]! + point.pairs.ties[k]! + point.pairs.bothbad[k]!;
      expected += 2;
      count.set(`${point.models[i]}\n${point.models[j]}`, n).set(`${point.models[j]}\n${point.models[i]}`, n);
    }
    const rects = marks(p, 'rect mark');
    expect(rects).toHaveLength(expected);
    // rows and columns: all ten models in rating order, whether or not they met the others
    const labels = p.nodes.filter((n) => n.tag === 'text' && n.path.some((s) => s.includes('role-axis-label'))).map((n) => n.text);
    const names = order.slice(0, 10).map((v) => point.models[v]!);
    expect(labels).toEqual([...names, ...names]);
    for (const r of rects) expect(Number(r.fields.get('Battles'))).toBe(count.get(`${r.fields.get('Model (row)')}\n${r.fields.get('Opponent (column)')}`));
  });

  it('the same spec renders to the same bytes', async () => {
    const a = await renderSvg(boardPlotSpec('winrate', point, null, { ...opts, top: 5 }));
    const b = await renderSvg(boardPlotSpec('winrate', point, null, { ...opts, top: 5 }));
    expect(a).toBe(b);
  });
});

describe('plots of real data (fixtures/data)', () => {
  const sets = ['chatbot-arena-20240814/battles.jsonl', 'llmfao/battles.jsonl', 'chatbot-arena-20240814-ukrainian/battles.jsonl'];
  for (const set of sets) {
    it(`${set}: every kind renders as valid SVG with the top models and the axis titles`, async () => {
      const file = join(FIXTURES, 'data', set);
      const rated = JSON.parse((await cli(['rate', file, '--format', 'json'])).stdout) as { models: { model: string }[] };
      const top3 = rated.models.slice(0, 3).map((m) => m.model);
      for (const kind of BOARD_PLOT_KINDS) {
        const r = await cli(['plot', kind, file, '--top', '8']);
        expect(r.code, r.stderr).toBe(0);
        const p = parseSvg(r.stdout);
        for (const m of top3) expect(p.texts, `${kind} ${m}`).toContain(m);
        const titles = kind === 'intervals' ? ['Rating', 'Model'] : ['Model (row)', 'Opponent (column)'];
        for (const t of titles) expect(p.texts).toContain(t);
        expect(p.texts.some((t) => t.startsWith(set))).toBe(true); // provenance subtitle
      }
    });
  }
});

describe('model names are data', () => {
  it('awkward names come out as written (escaped in the XML, decoded by the parser)', async () => {
    const names = ['__proto__', 'constructor', 'toString', '<b>&"x"</b>', 'a.b[0]', "it's"];
    const bs = names.flatMap((a, i) => names.filter((_, j) => j !== i).map((b, j) => ({ modelA: a, modelB: b, outcome: (i + j) % 3 === 0 ? ('b' as const) : ('a' as const), count: 1 + ((i * 7 + j) % 5) })));
    const point = fitRatings(toTable(bs), DEFAULT_RATE);
    const iv = sandwichRatingIntervals(point, 0.9, DEFAULT_RATE);
    const byRating = orderByRating(point.models, point.ratings).map((v) => point.models[v]!);
    for (const kind of BOARD_PLOT_KINDS) {
      const { svg, p } = await draw(kind, point, iv, 10);
      for (const n of names) expect(p.texts, `${kind}: ${n}`).toContain(n);
      expect(svg).not.toContain('<b>');
      // every name keeps its row, in rating order (Vega groups by plain-object keys: "__proto__" must not be lost)
      const rows = p.nodes.filter((n) => n.tag === 'text' && n.path.some((s) => s.includes('role-axis-label')) && names.includes(n.text)).map((n) => n.text);
      expect(rows.slice(0, names.length), kind).toEqual(byRating);
    }
    const dots = marks((await draw('intervals', point, iv, 10)).p, 'point');
    expect(dots.map((d) => d.fields.get('Model'))).toEqual(byRating);
  });

  it('renderSvg loads nothing: a spec that points at a URL gets no data', async () => {
    const warnings: string[] = [];
    await renderSvg({ data: { url: 'http://127.0.0.1:9/x.json' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } }, { warn: (w) => warnings.push(w) });
    expect(warnings.join('\n')).toMatch(/Loading failed.*no loading/);
  });
});
