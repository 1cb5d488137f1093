import { normalQuantile } from '../math/normal.js';
import type { PairCounts } from '../data/aggregate.js';
import { squaredCounts, weightedCounts } from '../data/weights.js';
import { sigmoid } from './predict.js';
import { pointsPerLogit, type ScaleOptions } from './scale.js';
import { btCells, type TiePolicy } from './bradley-terry.js';
import { centredInformation } from './bt-refit.js';
import { type SandwichFactors, sandwichEntry, sandwichFactors, sandwichMatrix } from '../math/linalg.js';

/**
 * Huber–White sandwich covariance of Bradley–Terry strengths, `H⁻¹·B·H⁻¹`, with H the Fisher information
 * (Σ n·p(1−p)·x xᵀ, x = e_i − e_j, plus the ridge prior λI if any) and B the empirical score outer product
 * (Σ over battles of (y − p)²·x xᵀ, y = 1, 0 or ½ for a tie). Robust to ties that do not follow the logistic
 * law (as lmarena/arena-rank does since July 2025). Weighted pair counts (`../data/weights`): H = Σ w·p(1−p)·x xᵀ
 * and B = Σ w²·(y − p)²·x xᵀ over battles (arena-rank's weighted sandwich). Strengths are centred (Σθ = 0): the singular Laplacian is
 * inverted as (H + c·11ᵀ)⁻¹, which equals H⁺ on the centred subspace where B lives.
 *
 * O(pairs + m³). Reference: White (1980), Econometrica 48(4):817–838.
 *
 * @param theta fitted strengths (natural scale)
 * @returns covariance matrix m×m (row-major) on the natural scale
 */
export function sandwichCovariance(pc: PairCounts, ties: TiePolicy, theta: ArrayLike<number>, prior = 0): Float64Array {
  return sandwichMatrix(btSandwichFactors(pc, ties, theta, prior));
}

/**
 * The factors of {@link sandwichCovariance} (A = H⁻¹, T = A·B; `sandwichEntry` gives any entry in O(m)), for
 * callers that need a few entries (the diagonal, neighbours' gaps) rather than the whole matrix. O(pairs + m³).
 * @throws Error when the information matrix is not positive definite
 */
export function btSandwichFactors(pairs: PairCounts, ties: TiePolicy, theta: ArrayLike<number>, prior = 0): SandwichFactors {
  const m = pairs.models.length;
  // weighted data: H from Σw per cell, the meat from Σw² per cell (a battle's score is w·(y − p)·x)
  const h = centredInformation(btCells(weightedCounts(pairs), ties), theta, prior);
  const pc = squaredCounts(pairs);
  const b = new Float64Array(m * m);
  for (let k = 0; k < pc.pairs; k++) {
    const i = pc.i[k]!;
    const j = pc.j[k]!;
    const p = sigmoid(theta[i]! - theta[j]!);
    const t = ties === 'half' ? pc.ties[k]! + pc.bothbad[k]! : 0;
    const q = 1 - p;
    const w = pc.winsI[k]! * q * q + pc.winsJ[k]! * p * p + t * (0.5 - p) * (0.5 - p);
    if (w === 0) continue;
    b[i * m + i]! += w;
    b[j * m + j]! += w;
    b[i * m + j]! -= w;
    b[j * m + i]! -= w;
  }
  const f = sandwichFactors(h, b, m);
  if (!f) throw new Error('sandwichCovariance: information matrix is not positive definite');
  return f;
}

/**
 * A {@link SandwichFactors} as a lazy covariance: entries on demand in O(m), the whole matrix formed on first use
 * of `cov` (then kept). Entries and matrix agree bit for bit.
 */
export function lazyCovariance(f: SandwichFactors): { readonly cov: Float64Array; readonly entry: (i: number, j: number) => number } {
  let full: Float64Array | null = null;
  return {
    get cov() {
      return (full ??= sandwichMatrix(f));
    },
    entry: (i: number, j: number) => (full ? full[i * f.n + j]! : sandwichEntry(f, i, j)),
  };
}

/**
 * Normal-approximation intervals from a covariance matrix: `rating ± z·sd`, z = Φ⁻¹((1+level)/2), sd on the
 * display scale (sd_natural · scale/ln base). An anchor shifts ratings, not their spread: intervals are those of
 * the centred ratings.
 */
export function normalIntervals(
  ratings: ArrayLike<number>,
  cov: Float64Array,
  level: number,
  scale: Pick<ScaleOptions, 'scale' | 'base'>,
): { lower: Float64Array; upper: Float64Array; se: Float64Array } {
  const m = ratings.length;
  const z = normalQuantile((1 + level) / 2);
  const f = pointsPerLogit(scale);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const se = new Float64Array(m);
  for (let v = 0; v < m; v++) {
    se[v] = Math.sqrt(Math.max(0, cov[v * m + v]!)) * f;
    lower[v] = ratings[v]! - z * se[v]!;
    upper[v] = ratings[v]! + z * se[v]!;
  }
  return { lower, upper, se };
}
