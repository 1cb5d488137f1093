import { quantileSorted } from '../stats/interval.js';
/** Type-7 quantile of sorted numbers, NaN for an empty sample (see {@link quantileSorted}). */
export function quantileSorted7(sorted: ArrayLike<number>, p: number): number {
  return sorted.length === 0 ? Number.NaN : quantileSorted(sorted, p);
}

/** Mean and central interval of a sample. */
export interface Spread {
  readonly mean: number;
  /** Lower quantile ((1 − level)/2, type 7). */
  readonly lower: number;
  /** Upper quantile ((1 + level)/2, type 7). */
  readonly upper: number;
}

/**
 * Mean and central `level` interval (type-7 quantiles (1−level)/2 and (1+level)/2) of the finite values of a
 * sample; NaN entries are skipped. O(n log n).
 *
 * @param values sample (e.g. one model's rating change over the replications)
 * @param level central coverage in (0, 1), 0.95 for the 2.5% and 97.5% quantiles
 * @returns null when no value is finite
 */
export function spread(values: ArrayLike<number>, level = 0.95): Spread | null {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) xs.push(values[i]!);
  if (!xs.length) return null;
  xs.sort((a, b) => a - b);
  let sum = 0;
  for (const x of xs) sum += x;
  return { mean: sum / xs.length, lower: quantileSorted7(xs, (1 - level) / 2), upper: quantileSorted7(xs, (1 + level) / 2) };
}
