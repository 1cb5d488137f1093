import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { leaguePolicy } from '../../src/sim/league.js';
import { bootstrapJobOf, rateWithIntervals } from '../../src/stats/uncertainty.js';
import { type BootstrapJob, jobHasControl, SPARSE_CONTROL_MAX_MODELS } from '../../src/stats/bootstrap-rounds.js';
import { compareModels } from '../../src/stats/compare.js';
import { type BothBadPolicy, fitTieModel, outcomeTerms, sandwichFromParts, tieCells, type TieModel, tieSandwichCovariance } from '../../src/rating/tie-models.js';
import { fitTieModelSparse, tieSparseSandwich } from '../../src/rating/tie-sparse.js';
import { compareTieModels } from '../../src/rating/compare-models.js';
import { toTable, type PlainBattle } from '../arbitraries.js';
import { cli, jsonl, tempFile } from '../helpers.js';

/** A league board of m models (sparse graph, ~k opponents each) with n battles, ties and both-bad ties drawn. */
function league(m: number, k: number, n: number, seed: number) {
  const truth = { models: Array.from({ length: m }, (_, v) => `m${String(v).padStart(3, '0')}`), ratings: Float64Array.from({ length: m }, (_, v) => 1000 + 400 * Math.sin(v * 1.7 + seed)) };
  return simulateTable(truth, n, {}, createRng(seed), leaguePolicy(truth.ratings, k, createRng(seed + 1)));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let v = 0; v < a.length; v++) d = Math.max(d, Math.abs(a[v]! - b[v]!));
  return d;
};

/** Rating points per natural unit on the 400/10 scale. */
const PPL = 400 / Math.LN10;

const MODELS: TieModel[] = ['davidson', 'rao-kupper'];
const POLICIES: BothBadPolicy[] = ['tie', 'separate', 'ignore'];

describe('fitTieModelSparse: the dense tie fit by bordered conjugate gradients', () => {
  const t = league(90, 8, 20_000, 7);
  const pc = aggregatePairs(t);
  for (const model of MODELS) {
    for (const bothBad of POLICIES) {
      it(`${model}, both-bad ${bothBad}: θ to 1e-6 points and η to 1e-8, the same likelihood`, () => {
        const c = tieCells(pc, bothBad === 'ignore' ? 'tie' : bothBad);
        const cells = bothBad === 'ignore' ? tieCells({ ...pc, bothbad: new Float64Array(pc.pairs) }, 'tie') : c;
        const d = fitTieModel(model, cells);
        const s = fitTieModelSparse(model, cells);
        expect(d.converged && s.converged).toBe(true);
        expect(maxDiff(s.theta, d.theta) * PPL).toBeLessThan(1e-6);
        expect(Math.abs(s.eta - d.eta)).toBeLessThan(1e-8);
        expect(Math.abs(s.logLikelihood - d.logLikelihood)).toBeLessThan(1e-6);
        expect(s.bothbadShare).toBe(d.bothbadShare);
        expect(s.cgIterations).toBeGreaterThan(0);
        // the board is not trivial: ratings spread over hundreds of points, a real tie parameter
        expect(Math.max(...d.theta) - Math.min(...d.theta)).toBeGreaterThan(3);
        expect(d.tie).toBeGreaterThan(model === 'davidson' ? 0.1 : 1.1);
      });
    }
  }
  it('a ridge prior, a warm start elsewhere and the no-tie boundary (Bradley–Terry) agree too', () => {
    const c = tieCells(pc, 'tie');
    for (const model of MODELS) {
      const init = Float64Array.from({ length: c.m }, (_, v) => Math.cos(v));
      const opts = { prior: 0.3, init, initEta: model === 'davidson' ? -2 : 1.5 };
      const d = fitTieModel(model, c, opts);
      const s = fitTieModelSparse(model, c, opts);
      expect(maxDiff(s.theta, d.theta) * PPL).toBeLessThan(1e-6);
      expect(Math.abs(s.eta - d.eta)).toBeLessThan(1e-8);
      const noTies = { ...c, t: new Float64Array(c.pairs), bb: new Float64Array(c.pairs) };
      const db = fitTieModel(model, noTies);
      const sb = fitTieModelSparse(model, noTies);
      expect(sb.eta).toBe(db.eta);
      expect(sb.tie).toBe(db.tie);
      expect(maxDiff(sb.theta, db.theta) * PPL).toBeLessThan(1e-6);
    }
  });
  it('--compare-models (compareTieModels) with the sparse solver: the same log-likelihoods and tie parameters', () => {
    const c = tieCells(pc, 'separate');
    const d = compareTieModels(c, { solver: 'dense' });
    const s = compareTieModels(c, { solver: 'sparse' });
    expect(s.map((r) => r.model)).toEqual(d.map((r) => r.model));
    s.forEach((r, q) => {
      expect(Math.abs(r.logLikelihood - d[q]!.logLikelihood)).toBeLessThan(1e-6);
      expect(Math.abs(r.tieParameter.value - d[q]!.tieParameter.value)).toBeLessThan(1e-8);
      expect(r.converged).toBe(true);
    });
    // the models differ: the comparison is not between identical rows
    expect(Math.abs(d[2]!.logLikelihood - d[3]!.logLikelihood)).toBeGreaterThan(1);
  });
  it('takes the dense fit\'s Newton steps: the same number of iterations', () => {
    // a Newton matrix without its θη border (θ and η solved apart) would still reach the optimum, but linearly, in
    // more steps than the bordered Newton of the dense path
    const c = tieCells(pc, 'tie');
    for (const model of MODELS) {
      const d = fitTieModel(model, c);
      const s = fitTieModelSparse(model, c);
      expect(Math.abs(s.iterations - d.iterations)).toBeLessThanOrEqual(1);
    }
  });
});

describe('fitTieModelSparse and tieSparseSandwich on random small boards (property)', () => {
  it('agree with the dense fit and sandwich for both models, any both-bad policy and a ridge prior', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<TieModel>('davidson', 'rao-kupper'),
        fc.constantFrom<BothBadPolicy>('tie', 'separate'),
        fc.integer({ min: 3, max: 7 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 4 * 21, maxLength: 4 * 21 }),
        fc.constantFrom(0.05, 0.5),
        (model, bothBad, m, raw, prior) => {
          const pi: number[] = [];
          const pj: number[] = [];
          for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) (pi.push(i), pj.push(j));
          const K = pi.length;
          const w = Float64Array.from({ length: K }, (_, k) => raw[4 * k]! + 1);
          const l = Float64Array.from({ length: K }, (_, k) => raw[4 * k + 1]!);
          const bb = Float64Array.from({ length: K }, (_, k) => (bothBad === 'separate' ? raw[4 * k + 3]! : 0));
          const t = Float64Array.from({ length: K }, (_, k) => raw[4 * k + 2]! + bb[k]! + (k === 0 ? 1 : 0));
          const c = { m, pairs: K, i: Int32Array.from(pi), j: Int32Array.from(pj), w, l, t, bb, bothBad };
          const d = fitTieModel(model, c, { prior });
          const s = fitTieModelSparse(model, c, { prior });
          expect(d.converged && s.converged).toBe(true);
          expect(maxDiff(s.theta, d.theta) * PPL).toBeLessThan(1e-6);
          expect(Math.abs(s.eta - d.eta)).toBeLessThan(1e-8);
          const dense = tieSandwichCovariance(model, c, d.theta, d.eta, prior);
          const sparse = tieSparseSandwich(model, c, d.theta, d.eta, prior).matrix();
          expect(maxDiff(sparse, dense.cov) * PPL * PPL).toBeLessThan(1e-6);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('tieSparseSandwich: the dense tie sandwich entry by entry', () => {
  const t = league(70, 8, 15_000, 11);
  const pc = aggregatePairs(t);
  for (const model of MODELS) {
    for (const bothBad of ['tie', 'separate'] as const) {
      it(`${model}, both-bad ${bothBad}: variances of θ and η, a covariance and the whole matrix to 1e-6 points²`, () => {
        const c = tieCells(pc, bothBad);
        const f = fitTieModel(model, c);
        const dense = tieSandwichCovariance(model, c, f.theta, f.eta);
        const s = tieSparseSandwich(model, c, f.theta, f.eta);
        const n = dense.n;
        expect(s.n).toBe(n);
        for (const p of [0, 5, 33, c.m - 1, c.m]) {
          const dv = dense.cov[p * n + p]!;
          expect(Math.abs(Math.sqrt(s.entry(p, p)) - Math.sqrt(dv)) * PPL).toBeLessThan(1e-6);
        }
        expect(Math.abs(s.entry(3, 40) - dense.cov[3 * n + 40]!) * PPL * PPL).toBeLessThan(1e-6);
        expect(Math.abs(s.entry(9, c.m) - dense.cov[9 * n + c.m]!) * PPL).toBeLessThan(1e-6);
        expect(maxDiff(s.matrix(), dense.cov) * PPL * PPL).toBeLessThan(1e-6);
      });
    }
  }
  it('a model-based variance (J replaced by H) or a sandwich without the θη border would fail the comparison', () => {
    // the dense H and J built here from outcomeTerms, then the two plausible mistakes formed densely
    for (const model of MODELS) {
      const c = tieCells(pc, 'tie');
      const f = fitTieModel(model, c);
      const m = c.m;
      const n = m + 1;
      const h = new Float64Array(n * n);
      const j = new Float64Array(n * n);
      const out = new Float64Array(6);
      for (let k = 0; k < c.pairs; k++) {
        const a = c.i[k]!;
        const b = c.j[k]!;
        for (let o = 0; o < 3; o++) {
          const cnt = o === 0 ? c.w[k]! : o === 1 ? c.l[k]! : c.t[k]!;
          if (!cnt) continue;
          outcomeTerms(model, f.theta[a]! - f.theta[b]!, f.eta, o, out);
          const add = (mat: Float64Array, dd: number, de: number, ee: number) => {
            mat[a * n + a]! += dd;
            mat[b * n + b]! += dd;
            mat[a * n + b]! -= dd;
            mat[b * n + a]! -= dd;
            mat[a * n + m]! += de;
            mat[m * n + a]! += de;
            mat[b * n + m]! -= de;
            mat[m * n + b]! -= de;
            mat[m * n + m]! += ee;
          };
          add(h, cnt * out[3]!, cnt * out[4]!, cnt * out[5]!);
          add(j, cnt * out[1]! * out[1]!, cnt * out[1]! * out[2]!, cnt * out[2]! * out[2]!);
        }
      }
      const dense = tieSandwichCovariance(model, c, f.theta, f.eta).cov;
      const right = sandwichFromParts(Float64Array.from(h), Float64Array.from(j), n, m);
      expect(maxDiff(right, dense)).toBeLessThan(1e-12);
      const modelBased = sandwichFromParts(Float64Array.from(h), Float64Array.from(h), n, m);
      const noBorder = Float64Array.from(h);
      for (let v = 0; v < m; v++) noBorder[v * n + m] = noBorder[m * n + v] = 0;
      const borderless = sandwichFromParts(noBorder, Float64Array.from(j), n, m);
      const s = tieSparseSandwich(model, c, f.theta, f.eta);
      const sd = (cov: Float64Array | ((v: number) => number), v: number) => Math.sqrt(typeof cov === 'function' ? cov(v) : cov[v * n + v]!) * PPL;
      let worstRight = 0;
      let worstModel = 0;
      let worstBorder = 0;
      for (let v = 0; v < m; v += 7) {
        const got = sd((q) => s.entry(q, q), v);
        worstRight = Math.max(worstRight, Math.abs(got - sd(dense, v)));
        worstModel = Math.max(worstModel, Math.abs(sd(modelBased, v) - sd(dense, v)));
        worstBorder = Math.max(worstBorder, Math.abs(sd(borderless, v) - sd(dense, v)));
      }
      expect(worstRight).toBeLessThan(1e-6);
      expect(worstModel).toBeGreaterThan(1e-3);
      expect(worstBorder).toBeGreaterThan(1e-3);
    }
  });
});

describe('--solver sparse with --ties davidson|rao-kupper: the same boards', () => {
  const t = league(120, 10, 30_000, 3);
  for (const ties of MODELS) {
    it(`${ties}: ratings, sandwich intervals and the tie parameter's interval to 1e-6, plain and anchored`, async () => {
      for (const anchor of [null, { model: 'm007', rating: 1234 }]) {
        const d = await rateWithIntervals(t, { ties, solver: 'dense', anchor });
        const s = await rateWithIntervals(t, { ties, solver: 'sparse', anchor });
        expect(d.point.kind === 'tie' && d.point.solver).toBe('dense');
        expect(s.point.kind === 'tie' && s.point.solver).toBe('sparse');
        expect(maxDiff(s.point.ratings, d.point.ratings)).toBeLessThan(1e-6);
        expect(maxDiff(s.intervals!.lower, d.intervals!.lower)).toBeLessThan(1e-6);
        expect(maxDiff(s.intervals!.upper, d.intervals!.upper)).toBeLessThan(1e-6);
        expect(d.intervals!.upper[0]! - d.intervals!.lower[0]!).toBeGreaterThan(10);
        const key = ties === 'davidson' ? 'nu' : 'theta';
        const dp = d.point.fit.tieParameters![key]!;
        const sp = s.point.fit.tieParameters![key]!;
        expect(Math.abs(sp.value - dp.value)).toBeLessThan(1e-8);
        expect(Math.abs(sp.lower! - dp.lower!)).toBeLessThan(1e-8);
        expect(Math.abs(sp.upper! - dp.upper!)).toBeLessThan(1e-8);
      }
    });
  }
  it('a gap\'s sandwich interval (compare) to 1e-6 points', async () => {
    const a = t.models.indexOf('m001');
    const b = t.models.indexOf('m050');
    const d = compareModels(await rateWithIntervals(t, { ties: 'davidson', solver: 'dense' }), a, b, { scale: 400, base: 10 });
    const s = compareModels(await rateWithIntervals(t, { ties: 'davidson', solver: 'sparse' }), a, b, { scale: 400, base: 10 });
    expect(Math.abs(s.gap.lower! - d.gap.lower!)).toBeLessThan(1e-6);
    expect(Math.abs(s.gap.upper! - d.gap.upper!)).toBeLessThan(1e-6);
    expect(d.gap.upper! - d.gap.lower!).toBeGreaterThan(1);
  });
  it('bootstrap rounds refit sparse: the dense rounds\' intervals (control-variate and plain quantiles) to 1e-6 points, whatever the thread count', async () => {
    for (const ties of MODELS) {
      for (const bootstrapQuantiles of ['control', 'plain'] as const) {
        const d = await rateWithIntervals(t, { ties, solver: 'dense' }, { rounds: 12, seed: 5, bootstrapQuantiles, threads: 1 });
        const s = await rateWithIntervals(t, { ties, solver: 'sparse' }, { rounds: 12, seed: 5, bootstrapQuantiles, threads: 2 });
        expect((bootstrapJobOf(s.point) as { solver?: string }).solver).toBe('sparse');
        expect((bootstrapJobOf(d.point) as { solver?: string }).solver ?? 'dense').toBe('dense');
        expect(maxDiff(s.dist!.ratings, d.dist!.ratings)).toBeLessThan(1e-6);
        expect(maxDiff(s.intervals!.lower, d.intervals!.lower)).toBeLessThan(1e-6);
        expect(maxDiff(s.intervals!.upper, d.intervals!.upper)).toBeLessThan(1e-6);
        expect(maxDiff(s.dist!.extra!, d.dist!.extra!)).toBeLessThan(1e-8);
        const s1 = await rateWithIntervals(t, { ties, solver: 'sparse' }, { rounds: 12, seed: 5, bootstrapQuantiles, threads: 1 });
        expect([...s1.dist!.ratings]).toEqual([...s.dist!.ratings]);
      }
    }
  });
  it('control variates on sparse rounds only up to SPARSE_CONTROL_MAX_MODELS models (the dense inverse), as for Bradley–Terry', () => {
    const job = { kind: 'tie', models: SPARSE_CONTROL_MAX_MODELS, solver: 'sparse' } as unknown as BootstrapJob;
    expect(jobHasControl(job)).toBe(true);
    expect(jobHasControl({ ...job, models: SPARSE_CONTROL_MAX_MODELS + 1 } as BootstrapJob)).toBe(false);
    expect(jobHasControl({ ...job, models: SPARSE_CONTROL_MAX_MODELS + 1, solver: undefined } as BootstrapJob)).toBe(true);
  });
  it('disconnected parts (the automatic ridge prior) and weighted data, under each both-bad policy', async () => {
    const bs: PlainBattle[] = [];
    for (let v = 0; v < 6; v++) {
      const p = v < 3 ? 'x' : 'y';
      const other = `${p}${((v + 1) % 3) + (v < 3 ? 0 : 3)}`;
      bs.push({ modelA: `${p}${v}`, modelB: other, outcome: 'a', count: 3 + v }, { modelA: `${p}${v}`, modelB: other, outcome: 'b', count: 2 }, { modelA: `${p}${v}`, modelB: other, outcome: 'tie', count: 2 }, { modelA: `${p}${v}`, modelB: other, outcome: 'bothbad', count: 1 + (v % 2) });
    }
    bs.push({ modelA: 'x0', modelB: 'lonely', outcome: 'a', count: 4 });
    for (const ties of MODELS) {
      for (const bothBad of POLICIES) {
        for (const reweight of [null, { floor: 2 }]) {
          const d = await rateWithIntervals(toTable(bs), { ties, bothBad, solver: 'dense', reweight });
          const s = await rateWithIntervals(toTable(bs), { ties, bothBad, solver: 'sparse', reweight });
          expect(s.point.fit.prior).toBe(0.01);
          expect(maxDiff(s.point.ratings, d.point.ratings)).toBeLessThan(1e-6);
          expect(maxDiff(s.intervals!.lower, d.intervals!.lower)).toBeLessThan(1e-6);
          expect(maxDiff(s.intervals!.upper, d.intervals!.upper)).toBeLessThan(1e-6);
        }
      }
    }
  });
});

describe('arena rate --ties davidson --solver sparse', () => {
  const f = tempFile('tie-solver.jsonl', jsonl([
    { model_a: 'a', model_b: 'b', winner: 'model_a', count: 5 },
    { model_a: 'a', model_b: 'b', winner: 'model_b', count: 2 },
    { model_a: 'a', model_b: 'b', winner: 'tie', count: 2 },
    { model_a: 'b', model_b: 'c', winner: 'model_a', count: 4 },
    { model_a: 'b', model_b: 'c', winner: 'model_b', count: 1 },
    { model_a: 'c', model_b: 'a', winner: 'model_a', count: 1 },
    { model_a: 'c', model_b: 'a', winner: 'model_b', count: 3 },
    { model_a: 'c', model_b: 'b', winner: 'tie', count: 3 },
    { model_a: 'c', model_b: 'b', winner: 'tie (bothbad)', count: 2 },
  ]));
  for (const ties of MODELS) {
    it(`${ties}: dense and sparse print the same board (sandwich intervals) and the same text table`, async () => {
      const d = await cli(['rate', f, '--format', 'json', '--ties', ties, '--solver', 'dense']);
      const s = await cli(['rate', f, '--format', 'json', '--ties', ties, '--solver', 'sparse']);
      expect(d.code).toBe(0);
      expect(s.code).toBe(0);
      const rd = JSON.parse(d.stdout).models;
      const rs = JSON.parse(s.stdout).models;
      expect(rs.length).toBe(3);
      rd.forEach((row: { model: string; rating: number; lower: number; upper: number }, q: number) => {
        expect(rs[q].model).toBe(row.model);
        expect(Math.abs(rs[q].rating - row.rating)).toBeLessThan(1e-6);
        expect(Math.abs(rs[q].lower - row.lower)).toBeLessThan(1e-6);
        expect(Math.abs(rs[q].upper - row.upper)).toBeLessThan(1e-6);
      });
      const td = await cli(['rate', f, '--ties', ties, '--solver', 'dense']);
      const ts = await cli(['rate', f, '--ties', ties, '--solver', 'sparse']);
      expect(ts.stdout).toBe(td.stdout);
    });
  }
  it('--solver sparse with style control is still a usage error (exit 2) naming what it covers', async () => {
    const r = await cli(['rate', f, '--ties', 'davidson', '--style-control', '--solver', 'sparse']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--solver sparse' covers Bradley–Terry and the tie models/);
  });
});
