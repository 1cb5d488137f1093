import type { BootstrapDistribution } from './bootstrap.js';

/** Best and worst rank per model consistent with the intervals. */
export interface RankBounds {
  /** Best rank: 1 + #models whose lower bound exceeds this model's upper bound (= LMArena's rank (UB)). */
  readonly best: Int32Array;
  /** Worst rank: m − #models whose upper bound is below this model's lower bound. */
  readonly worst: Int32Array;
}

/**
 * The range of ranks a model can take if every rating may lie anywhere in its interval. A model is surely above
 * this one when its lower bound exceeds this one's upper bound, and surely below when its upper bound is under
 * this one's lower bound; every other model may fall on either side. So
 * best = 1 + #{b : lower_b > upper_a} (LMArena's "Rank (UB)", the contract's `rank`) and
 * worst = m − #{b : upper_b < lower_a}. best ≤ worst always (lower ≤ upper); without intervals (lower = upper =
 * rating) best is the competition rank and worst counts the models rated at least as high.
 *
 * O(m log m). Reference: FastChat `elo_analysis.py` (`get_rank_ub`); lmarena leaderboard "Rank (UB)".
 *
 * @param lower lower bounds, indexed by model id
 * @param upper upper bounds, indexed by model id
 */
export function rankBounds(lower: ArrayLike<number>, upper: ArrayLike<number>): RankBounds {
  const m = lower.length;
  const lo = Float64Array.from(lower).sort();
  const hi = Float64Array.from(upper).sort();
  const best = new Int32Array(m);
  const worst = new Int32Array(m);
  for (let v = 0; v < m; v++) {
    best[v] = 1 + (m - countAtMost(lo, upper[v]!));
    worst[v] = m - countBelow(hi, lower[v]!);
  }
  return { best, worst };
}

/** Number of sorted values ≤ x (binary search). O(log n). */
export function countAtMost(sorted: Float64Array, x: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (sorted[mid]! <= x) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** Number of sorted values < x (binary search). O(log n). */
export function countBelow(sorted: Float64Array, x: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (sorted[mid]! < x) a = mid + 1;
    else b = mid;
  }
  return a;
}

/**
 * The bootstrap distribution of each model's rank: in every round, model v's rank is 1 + the number of models
 * rated strictly higher in that round (competition ranking); the result counts, per model, how many rounds gave
 * each rank. Row-major m × m: `counts[v·m + (rank − 1)]`.
 *
 * O(R·m log m).
 */
export function rankCounts(dist: BootstrapDistribution): Float64Array {
  const { rounds: R, models: m } = dist;
  const counts = new Float64Array(m * m);
  const order = new Int32Array(m);
  for (let r = 0; r < R; r++) {
    const row = dist.ratings.subarray(r * m, (r + 1) * m);
    for (let v = 0; v < m; v++) order[v] = v;
    order.sort((x, y) => row[y]! - row[x]!);
    let rank = 1;
    for (let q = 0; q < m; q++) {
      const v = order[q]!;
      if (q > 0 && row[v]! < row[order[q - 1]!]!) rank = q + 1;
      counts[v * m + rank - 1]!++;
    }
  }
  return counts;
}

/** One entry of a model's rank distribution. */
export interface RankShare {
  readonly rank: number;
  /** Share of bootstrap rounds in which the model had this rank. */
  readonly probability: number;
}

/** Model v's rank distribution from {@link rankCounts}, listing only ranks that occurred, best first. O(m). */
export function rankDistributionOf(counts: Float64Array, m: number, rounds: number, v: number): RankShare[] {
  const out: RankShare[] = [];
  for (let k = 0; k < m; k++) {
    const c = counts[v * m + k]!;
    if (c > 0) out.push({ rank: k + 1, probability: c / rounds });
  }
  return out;
}
