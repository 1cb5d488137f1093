import { describe, expect, it } from 'vitest';
import { bin, cli, jsonl, tempFile } from '../helpers.js';

const MODELS: [string, number][] = [['a', 1200], ['b', 1150], ['__proto__', 1100], ['d', 1000]];

/** The simulated battles in time order (one JSON line each). */
async function simulated(models = MODELS): Promise<string[]> {
  const r = await cli(['simulate', '--ratings', ratings(models), '--battles', '3000', '--interval', '120', '--start', '2026-04-01', '--seed', '3']);
  return r.stdout.trim().split('\n');
}

/** A small time-stamped battle file, written in reverse time order (stability sorts by tstamp by default). */
async function battles(models = MODELS): Promise<string> {
  const lines = (await simulated(models)).reverse();
  return tempFile('b.jsonl', lines.join('\n') + '\n');
}

function ratings(models = MODELS): string {
  return tempFile('r.json', JSON.stringify({ models: models.map(([model, rating]) => ({ model, rating })) }));
}

type Fitted = { model: string; rating: number; lower: number; upper: number; battles: number };

describe('arena stability', () => {
  it('--format json: params, final models with settling points, checkpoints, unseparated pairs, warnings', async () => {
    const f = await battles();
    const r = await cli(['stability', f, '--every', '1000', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['params', 'battles', 'start', 'board', 'models', 'checkpoints', 'unseparated', 'orderSensitivity', 'warnings']);
    expect(j.params).toMatchObject({ method: 'bt', checkpoints: { every: 1000 }, ci: 0.95, intervals: 'sandwich', orderings: 0, sort: 'tstamp' });
    expect(j.battles).toBe(3000);
    expect(j.checkpoints.map((c: { battles: number }) => c.battles)).toEqual([1000, 2000, 3000]);
    // sorted by time: the first checkpoint ends at the 1000th battle of the simulation
    expect(j.checkpoints[0].tstamp).toBe(Date.UTC(2026, 3, 1) / 1000 + 999 * 120);
    expect(Object.keys(j.models[0])).toEqual(['model', 'rating', 'lower', 'upper', 'rank', 'position', 'battles', 'separatedAbove', 'separatedBelow', 'gapSdBelow', 'settling']);
    expect(Object.keys(j.models[0].settling)).toEqual(['position', 'rank', 'rating', 'settled']);
    expect(j.models.map((x: { model: string }) => x.model)).toContain('__proto__');
    expect(j.orderSensitivity).toBeNull();
    // true ratings 50+ points apart, ~1,500 battles a model: every neighbour pair is separated (the lower bound of
    // the higher model above the upper bound of the next), so no pair is listed
    const board = [...j.models].sort((x: Fitted, y: Fitted) => y.rating - x.rating) as Fitted[];
    for (let i = 0; i + 1 < board.length; i++) expect(board[i]!.lower).toBeGreaterThan(board[i + 1]!.upper);
    expect(j.unseparated).toEqual([]);
  });

  it('each checkpoint is the fit (`arena rate`, sandwich intervals) of the battles up to it; unseparated pairs follow from the final intervals', async () => {
    // a and b 5 points apart: their intervals overlap, so there is an unseparated pair
    const models: [string, number][] = [['a', 1200], ['b', 1195], ['__proto__', 1100], ['d', 1000]];
    const inTime = await simulated(models);
    const r = await cli(['stability', await battles(models), '--every', '1000', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const cps = j.checkpoints as { battles: number; tstamp: number; models: Fitted[] }[];
    expect(cps.map((c) => c.battles)).toEqual([1000, 2000, 3000]);
    for (let c = 0; c < cps.length; c++) {
      const upTo = inTime.slice(0, cps[c]!.battles);
      expect(cps[c]!.tstamp).toBe(JSON.parse(upTo.at(-1)!).tstamp);
      const rate = await cli(['rate', tempFile('p.jsonl', upTo.join('\n') + '\n'), '--ci-method', 'sandwich', '--format', 'json']);
      expect(rate.code).toBe(0);
      const want = new Map((JSON.parse(rate.stdout).models as Fitted[]).map((x) => [x.model, x]));
      expect(cps[c]!.models.map((x) => x.model).sort()).toEqual([...want.keys()].sort());
      for (const x of cps[c]!.models) {
        const w = want.get(x.model)!;
        expect(x.rating).toBeCloseTo(w.rating, 6);
        expect(x.lower).toBeCloseTo(w.lower, 6);
        expect(x.upper).toBeCloseTo(w.upper, 6);
        expect(x.battles).toBe(w.battles);
      }
      // model battle counts only grow from one checkpoint to the next
      if (c > 0) for (const x of cps[c]!.models) expect(x.battles).toBeGreaterThanOrEqual(cps[c - 1]!.models.find((y) => y.model === x.model)?.battles ?? 0);
    }
    // the final board is the last checkpoint
    const last = new Map(cps.at(-1)!.models.map((x) => [x.model, x]));
    for (const x of j.models as Fitted[]) expect([x.rating, x.lower, x.upper]).toEqual([last.get(x.model)!.rating, last.get(x.model)!.lower, last.get(x.model)!.upper]);
    // unseparated: neighbours in rating order whose gap's interval holds 0 — the gap's sd is compare's (an
    // independent run of arena compare on the same battles); separating them needs the votes to grow by
    // f = (z·sd/gap)²
    const z = 1.959963984540054;
    const board = [...(j.models as Fitted[])].sort((x, y) => y.rating - x.rating);
    const expected: { a: string; b: string; gap: number; factor: number; more: number }[] = [];
    for (let i = 0; i + 1 < board.length; i++) {
      const [a, b] = [board[i]!, board[i + 1]!];
      const cmp = JSON.parse((await cli(['compare', await battles(models), '--a', a.model, '--b', b.model, '--format', 'json'])).stdout).comparison;
      if (cmp.separated) continue;
      const gap = a.rating - b.rating;
      const factor = ((z * cmp.gapSd) / gap) ** 2;
      expected.push({ a: a.model, b: b.model, gap, factor, more: Math.ceil(3000 * (factor - 1)) });
    }
    expect(expected.map((p) => [p.a, p.b])).toEqual([['a', 'b']]);
    expect(j.unseparated).toHaveLength(expected.length);
    j.unseparated.forEach((p: { a: string; b: string; gap: number; factor: number; moreBattles: number }, k: number) => {
      expect([p.a, p.b]).toEqual([expected[k]!.a, expected[k]!.b]);
      expect(p.gap).toBeCloseTo(expected[k]!.gap, 9);
      expect(p.factor).toBeCloseTo(expected[k]!.factor, 6);
      expect(Math.abs(p.moreBattles - expected[k]!.more)).toBeLessThanOrEqual(1);
    });
  });
  it('--format csv: one row per checkpoint and model', async () => {
    const r = await cli(['stability', await battles(), '--checkpoints', '4', '--format', 'csv']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('checkpoint,battles,tstamp,model,rating,lower,upper,rank,position,model_battles,separated_above,separated_below');
    expect(lines).toHaveLength(1 + 4 * 4);
    // the top model of the first checkpoint: position 1, nothing above it
    expect(lines[1]).toMatch(/^0,750,\d+,\w+,1\d{3}\.\d+,\d+\.\d+,\d+\.\d+,\d,1,\d+,,[01]$/);
  });
  it('--by day and the table', async () => {
    const r = await cli(['stability', await battles(), '--by', 'day']);
    expect(r.code).toBe(0);
    // 720 battles a day over 3,000 battles: 5 days
    expect(r.stdout).toMatch(/^arena stability: 3,000 battles, 4 models, 5 checkpoints \(by day\), method bt, sandwich 95% intervals\./);
    expect(r.stdout).toMatch(/Rank\s+Model\s+Rating\s+CI\s+Votes\s+Position unchanged since\s+In final CI since\s+Position settled \(anytime\)/);
    expect(r.stdout).toMatch(/\nBoard \(top 4\):\n  set unchanged: (since [\d,]+ battles, [\d.]+ [hd]|not settled \(.*\))\n/);
    expect(r.stdout).toMatch(/[\d,]+ votes, [\d.]+ [hd]/);
  });
  it('--method elo: running ratings and the order sensitivity over random orderings', async () => {
    const r = await cli(['stability', await battles(), '--method', 'elo', '--orderings', '30', '--format', 'json', '--seed', '5']);
    const j = JSON.parse(r.stdout);
    expect(j.params).toMatchObject({ method: 'elo', intervals: 'none', orderings: 30, seed: 5 });
    expect(j.models[0].lower).toBeNull();
    expect(j.orderSensitivity.orderings).toBe(30);
    expect(Object.keys(j.orderSensitivity.models[0])).toEqual(['model', 'inOrder', 'mean', 'sd', 'lower', 'upper', 'min', 'max', 'bestPosition', 'worstPosition']);
    expect(j.unseparated).toEqual([]);
    const table = await cli(['stability', await battles(), '--method', 'elo', '--orderings', '10']);
    expect(table.stdout).toMatch(/Online Elo over 10 random orderings: mean sd \d+\.\d\d, largest \d+\.\d\d points\./);
  });
  it('usage errors exit 2; battles without timestamps cannot be sorted by time (exit 1)', async () => {
    const f = await battles();
    expect((await cli(['stability', f, '--every', '10', '--by', 'day'])).code).toBe(2);
    const noTime = tempFile('n.jsonl', jsonl([{ model_a: 'a', model_b: 'b', winner: 'model_a' }, { model_a: 'b', model_b: 'a', winner: 'model_a' }]));
    const r = await cli(['stability', noTime]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tstamp: sort by tstamp requires a tstamp on every row/);
    const r2 = await cli(['stability', noTime, '--sort', 'input', '--by', 'day']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--by day: checkpoints by day need a tstamp/);
    const ok = await cli(['stability', noTime, '--sort', 'input', '--format', 'json']);
    expect(ok.code).toBe(0);
  });
  it('the built bin runs it', async () => {
    const r = bin(['stability', await battles(), '--checkpoints', '2', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).checkpoints).toHaveLength(2);
  });
});
