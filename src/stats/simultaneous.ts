import { choleskyInPlace } from '../math/linalg.js';
import { pointsPerLogit } from '../rating/scale.js';
import { deriveRng, normal } from '../rng.js';
import { quantileSorted } from './interval.js';
import type { RatedBoard } from './uncertainty.js';

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
  /** Best and worst rank per model id: 1 + models surely above, m − models surely below. */
  readonly lower: Int32Array;
  readonly upper: Int32Array;
}

/** Normal draws of the max-statistic from a sandwich covariance (enough for the 95% quantile to about ±0.02). */
export const SIMULTANEOUS_DRAWS = 4000;

/**
 * Simultaneous rank intervals (Chiang et al. 2024, §4 on multiplicity; the max-t construction of Hothorn, Bretz &
 * Westfall 2008): with T = max over all pairs i < j of |(ĝ_ij − g_ij)| / sd_ij, where g_ij = θ_i − θ_j, and c its
 * `level` quantile, the intervals ĝ_ij ± c·sd_ij hold for every pair at once with probability `level`. A model is
 * then surely below every model whose gap over it has a lower bound above 0, and surely above every model it leads
 * by such a gap: its rank lies in [1 + #surely above, m − #surely below] — for all models at once, so the intervals
 * cover the whole true ranking with probability ≥ `level` (up to the normal or bootstrap approximation of the gaps).
 * Per-model intervals do not: each holds 95% of the time, the whole board far less often.
 *
 * The law of the gaps: the bootstrap rounds when the board has them (sd_ij their standard deviation, T centred on
 * the point gaps), else `draws` normal vectors with the sandwich covariance (Cholesky of Σ + 10⁻¹⁰·mean(diag Σ)·I;
 * the jitter moves only the common component, which no gap sees), drawn from deriveRng(seed, 'simultaneous').
 * Cost O(m²·draws) (4,000 draws at 339 models: about a second). Null without intervals (no covariance, no rounds).
 */
export function simultaneousRanks(rated: RatedBoard, level: number, seed: string | number, draws = SIMULTANEOUS_DRAWS): SimultaneousRanks | null {
  const m = rated.point.models.length;
  const ratings = rated.point.ratings;
  if (m < 2) return m === 1 ? { method: rated.dist ? 'bootstrap' : 'sandwich', level, draws: 0, critical: 0, lower: Int32Array.of(1), upper: Int32Array.of(1) } : null;
  const sd = new Float64Array(m * m); // display points, i < j at [i·m + j]
  let t: Float64Array;
  let method: SimultaneousRanks['method'];
  if (rated.dist && rated.dist.rounds > 1) {
    method = 'bootstrap';
    const { rounds: R, ratings: x } = rated.dist;
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        let s = 0;
        let s2 = 0;
        for (let r = 0; r < R; r++) {
          const g = x[r * m + i]! - x[r * m + j]!;
          s += g;
          s2 += g * g;
        }
        const mean = s / R;
        sd[i * m + j] = Math.sqrt(Math.max(0, (s2 - R * mean * mean) / (R - 1)));
      }
    }
    t = new Float64Array(R);
    for (let r = 0; r < R; r++) {
      let worst = 0;
      for (let i = 0; i < m; i++) {
        const di = x[r * m + i]! - ratings[i]!;
        for (let j = i + 1; j < m; j++) {
          const s = sd[i * m + j]!;
          if (!(s > 0)) continue;
          const dev = Math.abs(di - (x[r * m + j]! - ratings[j]!)) / s;
          if (dev > worst) worst = dev;
        }
      }
      t[r] = worst;
    }
  } else if (rated.cov) {
    method = 'sandwich';
    const cov = rated.cov.cov;
    const n = rated.cov.n;
    const f = pointsPerLogit(rated.point.options);
    const l = new Float64Array(m * m);
    let diag = 0;
    for (let i = 0; i < m; i++) diag += cov[i * n + i]!;
    const jitter = (1e-10 * diag) / m;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) l[i * m + j] = cov[i * n + j]! + (i === j ? jitter : 0);
    }
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) sd[i * m + j] = Math.sqrt(Math.max(0, cov[i * n + i]! + cov[j * n + j]! - 2 * cov[i * n + j]!)) * f;
    }
    if (!choleskyInPlace(l, m)) return null;
    const rng = deriveRng(seed, 'simultaneous');
    const e = new Float64Array(m);
    const z = new Float64Array(m);
    t = new Float64Array(draws);
    for (let r = 0; r < draws; r++) {
      for (let i = 0; i < m; i++) e[i] = normal(rng);
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += l[i * m + k]! * e[k]!;
        z[i] = s * f;
      }
      let worst = 0;
      for (let i = 0; i < m; i++) {
        for (let j = i + 1; j < m; j++) {
          const s = sd[i * m + j]!;
          if (!(s > 0)) continue;
          const dev = Math.abs(z[i]! - z[j]!) / s;
          if (dev > worst) worst = dev;
        }
      }
      t[r] = worst;
    }
  } else return null;
  t.sort();
  const critical = quantileSorted(t, level);
  const lower = new Int32Array(m).fill(1);
  const upper = new Int32Array(m).fill(m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const g = ratings[i]! - ratings[j]!;
      const half = critical * sd[i * m + j]!;
      if (g - half > 0) {
        // i surely above j
        lower[j]!++;
        upper[i]!--;
      } else if (-g - half > 0) {
        lower[i]!++;
        upper[j]!--;
      }
    }
  }
  return { method, level, draws: t.length, critical, lower, upper };
}
