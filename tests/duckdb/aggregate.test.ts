import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregatePairs, type PairCounts } from '../../src/data/aggregate.js';
import { readCells } from '../../src/data/cells-file.js';
import { readBattles } from '../../src/data/load.js';
import { cli, FIXTURES, tempDir } from '../helpers.js';
import { duck, lit } from './duck.js';

/**
 * `arena aggregate --emit-sql` runs in DuckDB on a battles table and gives the cells `arena` computes itself (after
 * folding seats, which both leave to `arena`); `arena rate --cells` on those cells equals `arena rate` on the
 * battles; `arena aggregate` writes cells that read back to the same fit.
 */

const SOURCE = join(FIXTURES, 'data', 'chatbot-arena-20240814-languages', 'battles.jsonl');
let dir = '';
let weightedJsonl = '';

beforeAll(() => {
  dir = tempDir();
  const lines = readFileSync(SOURCE, 'utf8').trim().split('\n');
  weightedJsonl = join(dir, 'weighted.jsonl');
  writeFileSync(weightedJsonl, lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), weight: 0.25 + ((i * 104729) % 11) / 5 })).join('\n') + '\n');
});

async function emitted(columns: string): Promise<string> {
  const r = await cli(['aggregate', '--emit-sql', '--table', 'battles', ...(columns ? ['--columns', columns] : [])]);
  expect(r.code).toBe(0);
  return r.stdout;
}

function expectSameCells(a: PairCounts, b: PairCounts): void {
  expect(b.models).toEqual(a.models);
  expect(Array.from(b.i)).toEqual(Array.from(a.i));
  expect(Array.from(b.j)).toEqual(Array.from(a.j));
  for (const k of ['winsI', 'winsJ', 'ties', 'bothbad'] as const) expect(Array.from(b[k])).toEqual(Array.from(a[k]));
  expect(b.weight === undefined).toBe(a.weight === undefined);
  if (a.weight) {
    a.weight.forEach((w, q) => expect(Math.abs(b.weight![q]! - w)).toBeLessThan(1e-9 * Math.max(1, w)));
    a.weight2!.forEach((w, q) => expect(Math.abs(b.weight2![q]! - w)).toBeLessThan(1e-9 * Math.max(1, w)));
  }
}

const ratings = async (args: string[]) => {
  const r = await cli(['rate', ...args, '--format', 'json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { battles: number; models: { model: string; rating: number; lower: number; upper: number }[] };
};
function expectSameBoard(a: Awaited<ReturnType<typeof ratings>>, b: Awaited<ReturnType<typeof ratings>>): void {
  expect(b.battles).toBe(a.battles);
  expect(b.models.map((m) => m.model)).toEqual(a.models.map((m) => m.model));
  a.models.forEach((m, k) => {
    for (const f of ['rating', 'lower', 'upper'] as const) expect(Math.abs(b.models[k]![f] - m[f])).toBeLessThan(1e-9);
  });
}

describe('arena aggregate --emit-sql', () => {
  it('keeps the dialect rules: no quoted identifiers, no CAST or type names, no semicolon, GROUP BY by name', async () => {
    for (const cols of ['', 'count', 'count,weight', 'weight']) {
      const sql = await emitted(cols);
      expect(sql).not.toMatch(/["`;]|\bCAST\b|\bDOUBLE\b|\bFLOAT64\b|::/i);
      expect(sql).toMatch(/GROUP BY model_a, model_b, winner\n$/);
      expect(sql).toMatch(/\) AS b\n/);
    }
  });

  it('runs in DuckDB and gives the cells arena computes (weighted, with counts): rate --cells equals rate', async () => {
    const sql = await emitted('count,weight');
    const cells = join(dir, 'sql-cells.csv');
    await duck([`CREATE TABLE battles AS SELECT * FROM read_json(${lit(weightedJsonl)}, format = 'newline_delimited')`, `COPY (${sql}) TO ${lit(cells)} (FORMAT csv, HEADER)`]);
    const fromBattles = aggregatePairs(await readBattles([weightedJsonl]));
    const fromSql = aggregatePairs(await readCells([cells]));
    expectSameCells(fromBattles, fromSql);
    expect(fromSql.weight).toBeDefined();
    for (const extra of [[], ['--ties', 'davidson'], ['--reweight', 'pairs']]) {
      expectSameBoard(await ratings([weightedJsonl, ...extra]), await ratings(['--cells', cells, ...extra]));
    }
  });

  it('one battle a row, no count or weight column (the plain query): the same cells; a Parquet cells file', async () => {
    const sql = await emitted('');
    const cells = join(dir, 'plain-cells.parquet');
    // the fixture's rows of `count` battles expanded into single battles
    await duck([
      `CREATE TABLE battles AS SELECT model_a, model_b, winner, language FROM read_json(${lit(SOURCE)}, format = 'newline_delimited'), range(count)`,
      `COPY (${sql}) TO ${lit(cells)} (FORMAT parquet)`,
    ]);
    const fromSql = aggregatePairs(await readCells([cells]));
    expectSameCells(aggregatePairs(await readBattles([SOURCE])), fromSql);
    expect(fromSql.winsI.reduce((s, x) => s + x, 0)).toBeGreaterThan(0);
    expectSameBoard(await ratings([SOURCE]), await ratings(['--cells', cells]));
  });

  it('arena aggregate writes cells that rate --cells reads back to the same board (weights: the sandwich needs weight2)', async () => {
    const out = join(dir, 'node-cells.csv');
    expect((await cli(['aggregate', weightedJsonl, '--out', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('model_a,model_b,winner,count,weight,weight2');
    expectSameBoard(await ratings([weightedJsonl]), await ratings(['--cells', out]));
    // without weight2 the file is an ordinary battles file: the same ratings, but not the same sandwich
    const noW2 = join(dir, 'no-w2.csv');
    writeFileSync(noW2, readFileSync(out, 'utf8').split('\n').map((l) => l.split(',').slice(0, 5).join(',')).join('\n'));
    const a = await ratings([weightedJsonl]);
    const b = await ratings([noW2]);
    expect(Math.abs(b.models[0]!.rating - a.models[0]!.rating)).toBeLessThan(1e-9);
    expect(Math.max(...a.models.map((m, k) => Math.abs(b.models[k]!.upper - m.upper)))).toBeGreaterThan(1e-6);
  });

  it('covariates with few values kept as group keys (--keep): rate --cells --covariate equals the row fit on the battles', async () => {
    // two discrete covariates per row, from the row's position: the GROUP BY merges rows with equal values
    const lines = readFileSync(SOURCE, 'utf8').trim().split('\n');
    const battles = join(dir, 'covariates.jsonl');
    writeFileSync(battles, lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), is_direct: (i * 7) % 3 === 0 ? 1 : 0, turns: 1 + ((i * 13) % 3) })).join('\n') + '\n');
    const r = await cli(['aggregate', '--emit-sql', '--columns', 'count', '--keep', 'is_direct,turns']);
    expect(r.code).toBe(0);
    const cells = join(dir, 'covariate-cells.parquet');
    const rows = await duck([
      `CREATE TABLE battles AS SELECT * FROM read_json(${lit(battles)}, format = 'newline_delimited')`,
      `COPY (${r.stdout}) TO ${lit(cells)} (FORMAT parquet)`,
      `SELECT (SELECT COUNT(*) FROM read_parquet(${lit(cells)})) AS cells, (SELECT COUNT(*) FROM battles) AS rows`,
    ]);
    expect(Number(rows[0]!.cells)).toBeLessThan(Number(rows[0]!.rows)); // rows were merged
    const cov = ['--covariate', 'is_direct', '--covariate', 'turns'];
    const fit = async (args: string[]) => {
      const out = await cli(['rate', ...args, ...cov, '--format', 'json']);
      expect(out.code).toBe(0);
      return JSON.parse(out.stdout);
    };
    const a = await fit([battles]);
    const b = await fit(['--cells', cells]);
    expectSameBoard(a, b);
    const coefficients = (x: { style: { coefficients: { feature: string; coefficient: number; lower: number; upper: number; mean: number; sd: number }[] } }) => x.style.coefficients;
    expect(coefficients(b).map((c) => c.feature)).toEqual(['is_direct', 'turns']);
    coefficients(a).forEach((c, k) => {
      for (const f of ['coefficient', 'lower', 'upper', 'mean', 'sd'] as const) expect(Math.abs(coefficients(b)[k]![f] - c[f])).toBeLessThan(1e-9);
    });
    expect(Math.abs(coefficients(a)[0]!.coefficient)).toBeGreaterThan(0);
    // and the covariates matter: without them the ratings differ
    const plain = await ratings([battles]);
    expect(Math.max(...plain.models.map((m) => Math.abs(m.rating - a.models.find((x: { model: string }) => x.model === m.model).rating)))).toBeGreaterThan(1e-6);
  });

  it('--where goes into the emitted query as written: run in DuckDB it gives the cells of the battles --filter keeps', async () => {
    const r = await cli(['aggregate', '--emit-sql', '--table', 'battles', '--columns', 'count,weight', '--where', "language IN ('English', 'Japanese') AND count >= 2"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("WHERE language IN ('English', 'Japanese') AND count >= 2\n");
    const cells = join(dir, 'where-cells.csv');
    await duck([`CREATE TABLE battles AS SELECT * FROM read_json(${lit(weightedJsonl)}, format = 'newline_delimited')`, `COPY (${r.stdout}) TO ${lit(cells)} (FORMAT csv, HEADER)`]);
    const kept = aggregatePairs(await readBattles([weightedJsonl], { filter: 'language in ["English", "Japanese"] and count >= 2' }));
    const all = aggregatePairs(await readBattles([weightedJsonl]));
    expectSameCells(kept, aggregatePairs(await readCells([cells])));
    expect(kept.i.length).toBeLessThan(all.i.length); // the condition removed cells
  });

  it('usage errors: --emit-sql with files or --filter, an unknown column; --cells with elo', async () => {
    for (const args of [['aggregate', '--emit-sql', SOURCE], ['aggregate', '--emit-sql', '--filter', 'anony'], ['aggregate', '--emit-sql', '--where', 'anony', '--engine', 'duckdb'], ['aggregate', '--emit-sql', '--where', '1=1) OR (1=1'], ['aggregate', '--emit-sql', '--cells'], ['aggregate', '--emit-sql', '--covariate', 'len', '--style-form', 'fastchat-2024'], ['aggregate', SOURCE, '--where', 'anony'], ['aggregate', '--emit-sql', '--columns', 'tstamp'], ['aggregate', '--emit-sql', '--keep', 'Is-Direct'], ['aggregate', '--emit-sql', '--keep', 'count'], ['aggregate', SOURCE, '--keep', 'language'], ['aggregate'], ['rate', '--cells', SOURCE, '--method', 'elo']]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
