import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { type BattleTable, tableFromBattles } from '../../src/data/table.js';
import { fitModel } from '../../src/models/index.js';
import type { CovariateModelFit, ModelOptions } from '../../src/models/types.js';
import { createRng } from '../../src/rng.js';
import { addIntervals, DEFAULT_INTERVALS } from '../../src/stats/uncertainty.js';
import { modelFor } from '../../src/models/index.js';

/*
 * An independent, plain contextual Bradley–Terry solver, written from scratch on per-battle rows (a row of count c
 * is expanded into c battles): it computes its own style features from the raw counts, standardises them, forms
 * the pair weights and maximises
 *   F(θ, β) = Σ_i w_i·[y_i·d_i − log(1 + e^{d_i})] − λθ/2·‖θ‖² − λβ/2·‖β‖²,   d_i = θ_a − θ_b + β·x_i,
 * y = 1 / 0 / ½ (tie), by Newton's method on a dense matrix with step halving. `lmarena`: x = (a − b)/(a + b)
 * (0 when both are 0) and λβ = reg·N (the reg of arena-rank's mean loss); `fastchat-2024`: (a − b)/(a + b + 1) and
 * λβ as given. Without a θ ridge the translation of θ is fixed by a ½(Σθ)² term (which leaves the likelihood's
 * optimum unchanged). It shares no code with src/ beyond the data it is given.
 */
interface PlainRow {
  a: number;
  b: number;
  y: number;
  /** Raw per-battle values (already a difference, or a covariate). */
  x: number[];
  /** The battle's own weight (the `weight` field; 1 when absent). */
  w0?: number;
}

interface PlainOptions {
  models: number;
  reg: number;
  /** 'mean': λβ = reg·N; 'sum': λβ = reg. */
  regScale: 'mean' | 'sum';
  floor: number | null;
  thetaPrior: number;
}

function plainSolve(rows: PlainRow[], o: PlainOptions): { theta: number[]; beta: number[]; betaSe: number[] } {
  const m = o.models;
  const N = rows.length;
  const K = rows[0]!.x.length;
  // standardise: mean 0, population sd 1 (sd 0 → 1)
  const mean = new Array<number>(K).fill(0);
  const sd = new Array<number>(K).fill(0);
  for (const r of rows) for (let q = 0; q < K; q++) mean[q] += r.x[q]! / N;
  for (const r of rows) for (let q = 0; q < K; q++) sd[q] += (r.x[q]! - mean[q]!) ** 2 / N;
  for (let q = 0; q < K; q++) sd[q] = Math.sqrt(sd[q]!) > 1e-12 ? Math.sqrt(sd[q]!) : 1;
  const X = rows.map((r) => r.x.map((v, q) => (v - mean[q]!) / sd[q]!));
  // battle weights: the battle's own weight times the pair weight 1/max(n_pair, floor), normalised to mean 1
  const w = rows.map((r) => r.w0 ?? 1);
  if (o.floor !== null) {
    const n = new Map<string, number>();
    const key = (r: PlainRow) => (r.a < r.b ? `${r.a}|${r.b}` : `${r.b}|${r.a}`);
    for (const r of rows) n.set(key(r), (n.get(key(r)) ?? 0) + 1);
    rows.forEach((r, i) => (w[i] = w[i]! / Math.max(n.get(key(r))!, o.floor!)));
  }
  const wsum = w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < N; i++) w[i] = (w[i]! * N) / wsum;
  const lb = o.regScale === 'mean' ? o.reg * N : o.reg;
  const P = m + K;
  const F = (p: number[]) => {
    let f = 0;
    rows.forEach((r, i) => {
      let d = p[r.a]! - p[r.b]!;
      for (let q = 0; q < K; q++) d += p[m + q]! * X[i]![q]!;
      const sp = d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d));
      f += w[i]! * (r.y * d - sp);
    });
    let st = 0;
    let s2 = 0;
    for (let v = 0; v < m; v++) {
      st += p[v]!;
      s2 += p[v]! ** 2;
    }
    let b2 = 0;
    for (let q = 0; q < K; q++) b2 += p[m + q]! ** 2;
    return f - (o.thetaPrior > 0 ? 0.5 * o.thetaPrior * s2 : 0.5 * st * st) - 0.5 * lb * b2;
  };
  let p = new Array<number>(P).fill(0);
  for (let it = 0; it < 200; it++) {
    const g = new Array<number>(P).fill(0);
    const H = Array.from({ length: P }, () => new Array<number>(P).fill(0));
    rows.forEach((r, i) => {
      let d = p[r.a]! - p[r.b]!;
      for (let q = 0; q < K; q++) d += p[m + q]! * X[i]![q]!;
      const pr = 1 / (1 + Math.exp(-d));
      const z = new Map<number, number>();
      z.set(r.a, 1);
      z.set(r.b, -1);
      for (let q = 0; q < K; q++) z.set(m + q, X[i]![q]!);
      for (const [j, zj] of z) {
        g[j]! += w[i]! * (r.y - pr) * zj;
        for (const [k, zk] of z) H[j]![k]! += w[i]! * pr * (1 - pr) * zj * zk;
      }
    });
    for (let v = 0; v < m; v++) {
      if (o.thetaPrior > 0) {
        g[v]! -= o.thetaPrior * p[v]!;
        H[v]![v]! += o.thetaPrior;
      } else {
        let st = 0;
        for (let u = 0; u < m; u++) st += p[u]!;
        g[v]! -= st;
        for (let u = 0; u < m; u++) H[v]![u]! += 1;
      }
    }
    for (let q = 0; q < K; q++) {
      g[m + q]! -= lb * p[m + q]!;
      H[m + q]![m + q]! += lb;
    }
    const step = gaussSolve(H, g);
    let t = 1;
    const f0 = F(p);
    let next = p.map((v, j) => v + step[j]!);
    while (F(next) < f0 - 1e-12 && t > 1e-6) {
      t /= 2;
      next = p.map((v, j) => v + t * step[j]!);
    }
    p = next;
    if (Math.max(...step.map(Math.abs)) * t < 1e-13) break;
  }
  // sandwich of β: H = information + ridge (+ 11ᵀ on θ for the gauge), B = Σ (w·s)(w·s)ᵀ − (λβ²/N)·ββᵀ (centred)
  const H = Array.from({ length: P }, () => new Array<number>(P).fill(0));
  const B = Array.from({ length: P }, () => new Array<number>(P).fill(0));
  rows.forEach((r, i) => {
    let d = p[r.a]! - p[r.b]!;
    for (let q = 0; q < K; q++) d += p[m + q]! * X[i]![q]!;
    const pr = 1 / (1 + Math.exp(-d));
    const z = new Array<number>(P).fill(0);
    z[r.a] = 1;
    z[r.b] = -1;
    for (let q = 0; q < K; q++) z[m + q] = X[i]![q]!;
    for (let j = 0; j < P; j++) {
      if (!z[j]) continue;
      for (let k = 0; k < P; k++) {
        H[j]![k]! += w[i]! * pr * (1 - pr) * z[j]! * z[k]!;
        B[j]![k]! += (w[i]! * (r.y - pr)) ** 2 * z[j]! * z[k]!;
      }
    }
  });
  for (let v = 0; v < m; v++) for (let u = 0; u < m; u++) H[v]![u]! += (u === v ? o.thetaPrior : 0) + (o.thetaPrior > 0 ? 0 : 1);
  for (let q = 0; q < K; q++) H[m + q]![m + q]! += lb;
  if (o.regScale === 'mean') for (let q = 0; q < K; q++) for (let u = 0; u < K; u++) B[m + q]![m + u]! -= ((lb * lb) / N) * p[m + q]! * p[m + u]!;
  const Hinv = Array.from({ length: P }, (_, j) => gaussSolve(H, Array.from({ length: P }, (_, k) => (k === j ? 1 : 0))));
  const betaSe = Array.from({ length: K }, (_, q) => {
    const h = Hinv[m + q]!; // row m+q of H⁻¹ (H symmetric)
    let v = 0;
    for (let j = 0; j < P; j++) for (let k = 0; k < P; k++) v += h[j]! * B[j]![k]! * h[k]!;
    return Math.sqrt(v);
  });
  const theta = p.slice(0, m);
  const mu = theta.reduce((s, v) => s + v, 0) / m;
  return { theta: theta.map((v) => v - mu), beta: p.slice(m), betaSe };
}

/** Solves H·s = g by Gaussian elimination with partial pivoting (H dense, symmetric positive definite here). */
function gaussSolve(H: number[][], g: number[]): number[] {
  const n = g.length;
  const A = H.map((row, i) => [...row, g[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = A[r]![c]! / A[c]![c]!;
      for (let k = c; k <= n; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  const s = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let v = A[r]![n]!;
    for (let k = r + 1; k < n; k++) v -= A[r]![k]! * s[k]!;
    s[r] = v / A[r]![r]!;
  }
  return s;
}

const POINTS = 400 / Math.LN10;

/** A battle with its 8 style counts and covariates, as both solvers are given it. */
interface Battle {
  a: string;
  b: string;
  outcome: 'a' | 'b' | 'tie' | 'bothbad';
  style: number[];
  cov: number[];
  /** Per-row weight (the `weight` field), if any. */
  weight?: number;
}

/** The implementation's table: style counts plus covariate columns named c0, c1, … */
function tableOf(bs: Battle[]): BattleTable {
  const t = tableFromBattles(bs.map((x) => ({ modelA: x.a, modelB: x.b, outcome: x.outcome, style: x.style, ...(x.weight === undefined ? {} : { weight: x.weight }) })));
  const kc = bs[0]!.cov.length;
  if (!kc) return t;
  return { ...t, covariates: { names: Array.from({ length: kc }, (_, j) => `c${j}`), columns: Array.from({ length: kc }, (_, j) => Float64Array.from(bs, (x) => x.cov[j]!)) } };
}

type Form = 'lmarena' | 'fastchat-2024' | 'wrong-plus-one';

/** The plain solver's rows: its own features from the raw counts (`wrong-plus-one`: the FastChat feature under the LMArena objective). */
function plainRows(bs: Battle[], models: readonly string[], form: Form, style = true): PlainRow[] {
  const id = new Map(models.map((n, i) => [n, i]));
  return bs.map((x) => {
    const f: number[] = [];
    if (style)
      for (let q = 0; q < 4; q++) {
        const a = x.style[q]!;
        const b = x.style[4 + q]!;
        if (form === 'lmarena') f.push(a + b === 0 ? 0 : (a - b) / (a + b));
        else f.push((a - b) / (a + b + 1));
      }
    return { a: id.get(x.a)!, b: id.get(x.b)!, y: x.outcome === 'a' ? 1 : x.outcome === 'b' ? 0 : 0.5, x: [...f, ...x.cov], ...(x.weight === undefined ? {} : { w0: x.weight }) };
  });
}

function covOptions(kc: number): Pick<ModelOptions, 'covariates'> {
  return kc ? { covariates: Array.from({ length: kc }, (_, j) => ({ name: `c${j}`, expression: `c${j}` })) } : {};
}

/** Synthetic battles: m models with skewed pair frequencies (so pair weights differ), planted style and covariate effects. */
function synthetic(seed: number, m: number, n: number, kc: number): Battle[] {
  const rng = createRng(seed);
  const names = Array.from({ length: m }, (_, i) => `model-${String.fromCharCode(97 + i)}`);
  const truth = names.map(() => (rng() - 0.5) * 2);
  const out: Battle[] = [];
  for (let i = 0; i < n; i++) {
    // pair frequency skewed towards low indices
    const a = Math.floor(m * rng() ** 2);
    let b = Math.floor(m * rng());
    if (b === a) b = (a + 1 + Math.floor(rng() * (m - 1))) % m;
    const style = Array.from({ length: 8 }, (_, k) => (k % 4 === 0 ? Math.floor(rng() * 1500) : rng() < 0.3 ? 0 : Math.floor(rng() * 12)));
    const cov = Array.from({ length: kc }, (_, j) => (j === 0 ? Math.floor(rng() * 400) : rng() < 0.4 ? 1 : 0));
    const len = (style[0]! - style[4]!) / (style[0]! + style[4]! + 1);
    const d = truth[a]! - truth[b]! + 0.6 * len + (kc ? 0.001 * (cov[0]! - 200) : 0);
    const p = 1 / (1 + Math.exp(-d));
    const u = rng();
    const outcome = u < 0.1 ? 'tie' : u < 0.15 ? 'bothbad' : rng() < p ? 'a' : 'b';
    out.push({ a: names[a]!, b: names[b]!, outcome, style, cov });
  }
  return out;
}

/** Real pairs and outcomes (fixtures/data/chatbot-arena-20240814-ukrainian, its 12 most-battled models), expanded to rows, with seeded style counts and covariates. */
async function realBattles(kc: number): Promise<Battle[]> {
  const t = await readBattles(['fixtures/data/chatbot-arena-20240814-ukrainian/battles.jsonl']);
  const per = new Float64Array(t.models.length);
  for (let r = 0; r < t.rows; r++) {
    per[t.a[r]!]! += t.count[r]!;
    per[t.b[r]!]! += t.count[r]!;
  }
  const top = new Set([...per.keys()].sort((x, y) => per[y]! - per[x]!).slice(0, 12));
  const rng = createRng('real-style');
  const labels = ['a', 'b', 'tie', 'bothbad'] as const;
  const out: Battle[] = [];
  for (let r = 0; r < t.rows; r++) {
    if (!top.has(t.a[r]!) || !top.has(t.b[r]!)) continue;
    for (let c = 0; c < t.count[r]!; c++) {
      const style = Array.from({ length: 8 }, (_, k) => (k % 4 === 0 ? Math.floor(rng() * 1200) : rng() < 0.4 ? 0 : Math.floor(rng() * 10)));
      const cov = Array.from({ length: kc }, (_, j) => (j === 0 ? Math.floor(rng() * 300) : rng() < 0.5 ? 1 : 0));
      out.push({ a: t.models[t.a[r]!]!, b: t.models[t.b[r]!]!, outcome: labels[t.outcome[r]!]!, style, cov });
    }
  }
  return out;
}

/**
 * The same battles with seeded per-row weights: mostly 0.5–1.5, one battle in five 3–4, and the battles won by
 * side a of the first pair in the table twice as heavy, so that weighting moves the fit.
 */
function withWeights(bs: Battle[], seed: string): Battle[] {
  const rng = createRng(seed);
  return bs.map((x) => ({ ...x, weight: (rng() < 0.2 ? 3 + rng() : 0.5 + rng()) * (x.a === bs[0]!.a && x.outcome === 'a' ? 2 : 1) }));
}

/** Fits with the implementation and the plain solver; returns the largest rating (points) and coefficient gaps. */
function agreement(bs: Battle[], form: 'lmarena' | 'fastchat-2024', reweight: number | null, kc: number, plainForm: Form = form, plainThetaRidge?: number, style = true) {
  const t = tableOf(bs);
  const fit = fitModel(t, { styleControl: style, styleForm: form, reweight: reweight === null ? null : { floor: reweight }, ...covOptions(kc) }) as CovariateModelFit;
  expect(fit.kind).toBe('style');
  const reg = form === 'lmarena' ? 1 : 0.5;
  const plain = plainSolve(plainRows(bs, t.models, plainForm, style), {
    models: t.models.length,
    reg,
    regScale: form === 'lmarena' ? 'mean' : 'sum',
    floor: reweight,
    thetaPrior: plainThetaRidge ?? fit.prior,
  });
  let dr = 0;
  for (let v = 0; v < t.models.length; v++) dr = Math.max(dr, Math.abs(fit.ratings[v]! - (1000 + POINTS * plain.theta[v]!)));
  let db = 0;
  for (let q = 0; q < plain.beta.length; q++) db = Math.max(db, Math.abs(fit.beta[q]! - plain.beta[q]!));
  // the sandwich standard errors of the coefficients (the implementation reports β ± 1.96·se at 95%)
  let dse = 0;
  fit.style.coefficients.forEach((c, q) => {
    const se = (c.upper - c.lower) / (2 * 1.959963984540054);
    dse = Math.max(dse, Math.abs(se - plain.betaSe[q]!) / plain.betaSe[q]!);
  });
  if (process.env.COV_AGREEMENT) console.log(`agreement ${form}/${plainForm} reweight=${reweight} K=${plain.beta.length}: ${dr.toExponential(2)} points, ${db.toExponential(2)} coefficients, ${dse.toExponential(2)} relative in their sandwich SE`);
  return { dr, db, dse, fit, plain };
}

describe('covariate fits agree with a plain solver of the same objective', () => {
  it('synthetic, LMArena form, pair weights (floor 50), two covariates: within 0.01 points and 1e-4', () => {
    const bs = synthetic(11, 8, 4000, 2);
    const { dr, db, dse, fit } = agreement(bs, 'lmarena', 50, 2);
    expect(dse).toBeLessThan(1e-6);
    expect(fit.fit.prior).toBe(0);
    expect(fit.style.coefficients.map((c) => c.feature)).toEqual(['sum_assistant_tokens', 'header_count', 'list_count', 'bold_count', 'c0', 'c1']);
    expect(dr).toBeLessThan(0.01);
    expect(db).toBeLessThan(1e-4);
    // the planted length effect is found (shrunk by the ridge, but clearly positive)
    expect(fit.beta[0]).toBeGreaterThan(0.03);
  });

  it('synthetic, FastChat 2024 form, unweighted', () => {
    const bs = synthetic(12, 6, 3000, 1);
    const { dr, db } = agreement(bs, 'fastchat-2024', null, 1);
    expect(dr).toBeLessThan(0.01);
    expect(db).toBeLessThan(1e-4);
  });

  it('real pairs and outcomes (Ukrainian subset, 12 models), LMArena form, reweighted, two covariates', async () => {
    const bs = await realBattles(2);
    expect(bs.length).toBe(982);
    const { dr, db, dse } = agreement(bs, 'lmarena', 50, 2);
    expect(dse).toBeLessThan(1e-6);
    expect(dr).toBeLessThan(0.01);
    expect(db).toBeLessThan(1e-4);
  });

  it('real pairs, LMArena form, unweighted, style only', async () => {
    const bs = await realBattles(0);
    const { dr, db } = agreement(bs, 'lmarena', null, 0);
    expect(dr).toBeLessThan(0.01);
    expect(db).toBeLessThan(1e-4);
  });

  it('per-row weights × pair weights (floor 50), normalised to mean 1, LMArena form, two covariates: within 0.01 points, 1e-4 and the sandwich SE', () => {
    const bs = withWeights(synthetic(14, 8, 4000, 2), 'synthetic-weights');
    const { dr, db, dse, fit } = agreement(bs, 'lmarena', 50, 2);
    expect(dr).toBeLessThan(0.01);
    expect(db).toBeLessThan(1e-4);
    expect(dse).toBeLessThan(1e-6);
    // the weights matter: the same battles unweighted (still pair-reweighted) are another fit
    const plainRw = fitModel(tableOf(bs.map(({ weight: _, ...x }) => x)), { styleControl: true, styleForm: 'lmarena', reweight: { floor: 50 }, ...covOptions(2) });
    let d = 0;
    for (let v = 0; v < fit.ratings.length; v++) d = Math.max(d, Math.abs(fit.ratings[v]! - plainRw.ratings[v]!));
    expect(d).toBeGreaterThan(1);
  });

  it('per-row weights alone (no pair weights), FastChat 2024 form, real pairs (Ukrainian subset)', async () => {
    const bs = withWeights(await realBattles(1), 'real-weights');
    const { dr, db, dse } = agreement(bs, 'fastchat-2024', null, 1);
    expect(dr).toBeLessThan(0.01);
    expect(db).toBeLessThan(1e-4);
    expect(dse).toBeLessThan(1e-6);
  });

  it('covariates without style: two (per-row and pair weights, LMArena form) and one (FastChat 2024 form), the one-or-two-feature kernel', async () => {
    const two = agreement(withWeights(synthetic(17, 7, 4000, 2), 'two-weights'), 'lmarena', 50, 2, 'lmarena', undefined, false);
    expect(two.fit.style.coefficients.map((c) => c.feature)).toEqual(['c0', 'c1']);
    expect(two.dr).toBeLessThan(0.01);
    expect(two.db).toBeLessThan(1e-4);
    expect(two.dse).toBeLessThan(1e-6);
    const one = agreement(await realBattles(1), 'fastchat-2024', null, 1, 'fastchat-2024', undefined, false);
    expect(one.fit.style.coefficients.map((c) => c.feature)).toEqual(['c0']);
    expect(one.dr).toBeLessThan(0.01);
    expect(one.db).toBeLessThan(1e-4);
    expect(one.dse).toBeLessThan(1e-6);
    // the planted covariate effect (0.001 per unit of c0, c0 uniform on 0–400: 0.115 per SD) comes out positive
    // (shrunk about six-fold by the LMArena ridge, reg = 1 on the mean scale)
    expect(two.fit.beta[0]).toBeGreaterThan(0.005);
  });

  it('plausible wrong implementations fail the same check: (a−b)/(a+b+1) in the LMArena form, the ridge on θ too, no weights', () => {
    const bs = synthetic(13, 8, 4000, 0);
    // the plain solver in a wrong form disagrees with the implementation by far more than the tolerances
    const plusOne = agreement(bs, 'lmarena', 50, 0, 'wrong-plus-one');
    expect(plusOne.db).toBeGreaterThan(1e-3);
    const t = tableOf(bs);
    const ridgeOnTheta = agreement(bs, 'lmarena', 50, 0, 'lmarena', t.battles);
    expect(ridgeOnTheta.dr).toBeGreaterThan(1);
    const fit = fitModel(t, { styleControl: true, styleForm: 'lmarena', reweight: null }) as CovariateModelFit;
    const weighted = agreement(bs, 'lmarena', 50, 0);
    let d = 0;
    for (let v = 0; v < t.models.length; v++) d = Math.max(d, Math.abs(fit.ratings[v]! - weighted.fit.ratings[v]!));
    expect(d).toBeGreaterThan(0.1);
    // and the FastChat 2024 objective is another fit
    const fc24 = fitModel(t, { styleControl: true, styleForm: 'fastchat-2024' }) as CovariateModelFit;
    expect(Math.abs(fc24.beta[0]! - fit.beta[0]!)).toBeGreaterThan(1e-2);
  });
});

describe('covariate properties', () => {
  const battles = fc.array(
    fc.record({
      a: fc.integer({ min: 0, max: 3 }),
      d: fc.integer({ min: 1, max: 3 }),
      outcome: fc.constantFrom('a' as const, 'b' as const, 'tie' as const),
      style: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 8, maxLength: 8 }),
      cov: fc.array(fc.double({ min: -5, max: 5, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 1 }),
    }),
    { minLength: 30, maxLength: 80 },
  );
  const toBattles = (xs: { a: number; d: number; outcome: 'a' | 'b' | 'tie'; style: number[]; cov: number[] }[]): Battle[] =>
    xs.map((x) => ({ a: `m${x.a}`, b: `m${(x.a + x.d) % 4}`, outcome: x.outcome, style: x.style, cov: x.cov }));

  it('a covariate identically 0 gives the ratings of plain Bradley–Terry (it is inactive)', () => {
    fc.assert(
      fc.property(battles, (xs) => {
        const bs = toBattles(xs).map((b) => ({ ...b, cov: [0] }));
        const t = tableOf(bs);
        const plain = fitModel(t, { prior: 0.01 });
        const fit = fitModel(t, { prior: 0.01, ...covOptions(1), styleForm: 'lmarena' }) as CovariateModelFit;
        expect(fit.style.coefficients[0]!.active).toBe(false);
        for (let v = 0; v < t.models.length; v++) expect(Math.abs(fit.ratings[v]! - plain.ratings[v]!)).toBeLessThan(1e-4);
      }),
      { numRuns: 25 },
    );
  });

  it('swapping the sides of every battle (outcome, style counts, covariate sign) leaves ratings and coefficients unchanged', () => {
    fc.assert(
      fc.property(battles, fc.boolean(), (xs, reweight) => {
        const bs = toBattles(xs);
        const sw: Battle[] = bs.map((b) => ({
          a: b.b,
          b: b.a,
          outcome: b.outcome === 'a' ? 'b' : b.outcome === 'b' ? 'a' : b.outcome,
          style: [...b.style.slice(4), ...b.style.slice(0, 4)],
          cov: b.cov.map((v) => -v),
        }));
        const o = { prior: 0.01, styleControl: true, styleForm: 'lmarena' as const, reweight: reweight ? { floor: 5 } : null, ...covOptions(1) };
        const f1 = fitModel(tableOf(bs), o) as CovariateModelFit;
        const f2 = fitModel(tableOf(sw), o) as CovariateModelFit;
        for (let v = 0; v < f1.models.length; v++) expect(Math.abs(f1.ratings[v]! - f2.ratings[v]!)).toBeLessThan(1e-4);
        for (let q = 0; q < f1.beta.length; q++) expect(Math.abs(f1.beta[q]! - f2.beta[q]!)).toBeLessThan(1e-6);
        // the standardised feature flipped sign: its mean did
        for (let q = 0; q < f1.design.mean.length; q++) expect(f2.design.mean[q]).toBeCloseTo(-f1.design.mean[q]!, 9);
      }),
      { numRuns: 25 },
    );
  });

  it('pair weights have mean 1 over battles and are 1/max(n, floor) up to that factor', () => {
    const bs = synthetic(5, 5, 600, 0);
    const t = tableOf(bs);
    const fit = fitModel(t, { styleControl: true, reweight: { floor: 50 } }) as CovariateModelFit;
    const w = fit.design.rowWeight!;
    let s = 0;
    for (let r = 0; r < t.rows; r++) s += w[r]!;
    expect(s / t.rows).toBeCloseTo(1, 12);
    const n = new Map<string, number>();
    const key = (r: number) => [t.a[r]!, t.b[r]!].sort().join('|');
    for (let r = 0; r < t.rows; r++) n.set(key(r), (n.get(key(r)) ?? 0) + 1);
    const ratio = w[0]! * Math.max(n.get(key(0))!, 50);
    for (let r = 0; r < t.rows; r++) expect(w[r]! * Math.max(n.get(key(r))!, 50)).toBeCloseTo(ratio, 10);
  });
});

describe('covariates read by the streaming readers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arena-cov-'));
  const rows = synthetic(21, 5, 300, 0).map((b, i) => ({
    model_a: b.a,
    model_b: b.b,
    winner: b.outcome === 'a' ? 'model_a' : b.outcome === 'b' ? 'model_b' : b.outcome === 'tie' ? 'tie' : 'tie (bothbad)',
    language: i % 3 ? 'English' : 'Ukrainian',
    is_direct: i % 4 === 0 ? 1 : 0,
    conv_metadata: { sum_user_tokens: 10 + (i % 17), sum_assistant_a_tokens: b.style[0], sum_assistant_b_tokens: b.style[4], header_count_a: { h1: 1, h2: 0 } },
  }));
  const file = join(dir, 'b.jsonl');
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const specs = [
    { name: 'user_tokens', expression: 'conv_metadata.sum_user_tokens' },
    { name: 'len', expression: 'ratio(conv_metadata.sum_assistant_a_tokens, conv_metadata.sum_assistant_b_tokens)' },
    { name: 'is_direct', expression: 'is_direct' },
  ];

  it('fast and reference engines read the same values (nested paths, ratio, with a filter)', async () => {
    const fast = await readBattles([file], { covariates: specs, filter: 'language == "English"', styleFields: false });
    const ref = await readBattles([file], { covariates: specs, filter: 'language == "English"', engine: 'reference' });
    const kept = rows.filter((r) => r.language === 'English');
    expect(fast.rows).toBe(kept.length);
    expect(fast.covariates!.names).toEqual(['user_tokens', 'len', 'is_direct']);
    kept.forEach((r, i) => {
      const a = r.conv_metadata.sum_assistant_a_tokens!;
      const b = r.conv_metadata.sum_assistant_b_tokens!;
      expect(fast.covariates!.columns[0]![i]).toBe(r.conv_metadata.sum_user_tokens);
      expect(fast.covariates!.columns[1]![i]).toBe(a + b === 0 ? 0 : (a - b) / (a + b));
      expect(fast.covariates!.columns[2]![i]).toBe(r.is_direct);
    });
    for (let j = 0; j < 3; j++) expect(Array.from(ref.covariates!.columns[j]!)).toEqual(Array.from(fast.covariates!.columns[j]!));
  });

  it('an unknown covariate field is an error naming file, line and field', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, [JSON.stringify(rows[0]), JSON.stringify({ ...rows[1], conv_metadata: {} })].join('\n') + '\n');
    await expect(readBattles([bad], { covariates: specs })).rejects.toThrow(`${bad}:2: conv_metadata.sum_user_tokens: unknown field`);
    await expect(readBattles([file], { covariates: [{ name: 'x', expression: 'nope' }] })).rejects.toThrow(`${file}:1: nope: unknown field`);
  });

  it('a covariate fit on the file has sandwich and bootstrap intervals around its coefficients', async () => {
    const t = await readBattles([file], { covariates: specs });
    const opts = { ...DEFAULTS, covariates: specs, reweight: { floor: 50 } };
    const model = modelFor(opts);
    const point = model.fit(t, opts);
    const s = await addIntervals(point, model, { ...DEFAULT_INTERVALS, ciMethod: 'sandwich' });
    const b = await addIntervals(point, model, { ...DEFAULT_INTERVALS, ciMethod: 'bootstrap', rounds: 40, threads: 1 });
    for (const board of [s, b]) {
      const st = (board.point as CovariateModelFit).style;
      expect(st.coefficients.map((c) => c.feature)).toEqual(['user_tokens', 'len', 'is_direct']);
      for (const c of st.coefficients) {
        expect(c.lower).toBeLessThanOrEqual(c.coefficient);
        expect(c.upper).toBeGreaterThanOrEqual(c.coefficient);
        expect(c.upper - c.lower).toBeGreaterThan(0);
      }
    }
  });
});

describe('bootstrap of a weighted covariate fit', () => {
  it('per-row × pair weights: rounds centre on the weighted estimate, and their intervals are as wide as the sandwich', async () => {
    // battles won by model-a weigh 6: the weighted fit puts model-a far above the unweighted one
    const bs = synthetic(16, 5, 3000, 1).map((x) => ({ ...x, weight: x.outcome === 'a' && x.a === 'model-a' ? 6 : 1 }));
    const t = tableOf(bs);
    const opts: ModelOptions = { ...DEFAULTS, styleControl: true, reweight: { floor: 50 }, ...covOptions(1) };
    const model = modelFor(opts);
    const point = model.fit(t, opts);
    const unweighted = model.fit(tableOf(bs.map(({ weight: _, ...x }) => x)), opts);
    const s = await addIntervals(point, model, { ...DEFAULT_INTERVALS, ciMethod: 'sandwich' });
    const b = await addIntervals(point, model, { ...DEFAULT_INTERVALS, ciMethod: 'bootstrap', rounds: 300, threads: 1, seed: 5 });
    const a = t.models.indexOf('model-a');
    const half = (board: typeof s, v: number) => (board.intervals!.upper[v]! - board.intervals!.lower[v]!) / 2;
    expect(point.ratings[a]! - unweighted.ratings[a]!).toBeGreaterThan(3 * half(s, a));
    for (let v = 0; v < t.models.length; v++) {
      // the rounds' median sits at the weighted estimate (a bootstrap that dropped the weights would sit at the unweighted one)
      const col = Float64Array.from({ length: b.dist!.rounds }, (_, r) => b.dist!.ratings[r * t.models.length + v]!).sort();
      expect(Math.abs(col[col.length >> 1]! - point.ratings[v]!)).toBeLessThan(0.25 * half(s, v));
      // resampled battles keep their weights: the spread is the sandwich's (which uses Σ count·w²)
      expect(half(b, v) / half(s, v)).toBeGreaterThan(0.8);
      expect(half(b, v) / half(s, v)).toBeLessThan(1.25);
    }
  });
});

const DEFAULTS: ModelOptions = { scale: 400, base: 10, initial: 1000, method: 'bt', k: 4, ties: 'half', bothBad: 'tie', anchor: null, prior: 'auto', tolerance: 1e-6 };
