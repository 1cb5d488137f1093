import type { BattleTable } from '../../src/data/table.js';

/**
 * Test-only re-implementations of the tie-model likelihoods and a deliberately different optimiser, written from
 * the textbook formulas and sharing no code with src/ (not the aggregation, not outcomeTerms, not the Newton or MM
 * solvers), for differential checks of the library's fits.
 *
 * Davidson (1970): P(i) = πi / (πi + πj + ν·√(πi·πj)), P(tie) = ν·√(πi·πj) / (…), πi = e^θi.
 * Rao & Kupper (1967): P(i) = πi / (πi + θ·πj), P(j) = πj / (θ·πi + πj), P(tie) = 1 − P(i) − P(j), θ = e^κ ≥ 1.
 * Bradley–Terry with ties as half a win (LMArena): s·log σ(d) + (n − s)·log σ(−d), s = wins + ties / 2.
 */
export type IndependentModel = 'davidson' | 'rao-kupper' | 'bt-half';

/** Pair cells counted directly from a battle table: i < j, w = wins of i, l = wins of j, t = ties of either label. */
export interface Cells3 {
  readonly m: number;
  readonly i: number[];
  readonly j: number[];
  readonly w: number[];
  readonly l: number[];
  readonly t: number[];
  readonly battles: number;
}

/** Counts a battle table into pair cells (outcome codes: 0 = A won, 1 = B won, 2 = tie, 3 = both bad). */
export function countCells(table: BattleTable): Cells3 {
  const byPair = new Map<number, [number, number, number]>();
  const m = table.models.length;
  let battles = 0;
  for (let r = 0; r < table.rows; r++) {
    const a = table.a[r]!;
    const b = table.b[r]!;
    const o = table.outcome[r]!;
    const c = table.count[r]!;
    battles += c;
    const key = Math.min(a, b) * m + Math.max(a, b);
    const cell = byPair.get(key) ?? [0, 0, 0];
    if (o >= 2) cell[2] += c;
    else if ((o === 0) === a < b) cell[0] += c;
    else cell[1] += c;
    byPair.set(key, cell);
  }
  const out: Cells3 = { m, i: [], j: [], w: [], l: [], t: [], battles };
  for (const [key, [w, l, t]] of byPair) {
    out.i.push(Math.floor(key / m));
    out.j.push(key % m);
    out.w.push(w);
    out.l.push(l);
    out.t.push(t);
  }
  return out;
}

const log1pExp = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** Log-likelihood of one cell with strength difference d = θi − θj and tie parameter eta (log ν, or log θ_RK). */
export function cellLogLikelihood(model: IndependentModel, d: number, eta: number, w: number, l: number, t: number): number {
  if (model === 'bt-half') {
    const s = w + t / 2;
    const n = w + l + t;
    return -s * log1pExp(-d) - (n - s) * log1pExp(d);
  }
  if (model === 'davidson') {
    // log Z with Z = e^{d/2} + e^{−d/2} + ν (dividing numerator and denominator by √(πi·πj))
    const x = [d / 2, -d / 2, eta];
    const top = Math.max(...x);
    const logZ = top + Math.log(x.reduce((s, v) => s + Math.exp(v - top), 0));
    return w * (d / 2 - logZ) + l * (-d / 2 - logZ) + t * (eta - logZ);
  }
  // Rao–Kupper, κ = eta: P(i) = σ(d − κ), P(j) = σ(−d − κ)
  const lpi = -log1pExp(-(d - eta));
  const lpj = -log1pExp(-(-d - eta));
  const pt = 1 - Math.exp(lpi) - Math.exp(lpj);
  return w * lpi + l * lpj + (t ? t * Math.log(pt) : 0);
}

/** Total log-likelihood of strengths theta and tie parameter eta. */
export function logLikelihood3(model: IndependentModel, c: Cells3, theta: ArrayLike<number>, eta: number): number {
  let ll = 0;
  for (let k = 0; k < c.i.length; k++) ll += cellLogLikelihood(model, theta[c.i[k]!]! - theta[c.j[k]!]!, eta, c.w[k]!, c.l[k]!, c.t[k]!);
  return ll;
}

/**
 * Maximum likelihood by cyclic coordinate ascent: one coordinate at a time (each θv, then the tie parameter),
 * a one-dimensional Newton step on central finite differences of the log-likelihood with step halving. Slow
 * (linear convergence) but simple, and unrelated to the library's joint Newton and MM iterations.
 */
export function coordinateAscent(model: IndependentModel, c: Cells3, opts: { tolerance?: number; maxSweeps?: number } = {}) {
  const m = c.m;
  const theta = new Float64Array(m);
  let eta = model === 'davidson' ? 0 : model === 'rao-kupper' ? 0.5 : 0;
  const touching: number[][] = Array.from({ length: m }, () => []);
  for (let k = 0; k < c.i.length; k++) {
    touching[c.i[k]!]!.push(k);
    touching[c.j[k]!]!.push(k);
  }
  const all = c.i.map((_, k) => k);
  const h = 1e-5;
  // one-dimensional Newton on f; returns the step taken
  const newton1 = (f: (x: number) => number, x: number, lowerBound = -Infinity): number => {
    const f0 = f(x);
    const fp = (f(x + h) - f(x - h)) / (2 * h);
    const fpp = (f(x + h) - 2 * f0 + f(x - h)) / (h * h);
    let step = fpp < 0 ? -fp / fpp : Math.sign(fp) * 0.5;
    step = Math.max(-2, Math.min(2, step));
    if (x + step <= lowerBound) step = (lowerBound - x) / 2;
    for (let halvings = 0; halvings < 40; halvings++) {
      if (f(x + step) >= f0) return step;
      step /= 2;
    }
    return 0;
  };
  let sweeps = 0;
  let largest = Infinity;
  const tol = opts.tolerance ?? 1e-10;
  while (sweeps < (opts.maxSweeps ?? 20000) && largest > tol) {
    sweeps++;
    largest = 0;
    for (let v = 0; v < m; v++) {
      const f = (x: number) => {
        let ll = 0;
        for (const k of touching[v]!) {
          const di = c.i[k] === v ? x : theta[c.i[k]!]!;
          const dj = c.j[k] === v ? x : theta[c.j[k]!]!;
          ll += cellLogLikelihood(model, di - dj, eta, c.w[k]!, c.l[k]!, c.t[k]!);
        }
        return ll;
      };
      const step = newton1(f, theta[v]!);
      theta[v]! += step;
      largest = Math.max(largest, Math.abs(step));
    }
    if (model !== 'bt-half') {
      const f = (x: number) => {
        let ll = 0;
        for (const k of all) ll += cellLogLikelihood(model, theta[c.i[k]!]! - theta[c.j[k]!]!, x, c.w[k]!, c.l[k]!, c.t[k]!);
        return ll;
      };
      const step = newton1(f, eta, model === 'rao-kupper' ? 0 : -Infinity);
      eta += step;
      largest = Math.max(largest, Math.abs(step));
    }
  }
  const mean = theta.reduce((s, x) => s + x, 0) / m;
  for (let v = 0; v < m; v++) theta[v]! -= mean;
  return { theta, eta, logLikelihood: logLikelihood3(model, c, theta, eta), sweeps, converged: largest <= tol };
}
