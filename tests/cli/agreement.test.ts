/**
 * One engine, one answer: for every model of the family and both interval methods, `arena rate`, `arena compare`,
 * `arena matrix`, `arena report` (its embedded JSON) and the library's one call (`rateWithIntervals`, then
 * `leaderboardOf` / `compareModels`) give the same ratings, intervals and ranks to 1e-9 points. Before the
 * redesign, `compare --ties rao-kupper` bootstrapped plain Bradley–Terry around a Rao–Kupper fit (gap 65.6 in
 * [62.9, 111.7]); a command wired to the wrong model or the wrong interval method fails here.
 *
 * Data: the real Chatbot Arena 2024-08-14 Japanese subset (34,377 battles, fixtures/data) for BT, Davidson,
 * Rao–Kupper and Elo; a simulated board with style fields (`arena simulate --style-effect`) for style control.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { leaderboardOf } from '../../src/leaderboard/leaderboard.js';
import { expectedScoreAtGap } from '../../src/models/predict.js';
import type { ModelOptions } from '../../src/models/types.js';
import { compareModels } from '../../src/stats/compare.js';
import { rateWithIntervals, type IntervalOptions } from '../../src/stats/uncertainty.js';
import { cli, FIXTURES, tempDir } from '../helpers.js';

const JAPANESE = join(FIXTURES, 'data', 'chatbot-arena-20240814-japanese', 'battles.jsonl');
const A = 'gpt-4o-2024-05-13';
const B = 'claude-3-5-sonnet-20240620';
const TOL = 1e-9;

interface Row {
  model: string;
  rating: number;
  lower?: number;
  upper?: number;
  rank: number;
  rankLower?: number;
  rankUpper?: number;
}

interface Case {
  name: string;
  data: () => Promise<string>;
  args: string[];
  model: Partial<ModelOptions>;
  intervals: Partial<IntervalOptions>;
  a: string;
  b: string;
}

let styleFile: string | null = null;
/** A 6-model simulated board with style fields and a planted verbosity effect (made once). */
async function styleBoard(): Promise<string> {
  if (styleFile) return styleFile;
  const dir = tempDir();
  const ratings = join(dir, 'r.json');
  const models = [['a', 1000], ['b', 1025], ['c', 1050], ['verbose', 1040], ['d', 1075], ['e', 1100]];
  writeFileSync(ratings, JSON.stringify({ models: models.map(([model, rating]) => ({ model, rating })) }));
  const out = join(dir, 's.jsonl');
  const sim = await cli(['simulate', '--ratings', ratings, '--battles', '3000', '--seed', '5', '--style-effect', '0.8,0,0,0', '--verbosity', 'verbose=3', '--out', out]);
  expect(sim.code).toBe(0);
  styleFile = out;
  return out;
}
const japanese = async () => JAPANESE;

const ROUNDS = 40;
const boot = (args: string[], model: Partial<ModelOptions>): Pick<Case, 'args' | 'model' | 'intervals'> => ({
  args: [...args, '--bootstrap', String(ROUNDS), '--seed', '9'],
  model,
  intervals: { ciMethod: 'bootstrap', rounds: ROUNDS, seed: 9 },
});
const sand = (args: string[], model: Partial<ModelOptions>): Pick<Case, 'args' | 'model' | 'intervals'> => ({ args, model, intervals: {} });

const CASES: Case[] = [
  { name: 'bt, sandwich', data: japanese, a: A, b: B, ...sand([], {}) },
  { name: 'bt, bootstrap', data: japanese, a: A, b: B, ...boot([], {}) },
  { name: 'davidson, sandwich', data: japanese, a: A, b: B, ...sand(['--ties', 'davidson'], { ties: 'davidson' }) },
  { name: 'davidson, bootstrap', data: japanese, a: A, b: B, ...boot(['--ties', 'davidson'], { ties: 'davidson' }) },
  { name: 'rao-kupper, sandwich', data: japanese, a: A, b: B, ...sand(['--ties', 'rao-kupper'], { ties: 'rao-kupper' }) },
  { name: 'rao-kupper, bootstrap', data: japanese, a: A, b: B, ...boot(['--ties', 'rao-kupper'], { ties: 'rao-kupper' }) },
  { name: 'rao-kupper, anchored bootstrap', data: japanese, a: A, b: B, ...boot(['--ties', 'rao-kupper', '--anchor', `${B}=1200`], { ties: 'rao-kupper', anchor: { model: B, rating: 1200 } }) },
  { name: 'style control, sandwich', data: styleBoard, a: 'verbose', b: 'd', ...sand(['--style-control'], { styleControl: true }) },
  { name: 'style control, bootstrap', data: styleBoard, a: 'verbose', b: 'd', ...boot(['--style-control'], { styleControl: true }) },
  { name: 'style control + davidson, bootstrap', data: styleBoard, a: 'verbose', b: 'd', ...boot(['--style-control', '--ties', 'davidson'], { styleControl: true, ties: 'davidson' }) },
  { name: 'elo, bootstrap', data: japanese, a: A, b: B, ...boot(['--method', 'elo'], { method: 'elo' }) },
];

function expectSameRows(actual: readonly Row[], expected: readonly Row[], what: string): void {
  const byModel = new Map(expected.map((r) => [r.model, r]));
  for (const r of actual) {
    const e = byModel.get(r.model);
    expect(e, `${what}: ${r.model} missing from the library's board`).toBeDefined();
    expect(Math.abs(r.rating - e!.rating), `${what}: rating of ${r.model}`).toBeLessThanOrEqual(TOL);
    expect(r.lower, `${what}: ${r.model} has no interval`).toBeTypeOf('number');
    expect(Math.abs(r.lower! - e!.lower!), `${what}: lower bound of ${r.model}`).toBeLessThanOrEqual(TOL);
    expect(Math.abs(r.upper! - e!.upper!), `${what}: upper bound of ${r.model}`).toBeLessThanOrEqual(TOL);
    expect([r.rank, r.rankLower, r.rankUpper], `${what}: ranks of ${r.model}`).toEqual([e!.rank, e!.rankLower, e!.rankUpper]);
  }
}

describe('rate, compare, matrix, report and the library agree (1e-9 points)', () => {
  for (const c of CASES) {
    it(c.name, { timeout: 120_000 }, async () => {
      const file = await c.data();
      // the library: read, one call, the leaderboard rows
      const table = await readBattles([file]);
      const rated = await rateWithIntervals(table, c.model, c.intervals);
      const lib = leaderboardOf(rated, {}).models as readonly Row[];
      expect(lib.length).toBe(table.models.length);
      expect(lib.every((r) => r.lower! <= r.rating + TOL && r.rating <= r.upper! + TOL)).toBe(true);

      const rate = await cli(['rate', file, ...c.args, '--format', 'json', '--quiet']);
      expect(rate.code, rate.stderr).toBe(0);
      const rateRows = JSON.parse(rate.stdout).models as Row[];
      expect(rateRows.map((r) => r.model)).toEqual(lib.map((r) => r.model));
      expectSameRows(rateRows, lib, 'rate');

      const matrix = await cli(['matrix', file, ...c.args, '--format', 'json', '--quiet']);
      expect(matrix.code, matrix.stderr).toBe(0);
      expectSameRows(JSON.parse(matrix.stdout).models as Row[], lib, 'matrix');

      const report = await cli(['report', file, ...c.args, '--top', '4', '--heatmap-top', '4', '--quiet']);
      expect(report.code, report.stderr).toBe(0);
      const block = /<script type="application\/json" id="arena-leaderboard">([^<]*)<\/script>/.exec(report.stdout);
      expect(block, 'report has its data block').not.toBeNull();
      const reportRows = JSON.parse(block![1]!).models as Row[];
      expect(reportRows.length).toBe(lib.length);
      expectSameRows(reportRows, lib, 'report');

      const compare = await cli(['compare', file, '--a', c.a, '--b', c.b, ...c.args, '--format', 'json', '--quiet']);
      expect(compare.code, compare.stderr).toBe(0);
      const cj = JSON.parse(compare.stdout);
      expectSameRows(cj.models as Row[], lib, 'compare');
      const ia = table.models.indexOf(c.a);
      const ib = table.models.indexOf(c.b);
      const libCmp = compareModels(rated, ia, ib, rated.point.options);
      for (const k of ['estimate', 'lower', 'upper'] as const) {
        expect(Math.abs(cj.comparison.gap[k] - libCmp.gap[k]), `compare gap ${k}`).toBeLessThanOrEqual(TOL);
        expect(Math.abs(cj.comparison.winProbability[k] - libCmp.winProbability[k]), `compare score ${k}`).toBeLessThanOrEqual(1e-12);
      }
      // the gap's interval holds its point, and the gap is the two ratings' difference
      const g = cj.comparison.gap;
      expect(g.lower).toBeLessThanOrEqual(g.estimate);
      expect(g.upper).toBeGreaterThanOrEqual(g.estimate);
      const ra = lib.find((r) => r.model === c.a)!.rating;
      const rb = lib.find((r) => r.model === c.b)!.rating;
      expect(Math.abs(g.estimate - (ra - rb))).toBeLessThanOrEqual(TOL);
      // the expected score follows the model's own outcome law at the gap
      expect(cj.comparison.winProbability.estimate).toBeCloseTo(expectedScoreAtGap(rated.point, ra - rb), 12);
    });
  }
});

describe('compare: the expected score under tie models (known values)', () => {
  it('Rao–Kupper and Davidson: P(A wins) + ½·P(tie) from the published formulas at the fitted tie parameter', { timeout: 60_000 }, async () => {
    const f = Math.LN10 / 400;
    for (const ties of ['rao-kupper', 'davidson'] as const) {
      const r = await cli(['rate', JAPANESE, '--ties', ties, '--format', 'json']);
      const j = JSON.parse(r.stdout);
      const rating = (m: string) => j.models.find((x: Row) => x.model === m).rating as number;
      const d = (rating(A) - rating(B)) * f;
      let expected: number;
      if (ties === 'rao-kupper') {
        // Rao & Kupper (1967): P(i ≻ j) = π_i / (π_i + θ π_j), P(tie) = 1 − P(i ≻ j) − P(j ≻ i)
        const theta = j.fit.tieParameters.theta.value as number;
        const win = 1 / (1 + theta * Math.exp(-d));
        const loss = 1 / (1 + theta * Math.exp(d));
        expected = win + 0.5 * (1 - win - loss);
      } else {
        // Davidson (1970): P(i ≻ j) = π_i / (π_i + π_j + ν√(π_i π_j)), P(tie) = ν√(π_i π_j) / (same)
        const nu = j.fit.tieParameters.nu.value as number;
        const den = Math.exp(d / 2) + Math.exp(-d / 2) + nu;
        expected = (Math.exp(d / 2) + 0.5 * nu) / den;
      }
      const c = JSON.parse((await cli(['compare', JAPANESE, '--a', A, '--b', B, '--ties', ties, '--format', 'json'])).stdout);
      expect(c.comparison.winProbability.estimate).toBeCloseTo(expected, 12);
      // not the logistic curve of the gap, which the tie models do not predict
      expect(Math.abs(c.comparison.winProbability.estimate - 1 / (1 + Math.exp(-d)))).toBeGreaterThan(0.002);
    }
  });
});

describe('compare --method elo without --bootstrap', () => {
  it('says how to get intervals for a model without a likelihood', async () => {
    const r = await cli(['compare', JAPANESE, '--a', A, '--b', B, '--method', 'elo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('arena: error: compare needs intervals: use --bootstrap N (--method elo has no likelihood, so no sandwich)\n');
  });
});


describe('labels say what was computed', () => {
  it('leaderboardOf without echoed params carries the board\'s interval method and level (the table heads "90% CI")', async () => {
    const table = await readBattles([JAPANESE]);
    const lb = leaderboardOf(await rateWithIntervals(table, {}, { level: 0.9 }), {});
    expect(lb.params).toEqual({ ciMethod: 'sandwich', ci: 0.9 });
    const { formatLeaderboard } = await import('../../src/formats/format.js');
    expect(formatLeaderboard(lb, 'table').split('\n')[0]).toContain('90% CI');
    // echoed params win, in the caller's order
    expect(Object.keys(leaderboardOf(await rateWithIntervals(table), { seed: 1, ci: 0.95, ciMethod: 'sandwich' }).params)).toEqual(['seed', 'ci', 'ciMethod']);
  });
  it('a tie model without intervals says "no intervals", not "95% no intervals"', async () => {
    const r = await cli(['rate', JAPANESE, '--ties', 'davidson', '--ci-method', 'none']);
    expect(r.stdout).toMatch(/\nTie parameters \(davidson, no intervals\): nu = 1\.4036; /);
  });
});

describe('commands that refit pair counts say plainly that style control needs the battles', () => {
  it('whatif, stability and plot trajectory reject --style-control with one line (pair counts carry no style)', async () => {
    const file = await styleBoard();
    const scenarioFile = join(tempDir(), 's.json');
    writeFileSync(scenarioFile, JSON.stringify({ replications: 2, seed: 1, steps: [{ type: 'addVotes', model: 'a', votes: 10 }] }));
    for (const args of [['whatif', file, '--scenario', scenarioFile], ['stability', file, '--sort', 'input'], ['plot', 'trajectory', file, '--sort', 'input']]) {
      const r = await cli([...args, '--style-control']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^arena: error: --style-control: .* refits the board from pair counts, which carry no style features; use arena rate --style-control on the battles instead\n$/);
    }
  });
});

describe('messages that name the way out', () => {
  it('whatif --method elo (pair counts keep no order), --bootstrap on replays, stability on data without timestamps', async () => {
    const scenarioFile = join(tempDir(), 's.json');
    writeFileSync(scenarioFile, JSON.stringify({ replications: 2, seed: 1, steps: [{ type: 'addVotes', model: A, votes: 10 }] }));
    const elo = await cli(['whatif', JAPANESE, '--scenario', scenarioFile, '--method', 'elo']);
    expect([elo.code, elo.stderr]).toEqual([2, 'arena: error: --method elo: whatif refits the board from pair counts, which keep no battle order, and online Elo depends on it; use Bradley–Terry (the default)\n']);
    const boot = await cli(['whatif', JAPANESE, '--scenario', scenarioFile, '--bootstrap', '10']);
    expect(boot.code).toBe(2);
    expect(boot.stderr).toMatch(/^arena: error: the refit at every replication takes sandwich intervals/);
    const st = await cli(['stability', JAPANESE]);
    expect(st.code).toBe(1);
    expect(st.stderr).toMatch(/sort by tstamp requires a tstamp on every row \(none has one\); use --sort input to replay the file order\n$/);
    const sw = await cli(['stability', JAPANESE, '--method', 'elo', '--ci-method', 'sandwich', '--sort', 'input']);
    expect(sw.stderr).toBe('arena: error: --ci-method sandwich needs a likelihood (--method bt); online Elo has intervals only from the bootstrap (--bootstrap N on rate, compare, matrix, report, plot)\n');
  });
});
