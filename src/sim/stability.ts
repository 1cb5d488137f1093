import type { BattleTable } from '../data/table.js';
import { InputError } from '../errors.js';
import { DEFAULT_ELO, type EloOptions } from '../rating/elo.js';
import type { ModelFit, ModelOptions } from '../models/types.js';
import { ciRanks, orderByRating } from '../leaderboard/leaderboard.js';
import { deriveRng, type Rng } from '../rng.js';
import { normalQuantile } from '../math/normal.js';
import { anytimeHalfWidth, DEFAULT_ANYTIME_TUNE, mixtureRatio } from '../stats/anytime.js';
import { fitBoard, PairBoard, type SimIntervals } from './board.js';
import { boardSettling, type BoardSettling, type ModelSettling, modelSettling, type SettlingModel } from './settling.js';
import { quantileSorted7 } from './summary.js';

/** When to refit during a time-ordered replay: every n battles, or at the end of each UTC hour or day. */
export type CheckpointRule = { readonly every: number } | { readonly by: 'hour' | 'day' };

/** Options of {@link stabilityReplay}. */
export interface StabilityOptions {
  readonly rate: ModelOptions;
  readonly checkpoints: CheckpointRule;
  /** Interval level (e.g. 0.95). */
  readonly level: number;
  /** Interval method of each BT refit (ignored by online Elo, which has none). */
  readonly intervals: SimIntervals;
  readonly seed: string | number;
  /** Called after each checkpoint with the battles replayed so far and the total (for a progress bar). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  /** Board settling is reported for the top k (default 10). */
  readonly topK?: number | undefined;
  /** Tuning of the anytime-valid sequences: the gap standard error (points) where they are tightest (default 10). */
  readonly anytimeTune?: number | undefined;
}

/** One model at one checkpoint. */
export interface CheckpointModel extends SettlingModel {
  readonly model: string;
  readonly rating: number;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly rank: number;
  /** Battles the model had played by then. */
  readonly battles: number;
}

/** The board at one checkpoint. */
export interface Checkpoint {
  /** 0-based checkpoint number. */
  readonly index: number;
  /** Battles replayed so far. */
  readonly battles: number;
  /** Timestamp of the last battle replayed (null without timestamps). */
  readonly tstamp: number | null;
  /** Models seen so far, sorted by rating. */
  readonly models: readonly CheckpointModel[];
}

/** A model's final line with its settling points (see `./settling`). */
export interface StabilityModel extends CheckpointModel {
  readonly settling: ModelSettling;
}

/** A pair of models whose gap's interval holds 0 at the end, and the votes that would separate them. */
export interface UnseparatedPair {
  /** The higher-rated model. */
  readonly a: string;
  readonly b: string;
  /** Rating gap a − b (≥ 0). */
  readonly gap: number;
  /** Standard deviation of the gap (points), and where it comes from. */
  readonly gapSd: number;
  readonly gapSdMethod: 'sandwich' | 'independent';
  /** Factor by which every model's votes must grow: (z·sd/gap)². */
  readonly factor: number | null;
  /** More battles arena-wide, at the same mix: N·(factor − 1) (null when the gap is 0). */
  readonly moreBattles: number | null;
  /** More battles of a and of b: n_a·(factor − 1), n_b·(factor − 1). */
  readonly moreBattlesA: number | null;
  readonly moreBattlesB: number | null;
}

/** The result of {@link stabilityReplay}. */
export interface StabilityReplay {
  readonly checkpoints: readonly Checkpoint[];
  /** Final board with settling points, sorted by rating. */
  readonly models: readonly StabilityModel[];
  /** Settling points of the board's top k. */
  readonly board: BoardSettling;
  /** Timestamp of the first battle replayed (null without timestamps). */
  readonly start: number | null;
  /** The last checkpoint's fit warnings, a count of earlier checkpoints that had some, and anchor notes. */
  readonly warnings: readonly string[];
}

const periodOf = (t: number, by: 'hour' | 'day') => Math.floor(t / (by === 'day' ? 86400 : 3600));

/** Counts rows [from, to) into the board (with their weights on a weighted board), the battles per model and each model's first timestamp. O(to − from). */
function countRows(t: BattleTable, from: number, to: number, board: PairBoard, played: Float64Array, firstAt: Float64Array): void {
  const ts = t.tstamp;
  const w = t.weight ?? null;
  for (let i = from; i < to; i++) {
    const a = t.a[i]!;
    const b = t.b[i]!;
    const c = t.count[i]!;
    board.add(a, b, t.outcome[i]!, c, w === null ? 1 : w[i]!);
    played[a]! += c;
    played[b]! += c;
    if (ts) {
      const x = ts[i]!;
      if (!Number.isNaN(x)) {
        if (Number.isNaN(firstAt[a]!)) firstAt[a] = x;
        if (Number.isNaN(firstAt[b]!)) firstAt[b] = x;
      }
    }
  }
}

/** Online Elo over rows [from, to) in order, each row's `count` battles one after another (ties half, or skipped). */
function eloRows(t: BattleTable, from: number, to: number, r: Float64Array, o: { readonly k: number; readonly scale: number; readonly base: number }, ignoreTies: boolean): void {
  const { k, scale, base } = o;
  for (let i = from; i < to; i++) {
    const o2 = t.outcome[i]!;
    if (o2 >= 2 && ignoreTies) continue;
    const a = t.a[i]!;
    const b = t.b[i]!;
    const sa = o2 === 0 ? 1 : o2 === 1 ? 0 : 0.5;
    for (let q = 0; q < t.count[i]!; q++) {
      const ra = r[a]!;
      const rb = r[b]!;
      const ea = 1 / (1 + Math.pow(base, (rb - ra) / scale));
      const eb = 1 / (1 + Math.pow(base, (ra - rb) / scale));
      r[a] = ra + k * (sa - ea);
      r[b] = rb + k * (1 - sa - eb);
    }
  }
}

/**
 * Replays battles in their order (sort them by time first) and refits at checkpoints: every `every` battles, or at
 * the end of each UTC hour or day with battles, and always at the end. Likelihood refits go through the same
 * pipeline as `arena rate` (the model the options select, the ridge prior while a model is unbeaten) plus
 * sandwich intervals; online Elo reports its running ratings (no intervals). At each checkpoint, each model is
 * marked separated or not from its neighbours in rating by an anytime-valid confidence sequence on their gap
 * (`stats/anytime.ts`, level `level`, tuned by `anytimeTune`). Settling points per model and for the top k
 * follow `./settling`.
 *
 * Cost: O(rows) + checkpoints × (m² + fit), the fit O(m³) for BT.
 *
 * @throws Error when checkpoints by hour or day are asked for battles without timestamps
 */
export function stabilityReplay(t: BattleTable, opts: StabilityOptions): StabilityReplay {
  const m = t.models.length;
  if (opts.rate.anchor && !t.models.includes(opts.rate.anchor.model)) {
    throw new InputError(`anchor model ${JSON.stringify(opts.rate.anchor.model)} is not in the battles`, { field: '--anchor' });
  }
  // --reweight pairs is honoured (each checkpoint's fit weighs the pair counts so far); per-row weights too (the
  // board keeps each cell's Σw and Σw²)
  const board = new PairBoard(m, Boolean(t.weight));
  t.models.forEach((name) => board.addModel(name, 0, false));
  const by = 'by' in opts.checkpoints ? opts.checkpoints.by : null;
  const every = 'every' in opts.checkpoints ? opts.checkpoints.every : 0;
  if (by) {
    if (!t.tstamp) throw new Error(`checkpoints by ${by} need a tstamp on every battle (none has one)`);
    for (let i = 0; i < t.rows; i++) if (Number.isNaN(t.tstamp[i]!)) throw new Error(`checkpoints by ${by} need a tstamp on every battle (row ${i + 1} has none)`);
  } else if (!(every >= 1)) throw new Error('checkpoints: every must be ≥ 1 battle');
  const alpha = 1 - opts.level;
  const tune = opts.anytimeTune ?? DEFAULT_ANYTIME_TUNE;
  const ratio = mixtureRatio(alpha);
  const firstAt = new Float64Array(m).fill(Number.NaN); // timestamp of each model's first battle, by id
  const elo = opts.rate.method === 'elo';
  const eloR = new Float64Array(m).fill(opts.rate.initial);
  const played = new Float64Array(m);
  const warnings = new Set<string>();
  let lastWarnings: readonly string[] = [];
  let warnedCheckpoints = 0;
  const checkpoints: Checkpoint[] = [];
  let anchorMissing = false;
  let previous: ModelFit | undefined; // the last checkpoint's fit: the next one starts from it
  const take = (battles: number, row: number) => {
    const tstamp = t.tstamp && !Number.isNaN(t.tstamp[row]!) ? t.tstamp[row]! : null;
    const seen: number[] = [];
    for (let v = 0; v < m; v++) if (played[v]! > 0) seen.push(v);
    const models: CheckpointModel[] = [];
    if (elo) {
      let shift = 0;
      if (opts.rate.anchor) {
        const av = t.models.indexOf(opts.rate.anchor.model);
        if (av >= 0 && played[av]! > 0) shift = opts.rate.anchor.rating - eloR[av]!;
        else anchorMissing = true;
      }
      const names = seen.map((v) => t.models[v]!);
      const r = Float64Array.from(seen, (v) => eloR[v]! + shift);
      const ranks = ciRanks(r);
      orderByRating(names, r).forEach((q, pos) => {
        models.push({ model: names[q]!, rating: r[q]!, lower: null, upper: null, rank: ranks[q]!, position: pos + 1, battles: played[seen[q]!]!, separatedAbove: null, separatedBelow: null, gapSdBelow: null });
      });
    } else {
      let rate = opts.rate;
      if (rate.anchor && !(played[t.models.indexOf(rate.anchor.model)]! > 0)) {
        anchorMissing = true;
        rate = { ...rate, anchor: null };
      }
      const fit = fitBoard(board, rate, opts.intervals, opts.level, previous);
      previous = fit.start;
      // the fit's warnings are those of the last checkpoint; earlier ones (thin data early on) are only counted
      lastWarnings = fit.warnings;
      if (fit.warnings.length) warnedCheckpoints++;
      const order = seen.sort((x, y) => fit.position[x]! - fit.position[y]!);
      // anytime separation of each pair of neighbours in rating: the gap beyond the sequence's half-width
      const sds = order.slice(0, -1).map((v, q) => fit.gapSd(v, order[q + 1]!));
      const sep = sds.map((sd, q) => (Number.isFinite(sd) ? fit.rating[order[q]!]! - fit.rating[order[q + 1]!]! > anytimeHalfWidth(sd, alpha, tune, ratio) : null));
      order.forEach((v, q) => {
        models.push({
          model: t.models[v]!,
          rating: fit.rating[v]!,
          lower: Number.isFinite(fit.lower[v]!) ? fit.lower[v]! : null,
          upper: Number.isFinite(fit.upper[v]!) ? fit.upper[v]! : null,
          rank: fit.rank[v]!,
          position: q + 1,
          battles: played[v]!,
          separatedAbove: q > 0 ? sep[q - 1]! : null,
          separatedBelow: q < order.length - 1 ? sep[q]! : null,
          gapSdBelow: q < order.length - 1 && Number.isFinite(sds[q]!) ? sds[q]! : null,
        });
      });
    }
    checkpoints.push({ index: checkpoints.length, battles, tstamp, models });
    opts.onProgress?.(battles, t.battles);
  };
  const eloOpts = { ...DEFAULT_ELO, ...opts.rate };
  const ignoreTies = opts.rate.ties === 'ignore';
  let battles = 0;
  let nextAt = every;
  // the rows in blocks that end at a checkpoint (after the last row; at the end of a UTC hour or day; or once every
  // `every` battles): find the block's last row, count the block into the board (and replay Elo) in tight loops
  for (let i = 0; i < t.rows; ) {
    let e = i;
    let sum = battles;
    for (; ; e++) {
      sum += t.count[e]!;
      if (e === t.rows - 1) break;
      if (by ? periodOf(t.tstamp![e + 1]!, by) !== periodOf(t.tstamp![e]!, by) : sum >= nextAt) break;
    }
    countRows(t, i, e + 1, board, played, firstAt);
    if (elo) eloRows(t, i, e + 1, eloR, eloOpts, ignoreTies);
    battles = sum;
    take(battles, e);
    while (every > 0 && nextAt <= battles) nextAt += every;
    i = e + 1;
  }
  lastWarnings.forEach((w) => warnings.add(w));
  const earlier = warnedCheckpoints - (lastWarnings.length ? 1 : 0);
  if (earlier > 0) warnings.add(`${earlier} earlier checkpoint${earlier > 1 ? 's' : ''} had fit warnings (typically models without a finite maximum-likelihood rating while data were thin; a ridge prior kept them finite): only the last checkpoint's fit warnings are listed.`);
  if (anchorMissing) warnings.add(`Checkpoints before ${JSON.stringify(opts.rate.anchor!.model)} first plays are not anchored.`);
  const start = t.tstamp && t.rows > 0 && !Number.isNaN(t.tstamp[0]!) ? t.tstamp[0]! : null;
  const last = checkpoints[checkpoints.length - 1];
  const firstSeen = new Map<string, number>();
  t.models.forEach((name, v) => {
    if (!Number.isNaN(firstAt[v]!)) firstSeen.set(name, firstAt[v]!);
  });
  const settling = modelSettling(checkpoints, firstSeen);
  const models = (last?.models ?? []).map((x) => ({ ...x, settling: settling.get(x.model)! }));
  return { checkpoints, models, board: boardSettling(checkpoints, opts.topK ?? 10, start), start, warnings: [...warnings] };
}

/**
 * Pairs of models not separated at `level` — the same meaning as `compare`: the interval of their rating gap holds 0
 * (gap ≤ z·sd of the gap) — with the votes that would separate them if the gap held and every standard error shrank
 * as 1/√votes at the current mix of battles: the votes must grow by the factor f = (z·sd/gap)². The gap's sd is the
 * sandwich's for neighbours in rating (`gapSdBelow`); for other pairs (`all`), or without it, √(se_a² + se_b²) from
 * the two intervals (se = (upper − lower)/(2z)), treating the two ratings as independent. Only neighbours in rating
 * order unless `all`. O(m) (neighbours) or O(m²) (all).
 *
 * @param models one board, sorted by rating, with intervals
 * @param battles total battles N of the board
 * @param level interval level (for z)
 */
export function unseparatedPairs(models: readonly CheckpointModel[], battles: number, level: number, all = false): UnseparatedPair[] {
  const z = normalQuantile((1 + level) / 2);
  const out: UnseparatedPair[] = [];
  const withCi = models.filter((x) => x.lower !== null && x.upper !== null);
  for (let i = 0; i < withCi.length; i++) {
    for (let j = i + 1; j < (all ? withCi.length : Math.min(i + 2, withCi.length)); j++) {
      const a = withCi[i]!;
      const b = withCi[j]!;
      const gap = a.rating - b.rating;
      const neighbours = b.position === a.position + 1 && a.gapSdBelow !== null;
      const seA = (a.upper! - a.lower!) / (2 * z);
      const seB = (b.upper! - b.lower!) / (2 * z);
      const sd = neighbours ? a.gapSdBelow! : Math.sqrt(seA * seA + seB * seB);
      if (gap > z * sd) continue;
      const factor = gap > 0 ? ((z * sd) / gap) ** 2 : null;
      const more = (n: number) => (factor === null ? null : Math.max(0, Math.ceil(n * (factor - 1))));
      out.push({ a: a.model, b: b.model, gap, gapSd: sd, gapSdMethod: neighbours ? 'sandwich' : 'independent', factor, moreBattles: more(battles), moreBattlesA: more(a.battles), moreBattlesB: more(b.battles) });
    }
  }
  return out;
}

/** Spread of one model's final online-Elo rating over random orderings. */
export interface OrderSpreadModel {
  readonly model: string;
  /** Final rating in the given (time) order. */
  readonly inOrder: number;
  readonly mean: number;
  /** Standard deviation over the orderings (n − 1 denominator). */
  readonly sd: number;
  /** 2.5% and 97.5% quantiles (type 7). */
  readonly lower: number;
  readonly upper: number;
  readonly min: number;
  readonly max: number;
  /** Best and worst position by rating over the orderings. */
  readonly bestPosition: number;
  readonly worstPosition: number;
}

/** The result of {@link eloOrderSensitivity}. */
export interface OrderSensitivity {
  readonly orderings: number;
  /** Sorted by mean rating. */
  readonly models: readonly OrderSpreadModel[];
  /** Mean and largest per-model standard deviation. */
  readonly meanSd: number;
  readonly maxSd: number;
}

/** Fisher–Yates shuffle in place with an injected random source. O(n). */
export function shuffleInPlace(xs: Int32Array, rng: Rng): Int32Array {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = tmp;
  }
  return xs;
}

/**
 * Online Elo replayed over single battles in the given order (a row with count c appears c times in `battles`).
 * Same update as {@link replayElo}, written with exp for speed: e_a = 1/(1 + exp((r_b − r_a)·ln(base)/scale)).
 * O(length).
 *
 * @param battles row index of each battle, in replay order
 */
export function replayEloBattles(t: BattleTable, battles: Int32Array, opts: EloOptions): Float64Array {
  const r = new Float64Array(t.models.length).fill(opts.initial);
  const c = Math.log(opts.base) / opts.scale;
  const ignoreTies = opts.ties === 'ignore';
  const k = opts.k;
  for (let q = 0; q < battles.length; q++) {
    const row = battles[q]!;
    const o = t.outcome[row]!;
    if (o >= 2 && ignoreTies) continue;
    const a = t.a[row]!;
    const b = t.b[row]!;
    const sa = o === 0 ? 1 : o === 1 ? 0 : 0.5;
    const ra = r[a]!;
    const rb = r[b]!;
    const ea = 1 / (1 + Math.exp((rb - ra) * c));
    const eb = 1 / (1 + Math.exp((ra - rb) * c));
    r[a] = ra + k * (sa - ea);
    r[b] = rb + k * (1 - sa - eb);
  }
  return r;
}

/**
 * Order sensitivity of online Elo (Boubdir et al. 2023, "Elo Uncovered: Robustness and Best Practices in Language
 * Model Evaluation"): the final ratings over P random orderings of the same battles (ordering p shuffled with
 * deriveRng(seed, 'order', p), so results do not depend on how orderings are split), against the ratings in the
 * given order. Elo Uncovered finds the averages stable from about 100 orderings.
 *
 * Cost O(P × battles) time, O(battles + P·m) memory.
 */
export function eloOrderSensitivity(t: BattleTable, opts: EloOptions, orderings: number, seed: string | number, onProgress?: (done: number, total: number) => void): OrderSensitivity {
  const m = t.models.length;
  const seq = new Int32Array(t.battles);
  let q = 0;
  for (let i = 0; i < t.rows; i++) for (let c = 0; c < t.count[i]!; c++) seq[q++] = i;
  const inOrder = replayEloBattles(t, seq, opts);
  const finals = new Float64Array(orderings * m);
  const bestPos = new Int32Array(m).fill(m + 1);
  const worstPos = new Int32Array(m);
  const work = new Int32Array(seq.length);
  for (let p = 0; p < orderings; p++) {
    work.set(seq);
    const r = replayEloBattles(t, shuffleInPlace(work, deriveRng(seed, 'order', p)), opts);
    finals.set(r, p * m);
    onProgress?.(p + 1, orderings);
    orderByRating(t.models, r).forEach((v, pos) => {
      bestPos[v] = Math.min(bestPos[v]!, pos + 1);
      worstPos[v] = Math.max(worstPos[v]!, pos + 1);
    });
  }
  const models: OrderSpreadModel[] = [];
  for (let v = 0; v < m; v++) {
    const xs = Array.from({ length: orderings }, (_, p) => finals[p * m + v]!).sort((a, b) => a - b);
    const mean = xs.reduce((a, x) => a + x, 0) / (orderings || 1);
    const sd = orderings > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (orderings - 1)) : 0;
    models.push({
      model: t.models[v]!,
      inOrder: inOrder[v]!,
      mean,
      sd,
      lower: quantileSorted7(xs, 0.025),
      upper: quantileSorted7(xs, 0.975),
      min: xs[0] ?? Number.NaN,
      max: xs[xs.length - 1] ?? Number.NaN,
      bestPosition: orderings ? bestPos[v]! : 0,
      worstPosition: orderings ? worstPos[v]! : 0,
    });
  }
  models.sort((x, y) => y.mean - x.mean || (x.model < y.model ? -1 : x.model > y.model ? 1 : 0));
  const sds = models.map((x) => x.sd);
  return { orderings, models, meanSd: sds.reduce((a, x) => a + x, 0) / (m || 1), maxSd: Math.max(0, ...sds) };
}
