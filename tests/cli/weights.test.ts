import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { cli, jsonl, tempDir, tempFile } from '../helpers.js';

/** `--reweight pairs`, `--reweight-floor` and the per-row `weight` field on the command line and in every reader. */

const rows = (weights: (number | string | null | undefined)[]) =>
  weights.map((w, i) => {
    const base = [
      { model_a: 'a', model_b: 'b', winner: 'model_a' },
      { model_a: 'b', model_b: 'c', winner: 'model_a' },
      { model_a: 'c', model_b: 'a', winner: 'tie' },
      { model_a: 'a', model_b: 'c', winner: 'model_b' },
      { model_a: 'b', model_b: 'a', winner: 'model_a' },
      { model_a: 'c', model_b: 'b', winner: 'model_a' },
    ][i % 6]!;
    return w === undefined ? base : { ...base, weight: w };
  });

const ratingsOf = (stdout: string) => new Map<string, number>(JSON.parse(stdout).models.map((x: { model: string; rating: number }) => [x.model, x.rating]));

describe('--reweight on the command line', () => {
  it('params echo reweight: null by default, { floor } with --reweight pairs [--reweight-floor n]', async () => {
    const f = tempFile('b.jsonl', jsonl(rows([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])));
    const plain = JSON.parse((await cli(['rate', f, '--format', 'json'])).stdout);
    expect(plain.params.reweight).toBeNull();
    const rw = JSON.parse((await cli(['rate', f, '--format', 'json', '--reweight', 'pairs'])).stdout);
    expect(rw.params.reweight).toEqual({ floor: 50 });
    const rw10 = JSON.parse((await cli(['rate', f, '--format', 'json', '--reweight', 'pairs', '--reweight-floor', '10'])).stdout);
    expect(rw10.params.reweight).toEqual({ floor: 10 });
    // every weight 1: the unweighted ratings; a floor above every pair count (4): the unweighted ratings too
    for (const [m, r] of ratingsOf(JSON.stringify(plain))) {
      expect(ratingsOf(JSON.stringify(rw)).get(m)).toBeCloseTo(r, 6);
    }
  });

  it('usage errors (exit 2, one line): --reweight with --method elo, a bad floor or scheme', async () => {
    const f = tempFile('b.jsonl', jsonl(rows([undefined, undefined, undefined, undefined, undefined, undefined])));
    for (const args of [
      ['--reweight', 'pairs', '--method', 'elo'],
      ['--reweight', 'pairs', '--reweight-floor', '0'],
      ['--reweight', 'pairs', '--reweight-floor', '-3'],
      ['--reweight', 'votes'],
    ]) {
      const r = await cli(['rate', f, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^arena: error: .*reweight/);
    }
    expect((await cli(['rate', f, '--reweight', 'pairs', '--method', 'elo'])).stderr).toMatch(/--reweight pairs .* needs --method bt/);
  });

  it('compare and whatif take --reweight too; whatif refits each board with its own pair weights (its baseline is rate --reweight pairs)', async () => {
    const data: object[] = [];
    for (let i = 0; i < 200; i++) data.push({ model_a: 'a', model_b: 'b', winner: i % 3 ? 'model_a' : 'model_b' });
    for (let i = 0; i < 20; i++) data.push({ model_a: 'b', model_b: 'c', winner: i % 4 ? 'model_a' : 'tie' });
    for (let i = 0; i < 20; i++) data.push({ model_a: 'c', model_b: 'a', winner: i % 5 ? 'model_b' : 'model_a' });
    const f = tempFile('b.jsonl', jsonl(data));
    const rate = ratingsOf((await cli(['rate', f, '--format', 'json', '--reweight', 'pairs', '--reweight-floor', '10'])).stdout);
    const plain = ratingsOf((await cli(['rate', f, '--format', 'json'])).stdout);
    expect(Math.abs(rate.get('a')! - plain.get('a')!)).toBeGreaterThan(1);
    const cmp = JSON.parse((await cli(['compare', f, '--a', 'a', '--b', 'c', '--format', 'json', '--reweight', 'pairs', '--reweight-floor', '10'])).stdout);
    expect(cmp.models.find((x: { model: string }) => x.model === 'a').rating).toBeCloseTo(rate.get('a')!, 6);
    const dir = tempDir();
    const scenario = join(dir, 's.json');
    writeFileSync(scenario, JSON.stringify({ replications: 1, intervals: 'none', steps: [{ type: 'addVotes', model: 'c', opponent: 'a', votes: 10, winRate: 0.5 }] }));
    const r = await cli(['whatif', '--scenario', scenario, f, '--format', 'json', '--reweight', 'pairs', '--reweight-floor', '10']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.params.rate.reweight).toEqual({ floor: 10 });
    for (const x of j.models as { model: string; baseline: { rating: number } }[]) expect(x.baseline.rating).toBeCloseTo(rate.get(x.model)!, 4);
  });
});

describe('the per-row weight field', () => {
  it('JSONL, JSON and CSV read the same weights (a row of weight 2 is a duplicated row)', async () => {
    const ws = [2, 1, 0.5, 1, 3, 1, 1, 1, 1, 1, 1, 1];
    const j = await cli(['rate', tempFile('b.jsonl', jsonl(rows(ws))), '--format', 'json']);
    expect(j.code).toBe(0);
    const arr = await cli(['rate', tempFile('b.json', JSON.stringify(rows(ws))), '--format', 'json']);
    const csv = await cli([
      'rate',
      tempFile('b.csv', `model_a,model_b,winner,weight\n${rows(ws).map((r) => `${r.model_a},${r.model_b},${r.winner},${(r as { weight?: number }).weight ?? ''}`).join('\n')}\n`),
      '--format',
      'json',
    ]);
    const pq = parquetWriteBuffer({
      columnData: [
        { name: 'model_a', data: rows(ws).map((r) => r.model_a), type: 'STRING' },
        { name: 'model_b', data: rows(ws).map((r) => r.model_b), type: 'STRING' },
        { name: 'winner', data: rows(ws).map((r) => r.winner), type: 'STRING' },
        { name: 'weight', data: ws, type: 'DOUBLE' },
      ],
    });
    const parquet = await cli(['rate', tempFile('b.parquet', Buffer.from(pq)), '--format', 'json']);
    // weight 2 on row 1 ≡ row 1 twice; weight 3 on row 5 ≡ three times (point estimate); 0.5 on row 3 ≡ other rows doubled
    const dup = rows([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const expanded = [...dup, dup[0]!, dup[4]!, dup[4]!].flatMap((r) => [r, r]);
    expanded.splice(expanded.indexOf(dup[2]!), 1);
    const ref = ratingsOf((await cli(['rate', tempFile('e.jsonl', jsonl(expanded)), '--format', 'json'])).stdout);
    for (const out of [j, arr, csv, parquet]) {
      expect(out.code).toBe(0);
      for (const [m, r] of ratingsOf(out.stdout)) expect(r).toBeCloseTo(ref.get(m)!, 6);
      // battles are counts, not weights
      expect(JSON.parse(out.stdout).battles).toBe(12);
    }
  });

  it('bad weights (0, negative, NaN, infinite, a string, an empty object) exit 1 with one line naming file, line and field weight', async () => {
    for (const bad of ['0', '-1', '"x"', '"2"', '{}', '1e400', '-0', 'true']) {
      const f = tempFile('b.jsonl', `{"model_a":"a","model_b":"b","winner":"model_a","weight":1}\n{"model_a":"b","model_b":"c","winner":"tie","weight":${bad}}\n`);
      const r = await cli(['rate', f]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`arena: ${f}:2: weight: must be a finite number > 0\n`);
    }
    for (const bad of ['0', '-2', 'NaN', 'Infinity', '1e999', 'abc']) {
      const f = tempFile('b.csv', `model_a,model_b,winner,weight\na,b,model_a,1\nb,c,tie,${bad}\n`);
      const r = await cli(['rate', f]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`arena: ${f}:3: weight: must be a finite number > 0\n`);
    }
    const pq = parquetWriteBuffer({
      columnData: [
        { name: 'model_a', data: ['a', 'b'], type: 'STRING' },
        { name: 'model_b', data: ['b', 'c'], type: 'STRING' },
        { name: 'winner', data: ['model_a', 'tie'], type: 'STRING' },
        { name: 'weight', data: [1, -0.5], type: 'DOUBLE' },
      ],
    });
    const f = tempFile('b.parquet', Buffer.from(pq));
    const r = await cli(['rate', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`arena: ${f}:2: weight: must be a finite number > 0\n`);
  });

  it('weights with online Elo or --compare-models: exit 1, one line naming the field weight', async () => {
    const f = tempFile('b.jsonl', jsonl(rows([2, 1, 1, 1, 1, 1])));
    const elo = await cli(['rate', f, '--method', 'elo']);
    expect(elo.code).toBe(1);
    expect(elo.stderr).toMatch(/^arena: weight: per-row weights are supported by the likelihood models .* online Elo has no weighted form .*\n$/);
    expect(elo.stderr.trim().split('\n')).toHaveLength(1);
    const cm = await cli(['rate', f, '--compare-models']);
    expect(cm.code).toBe(1);
    expect(cm.stderr).toMatch(/^arena: weight: --compare-models compares unweighted likelihoods/);
    expect((await cli(['rate', f, '--compare-models', '--reweight', 'pairs'])).code).toBe(2);
  });

  it('whatif and stability keep per-row weights: the what-if baseline and the last checkpoint are rate on the weighted battles, intervals included', async () => {
    // cells whose battles have different weights (so Σw² ≠ Σw²/count: the sandwich needs the board's Σw²)
    const data: Record<string, unknown>[] = [];
    for (let i = 0; i < 240; i++) {
      const pair = [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['a', 'd'],
      ][i % 4]!;
      data.push({ model_a: pair[0], model_b: pair[1], winner: i % 3 ? 'model_a' : i % 7 ? 'model_b' : 'tie', weight: 0.25 + ((i * 7) % 11) / 2 });
    }
    const f = tempFile('w.jsonl', jsonl(data));
    const rated = JSON.parse((await cli(['rate', f, '--format', 'json'])).stdout) as { models: { model: string; rating: number; lower: number; upper: number }[] };
    const unweighted = ratingsOf((await cli(['rate', tempFile('u.jsonl', jsonl(data.map(({ weight: _, ...x }) => x))), '--format', 'json'])).stdout);
    const byName = new Map(rated.models.map((x) => [x.model, x]));
    expect(Math.abs(byName.get('a')!.rating - unweighted.get('a')!)).toBeGreaterThan(1);
    const dir = tempDir();
    const scenario = join(dir, 's.json');
    writeFileSync(scenario, JSON.stringify({ replications: 1, steps: [{ type: 'addVotes', model: 'c', opponent: 'a', votes: 10, winRate: 0.5 }] }));
    const w = await cli(['whatif', '--scenario', scenario, f, '--format', 'json']);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    for (const x of JSON.parse(w.stdout).models as { model: string; baseline: { rating: number; lower: number; upper: number } }[]) {
      expect(x.baseline.rating).toBeCloseTo(byName.get(x.model)!.rating, 4);
      expect(x.baseline.lower).toBeCloseTo(byName.get(x.model)!.lower, 4);
      expect(x.baseline.upper).toBeCloseTo(byName.get(x.model)!.upper, 4);
    }
    const st = await cli(['stability', f, '--format', 'json', '--every', '100', '--sort', 'input']);
    expect(st.code).toBe(0);
    const last = JSON.parse(st.stdout).checkpoints.at(-1) as { battles: number; models: { model: string; rating: number; lower: number; upper: number }[] };
    expect(last.battles).toBe(240);
    for (const x of last.models) {
      expect(x.rating).toBeCloseTo(byName.get(x.model)!.rating, 4);
      expect(x.lower).toBeCloseTo(byName.get(x.model)!.lower, 4);
      expect(x.upper).toBeCloseTo(byName.get(x.model)!.upper, 4);
    }
  });

  it('stability with --reweight pairs: the last checkpoint is rate --reweight pairs on all the battles', async () => {
    const data: object[] = [];
    for (let i = 0; i < 300; i++) data.push({ model_a: 'a', model_b: 'b', winner: i % 3 ? 'model_a' : 'model_b' });
    for (let i = 0; i < 30; i++) data.push({ model_a: 'b', model_b: 'c', winner: i % 4 ? 'model_a' : 'tie' });
    for (let i = 0; i < 30; i++) data.push({ model_a: 'c', model_b: 'a', winner: i % 5 ? 'model_b' : 'model_a' });
    const f = tempFile('b.jsonl', jsonl(data));
    const rate = ratingsOf((await cli(['rate', f, '--format', 'json', '--reweight', 'pairs', '--reweight-floor', '10'])).stdout);
    const r = await cli(['stability', f, '--format', 'json', '--reweight', 'pairs', '--reweight-floor', '10', '--every', '120', '--sort', 'input']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.params.reweight).toEqual({ floor: 10 });
    const last = j.checkpoints.at(-1);
    const ratings: Record<string, number> = Object.fromEntries(last.models.map((x: { model: string; rating: number }) => [x.model, x.rating]));
    for (const [m, v] of rate) expect(ratings[m]).toBeCloseTo(v, 4);
  });
});
