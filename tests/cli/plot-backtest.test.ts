import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, jsonl, tempFile } from '../helpers.js';
import { parseSvg } from '../report/svg.js';

const STEP = join(FIXTURES, 'backtest', 'step-6.json');

async function stepBattles(): Promise<string> {
  const r = await cli(['simulate', '--ratings', STEP, '--battles', '12000', '--tie-rate', '0', '--policy', 'uniform', '--quiet']);
  return tempFile('s.jsonl', r.stdout);
}

type Layered = { layer: { data?: { values: Record<string, unknown>[] } }[]; data?: { values: Record<string, unknown>[] } };

describe('arena plot backtest', () => {
  it('--view trace: every system\'s rating of the model at each checkpoint, and the truth with its step of −300 at battle 10,000', async () => {
    const f = await stepBattles();
    const r = await cli(['plot', 'backtest', f, '--view', 'trace', '--trace', 'm5', '--truth', STEP, '--systems', 'elo@16,bt', '--bootstrap', '0', '--format', 'vega-lite']);
    expect(r.code).toBe(0);
    const values = (JSON.parse(r.stdout) as Layered).data!.values as { system: string; battles: number; rating: number }[];
    const truth = values.filter((v) => v.system === 'truth');
    expect(values.filter((v) => v.system === 'elo@16')).toHaveLength(truth.length);
    // true ratings 1000…1250 have mean 1125: shifted to the initial 1000, m5 is 1125 before the step, 825 after
    for (const v of truth) expect(v.rating).toBeCloseTo(v.battles >= 10000 ? 825 : 1125, 9);
    expect(truth.some((v) => v.battles >= 10000)).toBe(true);
  });
  it('--view calibration: each system\'s bins count every decisive battle from both seats', async () => {
    const f = await stepBattles();
    const r = await cli(['plot', 'backtest', f, '--view', 'calibration', '--systems', 'elo,weng-lin', '--bootstrap', '0', '--format', 'vega-lite']);
    const points = (JSON.parse(r.stdout) as Layered).layer[1]!.data!.values as { system: string; count: number }[];
    for (const s of ['elo@4', 'weng-lin']) expect(points.filter((p) => p.system === s).reduce((x, p) => x + p.count, 0)).toBe(2 * 12000);
  });
  it('SVG stays well-formed with hostile names (the traced model is in the title); --view trace needs --trace', async () => {
    const f = tempFile('h.jsonl', jsonl(Array.from({ length: 40 }, (_, i) => ({ model_a: i % 2 ? '__proto__' : 'a<b>&"c"\u202e', model_b: i % 2 ? 'a<b>&"c"\u202e' : '__proto__', winner: i % 3 ? 'model_a' : 'tie' }))));
    for (const view of ['calibration', 'time', 'trace']) {
      const r = await cli(['plot', 'backtest', f, '--view', view, '--trace', 'a<b>&"c"\u202e', '--bootstrap', '0']);
      expect(r.code, view).toBe(0);
      const svg = parseSvg(r.stdout);
      if (view === 'trace') expect(svg.texts.join(' ')).toContain('a<b>&"c"\\u202e');
    }
    const r = await cli(['plot', 'backtest', f, '--view', 'trace']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trace/);
  });
});
