import type { TrueRatings } from '../data/ratings.js';
import { type BattleTable, BattleTableBuilder } from '../data/table.js';
import { expectedScore } from '../rating/predict.js';
import { DEFAULT_SCALE, type ScaleOptions } from '../rating/scale.js';
import type { Rng } from '../rng.js';

/** Options of battle generation. */
export interface SimulateOptions extends Pick<ScaleOptions, 'scale' | 'base'> {
  /**
   * Target probability of a tie (either label). For a pair whose BT win probability is p the tie probability is
   * τ = min(tieRate, 2·min(p, 1−p)) and the outcome probabilities are P(A) = p − τ/2, P(tie) = τ, P(B) = 1 − p − τ/2,
   * so the expected score of A, P(A) + ½·P(tie), stays exactly p: a fit with ties as half wins recovers the truth.
   */
  readonly tieRate: number;
  /** Share of ties labelled `tie (bothbad)` (LMArena 2024: about 0.51). */
  readonly bothbadShare: number;
  /** First timestamp (seconds since 1970). */
  readonly start: number;
  /** Seconds between consecutive battles on average. */
  readonly interval: number;
}

/** Defaults: LMArena's scale, tie rate 0.34 (16.8% tie + 17.7% both-bad in the 2024 data), 1 battle/second. */
export const DEFAULT_SIMULATE: SimulateOptions = Object.freeze({
  ...DEFAULT_SCALE,
  tieRate: 0.34,
  bothbadShare: 0.513,
  start: Date.UTC(2026, 3, 1) / 1000,
  interval: 1,
});

/** One generated battle. */
export interface SimBattle {
  a: number;
  b: number;
  /** 0 = A won, 1 = B won, 2 = tie, 3 = tie (bothbad). */
  outcome: number;
  tstamp: number;
}

/**
 * Draws the outcome of one battle between models rated `ra` and `rb` (display scale) with one uniform number.
 * See {@link SimulateOptions.tieRate} for the law.
 */
export function drawOutcome(ra: number, rb: number, opts: SimulateOptions, u: number): number {
  const p = expectedScore(ra, rb, opts);
  const tau = Math.min(opts.tieRate, 2 * Math.min(p, 1 - p));
  const pa = p - tau / 2;
  if (u < pa) return 0;
  if (u < pa + tau * (1 - opts.bothbadShare)) return 2;
  if (u < pa + tau) return 3;
  return 1;
}

/**
 * A generator of battles from true ratings under Bradley–Terry with ties, pairs drawn uniformly among all
 * ordered pairs of distinct models (so each seat is equally likely). Uses three uniforms per battle from `rng`.
 */
export function uniformBattleSampler(truth: TrueRatings, options: Partial<SimulateOptions>, rng: Rng): (i: number, out: SimBattle) => SimBattle {
  const opts = { ...DEFAULT_SIMULATE, ...options };
  const m = truth.models.length;
  if (m < 2) throw new Error('simulation requires at least two models');
  return (i, out) => {
    const a = Math.floor(rng() * m);
    let b = Math.floor(rng() * (m - 1));
    if (b >= a) b++;
    out.a = a;
    out.b = b;
    out.outcome = drawOutcome(truth.ratings[a]!, truth.ratings[b]!, opts, rng());
    out.tstamp = opts.start + i * opts.interval;
    return out;
  };
}

/**
 * Simulates `n` battles into a table (model ids follow sorted names, as for read data).
 * O(n); deterministic for a given `rng`.
 */
export function simulateTable(truth: TrueRatings, n: number, options: Partial<SimulateOptions>, rng: Rng): BattleTable {
  const builder = new BattleTableBuilder();
  const ids = truth.models.map((name) => builder.intern(name));
  const next = uniformBattleSampler(truth, options, rng);
  const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
  for (let i = 0; i < n; i++) {
    next(i, x);
    builder.pushIds(ids[x.a]!, ids[x.b]!, x.outcome, 1, x.tstamp);
  }
  return builder.finish();
}
