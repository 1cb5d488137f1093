/** One model's line on a leaderboard (display scale). */
export interface LeaderboardRow {
  readonly model: string;
  readonly rating: number;
  /** Lower bound of the interval, when intervals were computed. */
  readonly lower?: number;
  /** Upper bound of the interval, when intervals were computed. */
  readonly upper?: number;
  /** LMArena rank: 1 + number of models whose lower bound exceeds this model's upper bound (see {@link ciRanks}). */
  readonly rank: number;
  /** Best rank consistent with the intervals (equals `rank`), when intervals were computed (see `rankBounds`). */
  readonly rankLower?: number;
  /** Worst rank consistent with the intervals, when intervals were computed (see `rankBounds`). */
  readonly rankUpper?: number;
  readonly battles: number;
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  /** Bootstrap distribution of the rank (`--rank-distribution`): ranks that occurred with their share of rounds. */
  readonly rankDistribution?: readonly { readonly rank: number; readonly probability: number }[];
}

/** Fit diagnostics. */
export interface FitInfo {
  readonly converged: boolean;
  readonly iterations: number;
  /** Mean log-likelihood per battle (natural log) of the fitted ratings on the input. */
  readonly logLikelihood: number;
  /** Ridge prior λ used by a Bradley–Terry fit (0 = plain maximum likelihood). */
  readonly prior?: number;
  /** Tie-model parameters with intervals (`--ties davidson|rao-kupper`): e.g. `{ nu: { value, lower, upper } }`. */
  readonly tieParameters?: Readonly<Record<string, { readonly value: number; readonly lower?: number; readonly upper?: number }>>;
}

/** A leaderboard with the parameters that produced it (the JSON of `arena rate`). */
export interface Leaderboard {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly battles: number;
  /** Sorted by rating, highest first (ties in rating broken by name). */
  readonly models: readonly LeaderboardRow[];
  readonly fit: FitInfo;
  /** Style coefficients with intervals (`--style-control`). */
  readonly style?: StyleReport;
  readonly warnings: readonly string[];
}

/** One style coefficient of a style-controlled leaderboard (`style.coefficients`). */
export interface StyleCoefficient {
  readonly feature: string;
  /** Natural log-odds per SD of the standardised feature, with its interval. */
  readonly coefficient: number;
  readonly lower: number;
  readonly upper: number;
  /** Per unit of the raw relative difference (a − b)/(a + b + 1): coefficient / sd. */
  readonly perUnit: number;
  readonly perUnitLower: number;
  readonly perUnitUpper: number;
  /** Rating points per SD of the feature (coefficient · scale/ln base). */
  readonly points: number;
  /** Mean and SD of the raw relative difference over battles. */
  readonly mean: number;
  readonly sd: number;
  /** False when the feature does not vary (coefficient fixed at 0). */
  readonly active: boolean;
}

/** The style block of a style-controlled leaderboard. */
export interface StyleReport {
  /** Ridge λ on the coefficients (summed log-likelihood scale). */
  readonly prior: number;
  /** How the intervals were computed: Huber–White sandwich, or bootstrap percentiles (`--bootstrap R`). */
  readonly intervals: 'sandwich' | 'bootstrap';
  readonly coefficients: readonly StyleCoefficient[];
}

/**
 * Ranks as LMArena shows them. Without intervals: 1 + number of models with a strictly higher rating. With
 * intervals: 1 + number of models whose lower bound exceeds this model's upper bound (FastChat's
 * "rank (UB)"), so models whose intervals overlap share ranks. O(m log m).
 */
export function ciRanks(rating: ArrayLike<number>, lower?: ArrayLike<number>, upper?: ArrayLike<number>): Int32Array {
  const m = rating.length;
  const lo = lower ?? rating;
  const hi = upper ?? rating;
  const sortedLo = Float64Array.from(lo).sort();
  const out = new Int32Array(m);
  for (let v = 0; v < m; v++) {
    // count of lower bounds strictly greater than hi[v]
    let a = 0;
    let b = m;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (sortedLo[mid]! > hi[v]!) b = mid;
      else a = mid + 1;
    }
    out[v] = 1 + (m - a);
  }
  return out;
}

/** Indices of models sorted by rating, highest first; equal ratings by name (code-unit order). */
export function orderByRating(models: readonly string[], rating: ArrayLike<number>): number[] {
  return models
    .map((_, i) => i)
    .sort((x, y) => rating[y]! - rating[x]! || (models[x]! < models[y]! ? -1 : models[x]! > models[y]! ? 1 : 0));
}
