import { choleskyInPlace, choleskySolveInPlace } from '../math/linalg.js';
import { centreFirst } from '../rating/newton.js';
import type { BattleTable } from '../data/table.js';
import type { TiePolicy } from '../rating/bradley-terry.js';
import { addBattleBlock, type StyleDesign } from '../rating/style.js';
import { type OutcomeModel, outcomeTerms, type TieCells, type TieModel } from '../rating/tie-models.js';

/** What {@link tieLinearisation} reads of a tie-model bootstrap job (`TieBootstrapJob` in `./bootstrap-rounds`). */
export interface TieJobParts {
  readonly models: number;
  readonly model: TieModel;
  readonly cells: TieCells;
  /** Four per pair: wins of i, wins of j, ties (not both-bad), both-bad ties. */
  readonly counts: Float64Array;
  /** Weight of one battle of each of those cells (the two tie cells alike), or null (unweighted). */
  readonly weights?: Float64Array | null | undefined;
  readonly theta: Float64Array;
  readonly eta: number;
  readonly prior: number;
}

/** What {@link styleLinearisation} reads of a style-control bootstrap job (`StyleBootstrapJob`). */
export interface StyleJobParts {
  readonly models: number;
  readonly table: BattleTable;
  readonly design: StyleDesign;
  readonly outcome: OutcomeModel;
  /** The full-data free parameters (θ, active β, η). */
  readonly start: Float64Array;
  readonly prior: number;
  readonly stylePrior: number;
}

/** What {@link btLinearisation} reads of a Bradley–Terry bootstrap job (`BtBootstrapJob`). */
export interface BtJobParts {
  readonly models: number;
  readonly i: Int32Array;
  readonly j: Int32Array;
  /** Three per pair: wins of i, ties, wins of j. */
  readonly counts: Float64Array;
  /** Weight of one battle of each of those cells, or null (unweighted). */
  readonly weights?: Float64Array | null | undefined;
  readonly ties: TiePolicy;
  readonly theta: Float64Array;
  readonly prior: number;
}

/**
 * The one-step (chord) linearisation of a likelihood refit, over the cells that a bootstrap round resamples.
 *
 * A round draws cell counts n* ~ Multinomial(N, n/N) and refits. With the parameters x = (θ₁…θ_m, β₁…β_k, η)
 * (strengths, centred; then the active style coefficients; then the tie parameter, when the model has them), the
 * first chord iterate from the full-data fit x̂ is
 *
 *   L* = x̂ + H⁻¹·(Σ_c n*_c·s_c − Λx̂),
 *
 * where s_c is the score of one battle of cell c at x̂ — the gradient of its log-likelihood ℓ(d, η), d the logit
 * gap: s_c = (ℓ_d·(e_a − e_b), ℓ_d·x_c, ℓ_η), x_c the cell's standardised style differences —, Λ the ridge priors
 * (λ on θ, λ_β on β, none on η) and H the full-data information: Σ_c n_c·(−∇²ℓ_c) + Λ, with c·vvᵀ added along the
 * strengths' null direction v = (1,…,1, 0,…,0) (c = trace of the θ block / m²), so that H⁻¹ acts as the
 * pseudo-inverse on vectors with Σθ = 0, where every score lies. L* is linear in n*: its law is that of a sum of N
 * iid draws (see `./control-variate`), and it is what each round records as its control variate.
 *
 * Cells are, for a tie model, the pair × outcome cells (three per pair: wins of a, wins of b, ties — the two tie
 * labels share a score); for style control, the battle rows (each row has its own style differences). Bradley–Terry
 * has the same form (cells pair × outcome, no extra parameter), see {@link btLinearisation}; its runner takes the
 * control from its chord refit instead.
 */
export interface Linearisation {
  /** Strengths (the first m parameters). */
  readonly m: number;
  /** Active style coefficients (parameters m … m + features − 1). */
  readonly features: number;
  /** Whether the tie parameter η is the last parameter. */
  readonly eta: boolean;
  /** Parameters: m + features + (eta ? 1 : 0). */
  readonly n: number;
  /** Number of cells. */
  readonly cells: number;
  /** The two models of each cell: its score's strength part is ℓ_d·(e_a − e_b). */
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** Full-data count of each cell (the multinomial's weights; N = their sum). */
  readonly count: Float64Array;
  /** Weight of one battle of each cell (weighted data; its score and information are scaled by it), or null. */
  readonly weight: Float64Array | null;
  /** N, the battles drawn per round. */
  readonly battles: number;
  /** ∂ℓ/∂d of one battle of each cell at x̂. */
  readonly ld: Float64Array;
  /** ∂ℓ/∂η of one battle of each cell at x̂ (null without η). */
  readonly le: Float64Array | null;
  /** Style differences: cell c, coefficient s at `x[c·stride + columns[s]]` (null without style features). */
  readonly x: Float64Array | null;
  readonly stride: number;
  readonly columns: Int32Array;
  /** The full-data fit x̂ (n). */
  readonly xhat: Float64Array;
  /** Λx̂, the priors' part of the gradient at x̂ (n). */
  readonly priorGrad: Float64Array;
  /** Cholesky factor of H + c·vvᵀ (n × n, lower triangle), or null when H is not positive definite. */
  readonly factor: Float64Array | null;
}

/** What {@link linearise} needs: the cells with their outcome code, the outcome model, x̂ and the priors. */
interface Parts {
  m: number;
  features: number;
  eta: boolean;
  cells: number;
  a: Int32Array;
  b: Int32Array;
  count: Float64Array;
  weight?: Float64Array | null;
  outcome: (c: number) => number;
  model: OutcomeModel;
  x: Float64Array | null;
  stride: number;
  columns: Int32Array;
  xhat: Float64Array;
  priorGrad: Float64Array;
  /** Ridge per parameter (the diagonal of Λ). */
  ridge: Float64Array;
}

/**
 * Builds a {@link Linearisation}: per-cell scores at x̂ and the factored information (one pass over the cells, then
 * O(n³/3)). Cells with a zero count are never drawn; their scores are kept but add nothing to H.
 */
function linearise(p: Parts): Linearisation {
  const { m, features: kk, eta, cells, a, b, count, x, stride, columns, xhat } = p;
  const n = m + kk + (eta ? 1 : 0);
  const e = n - 1;
  const ld = new Float64Array(cells);
  const le = eta ? new Float64Array(cells) : null;
  const h = new Float64Array(n * n);
  const out = new Float64Array(6);
  const xr = new Float64Array(kk);
  const etaHat = eta ? xhat[e]! : 0;
  let battles = 0;
  for (let c = 0; c < cells; c++) {
    const ai = a[c]!;
    const bi = b[c]!;
    let d = xhat[ai]! - xhat[bi]!;
    for (let s = 0; s < kk; s++) {
      xr[s] = x![c * stride + columns[s]!]!;
      d += xhat[m + s]! * xr[s]!;
    }
    outcomeTerms(p.model, d, etaHat, p.outcome(c), out);
    // a battle of weight ω contributes ω·ℓ: its score and information are scaled by ω
    const omega = p.weight ? p.weight[c]! : 1;
    ld[c] = omega * out[1]!;
    if (le) le[c] = omega * out[2]!;
    const cnt = count[c]!;
    if (!cnt) continue;
    battles += cnt;
    const w = cnt * omega;
    // w·(−∇²ℓ) with the gap's gradient (e_a − e_b, x_c) and η
    addBattleBlock(h, n, m, kk, eta ? e : -1, ai, bi, xr, w * out[3]!, w * out[4]!, w * out[5]!);
  }
  for (let q = 0; q < n; q++) h[q * n + q]! += p.ridge[q]!;
  let trace = 0;
  for (let v = 0; v < m; v++) trace += h[v * n + v]!;
  const cc = trace > 0 ? trace / (m * m) : 1;
  for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) h[r * n + s]! += cc;
  const factor = choleskyInPlace(h, n) ? h : null;
  return { m, features: kk, eta, n, cells, a, b, count, weight: p.weight ?? null, battles, ld, le, x, stride, columns, xhat, priorGrad: p.priorGrad, factor };
}

/**
 * The one-step estimate L* = x̂ + H⁻¹·(Σ_c w_c·s_c − Λx̂) for cell counts `w` (a resample), strengths re-centred;
 * writes its first m entries (natural scale) into `out`, or NaN when H could not be factored. `g` is scratch of
 * length n. O(cells·(1 + features) + n²).
 */
export function linearStep(lin: Linearisation, w: ArrayLike<number>, g: Float64Array, out: Float64Array): void {
  const { m, n, features: kk, cells, a, b, ld, le, x, stride, columns, factor } = lin;
  if (!factor) {
    out.fill(Number.NaN, 0, m);
    return;
  }
  g.fill(0);
  let ge = 0;
  for (let c = 0; c < cells; c++) {
    const wc = w[c]!;
    if (!wc) continue;
    const gd = wc * ld[c]!;
    g[a[c]!]! += gd;
    g[b[c]!]! -= gd;
    for (let s = 0; s < kk; s++) g[m + s]! += gd * x![c * stride + columns[s]!]!;
    if (le) ge += wc * le[c]!;
  }
  if (le) g[n - 1]! += ge;
  for (let q = 0; q < n; q++) g[q]! -= lin.priorGrad[q]!;
  choleskySolveInPlace(factor, n, g);
  for (let q = 0; q < n; q++) g[q]! += lin.xhat[q]!;
  centreFirst(g, m);
  for (let v = 0; v < m; v++) out[v] = g[v]!;
}

/** The three outcome cells of a pair in cell order: 0 = the pair's lower id won, 1 = the higher id won, 2 = a tie. */
const pairOutcome = (c: number) => c % 3;

/** The ridge diagonal of Λ and Λx̂ for strengths with prior λ and style coefficients with prior λ_β. */
function priors(m: number, kk: number, n: number, xhat: Float64Array, prior: number, stylePrior: number): { ridge: Float64Array; priorGrad: Float64Array } {
  const ridge = new Float64Array(n);
  for (let v = 0; v < m; v++) ridge[v] = prior;
  for (let s = 0; s < kk; s++) ridge[m + s] = stylePrior;
  const priorGrad = Float64Array.from(xhat, (x, q) => ridge[q]! * x);
  return { ridge, priorGrad };
}

/**
 * The linearisation of a tie-model bootstrap (Davidson, Rao–Kupper): three cells per pair — wins of i, wins of j,
 * ties (both tie labels: under `--both-bad separate` the split share does not enter θ or η) —, parameters (θ, η).
 * With no tie in the data the model sits on its boundary (Bradley–Terry on the decided battles) and has no η.
 * Cell c = 3k + o for pair k; the round's cell counts are {@link tieCellCounts}. O(pairs + m³/3).
 */
export function tieLinearisation(job: TieJobParts): Linearisation {
  const c = job.cells;
  const K = c.pairs;
  const m = job.models;
  const a = new Int32Array(3 * K);
  const b = new Int32Array(3 * K);
  const count = new Float64Array(3 * K);
  const jw = job.weights ?? null;
  const weight = jw ? new Float64Array(3 * K) : null;
  let ties = 0;
  for (let k = 0; k < K; k++) {
    for (let o = 0; o < 3; o++) {
      a[3 * k + o] = c.i[k]!;
      b[3 * k + o] = c.j[k]!;
    }
    count[3 * k] = job.counts[4 * k]!;
    count[3 * k + 1] = job.counts[4 * k + 1]!;
    count[3 * k + 2] = job.counts[4 * k + 2]! + job.counts[4 * k + 3]!;
    if (weight) {
      weight[3 * k] = jw![4 * k]!;
      weight[3 * k + 1] = jw![4 * k + 1]!;
      weight[3 * k + 2] = jw![4 * k + 2]!; // the two tie cells share one weight
    }
    ties += count[3 * k + 2]!;
  }
  const eta = ties > 0;
  const xhat = new Float64Array(m + (eta ? 1 : 0));
  xhat.set(job.theta.subarray(0, m));
  if (eta) xhat[m] = job.eta;
  const pr = priors(m, 0, xhat.length, xhat, job.prior, 0);
  return linearise({ m, features: 0, eta, cells: 3 * K, a, b, count, weight, outcome: pairOutcome, model: eta ? job.model : 'ignore', x: null, stride: 0, columns: new Int32Array(0), xhat, ...pr });
}

/** A tie round's counts per linearisation cell (three per pair) from its drawn counts (four per pair). O(pairs). */
export function tieCellCounts(drawn: ArrayLike<number>, out: Float64Array): void {
  const K = out.length / 3;
  for (let k = 0; k < K; k++) {
    out[3 * k] = drawn[4 * k]!;
    out[3 * k + 1] = drawn[4 * k + 1]!;
    out[3 * k + 2] = drawn[4 * k + 2]! + drawn[4 * k + 3]!;
  }
}

/**
 * The linearisation of a style-control bootstrap: one cell per battle row (count = the row's count, style
 * differences = its row of the standardised design), parameters (θ, active β, η when the outcome is a tie model
 * and the data has ties) as in `fitStyleControl`. Its cells are the rows the round's weights are drawn over.
 * O(rows·k² + n³/3).
 */
export function styleLinearisation(job: StyleJobParts): Linearisation {
  const t = job.table;
  const m = job.models;
  const act: number[] = [];
  const K = job.design.features.length;
  for (let q = 0; q < K; q++) if (job.design.active[q]) act.push(q);
  const kk = act.length;
  let ties = 0;
  for (let r = 0; r < t.rows; r++) if (t.outcome[r]! >= 2) ties += t.count[r]!;
  const tieModel = job.outcome === 'davidson' || job.outcome === 'rao-kupper';
  const eta = tieModel && ties > 0;
  const n = m + kk + (eta ? 1 : 0);
  const xhat = Float64Array.from(job.start.subarray(0, n));
  const pr = priors(m, kk, n, xhat, job.prior, job.stylePrior);
  const outcome = (r: number) => (t.outcome[r]! >= 2 ? 2 : t.outcome[r]!);
  return linearise({
    m,
    features: kk,
    eta,
    cells: t.rows,
    a: t.a,
    b: t.b,
    count: job.design.rowWeight ? Float64Array.from(t.count, (c, r) => c * job.design.rowWeight![r]!) : Float64Array.from(t.count),
    outcome,
    model: tieModel && !eta ? 'ignore' : job.outcome,
    x: kk ? job.design.x : null,
    stride: K,
    columns: Int32Array.from(act),
    xhat,
    ...pr,
  });
}

/**
 * Bradley–Terry in the same form (three cells per pair — wins of i, ties, wins of j as in `job.counts` —, score
 * y − p, no extra parameter). The BT runner does not need it (its chord refit's first iterate is the same one-step
 * estimate) and the BT laws use per-pair power sums (`./control-variate`), which this form reproduces: it exists
 * to check the general path against them. O(pairs + m³/3).
 */
export function btLinearisation(job: BtJobParts): Linearisation {
  const K = job.i.length;
  const m = job.models;
  const a = new Int32Array(3 * K);
  const b = new Int32Array(3 * K);
  for (let k = 0; k < K; k++) {
    for (let o = 0; o < 3; o++) {
      a[3 * k + o] = job.i[k]!;
      b[3 * k + o] = job.j[k]!;
    }
  }
  const xhat = Float64Array.from(job.theta);
  const pr = priors(m, 0, m, xhat, job.prior, 0);
  // job.counts order: wins of i, ties, wins of j — outcomeTerms' codes 0 (i won), 2 (tie), 1 (j won); ignored ties
  // are still drawn (they count in N) but have score 0 and add nothing to H
  const model: OutcomeModel = job.ties === 'half' ? 'half' : 'ignore';
  return linearise({ m, features: 0, eta: false, cells: 3 * K, a, b, count: Float64Array.from(job.counts), weight: job.weights ?? null, outcome: (c) => BT_OUTCOME[c % 3]!, model, x: null, stride: 0, columns: new Int32Array(0), xhat, ...pr });
}

const BT_OUTCOME = [0, 2, 1] as const;
