import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { OUTCOME_LABEL, OUTCOMES } from '../../src/data/schema.js';
import { normalQuantile } from '../../src/math/normal.js';
import { compareModels, votesToSeparate, normalCdf } from '../../src/stats/compare.js';
import { sandwichCovariance } from '../../src/rating/sandwich.js';
import type { PairCounts } from '../../src/data/aggregate.js';
import { DEFAULT_MODEL as DEFAULT_RATE } from '../../src/models/types.js';
import { fitModel as fitRatings } from '../../src/models/index.js';
import { readBattles } from '../../src/data/load.js';
import { bootstrapRatingsSync, bootstrapWork, PARALLEL_MIN_WORK } from '../../src/stats/bootstrap.js';
import { percentileIntervals } from '../../src/stats/interval.js';
import { bootstrapJobOf, rateWithIntervals } from '../../src/stats/uncertainty.js';
import { bin, cli, jsonl, tempDir, tempFile } from '../helpers.js';

/** A small simulated battle file (JSONL) with 6 models. */
function simFile(n = 4000, seed = 1): string {
  const models = ['alpha', 'beta', 'gamma', 'delta', 'eps', '__proto__'];
  const t = simulateTable({ models, ratings: Float64Array.from([1100, 1080, 1050, 1000, 950, 900]) }, n, {}, createRng(seed));
  const rows = [];
  for (let q = 0; q < t.rows; q++) rows.push({ model_a: t.models[t.a[q]!], model_b: t.models[t.b[q]!], winner: OUTCOME_LABEL[OUTCOMES[t.outcome[q]!]!] });
  return tempFile('sim.jsonl', jsonl(rows));
}

describe('votesToSeparate (formula)', () => {
  it('solves 1/s² + n·p(1−p) = z²/d² (known value) and is 0 when already separated', () => {
    const f = 400 / Math.log(10);
    const gap = 4;
    const sd = 2.5;
    const z = normalQuantile(0.975);
    const d = gap / f;
    const p = 1 / (1 + Math.exp(-d));
    const n = votesToSeparate(gap, sd, 0.95, { scale: 400, base: 10 })!;
    // with n votes the new sd is below gap/z, with n − 1 it is not
    const sdAfter = (k: number) => f / Math.sqrt(1 / (sd / f) ** 2 + k * p * (1 - p));
    expect(gap / sdAfter(n)).toBeGreaterThanOrEqual(z);
    expect(gap / sdAfter(n - 1)).toBeLessThan(z);
    expect(votesToSeparate(10, 2, 0.95, { scale: 400, base: 10 })).toBe(0);
    expect(votesToSeparate(0, 2, 0.95, { scale: 400, base: 10 })).toBeNull();
  });
  it('normalCdf matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 6);
  });
});

describe('votesToSeparate (sandwich information per vote, known value)', () => {
  // One pair: A won 30, B won 20, 25 ties (n = 75). Two-model Bradley–Terry with ties as half wins has the
  // closed form p̂ = s/n = 42.5/75, d̂ = logit p̂; its sandwich variance is Var(d̂) = B/H² with the bread
  // H = n·p̂(1−p̂) and the meat B = Σ (y − p̂)² = wA(1−p̂)² + wB·p̂² + t(½ − p̂)².
  const [wA, wB, t, n] = [30, 20, 25, 75];
  const f = 400 / Math.log(10);
  const z = normalQuantile(0.975);
  const pairFile = () =>
    tempFile(
      'pair.jsonl',
      jsonl([
        { model_a: 'A', model_b: 'B', winner: 'model_a', count: wA },
        { model_a: 'B', model_b: 'A', winner: 'model_a', count: wB },
        { model_a: 'A', model_b: 'B', winner: 'tie', count: t },
      ]),
    );
  /** The library's sandwich sd (natural scale) of the gap after k more votes with the same outcome mix. */
  const sdAfter = (k: number, ties: 'half' | 'ignore', d: number): number => {
    const g = 1 + k / n;
    const pc: PairCounts = {
      models: ['A', 'B'],
      pairs: 1,
      i: Int32Array.of(0),
      j: Int32Array.of(1),
      winsI: Float64Array.of(wA * g),
      winsJ: Float64Array.of(wB * g),
      ties: Float64Array.of(t * g),
      bothbad: Float64Array.of(0),
    };
    const cov = sandwichCovariance(pc, ties, [d / 2, -d / 2]);
    return Math.sqrt(cov[0]! + cov[3]! - 2 * cov[1]!);
  };

  it('ties half: precision per vote is w²/b, n more votes just make the sandwich interval exclude 0; p(1−p) overshoots', async () => {
    const tb = await readBattles([pairFile()]);
    expect(tb.models).toEqual(['A', 'B']);
    const u = await rateWithIntervals(tb, DEFAULT_RATE, { ciMethod: 'sandwich', rounds: 0, level: 0.95, seed: 1 });
    const c = compareModels(u, 0, 1, DEFAULT_RATE);
    // by hand
    const p = (wA + t / 2) / n;
    const d = Math.log(p / (1 - p));
    const h = n * p * (1 - p);
    const meat = wA * (1 - p) ** 2 + wB * p ** 2 + t * (0.5 - p) ** 2;
    expect(c.gap.estimate).toBeCloseTo(f * d, 8);
    expect(c.gapSd).toBeCloseTo((f * Math.sqrt(meat)) / h, 8);
    expect(c.separated).toBe(false);
    // per vote: bread w = p(1−p); meat b = p(1−p) − τ/4 for the outcome law with expected score p and tie rate τ
    const tau = t / n;
    const w = p * (1 - p);
    const b = w - tau / 4;
    expect(meat / n).toBeCloseTo(b, 12); // the observed mix is that law here
    const need = ((z * z) / (d * d) - (h * h) / meat) / ((w * w) / b);
    expect(c.votesToSeparate).toBe(Math.ceil(need));
    expect(votesToSeparate(c.gap.estimate, c.gapSd, 0.95, DEFAULT_RATE, tau)).toBe(Math.ceil(need));
    // independent check: the library's sandwich on the augmented counts
    const k = c.votesToSeparate!;
    expect(sdAfter(0, 'half', d)).toBeCloseTo(Math.sqrt(meat) / h, 12);
    expect(d / sdAfter(k, 'half', d)).toBeGreaterThanOrEqual(z);
    expect(d / sdAfter(k - 1, 'half', d)).toBeLessThan(z);
    // the decisive-vote information p(1−p) (tie rate 0: the former formula) asks for too many votes
    const old = votesToSeparate(c.gap.estimate, c.gapSd, 0.95, DEFAULT_RATE)!;
    expect(old).toBeGreaterThan(k);
    expect(d / sdAfter(old - 1, 'half', d)).toBeGreaterThan(z);
  });

  it('ties ignore: a tie carries nothing, so a vote carries (1 − τ)·p(1−p)', async () => {
    const rate = { ...DEFAULT_RATE, ties: 'ignore' as const };
    const u = await rateWithIntervals(await readBattles([pairFile()]), rate, { ciMethod: 'sandwich', rounds: 0, level: 0.95, seed: 1 });
    const c = compareModels(u, 0, 1, rate);
    const p = wA / (wA + wB);
    const d = Math.log(p / (1 - p));
    expect(c.gap.estimate).toBeCloseTo(f * d, 8);
    expect(c.gapSd).toBeCloseTo(f / Math.sqrt((wA + wB) * p * (1 - p)), 8);
    const k = c.votesToSeparate!;
    expect(k).toBe(Math.ceil(((z * z) / (d * d) - (wA + wB) * p * (1 - p)) / ((1 - t / n) * p * (1 - p))));
    expect(d / sdAfter(k, 'ignore', d)).toBeGreaterThanOrEqual(z);
    expect(d / sdAfter(k - 1, 'ignore', d)).toBeLessThan(z);
  });
});

describe('arena rate with intervals (CLI)', () => {
  it('bootstrap: echoes params, adds lower/upper/rankLower/rankUpper, and rankDistribution when asked', async () => {
    const f = simFile();
    const r = await cli(['rate', f, '--bootstrap', '30', '--seed', '5', '--threads', '1', '--rank-distribution', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.params).toMatchObject({ ciMethod: 'bootstrap', bootstrap: 30, ci: 0.95, seed: 5, bootstrapQuantiles: 'control' });
    expect(j.params.threads).toBeUndefined();
    expect(j.models.map((m: { model: string }) => m.model)).toContain('__proto__');
    for (const m of j.models) {
      expect(m.lower).toBeLessThanOrEqual(m.rating);
      expect(m.upper).toBeGreaterThanOrEqual(m.rating);
      expect(m.rankLower).toBe(m.rank);
      expect(m.rankUpper).toBeGreaterThanOrEqual(m.rank);
      expect(m.rankDistribution.reduce((a: number, b: { probability: number }) => a + b.probability, 0)).toBeCloseTo(1, 12);
    }
  });

  it('--bootstrap-quantiles plain gives the type-7 percentiles of the same rounds; control (default) estimates the same quantiles', async () => {
    const f = simFile(20_000, 4);
    const t = await readBattles([f], {});
    const point = fitRatings(t, DEFAULT_RATE);
    const dist = bootstrapRatingsSync(bootstrapJobOf(point), { rounds: 300, seed: 9 });
    const plain = percentileIntervals(dist, point.ratings, 0.9);
    const byName = (out: string) => new Map(JSON.parse(out).models.map((m: { model: string }) => [m.model, m]));
    const p = await cli(['rate', f, '--bootstrap', '300', '--seed', '9', '--ci', '0.9', '--bootstrap-quantiles', 'plain', '--threads', '1', '--format', 'json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).params.bootstrapQuantiles).toBe('plain');
    const pm = byName(p.stdout) as Map<string, { lower: number; upper: number }>;
    point.models.forEach((name, v) => {
      expect(pm.get(name)!.lower).toBe(plain.lower[v]);
      expect(pm.get(name)!.upper).toBe(plain.upper[v]);
    });
    const c = await cli(['rate', f, '--bootstrap', '300', '--seed', '9', '--ci', '0.9', '--threads', '1', '--format', 'json']);
    const cm = byName(c.stdout) as Map<string, { lower: number; upper: number }>;
    point.models.forEach((name, v) => {
      const half = (plain.upper[v]! - plain.lower[v]!) / 2;
      // two estimators of one bootstrap quantile: they differ by the plain one's Monte-Carlo error (≈ 0.1 half-width here)
      expect(Math.abs(cm.get(name)!.lower - plain.lower[v]!)).toBeLessThan(0.35 * half);
      expect(Math.abs(cm.get(name)!.upper - plain.upper[v]!)).toBeLessThan(0.35 * half);
      expect(cm.get(name)!.lower).not.toBe(plain.lower[v]);
    });
    const e = await cli(['rate', f, '--bootstrap', '10', '--bootstrap-quantiles', 'smooth']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/--bootstrap-quantiles/);
  });

  it('sandwich: instant intervals, no rounds needed; elo + sandwich is a usage error', async () => {
    const f = simFile();
    const r = await cli(['rate', f, '--ci-method', 'sandwich', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.params.ciMethod).toBe('sandwich');
    expect(j.models[0].lower).toBeLessThan(j.models[0].rating);
    const e = await cli(['rate', f, '--method', 'elo', '--ci-method', 'sandwich']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/sandwich.*--method bt/);
  });

  it('invalid options exit 2 with a clear message', async () => {
    const f = simFile(200);
    for (const [args, re] of [
      [['--bootstrap', '-1'], /--bootstrap.*integer/],
      [['--bootstrap', '2.5'], /--bootstrap.*integer/],
      [['--ci', '1.5'], /--ci.*between 0 and 1/],
      [['--ci', '0'], /--ci.*between 0 and 1/],
      [['--ci-method', 'jackknife'], /--ci-method/],
      [['--threads', '0'], /--threads.*integer/],
      [['--rank-distribution'], /--rank-distribution needs/],
    ] as const) {
      const r = await cli(['rate', f, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stdout).toBe('');
    }
  });

  it('same seed ⇒ identical JSON with 1 and 2 threads (the built bin, big enough to start workers); another seed differs', () => {
    // 60 models × 30k battles: BT 800 rounds and Elo 150 rounds are above PARALLEL_MIN_WORK, so workers do run
    const models = Array.from({ length: 60 }, (_, v) => `m${v}`);
    const t = simulateTable({ models, ratings: Float64Array.from(models, (_, v) => 900 + 4 * v) }, 30_000, {}, createRng(9));
    const rows = [];
    for (let q = 0; q < t.rows; q++) rows.push({ model_a: t.models[t.a[q]!], model_b: t.models[t.b[q]!], winner: OUTCOME_LABEL[OUTCOMES[t.outcome[q]!]!] });
    const f = tempFile('big.jsonl', jsonl(rows));
    const point = fitRatings(t, DEFAULT_RATE);
    expect(bootstrapWork(bootstrapJobOf(point), 800)).toBeGreaterThan(PARALLEL_MIN_WORK);
    const elo = { ...DEFAULT_RATE, method: 'elo' as const };
    expect(bootstrapWork(bootstrapJobOf(fitRatings(t, elo)), 150)).toBeGreaterThan(PARALLEL_MIN_WORK);
    const run = (threads: string, seed = '7') => bin(['rate', f, '--bootstrap', '800', '--seed', seed, '--threads', threads, '--rank-distribution', '--format', 'json']);
    const one = run('1');
    const two = run('2');
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(run('2', '8').stdout).not.toBe(one.stdout);
    const a = bin(['rate', f, '--method', 'elo', '--bootstrap', '150', '--threads', '1', '--format', 'json']);
    const b = bin(['rate', f, '--method', 'elo', '--bootstrap', '150', '--threads', '2', '--format', 'json']);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('no progress bar when stderr is not a TTY', () => {
    const r = bin(['rate', simFile(2000), '--bootstrap', '20', '--threads', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('arena compare', () => {
  it('reports gap, win probability, P(above) and votes to separate, consistently', async () => {
    const f = simFile(6000, 3);
    const r = await cli(['compare', f, '--a', 'alpha', '--b', 'beta', '--bootstrap', '200', '--threads', '1', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const c = j.comparison;
    const byName = new Map(j.models.map((m: { model: string; rating: number }) => [m.model, m.rating]));
    expect(c.gap.estimate).toBeCloseTo((byName.get('alpha') as number) - (byName.get('beta') as number), 10);
    expect(c.gap.lower).toBeLessThanOrEqual(c.gap.estimate);
    expect(c.gap.upper).toBeGreaterThanOrEqual(c.gap.estimate);
    expect(c.winProbability.estimate).toBeCloseTo(1 / (1 + 10 ** (-c.gap.estimate / 400)), 12);
    expect(c.winProbability.lower).toBeCloseTo(1 / (1 + 10 ** (-c.gap.lower / 400)), 12);
    expect(c.pAbove).toBeGreaterThanOrEqual(0);
    expect(c.pAbove).toBeLessThanOrEqual(1);
    expect(c.pAboveMethod).toBe('bootstrap');
    expect(c.separated).toBe(c.gap.lower > 0 || c.gap.upper < 0);
    expect(c.separated ? c.votesToSeparate === 0 : c.votesToSeparate > 0).toBe(true);
    expect(c.headToHead.battles).toBe(c.headToHead.winsA + c.headToHead.winsB + c.headToHead.ties);
    // swapping a and b mirrors the answer
    const s = JSON.parse((await cli(['compare', f, '--a', 'beta', '--b', 'alpha', '--bootstrap', '200', '--threads', '1', '--format', 'json'])).stdout).comparison;
    expect(s.gap.estimate).toBeCloseTo(-c.gap.estimate, 10);
    expect(s.gap.lower).toBeCloseTo(-c.gap.upper, 10);
    expect(s.pAbove).toBeCloseTo(1 - c.pAbove, 12);
    expect(s.headToHead.winsA).toBe(c.headToHead.winsB);
  });

  it('a clearly better model is separated with P(above) near 1; the table format reads', async () => {
    const f = simFile(20_000, 4);
    const r = await cli(['compare', f, '--a', 'alpha', '--b', '__proto__', '--ci-method', 'sandwich', '--bootstrap', '0', '--format', 'json']);
    const c = JSON.parse(r.stdout).comparison;
    expect(c.separated).toBe(true);
    expect(c.votesToSeparate).toBe(0);
    expect(c.pAbove).toBeGreaterThan(0.999);
    expect(c.pAboveMethod).toBe('normal');
    const tbl = await cli(['compare', f, '--a', 'alpha', '--b', '__proto__', '--ci-method', 'sandwich', '--bootstrap', '0']);
    expect(tbl.code).toBe(0);
    expect(tbl.stdout).toMatch(/verdict: different at the 95% level/);
  });

  it('unknown model, same model or no intervals exit 2 with a clear message', async () => {
    const f = simFile(500);
    const unknown = await cli(['compare', f, '--a', 'alpha', '--b', 'omega', '--bootstrap', '5']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--b: model "omega" is not in the battles/);
    expect((await cli(['compare', f, '--a', 'alpha', '--b', 'alpha'])).code).toBe(2);
    const none = await cli(['compare', f, '--a', 'alpha', '--b', 'beta', '--ci-method', 'none']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs intervals/);
    expect((await cli(['compare', f, '--a', 'alpha'])).code).toBe(2);
  });
});

describe('arena matrix', () => {
  it('json: predicted is complementary and matches the ratings; observed and counts match the battles', async () => {
    const f = simFile(3000, 5);
    const r = await cli(['matrix', f, '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const k = j.models.length;
    expect(k).toBe(6);
    let total = 0;
    for (let a = 0; a < k; a++) {
      expect(j.predicted[a][a]).toBeNull();
      for (let b = 0; b < k; b++) {
        if (a === b) continue;
        expect(j.predicted[a][b] + j.predicted[b][a]).toBeCloseTo(1, 12);
        expect(j.predicted[a][b]).toBeCloseTo(1 / (1 + 10 ** ((j.models[b].rating - j.models[a].rating) / 400)), 12);
        expect(j.matchups[a][b]).toBe(j.matchups[b][a]);
        if (j.observed[a][b] !== null) expect(j.observed[a][b] + j.observed[b][a]).toBeCloseTo(1, 12);
        total += j.matchups[a][b];
      }
    }
    expect(total / 2).toBe(3000);
  });

  it('csv has one line per ordered pair; --top limits the models', async () => {
    const f = simFile(1000, 6);
    const r = await cli(['matrix', f, '--format', 'csv', '--top', '3']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('model,opponent,predicted,observed,battles');
    expect(lines.length).toBe(1 + 3 * 2);
    const out = join(tempDir(), 'm.csv');
    expect((await cli(['matrix', f, '--format', 'csv', '--out', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n').length).toBe(1 + 6 * 5);
  });
});
