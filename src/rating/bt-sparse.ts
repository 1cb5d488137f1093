import { cgWork, conjugateGradient, type LaplacianSystem, laplacianSystem, refreshLaplacian } from '../math/sparse.js';
import { type BtCells, type BtFit, type BtFitOptions, btLineSearch, btLogLikelihood, btObjective, centre, DEFAULT_BT_FIT } from './bradley-terry.js';
import { pointsPerLogit } from './scale.js';

/** How a Bradley–Terry fit solves its Newton systems: dense Cholesky, or conjugate gradients on the pair cells. */
export type BtSolver = 'dense' | 'sparse';

/** `--solver`: a {@link BtSolver}, or `auto` ({@link resolveSolver}). */
export type SolverChoice = BtSolver | 'auto';

/**
 * Fewest models for which `auto` considers the sparse path (below it the dense WebAssembly Cholesky is fast and
 * LMArena-sized boards, 339 models, keep the dense path bit for bit).
 */
export const SPARSE_AUTO_MODELS = 400;

/** Models from which `auto` is sparse whatever the graph (the dense path's m×m matrices pass 128 MB each). */
export const SPARSE_ALWAYS_MODELS = 4000;

/**
 * Largest mean number of opponents per model, as a share of m, for which `auto` is sparse between
 * {@link SPARSE_AUTO_MODELS} and {@link SPARSE_ALWAYS_MODELS}: a chord step costs the dense path two triangular
 * solves (2m² operations) and the sparse one about 20 CG iterations over the cells (≈ 40·pairs), so the sparse
 * path pays when pairs ≤ m²/20 — opponents per model ≤ m/10. At 1,000 models (bench/sparse.mjs) a league of 40
 * opponents is at par either way and a near-complete graph (999 opponents) several times faster dense.
 */
export const SPARSE_MAX_DEGREE_SHARE = 0.1;

/**
 * The solver a choice means for m models and `pairs` cells: `auto` is sparse from {@link SPARSE_ALWAYS_MODELS}
 * models, or from {@link SPARSE_AUTO_MODELS} when the graph is sparse (2·pairs/m ≤ {@link SPARSE_MAX_DEGREE_SHARE}·m;
 * unknown pairs count as a complete graph). O(1).
 */
export function resolveSolver(choice: SolverChoice | undefined, m: number, pairs = (m * (m - 1)) / 2): BtSolver {
  if (choice === 'dense' || choice === 'sparse') return choice;
  if (m >= SPARSE_ALWAYS_MODELS) return 'sparse';
  return m >= SPARSE_AUTO_MODELS && (2 * pairs) / m <= SPARSE_MAX_DEGREE_SHARE * m ? 'sparse' : 'dense';
}

/**
 * Models from which `auto` runs bootstrap rounds on the sparse path even when the fit took it. A round's chord steps
 * solve with the full-data information, factored once per worker thread on the dense path (m³/3, then 2m² a step)
 * and by conjugate gradients each step on the sparse one: measured (bench/sparse.mjs, league graph, 40 opponents
 * each), dense rounds took 4.7 ms against 12 ms at 1,000 models and were at par at 2,000 (34 ms each, 100 rounds,
 * factorisation included), while at 3,000 the sparse rounds took half the time. Below this many models `auto` rounds
 * are dense on any graph.
 */
export const SPARSE_ROUNDS_MODELS = 2000;

/**
 * The solver of a Bradley–Terry bootstrap's rounds for m models whose fit took `fitSolver`: `auto` keeps the fit's,
 * except dense below {@link SPARSE_ROUNDS_MODELS} models. (Tie-model rounds refit by Newton, refactoring each step,
 * so they simply take the fit's solver.) O(1).
 */
export function resolveRoundsSolver(choice: SolverChoice | undefined, m: number, fitSolver: BtSolver): BtSolver {
  if (choice === 'dense' || choice === 'sparse') return choice;
  return m < SPARSE_ROUNDS_MODELS ? 'dense' : fitSolver;
}

/**
 * Models from which `auto` computes the sandwich on the sparse path (`sparseSandwich`: one CG solve per model's
 * variance, a whole board's solved 8 at a time by `sparseContrastVariances`). Below it the dense factors (O(m³) once,
 * then O(m) per entry; 24·m² bytes, 216 MB at 3,000) serve: boards up to 3,000 models keep the dense numbers bit for
 * bit, and the whole matrix (simultaneous ranks, the neighbour correlation) comes from the factors at once, where the
 * sparse path needs 2m single solves. A whole board's intervals alone are faster on the block path from about 1,000
 * models on a league graph (2026-11-30, one thread under load: 0.21 s against 0.48 s for the dense factors at
 * 1,000 models, 0.96 s against 3.5 s at 2,000); the threshold was not moved, so no number changes.
 */
export const SPARSE_SANDWICH_MODELS = 3000;

/** The solver of a Bradley–Terry sandwich for m models: `auto` is sparse above {@link SPARSE_SANDWICH_MODELS}. O(1). */
export function resolveSandwichSolver(choice: SolverChoice | undefined, m: number): BtSolver {
  if (choice === 'dense' || choice === 'sparse') return choice;
  return m > SPARSE_SANDWICH_MODELS ? 'sparse' : 'dense';
}

/**
 * Relative residual to which the sparse path solves each linear system (Newton steps, chord steps, sandwich
 * columns): 10⁻¹⁰ of the right-hand side's norm, so an inexact solve moves a result by far less than the fit's
 * tolerance (10⁻⁶ points) and the sparse and dense paths agree to it.
 */
export const SPARSE_SOLVE_TOLERANCE = 1e-10;

/**
 * Relative residual of the sparse chord steps of a bootstrap refit after the first (`FixedHessianRefit`): the chord
 * iteration's fixed point is g(θ) = 0 whatever the solve's accuracy, so an inexact step only slows its contraction
 * (by about this factor); its errors are corrected by the next steps.
 */
export const SPARSE_CHORD_TOLERANCE = 1e-6;

/**
 * Relative residual of a Newton step of {@link fitBradleyTerrySparse} while the steps are large (the previous one
 * above {@link LOOSE_STEP} natural units): an inexact Newton step (Dembo, Eisenstat & Steihaug 1982) whose error the
 * next steps remove; the last steps are solved to {@link SPARSE_SOLVE_TOLERANCE}.
 */
export const SPARSE_NEWTON_LOOSE_TOLERANCE = 1e-4;

/** Newton steps after one larger than this (natural units, about 1.7 points) are solved loosely. */
const LOOSE_STEP = 0.01;

/** Iteration cap of one conjugate-gradient solve (beyond it the solve, and the fit, report no convergence). */
export const SPARSE_MAX_CG = 5000;

/**
 * Writes the per-cell information weights n·p·(1−p) at θ into `sys.w` and the gradient of the penalised
 * log-likelihood into `g`, then refreshes the system's diagonal (λ = prior). p = γi/(γi+γj) with γ = e^θ when
 * |θ| < 300 (m exponentials), else σ(θi − θj) per cell. O(pairs + m).
 */
export function btSparseDerivatives(cells: BtCells, theta: ArrayLike<number>, prior: number, g: Float64Array, sys: LaplacianSystem, gamma: Float64Array): void {
  const m = cells.m;
  g.fill(0);
  let big = 0;
  for (let v = 0; v < m; v++) big = Math.max(big, Math.abs(theta[v]!));
  const small = big < 300;
  if (small) for (let v = 0; v < m; v++) gamma[v] = Math.exp(theta[v]!);
  const w = sys.w;
  for (let k = 0; k < cells.pairs; k++) {
    const n = cells.n[k]!;
    if (n === 0) {
      w[k] = 0;
      continue;
    }
    const i = cells.i[k]!;
    const j = cells.j[k]!;
    const p = small ? gamma[i]! / (gamma[i]! + gamma[j]!) : 1 / (1 + Math.exp(theta[j]! - theta[i]!));
    const r = cells.s[k]! - n * p;
    g[i]! += r;
    g[j]! -= r;
    w[k] = n * p * (1 - p);
  }
  if (prior) for (let v = 0; v < m; v++) g[v]! -= prior * theta[v]!;
  refreshLaplacian(sys, prior);
}

/** A {@link BtFit} of the sparse path, with the conjugate-gradient iterations it took. */
export interface SparseBtFit extends BtFit {
  /** Conjugate-gradient iterations summed over the Newton steps. */
  readonly cgIterations: number;
}

/**
 * Bradley–Terry maximum likelihood (optionally ridge-penalised) by Newton's method with step halving — the
 * iteration of {@link fitBradleyTerry}, same stopping rule and same centring — whose Newton systems
 * (L(n·p(1−p)) + λI + c·11ᵀ)·δ = g are solved by Jacobi-preconditioned conjugate gradients on the pair cells
 * instead of a dense Cholesky factorisation. Memory O(pairs + m), never m²; cost per Newton step
 * O(CG iterations · (pairs + m)) instead of O(pairs + m³/3). The steps after a large one are solved to a relative
 * residual of {@link SPARSE_NEWTON_LOOSE_TOLERANCE} (inexact Newton), the last ones to {@link SPARSE_SOLVE_TOLERANCE},
 * so the final iterates are Newton's to far below the tolerance and the result equals the dense path's to 10⁻⁶
 * rating points (property-tested). `chordFactor` / `chordSolve` are ignored (no factor).
 *
 * References: Dembo, Eisenstat & Steihaug (1982), "Inexact Newton methods", SIAM J. Numer. Anal. 19(2); Saad (2003),
 * "Iterative Methods for Sparse Linear Systems", §9.2 (Jacobi-preconditioned CG).
 */
export function fitBradleyTerrySparse(cells: BtCells, opts: Partial<BtFitOptions> = {}): SparseBtFit {
  const o = { ...DEFAULT_BT_FIT, ...opts };
  const m = cells.m;
  const theta = o.init ? Float64Array.from(o.init) : new Float64Array(m);
  centre(theta);
  const g = new Float64Array(m);
  const step = new Float64Array(m);
  const trial = new Float64Array(m);
  const gamma = new Float64Array(m);
  const sys = laplacianSystem(m, cells.i, cells.j, new Float64Array(cells.pairs), o.prior);
  const work = cgWork(m);
  const tolTheta = o.tolerance / pointsPerLogit(o.scale);
  let comparisons = 0;
  for (let k = 0; k < cells.pairs; k++) comparisons += cells.n[k]!;
  let f = btObjective(cells, theta, o.prior);
  let iterations = 0;
  let cgIterations = 0;
  let converged = false;
  let last = Number.POSITIVE_INFINITY;
  while (iterations < o.maxIterations && m > 1) {
    iterations++;
    btSparseDerivatives(cells, theta, o.prior, g, sys, gamma);
    step.fill(0);
    const cg = conjugateGradient(sys, g, step, last > LOOSE_STEP ? SPARSE_NEWTON_LOOSE_TOLERANCE : SPARSE_SOLVE_TOLERANCE, SPARSE_MAX_CG, work);
    cgIterations += cg.iterations;
    if (!cg.converged) break;
    const accepted = btLineSearch(cells, o.prior, theta, step, f, trial);
    if (!accepted) break;
    f = accepted.f;
    last = accepted.moved;
    if (last < tolTheta) {
      converged = true;
      break;
    }
  }
  if (m <= 1) converged = true;
  const logLikelihood = btLogLikelihood(cells, theta);
  return { theta, iterations, converged, objective: f, logLikelihood, comparisons, prior: o.prior, chordSteps: 0, cgIterations };
}
