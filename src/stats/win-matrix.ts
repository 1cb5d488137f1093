import type { PairCounts } from '../data/aggregate.js';
import type { TiePolicy } from '../rating/bradley-terry.js';

/** Predicted and observed head-to-head results for every ordered pair of models. */
export interface WinMatrix {
  /** Model ids in matrix order (rows and columns). */
  readonly order: readonly number[];
  /** Row-major k × k: P(row beats column) from the ratings (expected score, a tie counting half); NaN on the diagonal. */
  readonly predicted: Float64Array;
  /** Row-major k × k: observed score share of row against column (wins + ½ ties under `half`, wins / (wins + losses)
   * under `ignore`); NaN where the pair never met (or on the diagonal). */
  readonly observed: Float64Array;
  /** Row-major k × k: battles between row and column (all outcomes). */
  readonly battles: Float64Array;
}

/**
 * The predicted win-rate matrix implied by fitted ratings, beside the observed win rates and battle counts —
 * the picture behind a leaderboard: where the model fits the head-to-head data and where it does not.
 * predicted[r][c] = predict(r, c), the model's expected score of r against c (for Bradley–Terry and Elo
 * 1 / (1 + base^((rating_c − rating_r)/scale)); see `expectedScoreOf`), so predicted[r][c] + predicted[c][r] = 1.
 *
 * O(k² + pairs).
 *
 * @param pc aggregated battles
 * @param predict expected score of model id i against model id j
 * @param order model ids to include, in row order (e.g. by rating, highest first)
 * @param ties how observed ties count (as in the fit)
 */
export function winMatrix(pc: PairCounts, predict: (i: number, j: number) => number, order: readonly number[], ties: TiePolicy): WinMatrix {
  const k = order.length;
  const pos = new Map(order.map((v, q) => [v, q]));
  const predicted = new Float64Array(k * k).fill(Number.NaN);
  const observed = new Float64Array(k * k).fill(Number.NaN);
  const battles = new Float64Array(k * k);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) if (r !== c) predicted[r * k + c] = predict(order[r]!, order[c]!);
  for (let q = 0; q < pc.pairs; q++) {
    const r = pos.get(pc.i[q]!);
    const c = pos.get(pc.j[q]!);
    if (r === undefined || c === undefined) continue;
    const t = pc.ties[q]! + pc.bothbad[q]!;
    const n = pc.winsI[q]! + pc.winsJ[q]! + t;
    battles[r * k + c] = n;
    battles[c * k + r] = n;
    const denom = ties === 'half' ? n : pc.winsI[q]! + pc.winsJ[q]!;
    if (denom > 0) {
      const si = ties === 'half' ? pc.winsI[q]! + t / 2 : pc.winsI[q]!;
      observed[r * k + c] = si / denom;
      observed[c * k + r] = 1 - si / denom;
    }
  }
  return { order, predicted, observed, battles };
}
