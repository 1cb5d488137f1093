import type { TrueRatings } from '../data/ratings.js';
import { STYLE_K } from '../data/style-fields.js';
import { type BattleTable, BattleTableBuilder } from '../data/table.js';
import { pointsPerLogit } from '../rating/scale.js';
import { normal, type Rng } from '../rng.js';
import { DEFAULT_SIMULATE, drawOutcome, type SimBattle, type SimulateOptions } from './generate.js';

/**
 * How simulated answers look and how much voters care. Each side of a battle gets LMArena-style counts
 * (tokens, headers, list items, bold spans); the vote's logit gets Σ_q effect[q]·(a_q − b_q)/(a_q + b_q + 1) on
 * top of the rating gap, the "planted" style effect that style control should recover.
 */
export interface StyleSimOptions {
  /**
   * True style coefficients, natural log-odds per unit of the raw relative difference (a − b)/(a + b + 1), in the
   * order of {@link STYLE_FEATURES}. Zero = voters ignore style.
   */
  readonly effect: readonly number[];
  /** Answer-length multiplier per model (default 1): a verbose model writes longer answers. */
  readonly verbosity?: ReadonlyMap<string, number>;
  /** Median answer length in tokens of a model with verbosity 1 [400]. */
  readonly baseTokens?: number;
}

/** Mean counts per answer of headers, list items and bold spans at verbosity 1 (scaled by verbosity too). */
const BASE_COUNTS = [2, 5, 3];

/** Poisson variate by inversion of the CDF (λ up to a few hundred). O(λ). */
export function poisson(lambda: number, rng: Rng): number {
  if (lambda <= 0) return 0;
  if (lambda > 500) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rng)));
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  const u = rng();
  while (u > cdf && k < 10000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/** One simulated battle with its 8 style counts (A's four, then B's). */
export interface StyleSimBattle extends SimBattle {
  style: Float64Array;
}

/**
 * A generator of battles with style: pairs drawn uniformly among ordered pairs (as {@link uniformBattleSampler}),
 * each answer's counts drawn from its model's profile (tokens: log-normal around baseTokens·verbosity with log-SD
 * 0.5; headers, lists, bold: Poisson with means 2, 5, 3 times verbosity), and the outcome drawn by
 * {@link drawOutcome} with the logit shifted by the planted style effect. O(1) per battle plus the Poisson draws.
 */
export function styleBattleSampler(
  truth: TrueRatings,
  options: Partial<SimulateOptions>,
  style: StyleSimOptions,
  rng: Rng,
): (i: number, out: StyleSimBattle) => StyleSimBattle {
  const opts = { ...DEFAULT_SIMULATE, ...options };
  const m = truth.models.length;
  if (m < 2) throw new Error('simulation requires at least two models');
  if (style.effect.length !== STYLE_K) throw new Error(`style effect needs ${STYLE_K} coefficients`);
  const verb = Float64Array.from(truth.models, (name) => style.verbosity?.get(name) ?? 1);
  const base = style.baseTokens ?? 400;
  const f = pointsPerLogit(opts);
  const side = (v: number, out: Float64Array, at: number) => {
    out[at] = Math.max(1, Math.round(base * verb[v]! * Math.exp(0.5 * normal(rng))));
    for (let q = 0; q < 3; q++) out[at + 1 + q] = poisson(BASE_COUNTS[q]! * verb[v]!, rng);
  };
  return (i, out) => {
    const a = Math.floor(rng() * m);
    let b = Math.floor(rng() * (m - 1));
    if (b >= a) b++;
    out.a = a;
    out.b = b;
    side(a, out.style, 0);
    side(b, out.style, 4);
    let bonus = 0;
    for (let q = 0; q < STYLE_K; q++) {
      const x = out.style[q]!;
      const y = out.style[4 + q]!;
      bonus += style.effect[q]! * ((x - y) / (x + y + 1));
    }
    out.outcome = drawOutcome(truth.ratings[a]! + f * bonus, truth.ratings[b]!, opts, rng());
    out.tstamp = opts.start + i * opts.interval;
    return out;
  };
}

/** Simulates `n` battles with style counts into a table (model ids follow sorted names). O(n). */
export function simulateStyleTable(truth: TrueRatings, n: number, options: Partial<SimulateOptions>, style: StyleSimOptions, rng: Rng): BattleTable {
  const builder = new BattleTableBuilder();
  const ids = truth.models.map((name) => builder.intern(name));
  const next = styleBattleSampler(truth, options, style, rng);
  const x: StyleSimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0, style: new Float64Array(8) };
  for (let i = 0; i < n; i++) {
    next(i, x);
    builder.pushIds(ids[x.a]!, ids[x.b]!, x.outcome, 1, x.tstamp, x.style);
  }
  return builder.finish();
}
