import type { TrueRatings } from '../data/ratings.js';
import { DEFAULT_MODEL } from '../models/types.js';
import { deriveRng } from '../rng.js';
import { fitBoard, PairBoard, type SimIntervals } from './board.js';
import { battleSampler, type SimBattle, type SimulateOptions } from './generate.js';
import { createPolicy, type PolicySpec } from './policies.js';

/** A pair of named models and whether the fit put them in the true order. */
export interface OrderCheck {
  /** The truly higher model. */
  readonly a: string;
  readonly b: string;
  /** True gap (≥ 0). */
  readonly trueGap: number;
  /** Sum of the two intervals' half-widths. */
  readonly halfWidths: number;
  /** Whether the true gap exceeds the half-widths (the fit should then order the pair correctly). */
  readonly resolvable: boolean;
  /** Whether the fitted ratings are in the true order. */
  readonly ordered: boolean;
}

/** How well a fit recovers the true ratings. */
export interface RecoveryReport {
  readonly models: number;
  /** Models whose interval holds the true rating. */
  readonly covered: number;
  /** covered / models. */
  readonly coverage: number;
  /** Mean |fitted − true| in rating points. */
  readonly meanAbsError: number;
  /** Mean interval width. */
  readonly meanWidth: number;
  /** Every pair of the named models. */
  readonly pairs: readonly OrderCheck[];
}

/**
 * Compares fitted ratings and intervals with the truth: interval coverage, mean absolute error, and for every pair
 * of `named` models whether the fit orders them correctly, flagged resolvable when the true gap exceeds the sum of
 * the two half-widths. The fit must be on the truth's scale (centred on the true mean). O(m + named²).
 *
 * @param fit fitted display ratings and interval bounds by model name
 */
export function recoveryReport(
  truth: TrueRatings,
  fit: ReadonlyMap<string, { readonly rating: number; readonly lower: number; readonly upper: number }>,
  named: readonly string[],
): RecoveryReport {
  let covered = 0;
  let n = 0;
  let err = 0;
  let width = 0;
  truth.models.forEach((name, v) => {
    const f = fit.get(name);
    if (!f) return;
    n++;
    const t = truth.ratings[v]!;
    if (f.lower <= t && t <= f.upper) covered++;
    err += Math.abs(f.rating - t);
    width += f.upper - f.lower;
  });
  const tr = new Map(truth.models.map((name, v) => [name, truth.ratings[v]!]));
  const pairs: OrderCheck[] = [];
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      let [a, b] = [named[i]!, named[j]!];
      if (tr.get(a)! < tr.get(b)!) [a, b] = [b, a];
      const fa = fit.get(a);
      const fb = fit.get(b);
      if (!fa || !fb) continue;
      const trueGap = tr.get(a)! - tr.get(b)!;
      const halfWidths = (fa.upper - fa.lower + fb.upper - fb.lower) / 2;
      pairs.push({ a, b, trueGap, halfWidths, resolvable: trueGap > halfWidths, ordered: fa.rating > fb.rating });
    }
  }
  return { models: n, covered, coverage: n ? covered / n : Number.NaN, meanAbsError: n ? err / n : Number.NaN, meanWidth: n ? width / n : Number.NaN, pairs };
}

/** Options of {@link roundTrip}. */
export interface RoundTripOptions {
  readonly seed: string | number;
  readonly simulate?: Partial<SimulateOptions> | undefined;
  readonly policy?: PolicySpec | undefined;
  /** Interval level (default 0.95). */
  readonly level?: number | undefined;
  readonly intervals?: SimIntervals | undefined;
  /** Models whose pairwise order is checked (default: none). */
  readonly named?: readonly string[] | undefined;
}

/**
 * The simulate → rate round trip: draws `battles` battles from the truth (random source deriveRng(seed, 'roundtrip'))
 * straight into pair counts, fits Bradley–Terry centred on the true mean, puts intervals on it (sandwich by
 * default) and reports the recovery ({@link recoveryReport}). O(battles + m³).
 */
export function roundTrip(truth: TrueRatings, battles: number, opts: RoundTripOptions): RecoveryReport {
  const m = truth.models.length;
  const board = new PairBoard(m);
  truth.models.forEach((name, v) => board.addModel(name, truth.ratings[v]!, false));
  const policy = createPolicy(opts.policy ?? { type: 'uniform' }, { ratings: truth.ratings });
  const next = battleSampler(truth, policy, opts.simulate ?? {}, deriveRng(opts.seed, 'roundtrip'));
  const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
  for (let i = 0; i < battles; i++) {
    next(i, x);
    board.add(x.a, x.b, x.outcome);
  }
  let mean = 0;
  for (const r of truth.ratings) mean += r;
  const rate = { ...DEFAULT_MODEL, initial: mean / m };
  const fit = fitBoard(board, rate, opts.intervals ?? 'sandwich', opts.level ?? 0.95);
  const byName = new Map<string, { rating: number; lower: number; upper: number }>();
  truth.models.forEach((name, v) => {
    if (Number.isFinite(fit.rating[v]!)) byName.set(name, { rating: fit.rating[v]!, lower: fit.lower[v]!, upper: fit.upper[v]! });
  });
  return recoveryReport(truth, byName, opts.named ?? []);
}
