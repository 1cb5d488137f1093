import type { Outcome } from '../../src/data/schema.js';
import { type BattleTable, tableFromBattles } from '../../src/data/table.js';

/**
 * A second, plain solver of the weighted objective, written for the tests from the textbook formulas and sharing
 * no code with src/ (no aggregation into cells, no outcomeTerms, no Newton helper, no sandwich): it works on battle
 * rows, one log-probability per row, its derivatives by central differences in the two scalars (d, η), the strengths
 * identified by fixing θ₀ = 0 (not by centring), and Gaussian elimination for the Newton system.
 *
 * Objective: Σ_rows c·w·log P(outcome | d, η), d = θ_a − θ_b, w = row weight × pair weight 1/max(n_AB, floor).
 * - bt (ties half, LMArena): y·log σ(d) + (1−y)·log σ(−d), y = 1, 0, ½.
 * - davidson: P(A) = e^{d/2}/D, P(B) = e^{−d/2}/D, P(tie) = ν/D, D = e^{d/2} + e^{−d/2} + ν, ν = e^η.
 * - rao-kupper: P(A) = 1/(1 + θ·e^{−d}), P(B) = 1/(1 + θ·e^{d}), P(tie) = 1 − P(A) − P(B), θ = e^η > 1.
 */
export type RefModel = 'bt' | 'davidson' | 'rao-kupper';

/** One battle row: models a, b (ids), outcome 0 = a won, 1 = b won, 2 = tie (either label), count, weight per battle. */
export interface RefRow {
  a: number;
  b: number;
  o: number;
  c: number;
  w: number;
}

const logSig = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));

/** log P(o | d, η) for one battle. */
export function logP(model: RefModel, d: number, eta: number, o: number): number {
  if (model === 'bt') {
    const y = o === 0 ? 1 : o === 1 ? 0 : 0.5;
    return y * logSig(d) + (1 - y) * logSig(-d);
  }
  if (model === 'davidson') {
    const D = Math.exp(d / 2) + Math.exp(-d / 2) + Math.exp(eta);
    return (o === 0 ? d / 2 : o === 1 ? -d / 2 : eta) - Math.log(D);
  }
  const th = Math.exp(eta);
  const pa = 1 / (1 + th * Math.exp(-d));
  const pb = 1 / (1 + th * Math.exp(d));
  return Math.log(o === 0 ? pa : o === 1 ? pb : 1 - pa - pb);
}

/**
 * Rows of a table with per-battle weights: the table's `weight` (1 when absent) times, with `floor`, the pair
 * weight 1/max(n_AB, floor), n_AB counted here from the rows.
 */
export function refRows(t: BattleTable, floor: number | null): RefRow[] {
  const m = t.models.length;
  const nPair = new Map<number, number>();
  const key = (a: number, b: number) => Math.min(a, b) * m + Math.max(a, b);
  for (let r = 0; r < t.rows; r++) nPair.set(key(t.a[r]!, t.b[r]!), (nPair.get(key(t.a[r]!, t.b[r]!)) ?? 0) + t.count[r]!);
  const rows: RefRow[] = [];
  for (let r = 0; r < t.rows; r++) {
    const pw = floor === null ? 1 : 1 / Math.max(nPair.get(key(t.a[r]!, t.b[r]!))!, floor);
    rows.push({ a: t.a[r]!, b: t.b[r]!, o: Math.min(t.outcome[r]!, 2), c: t.count[r]!, w: pw * (t.weight ? t.weight[r]! : 1) });
  }
  return rows;
}

/** Result of {@link refFit}: θ with θ₀ = 0, η (NaN for bt), the negative Hessian H and the meat B (reference parameters). */
export interface RefFit {
  theta: number[];
  eta: number;
  /** Parameters (θ₁…θ_{m−1}[, η]): n = m − 1 (+1). */
  n: number;
  H: number[][];
  /** Σ c·w²·s·sᵀ, s the score of one battle. */
  B: number[][];
  /** The same with w instead of w² (a plausible wrong meat, for the tests that must tell them apart). */
  Bwrong: number[][];
  iterations: number;
}

const h = 1e-4;

/** Numerical derivatives of log P at (d, η): [ℓ_d, ℓ_η, ℓ_dd, ℓ_dη, ℓ_ηη]. */
function derivs(model: RefModel, d: number, eta: number, o: number): number[] {
  const f = (x: number, y: number) => logP(model, x, y, o);
  const f0 = f(d, eta);
  const ld = (f(d + h, eta) - f(d - h, eta)) / (2 * h);
  const ldd = (f(d + h, eta) - 2 * f0 + f(d - h, eta)) / (h * h);
  if (model === 'bt') return [ld, 0, ldd, 0, 0];
  const le = (f(d, eta + h) - f(d, eta - h)) / (2 * h);
  const lee = (f(d, eta + h) - 2 * f0 + f(d, eta - h)) / (h * h);
  const lde = (f(d + h, eta + h) - f(d + h, eta - h) - f(d - h, eta + h) + f(d - h, eta - h)) / (4 * h * h);
  return [ld, le, ldd, lde, lee];
}

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

/** H⁻¹·B·H⁻¹ by solving column by column. */
export function sandwich(H: number[][], B: number[][]): number[][] {
  const n = H.length;
  const HiB = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let c = 0; c < n; c++) {
    const col = solve(H, B.map((r) => r[c]!));
    for (let r = 0; r < n; r++) HiB[r]![c] = col[r]!;
  }
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  // (H⁻¹ B) H⁻¹ = (H⁻¹ (H⁻¹ B)ᵀ)ᵀ, H symmetric
  for (let c = 0; c < n; c++) {
    const col = solve(H, HiB[c]!);
    for (let r = 0; r < n; r++) out[c]![r] = col[r]!;
  }
  return out;
}

/** Maximises the weighted objective on rows by Newton with step halving (θ₀ = 0). */
export function refFit(model: RefModel, m: number, rows: RefRow[], eta0 = 0.5): RefFit {
  const hasEta = model !== 'bt';
  const n = m - 1 + (hasEta ? 1 : 0);
  const p = new Array<number>(n).fill(0);
  if (hasEta) p[n - 1] = eta0;
  const th = (x: number[], v: number) => (v === 0 ? 0 : x[v - 1]!);
  const objective = (x: number[]) => {
    let s = 0;
    for (const r of rows) s += r.c * r.w * logP(model, th(x, r.a) - th(x, r.b), hasEta ? x[n - 1]! : 0, r.o);
    return s;
  };
  const assemble = (x: number[]) => {
    const g = new Array<number>(n).fill(0);
    const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const B = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const Bw = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (const r of rows) {
      const [ld, le, ldd, lde, lee] = derivs(model, th(x, r.a) - th(x, r.b), hasEta ? x[n - 1]! : 0, r.o) as [number, number, number, number, number];
      // gradient of d wrt the parameters: +1 at a, −1 at b (nothing for model 0), η last
      const idx: number[] = [];
      const gd: number[] = [];
      if (r.a > 0) (idx.push(r.a - 1), gd.push(1));
      if (r.b > 0) (idx.push(r.b - 1), gd.push(-1));
      const cw = r.c * r.w;
      const s = new Array<number>(n).fill(0);
      idx.forEach((q, k) => (s[q] = gd[k]! * ld));
      if (hasEta) s[n - 1] = le;
      for (let q = 0; q < n; q++) g[q]! += cw * s[q]!;
      for (let k1 = 0; k1 < idx.length; k1++) {
        for (let k2 = 0; k2 < idx.length; k2++) H[idx[k1]!]![idx[k2]!]! -= cw * gd[k1]! * gd[k2]! * ldd;
        if (hasEta) {
          H[idx[k1]!]![n - 1]! -= cw * gd[k1]! * lde;
          H[n - 1]![idx[k1]!]! -= cw * gd[k1]! * lde;
        }
      }
      if (hasEta) H[n - 1]![n - 1]! -= cw * lee;
      const nz = hasEta ? [...idx, n - 1] : idx;
      for (const q1 of nz) {
        for (const q2 of nz) {
          B[q1]![q2]! += r.c * r.w * r.w * s[q1]! * s[q2]!;
          Bw[q1]![q2]! += r.c * r.w * s[q1]! * s[q2]!;
        }
      }
    }
    return { g, H, B, Bw };
  };
  let f = objective(p);
  let it = 0;
  for (; it < 100; it++) {
    const { g, H } = assemble(p);
    const step = solve(H, g);
    let t = 1;
    let trial = p;
    for (let k = 0; k < 50; k++) {
      trial = p.map((x, q) => x + t * step[q]!);
      const ft = objective(trial);
      if (Number.isFinite(ft) && ft >= f - 1e-12 * Math.abs(f)) {
        f = ft;
        break;
      }
      t /= 2;
    }
    p.splice(0, n, ...trial);
    if (Math.max(...step.map(Math.abs)) * t < 1e-11) break;
  }
  const { H, B, Bw } = assemble(p);
  return { theta: [0, ...p.slice(0, m - 1)], eta: hasEta ? p[n - 1]! : Number.NaN, n, H, B, Bwrong: Bw, iterations: it };
}

/** A deterministic generator (mulberry32), for the synthetic data only. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seven models, pairs of very different frequencies (5 to 240 rows, counts 1–3, so n_AB falls on both sides of the
 * floor 50), ties of both labels, and (with `rowWeights`) a weight in [0.3, 3] on about half of the rows.
 */
export function synthetic(seed: number, rowWeights: boolean): BattleTable {
  const r = rng(seed);
  const m = 7;
  const names = ['__proto__', 'alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta'];
  const strength = names.map(() => 1.5 * (r() - 0.5));
  const out: { modelA: string; modelB: string; outcome: Outcome; count: number; weight?: number }[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const rows = 5 + Math.floor(r() * r() * 240);
      for (let k = 0; k < rows; k++) {
        const p = 1 / (1 + Math.exp(strength[j]! - strength[i]!));
        const u = r();
        const outcome: Outcome = u < 0.18 ? (r() < 0.3 ? 'bothbad' : 'tie') : r() < p ? 'a' : 'b';
        const swap = r() < 0.5;
        const flipped: Outcome = outcome === 'a' ? 'b' : outcome === 'b' ? 'a' : outcome;
        const row = { modelA: names[swap ? j : i]!, modelB: names[swap ? i : j]!, outcome: swap ? flipped : outcome, count: 1 + Math.floor(r() * 3) };
        out.push(rowWeights && r() < 0.5 ? { ...row, weight: 0.3 + 2.7 * r() } : row);
      }
    }
  }
  return tableFromBattles(out);
}

