import { fitBradleyTerry } from '../rating/bradley-terry.js';
import { sigmoid } from '../rating/predict.js';
import { AUTO_PRIOR } from '../models/types.js';
import type { Rng } from '../rng.js';
import { FenwickSampler } from './fenwick.js';

/**
 * A pair-sampling policy: which two models meet in the next battle. Policies are pure state machines over model
 * slots 0…m−1 driven by an injected random source; they never read a clock or a global generator. `record` is
 * called with every outcome drawn, so adaptive policies (LMArena's new-model boost, active sampling) can update.
 */
export interface PairPolicy {
  /** Policy name (`uniform`, `popularity`, `lmarena`, `active`). */
  readonly name: string;
  /** Number of model slots. */
  readonly m: number;
  /** Draws the next pair: sets `out.a` (seat A) and `out.b` (seat B), two distinct eligible models. */
  draw(rng: Rng, out: { a: number; b: number }): void;
  /** Draws an opponent for model `a` (for votes that must involve `a`), from the policy's law given that `a` plays. */
  drawOpponent(a: number, rng: Rng): number;
  /** Tells the policy the outcome of a battle it drew (0 = A won, 1 = B won, 2 = tie, 3 = both bad). */
  record(a: number, b: number, outcome: number): void;
}

/** Which slots may be drawn: all when `eligible` is absent. */
function eligibleList(m: number, eligible?: ArrayLike<number | boolean> | undefined): Int32Array {
  const out: number[] = [];
  for (let v = 0; v < m; v++) if (!eligible || eligible[v]) out.push(v);
  if (out.length < 2) throw new Error('a sampling policy needs at least two eligible models');
  return Int32Array.from(out);
}

/**
 * Uniform sampling: every ordered pair of distinct eligible models is equally likely (so every unordered pair is,
 * and each model sits in seat A or B equally often). Two uniforms per battle; with every model eligible the draws
 * are `a = ⌊u₁·m⌋`, `b = ⌊u₂·(m−1)⌋` (+1 when ≥ a), the same sequence as the original uniform sampler. O(1).
 *
 * @param m number of model slots
 * @param eligible optional mask: slots with a falsy entry are never drawn (removed models)
 */
export function uniformPolicy(m: number, eligible?: ArrayLike<number | boolean>): PairPolicy {
  const list = eligibleList(m, eligible);
  const k = list.length;
  const index = new Int32Array(m).fill(-1);
  list.forEach((v, i) => (index[v] = i));
  return {
    name: 'uniform',
    m,
    draw(rng, out) {
      const x = Math.floor(rng() * k);
      let y = Math.floor(rng() * (k - 1));
      if (y >= x) y++;
      out.a = list[x]!;
      out.b = list[y]!;
    },
    drawOpponent(a, rng) {
      const x = index[a]!;
      if (x < 0) {
        return list[Math.floor(rng() * k)]!;
      }
      let y = Math.floor(rng() * (k - 1));
      if (y >= x) y++;
      return list[y]!;
    },
    record() {},
  };
}

/** Cumulative weights for O(log m) draws proportional to weight. */
class WeightTable {
  readonly cum: Float64Array;
  /** guide[b]: the first slot whose cumulative weight exceeds the start of bucket b of [0, total) (a guide table). */
  private guide: Int32Array;
  constructor(readonly w: Float64Array) {
    this.cum = new Float64Array(w.length);
    this.guide = new Int32Array(4 * w.length);
    this.refresh();
  }
  refresh(): void {
    let s = 0;
    for (let v = 0; v < this.w.length; v++) {
      s += this.w[v]!;
      this.cum[v] = s;
    }
    const last = this.cum.length - 1;
    const g = this.guide.length;
    let i = 0;
    for (let b = 0; b < g; b++) {
      const x = (s * b) / g;
      while (i < last && this.cum[i]! <= x) i++;
      this.guide[b] = i;
    }
  }
  /**
   * The slot of one uniform: the smallest v with cum[v] > u·total (the last slot if none), found from the guide
   * table's bucket in a step or two — the same slot a binary search over `cum` finds, without its unpredictable
   * branches. O(1) expected.
   */
  draw(rng: Rng): number {
    const u = rng();
    const cum = this.cum;
    const last = cum.length - 1;
    const t = u * cum[last]!;
    let i = this.guide[Math.floor(u * this.guide.length)]!;
    while (i > 0 && cum[i - 1]! > t) i--;
    while (i < last && cum[i]! <= t) i++;
    return i;
  }
}

/**
 * Weighted sampling: model i has weight wᵢ ≥ 0 and the unordered pair {i, j} is drawn with probability
 * ∝ wᵢ·wⱼ (two independent draws ∝ w, both redrawn when they coincide), seats in random order. An opponent of a
 * given model is drawn ∝ w among the others. O(log m) per draw (expected; the redraw rate is Σwᵢ²/(Σw)²).
 *
 * @param weights per-slot weights (≥ 0, at least two positive); read at each draw through `weightsChanged`
 */
function weightedPolicy(name: string, weights: Float64Array, onRecord?: (a: number, b: number, table: WeightTable) => void): PairPolicy {
  let positive = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`${name} sampling weights must be finite and ≥ 0`);
    if (w > 0) positive++;
  }
  if (positive < 2) throw new Error(`${name} sampling needs at least two models with a positive weight`);
  const table = new WeightTable(weights);
  return {
    name,
    m: weights.length,
    draw(rng, out) {
      let a = 0;
      let b = 0;
      do {
        a = table.draw(rng);
        b = table.draw(rng);
      } while (a === b);
      out.a = a;
      out.b = b;
    },
    drawOpponent(a, rng) {
      let b = 0;
      do b = table.draw(rng);
      while (b === a);
      return b;
    },
    record(a, b) {
      onRecord?.(a, b, table);
    },
  };
}

/**
 * Popularity-weighted sampling: pair {i, j} drawn ∝ wᵢ·wⱼ with fixed popularity weights (a ratings file's `weight`
 * fields, or {@link zipfWeights}). Popular models meet far more often, as on a real arena where users pick.
 *
 * @param weights per-slot popularity (≥ 0); 0 for slots that must never be drawn
 */
export function popularityPolicy(weights: ArrayLike<number>): PairPolicy {
  return weightedPolicy('popularity', Float64Array.from(weights));
}

/**
 * Zipf popularity by true rank: the model ranked r (1 = highest rating) gets weight r^−s. With s = 1 and 339
 * models the top model takes 16% of the seats and the last 0.05%. Slots with a falsy `eligible` entry get 0 and
 * are not ranked. O(m log m).
 *
 * @param ratings true display-scale ratings per slot
 * @param exponent s ≥ 0 (0 = uniform)
 */
export function zipfWeights(ratings: ArrayLike<number>, exponent: number, eligible?: ArrayLike<number | boolean>): Float64Array {
  const m = ratings.length;
  const order = Array.from({ length: m }, (_, i) => i)
    .filter((v) => !eligible || eligible[v])
    .sort((x, y) => ratings[y]! - ratings[x]! || x - y);
  const w = new Float64Array(m);
  order.forEach((v, r) => (w[v] = Math.pow(r + 1, -exponent)));
  return w;
}

/** Parameters of LMArena's published sampling policy. */
export interface LmarenaPolicyOptions {
  /** Weight of a new model until it has `boostVotes` votes. */
  readonly boost: number;
  /** Votes after which a new model loses its boost. */
  readonly boostVotes: number;
  /** Weight of the models in the current top `topN`. */
  readonly topWeight: number;
  /** How many top models get `topWeight`. */
  readonly topN: number;
}

/** LMArena's published policy: new models weight 5 until 3,000 votes, top-10 weight 3, every other model 1. */
export const DEFAULT_LMARENA_POLICY: LmarenaPolicyOptions = Object.freeze({ boost: 5, boostVotes: 3000, topWeight: 3, topN: 10 });

/**
 * LMArena's published sampling policy as weighted pair sampling (pair ∝ wᵢ·wⱼ): a new model has weight `boost` (5)
 * until it has played `boostVotes` (3,000) battles, a model in the top `topN` (10) has weight `topWeight` (3),
 * every other model 1 (a new model in the top 10 keeps the larger weight). The top 10 are taken from the true
 * ratings of the eligible models (the published board tracks the truth closely; refitting would cost a fit per
 * change). A weight change (a boost running out) rebuilds the cumulative table, O(m), at most once per new model.
 *
 * @param ratings true display-scale ratings per slot (for the top 10)
 * @param isNew per slot: whether the model is new (boosted)
 * @param votes per slot: battles already played (counted toward the boost); copied
 * @param eligible optional mask of slots that may be drawn
 */
export function lmarenaPolicy(
  ratings: ArrayLike<number>,
  isNew: ArrayLike<number | boolean>,
  votes: ArrayLike<number>,
  options: Partial<LmarenaPolicyOptions> = {},
  eligible?: ArrayLike<number | boolean>,
): PairPolicy {
  const o = { ...DEFAULT_LMARENA_POLICY, ...options };
  const m = ratings.length;
  const played = Float64Array.from(votes);
  const top = new Uint8Array(m);
  const order = Array.from({ length: m }, (_, i) => i)
    .filter((v) => !eligible || eligible[v])
    .sort((x, y) => ratings[y]! - ratings[x]! || x - y);
  for (let r = 0; r < Math.min(o.topN, order.length); r++) top[order[r]!] = 1;
  const weightOf = (v: number) => {
    if (eligible && !eligible[v]) return 0;
    const base = top[v] ? o.topWeight : 1;
    return isNew[v] && played[v]! < o.boostVotes ? Math.max(o.boost, base) : base;
  };
  const w = Float64Array.from({ length: m }, (_, v) => weightOf(v));
  // a slot's weight changes only when a boosted new model reaches `boostVotes` (called once per vote: no allocation)
  const update = (v: number, table: WeightTable) => {
    const nw = weightOf(v);
    if (nw === table.w[v]) return false;
    table.w[v] = nw;
    return true;
  };
  const p = weightedPolicy('lmarena', w, (a, b, table) => {
    played[a]!++;
    played[b]!++;
    const ca = update(a, table);
    const cb = update(b, table);
    if (ca || cb) table.refresh();
  });
  return p;
}

/** Parameters of active sampling. */
export interface ActivePolicyOptions {
  /** Votes at the first refit of the BT estimate (before it, every pair's variance is taken at p = ½). */
  readonly refitFirst: number;
  /** Each later refit happens when the vote total reaches `refitGrowth` times the total at the previous one. */
  readonly refitGrowth: number;
}

/** Active sampling defaults: first refit at 1,000 votes, then every time the total grows by 25% (≈ 39 refits for 5.78M). */
export const DEFAULT_ACTIVE_POLICY: ActivePolicyOptions = Object.freeze({ refitFirst: 1000, refitGrowth: 1.25 });

/**
 * Weight of a pair under active sampling (Chiang et al. 2024, eq. 9): the shrinkage of its interval half-width by
 * one more vote, `σ·(1/√(n+1) − 1/√(n+2))`, with σ the per-vote standard deviation and n the votes already cast
 * on the pair. The paper writes `√(Σ/n) − √(Σ/(n+1))`; one pseudo-vote (n+1) keeps unseen pairs finite.
 * @example activeWeight(0.5, 0) // 0.5·(1 − 1/√2) = 0.14645
 */
export function activeWeight(sigma: number, n: number): number {
  return sigma * (1 / Math.sqrt(n + 1) - 1 / Math.sqrt(n + 2));
}

/**
 * Active sampling as in the Chatbot Arena paper (Chiang et al. 2024, §5.2, eq. 9): the next pair is drawn with
 * probability proportional to how much one more vote shrinks the width of its interval, {@link activeWeight}, with
 * σ² = p̂(1 − p̂) the Bernoulli variance of a vote under the current BT estimate p̂ of the pair. Pairs with few
 * votes and close ratings are favoured; as votes accumulate the weights equalise the interval widths.
 *
 * Schedule: the BT estimate is refitted (Newton, warm start, ridge λ = 0.01, which only matters while some models
 * are unbeaten) when the vote total first reaches `refitFirst` and then each time it grows by the factor
 * `refitGrowth` (defaults 1,000 and 1.25: 39 refits for 5.78M votes). Between refits only the counts change.
 *
 * Cost: O(log P) per vote with P = m(m−1)/2 pairs (a {@link FenwickSampler}), plus O(P + m³) per refit;
 * memory O(P). Reference: https://arxiv.org/abs/2403.04132
 *
 * @param m number of model slots
 * @param initial optional votes already cast: dense m×m arrays (row-major, entry [i·m + j] for i < j) of battles
 *   and of i's score (wins + ½ ties)
 * @param eligible optional mask of slots that may be drawn
 */
export function activePolicy(
  m: number,
  options: Partial<ActivePolicyOptions> = {},
  initial?: { readonly n: ArrayLike<number>; readonly s: ArrayLike<number> },
  eligible?: ArrayLike<number | boolean>,
): PairPolicy {
  const o = { ...DEFAULT_ACTIVE_POLICY, ...options };
  if (!(o.refitGrowth > 1)) throw new Error('active sampling: refitGrowth must be > 1');
  eligibleList(m, eligible);
  const P = (m * (m - 1)) / 2;
  const pi = new Int32Array(P);
  const pj = new Int32Array(P);
  const slot = new Int32Array(m * m).fill(-1);
  let k = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      pi[k] = i;
      pj[k] = j;
      slot[i * m + j] = k;
      slot[j * m + i] = k;
      k++;
    }
  }
  const n = new Float64Array(P);
  const s = new Float64Array(P);
  let total = 0;
  if (initial) {
    for (let q = 0; q < P; q++) {
      n[q] = initial.n[pi[q]! * m + pj[q]!]!;
      s[q] = initial.s[pi[q]! * m + pj[q]!]!;
      total += n[q]!;
    }
  }
  const ok = (v: number) => !eligible || Boolean(eligible[v]);
  let theta: Float64Array = new Float64Array(m);
  const sigma = (q: number) => {
    const p = sigmoid(theta[pi[q]!]! - theta[pj[q]!]!);
    return Math.sqrt(p * (1 - p));
  };
  const weightOf = (q: number) => (ok(pi[q]!) && ok(pj[q]!) ? activeWeight(sigma(q), n[q]!) : 0);
  const tree = new FenwickSampler(Float64Array.from({ length: P }, (_, q) => weightOf(q)));
  let nextRefit = o.refitFirst;
  const refit = () => {
    const ci: number[] = [];
    const cj: number[] = [];
    const cs: number[] = [];
    const cn: number[] = [];
    for (let q = 0; q < P; q++) {
      if (n[q]! > 0) {
        ci.push(pi[q]!);
        cj.push(pj[q]!);
        cs.push(s[q]!);
        cn.push(n[q]!);
      }
    }
    const fit = fitBradleyTerry(
      { m, pairs: ci.length, i: Int32Array.from(ci), j: Int32Array.from(cj), s: Float64Array.from(cs), n: Float64Array.from(cn) },
      { prior: AUTO_PRIOR, tolerance: 1e-3, maxIterations: 50, init: theta },
    );
    theta = fit.theta;
    for (let q = 0; q < P; q++) tree.set(q, weightOf(q));
    tree.rebuild();
  };
  if (total >= nextRefit) {
    refit();
    while (nextRefit <= total) nextRefit = Math.max(nextRefit * o.refitGrowth, nextRefit + 1);
  }
  return {
    name: 'active',
    m,
    draw(rng, out) {
      let q = -1;
      while (q < 0) q = tree.find(rng() * tree.total());
      if (rng() < 0.5) {
        out.a = pi[q]!;
        out.b = pj[q]!;
      } else {
        out.a = pj[q]!;
        out.b = pi[q]!;
      }
    },
    drawOpponent(a, rng) {
      let sum = 0;
      for (let b = 0; b < m; b++) if (b !== a) sum += tree.weight(slot[a * m + b]!);
      if (!(sum > 0)) throw new Error('active sampling: no eligible opponent');
      let t = rng() * sum;
      let last = -1;
      for (let b = 0; b < m; b++) {
        if (b === a) continue;
        const w = tree.weight(slot[a * m + b]!);
        if (w <= 0) continue;
        last = b;
        t -= w;
        if (t < 0) return b;
      }
      return last;
    },
    record(a, b, outcome) {
      const q = slot[a * m + b]!;
      const scoreA = outcome === 0 ? 1 : outcome === 1 ? 0 : 0.5;
      n[q]!++;
      s[q]! += a < b ? scoreA : 1 - scoreA;
      total++;
      tree.set(q, weightOf(q));
      if (total >= nextRefit) {
        refit();
        while (nextRefit <= total) nextRefit = Math.max(nextRefit * o.refitGrowth, nextRefit + 1);
      }
    },
  };
}

/** A sampling policy by name and parameters (the `--policy` option and the scenario `policy` field). */
export type PolicySpec =
  | { readonly type: 'uniform' }
  | { readonly type: 'popularity'; readonly exponent?: number | undefined }
  | ({ readonly type: 'lmarena' } & { readonly [K in keyof LmarenaPolicyOptions]?: LmarenaPolicyOptions[K] | undefined })
  | ({ readonly type: 'active' } & { readonly [K in keyof ActivePolicyOptions]?: ActivePolicyOptions[K] | undefined });

/** The current state a policy starts from. */
export interface PolicyContext {
  /** True display-scale ratings per slot (for popularity and the top 10). */
  readonly ratings: ArrayLike<number>;
  /** Slots that may be drawn (all when absent). */
  readonly eligible?: ArrayLike<number | boolean> | undefined;
  /** Explicit popularity weights per slot (else Zipf by true rank). */
  readonly weights?: ArrayLike<number> | undefined;
  /** New (boosted) models, for `lmarena`. */
  readonly isNew?: ArrayLike<number | boolean> | undefined;
  /** Battles already played per slot, for `lmarena`. */
  readonly votes?: ArrayLike<number> | undefined;
  /** Votes already cast per pair (dense m×m, i < j), for `active`. */
  readonly pairs?: { readonly n: ArrayLike<number>; readonly s: ArrayLike<number> } | undefined;
}

/** Default Zipf exponent of popularity sampling. */
export const DEFAULT_POPULARITY_EXPONENT = 1;

/**
 * Builds a policy from its spec and the current state. O(m log m), or O(m²) for active sampling.
 * @throws Error when fewer than two models can be drawn
 */
export function createPolicy(spec: PolicySpec, ctx: PolicyContext): PairPolicy {
  const m = ctx.ratings.length;
  switch (spec.type) {
    case 'uniform':
      return uniformPolicy(m, ctx.eligible);
    case 'popularity': {
      const w = ctx.weights
        ? Float64Array.from({ length: m }, (_, v) => (!ctx.eligible || ctx.eligible[v] ? ctx.weights![v]! : 0))
        : zipfWeights(ctx.ratings, spec.exponent ?? DEFAULT_POPULARITY_EXPONENT, ctx.eligible);
      return popularityPolicy(w);
    }
    case 'lmarena': {
      const { type: _t, ...opts } = spec;
      void _t;
      return lmarenaPolicy(ctx.ratings, ctx.isNew ?? new Uint8Array(m), ctx.votes ?? new Float64Array(m), stripUndefined(opts), ctx.eligible);
    }
    case 'active': {
      const { type: _t, ...opts } = spec;
      void _t;
      return activePolicy(m, stripUndefined(opts), ctx.pairs, ctx.eligible);
    }
  }
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** A short text for a policy spec (for `params` and tables), e.g. `lmarena` or `popularity(exponent=1)`. */
export function describePolicy(spec: PolicySpec): string {
  const { type, ...rest } = spec;
  const args = Object.entries(rest).filter(([, v]) => v !== undefined);
  return args.length ? `${type}(${args.map(([k, v]) => `${k}=${String(v)}`).join(', ')})` : type;
}
