import type { TrueRatings } from '../data/ratings.js';
import { type BattleTable, BattleTableBuilder } from '../data/table.js';
import { expectedScore } from '../rating/predict.js';
import { outcomeTerms } from '../rating/tie-models.js';
import { DEFAULT_SCALE, type ScaleOptions } from '../rating/scale.js';
import type { Rng } from '../rng.js';
import { type Drift, ratingAt } from './drift.js';
import { type PairPolicy, uniformPolicy } from './policies.js';

/**
 * How the tie probability depends on the pair: `constant` (the same target rate for every pair, capped) or
 * `davidson` (largest for evenly matched pairs, shrinking with the gap like the tie term of Davidson's 1970 model).
 */
export type SimTieModel = 'constant' | 'davidson';

/** How battle timestamps are spaced: `fixed` (every `interval` seconds) or `poisson` (exponential gaps, mean `interval`). */
export type Arrivals = 'fixed' | 'poisson';

/** Options of battle generation. */
export interface SimulateOptions extends Pick<ScaleOptions, 'scale' | 'base'> {
  /**
   * Target probability of a tie (either label). See {@link tieProbability} for the law per pair; whatever the
   * tie model, P(A) = p − τ/2, P(tie) = τ, P(B) = 1 − p − τ/2, so the expected score of A, P(A) + ½·P(tie), stays
   * exactly the BT probability p: a fit with ties as half wins recovers the truth.
   */
  readonly tieRate: number;
  /** Share of ties labelled `tie (bothbad)` (LMArena 2024: about 0.51). */
  readonly bothbadShare: number;
  /** Shape of the tie probability over rating gaps (default `constant`). */
  readonly tieModel: SimTieModel;
  /** First timestamp (seconds since 1970). */
  readonly start: number;
  /** Seconds between consecutive battles (exactly, or on average with `poisson` arrivals). */
  readonly interval: number;
  /** Spacing of timestamps (default `fixed`). */
  readonly arrivals: Arrivals;
  /**
   * A likelihood tie model to draw outcomes from instead of the BT law with `tieRate` (what-ifs on a baseline
   * fitted with Davidson or Rao–Kupper: new votes follow the fitted model, at its tie parameter η).
   */
  readonly law?: TieLaw | undefined;
  /**
   * True ratings that change over the battle clock (`./drift.ts`): battle i is drawn at the ratings of battle i.
   * The sampling policy keeps the ratings it was built with (LMArena's top-N, active sampling's start).
   */
  readonly drift?: Drift | null | undefined;
}

/** A likelihood tie model's outcome law: Davidson (η = log ν) or Rao–Kupper (η = log θ). */
export interface TieLaw {
  readonly model: 'davidson' | 'rao-kupper';
  readonly eta: number;
}

/** Defaults: LMArena's scale, tie rate 0.34 (16.8% tie + 17.7% both-bad in the 2024 data), 1 battle/second from 2026-04-01. */
export const DEFAULT_SIMULATE: SimulateOptions = Object.freeze({
  ...DEFAULT_SCALE,
  tieRate: 0.34,
  bothbadShare: 0.513,
  tieModel: 'constant' as const,
  start: Date.UTC(2026, 3, 1) / 1000,
  interval: 1,
  arrivals: 'fixed' as const,
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
 * Tie probability τ of a pair whose BT win probability is p.
 * - `constant`: τ = min(t, 2·min(p, 1−p));
 * - `davidson`: τ = min(2t·√(p(1−p)), 2·min(p, 1−p)), equal to t for an even pair and falling with the gap as the
 *   tie term ν·√(πi·πj) of Davidson's model does (Davidson 1970, JASA 65:317–328).
 * The cap 2·min(p, 1−p) is what keeps both win probabilities p − τ/2 and 1 − p − τ/2 non-negative.
 * O(1).
 *
 * @param p BT probability that A wins (ties counting half), in [0, 1]
 * @param opts tie rate t in [0, 1] and tie model
 * @example tieProbability(0.5, { tieRate: 0.3, tieModel: 'davidson' }) // 0.3
 */
export function tieProbability(p: number, opts: Pick<SimulateOptions, 'tieRate' | 'tieModel'>): number {
  const cap = 2 * Math.min(p, 1 - p);
  const t = opts.tieModel === 'davidson' ? 2 * opts.tieRate * Math.sqrt(p * (1 - p)) : opts.tieRate;
  return Math.min(t, cap);
}

/**
 * Draws the outcome of one battle from its BT probability `p` (A's expected score) with one uniform number `u`:
 * A if u < p − τ/2, then `tie`, then `tie (bothbad)` (together τ, split by `bothbadShare`), else B.
 * See {@link tieProbability}. O(1).
 *
 * @returns outcome code 0 = A won, 1 = B won, 2 = tie, 3 = tie (bothbad)
 */
export function drawOutcomeP(p: number, opts: Pick<SimulateOptions, 'tieRate' | 'tieModel' | 'bothbadShare'>, u: number): number {
  const tau = tieProbability(p, opts);
  writeCuts(p - tau / 2, tau, opts.bothbadShare, cutScratch, 0);
  return pickCut(cutScratch, 0, u);
}

const lawTerms = new Float64Array(6);
const cutScratch = new Float64Array(3);

/** The three cut points from A's win probability `pa` and the tie probability `tau`, at `out[at…at+2]`. O(1). */
function writeCuts(pa: number, tau: number, bothbadShare: number, out: Float64Array, at: number): void {
  out[at] = pa;
  out[at + 1] = pa + tau * (1 - bothbadShare);
  out[at + 2] = pa + tau;
}

/** The outcome code of uniform `u` against the cut points at `cuts[at…at+2]` (0 A, 2 tie, 3 both-bad, 1 B). O(1). */
function pickCut(cuts: Float64Array, at: number, u: number): number {
  return u < cuts[at]! ? 0 : u < cuts[at + 1]! ? 2 : u < cuts[at + 2]! ? 3 : 1;
}

/**
 * Draws the outcome of one battle between models rated `ra` and `rb` (display scale) with one uniform number:
 * {@link drawOutcomeP} at p = 1/(1 + base^((rb − ra)/scale)); or, with `opts.law`, from the tie model's own
 * probabilities P(A), P(tie), P(B) at d = (ra − rb)·ln(base)/scale (ties split by `bothbadShare`). O(1).
 */
export function drawOutcome(
  ra: number,
  rb: number,
  opts: Pick<SimulateOptions, 'scale' | 'base' | 'tieRate' | 'bothbadShare'> & { readonly tieModel?: SimTieModel | undefined; readonly law?: TieLaw | undefined },
  u: number,
): number {
  outcomeThresholds(ra, rb, opts, cutScratch, 0);
  return pickCut(cutScratch, 0, u);
}

/**
 * The three cut points of {@link drawOutcome} for ratings `ra`, `rb`, written to `out[at…at+2]`: a uniform below the
 * first is an A win, then `tie`, then `tie (bothbad)`, else a B win. O(1).
 */
export function outcomeThresholds(
  ra: number,
  rb: number,
  opts: Pick<SimulateOptions, 'scale' | 'base' | 'tieRate' | 'bothbadShare'> & { readonly tieModel?: SimTieModel | undefined; readonly law?: TieLaw | undefined },
  out: Float64Array,
  at: number,
): void {
  const law = opts.law;
  if (!law) {
    const p = expectedScore(ra, rb, opts);
    const tau = tieProbability(p, { tieRate: opts.tieRate, tieModel: opts.tieModel ?? 'constant' });
    writeCuts(p - tau / 2, tau, opts.bothbadShare, out, at);
    return;
  }
  const d = ((ra - rb) * Math.log(opts.base)) / opts.scale;
  outcomeTerms(law.model, d, law.eta, 0, lawTerms);
  const pa = Math.exp(lawTerms[0]!);
  outcomeTerms(law.model, d, law.eta, 2, lawTerms);
  writeCuts(pa, Math.exp(lawTerms[0]!), opts.bothbadShare, out, at);
}

/** Every option {@link outcomeThresholds} reads, as one string (two option objects with the same key draw alike). */
function optionsKey(o: Parameters<typeof drawOutcome>[2]): string {
  return [o.scale, o.base, o.tieRate, o.bothbadShare, o.tieModel ?? 'constant', o.law?.model ?? '', o.law?.eta ?? ''].join('|');
}

/**
 * {@link drawOutcome} between board slots with fixed true ratings, its cut points computed once per ordered pair
 * and kept (3 numbers a pair, `cap²` pairs): the same outcomes for the same uniforms, without an exponential per
 * vote. For a replication's many simulated votes among a few hundred models.
 */
export class OutcomeCache {
  /** Three cut points per ordered pair; NaN until the pair's first vote. */
  private readonly cut: Float64Array;
  private readonly rating: Float64Array;
  private readonly key: string;
  constructor(
    private readonly cap: number,
    rating: Float64Array,
    private readonly opts: Parameters<typeof drawOutcome>[2],
  ) {
    this.rating = Float64Array.from(rating); // the ratings as they are now (a board's slots may still be added)
    this.key = optionsKey(opts);
    this.cut = new Float64Array(cap * cap * 3).fill(Number.NaN);
  }
  /**
   * Whether this cache gives the outcomes of a board with these true ratings for its first `size` slots and these
   * options (a what-if's replications share one cache: the same slots with the same ratings each time). O(size).
   */
  fits(cap: number, rating: Float64Array, size: number, opts: Parameters<typeof drawOutcome>[2]): boolean {
    if (cap !== this.cap || optionsKey(opts) !== this.key) return false;
    for (let v = 0; v < size; v++) if (!Object.is(rating[v], this.rating[v])) return false;
    return true;
  }
  /** The outcome of a vote of slot a against slot b (their ratings read at first use) for the uniform u. */
  draw(a: number, b: number, u: number): number {
    const c = (a * this.cap + b) * 3;
    if (Number.isNaN(this.cut[c]!)) outcomeThresholds(this.rating[a]!, this.rating[b]!, this.opts, this.cut, c);
    return pickCut(this.cut, c, u);
  }
}

/** Most models for which {@link battleSampler} keeps every pair's cut points ({@link OutcomeCache}). */
const CACHED_MODELS = 1024;

/**
 * A generator of battles from true ratings under Bradley–Terry with ties, pairs chosen by a sampling policy
 * (see `policies.ts`), which is told every outcome (active sampling learns from them). Per battle: the policy's
 * draws (two uniforms for the uniform policy), one uniform for the outcome, and one for the time gap with
 * `poisson` arrivals. O(1) per battle plus the policy's cost (and the drifting models' events, `options.drift`).
 *
 * @param truth true display-scale ratings; model ids index `truth.models`
 * @returns `next(i, out)`: fills `out` with battle number i (0-based; call in order) and returns it
 */
export function battleSampler(truth: TrueRatings, policy: PairPolicy, options: Partial<SimulateOptions>, rng: Rng): (i: number, out: SimBattle) => SimBattle {
  const opts = { ...DEFAULT_SIMULATE, ...options };
  if (truth.models.length < 2) throw new Error('simulation requires at least two models');
  const poisson = opts.arrivals === 'poisson';
  let clock = opts.start;
  // cut points kept per ordered pair up to CACHED_MODELS models (3 doubles a pair: 24 MiB at 1,024), the same outcomes
  const m = truth.models.length;
  const cache = m <= CACHED_MODELS ? new OutcomeCache(m, Float64Array.from(truth.ratings), opts) : null;
  const drift = opts.drift?.size ? opts.drift : null;
  return (i, out) => {
    policy.draw(rng, out);
    if (drift && (drift.has(out.a) || drift.has(out.b))) out.outcome = drawOutcome(ratingAt(truth.ratings, drift, out.a, i), ratingAt(truth.ratings, drift, out.b, i), opts, rng());
    else out.outcome = cache ? cache.draw(out.a, out.b, rng()) : drawOutcome(truth.ratings[out.a]!, truth.ratings[out.b]!, opts, rng());
    policy.record(out.a, out.b, out.outcome);
    if (poisson) {
      out.tstamp = clock;
      clock += -Math.log(1 - rng()) * opts.interval;
    } else out.tstamp = opts.start + i * opts.interval;
    return out;
  };
}

/**
 * A generator of battles with pairs drawn uniformly among all ordered pairs of distinct models (so each seat is
 * equally likely): {@link battleSampler} with {@link uniformPolicy}. Uses three uniforms per battle from `rng`.
 */
export function uniformBattleSampler(truth: TrueRatings, options: Partial<SimulateOptions>, rng: Rng): (i: number, out: SimBattle) => SimBattle {
  if (truth.models.length < 2) throw new Error('simulation requires at least two models');
  return battleSampler(truth, uniformPolicy(truth.models.length), options, rng);
}

/** Battles between two calls of `simulateTable`'s progress callback. */
const PROGRESS_EVERY = 1 << 16;

/**
 * Simulates `n` battles into a table (model ids follow sorted names, as for read data), pairs chosen by `policy`
 * (uniform by default). `onProgress` (for a progress bar) is called every 65,536 battles and at the end; it never
 * changes the draws. O(n); deterministic for a given `rng`.
 */
export function simulateTable(
  truth: TrueRatings,
  n: number,
  options: Partial<SimulateOptions>,
  rng: Rng,
  policy?: PairPolicy,
  onProgress?: (done: number, total: number) => void,
): BattleTable {
  const builder = new BattleTableBuilder();
  const ids = truth.models.map((name) => builder.intern(name));
  const next = policy ? battleSampler(truth, policy, options, rng) : uniformBattleSampler(truth, options, rng);
  const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
  for (let i = 0; i < n; i++) {
    next(i, x);
    builder.pushIds(ids[x.a]!, ids[x.b]!, x.outcome, 1, x.tstamp);
    if (onProgress && (i + 1) % PROGRESS_EVERY === 0) onProgress(i + 1, n);
  }
  onProgress?.(n, n);
  return builder.finish();
}
