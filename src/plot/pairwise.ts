import type { PairCounts } from '../data/aggregate.js';
import type { TiePolicy } from '../rating/bradley-terry.js';

/**
 * Pairwise matrices over a chosen list of models (row r, column c, row-major n×n), as FastChat's heatmaps show
 * them: the win probability the ratings predict, the observed win rate, and the battle count.
 */
export interface PairwiseMatrix {
  /** Model names in display order (rows and columns). */
  readonly models: readonly string[];
  /** P(row beats column) predicted by the fitted model (expected score, `expectedScoreOf`); NaN on the diagonal. */
  readonly predicted: Float64Array;
  /**
   * Observed win rate of row against column under the tie policy: `(wins + ½·ties)/battles` for `half` (both
   * tie labels), `wins/(wins + losses)` for `ignore`; NaN where the two never met (or met only in ties that
   * are ignored) and on the diagonal.
   */
  readonly observed: Float64Array;
  /** Battles between row and column, every outcome counted (symmetric); 0 on the diagonal. */
  readonly counts: Float64Array;
}

/**
 * Builds the {@link PairwiseMatrix} of the models `order` (model ids into `pc.models`, e.g. the top N by rating).
 * `observed[r][c] + observed[c][r] = 1` wherever defined, and `predicted` likewise.
 *
 * O(pairs + n²) for n = `order.length`.
 *
 * @param pc aggregated battles
 * @param predict the fitted model's expected score of model id i against model id j
 * @param order model ids to show, in display order (no repeats)
 * @param ties tie policy of the observed win rates (the one the ratings were fitted with)
 * @throws Error when `order` repeats a model or holds an id out of range
 */
export function pairwiseMatrix(
  pc: PairCounts,
  predict: (i: number, j: number) => number,
  order: readonly number[],
  ties: TiePolicy,
): PairwiseMatrix {
  const m = pc.models.length;
  const n = order.length;
  const pos = new Int32Array(m).fill(-1);
  order.forEach((id, r) => {
    if (!Number.isInteger(id) || id < 0 || id >= m) throw new Error(`pairwiseMatrix: model id ${id} out of range`);
    if (pos[id] !== -1) throw new Error(`pairwiseMatrix: model id ${id} repeated`);
    pos[id] = r;
  });
  const predicted = new Float64Array(n * n).fill(Number.NaN);
  const observed = new Float64Array(n * n).fill(Number.NaN);
  const counts = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (r !== c) predicted[r * n + c] = predict(order[r]!, order[c]!);
    }
  }
  for (let k = 0; k < pc.pairs; k++) {
    const r = pos[pc.i[k]!]!;
    const c = pos[pc.j[k]!]!;
    if (r < 0 || c < 0) continue;
    const wi = pc.winsI[k]!;
    const wj = pc.winsJ[k]!;
    const t = pc.ties[k]! + pc.bothbad[k]!;
    counts[r * n + c] = counts[c * n + r] = wi + wj + t;
    const played = ties === 'half' ? wi + wj + t : wi + wj;
    if (played > 0) {
      const s = ties === 'half' ? (wi + t / 2) / played : wi / played;
      observed[r * n + c] = s;
      observed[c * n + r] = 1 - s;
    }
  }
  return { models: order.map((id) => pc.models[id]!), predicted, observed, counts };
}
