import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_COUNT } from '../../src/data/schema.js';
import { BattleTableBuilder } from '../../src/data/table.js';
import { InputError } from '../../src/errors.js';
import { cli, readError, tempDir, tempFile } from '../helpers.js';

// Issue 17 item 15 (and 12): numeric options and scenario numbers are refused beyond ranges where results stay
// finite and runs can finish; inside the ranges, every number of the JSON output is finite.

let battles: string; // 3,000 simulated battles over the April 2026 fixture's 339 models
beforeAll(async () => {
  battles = join(tempDir(), 's.jsonl');
  const r = await cli(['simulate', '--battles', '3000', '--seed', '1', '--out', battles, '--quiet']);
  expect(r.code).toBe(0);
});

describe('numeric options beyond their range: exit 2, one line naming the option and the range', () => {
  const cases: [string, () => string[], string][] = [
    ['--prior', () => ['rate', battles, '--prior', '1e308'], "option '--prior <lambda>' argument '1e308' is invalid. expected a number ≥ 0 and ≤ 1000000 (see arena rate --help)"],
    ['--style-prior', () => ['rate', battles, '--style-prior', '2e6'], "option '--style-prior <lambda>' argument '2e6' is invalid. expected a number ≥ 0 and ≤ 1000000 (see arena rate --help)"],
    ['--reweight-floor', () => ['matrix', battles, '--reweight-floor', '1e308'], "option '--reweight-floor <n>' argument '1e308' is invalid. expected a number > 0 and ≤ 1000000000 (see arena matrix --help)"],
    ['--forecast-replications', () => ['compare', battles, '--a', 'x', '--b', 'y', '--forecast-replications', '1e9'], "option '--forecast-replications <n>' argument '1e9' is invalid. expected an integer from 1 to 1,000,000 (see arena compare --help)"],
    ['--forecast-votes', () => ['compare', battles, '--a', 'x', '--b', 'y', '--forecast-votes', '10,1e13'], "option '--forecast-votes <list>' argument '10,1e13' is invalid. a comma-separated list of integers from 1 to 1e+12 (see arena compare --help)"],
    ['--orderings', () => ['stability', battles, '--orderings', '1e9'], "option '--orderings <p>' argument '1e9' is invalid. expected an integer from 0 to 10,000 (see arena stability --help)"],
    ['--replications', () => ['whatif', '--scenario', 'x.json', '--replications', '1e9'], "option '--replications <n>' argument '1e9' is invalid. expected an integer from 1 to 100,000 (see arena whatif --help)"],
    ['--votes-per-hour', () => ['whatif', '--scenario', 'x.json', '--votes-per-hour', '1e308'], "option '--votes-per-hour <n>' argument '1e308' is invalid. expected a number > 0 and ≤ 10000000 (see arena whatif --help)"],
    ['--boost', () => ['simulate', '--boost', '1e300'], "option '--boost <w>' argument '1e300' is invalid. expected a number > 0 and ≤ 1000000 (see arena simulate --help)"],
    ['--popularity-exponent', () => ['simulate', '--popularity-exponent', '1e308'], "option '--popularity-exponent <s>' argument '1e308' is invalid. expected a number ≥ 0 and ≤ 1000000 (see arena simulate --help)"],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await cli(args());
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`arena: error: ${message}\n`);
    });
  }
});

describe('scenario numbers beyond their limits: exit 1, one line naming the JSON path, before any simulation', () => {
  const cases: [string, object, string, string[]?][] = [
    ['votes of a field', { steps: [{ type: 'addVotes', model: 'muse-spark', votes: 1e12 }] }, 'steps.0.votes: must be at most 1,000,000,000'],
    ['a rating', { steps: [{ type: 'newModel', model: 'new', rating: 1e300, votes: 10 }] }, 'steps.0.rating: must be between −1,000,000,000 and 1,000,000,000'],
    ['bestOfN variants', { steps: [{ type: 'bestOfN', model: 'muse-spark', variants: 1e6, votesPerVariant: 10 }] }, 'steps.0.variants: must be at most 10,000'],
    ['votes of a step (variants × votes)', { steps: [{ type: 'bestOfN', model: 'muse-spark', variants: 10_000, votesPerVariant: 1e7 }] }, 'steps.0.votesPerVariant: 10,000 variants × 1.00e7 votes = 1.00e11 simulated votes in one step: at most 1.00e9'],
    ['hours × votes an hour', { votesPerHour: 1e7, steps: [{ type: 'newModel', model: 'new', rating: 1400, hours: 1000 }] }, 'steps.0.hours: 1,000 hours × 1.00e7 votes an hour = 1.00e10 simulated votes in one step: at most 1.00e9'],
    ['votes of a run (replications × steps)', { replications: 100_000, steps: [{ type: 'addVotes', model: 'muse-spark', votes: 1e7 }] }, 'replications: 100,000 replications simulate 1.00e12 votes in all: at most 1.00e10 in one run (fewer replications or votes)'],
    ['votes of a run after --votes-per-hour', { steps: [{ type: 'newModel', model: 'new', rating: 1400, hours: 72 }] }, 'replications: 20 replications simulate 1.44e10 votes in all: at most 1.00e10 in one run (fewer replications or votes)', ['--votes-per-hour', '1e7']],
    ['a policy weight', { policy: { type: 'lmarena', boost: 1e300 }, steps: [{ type: 'addVotes', model: 'muse-spark', votes: 10 }] }, 'policy.boost: must be at most 1,000,000'],
  ];
  for (const [what, scenario, message, extra] of cases) {
    it(what, async () => {
      const file = tempFile('s.json', JSON.stringify(scenario));
      const r = await cli(['whatif', '--scenario', file, ...(extra ?? [])]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`arena: ${file}: ${message}\n`);
    });
  }
});

describe('counts that cannot be summed exactly are errors', () => {
  it('a style count object summing to Infinity is an error with line and field, not a dropped feature', async () => {
    const meta = { sum_assistant_a_tokens: 1, header_count_a: { h1: 1e308, h2: 1e308 }, list_count_a: 0, bold_count_a: 0, sum_assistant_b_tokens: 1, header_count_b: 0, list_count_b: 0, bold_count_b: 0 };
    const f = tempFile('b.jsonl', `${JSON.stringify({ model_a: 'a', model_b: 'b', winner: 'tie', conv_metadata: { ...meta, header_count_a: { h1: 1, h2: 2 } } })}\n${JSON.stringify({ model_a: 'a', model_b: 'b', winner: 'tie', conv_metadata: meta })}\n`);
    const r = await cli(['rate', f, '--style-control']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`arena: ${f}:2: conv_metadata.header_count_a: must be an object of numbers with a finite sum (these add up to more than 1.8e308)\n`);
  });

  it('the table refuses a total of battles past 2^53 − 1 (a double would stop counting exactly); up to it, the total is exact', () => {
    const rows = Math.floor(Number.MAX_SAFE_INTEGER / MAX_COUNT); // 2,097,152 rows of the largest count fit
    const b = new BattleTableBuilder({ tstamp: false });
    const a = b.intern('a');
    const c = b.intern('b');
    for (let i = 0; i < rows; i++) b.pushIds(a, c, 2, MAX_COUNT);
    const rest = Number.MAX_SAFE_INTEGER - rows * MAX_COUNT; // exactly representable: what still fits
    b.pushIds(a, c, 2, rest);
    expect(() => b.pushIds(a, c, 2, 1)).toThrow(InputError);
    expect(() => b.pushIds(a, c, 2, 1)).toThrow("count: the battles' counts add up to more than 2^53 − 1 (9,007,199,254,740,991), beyond exact counting");
    expect(b.finish().battles).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('readBattles names the file when its counts pass 2^53 − 1', async () => {
    const rows = Math.floor(Number.MAX_SAFE_INTEGER / MAX_COUNT) + 1;
    const f = join(tempDir(), 'big.csv');
    writeFileSync(f, 'model_a,model_b,winner,count\n' + `a,b,tie,${MAX_COUNT}\n`.repeat(rows));
    expect(await readError([f])).toBe(`${f}: count: the battles' counts add up to more than 2^53 − 1 (9,007,199,254,740,991), beyond exact counting`);
  });
});

/** Paths of the nulls in a JSON value (`models.3.lower`, array indices as `*`). */
function nullPaths(v: unknown, path = '', out = new Set<string>()): Set<string> {
  if (v === null) out.add(path);
  else if (Array.isArray(v)) v.forEach((x) => nullPaths(x, `${path}.*`, out));
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v as object)) nullPaths(x, `${path}.${k}`, out);
  return out;
}

describe('at the edges of their ranges, options give finite numbers (property)', () => {
  // JSON.stringify writes NaN and ±Infinity as null: so "every number finite" is "no null where the default run
  // has a number": the null paths of an edge run must be those of the run with default options
  const edges = {
    scale: ['0.01', '1000000'],
    base: ['1.0000001', '1000000'],
    initial: ['-1000000000', '1000000000'],
    prior: ['0.01', '1000000'],
    tolerance: ['1e-12', '1000'],
    ci: ['0.0001', '0.9999'],
  } as const;
  const runs = new Map<string, Set<string>>();
  const nullsOf = async (args: string[]) => {
    const key = args.join(' ');
    let set = runs.get(key);
    if (!set) {
      const r = await cli(['rate', battles, '--format', 'json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as { models: { rating: number; lower: number; upper: number }[] };
      for (const m of j.models) for (const x of [m.rating, m.lower, m.upper]) if (x !== undefined) expect(Number.isFinite(x), `${args.join(" ")}: ${m.rating} ${m.lower} ${m.upper}`).toBe(true);
      runs.set(key, (set = nullPaths(j)));
    }
    return set;
  };
  it('rate (bt and elo): any combination of edge values', async () => {
    const base = await nullsOf([]);
    const option = fc.constantFrom(...(Object.keys(edges) as (keyof typeof edges)[]));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(option, fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 3, selector: ([o]) => o }), fc.boolean(), async (picks, elo) => {
        const args = picks.flatMap(([o, k]) => [`--${o}`, edges[o][k]!]);
        if (elo) args.push('--method', 'elo', '--k', picks.length % 2 ? '10000' : '0.001');
        const nulls = await nullsOf(args);
        // params echo the options: the same keys; no number in the output became null
        for (const p of nulls) expect(base.has(p) || p === '.params.prior', `${args.join(' ')}: null at ${p}`).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
  it('simulate at the edges of --interval, --start, --scale and --base writes finite JSONL', async () => {
    const out = join(tempDir(), 'e.jsonl');
    const r = await cli(['simulate', '--battles', '50', '--interval', '1000000000', '--start', '2026-01-01T00:00:00Z', '--scale', '0.01', '--base', '1000000', '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(50);
    for (const l of lines) expect(Number.isFinite((JSON.parse(l) as { tstamp: number }).tstamp)).toBe(true);
  });
});
