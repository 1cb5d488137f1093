/**
 * Quantile of sorted numbers by linear interpolation between order statistics (Hyndman & Fan type 7, the default
 * of R and NumPy): with h = (n − 1)·p, `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`. O(1).
 *
 * Reference: Hyndman & Fan (1996), "Sample quantiles in statistical packages", Amer. Statist. 50(4):361–365.
 *
 * @param sorted ascending numbers (no NaN), at least one
 * @param p probability in [0, 1]
 * @example quantileSorted7([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantileSorted7(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1]!;
  return sorted[lo]! + (h - lo) * (sorted[lo + 1]! - sorted[lo]!);
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
