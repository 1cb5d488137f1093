import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDuckDB } from '../../src/data/duckdb.js';
import { cli, FIXTURES, tempDir } from '../helpers.js';
import { duck, lit } from './duck.js';

/**
 * `--engine duckdb` against `--engine node` on the same battles: a fixture board (counts, a language field) given
 * weights and split into three Parquet files written by DuckDB; the node path reads the files by name, the DuckDB
 * path by a glob. Ratings, intervals and totals agree to 1e-9.
 */

const SOURCE = join(FIXTURES, 'data', 'chatbot-arena-20240814-languages', 'battles.jsonl');
let dir = '';
let parts: string[] = [];

beforeAll(async () => {
  dir = tempDir();
  const lines = readFileSync(SOURCE, 'utf8').trim().split('\n');
  // a deterministic weight per row, in (0.5, 2.25]
  const weighted = lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), weight: 0.5 + ((i * 7919) % 8) / 4 + 0.25 }));
  parts = [0, 1, 2].map((k) => join(dir, `part-${k}.parquet`));
  for (let k = 0; k < 3; k++) {
    const jl = join(dir, `part-${k}.jsonl`);
    writeFileSync(jl, weighted.filter((_, i) => i % 3 === k).join('\n') + '\n');
    // STRUCT columns shaped like LMArena's dedup_tag and category_tag, from each row's own fields
    const tags = `{'sampled': length(model_a) % 2 = 0, 'high_freq': count % 3 = 0} AS dedup_tag, {'criteria_v0.1': {'specificity': length(model_b) % 2 = 0, 'creativity': count % 2 = 0, 'complexity': language = 'English'}} AS category_tag`;
    await duck([`COPY (SELECT *, ${tags} FROM read_json(${lit(jl)}, format = 'newline_delimited')) TO ${lit(parts[k]!)} (FORMAT parquet)`]);
  }
});

type Row = { model: string; rating: number; lower?: number; upper?: number; battles: number; wins: number; losses: number; ties: number };
async function rate(args: string[]): Promise<{ battles: number; models: Row[]; fit: { logLikelihood: number } }> {
  const r = await cli(['rate', ...args, '--format', 'json']);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('arena:'))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function expectSame(a: Awaited<ReturnType<typeof rate>>, b: Awaited<ReturnType<typeof rate>>): void {
  expect(b.battles).toBe(a.battles);
  expect(b.models.map((m) => m.model)).toEqual(a.models.map((m) => m.model));
  a.models.forEach((m, k) => {
    const o = b.models[k]!;
    expect([o.battles, o.wins, o.losses, o.ties]).toEqual([m.battles, m.wins, m.losses, m.ties]);
    expect(Math.abs(o.rating - m.rating)).toBeLessThan(1e-9);
    if (m.lower !== undefined) {
      expect(Math.abs(o.lower! - m.lower)).toBeLessThan(1e-9);
      expect(Math.abs(o.upper! - m.upper!)).toBeLessThan(1e-9);
    }
  });
  expect(Math.abs(b.fit.logLikelihood - a.fit.logLikelihood)).toBeLessThan(1e-12);
}

describe('--engine duckdb equals --engine node', () => {
  const variants: string[][] = [
    [],
    ['--ties', 'davidson'],
    ['--ties', 'rao-kupper', '--both-bad', 'separate'],
    ['--reweight', 'pairs'],
    ['--filter', 'language in ["English", "Japanese"] and count >= 2'],
    ['--filter', 'not (language == "English") or count > 5', '--ties', 'ignore'],
    ['--bootstrap', '40', '--seed', '7', '--threads', '1'],
    ['--filter', 'dedup_tag.sampled and not dedup_tag.high_freq'],
    ['--filter', 'count(category_tag["criteria_v0.1"]) >= 2', '--reweight', 'pairs'],
  ];
  it.each(variants.map((v) => [v.join(' ') || '(defaults)', v]))('%s', async (_, v) => {
    const node = await rate([...parts, '--engine', 'node', ...(v as string[])]);
    const glob = await rate([join(dir, 'part-*.parquet'), ...(v as string[])]); // a glob: duckdb by default
    expectSame(node, glob);
    // and the weights matter (a wrong path that dropped them would not be caught otherwise)
    expect(node.battles).toBeGreaterThan(10000);
    expect(node.models[0]!.lower).toBeDefined(); // intervals compared too (the sandwich, or the bootstrap rounds)
  });

  it('--where (SQL as DuckDB reads it) keeps what the same --filter keeps; with --filter both must hold', async () => {
    const glob = join(dir, 'part-*.parquet');
    expectSame(await rate([...parts, '--engine', 'node', '--filter', 'language in ["English", "Japanese"] and count >= 2']), await rate([glob, '--where', "language IN ('English', 'Japanese') AND count >= 2"]));
    const both = await rate([glob, '--where', "language IN ('English', 'Japanese')", '--filter', 'count >= 2 and dedup_tag.sampled']);
    expectSame(await rate([...parts, '--engine', 'node', '--filter', 'language in ["English", "Japanese"] and count >= 2 and dedup_tag.sampled']), both);
    expect(both.battles).toBeLessThan((await rate([glob, '--where', "language IN ('English', 'Japanese')"])).battles);
    // the board says which battles it was fitted on
    const r = await cli(['rate', glob, '--where', "language = 'Japanese'", '--filter', 'count >= 2', '--format', 'json']);
    expect(JSON.parse(r.stdout).params).toMatchObject({ where: "language = 'Japanese'", filter: 'count >= 2' });
  });

  it('--where: SQL DuckDB rejects or the node readers is a usage error (exit 2); nothing kept is an input error (exit 1); one line each', async () => {
    const glob = join(dir, 'part-*.parquet');
    for (const [args, code, text] of [
      [[glob, '--where', 'language ='], 2, '--where: DuckDB rejects the condition'],
      [[glob, '--where', 'no_such_column = 1'], 2, 'no_such_column'],
      [[parts[0]!, '--engine', 'node', '--where', 'count > 1'], 2, 'needs --engine duckdb'],
      [[glob, '--where', "language = 'Klingon'"], 1, "no battles pass --where: language = 'Klingon'"],
      // a condition that would close the parentheses around it and escape --filter's condition
      [[glob, '--filter', 'anony', '--where', '1=1) OR (1=1'], 2, 'closes a parenthesis the condition did not open'],
      [[glob, '--where', 'count > 1; SELECT 1'], 2, 'ends a statement'],
      [[glob, '--where', 'language'], 2, 'not a condition: DuckDB reads it as VARCHAR'],
      [[glob, '--where', 'CAST(language AS INTEGER) > 0'], 2, '--where: DuckDB cannot evaluate'],
      [[glob, '--where', ' '], 2, 'the condition is empty'],
    ] as const) {
      const r = await cli(['rate', ...args]);
      expect(r.code).toBe(code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(text);
    }
  });

  it('the weights are used: the weighted ratings differ from the unweighted ones', async () => {
    const weighted = await rate([...parts, '--engine', 'node']);
    const plain = await rate([SOURCE]);
    const diff = Math.max(...weighted.models.map((m) => Math.abs(m.rating - plain.models.find((p) => p.model === m.model)!.rating)));
    expect(diff).toBeGreaterThan(1);
  });

  it('a DuckDB database table (--table), CSV and JSON files: the same board', async () => {
    const db = join(dir, 'arena.duckdb');
    await duck([`ATTACH ${lit(db)} AS d`, `CREATE TABLE d.votes AS SELECT * FROM read_parquet(${lit(join(dir, 'part-*.parquet'))})`, 'DETACH d']);
    const node = await rate([...parts, '--engine', 'node']);
    expectSame(node, await rate([db, '--table', 'votes']));
    const csv = parts.map((f) => f.replace(/\.parquet$/, '.csv'));
    for (let k = 0; k < 3; k++) await duck([`COPY (SELECT model_a, model_b, winner, count, language, weight FROM read_parquet(${lit(parts[k]!)})) TO ${lit(csv[k]!)} (FORMAT csv, HEADER)`]);
    const filter = ['--filter', 'language != "English" and count < 4'];
    expectSame(await rate([...csv, ...filter]), await rate([join(dir, 'part-*.csv'), ...filter]));
    const jsonNode = await rate([join(dir, 'part-0.jsonl'), join(dir, 'part-1.jsonl'), join(dir, 'part-2.jsonl')]);
    expectSame(jsonNode, await rate([join(dir, 'part-*.jsonl'), '--engine', 'duckdb']));
  });
});

describe('--engine duckdb: errors', () => {
  it('a missing package: one line with the install command', async () => {
    await expect(loadDuckDB('@duckdb/no-such-package-here')).rejects.toThrow(/^--engine duckdb needs the optional package @duckdb\/no-such-package-here, which is not installed: run npm install @duckdb\/no-such-package-here/);
  });

  it('bad input: exit 1, one line naming the field', async () => {
    const d = tempDir();
    const bad = join(d, 'bad.parquet');
    await duck([`COPY (SELECT 'a' AS model_a, 'b' AS model_b, 'model_c' AS winner) TO ${lit(bad)} (FORMAT parquet)`]);
    let r = await cli(['rate', bad, '--engine', 'duckdb']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^arena: .*bad\.parquet: winner: unknown label "model_c" \(expected one of/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const self = join(d, 'self.parquet');
    await duck([`COPY (SELECT 'a' AS model_a, 'a' AS model_b, 'tie' AS winner) TO ${lit(self)} (FORMAT parquet)`]);
    r = await cli(['rate', self, '--engine', 'duckdb']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/model_b: model_b equals model_a/);
    for (const [count, msg] of [
      ['0', /count: must be an integer ≥ 1, got 0/],
      ['NULL::INTEGER', /count: must be an integer ≥ 1 \(null is not a count/],
    ] as const) {
      const f = join(d, `count-${count.length}.parquet`);
      await duck([`COPY (SELECT * FROM (VALUES ('a', 'b', 'tie', 2), ('a', 'b', 'tie', ${count})) t(model_a, model_b, winner, count)) TO ${lit(f)} (FORMAT parquet)`]);
      r = await cli(['rate', f, '--engine', 'duckdb']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(msg);
    }
    const w = join(d, 'weight.parquet');
    await duck([`COPY (SELECT * FROM (VALUES ('a', 'b', 'tie', 2.0), ('a', 'b', 'tie', -1.0)) t(model_a, model_b, winner, weight)) TO ${lit(w)} (FORMAT parquet)`]);
    r = await cli(['rate', w, '--engine', 'duckdb']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/weight: must be a finite number > 0, got -1/);
    r = await cli(['rate', join(dir, 'part-*.parquet'), '--filter', 'anony']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/: anony: unknown field \(the input has no such column\)$/);
    r = await cli(['rate', join(d, 'none-*.parquet')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/none-\*\.parquet: DuckDB cannot read the input/);
  });

  it('usage errors (exit 2): row-based models, a filter without translation, stdin', async () => {
    const g = join(dir, 'part-*.parquet');
    for (const [args, msg] of [
      [['--method', 'elo'], /online Elo replays battles/],
      [['--sort', 'tstamp'], /--sort tstamp needs --engine node/],
      [['--covariate', 'count', '--bootstrap', '10'], /bootstrap intervals resample battle rows/],
      [['--filter', 'count / 2 >= 1'], /the operator \/ is not translated to SQL for --engine duckdb \(use --engine node\)/],
    ] as const) {
      const r = await cli(['rate', g, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const r = await cli(['rate', '-', '--engine', 'duckdb'], '');
    expect(r.code).toBe(2);
    // the backtest walks battles in time order: cells have none (it used to walk the cells, silently)
    for (const args of [['backtest', g], ['backtest', g, '--where', 'anony'], ['plot', 'backtest', g]]) {
      const b = await cli(args);
      expect(b.code).toBe(2);
      expect(b.stderr).toMatch(/keeps no battle order: the backtest walks the battles in order/);
      expect(b.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
