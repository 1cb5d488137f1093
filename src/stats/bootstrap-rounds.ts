import type { PairCounts } from '../data/aggregate.js';
import type { BattleTable } from '../data/table.js';
import { type BtCells, fitBradleyTerry, type TiePolicy } from '../rating/bradley-terry.js';
import { type BtSolver, fitBradleyTerrySparse } from '../rating/bt-sparse.js';
import { replayEloRows } from '../rating/elo.js';
import { analyseGraph } from '../rating/graph.js';
import { pointsPerLogit } from '../rating/scale.js';
import { deriveRng, type Rng } from '../rng.js';
import { FixedHessianRefit } from '../rating/bt-refit.js';
import { fitStyleControl, type StyleDesign } from '../rating/style.js';
import { fitTieModel, type TieCells, type TieModel } from '../rating/tie-models.js';
import { fitTieModelSparse } from '../rating/tie-sparse.js';
import { countMultinomialInto, prepareCountMultinomial } from './count-multinomial.js';
import { linearStep, styleLinearisation, tieCellCounts, tieLinearisation } from './linearisation.js';

/** Ridge prior used for a bootstrap round whose resample has no maximum-likelihood estimate (as `AUTO_PRIOR`). */
export const ROUND_PRIOR = 0.01;

/**
 * A Bradley–Terry bootstrap, as plain data (it is posted to worker threads as is). The resampled law is the
 * multinomial over the aggregated cells — per pair: wins of i, ties (both labels), wins of j — with the observed
 * counts as weights and the number of battles as size, which is exactly the law of the cell counts of `battles`
 * rows drawn with replacement. The two tie labels share one cell because every tie policy of the fit treats
 * them alike (merging cells of a multinomial keeps it multinomial, so the fitted law is unchanged).
 * Each round draws the cell counts exactly from that law with `countMultinomialInto` (Poissonisation with tabulated
 * Poisson laws and an alias fix-up, O(cells + √battles)) and refits with the fixed-Hessian chord iteration.
 */
export interface BtBootstrapJob {
  readonly kind: 'bt';
  /** Number of models. */
  readonly models: number;
  /** Lower / higher model id of each pair. */
  readonly i: Int32Array;
  readonly j: Int32Array;
  /** Observed counts, three per pair: wins of i, ties (both labels), wins of j. */
  readonly counts: Float64Array;
  /** Battles drawn per round (Σ counts). */
  readonly battles: number;
  /**
   * Weighted data (`../data/weights`): the weight of one battle of each cell, laid out like `counts` (the mean
   * Σw/c of its cell in the full data, the two tie labels merged); a round's cell counts are multiplied by it, so
   * the pair weights stay those of the full data. null: unweighted.
   */
  readonly weights?: Float64Array | null | undefined;
  readonly ties: TiePolicy;
  /** Full-data strengths θ̂ (natural scale, Σθ = 0): warm start and Hessian point. */
  readonly theta: Float64Array;
  /** Ridge prior of the full-data fit (0 = maximum likelihood). */
  readonly prior: number;
  /** Convergence tolerance in rating points. */
  readonly tolerance: number;
  readonly scale: number;
  readonly base: number;
  /** Added to scale·θ/ln(base) to give display ratings: the initial rating plus the anchor shift. */
  readonly offset: number;
  /**
   * How the rounds solve with H₀ (`resolveRoundsSolver` of the fit's): `dense` Cholesky once, or `sparse` conjugate gradients
   * per chord step (absent: dense).
   */
  readonly solver?: BtSolver | undefined;
}

/**
 * Most models for which a sparse Bradley–Terry bootstrap keeps control variates: their exact law needs the dense
 * H⁻¹ (8·m² bytes, O(m³) once; `linearBootstrapModel`). Beyond it the rounds take plain quantiles.
 */
export const SPARSE_CONTROL_MAX_MODELS = 2000;

/**
 * An online-Elo bootstrap as plain data: the battles expanded to one row per battle (a row with `count` c
 * becomes c rows), resampled with replacement and replayed **in their original order** each round, so the rounds
 * vary the same estimator the point replays (online Elo depends on order). FastChat's `get_bootstrap_result`
 * (`battles.sample(frac=1.0, replace=True)` then `compute_elo`) replays the resample in random order instead: it
 * measures Elo over random orders, whose centre can lie far from the in-order rating FastChat reports (on the
 * 2024-08-14 count rows, gpt-4o-mini's in-order 1068.4 lay below all 100 rounds), so its interval need not contain
 * the point.
 */
export interface EloBootstrapJob {
  readonly kind: 'elo';
  readonly models: number;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly outcome: Uint8Array;
  readonly k: number;
  readonly scale: number;
  readonly base: number;
  readonly initial: number;
  readonly ties: TiePolicy;
  /** Anchor shift added to every replayed rating. */
  readonly shift: number;
}

/**
 * A tie-model bootstrap (Davidson, Rao–Kupper) as plain data: each round is an exact multinomial draw of the pair ×
 * outcome cells (wins of i, wins of j, ties, both-bad ties — the law of resampling the battles with replacement),
 * refitted by Newton warm-started at the full-data (θ̂, η̂). Extra parameter per round: η. Control variate per
 * round: the one-step estimate of (θ, η) from (θ̂, η̂) with the full-data information (`tieLinearisation`).
 */
export interface TieBootstrapJob {
  readonly kind: 'tie';
  readonly models: number;
  readonly model: TieModel;
  readonly cells: TieCells;
  /** Observed counts, four per pair: wins of i, wins of j, ties (not both-bad), both-bad ties. */
  readonly counts: Float64Array;
  readonly battles: number;
  /** Weight of one battle of each cell, laid out like `counts` (the two tie cells share their merged mean), or null. */
  readonly weights?: Float64Array | null | undefined;
  readonly theta: Float64Array;
  readonly eta: number;
  readonly prior: number;
  readonly tolerance: number;
  readonly scale: number;
  readonly base: number;
  /** Added to scale·θ/ln(base) to give display ratings. */
  readonly offset: number;
  /**
   * How the rounds refit: `dense` (`fitTieModel`, default) or `sparse` (`fitTieModelSparse`, bordered conjugate
   * gradients on the cells; control variates only up to {@link SPARSE_CONTROL_MAX_MODELS} models).
   */
  readonly solver?: BtSolver | undefined;
}

/**
 * A style-control (covariates) bootstrap as plain data: each round draws the battle rows with replacement (an exact
 * multinomial over the rows, a row of count c standing for c battles) and refits θ, β (and η) on the same
 * standardised design (and the same pair weights, `design.rowWeight`), warm-started at the full-data x. Extra
 * parameters per round: the K β (style features, then covariates), then η.
 * Control variate per round: the one-step estimate of x from x̂ with the full-data information
 * (`styleLinearisation`), one pass over the rows.
 */
export interface StyleBootstrapJob {
  readonly kind: 'style';
  readonly models: number;
  readonly table: BattleTable;
  readonly design: StyleDesign;
  readonly outcome: 'half' | 'ignore' | TieModel;
  /** Full-data free parameters (θ, active β, η). */
  readonly start: Float64Array;
  readonly prior: number;
  readonly stylePrior: number;
  readonly tolerance: number;
  readonly scale: number;
  readonly base: number;
  readonly offset: number;
}

/** A bootstrap job of any model of the family. */
export type BootstrapJob = BtBootstrapJob | EloBootstrapJob | TieBootstrapJob | StyleBootstrapJob;

/**
 * Whether a job's rounds record control variates: every likelihood model (Bradley–Terry, tie models, style
 * control) — Bradley–Terry and the tie models on the sparse path up to {@link SPARSE_CONTROL_MAX_MODELS} models; online Elo has no
 * linearisation.
 */
export function jobHasControl(job: BootstrapJob): boolean {
  if (job.kind === 'bt' || job.kind === 'tie') return job.solver !== 'sparse' || job.models <= SPARSE_CONTROL_MAX_MODELS;
  return job.kind !== 'elo';
}

/** Number of extra (non-rating) parameters a job's rounds record: η for tie models, β and η for style control. */
export function jobExtras(job: BootstrapJob): number {
  return job.kind === 'tie' ? 1 : job.kind === 'style' ? job.design.features.length + 1 : 0;
}

/** Per-round diagnostics, summed over rounds. */
export interface RoundStats {
  /** BT rounds refitted by full Newton because the fixed-Hessian iteration did not settle. */
  fallbacks: number;
  /** Rounds whose resample had no maximum-likelihood estimate and were fitted with {@link ROUND_PRIOR}. */
  degenerate: number;
  /** Tie-model and style rounds whose Newton refit did not converge (their last iterate is kept). */
  unconverged: number;
}

/** Builds a {@link BtBootstrapJob} from the full-data cells and fit. O(pairs). */
export function btBootstrapJob(
  pc: PairCounts,
  fit: { theta: Float64Array; prior: number },
  opts: { ties: TiePolicy; tolerance: number; scale: number; base: number; offset: number; solver?: BtSolver | undefined },
): BtBootstrapJob {
  const counts = new Float64Array(3 * pc.pairs);
  const w = pc.weight;
  const weights = w ? new Float64Array(3 * pc.pairs) : null;
  let battles = 0;
  for (let k = 0; k < pc.pairs; k++) {
    counts[3 * k] = pc.winsI[k]!;
    counts[3 * k + 1] = pc.ties[k]! + pc.bothbad[k]!;
    counts[3 * k + 2] = pc.winsJ[k]!;
    battles += counts[3 * k]! + counts[3 * k + 1]! + counts[3 * k + 2]!;
    if (weights) {
      const mean = (sum: number, c: number) => (c > 0 ? sum / c : 1);
      weights[3 * k] = mean(w![4 * k]!, counts[3 * k]!);
      weights[3 * k + 1] = mean(w![4 * k + 2]! + w![4 * k + 3]!, counts[3 * k + 1]!);
      weights[3 * k + 2] = mean(w![4 * k + 1]!, counts[3 * k + 2]!);
    }
  }
  return {
    kind: 'bt',
    models: pc.models.length,
    i: pc.i,
    j: pc.j,
    counts,
    battles,
    weights,
    ties: opts.ties,
    theta: fit.theta,
    prior: fit.prior,
    tolerance: opts.tolerance,
    scale: opts.scale,
    base: opts.base,
    offset: opts.offset,
    ...(opts.solver === 'sparse' ? { solver: 'sparse' as const } : {}),
  };
}

/** Builds an {@link EloBootstrapJob}: rows expanded to one per battle. O(battles). */
export function eloBootstrapJob(t: BattleTable, opts: { k: number; scale: number; base: number; initial: number; ties: TiePolicy; shift: number }): EloBootstrapJob {
  const n = t.battles;
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const outcome = new Uint8Array(n);
  let q = 0;
  for (let r = 0; r < t.rows; r++) {
    for (let c = t.count[r]!; c > 0; c--) {
      a[q] = t.a[r]!;
      b[q] = t.b[r]!;
      outcome[q++] = t.outcome[r]!;
    }
  }
  return { kind: 'elo', models: t.models.length, a, b, outcome, k: opts.k, scale: opts.scale, base: opts.base, initial: opts.initial, ties: opts.ties, shift: opts.shift };
}

/**
 * A prepared job: runs round `r` into `out` (display ratings, length = models). Likelihood runners (Bradley–Terry,
 * tie models, style control) also write the round's control variate into `control` when given: the one-step
 * estimate x̂ + H₀⁻¹·g*(x̂) on the display scale (its strengths), a linear function of the resampled counts whose
 * exact law is known (see `./linearisation` and `./control-variate`).
 */
export interface RoundRunner {
  readonly models: number;
  /** Whether `run` writes control variates (see {@link jobHasControl}). */
  readonly hasControl: boolean;
  /** Extra parameters per round (see {@link jobExtras}), written into `extra` when given. */
  readonly extras: number;
  run(round: number, out: Float64Array, stats: RoundStats, control?: Float64Array, extra?: Float64Array): void;
}

/** The random stream of bootstrap round `r`: independent of every other round, so rounds can run anywhere. */
export function roundRng(seed: string | number, round: number): Rng {
  return deriveRng(seed, 'bootstrap', round);
}

/**
 * Prepares a job for running rounds (factors H₀ for BT, once). Every round draws only from
 * {@link roundRng}(seed, r) and starts from the same full-data state, so round r gives the same numbers whichever
 * thread runs it and in whatever order: results are bit-identical for any number of worker threads.
 */
export function prepareRounds(job: BootstrapJob, seed: string | number): RoundRunner {
  switch (job.kind) {
    case 'bt':
      return prepareBt(job, seed);
    case 'elo':
      return prepareElo(job, seed);
    case 'tie':
      return prepareTie(job, seed);
    case 'style':
      return prepareStyle(job, seed);
  }
}

/** Whether cells with scores s of n have no maximum-likelihood estimate (graph not strongly connected). O(pairs + m). */
function degenerateCells(m: number, i: Int32Array, j: Int32Array, s: Float64Array, n: Float64Array): boolean {
  return analyseGraph({ m, pairs: i.length, i, j, s, n }).groups > 1;
}

function prepareTie(job: TieBootstrapJob, seed: string | number): RoundRunner {
  const c = job.cells;
  const K = c.pairs;
  const m = job.models;
  const f = pointsPerLogit(job);
  const plan = prepareCountMultinomial(job.counts, job.battles);
  const drawn = new Float64Array(4 * K);
  const s = new Float64Array(K);
  const n = new Float64Array(K);
  const fit = { tolerance: job.tolerance, scale: job, maxIterations: 200, init: job.theta, initEta: job.eta };
  // the linearisation holds the dense inverse information: not formed for a sparse job beyond its limit
  const hasControl = jobHasControl(job);
  const lin = hasControl ? tieLinearisation(job) : null;
  const refit = job.solver === 'sparse' ? fitTieModelSparse : fitTieModel;
  const cellCounts = new Float64Array(3 * K);
  const g = new Float64Array(lin ? lin.n : 0);
  const first = new Float64Array(m);
  return {
    models: m,
    hasControl,
    extras: 1,
    run(round, out, stats, control, extra) {
      countMultinomialInto(roundRng(seed, round), plan, drawn);
      // the control variate is linear in the drawn battle counts (its cells carry the weights)
      if (control && lin) {
        tieCellCounts(drawn, cellCounts);
        linearStep(lin, cellCounts, g, first);
        for (let v = 0; v < m; v++) control[v] = f * first[v]! + job.offset;
      }
      if (job.weights) for (let q = 0; q < drawn.length; q++) drawn[q]! *= job.weights[q]!;
      const w = new Float64Array(K);
      const l = new Float64Array(K);
      const t = new Float64Array(K);
      const bb = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        w[k] = drawn[4 * k]!;
        l[k] = drawn[4 * k + 1]!;
        bb[k] = drawn[4 * k + 3]!;
        t[k] = drawn[4 * k + 2]! + bb[k]!;
        s[k] = w[k]! + 0.5 * t[k]!;
        n[k] = w[k]! + l[k]! + t[k]!;
      }
      let prior = job.prior;
      if (!(prior > 0) && degenerateCells(m, c.i, c.j, s, n)) {
        prior = ROUND_PRIOR;
        stats.degenerate++;
      }
      const r = refit(job.model, { ...c, w, l, t, bb }, { ...fit, prior });
      if (!r.converged) stats.unconverged++;
      for (let v = 0; v < m; v++) out[v] = f * r.theta[v]! + job.offset;
      if (extra) extra[0] = r.eta;
    },
  };
}

function prepareStyle(job: StyleBootstrapJob, seed: string | number): RoundRunner {
  const t = job.table;
  const m = job.models;
  const f = pointsPerLogit(job);
  const counts = Float64Array.from(t.count);
  const plan = prepareCountMultinomial(counts, t.battles);
  // pair cell of each row, for the degeneracy check of a resample
  const cellOf = new Int32Array(t.rows);
  const index = new Map<number, number>();
  const pi: number[] = [];
  const pj: number[] = [];
  for (let r = 0; r < t.rows; r++) {
    const lo = Math.min(t.a[r]!, t.b[r]!);
    const hi = Math.max(t.a[r]!, t.b[r]!);
    let k = index.get(lo * m + hi);
    if (k === undefined) {
      k = pi.length;
      index.set(lo * m + hi, k);
      pi.push(lo);
      pj.push(hi);
    }
    cellOf[r] = k;
  }
  const ci = Int32Array.from(pi);
  const cj = Int32Array.from(pj);
  const s = new Float64Array(ci.length);
  const n = new Float64Array(ci.length);
  const ignoreTies = job.outcome === 'ignore';
  const fit = { outcome: job.outcome, stylePrior: job.stylePrior, tolerance: job.tolerance, scale: job, maxIterations: 200, init: job.start, covariance: false };
  const lin = styleLinearisation(job);
  const K = job.design.features.length;
  const rw = job.design.rowWeight;
  const g = new Float64Array(lin.n);
  const first = new Float64Array(m);
  return {
    models: m,
    hasControl: true,
    extras: K + 1,
    run(round, out, stats, control, extra) {
      const weights = new Float64Array(t.rows);
      countMultinomialInto(roundRng(seed, round), plan, weights);
      if (control) {
        // the linearisation's cells carry the pair weights (count·w): scale the drawn counts alike
        linearStep(lin, rw ? weights.map((x, q) => x * rw[q]!) : weights, g, first);
        for (let v = 0; v < m; v++) control[v] = f * first[v]! + job.offset;
      }
      let prior = job.prior;
      if (!(prior > 0)) {
        s.fill(0);
        n.fill(0);
        for (let q = 0; q < t.rows; q++) {
          const w = weights[q]!;
          if (!w) continue;
          const o = t.outcome[q]!;
          if (o >= 2 && ignoreTies) continue;
          const k = cellOf[q]!;
          n[k]! += w;
          const aLow = t.a[q]! < t.b[q]!;
          s[k]! += o >= 2 ? 0.5 * w : (o === 0) === aLow ? w : 0;
        }
        if (degenerateCells(m, ci, cj, s, n)) {
          prior = ROUND_PRIOR;
          stats.degenerate++;
        }
      }
      const r = fitStyleControl(t, job.design, { ...fit, prior, weights });
      if (!r.converged) stats.unconverged++;
      for (let v = 0; v < m; v++) out[v] = f * r.theta[v]! + job.offset;
      if (extra) {
        extra.set(r.beta, 0);
        extra[K] = r.eta;
      }
    },
  };
}

function prepareBt(job: BtBootstrapJob, seed: string | number): RoundRunner {
  const m = job.models;
  const pairs = job.i.length;
  const f = pointsPerLogit(job);
  const tolTheta = job.tolerance / f;
  const full = btJobCells(job, job.counts);
  const solver = job.solver ?? 'dense';
  const refitter = new FixedHessianRefit(full, job.theta, job.prior, tolTheta, 60, solver);
  const hasControl = jobHasControl(job);
  const plan = prepareCountMultinomial(job.counts, job.battles);
  const drawn = new Float64Array(job.counts.length);
  // the round's cells straight into the refitter's arrays (no copy)
  const own = refitter.buffers();
  const s = own ? own.s : new Float64Array(pairs);
  const n = own ? own.n : new Float64Array(pairs);
  const theta = new Float64Array(m);
  const first = new Float64Array(m);
  const half = job.ties === 'half';
  return {
    models: m,
    hasControl,
    extras: 0,
    run(round, out, stats, control) {
      countMultinomialInto(roundRng(seed, round), plan, drawn);
      if (job.weights) for (let q = 0; q < drawn.length; q++) drawn[q]! *= job.weights[q]!;
      foldBtCounts(drawn, s, n, pairs, half);
      const r = refitter.refit(s, n, theta, control ? first : undefined);
      if (control) for (let v = 0; v < m; v++) control[v] = f * first[v]! + job.offset;
      if (!r.converged) {
        stats.fallbacks++;
        const cells: BtCells = { m, pairs, i: job.i, j: job.j, s, n };
        let prior = job.prior;
        if (prior === 0 && analyseGraph(cells).groups > 1) {
          prior = ROUND_PRIOR;
          stats.degenerate++;
        }
        const o = { prior, tolerance: job.tolerance, scale: job, maxIterations: 200, init: job.theta };
        const fit = solver === 'sparse' ? fitBradleyTerrySparse(cells, o) : fitBradleyTerry(cells, o);
        theta.set(fit.theta);
      }
      for (let v = 0; v < m; v++) out[v] = f * theta[v]! + job.offset;
    },
  };
}

/**
 * A round's Bradley–Terry cells from its drawn counts (three per pair: wins of i, ties, wins of j): score s = wins
 * of i + ½·ties under `half` (else ties dropped), count n. A function of its own so that V8 optimises the loop alone
 * (inside the round's closure it ran ~5× slower). O(pairs).
 */
function foldBtCounts(drawn: Float64Array, s: Float64Array, n: Float64Array, pairs: number, half: boolean): void {
  for (let k = 0; k < pairs; k++) {
    const wi = drawn[3 * k]!;
    const t = half ? drawn[3 * k + 1]! : 0;
    s[k] = wi + 0.5 * t;
    n[k] = wi + t + drawn[3 * k + 2]!;
  }
}

/**
 * The Bradley–Terry cells (score s = wins of i + ½·ties under `half`, count n) of a job's pairs for cell counts laid
 * out like `job.counts` (three per pair), each count multiplied by its cell's weight on weighted data. O(pairs).
 */
export function btJobCells(job: Pick<BtBootstrapJob, 'i' | 'j' | 'models' | 'ties'> & { readonly weights?: Float64Array | null | undefined }, counts: ArrayLike<number>): BtCells {
  const pairs = job.i.length;
  const s = new Float64Array(pairs);
  const n = new Float64Array(pairs);
  const w = job.weights ?? null;
  for (let k = 0; k < pairs; k++) {
    const wi = counts[3 * k]! * (w ? w[3 * k]! : 1);
    const t = job.ties === 'half' ? counts[3 * k + 1]! * (w ? w[3 * k + 1]! : 1) : 0;
    const wj = counts[3 * k + 2]! * (w ? w[3 * k + 2]! : 1);
    s[k] = wi + 0.5 * t;
    n[k] = wi + t + wj;
  }
  return { m: job.models, pairs, i: job.i, j: job.j, s, n };
}

/**
 * How many times each of n battles is drawn in a resample of n with replacement: n uniform indices (53-bit, two
 * 32-bit draws each, so every battle has the same chance to the last bit) counted into `counts` — an exact
 * Multinomial(n; 1/n, …, 1/n). O(n) a call; `counts` (length n) is overwritten.
 */
export function drawEqualCounts(rng: Rng, n: number, counts: Uint16Array | Uint32Array): void {
  counts.fill(0);
  for (let q = 0; q < n; q++) counts[Math.min(n - 1, Math.floor((rng() + rng() * 2 ** -32) * n))]!++;
}

/**
 * A resampler of n battles that keeps their order: each call draws how many times each battle is taken
 * ({@link drawEqualCounts}) and returns the battle indices, each repeated that many times, in increasing order (the
 * returned array is reused by the next call). O(n) a call.
 */
export function orderedResampler(n: number): (rng: Rng) => Int32Array {
  const rows = new Int32Array(n);
  const counts = new Uint32Array(n);
  return (rng) => {
    drawEqualCounts(rng, n, counts);
    let q = 0;
    for (let i = 0; i < n; i++) for (let c = counts[i]!; c > 0; c--) rows[q++] = i;
    return rows;
  };
}

function prepareElo(job: EloBootstrapJob, seed: string | number): RoundRunner {
  const n = job.a.length;
  // the battles as rows whose count is the number of times a round draws them: replaying the rows in order
  // replays the drawn battles in their original order
  const counts = new Uint32Array(n);
  const table: BattleTable = {
    models: Array.from({ length: job.models }, (_, v) => String(v)),
    a: job.a,
    b: job.b,
    outcome: job.outcome,
    count: counts,
    tstamp: null,
    rows: n,
    battles: n,
  };
  return {
    models: job.models,
    hasControl: false,
    extras: 0,
    run(round, out) {
      drawEqualCounts(roundRng(seed, round), n, counts);
      const r = replayEloRows(table, job, null);
      for (let v = 0; v < job.models; v++) out[v] = r[v]! + job.shift;
    },
  };
}

/**
 * Runs rounds [from, to) of a prepared job in this thread into `out` (row-major, round r at row r − from), and
 * their control variates into `control` (same layout) when given. O((to − from) · cost of a round).
 */
export function runRounds(
  runner: RoundRunner,
  from: number,
  to: number,
  out: Float64Array,
  stats: RoundStats,
  onRound?: (r: number) => void,
  control?: Float64Array,
  extra?: Float64Array,
): void {
  const m = runner.models;
  const e = runner.extras;
  for (let r = from; r < to; r++) {
    const row = (r - from) * m;
    const erow = (r - from) * e;
    runner.run(r, out.subarray(row, row + m), stats, control?.subarray(row, row + m), extra?.subarray(erow, erow + e));
    onRound?.(r);
  }
}
