import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { readBattles } from '../../src/data/load.js';
import { tableFromBattles } from '../../src/data/table.js';
import { btCells, fitBradleyTerry } from '../../src/rating/bradley-terry.js';
import { compareTieModels, constantTieLogLikelihood } from '../../src/rating/compare-models.js';
import {
  fitDavidson,
  fitDavidsonMM,
  fitRaoKupper,
  fitRaoKupperMM,
  fitTieModel,
  type OutcomeModel,
  outcomeTerms,
  tieCells,
  tieLogLikelihood,
  tieSandwichCovariance,
} from '../../src/rating/tie-models.js';
import { createRng } from '../../src/rng.js';
import { type PlainBattle, toTable, wellPosed } from '../arbitraries.js';
import { FIXTURES } from '../helpers.js';
import { coordinateAscent, countCells, logLikelihood3 } from './independent-fits.js';

const MODELS: OutcomeModel[] = ['half', 'ignore', 'davidson', 'rao-kupper'];

const cellsOf = (bs: PlainBattle[], bothBad: 'tie' | 'separate' | 'ignore' = 'tie') => tieCells(aggregatePairs(toTable(bs)), bothBad);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

/** Two models, given counts: w wins of "a", l wins of "b", t ties. */
function twoModels(w: number, l: number, t: number, bb = 0) {
  return tableFromBattles([
    { modelA: 'a', modelB: 'b', outcome: 'a', count: w },
    { modelA: 'a', modelB: 'b', outcome: 'b', count: l },
    ...(t ? [{ modelA: 'a', modelB: 'b', outcome: 'tie' as const, count: t }] : []),
    ...(bb ? [{ modelA: 'a', modelB: 'b', outcome: 'bothbad' as const, count: bb }] : []),
  ]);
}

describe('outcomeTerms', () => {
  it('gives probabilities that sum to one (Davidson, Rao–Kupper)', () => {
    const out = new Float64Array(6);
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -5, max: 4, noNaN: true }), (d, e) => {
        for (const model of ['davidson', 'rao-kupper'] as const) {
          const eta = model === 'rao-kupper' ? Math.exp(e) : e; // κ > 0
          let total = 0;
          for (let o = 0; o < 3; o++) {
            outcomeTerms(model, d, eta, o, out);
            total += Math.exp(out[0]!);
          }
          expect(total).toBeCloseTo(1, 12);
        }
      }),
    );
  });

  it('matches the textbook probabilities at known values', () => {
    const out = new Float64Array(6);
    // Davidson: πi = 2, πj = 1, ν = 0.5 → D = 3 + 0.5·√2
    const D = 3 + 0.5 * Math.SQRT2;
    outcomeTerms('davidson', Math.log(2), Math.log(0.5), 0, out);
    expect(Math.exp(out[0]!)).toBeCloseTo(2 / D, 14);
    outcomeTerms('davidson', Math.log(2), Math.log(0.5), 2, out);
    expect(Math.exp(out[0]!)).toBeCloseTo((0.5 * Math.SQRT2) / D, 14);
    // Rao–Kupper: πi = 2, πj = 1, θ = 1.5 → P(i) = 2/3.5, P(j) = 1/4, P(tie) = (θ²−1)·2/(3.5·4)
    outcomeTerms('rao-kupper', Math.log(2), Math.log(1.5), 0, out);
    expect(Math.exp(out[0]!)).toBeCloseTo(2 / 3.5, 14);
    outcomeTerms('rao-kupper', Math.log(2), Math.log(1.5), 1, out);
    expect(Math.exp(out[0]!)).toBeCloseTo(1 / 4, 14);
    outcomeTerms('rao-kupper', Math.log(2), Math.log(1.5), 2, out);
    expect(Math.exp(out[0]!)).toBeCloseTo((1.25 * 2) / (3.5 * 4), 14);
  });

  it('has derivatives that agree with central finite differences', () => {
    const out = new Float64Array(6);
    const at = new Float64Array(6);
    const h = 1e-5;
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(...MODELS), fc.nat({ max: 2 }), (d, e, model, o) => {
        const eta = model === 'rao-kupper' ? Math.exp(e) : e;
        outcomeTerms(model, d, eta, o, out);
        const f = (dd: number, ee: number, k: number) => {
          outcomeTerms(model, dd, ee, o, at);
          return at[k]!;
        };
        const tol = (x: number) => 1e-5 * Math.max(1, Math.abs(x));
        expect(Math.abs(out[1]! - (f(d + h, eta, 0) - f(d - h, eta, 0)) / (2 * h))).toBeLessThan(tol(out[1]!));
        expect(Math.abs(out[2]! - (f(d, eta + h, 0) - f(d, eta - h, 0)) / (2 * h))).toBeLessThan(tol(out[2]!));
        expect(Math.abs(out[3]! + (f(d + h, eta, 1) - f(d - h, eta, 1)) / (2 * h))).toBeLessThan(tol(out[3]!));
        expect(Math.abs(out[4]! + (f(d, eta + h, 1) - f(d, eta - h, 1)) / (2 * h))).toBeLessThan(tol(out[4]!));
        expect(Math.abs(out[5]! + (f(d, eta + h, 2) - f(d, eta - h, 2)) / (2 * h))).toBeLessThan(tol(out[5]!));
      }),
    );
  });
});

describe('fitDavidson / fitRaoKupper: known values', () => {
  // two models fit the three outcome frequencies exactly (2 free parameters, 2 free frequencies)
  it('Davidson with two models: d = log(W/L), ν = T/√(W·L)', () => {
    const f = fitDavidson(tieCells(aggregatePairs(twoModels(30, 10, 20))));
    expect(f.converged).toBe(true);
    expect(f.theta[0]! - f.theta[1]!).toBeCloseTo(Math.log(3), 9);
    expect(f.nu).toBeCloseTo(20 / Math.sqrt(300), 9);
    expect(f.logLikelihood).toBeCloseTo(30 * Math.log(0.5) + 10 * Math.log(1 / 6) + 20 * Math.log(1 / 3), 9);
  });

  it('Rao–Kupper with two models: σ(d − κ) = W/n, σ(−d − κ) = L/n', () => {
    const f = fitRaoKupper(tieCells(aggregatePairs(twoModels(30, 10, 20))));
    expect(f.converged).toBe(true);
    expect(f.theta[0]! - f.theta[1]!).toBeCloseTo(Math.log(5) / 2, 9);
    expect(f.thetaRK).toBeCloseTo(Math.sqrt(5), 9);
  });

  it('the independent coordinate-ascent fits of ./independent-fits.ts reproduce both closed forms (checks the checker)', () => {
    const own = countCells(twoModels(30, 10, 20));
    const dv = coordinateAscent('davidson', own);
    expect(dv.theta[0]! - dv.theta[1]!).toBeCloseTo(Math.log(3), 6);
    expect(Math.exp(dv.eta)).toBeCloseTo(20 / Math.sqrt(300), 6);
    const rk = coordinateAscent('rao-kupper', own);
    expect(rk.theta[0]! - rk.theta[1]!).toBeCloseTo(Math.log(5) / 2, 6);
    expect(Math.exp(rk.eta)).toBeCloseTo(Math.sqrt(5), 6);
  });

  it('under --both-bad separate splits ties by share bb/t and keeps θ and ν', () => {
    const pcs = aggregatePairs(twoModels(30, 10, 20, 12));
    const tie = fitDavidson(tieCells(pcs, 'tie'));
    const sep = fitDavidson(tieCells(pcs, 'separate'));
    expect(sep.bothbadShare).toBeCloseTo(12 / 32, 14);
    expect(maxDiff(sep.theta, tie.theta)).toBeLessThan(1e-12);
    expect(sep.nu).toBeCloseTo(tie.nu, 12);
    expect(sep.logLikelihood - tie.logLikelihood).toBeCloseTo(12 * Math.log(12 / 32) + 20 * Math.log(20 / 32), 9);
    const ign = fitDavidson(tieCells(pcs, 'ignore'));
    expect(ign.nu).toBeCloseTo(20 / Math.sqrt(300), 9);
  });
});

describe('tie models: properties', () => {
  it('Newton and the MM iterations reach the same maximum (independent solvers)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }).chain((m) => wellPosed(m, 80)), (bs) => {
        const c = cellsOf(bs);
        for (const [newton, mm] of [
          [fitDavidson, fitDavidsonMM],
          [fitRaoKupper, fitRaoKupperMM],
        ] as const) {
          const a = newton(c, { tolerance: 1e-9 });
          const b = mm(c, { tolerance: 1e-12 });
          expect(a.converged).toBe(true);
          expect(Math.abs(a.logLikelihood - b.logLikelihood)).toBeLessThan(1e-7 * Math.max(1, Math.abs(a.logLikelihood)));
          expect(maxDiff(a.theta, b.theta)).toBeLessThan(1e-4);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('with zero ties Davidson and Rao–Kupper reduce to plain Bradley–Terry (ν = 0, θ = 1)', () => {
    const decided = fc.constantFrom<'a' | 'b'>('a', 'b');
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.tuple(fc.nat(), fc.nat(), decided), { minLength: 1, maxLength: 60 }), (m, raw) => {
        const names = Array.from({ length: m }, (_, i) => `m${i}`);
        // a ring of one win each way keeps the MLE finite
        const bs: PlainBattle[] = names.flatMap((n, i) => [
          { modelA: n, modelB: names[(i + 1) % m]!, outcome: 'a' as const },
          { modelA: n, modelB: names[(i + 1) % m]!, outcome: 'b' as const },
        ]);
        for (const [x, y, o] of raw) if (x % m !== y % m) bs.push({ modelA: names[x % m]!, modelB: names[y % m]!, outcome: o });
        const pc = aggregatePairs(toTable(bs));
        const bt = fitBradleyTerry(btCells(pc, 'half'), { tolerance: 1e-9 });
        const dv = fitDavidson(tieCells(pc), { tolerance: 1e-9 });
        const rk = fitRaoKupper(tieCells(pc), { tolerance: 1e-9 });
        expect(dv.nu).toBe(0);
        expect(rk.thetaRK).toBe(1);
        expect(maxDiff(dv.theta, bt.theta)).toBeLessThan(1e-9);
        expect(maxDiff(rk.theta, bt.theta)).toBeLessThan(1e-9);
        expect(dv.logLikelihood).toBeCloseTo(bt.logLikelihood, 9);
      }),
    );
  });

  it('as the tie count goes to zero, ν → 0 and the Davidson ratings approach Bradley–Terry', () => {
    const base = [
      { modelA: 'a', modelB: 'b', outcome: 'a' as const, count: 600 },
      { modelA: 'a', modelB: 'b', outcome: 'b' as const, count: 400 },
      { modelA: 'b', modelB: 'c', outcome: 'a' as const, count: 550 },
      { modelA: 'b', modelB: 'c', outcome: 'b' as const, count: 450 },
      { modelA: 'a', modelB: 'c', outcome: 'a' as const, count: 300 },
      { modelA: 'a', modelB: 'c', outcome: 'b' as const, count: 200 },
    ];
    const bt = fitBradleyTerry(btCells(aggregatePairs(tableFromBattles(base)), 'ignore'));
    let prevGap = Infinity;
    for (const ties of [100, 10, 1]) {
      const f = fitDavidson(tieCells(aggregatePairs(tableFromBattles([...base, { modelA: 'a', modelB: 'c', outcome: 'tie', count: ties }]))));
      const gap = maxDiff(f.theta, bt.theta);
      expect(gap).toBeLessThan(prevGap);
      prevGap = gap;
    }
    expect(prevGap).toBeLessThan(2e-3);
  });

  it('does not depend on seat order, and duplicating every battle leaves the estimate unchanged', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }).chain((m) => wellPosed(m, 40)), (bs) => {
        const flip = { a: 'b', b: 'a', tie: 'tie', bothbad: 'bothbad' } as const;
        const swapped = bs.map((x) => ({ modelA: x.modelB, modelB: x.modelA, outcome: flip[x.outcome] }));
        for (const model of ['davidson', 'rao-kupper'] as const) {
          const a = fitTieModel(model, cellsOf(bs), { tolerance: 1e-9 });
          const b = fitTieModel(model, cellsOf(swapped), { tolerance: 1e-9 });
          const c = fitTieModel(model, cellsOf([...bs, ...bs]), { tolerance: 1e-9 });
          expect(maxDiff(a.theta, b.theta)).toBeLessThan(1e-7);
          expect(maxDiff(a.theta, c.theta)).toBeLessThan(1e-7);
          expect(Math.abs(a.eta - c.eta)).toBeLessThan(1e-7);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('fits fractional (bootstrap-weighted) cells from a warm start to the same optimum as from zero', () => {
    const c = cellsOf([
      { modelA: 'a', modelB: 'b', outcome: 'a', count: 5 },
      { modelA: 'a', modelB: 'b', outcome: 'tie', count: 3 },
      { modelA: 'b', modelB: 'c', outcome: 'b', count: 4 },
      { modelA: 'c', modelB: 'a', outcome: 'bothbad', count: 2 },
      { modelA: 'c', modelB: 'a', outcome: 'a', count: 2 },
      { modelA: 'b', modelB: 'c', outcome: 'a', count: 1 },
      { modelA: 'a', modelB: 'b', outcome: 'b', count: 2 },
    ]);
    const rng = createRng(5);
    const w = { ...c, w: c.w.map((x) => x * (0.5 + rng())), l: c.l.map((x) => x * (0.5 + rng())), t: c.t.map((x) => x * (0.5 + rng())) };
    const full = fitDavidson(c);
    const cold = fitDavidson(w, { tolerance: 1e-9 });
    const warm = fitDavidson(w, { tolerance: 1e-9, init: full.theta, initEta: full.eta });
    expect(maxDiff(cold.theta, warm.theta)).toBeLessThan(1e-8);
    expect(warm.iterations).toBeLessThanOrEqual(cold.iterations);
  });
});

/** Inverse of a small symmetric positive-definite matrix (row-major) by Gauss–Jordan elimination with pivoting. */
function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, r) => [...row, ...Array.from({ length: n }, (_, c) => (c === r ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    [m[col], m[piv]] = [m[piv]!, m[col]!];
    const d = m[col]![col]!;
    for (let c = 0; c < 2 * n; c++) m[col]![c]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]!;
      for (let c = 0; c < 2 * n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row) => row.slice(n));
}

describe('tieSandwichCovariance', () => {
  it('two models (a saturated model, so B = H exactly): the delta-method covariance of d = log(W/L), η = log(T/√(W·L))', () => {
    // W, L, T ~ Multinomial(n, p): Var log X ≈ (1 − p_X)/(n·p_X), Cov(log X, log Y) ≈ −1/n, hence at
    // p = (W, L, T)/n: Var d = 1/W + 1/L, Var η = 1/T + 1/(4W) + 1/(4L), Cov(d, η) = 1/(2L) − 1/(2W); θ is
    // centred, θa = −θb = d/2. Davidson fits two models' frequencies exactly, so the
    // score outer product equals the information and the sandwich is this inverse information.
    for (const [W, L, T] of [
      [30, 10, 20],
      [7, 40, 3],
    ] as const) {
      const c = tieCells(aggregatePairs(twoModels(W, L, T)));
      const f = fitDavidson(c, { tolerance: 1e-12 });
      const { cov, n: k } = tieSandwichCovariance('davidson', c, f.theta, f.eta);
      expect(k).toBe(3);
      const varD = 1 / W + 1 / L;
      const varEta = 1 / T + 1 / (4 * W) + 1 / (4 * L);
      const covDEta = 1 / (2 * L) - 1 / (2 * W);
      expect(cov[0]).toBeCloseTo(varD / 4, 10); // Var θa
      expect(cov[1]).toBeCloseTo(-varD / 4, 10); // Cov(θa, θb)
      expect(cov[2]).toBeCloseTo(covDEta / 2, 10); // Cov(θa, η)
      expect(cov[2 * 3 + 2]).toBeCloseTo(varEta, 10);
    }
  });

  it('equals the inverse observed information (finite-difference Hessian, computed here) within 2% when the data follow the model', () => {
    // simulate from Davidson with 4 models, ν = 0.8
    const theta = [0.6, 0.2, -0.3, -0.5];
    const nu = 0.8;
    const rng = createRng(11);
    const bs: PlainBattle[] = [];
    for (let r = 0; r < 40000; r++) {
      const i = Math.floor(rng() * 4);
      let j = Math.floor(rng() * 3);
      if (j >= i) j++;
      const a = Math.exp((theta[i]! - theta[j]!) / 2);
      const b = 1 / a;
      const u = rng() * (a + b + nu);
      bs.push({ modelA: `m${i}`, modelB: `m${j}`, outcome: u < a ? 'a' : u < a + b ? 'b' : 'tie' });
    }
    const c = cellsOf(bs);
    const f = fitDavidson(c, { tolerance: 1e-9 });
    const { cov, n } = tieSandwichCovariance('davidson', c, f.theta, f.eta);
    expect(n).toBe(5);
    expect(f.nu).toBeGreaterThan(0.75);
    expect(f.nu).toBeLessThan(0.85);
    // Observed information by central finite differences of the test's own Davidson log-likelihood in free
    // parameters φ = (θ0, θ1, θ2, η), θ3 = −(θ0 + θ1 + θ2) (the centring constraint), inverted, then mapped to the
    // centred strengths by the Jacobian A of φ ↦ (θ0, θ1, θ2, θ3, η): Cov θ ≈ A·I(φ)⁻¹·Aᵀ.
    const own = countCells(toTable(bs));
    const ll = (phi: number[]) => logLikelihood3('davidson', own, [phi[0]!, phi[1]!, phi[2]!, -(phi[0]! + phi[1]! + phi[2]!)], phi[3]!);
    const at = [f.theta[0]!, f.theta[1]!, f.theta[2]!, f.eta];
    const h = 1e-3;
    const info = at.map((_, r) =>
      at.map((_, s) => {
        const e = (dr: number, ds: number) => ll(at.map((x, k) => x + (k === r ? dr : 0) + (k === s ? ds : 0)));
        return -(e(h, h) - e(h, -h) - e(-h, h) + e(-h, -h)) / (4 * h * h);
      }),
    );
    const ci = invert(info);
    const A = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [-1, -1, -1, 0],
      [0, 0, 0, 1],
    ];
    const modelCov = (r: number) => A[r]!.reduce((acc, x, p) => acc + x * A[r]!.reduce((acc2, y, q) => acc2 + ci[p]![q]! * y, 0), 0);
    // the model is correctly specified, so B ≈ H: sandwich SE / model SE − 1 is O(1/√battles): 2% = 4/√40000
    for (let v = 0; v < n; v++) {
      const sandwichSe = Math.sqrt(cov[v * n + v]!);
      const modelSe = Math.sqrt(modelCov(v));
      expect(Math.abs(sandwichSe / modelSe - 1)).toBeLessThan(0.02);
    }
    for (let v = 0; v < 4; v++) expect(Math.abs(f.theta[v]! - theta[v]!)).toBeLessThan(4 * Math.sqrt(cov[v * n + v]!));
  });
});

describe('compareTieModels', () => {
  it('reports like-with-like likelihoods: the ignore row is the MLE of BT + constant tie rate, so it beats half', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }).chain((m) => wellPosed(m, 60)), (bs) => {
        const c = cellsOf(bs);
        const rows = compareTieModels(c);
        const by = new Map(rows.map((r) => [r.model, r]));
        expect(by.get('ignore')!.logLikelihood).toBeGreaterThanOrEqual(by.get('half')!.logLikelihood - 1e-7);
        expect(Math.min(...rows.map((r) => r.deltaAic))).toBe(0);
        const dv = fitDavidson(c);
        expect(by.get('davidson')!.logLikelihood).toBeCloseTo(dv.logLikelihood, 8);
        for (const r of rows) expect(r.aic).toBeCloseTo(2 * r.parameters - 2 * r.logLikelihood, 6);
      }),
      { numRuns: 30 },
    );
  });

  it('constant-tie likelihood at a known value', () => {
    const c = tieCells(aggregatePairs(twoModels(30, 10, 20)));
    const theta = [Math.log(3) / 2, -Math.log(3) / 2];
    const tau = 20 / 60;
    expect(constantTieLogLikelihood(c, theta)).toBeCloseTo(30 * Math.log((1 - tau) * 0.75) + 10 * Math.log((1 - tau) * 0.25) + 20 * Math.log(tau), 10);
    expect(tieLogLikelihood('davidson', c, theta, Math.log(20 / Math.sqrt(300)))).toBeCloseTo(30 * Math.log(0.5) + 10 * Math.log(1 / 6) + 20 * Math.log(1 / 3), 10);
  });
});

const REAL = join(FIXTURES, 'data', 'chatbot-arena-20240814', 'battles.jsonl');
describe('real data (1.67M LMArena battles)', () => {
  it('Newton reaches the log-likelihood of the independent MM solver for Davidson and Rao–Kupper', async () => {
    const table = await readBattles([REAL]);
    const c = tieCells(aggregatePairs(table));
    const dv = fitDavidson(c);
    const dvMM = fitDavidsonMM(c, { tolerance: 1e-12 });
    const rk = fitRaoKupper(c);
    const rkMM = fitRaoKupperMM(c, { tolerance: 1e-12 });
    for (const [a, b] of [
      [dv, dvMM],
      [rk, rkMM],
    ] as const) {
      expect(a.converged && b.converged).toBe(true);
      expect(a.battles).toBe(1670250);
      expect(Math.abs(a.logLikelihood - b.logLikelihood) / a.battles).toBeLessThan(1e-12);
      expect(maxDiff(a.theta, b.theta)).toBeLessThan(1e-8);
    }
    // The values themselves, from a third, independent computation: the test's own pair counts, likelihood
    // formulas and coordinate-ascent optimiser (./independent-fits.ts; at the time of writing ν = 1.12252,
    // θ_RK = 2.15331, mean log-likelihoods −1.0585525 and −1.0582693).
    const own = countCells(table);
    expect(own.battles).toBe(1670250);
    const odv = coordinateAscent('davidson', own, { tolerance: 1e-8 });
    const ork = coordinateAscent('rao-kupper', own, { tolerance: 1e-8 });
    expect(odv.converged && ork.converged).toBe(true);
    expect(dv.nu).toBeCloseTo(Math.exp(odv.eta), 7);
    expect(rk.thetaRK).toBeCloseTo(Math.exp(ork.eta), 7);
    expect(maxDiff(dv.theta, odv.theta)).toBeLessThan(1e-6);
    expect(maxDiff(rk.theta, ork.theta)).toBeLessThan(1e-6);
    expect(Math.abs(dv.logLikelihood - odv.logLikelihood) / dv.battles).toBeLessThan(1e-11);
    expect(Math.abs(rk.logLikelihood - ork.logLikelihood) / rk.battles).toBeLessThan(1e-11);
  });
});

describe('refits without the closing log-likelihood pass (logLikelihood: false)', () => {
  it('Davidson and Bradley–Terry give the same estimate to the bit, with a NaN log-likelihood; the default still evaluates it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }).chain((m) => wellPosed(m, 60)), (bs) => {
        const c = cellsOf(bs);
        const full = fitTieModel('davidson', c, { prior: 0.01 });
        const lean = fitTieModel('davidson', c, { prior: 0.01, logLikelihood: false });
        expect(Array.from(lean.theta)).toEqual(Array.from(full.theta));
        expect(lean.eta).toBe(full.eta);
        if (Number.isFinite(full.eta)) {
          expect(lean.logLikelihood).toBeNaN();
          expect(full.logLikelihood).toBe(tieLogLikelihood('davidson', c, full.theta, full.eta));
        }
        const cells = btCells(aggregatePairs(toTable(bs)), 'half');
        const b1 = fitBradleyTerry(cells, { prior: 0.01 });
        const b2 = fitBradleyTerry(cells, { prior: 0.01, logLikelihood: false });
        expect(Array.from(b2.theta)).toEqual(Array.from(b1.theta));
        expect(b2.logLikelihood).toBeNaN();
        expect(Number.isFinite(b1.logLikelihood)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
