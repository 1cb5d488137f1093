import { choleskyInPlace, choleskySolveInPlace } from '../math/linalg.js';

/**
 * A concave maximisation problem over `x = (θ₁…θ_m, e₁…e_k)`: m strengths identified only up to a common shift
 * (kept centred, Σθ = 0) followed by k ordinary parameters (tie parameters, style coefficients).
 */
export interface NewtonProblem {
  /** Number of centred strengths θ (they come first in x). */
  readonly m: number;
  /** Number of further parameters. */
  readonly extra: number;
  /** Objective at x (natural log); −Infinity where x is infeasible. */
  value(x: Float64Array): number;
  /**
   * Objective, gradient `g` and negative Hessian `h` (n×n row-major, n = m + extra) at x. Returns the objective.
   * `g` and `h` are zeroed by the caller. `final` is true when x is expected to be the last point evaluated: a full
   * Newton step shorter than the tolerance (if it is accepted, the iteration stops there), or, with
   * {@link NewtonOptions.settleBelow}, a step short enough that the next one is expected below that bound (a problem
   * may then compute in the same pass what it needs at the estimate, e.g. a sandwich's meat).
   */
  derivatives(x: Float64Array, g: Float64Array, h: Float64Array, final: boolean): number;
}

/** Options of {@link newtonMaximise}. */
export interface NewtonOptions {
  /** Stop when the largest accepted step is below this (natural units). */
  readonly tolerance: number;
  /** Iteration limit. */
  readonly maxIterations: number;
  /**
   * Optional, for problems whose objective is concave without constraints: a Newton step whose largest entry is
   * below this (and below `tolerance`), computed from derivatives evaluated with `final` true, is taken without
   * another derivatives pass — the step changes the objective by O(step²), and the derivatives a caller kept from
   * that pass are those at a point within this bound of the estimate. Steps below √settleBelow evaluate their end
   * point with `final` true (quadratic convergence: the next step is then expected below settleBelow). Saves one
   * pass over the data per fit when a pass is the cost (the covariate fit on battle rows). Default: off.
   */
  readonly settleBelow?: number;
}

/** Result of {@link newtonMaximise}. */
export interface NewtonResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Newton's method with step halving for a concave objective whose first m parameters are strengths defined up to
 * a shift. The negative Hessian of such a problem is singular along v = (1,…,1, 0,…,0); adding c·vvᵀ (c = mean
 * diagonal of the strength block / m) makes it definite without changing steps with Σδθ = 0, which is where the
 * gradient lives. A step is accepted when the objective does not fall; strengths are re-centred after each step.
 * A Hessian that is not positive definite gets a growing ridge (Levenberg) before giving up unconverged.
 *
 * Cost per iteration: one `derivatives` call (and one at the start, no separate `value` there) plus O(n³/3) for the Cholesky solve (n = m + extra).
 * Reference: Nocedal & Wright (2006), Numerical Optimization, ch. 3 (line search Newton).
 */
export function newtonMaximise(p: NewtonProblem, x0: ArrayLike<number>, opts: NewtonOptions): NewtonResult {
  const it = newtonIteration(p.m, p.extra, x0, opts);
  let r = it.next();
  while (!r.done) {
    const q = r.value;
    r = it.next(q.kind === 'value' ? p.value(q.x) : p.derivatives(q.x, q.g, q.h, q.final));
  }
  return r.value;
}

/**
 * A {@link NewtonProblem} whose objective and derivatives come asynchronously (computed by a database: the DuckDB
 * engine's covariate fit runs one step query per derivatives call).
 */
export interface AsyncNewtonProblem {
  readonly m: number;
  readonly extra: number;
  value(x: Float64Array): Promise<number>;
  derivatives(x: Float64Array, g: Float64Array, h: Float64Array, final: boolean): Promise<number>;
}

/**
 * {@link newtonMaximise} over an {@link AsyncNewtonProblem}: the same iteration (one generator drives both), so the
 * same points are evaluated in the same order and the same stopping rule applies. Cost: as newtonMaximise.
 */
export async function newtonMaximiseAsync(p: AsyncNewtonProblem, x0: ArrayLike<number>, opts: NewtonOptions): Promise<NewtonResult> {
  const it = newtonIteration(p.m, p.extra, x0, opts);
  let r = it.next();
  while (!r.done) {
    const q = r.value;
    r = it.next(q.kind === 'value' ? await p.value(q.x) : await p.derivatives(q.x, q.g, q.h, q.final));
  }
  return r.value;
}

/** What the iteration asks of its problem: the objective at x, or the derivatives into g and h (zeroed). */
type NewtonRequest =
  | { readonly kind: 'value'; readonly x: Float64Array }
  | { readonly kind: 'derivatives'; readonly x: Float64Array; readonly g: Float64Array; readonly h: Float64Array; readonly final: boolean };

/** The body of {@link newtonMaximise}: yields each evaluation it needs and receives the objective back. */
function* newtonIteration(m: number, extra: number, x0: ArrayLike<number>, opts: NewtonOptions): Generator<NewtonRequest, NewtonResult, number> {
  const n = m + extra;
  const x = Float64Array.from(x0);
  centreFirst(x, m);
  let g = new Float64Array(n);
  let h = new Float64Array(n * n);
  const trial = new Float64Array(n);
  const step = new Float64Array(n);
  let gT = new Float64Array(n);
  let hT = new Float64Array(n * n);
  // the derivatives at the start (the first iteration needs them): their objective checks that x0 is feasible
  let f: number = yield { kind: 'derivatives', x, g, h, final: false };
  let have = true;
  // whether the derivatives at x were evaluated with final = true
  let atFinal = false;
  const settle = opts.settleBelow ?? 0;
  let iterations = 0;
  let converged = false;
  if (!Number.isFinite(f)) return { x, value: yield { kind: 'value', x }, iterations, converged };
  while (iterations < opts.maxIterations) {
    iterations++;
    if (!have) {
      g.fill(0);
      h.fill(0);
      f = yield { kind: 'derivatives', x, g, h, final: false };
    }
    have = false;
    let trace = 0;
    for (let v = 0; v < m; v++) trace += h[v * n + v]!;
    const c = trace > 0 ? trace / (m * m) : 1;
    for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) h[r * n + s]! += c;
    let solved = false;
    const hCopy = Float64Array.from(h);
    let ridge = 0;
    let diagMax = 0;
    for (let v = 0; v < n; v++) diagMax = Math.max(diagMax, Math.abs(h[v * n + v]!));
    for (let attempt = 0; attempt < 8 && !solved; attempt++) {
      if (attempt > 0) {
        h.set(hCopy);
        ridge = ridge ? ridge * 100 : Math.max(diagMax, 1) * 1e-10;
        for (let v = 0; v < n; v++) h[v * n + v]! += ridge;
      }
      solved = choleskyInPlace(h, n);
    }
    if (!solved) break;
    step.set(g);
    choleskySolveInPlace(h, n, step);
    let stepMax = 0;
    for (let v = 0; v < n; v++) stepMax = Math.max(stepMax, Math.abs(step[v]!));
    if (atFinal && stepMax < settle && stepMax < opts.tolerance) {
      // settled: the step is below the bound; the derivatives at x (evaluated as final) stand for the estimate's
      for (let v = 0; v < n; v++) x[v]! += step[v]!;
      centreFirst(x, m);
      converged = true;
      break;
    }
    let t = 1;
    let fNew = Number.NEGATIVE_INFINITY;
    const floor = f - 1e-12 * Math.abs(f);
    for (let halvings = 0; halvings < 60; halvings++) {
      for (let v = 0; v < n; v++) trial[v] = x[v]! + t * step[v]!;
      if (halvings === 0 && iterations < opts.maxIterations) {
        // the full step is usually taken: evaluate the derivatives there too, for the next iteration (not after
        // the last one: its derivatives would never be used)
        gT.fill(0);
        hT.fill(0);
        const final = stepMax < opts.tolerance || stepMax * stepMax < settle;
        fNew = yield { kind: 'derivatives', x: trial, g: gT, h: hT, final };
        have = fNew >= floor;
        atFinal = final && have;
      } else fNew = yield { kind: 'value', x: trial };
      if (fNew >= floor) break;
      t *= 0.5;
    }
    if (!(fNew >= floor)) {
      // no ascent along the Newton direction: at the optimum to machine precision when the step is tiny
      if (stepMax < opts.tolerance) converged = true;
      break;
    }
    x.set(trial);
    if (have) {
      // derivatives at the accepted full step (already centred: Σδθ = 0; re-centring below only removes rounding)
      [g, gT] = [gT, g];
      [h, hT] = [hT, h];
    }
    centreFirst(x, m);
    f = fNew;
    if (t * stepMax < opts.tolerance) {
      converged = true;
      break;
    }
  }
  return { x, value: f, iterations, converged };
}

/** Shifts the first m entries of x to sum to zero. */
export function centreFirst(x: Float64Array, m: number): void {
  if (m === 0) return;
  let s = 0;
  for (let v = 0; v < m; v++) s += x[v]!;
  const mean = s / m;
  for (let v = 0; v < m; v++) x[v]! -= mean;
}
