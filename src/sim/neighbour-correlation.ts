import type { TrueRatings } from '../data/ratings.js';
import { modelFor } from '../models/index.js';
import { DEFAULT_MODEL } from '../models/types.js';
import { createRng } from '../rng.js';
import { quantileSorted } from '../stats/interval.js';
import { sandwichIntervals } from '../stats/uncertainty.js';
import { simulateTable } from './generate.js';
import { createPolicy, type PolicySpec } from './policies.js';

/** Options of {@link neighbourCorrelations}. */
export interface NeighbourCorrelationOptions {
  /** Battles to simulate (the correlation does not depend on it: the covariance scales as 1/N). */
  readonly battles: number;
  /** Pair sampling policy (default popularity, Zipf exponent 1). */
  readonly policy?: PolicySpec;
  /** Only the adjacent pairs among the top `top` + 1 models by true rating (default: every adjacent pair). */
  readonly top?: number;
  readonly seed?: number | string;
}

/** The sandwich correlations of neighbouring models' estimates on a simulated board. */
export interface NeighbourCorrelations {
  /** Per adjacent pair by true rating (k, k + 1), highest first. */
  readonly correlations: Float64Array;
  /** Their median (type 7). */
  readonly median: number;
}

/**
 * How strongly two neighbouring models' rating estimates are correlated on a board like the given truth: simulate
 * `battles` battles from the true ratings (ties at the simulator's default rate), fit Bradley–Terry (ties half),
 * take the sandwich covariance Σ and, for each pair of models adjacent by true rating, Σab/√(Σaa·Σbb). The source
 * of `TYPICAL_NEIGHBOUR_CORRELATION` (`stats/published-compare.ts`), the ρ that `arena compare --board` assumes
 * when a published board does not say.
 *
 * O(battles + fit + m³).
 *
 * @param truth true display-scale ratings (e.g. a published board's ratings)
 */
export function neighbourCorrelations(truth: TrueRatings, o: NeighbourCorrelationOptions): NeighbourCorrelations {
  const spec: PolicySpec = o.policy ?? { type: 'popularity', exponent: 1 };
  const policy = createPolicy(spec, { ratings: truth.ratings });
  const t = simulateTable(truth, o.battles, {}, createRng(o.seed ?? 1), policy);
  const options = { ...DEFAULT_MODEL };
  const model = modelFor(options);
  const fit = model.fit(t, options);
  const { cov } = sandwichIntervals(fit, model, 0.95);
  const id = new Map(fit.models.map((name, i) => [name, i]));
  const order = Array.from({ length: truth.models.length }, (_, v) => v).sort((x, y) => truth.ratings[y]! - truth.ratings[x]! || x - y);
  const pairs = Math.min(order.length - 1, o.top ?? order.length);
  const n = cov.n;
  const out = new Float64Array(pairs);
  for (let k = 0; k < pairs; k++) {
    const a = id.get(truth.models[order[k]!]!);
    const b = id.get(truth.models[order[k + 1]!]!);
    out[k] = a === undefined || b === undefined ? Number.NaN : cov.cov[a * n + b]! / Math.sqrt(cov.cov[a * n + a]! * cov.cov[b * n + b]!);
  }
  const sorted = Float64Array.from(out.filter((x) => !Number.isNaN(x))).sort();
  return { correlations: out, median: sorted.length ? quantileSorted(sorted, 0.5) : Number.NaN };
}
