import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { coordinateAscent, countCells } from '../rating/independent-fits.js';
import { cli, jsonl, FIXTURES, tempDir, tempFile } from '../helpers.js';

const REAL = join(FIXTURES, 'data', 'chatbot-arena-20240814', 'battles.jsonl');
const small = () =>
  tempFile('s.jsonl', jsonl([
    { model_a: 'x', model_b: 'y', winner: 'model_a', count: 30 },
    { model_a: 'x', model_b: 'y', winner: 'model_b', count: 10 },
    { model_a: 'x', model_b: 'y', winner: 'tie', count: 12 },
    { model_a: 'x', model_b: 'y', winner: 'tie (bothbad)', count: 8 },
  ]));

describe('arena rate: tie models', () => {
  it('--ties davidson reports ν with an interval, sandwich intervals and the 3-outcome log-likelihood', async () => {
    const r = await cli(['rate', small(), '--ties', 'davidson', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.params).toMatchObject({ ties: 'davidson', bothBad: 'tie', ciMethod: 'sandwich' });
    const nu = j.fit.tieParameters.nu;
    expect(nu.value).toBeCloseTo(20 / Math.sqrt(300), 6);
    expect(nu.lower).toBeLessThan(nu.value);
    expect(nu.upper).toBeGreaterThan(nu.value);
    expect(j.fit.logLikelihood).toBeCloseTo((30 * Math.log(0.5) + 10 * Math.log(1 / 6) + 20 * Math.log(1 / 3)) / 60, 6);
    expect(j.models[0].model).toBe('x');
    expect(j.models[0].rating - j.models[1].rating).toBeCloseTo((400 / Math.log(10)) * Math.log(3), 4);
    for (const m of j.models) expect(m.lower).toBeLessThan(m.upper);
  });

  it('--both-bad separate adds the both-bad share; --both-bad ignore drops those battles', async () => {
    const f = small();
    const sep = JSON.parse((await cli(['rate', f, '--ties', 'rao-kupper', '--both-bad', 'separate', '--format', 'json'])).stdout);
    expect(sep.fit.tieParameters.bothbadShare.value).toBeCloseTo(8 / 20, 12);
    const ign = JSON.parse((await cli(['rate', f, '--ties', 'davidson', '--both-bad', 'ignore', '--format', 'json'])).stdout);
    expect(ign.battles).toBe(52);
    expect(ign.fit.tieParameters.nu.value).toBeCloseTo(12 / Math.sqrt(300), 6);
    const half = JSON.parse((await cli(['rate', f, '--both-bad', 'ignore', '--format', 'json'])).stdout);
    expect(half.models.reduce((a: number, m: { ties: number }) => a + m.ties, 0)).toBe(24);
  });

  it('keeps the half-win default unchanged (no tie parameters; the default sandwich intervals)', async () => {
    const f = small();
    const a = JSON.parse((await cli(['rate', f, '--format', 'json'])).stdout);
    const b = JSON.parse((await cli(['rate', f, '--both-bad', 'tie', '--format', 'json'])).stdout);
    expect(a.models).toEqual(b.models);
    expect(a.fit.tieParameters).toBeUndefined();
    expect(a.params.ciMethod).toBe('sandwich');
    expect(a.models[0].lower).toBeLessThan(a.models[0].rating);
    // two models, ties as half: gap = scale·log10((30+10)/(10+10))
    expect(a.models[0].rating - a.models[1].rating).toBeCloseTo(400 * Math.log10(2), 8);
  });

  it('rejects meaningless combinations with exit 2', async () => {
    const f = small();
    for (const args of [
      ['--method', 'elo', '--ties', 'davidson'],
      ['--both-bad', 'separate'],
      ['--compare-models', '--style-control'],
      ['--method', 'elo', '--compare-models'],
      ['--ties', 'thurstone'],
      ['--both-bad', 'maybe'],
      ['--style-prior', '-1'],
    ]) {
      const r = await cli(['rate', f, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('--style-control without style fields is bad input (exit 1, one line)', async () => {
    const r = await cli(['rate', small(), '--style-control']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--style-control: style control needs style fields/);
  });

  it('--compare-models prints the like-with-like comparison in every format', async () => {
    const f = small();
    const j = JSON.parse((await cli(['rate', f, '--compare-models', '--format', 'json'])).stdout);
    expect(j.comparison.map((r: { model: string }) => r.model)).toEqual(['half', 'ignore', 'davidson', 'rao-kupper']);
    // two models: Davidson and Rao–Kupper fit the three frequencies exactly; so does BT + constant tie rate
    const exact = 30 * Math.log(0.5) + 10 * Math.log(1 / 6) + 20 * Math.log(1 / 3);
    for (const m of ['ignore', 'davidson', 'rao-kupper']) expect(j.comparison.find((r: { model: string }) => r.model === m).logLikelihood).toBeCloseTo(exact, 6);
    expect(j.comparison[0].logLikelihood).toBeLessThan(exact);
    const csv = (await cli(['rate', f, '--compare-models', '--format', 'csv'])).stdout;
    expect(csv.split('\n')[0]).toBe('model,parameters,logLikelihood,meanLogLikelihood,nll,aic,bic,deltaAic,tieParameter,tieValue');
    const table = (await cli(['rate', f, '--compare-models'])).stdout;
    expect(table).toMatch(/rao-kupper/);
  });
});

describe('arena simulate → rate --style-control (round trip)', () => {
  it('removes a planted verbosity bonus and covers the planted coefficient', async () => {
    const dir = tempDir();
    const ratings = join(dir, 'r.json');
    const models = [['a', 1000], ['b', 1025], ['c', 1050], ['verbose', 1040], ['d', 1075], ['e', 1100]];
    await import('node:fs').then((fs) => fs.writeFileSync(ratings, JSON.stringify({ models: models.map(([model, rating]) => ({ model, rating })) })));
    const out = join(dir, 's.jsonl');
    const sim = await cli(['simulate', '--ratings', ratings, '--battles', '20000', '--seed', '7', '--style-effect', '0.8,0,0,0', '--verbosity', 'verbose=3', '--out', out]);
    expect(sim.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!).conv_metadata.header_count_b).toBeTypeOf('number');
    const plain = JSON.parse((await cli(['rate', out, '--format', 'json'])).stdout);
    // the simulator plants its effect per unit of FastChat 2024's (a−b)/(a+b+1), and that form's fixed ridge lets
    // the estimate reach it; LMArena's ridge (reg 1 on the mean log-likelihood) shrinks it, see tests/models/covariates.test.ts
    const styled = JSON.parse((await cli(['rate', out, '--style-control', '--style-form', 'fastchat-2024', '--format', 'json'])).stdout);
    const rankOf = (lb: { models: { model: string }[] }) => lb.models.findIndex((m) => m.model === 'verbose') + 1;
    expect(rankOf(styled)).toBeGreaterThan(rankOf(plain));
    const tok = styled.style.coefficients[0];
    expect(tok.feature).toBe('sum_assistant_tokens');
    expect(tok.perUnitLower).toBeLessThan(0.8);
    expect(tok.perUnitUpper).toBeGreaterThan(0.8);
    expect(styled.params).toMatchObject({ styleControl: true, styleForm: 'fastchat-2024', stylePrior: 0.5, ciMethod: 'sandwich' });
  });
});

describe('arena rate on the real 1.67M battles', () => {
  it('--compare-models ranks Rao–Kupper, then Davidson, above the constant-tie models', async () => {
    const j = JSON.parse((await cli(['rate', REAL, '--compare-models', '--format', 'json'])).stdout);
    const by = new Map(j.comparison.map((r: { model: string }) => [r.model, r]));
    expect(j.battles).toBe(1670250);
    // Expected values computed here independently of src/: the test's own pair counts, likelihoods and
    // coordinate-ascent fits (tests/rating/independent-fits.ts). `half` is LMArena's half-win BT fit completed by
    // a constant tie rate τ = ties / battles; `ignore` is BT on decided battles with the same τ. (At the time of
    // writing: Davidson −1.0585525, half −1.064455 per battle.)
    const own = countCells(await readBattles([REAL]));
    const N = own.battles;
    const dv = coordinateAscent('davidson', own, { tolerance: 1e-8 });
    const rk = coordinateAscent('rao-kupper', own, { tolerance: 1e-8 });
    const tau = own.t.reduce((a, b) => a + b, 0) / N;
    const constantTie = (theta: ArrayLike<number>) =>
      own.i.reduce((ll, i, k) => {
        const d = theta[i]! - theta[own.j[k]!]!;
        return ll + own.w[k]! * (Math.log1p(-tau) - Math.log1p(Math.exp(-d))) + own.l[k]! * (Math.log1p(-tau) - Math.log1p(Math.exp(d))) + own.t[k]! * Math.log(tau);
      }, 0);
    const half = constantTie(coordinateAscent('bt-half', own, { tolerance: 1e-8 }).theta);
    const ignore = constantTie(coordinateAscent('bt-half', { ...own, t: own.t.map(() => 0) }, { tolerance: 1e-8 }).theta);
    const mean = (model: string) => (by.get(model) as { meanLogLikelihood: number }).meanLogLikelihood;
    expect(mean('davidson')).toBeCloseTo(dv.logLikelihood / N, 9);
    expect(mean('rao-kupper')).toBeCloseTo(rk.logLikelihood / N, 9);
    expect(mean('half')).toBeCloseTo(half / N, 9);
    expect(mean('ignore')).toBeCloseTo(ignore / N, 9);
    // Rao–Kupper has the largest likelihood and as many parameters as Davidson, so the smallest AIC
    expect(rk.logLikelihood).toBeGreaterThan(Math.max(dv.logLikelihood, half, ignore));
    expect(dv.logLikelihood).toBeGreaterThan(Math.max(half, ignore));
    expect((by.get('rao-kupper') as { deltaAic: number }).deltaAic).toBe(0);
  });
});

describe('arena rate --bootstrap with tie models and style control', () => {
  /** A simulated board of `battles` battles with a planted verbosity bonus (made once per size). */
  const boards = new Map<number, Promise<string>>();
  const board = (battles = 8000) => {
    if (!boards.has(battles)) {
      boards.set(
        battles,
        (async () => {
          const dir = tempDir();
          const ratings = join(dir, 'r.json');
          const models = [['a', 1000], ['b', 1025], ['c', 1050], ['verbose', 1040], ['d', 1075], ['e', 1100]];
          writeFileSync(ratings, JSON.stringify({ models: models.map(([model, rating]) => ({ model, rating })) }));
          const out = join(dir, 's.jsonl');
          const sim = await cli(['simulate', '--ratings', ratings, '--battles', String(battles), '--seed', '11', '--style-effect', '0.8,0,0,0', '--verbosity', 'verbose=3', '--out', out]);
          expect(sim.code).toBe(0);
          return out;
        })(),
      );
    }
    return boards.get(battles)!;
  };
  type Row = { model: string; rating: number; lower: number; upper: number; rankLower: number; rankUpper: number; rank: number };
  const json = async (args: string[], battles = 8000) => {
    const r = await cli(['rate', await board(battles), ...args, '--format', 'json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('same seed ⇒ identical JSON whatever the thread count; another seed differs; params echo the uncertainty options', async () => {
    for (const extra of [['--ties', 'davidson'], ['--style-control', '--ties', 'rao-kupper']]) {
      const a = await json([...extra, '--bootstrap', '20', '--seed', '5', '--threads', '1']);
      const b = await json([...extra, '--bootstrap', '20', '--seed', '5', '--threads', '2']);
      const c = await json([...extra, '--bootstrap', '20', '--seed', '6', '--threads', '1']);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      expect(c.models[0].lower).not.toBe(a.models[0].lower);
      expect(a.params).toMatchObject({ ciMethod: 'bootstrap', bootstrap: 20, ci: 0.95, seed: 5 });
    }
  });

  it('lower ≤ rating ≤ upper for ratings, tie parameter and style coefficients; rank bounds bracket the rank', async () => {
    const j = await json(['--style-control', '--ties', 'davidson', '--bootstrap', '40', '--ci', '0.9']);
    for (const m of j.models as Row[]) {
      expect(m.lower).toBeLessThanOrEqual(m.rating);
      expect(m.rating).toBeLessThanOrEqual(m.upper);
      expect(m.lower).toBeLessThan(m.upper);
      expect(m.rankLower).toBeLessThanOrEqual(m.rank);
      expect(m.rank).toBeLessThanOrEqual(m.rankUpper);
    }
    const nu = j.fit.tieParameters.nu;
    expect(nu.lower).toBeLessThanOrEqual(nu.value);
    expect(nu.value).toBeLessThanOrEqual(nu.upper);
    expect(j.style.intervals).toBe('bootstrap');
    for (const c of j.style.coefficients) {
      expect(c.lower).toBeLessThanOrEqual(c.coefficient);
      expect(c.coefficient).toBeLessThanOrEqual(c.upper);
      expect(c.perUnitLower).toBeCloseTo(c.lower / c.sd, 12);
    }
    // the text output names the bootstrap
    const text = (await cli(['rate', await board(), '--style-control', '--bootstrap', '10', '--quiet'])).stdout;
    expect(text).toMatch(/Style coefficients \(log-odds per SD of the feature, 95% bootstrap percentile intervals, 10 rounds/);
  });

  // Monte-Carlo error of a percentile half-width h = (q̂_.975 − q̂_.025)/2 over R rounds, for a near-normal
  // statistic with SD σ: Var q̂_p ≈ p(1−p)/(R·f(q_p)²) with f(q_.025) = φ(1.96)/σ, and Cov(q̂_.025, q̂_.975) ≈
  // .025²/(R·f²), so SD(h) ≈ √(.025·.95/2)/φ(1.96)·σ/√R ≈ 1.86σ/√R, i.e. ≈ 0.95/√R relative to h ≈ 1.96σ.
  // Allowed: 4 of those plus 2% for the O(1/n) bootstrap–sandwich difference (≥ 1,000 battles per model).
  const halfWidthTolerance = (rounds: number) => (4 * 0.95) / Math.sqrt(rounds) + 0.02;

  it('bootstrap and sandwich half-widths agree within the Monte-Carlo error (Davidson; style control with its coefficients)', async () => {
    const half = (x: { lower: number; upper: number }) => (x.upper - x.lower) / 2;
    // Davidson: 3,000 rounds (within 8.9%) on the 8,000-battle board; style control, whose rounds refit on every
    // row, 500 rounds (within 19%) on a 3,000-battle board — tests/stats/tie-style-rounds.test.ts checks the style
    // SDs more tightly (800 rounds, 12%)
    for (const [extra, rounds, battles] of [
      [['--ties', 'davidson'], 3000, 8000],
      [['--style-control'], 500, 3000],
    ] as const) {
      const tol = halfWidthTolerance(rounds);
      const b = await json([...extra, '--bootstrap', String(rounds), '--seed', '1'], battles);
      const s = await json([...extra, '--ci-method', 'sandwich'], battles);
      expect(s.params).toMatchObject({ ciMethod: 'sandwich' });
      expect(b.params).toMatchObject({ ciMethod: 'bootstrap', bootstrap: rounds });
      expect(s.models.map((m: Row) => m.rating)).toEqual(b.models.map((m: Row) => m.rating));
      for (let v = 0; v < b.models.length; v++) {
        const ratio = half(b.models[v]) / half(s.models[v]);
        expect(Math.abs(ratio - 1), `${extra.join(' ')} ${b.models[v].model}`).toBeLessThan(tol);
      }
      if (extra[0] === '--ties') {
        const ratio = half(b.fit.tieParameters.nu) / half(s.fit.tieParameters.nu);
        expect(Math.abs(ratio - 1)).toBeLessThan(tol);
      } else {
        const ratio = half(b.style.coefficients[0]) / half(s.style.coefficients[0]);
        expect(Math.abs(ratio - 1)).toBeLessThan(tol);
      }
    }
  });

  it('the planted verbosity coefficient is inside its bootstrap interval', async () => {
    const j = await json(['--style-control', '--style-form', 'fastchat-2024', '--bootstrap', '60', '--seed', '2']);
    const tok = j.style.coefficients[0];
    expect(tok.feature).toBe('sum_assistant_tokens');
    expect(tok.perUnitLower).toBeLessThan(0.8);
    expect(tok.perUnitUpper).toBeGreaterThan(0.8);
    // and the other (unplanted) coefficients cover 0 at 95%… at least most of them
    const cover0 = j.style.coefficients.slice(1).filter((c: { lower: number; upper: number }) => c.lower < 0 && c.upper > 0).length;
    expect(cover0).toBeGreaterThanOrEqual(2);
  });

  it('--ci-method sandwich with --bootstrap R keeps sandwich intervals and adds the rank distribution', async () => {
    const s = await json(['--ties', 'davidson', '--ci-method', 'sandwich']);
    const r = await json(['--ties', 'davidson', '--ci-method', 'sandwich', '--bootstrap', '20', '--rank-distribution']);
    expect(r.params).toMatchObject({ ciMethod: 'sandwich', bootstrap: 20 });
    expect(r.fit.tieParameters).toEqual(s.fit.tieParameters);
    for (let v = 0; v < r.models.length; v++) {
      expect(r.models[v].lower).toBe(s.models[v].lower);
      const total = r.models[v].rankDistribution.reduce((a: number, x: { probability: number }) => a + x.probability, 0);
      expect(total).toBeCloseTo(1, 12);
    }
  });
});
