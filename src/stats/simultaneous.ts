import { choleskyInPlace } from '../math/linalg.js';
import { pointsPerLogit } from '../rating/scale.js';
import { deriveRng, normal } from '../rng.js';
import { quantileSorted } from './interval.js';
import type { FitCovariance, ModelFit } from '../models/types.js';
import type { BootstrapDistribution } from './bootstrap.js';

/**
 * Rank intervals that hold for the whole board at once (all models together), from the max-statistic over every
 * pairwise gap. See {@link simultaneousRanks}.
 */
export interface SimultaneousRanks {
  /** Where the joint law of the gaps comes from: normal draws from the sandwich covariance, or the bootstrap rounds. */
  readonly method: 'sandwich' | 'bootstrap';
  /** Joint confidence level (e.g. 0.95). */
  readonly level: number;
  /** Draws of the max-statistic (normal draws, or bootstrap rounds). */
  readonly draws: number;
  /** Critical value c: every gap's simultaneous interval is gap ± c·sd(gap) (1.96 for a single pair at 95%). */
  readonly critical: number;
  /** Models whose pairwise gaps form the family the max-statistic runs over (all models, or the shown ones). */
  readonly models: number;
  /**
   * Best rank per model id: 1 + the counted models surely above it; 0 for a model outside the scope's `shown`
   * (see {@link SimultaneousScope}).
   */
  readonly lower: Int32Array;
  /** Worst rank per model id: (counted models, itself included) − counted models surely below it; 0 outside `shown`. */
  readonly upper: Int32Array;
}

/** What {@link simultaneousRanks} reads of a rated board (a `RatedBoard` has it all). */
export interface SimultaneousSource {
  readonly point: Pick<ModelFit, 'models' | 'ratings' | 'options'>;
  readonly options: { readonly ciMethod: string };
  readonly cov: FitCovariance | null;
  readonly dist: BootstrapDistribution | null;
}

/**
 * Which models a simultaneous ranking covers (a leaderboard's display rules): the max-statistic runs over the
 * pairs of `shown` models, and each shown model is ranked among the `shown` models not in `uncounted` (a deprecated
 * model is ranked against the others and counts in nobody's rank, as LMArena's rank and its range do).
 */
export interface SimultaneousScope {
  /** Model ids shown (default: every model). */
  readonly shown?: readonly number[];
  /** Ids among `shown` left out of the other models' ranks (deprecated). */
  readonly uncounted?: readonly number[];
}

/** Normal draws of the max-statistic from a sandwich covariance at the 95% level (its quantile to about ±0.02). */
export const SIMULTANEOUS_DRAWS = 4000;

/**
 * Normal draws for a level: {@link SIMULTANEOUS_DRAWS}, or more so that at least 200 draws lie beyond the quantile
 * (20,000 at 99%, 200,000 at 99.9%).
 */
export function simultaneousDraws(level: number): number {
  return Math.max(SIMULTANEOUS_DRAWS, Math.ceil(200 / (1 - level)));
}

/**
 * Bootstrap rounds below which the max-statistic's quantile at `level` rests on too few rounds beyond it (fewer than
 * 20): the caller should warn. 400 at 95%, 2,000 at 99%.
 */
export function fewRoundsFor(level: number): number {
  return Math.ceil(20 / (1 - level));
}

/**
 * Simultaneous rank intervals (Chiang et al. 2024, §4 on multiplicity; the max-t construction of Hothorn, Bretz &
 * Westfall 2008): with T = max over all pairs i < j of |(ĝ_ij − g_ij)| / sd_ij, where g_ij = θ_i − θ_j, and c its
 * `level` quantile, the intervals ĝ_ij ± c·sd_ij hold for every pair at once with probability `level`. A model is
 * then surely below every model whose gap over it has a lower bound above 0, and surely above every model it leads
 * by such a gap: its rank lies in [1 + #surely above, m − #surely below] — for all models at once, so the intervals
 * cover the whole true ranking with probability ≥ `level` (up to the normal or bootstrap approximation of the gaps).
 * Per-model intervals do not: each holds 95% of the time, the whole board far less often.
 *
 * The law of the gaps: the bootstrap rounds when the board's intervals are bootstrap ones (sd_ij their standard
 * deviation, T centred on the point gaps), else `draws` normal vectors with the sandwich covariance (Cholesky of Σ + 10⁻¹⁰·mean(diag Σ)·I;
 * the jitter moves only the common component, which no gap sees), drawn from deriveRng(seed, 'simultaneous').
 * With a `scope` (display rules) the family is the pairs of shown models, each drawn from the same normal vectors or
 * rounds as the whole board's, so the critical value over a subset is never above the whole board's (T over fewer
 * pairs is pointwise smaller); a shown model's rank counts the models of the scope that are not `uncounted`.
 *
 * Cost O(m²·draws) (4,000 draws at 339 models: 3.6 s on a shared 2-core machine, docs/methods.md). Null without that law (no covariance; fewer than
 * two rounds).
 */
export function simultaneousRanks(rated: SimultaneousSource, level: number, seed: string | number, draws = simultaneousDraws(level), scope: SimultaneousScope = {}): SimultaneousRanks | null {
  const n = rated.point.models.length;
  const ratings = rated.point.ratings;
  const shown = scope.shown ? Int32Array.from(scope.shown) : Int32Array.from({ length: n }, (_, v) => v);
  const counted = new Uint8Array(n);
  for (const v of shown) counted[v] = 1;
  for (const v of scope.uncounted ?? []) counted[v] = 0;
  const m = shown.length;
  // the law the board's intervals come from: the rounds when its intervals are bootstrap ones, else the sandwich
  const useRounds = rated.options.ciMethod === 'bootstrap' || !rated.cov;
  if (m < 2) {
    if (n < 1) return null;
    const lower = new Int32Array(n);
    const upper = new Int32Array(n);
    for (const v of shown) lower[v] = upper[v] = 1;
    return { method: useRounds ? 'bootstrap' : 'sandwich', level, draws: 0, critical: 0, models: m, lower, upper };
  }
  const sd = new Float64Array(m * m); // display points of the gap between shown[i] and shown[j], i < j at [i·m + j]
  let t: Float64Array;
  if (useRounds && rated.dist && rated.dist.rounds > 1) {
    const { rounds: R, ratings: x } = rated.dist;
    for (let i = 0; i < m; i++) {
      const a = shown[i]!;
      for (let j = i + 1; j < m; j++) {
        const b = shown[j]!;
        let s = 0;
        let s2 = 0;
        for (let r = 0; r < R; r++) {
          const g = x[r * n + a]! - x[r * n + b]!;
          s += g;
          s2 += g * g;
        }
        const mean = s / R;
        sd[i * m + j] = Math.sqrt(Math.max(0, (s2 - R * mean * mean) / (R - 1)));
      }
    }
    t = new Float64Array(R);
    const d = new Float64Array(m);
    for (let r = 0; r < R; r++) {
      for (let i = 0; i < m; i++) d[i] = x[r * n + shown[i]!]! - ratings[shown[i]!]!;
      t[r] = maxStatistic(d, sd, m);
    }
  } else if (!useRounds && rated.cov) {
    const cov = rated.cov.cov;
    const k = rated.cov.n;
    const f = pointsPerLogit(rated.point.options);
    // the whole board's vectors are drawn whatever the scope, so a subset's statistic is the whole one's restricted
    const l = new Float64Array(n * n);
    let diag = 0;
    for (let i = 0; i < n; i++) diag += cov[i * k + i]!;
    const jitter = (1e-10 * diag) / n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) l[i * n + j] = cov[i * k + j]! + (i === j ? jitter : 0);
    }
    for (let i = 0; i < m; i++) {
      const a = shown[i]!;
      for (let j = i + 1; j < m; j++) {
        const b = shown[j]!;
        sd[i * m + j] = Math.sqrt(Math.max(0, cov[a * k + a]! + cov[b * k + b]! - 2 * cov[a * k + b]!)) * f;
      }
    }
    if (!choleskyInPlace(l, n)) return null;
    const rng = deriveRng(seed, 'simultaneous');
    const e = new Float64Array(n);
    const z = new Float64Array(m);
    t = new Float64Array(draws);
    for (let r = 0; r < draws; r++) {
      for (let i = 0; i < n; i++) e[i] = normal(rng);
      for (let i = 0; i < m; i++) {
        const a = shown[i]!;
        let s = 0;
        for (let q = 0; q <= a; q++) s += l[a * n + q]! * e[q]!;
        z[i] = s * f;
      }
      t[r] = maxStatistic(z, sd, m);
    }
  } else return null;
  t.sort();
  const critical = quantileSorted(t, level);
  const lower = new Int32Array(n);
  const upper = new Int32Array(n);
  let pool = 0;
  for (const v of shown) pool += counted[v]!;
  for (const v of shown) {
    lower[v] = 1;
    upper[v] = pool + (counted[v] ? 0 : 1);
  }
  for (let i = 0; i < m; i++) {
    const a = shown[i]!;
    for (let j = i + 1; j < m; j++) {
      const b = shown[j]!;
      const g = ratings[a]! - ratings[b]!;
      const half = critical * sd[i * m + j]!;
      if (g - half > 0) {
        // a surely above b: counts in b's best rank if a is counted, in a's worst rank if b is
        if (counted[a]) lower[b]!++;
        if (counted[b]) upper[a]!--;
      } else if (-g - half > 0) {
        if (counted[b]) lower[a]!++;
        if (counted[a]) upper[b]!--;
      }
    }
  }
  return { method: useRounds ? 'bootstrap' : 'sandwich', level, draws: t.length, critical, models: m, lower, upper };
}

/** max over i < j of |d_i − d_j| / sd_ij (pairs with sd 0 skipped). O(m²). */
function maxStatistic(d: Float64Array, sd: Float64Array, m: number): number {
  let worst = 0;
  for (let i = 0; i < m; i++) {
    const di = d[i]!;
    for (let j = i + 1; j < m; j++) {
      const s = sd[i * m + j]!;
      if (!(s > 0)) continue;
      const dev = Math.abs(di - d[j]!) / s;
      if (dev > worst) worst = dev;
    }
  }
  return worst;
}
