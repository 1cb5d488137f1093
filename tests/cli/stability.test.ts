import { describe, expect, it } from 'vitest';
import { bin, cli, jsonl, tempFile } from '../helpers.js';

/** A small time-stamped battle file, written in reverse time order (stability sorts by tstamp by default). */
async function battles(): Promise<string> {
  const r = await cli(['simulate', '--ratings', ratings(), '--battles', '3000', '--interval', '120', '--start', '2026-04-01', '--seed', '3']);
  const lines = r.stdout.trim().split('\n').reverse();
  return tempFile('b.jsonl', lines.join('\n') + '\n');
}

function ratings(): string {
  return tempFile('r.json', JSON.stringify({ models: [['a', 1200], ['b', 1150], ['__proto__', 1100], ['d', 1000]].map(([model, rating]) => ({ model, rating })) }));
}

describe('arena stability', () => {
  it('--format json: params, final models with settling points, checkpoints, unseparated pairs, warnings', async () => {
    const f = await battles();
    const r = await cli(['stability', f, '--every', '1000', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['params', 'battles', 'models', 'checkpoints', 'unseparated', 'orderSensitivity', 'warnings']);
    expect(j.params).toMatchObject({ method: 'bt', checkpoints: { every: 1000 }, ci: 0.95, intervals: 'sandwich', orderings: 0, sort: 'tstamp' });
    expect(j.battles).toBe(3000);
    expect(j.checkpoints.map((c: { battles: number }) => c.battles)).toEqual([1000, 2000, 3000]);
    // sorted by time: the first checkpoint ends at the 1000th battle of the simulation
    expect(j.checkpoints[0].tstamp).toBe(Date.UTC(2026, 3, 1) / 1000 + 999 * 120);
    expect(Object.keys(j.models[0])).toEqual(['model', 'rating', 'lower', 'upper', 'rank', 'battles', 'rankSettled', 'ratingSettled']);
    expect(j.models.map((x: { model: string }) => x.model)).toContain('__proto__');
    expect(j.orderSensitivity).toBeNull();
    expect(Array.isArray(j.unseparated)).toBe(true);
  });
  it('--format csv: one row per checkpoint and model', async () => {
    const r = await cli(['stability', await battles(), '--checkpoints', '4', '--format', 'csv']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('checkpoint,battles,tstamp,model,rating,lower,upper,rank,model_battles');
    expect(lines).toHaveLength(1 + 4 * 4);
    expect(lines[1]).toMatch(/^0,750,\d+,\w+,1\d{3}\.\d+,\d+\.\d+,\d+\.\d+,\d,\d+$/);
  });
  it('--by day and the table', async () => {
    const r = await cli(['stability', await battles(), '--by', 'day']);
    expect(r.code).toBe(0);
    // 720 battles a day over 3,000 battles: 5 days
    expect(r.stdout).toMatch(/^arena stability: 3,000 battles, 4 models, 5 checkpoints \(by day\), method bt, sandwich 95% intervals\./);
    expect(r.stdout).toMatch(/Rank\s+Model\s+Rating\s+CI\s+Battles\s+Rank settled at\s+Rating settled at/);
    expect(r.stdout).toMatch(/\(2026-04-0\d\)/);
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
