import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../src/plot/render.js';
import { stabilityPlotSpec, type TrajectoryPoint, trajectoryPlotSpec } from '../../src/plot/trajectory.js';
import { whatifPlotSpec } from '../../src/plot/whatif.js';
import { marks, parseSvg, translate } from './svg.js';

const models = ['claude-opus-4.6-thinking', 'muse-spark', '__proto__', 'constructor'];
const points: TrajectoryPoint[] = [];
for (let c = 1; c <= 6; c++) {
  models.forEach((model, i) => {
    const half = 100 / Math.sqrt(c);
    const rating = 1500 - 4 * i + (c % 2 ? 3 : -3);
    points.push({ model, battles: c * 10_000, tstamp: 1_775_000_000 + c * 86_400, rating, lower: rating - half, upper: rating + half });
  });
}

async function draw(spec: Parameters<typeof renderSvg>[0]) {
  const warnings: string[] = [];
  const svg = await renderSvg(spec, { warn: (w) => warnings.push(w) });
  expect(warnings).toEqual([]);
  return parseSvg(svg);
}

describe('trajectoryPlotSpec', () => {
  it('one line and one band per model, a dot per checkpoint at its rating, axis titles and legend', async () => {
    const p = await draw(trajectoryPlotSpec(points, models.slice(0, 3), { level: 0.95, method: 'sandwich', x: 'battles', subtitle: 'sim' }));
    for (const t of ['Battles replayed', 'Rating', 'Model', 'Rating over time with its 95% interval (sandwich)', 'sim', ...models.slice(0, 3)]) expect(p.texts).toContain(t);
    expect(p.texts).not.toContain('constructor'); // not asked for
    expect(marks(p, 'line mark')).toHaveLength(3);
    expect(marks(p, 'area mark')).toHaveLength(3);
    const dots = marks(p, 'point');
    expect(dots).toHaveLength(18);
    // higher rating, higher on the page (smaller y), within one checkpoint
    const at = (model: string, battles: string) => dots.find((d) => d.fields.get('Model') === model && d.fields.get('Battles replayed') === battles)!;
    for (const b of ['10k', '60k']) {
      expect(translate(at('claude-opus-4.6-thinking', b).attrs)[1]).toBeLessThan(translate(at('muse-spark', b).attrs)[1]);
      expect(Number(at('muse-spark', b).fields.get('Rating'))).toBe(points.find((q) => q.model === 'muse-spark' && `${q.battles / 1000}k` === b)!.rating);
    }
  });

  it('time axis from timestamps; no band without intervals; a missing timestamp is an error', async () => {
    const p = await draw(trajectoryPlotSpec(points, models, { level: 0.95, method: null, x: 'time' }));
    expect(p.texts).toContain('Date (UTC)');
    expect(p.texts).toContain('Rating over time');
    expect(marks(p, 'area mark')).toHaveLength(0);
    expect(marks(p, 'line mark')).toHaveLength(4);
    expect(() => trajectoryPlotSpec([{ ...points[0]!, tstamp: null }], models, { level: 0.95, method: null, x: 'time' })).toThrow(/timestamp/);
  });
});

describe('whatifPlotSpec', () => {
  it('a grey baseline dot and a red scenario dot per model joined by a line, P(rank change) on the right', async () => {
    const rows = [
      { model: 'claude-opus-4.6-thinking', baseline: 1, scenario: 2, pRankChange: 0.62 },
      { model: 'muse-spark', baseline: 3, scenario: 1, pRankChange: 0.9 },
      { model: '__proto__', baseline: 2, scenario: 3, pRankChange: null },
      { model: 'constructor', baseline: 4, scenario: 4, pRankChange: 0 },
    ];
    const p = await draw(whatifPlotSpec(rows, { subtitle: 'bestOfN' }));
    for (const t of ['Rank (1 = top)', 'Model', 'P(rank change)', 'baseline', 'scenario', '62%', '90%', '0%', ...rows.map((r) => r.model)]) expect(p.texts).toContain(t);
    expect(marks(p, 'rule mark')).toHaveLength(4);
    const dots = marks(p, 'point');
    expect(dots).toHaveLength(8);
    const x = (model: string, board: string) => translate(dots.find((d) => d.fields.get('Model') === model && d.fields.get('Board') === board)!.attrs)[0];
    // rank 1 left of rank 3: muse-spark moves left, claude right
    expect(x('muse-spark', 'scenario')).toBeLessThan(x('muse-spark', 'baseline'));
    expect(x('claude-opus-4.6-thinking', 'scenario')).toBeGreaterThan(x('claude-opus-4.6-thinking', 'baseline'));
    expect(x('constructor', 'scenario')).toBe(x('constructor', 'baseline'));
    expect(x('muse-spark', 'scenario')).toBe(x('claude-opus-4.6-thinking', 'baseline'));
  });
});

describe('whatifPlotSpec: models with one rank', () => {
  it('a model added by the scenario has its scenario dot only, a removed one its baseline dot only; no line for either', async () => {
    const rows = [
      { model: 'kept', baseline: 1, scenario: 2, pRankChange: 1 },
      { model: 'newcomer', baseline: null, scenario: 1, pRankChange: null },
      { model: 'gone', baseline: 2, scenario: null, pRankChange: null },
    ];
    const p = await draw(whatifPlotSpec(rows));
    for (const m of ['kept', 'newcomer', 'gone', '100%']) expect(p.texts).toContain(m);
    expect(marks(p, 'rule mark')).toHaveLength(1);
    const dots = marks(p, 'point').map((d) => `${d.fields.get('Model')}:${d.fields.get('Board')}`);
    expect(dots.sort()).toEqual(['gone:baseline', 'kept:baseline', 'kept:scenario', 'newcomer:scenario']);
  });
});

describe('stabilityPlotSpec', () => {
  it('two panels (rating bands, position reversed); a diamond where each settled model settled; the title counts the rest', async () => {
    const withPos = points.map((q) => ({ ...q, position: models.indexOf(q.model) + 1 }));
    const marksIn = [
      { model: 'claude-opus-4.6-thinking', settled: { battles: 30_000, tstamp: null } },
      { model: 'muse-spark', settled: null },
      { model: '__proto__', settled: { battles: 50_000, tstamp: null } },
    ];
    const spec = stabilityPlotSpec(withPos, models.slice(0, 3), marksIn, { level: 0.95, method: 'sandwich', x: 'battles' });
    const p = await draw(spec);
    expect(p.texts).toContain('Rating over time with its 95% interval (sandwich); ◆ position settled (anytime-valid), not settled: 1 of 3');
    expect(p.texts).toContain('Position by rating');
    // two lines per model (rating, position), two diamonds per settled model (one per panel)
    expect(marks(p, 'line mark')).toHaveLength(6);
    const spec2 = JSON.stringify(spec);
    // the diamonds sit at the settle checkpoints of the two settled models only
    const data = (spec as { vconcat: { layer: { data?: { values: { model: string; x: number }[] } }[] }[] }).vconcat[0]!.layer.at(-1)!.data!.values;
    expect(data.map((d) => `${d.model}@${d.x}`).sort()).toEqual(['__proto__@50000', 'claude-opus-4.6-thinking@30000']);
    expect(spec2).toContain('"reverse":true');
  });
});

describe('whatifPlotSpec with ratings', () => {
  it('a second panel with each model\'s rating and interval on both boards; the named model highlighted in both panels', async () => {
    const rows = [
      { model: 'claude-opus-4.6-thinking', baseline: 1, scenario: 1, pRankChange: 0, named: false, baselineRating: { rating: 1504, lower: 1501, upper: 1507 }, scenarioRating: { rating: 1503.5, lower: 1500.5, upper: 1506.5 } },
      { model: 'muse-spark', baseline: null, scenario: 2, pRankChange: null, named: true, baselineRating: null, scenarioRating: { rating: 1493.8, lower: 1483.6, upper: 1503.9 } },
      { model: '__proto__', baseline: 2, scenario: 3, pRankChange: 0.5, named: false, baselineRating: { rating: 1496, lower: 1493, upper: 1499 }, scenarioRating: { rating: 1496.1, lower: null, upper: null } },
    ];
    const spec = whatifPlotSpec(rows, { subtitle: 'debut' });
    const p = await draw(spec);
    expect(p.texts).toContain('Rank and rating on the baseline and under the scenario');
    expect(p.texts).toContain('Rating with its interval (grey: baseline, red: scenario)');
    // intervals: baseline 2 (muse-spark has none), scenario 2 (__proto__'s has no bounds); one dot per rating
    expect(marks(p, 'rule mark').length).toBeGreaterThanOrEqual(2 + 4);
    // a fresh spec: rendering lets Vega tag the data objects
    const panels = (whatifPlotSpec(rows, { subtitle: 'debut' }) as unknown as { hconcat: { layer: { data: { values: { model: string }[] }; mark: { type: string } }[] }[] }).hconcat;
    expect(panels).toHaveLength(2);
    for (const panel of panels) expect(panel.layer[0]!.mark.type).toBe('rect');
    expect(panels[0]!.layer[0]!.data.values).toEqual([{ model: 'muse-spark' }]);
    const ratingDots = panels[1]!.layer.filter((l) => l.mark.type === 'point').flatMap((l) => l.data.values.map((v) => v.model));
    expect(ratingDots.sort()).toEqual(['__proto__', '__proto__', 'claude-opus-4.6-thinking', 'claude-opus-4.6-thinking', 'muse-spark']);
  });
});
