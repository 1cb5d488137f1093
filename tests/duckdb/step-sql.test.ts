import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dropBothBad } from '../../src/models/common.js';
import { readBattles } from '../../src/data/load.js';
import { stepColumns } from '../../src/data/step-sql.js';
import { covariateDesign, rowPass, rowWeights } from '../../src/rating/style.js';
import { cli, FIXTURES, tempDir } from '../helpers.js';
import { duck, lit } from './duck.js';

/**
 * The covariate fit with its passes in SQL (`src/data/step-sql.ts`): the emitted constants pass and step query,
 * run in DuckDB at given parameters, give the sums of arena's own node pass (`rowPass`, the fit's fast path) folded
 * into the gradient, the information and the sandwich's meat, to 1e-9 relative; plausible wrong queries (seats
 * swapped, ties not halved) fail that comparison; `rate --engine duckdb --covariate` equals `--engine node` to 1e-9
 * rating points. Data: the languages fixture with deterministic covariates (`len` correlated with the outcome, a
 * nested `user.tokens`), per-row weights and LMArena-shaped `conv_metadata` style counts, written in the test.
 */

const SOURCE = join(FIXTURES, 'data', 'chatbot-arena-20240814-languages', 'battles.jsonl');
let dir = '';
let file = '';
let parquet = '';

beforeAll(async () => {
  dir = tempDir();
  const lines = readFileSync(SOURCE, 'utf8').trim().split('\n');
  const rows = lines.map((l, i) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    const r = (k: number) => (i * k) % 29;
    const won = o.winner === 'model_a' ? 1 : o.winner === 'model_b' ? -1 : 0;
    return {
      ...o,
      len: ((i * 7919) % 97) / 10 - 3 + 0.8 * won,
      user: { tokens: (i * 104729) % 53 },
      weight: 0.5 + ((i * 31) % 7) / 4,
      conv_metadata: {
        sum_assistant_a_tokens: 100 + 10 * r(7919) + (won > 0 ? 60 : 0),
        sum_assistant_b_tokens: 100 + 10 * r(104729) + (won < 0 ? 60 : 0),
        header_count_a: { h1: r(3) % 3, h2: r(5) % 2 },
        header_count_b: { h1: r(11) % 3, h2: r(13) % 2 },
        list_count_a: { ordered: r(17) % 4, unordered: 0 },
        list_count_b: { ordered: r(19) % 4, unordered: r(23) % 2 },
        bold_count_a: { '**': r(31) % 5, __: 0 },
        bold_count_b: { '**': r(37) % 5, __: 0 },
      },
    };
  });
  file = join(dir, 'battles.jsonl');
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  parquet = join(dir, 'battles.parquet');
  await duck([`COPY (SELECT * FROM read_json(${lit(file)}, format = 'newline_delimited')) TO ${lit(parquet)} (FORMAT parquet)`]);
});

/** The two statements of an emitted script (constants pass, step query), without comments and `;` lines. */
async function emittedScript(args: string[]): Promise<{ text: string; constants: string; step: string }> {
  const r = await cli(['aggregate', '--emit-sql', '--table', 'battles', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const statements = r.stdout
    .split(/^;$/m)
    .map((s) => s.split('\n').filter((l) => !l.startsWith('--') && l.trim() !== '').join('\n'))
    .filter((s) => s !== '');
  expect(statements).toHaveLength(2);
  return { text: r.stdout, constants: statements[0]!, step: statements[1]! };
}

describe('arena aggregate --emit-sql --covariate: the dialect rules', () => {
  it('no quoted identifiers, no CAST or type names, only EXP, LN, ABS, SUM, MAX, COALESCE, one statement between ";" lines', async () => {
    for (const args of [['--covariate', 'len'], ['--covariate', 'len', '--covariate', 'tok=user.tokens', '--columns', 'count,weight', '--ties', 'ignore'], ['--style-control', '--both-bad', 'ignore']]) {
      const { text, constants, step } = await emittedScript(args);
      for (const sql of [constants, step]) {
        expect(sql).not.toMatch(/["`;]/);
        expect(sql).not.toMatch(/\b(CAST|DOUBLE|FLOAT64|FLOAT|INTEGER|BIGINT|VARCHAR|STRING|LOG|LOG1P|GREATEST|LEAST|SQRT|POWER)\b/i);
        const calls = new Set([...sql.replace(/'[^']*'/g, "''").matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1]!.toUpperCase()));
        for (const k of ['FROM', 'IN', 'AS', 'JOIN', 'AND', 'THEN', 'ELSE']) calls.delete(k);
        expect([...calls].filter((f) => !['SUM', 'MAX', 'EXP', 'LN', 'ABS', 'COALESCE'].includes(f))).toEqual([]);
        expect(sql).not.toMatch(/GROUP BY\s+\d/);
      }
      expect(text.match(/^;$/gm)).toHaveLength(2);
    }
  });

  it('without covariate options the cells query is unchanged; covariates that are not plain paths are usage errors', async () => {
    const plain = await cli(['aggregate', '--emit-sql', '--columns', 'count']);
    expect(plain.stdout).toBe('SELECT\n  model_a,\n  model_b,\n  winner,\n  SUM(n) AS count\nFROM (\n  SELECT model_a, model_b, winner, count AS n\n  FROM battles\n) AS b\nGROUP BY model_a, model_b, winner\n');
    for (const [args, msg] of [
      [['--covariate', 'len=a - b'], /not a plain lower-case column name or member path/],
      [['--covariate', 'Len'], /not a plain lower-case column name/],
      [['--covariate', 'len', '--keep', 'language'], /give one or the other/],
      [['--ties', 'davidson', '--covariate', 'len'], /Allowed choices are half, ignore/],
    ] as const) {
      const r = await cli(['aggregate', '--emit-sql', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });
});

/** Gradient, information, meat (n×n) and log-likelihood of one pass. */
interface Pass {
  g: Float64Array;
  h: Float64Array;
  b: Float64Array;
  ll: number;
}

/** Largest |x − y| over the entries, relative to the largest |x| (1e-300 floor). */
function relDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let scale = 1e-300;
  let diff = 0;
  for (let i = 0; i < x.length; i++) {
    scale = Math.max(scale, Math.abs(x[i]!));
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
  }
  return diff / scale;
}

function passDiff(a: Pass, b: Pass): number {
  return Math.max(relDiff(a.g, b.g), relDiff(a.h, b.h), relDiff(a.b, b.b), Math.abs(a.ll - b.ll) / Math.abs(a.ll));
}

type Case = { readonly ties: 'half' | 'ignore'; readonly bothBad: 'tie' | 'ignore' };

/**
 * The node pass (arena's fit code) at fixed parameters on the battles read by the node readers, and what the
 * DuckDB run of a step query gives at the same parameters, folded here by the documented recipe (independently of
 * the fit's own fold).
 */
async function bothPasses(c: Case, stepOverride?: (sql: string) => string): Promise<{ node: Pass; sql: Pass; constants: { mean: number[]; sd: number[]; nodeMean: number[]; nodeSd: number[] } }> {
  const specs = [
    { name: 'len', expression: 'len' },
    { name: 'tok', expression: 'user.tokens' },
  ];
  const read = await readBattles([file], { covariates: specs, tstamp: false });
  const t = c.bothBad === 'ignore' ? dropBothBad(read) : read;
  const design = covariateDesign(t, { style: null, covariates: true, rowWeight: rowWeights(t, null, true) });
  const m = t.models.length;
  const K = 2;
  const n = m + K;
  const x = new Float64Array(n);
  for (let v = 0; v < m; v++) x[v] = 0.7 * Math.sin(1 + 3 * v);
  x[m] = 0.4;
  x[m + 1] = -0.25;
  const node: Pass = { g: new Float64Array(n), h: new Float64Array(n * n), b: new Float64Array(n * n), ll: 0 };
  node.ll = rowPass(t, design, [0, 1], { ignoreTies: c.ties === 'ignore' })(x, node.g, node.h, node.b);

  const { constants, step } = await emittedScript(['--covariate', 'len', '--covariate', 'tok=user.tokens', '--columns', 'count,weight', '--ties', c.ties, '--both-bad', c.bothBad]);
  const load = `CREATE TABLE battles AS SELECT * FROM read_json(${lit(file)}, format = 'newline_delimited')`;
  const k0 = (await duck([load, constants]))[0]!;
  const num = (v: unknown) => Number(v);
  const mean = [num(k0.mean1), num(k0.mean2)];
  const sd = [Math.sqrt(num(k0.ss1) / num(k0.n)), Math.sqrt(num(k0.ss2) / num(k0.n))];
  const wnorm = num(k0.n) / num(k0.sw);
  const thetaRows = t.models.map((name, v) => `(${lit(name)}, ${x[v]!.toPrecision(17)})`).join(', ');
  const params = [
    ['beta1', x[m]!],
    ['beta2', x[m + 1]!],
    ['mean1', design.mean[0]!],
    ['mean2', design.mean[1]!],
    ['sd1', design.sd[0]!],
    ['sd2', design.sd[1]!],
    ['wnorm', wnorm],
  ].map(([k, v]) => `(${lit(k as string)}, ${(v as number).toPrecision(17)})`);
  const rows = await duck([
    load,
    `CREATE TABLE theta AS SELECT * FROM (VALUES ${thetaRows}) AS v(model, value)`,
    `CREATE TABLE params AS SELECT * FROM (VALUES ${params.join(', ')}) AS v(name, value)`,
    stepOverride ? stepOverride(step) : step,
  ]);
  if (!stepOverride) expect(Object.keys(rows[0]!)).toEqual(stepColumns(K));
  const id = new Map(t.models.map((name, v) => [name, v]));
  const sql: Pass = { g: new Float64Array(n), h: new Float64Array(n * n), b: new Float64Array(n * n), ll: 0 };
  const kl = (k: number, l: number) => `${Math.min(k, l)}_${Math.max(k, l)}`;
  for (const r of rows) {
    const a = id.get(r.model_a as string)!;
    const b = id.get(r.model_b as string)!;
    sql.ll += num(r.ll);
    sql.g[a]! += num(r.g);
    sql.g[b]! -= num(r.g);
    for (let k = 1; k <= K; k++) sql.g[m + k - 1]! += num(r[`g${k}`]);
    for (const [mat, p] of [
      [sql.h, 'h'],
      [sql.b, 'b'],
    ] as const) {
      const v = num(r[p]);
      mat[a * n + a]! += v;
      mat[b * n + b]! += v;
      mat[a * n + b]! -= v;
      mat[b * n + a]! -= v;
      for (let k = 1; k <= K; k++) {
        const vk = num(r[`${p}${k}`]);
        const col = m + k - 1;
        mat[a * n + col]! += vk;
        mat[col * n + a]! += vk;
        mat[b * n + col]! -= vk;
        mat[col * n + b]! -= vk;
        for (let l = 1; l <= K; l++) mat[col * n + m + l - 1]! += num(r[`${p}${kl(k, l)}`]);
      }
    }
  }
  return { node, sql, constants: { mean, sd, nodeMean: [...design.mean], nodeSd: [...design.sd] } };
}

describe('the step query against arena\'s node pass', () => {
  for (const c of [
    { ties: 'half', bothBad: 'tie' },
    { ties: 'ignore', bothBad: 'tie' },
    { ties: 'half', bothBad: 'ignore' },
  ] as const) {
    it(`the same constants, gradient, information, meat and log-likelihood to 1e-9 (--ties ${c.ties} --both-bad ${c.bothBad})`, async () => {
      const { node, sql, constants } = await bothPasses(c);
      expect(relDiff(constants.nodeMean, constants.mean)).toBeLessThan(1e-12);
      expect(relDiff(constants.nodeSd, constants.sd)).toBeLessThan(1e-12);
      // the sums are not trivial: a real gradient and a definite information
      expect(Math.max(...node.g.map(Math.abs))).toBeGreaterThan(1);
      expect(passDiff(node, sql)).toBeLessThan(1e-9);
    });
  }

  it('is sensitive: seats swapped, ties not halved, or the covariates left unstandardised fail the comparison', async () => {
    const swapped = (s: string) => s.replace('ta.model = r.model_a', 'ta.model = r.model_b').replace('tb.model = r.model_b', 'tb.model = r.model_a');
    const tiesAsLosses = (s: string) => s.replace("ELSE 5e-1 END AS y", 'ELSE 0e0 END AS y');
    const raw = (s: string) => s.replace('(r.x1 - p.mean1) / p.sd1 AS x1', 'r.x1 AS x1');
    for (const wrong of [swapped, tiesAsLosses, raw]) {
      expect(wrong('x')).toBe('x');
      const { step } = await emittedScript(['--covariate', 'len', '--covariate', 'tok=user.tokens', '--columns', 'count,weight']);
      expect(wrong(step)).not.toBe(step);
      const { node, sql } = await bothPasses({ ties: 'half', bothBad: 'tie' }, wrong);
      expect(passDiff(node, sql)).toBeGreaterThan(1e-3);
    }
  });
});

type Board = {
  battles: number;
  models: { model: string; rating: number; lower?: number; upper?: number; battles: number }[];
  fit: { logLikelihood: number; converged: boolean; iterations: number };
  style?: { coefficients: { feature: string; coefficient: number; lower: number; upper: number }[] };
};

async function rate(args: string[]): Promise<Board> {
  const r = await cli(['rate', ...args, '--format', 'json']);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('arena:'))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Board;
}

describe('rate --engine duckdb --covariate equals --engine node', () => {
  const variants: string[][] = [
    ['--covariate', 'len', '--covariate', 'tok=user.tokens'],
    ['--covariate', 'len', '--ties', 'ignore', '--both-bad', 'ignore', '--anchor', 'gpt-4-0613=1200'],
    ['--style-control', '--covariate', 'len', '--style-form', 'fastchat-2024', '--filter', 'language == "Japanese"'],
    ['--style-control', '--style-prior', '5', '--prior', '0.5'],
  ];
  for (const args of variants) {
    it(`ratings, sandwich intervals, coefficients, log-likelihood: ${args.join(' ')}`, async () => {
      const a = await rate([file, ...args]);
      const b = await rate([parquet, '--engine', 'duckdb', ...args]);
      expect(a.fit.converged).toBe(true);
      expect(b.fit.converged).toBe(true);
      expect(b.fit.iterations).toBe(a.fit.iterations);
      expect(b.battles).toBe(a.battles);
      expect(b.models.map((x) => x.model)).toEqual(a.models.map((x) => x.model));
      a.models.forEach((x, k) => {
        const y = b.models[k]!;
        expect(y.battles).toBe(x.battles);
        expect(Math.abs(y.rating - x.rating)).toBeLessThan(1e-9);
        expect(Math.abs(y.lower! - x.lower!)).toBeLessThan(1e-9);
        expect(Math.abs(y.upper! - x.upper!)).toBeLessThan(1e-9);
      });
      const ca = a.style!.coefficients;
      const cb = b.style!.coefficients;
      expect(cb.map((c) => c.feature)).toEqual(ca.map((c) => c.feature));
      ca.forEach((c, q) => {
        for (const f of ['coefficient', 'lower', 'upper'] as const) expect(Math.abs(cb[q]![f] - c[f])).toBeLessThan(1e-12);
      });
      expect(Math.abs(b.fit.logLikelihood - a.fit.logLikelihood)).toBeLessThan(1e-12);
    });
  }

  it('what needs battle rows or a tie parameter is refused in one line (exit 2); bad covariate columns name the field (exit 1)', async () => {
    for (const [args, msg] of [
      [['--covariate', 'len', '--bootstrap', '10'], /bootstrap intervals resample battle rows/],
      [['--covariate', 'len', '--ci-method', 'bootstrap'], /bootstrap intervals resample battle rows/],
      [['--covariate', 'len', '--ties', 'davidson'], /--ties half or ignore/],
      [['--covariate', 'len', '--reweight', 'pairs'], /without --reweight pairs/],
      [['--covariate', 'len=len * 2'], /takes a covariate that is a field path/],
      [['--covariate', 'len', '--sort', 'tstamp'], /--sort tstamp needs --engine node/],
    ] as const) {
      const r = await cli(['rate', parquet, '--engine', 'duckdb', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
    const nulls = join(dir, 'nulls.parquet');
    await duck([`COPY (SELECT * REPLACE (CASE WHEN len > 5 THEN NULL ELSE len END AS len) FROM read_parquet(${lit(parquet)})) TO ${lit(nulls)} (FORMAT parquet)`]);
    for (const [f, args, msg] of [
      [parquet, ['--covariate', 'nope'], /battles\.parquet: nope: unknown field/],
      [parquet, ['--covariate', 'language'], /language: must be a number \(a covariate\), but the column has type VARCHAR/],
      [parquet, ['--covariate', 'user.nope'], /user\.nope: unknown field \(the input has no such member\)/],
      [nulls, ['--covariate', 'len'], /nulls\.parquet: len: is null \(or missing\) on \d+ rows/],
    ] as const) {
      const r = await cli(['rate', f, '--engine', 'duckdb', ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });
});
