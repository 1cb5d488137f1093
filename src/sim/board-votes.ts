/**
 * A published board as the truth of a simulation: its ratings, and per-model vote counts inferred from the widths
 * of its published intervals, so that a board simulated from it (and fitted as `arena rate` fits) shows intervals
 * of the published widths.
 */
import type { PairCounts } from '../data/aggregate.js';
import type { PublishedBoard } from '../data/board.js';
import { normalQuantile } from '../math/normal.js';
import { sigmoid } from '../rating/predict.js';
import { sandwichCovariance } from '../rating/sandwich.js';
import { DEFAULT_SCALE, pointsPerLogit, type ScaleOptions } from '../rating/scale.js';
import type { SimRatings } from './fixture.js';
import { DEFAULT_SIMULATE, type SimulateOptions, tieProbability } from './generate.js';

/** Options of {@link inferBoardVotes}. */
export interface InferVotesOptions extends Pick<ScaleOptions, 'scale' | 'base'>, Pick<SimulateOptions, 'tieRate' | 'tieModel'> {
  /** Stop when every predicted standard error is within this relative distance of the published one. */
  readonly tolerance: number;
  readonly maxIterations: number;
}

/** Defaults: LMArena's scale, the simulator's tie law (rate 0.34, constant), 0.1% tolerance, 100 iterations. */
export const DEFAULT_INFER_VOTES: InferVotesOptions = Object.freeze({ ...DEFAULT_SCALE, tieRate: DEFAULT_SIMULATE.tieRate, tieModel: 'constant' as const, tolerance: 1e-3, maxIterations: 100 });

/** Per-model vote counts that reproduce a published board's interval widths. */
export interface InferredVotes {
  readonly models: readonly string[];
  /** Published ratings (the truth), display points. */
  readonly ratings: Float64Array;
  /** Popularity weights for the popularity policy (pair ∝ wᵢ·wⱼ), normalised to sum 1. */
  readonly weights: Float64Array;
  /** Expected battles of each model under those weights and `battles` in all. */
  readonly votes: Float64Array;
  /** Battles to simulate in all (rounded). */
  readonly battles: number;
  /** Published standard errors (display points): interval width / (2·z). */
  readonly publishedSe: Float64Array;
  /** Standard errors the expected sandwich predicts at these counts (display points). */
  readonly predictedSe: Float64Array;
  readonly iterations: number;
  /** Whether every predicted standard error came within `tolerance` of the published one. */
  readonly converged: boolean;
  /**
   * The model with a zero-width published interval, when there is one: the board was anchored on it (LMArena until
   * April 2025), so every other published interval is that of the model's gap to it, and so are `predictedSe`. Its
   * own votes are not identified: it starts at 4× the largest of the others' and keeps pace with the largest
   * increase. null for a centred board.
   */
  readonly anchor: string | null;
  readonly options: InferVotesOptions;
}

/**
 * Infers per-model vote counts from a published board's interval widths.
 *
 * Under Bradley–Terry with ties scored ½ the sandwich variance of a model i's strength, if its opponents were known
 * exactly, is b̄/(nᵢ·v̄²): nᵢ votes, bread v = p(1 − p) and meat b = p(1 − p) − τ/4 per vote (τ the tie
 * probability; a tie scored ½ sits closer to p than a win or a loss), averaged over its opponents. So
 *
 *     seᵢ ≈ (scale/ln base) · √(b̄ / (nᵢ·v̄²)),  i.e.  nᵢ ≈ b̄ / (σᵢ²·v̄²),  σᵢ = seᵢ/(scale/ln base)
 *
 * (with τ = 0: se ≈ scale/ln base / √(nᵢ·p(1 − p)), the textbook form). That is the start. Opponents are not known
 * exactly and the ratings are centred, so the counts are then refined on the exact expected sandwich: battles
 * are drawn by the popularity policy (pair {i, j} with probability 2wᵢwⱼ/(W² − Σw²)), every pair gets its expected
 * counts of wins, losses and ties under the simulator's law at the true ratings, `sandwichCovariance` gives the
 * predicted seᵢ, and each weight is scaled by (predicted/published)² (votes needed grow as 1/se²) with the total
 * battles set to half the sum of the targets, until every predicted se is within `tolerance` of the published one.
 *
 * The counts are *effective unweighted votes*: LMArena weights battles by inverse pair frequency (since July 2025),
 * which widens intervals, so the real vote counts are larger. The simulated board reproduces the published widths
 * when it is simulated with these weights under the popularity policy, the same tie law, and fitted with
 * Bradley–Terry (ties half) and sandwich intervals, as `arena rate` does.
 *
 * O(iterations · m³).
 *
 * An anchored board (one model with a zero-width interval) is matched on the variances of each model's gap to the
 * anchor instead. When simulating it, fit with the same anchor (`--anchor`) to compare widths.
 *
 * @throws RangeError for a board with fewer than two models, or more than one interval of zero width
 */
export function inferBoardVotes(board: PublishedBoard, options: Partial<InferVotesOptions> = {}): InferredVotes {
  const o = { ...DEFAULT_INFER_VOTES, ...options };
  const m = board.models.length;
  if (m < 2) throw new RangeError('inferBoardVotes needs at least two models');
  const f = pointsPerLogit(o);
  const zb = normalQuantile((1 + board.level) / 2);
  const publishedSe = Float64Array.from({ length: m }, (_, v) => (board.upper[v]! - board.lower[v]!) / (2 * zb));
  // an anchored board (LMArena until April 2025: mixtral-8x7b-instruct-v0.1 = 1114) gives its anchor a zero-width
  // interval, and every other interval is that of the model's gap to the anchor
  const zero = [...publishedSe.keys()].filter((v) => !(publishedSe[v]! > 0));
  if (zero.length > 1) throw new RangeError('inferBoardVotes needs intervals of positive width (one zero-width anchor at most)');
  const anchor = zero.length ? zero[0]! : -1;
  const theta = Float64Array.from(board.ratings, (r) => r / f);
  let mean = 0;
  for (const t of theta) mean += t / m;
  for (let v = 0; v < m; v++) theta[v]! -= mean;
  // per pair: bread v = p(1 − p), meat b = v − τ/4, and the expected outcome shares
  const np = (m * (m - 1)) / 2;
  const pi = new Int32Array(np);
  const pj = new Int32Array(np);
  const pWin = new Float64Array(np);
  const pTie = new Float64Array(np);
  const bread = new Float64Array(np);
  const meat = new Float64Array(np);
  for (let i = 0, k = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++, k++) {
      const p = sigmoid(theta[i]! - theta[j]!);
      const tau = tieProbability(p, o);
      pi[k] = i;
      pj[k] = j;
      pWin[k] = p - tau / 2;
      pTie[k] = tau;
      bread[k] = p * (1 - p);
      meat[k] = p * (1 - p) - tau / 4;
    }
  }
  // start: nᵢ = b̄/(σᵢ²·v̄²), opponents drawn uniformly
  const vSum = new Float64Array(m);
  const bSum = new Float64Array(m);
  for (let k = 0; k < np; k++) {
    vSum[pi[k]!]! += bread[k]!;
    vSum[pj[k]!]! += bread[k]!;
    bSum[pi[k]!]! += meat[k]!;
    bSum[pj[k]!]! += meat[k]!;
  }
  const target = Float64Array.from({ length: m }, (_, v) => {
    const vb = vSum[v]! / (m - 1);
    const bb = bSum[v]! / (m - 1);
    const s = publishedSe[v]! / f;
    return v === anchor ? 0 : bb / (s * s * vb * vb);
  });
  // the anchor's own votes are not identified; every published se is at least the anchor's own, so it needs many:
  // 4× the largest of the others' (its variance then at most a quarter of the narrowest interval's), and it keeps
  // pace with the largest change of the others at every step
  if (anchor >= 0) target[anchor] = 4 * Math.max(...target);
  const w = Float64Array.from(target);
  let battles = target.reduce((a, b) => a + b, 0) / 2;
  const pc = {
    models: board.models,
    pairs: np,
    i: pi,
    j: pj,
    winsI: new Float64Array(np),
    winsJ: new Float64Array(np),
    ties: new Float64Array(np),
    bothbad: new Float64Array(np),
  } satisfies PairCounts;
  const votes = new Float64Array(m);
  const predictedSe = new Float64Array(m);
  let iterations = 0;
  let converged = false;
  for (;;) {
    let W = 0;
    let S2 = 0;
    for (const x of w) {
      W += x;
      S2 += x * x;
    }
    votes.fill(0);
    for (let k = 0; k < np; k++) {
      const n = (battles * 2 * w[pi[k]!]! * w[pj[k]!]!) / (W * W - S2);
      pc.winsI[k] = n * pWin[k]!;
      pc.ties[k] = n * pTie[k]!;
      pc.winsJ[k] = n - pc.winsI[k]! - pc.ties[k]!;
      votes[pi[k]!]! += n;
      votes[pj[k]!]! += n;
    }
    const cov = sandwichCovariance(pc, 'half', theta);
    let worst = 0;
    const ref = anchor;
    for (let v = 0; v < m; v++) {
      const variance = ref < 0 ? cov[v * m + v]! : cov[v * m + v]! + cov[ref * m + ref]! - 2 * cov[v * m + ref]!;
      predictedSe[v] = Math.sqrt(Math.max(0, variance)) * f;
      if (v !== anchor) worst = Math.max(worst, Math.abs(predictedSe[v]! / publishedSe[v]! - 1));
    }
    if (worst <= o.tolerance) {
      converged = true;
      break;
    }
    if (iterations >= o.maxIterations) break;
    iterations++;
    let sum = 0;
    let most = 1;
    for (let v = 0; v < m; v++) if (v !== anchor) most = Math.max(most, predictedSe[v]! / publishedSe[v]!);
    for (let v = 0; v < m; v++) {
      const r = v === anchor ? most : predictedSe[v]! / publishedSe[v]!;
      w[v]! *= r * r;
      sum += votes[v]! * r * r;
    }
    battles = sum / 2;
  }
  const wt = w.reduce((a, b) => a + b, 0);
  return {
    models: board.models,
    ratings: Float64Array.from(board.ratings),
    weights: Float64Array.from(w, (x) => x / wt),
    votes,
    battles: Math.round(battles),
    publishedSe,
    predictedSe,
    iterations,
    converged,
    anchor: anchor >= 0 ? board.models[anchor]! : null,
    options: o,
  };
}

/**
 * The true ratings of a simulation from inferred votes: the published ratings, the popularity weights, `votes` =
 * the battles to simulate; nothing new, every entry real (published). For `simulateTable`, `arena simulate`,
 * `arena demo` and what-if baselines (with the popularity policy). O(m).
 */
export function simRatingsOfBoard(inf: InferredVotes): SimRatings {
  const m = inf.models.length;
  return { models: inf.models, ratings: Float64Array.from(inf.ratings), votes: inf.battles, weights: Float64Array.from(inf.weights), isNew: new Uint8Array(m), real: new Uint8Array(m).fill(1) };
}

/**
 * A true-ratings file (the `--ratings` format of `arena simulate`, `arena demo` and a scenario's
 * `baseline.ratings`) from a published board and its inferred votes: `votes` (battles in all), and per model
 * `rating`, `weight` (popularity), the inferred `battles`, the published bounds and the predicted and published
 * standard errors, plus a `source` saying where the numbers come from. O(m).
 */
export function boardTruthFile(board: PublishedBoard, inf: InferredVotes): Record<string, unknown> {
  return {
    source: {
      board: board.file,
      category: board.category,
      date: board.date,
      method: 'ratings as published; per-model votes inferred from the published interval widths (arena board-truth; docs/methods.md, "Votes from interval widths"); simulate with the popularity policy',
      tieRate: inf.options.tieRate,
      tieModel: inf.options.tieModel,
      anchor: inf.anchor,
      converged: inf.converged,
    },
    votes: inf.battles,
    models: inf.models.map((model, v) => ({
      model,
      rating: inf.ratings[v]!,
      weight: inf.weights[v]!,
      battles: Math.round(inf.votes[v]!),
      publishedLower: board.lower[v]!,
      publishedUpper: board.upper[v]!,
      publishedSe: inf.publishedSe[v]!,
      predictedSe: inf.predictedSe[v]!,
      real: true,
    })),
  };
}
