import { pairCountsOf, rememberPairCounts, type PairCounts } from '../data/aggregate.js';
import type { BattleTable } from '../data/table.js';
import { modelFor } from '../models/index.js';
import type { ModelFit, ModelOptions } from '../models/types.js';
import { pointsPerLogit } from '../rating/scale.js';
import { contrastVariance, sandwichIntervals } from '../stats/uncertainty.js';
import { ciRanks, orderByRating } from '../leaderboard/leaderboard.js';

/**
 * A mutable arena state for scenarios: model slots (names, true ratings, present or removed, new or not) and the
 * votes cast so far, folded into outcome counts per unordered pair (Bradley–Terry and the sandwich depend only on
 * these counts, not on battle order). Slots are never reused, so ids stay stable while models come and go.
 *
 * Memory O(cap²): four counts per pair of slots (dense; 345 slots take 3.8 MB).
 */
export class PairBoard {
  /** Model name per slot. */
  readonly names: string[] = [];
  /** True display-scale rating per slot (the law of simulated votes). */
  readonly truth: Float64Array;
  /** 1 while the model is on the board, 0 once removed. */
  readonly present: Uint8Array;
  /** 1 for models that entered during a scenario (LMArena's new-model boost). */
  readonly isNew: Uint8Array;
  /** counts[((i·cap) + j)·4 + o] for i < j: outcome o from i's side (0 = i won, 1 = j won, 2 = tie, 3 = both bad). */
  readonly counts: Float64Array;
  /**
   * Weighted votes (battles read with a per-row `weight`): Σw and Σw² of each cell's battles, laid out as
   * {@link counts}; a vote added without a weight weighs 1. Null on an unweighted board.
   */
  readonly weights: Float64Array | null;
  readonly weights2: Float64Array | null;
  private readonly slots = new Map<string, number>();

  /**
   * @param cap the most model slots the board will ever hold
   * @param weighted whether votes carry weights ({@link weights})
   */
  constructor(
    readonly cap: number,
    weighted = false,
  ) {
    this.truth = new Float64Array(cap);
    this.present = new Uint8Array(cap);
    this.isNew = new Uint8Array(cap);
    this.counts = new Float64Array(cap * cap * 4);
    this.weights = weighted ? new Float64Array(cap * cap * 4) : null;
    this.weights2 = weighted ? new Float64Array(cap * cap * 4) : null;
  }

  /** Builds a board from pair counts (with their Σw and Σw² when weighted) with room for `extra` more models. O(cap² + pairs). */
  static fromPairs(pc: PairCounts, truth: ArrayLike<number>, extra = 0): PairBoard {
    const board = new PairBoard(pc.models.length + extra, pc.weight !== undefined);
    pc.models.forEach((name, v) => board.addModel(name, truth[v]!, false));
    for (let k = 0; k < pc.pairs; k++) {
      const base = (pc.i[k]! * board.cap + pc.j[k]!) * 4;
      board.counts[base] = pc.winsI[k]!;
      board.counts[base + 1] = pc.winsJ[k]!;
      board.counts[base + 2] = pc.ties[k]!;
      board.counts[base + 3] = pc.bothbad[k]!;
      if (board.weights) {
        board.weights.set(pc.weight!.subarray(4 * k, 4 * k + 4), base);
        board.weights2!.set(pc.weight2!.subarray(4 * k, 4 * k + 4), base);
      }
    }
    return board;
  }

  /** Number of slots in use (present or removed). */
  get size(): number {
    return this.names.length;
  }

  /** Slot of a model name, or −1. */
  slotOf(name: string): number {
    return this.slots.get(name) ?? -1;
  }

  /** Adds a model and returns its slot. @throws Error when the name exists or the board is full */
  addModel(name: string, truth: number, isNew: boolean): number {
    if (this.slots.has(name)) throw new Error(`model ${JSON.stringify(name)} is already on the board`);
    if (this.names.length >= this.cap) throw new Error('PairBoard is full');
    const v = this.names.length;
    this.names.push(name);
    this.slots.set(name, v);
    this.truth[v] = truth;
    this.present[v] = 1;
    this.isNew[v] = isNew ? 1 : 0;
    return v;
  }

  /** Offset of the cell of slots a ≠ b, and whether a is the cell's first model. */
  cell(a: number, b: number): { base: number; aFirst: boolean } {
    return a < b ? { base: (a * this.cap + b) * 4, aFirst: true } : { base: (b * this.cap + a) * 4, aFirst: false };
  }

  /**
   * Records `count` battles of a against b with outcome o from a's side (0 = a won, 1 = b won, 2/3 = ties), each
   * of weight `weight` (on a weighted board; 1 by default). O(1).
   */
  add(a: number, b: number, outcome: number, count = 1, weight = 1): void {
    // (this.cell without its object: called once per replayed battle row)
    const q = a < b ? (a * this.cap + b) * 4 + outcome : (b * this.cap + a) * 4 + (outcome >= 2 ? outcome : 1 - outcome);
    this.counts[q]! += count;
    if (this.weights) {
      this.weights[q]! += count * weight;
      this.weights2![q]! += count * weight * weight;
    }
  }

  /**
   * Moves `n` of the battles of cell slot `from` to slot `to` (same pair): on a weighted board they carry the
   * cell's mean weight and mean squared weight with them. O(1).
   */
  move(from: number, to: number, n: number): void {
    const c = this.counts[from]!;
    if (this.weights && c > 0) {
      const w = (this.weights[from]! * n) / c;
      const w2 = (this.weights2![from]! * n) / c;
      this.weights[from]! -= w;
      this.weights[to]! += w;
      this.weights2![from]! -= w2;
      this.weights2![to]! += w2;
    }
    this.counts[from]! -= n;
    this.counts[to]! += n;
  }

  /** Deletes every vote of slot v (the model stays on the board). O(cap). */
  clearVotes(v: number): void {
    for (let u = 0; u < this.size; u++) {
      if (u === v) continue;
      const { base } = this.cell(u, v);
      this.counts.fill(0, base, base + 4);
      this.weights?.fill(0, base, base + 4);
      this.weights2?.fill(0, base, base + 4);
    }
  }

  /** Removes a model and its votes. O(cap). */
  removeModel(v: number): void {
    this.clearVotes(v);
    this.present[v] = 0;
  }

  /** A deep copy. O(cap²). */
  clone(): PairBoard {
    const c = new PairBoard(this.cap, this.weights !== null);
    this.names.forEach((name, v) => c.addModel(name, this.truth[v]!, this.isNew[v] === 1));
    c.present.set(this.present);
    c.counts.set(this.counts);
    if (this.weights) {
      c.weights!.set(this.weights);
      c.weights2!.set(this.weights2!);
    }
    return c;
  }

  /** Battles played per slot. O(size²). */
  votes(): Float64Array {
    const out = new Float64Array(this.cap);
    for (let i = 0; i < this.size; i++) {
      for (let j = i + 1; j < this.size; j++) {
        const base = (i * this.cap + j) * 4;
        const n = this.counts[base]! + this.counts[base + 1]! + this.counts[base + 2]! + this.counts[base + 3]!;
        out[i]! += n;
        out[j]! += n;
      }
    }
    return out;
  }

  /** Dense cap×cap battles `n` and first-model scores `s` (wins + ½ ties) per pair i < j (for active sampling). */
  pairScores(): { n: Float64Array; s: Float64Array } {
    const n = new Float64Array(this.cap * this.cap);
    const s = new Float64Array(this.cap * this.cap);
    for (let i = 0; i < this.size; i++) {
      for (let j = i + 1; j < this.size; j++) {
        const base = (i * this.cap + j) * 4;
        const t = this.counts[base + 2]! + this.counts[base + 3]!;
        n[i * this.cap + j] = this.counts[base]! + this.counts[base + 1]! + t;
        s[i * this.cap + j] = this.counts[base]! + t / 2;
      }
    }
    return { n, s };
  }

  /**
   * The votes as a battle table: one row per pair and outcome, `count` = the number of such battles; only models
   * that played appear (ids in sorted name order, as for read data). On a weighted board each row's `weight` is
   * its cell's mean weight Σw/count and `weight2` its Σw². O(size² + m log m).
   */
  toTable(): BattleTable {
    // ids in sorted name order over the present models that played, rows in slot-pair order (i < j, then outcome):
    // the table BattleTableBuilder would give, written straight into exactly sized columns; with it, the pair counts
    // aggregatePairs would make of those rows (handed over, so the fit does not pass over the rows again)
    const size = this.size;
    const cap = this.cap;
    const counts = this.counts;
    const present = this.present;
    const played = new Uint8Array(size);
    let rows = 0;
    let pairs = 0;
    for (let i = 0; i < size; i++) {
      if (!present[i]) continue;
      for (let j = i + 1; j < size; j++) {
        if (!present[j]) continue;
        const base = (i * cap + j) * 4;
        const n = (counts[base]! > 0 ? 1 : 0) + (counts[base + 1]! > 0 ? 1 : 0) + (counts[base + 2]! > 0 ? 1 : 0) + (counts[base + 3]! > 0 ? 1 : 0);
        if (n > 0) {
          rows += n;
          pairs++;
          played[i] = 1;
          played[j] = 1;
        }
      }
    }
    const slots: number[] = [];
    for (let v = 0; v < size; v++) if (played[v]) slots.push(v);
    slots.sort((x, y) => (this.names[x]! < this.names[y]! ? -1 : this.names[x]! > this.names[y]! ? 1 : 0));
    const id = new Int32Array(size).fill(-1);
    slots.forEach((v, q) => (id[v] = q));
    const a = new Int32Array(rows);
    const b = new Int32Array(rows);
    const outcome = new Uint8Array(rows);
    const count = new Uint32Array(rows);
    const weight = this.weights ? new Float64Array(rows) : null;
    const weight2 = this.weights ? new Float64Array(rows) : null;
    let r = 0;
    let battles = 0;
    for (let i = 0; i < size; i++) {
      if (!played[i]) continue;
      const idI = id[i]!;
      for (let j = i + 1; j < size; j++) {
        if (!played[j]) continue;
        const base = (i * cap + j) * 4;
        for (let o = 0; o < 4; o++) {
          const c = counts[base + o]!;
          if (c > 0) {
            a[r] = idI;
            b[r] = id[j]!;
            outcome[r] = o;
            count[r] = c;
            if (weight) {
              weight[r] = this.weights![base + o]! / c;
              weight2![r] = this.weights2![base + o]!;
            }
            battles += c;
            r++;
          }
        }
      }
    }
    const table: BattleTable = { models: slots.map((v) => this.names[v]!), a, b, outcome, count, tstamp: null, rows, battles, ...(weight ? { weight, weight2 } : {}) };
    // a weighted board's fit aggregates its rows with their weights (the pair counts handed over are unweighted)
    if (weight) return table;
    // cells in (id, id) order, the four counts seen from the lower id (the board keeps them from the lower slot)
    const pc = pairCountsOf(table.models, pairs);
    let c = 0;
    for (let x = 0; x < slots.length; x++) {
      const sx = slots[x]!;
      for (let y = x + 1; y < slots.length; y++) {
        const sy = slots[y]!;
        const lowFirst = sx < sy;
        const base = (lowFirst ? sx * cap + sy : sy * cap + sx) * 4;
        const w0 = counts[base]!;
        const w1 = counts[base + 1]!;
        const t2 = counts[base + 2]!;
        const t3 = counts[base + 3]!;
        if (w0 + w1 + t2 + t3 === 0) continue;
        pc.i[c] = x;
        pc.j[c] = y;
        pc.winsI[c] = lowFirst ? w0 : w1;
        pc.winsJ[c] = lowFirst ? w1 : w0;
        pc.ties[c] = t2;
        pc.bothbad[c] = t3;
        c++;
      }
    }
    rememberPairCounts(table, pc);
    return table;
  }


  /**
   * Connected parts of the comparison graph of the present models (a pair that met joins two models; a present
   * model without votes is a part of its own). Union–find, O(size² α(size)).
   * @returns the number of parts and their sizes, largest first
   */
  components(): { parts: number; sizes: number[] } {
    const parent = Int32Array.from({ length: this.size }, (_, v) => v);
    const find = (v: number): number => {
      while (parent[v] !== v) {
        parent[v] = parent[parent[v]!]!;
        v = parent[v]!;
      }
      return v;
    };
    for (let i = 0; i < this.size; i++) {
      if (!this.present[i]) continue;
      for (let j = i + 1; j < this.size; j++) {
        if (!this.present[j]) continue;
        const base = (i * this.cap + j) * 4;
        if (this.counts[base]! + this.counts[base + 1]! + this.counts[base + 2]! + this.counts[base + 3]! > 0) parent[find(i)] = find(j);
      }
    }
    const sizes = new Map<number, number>();
    for (let v = 0; v < this.size; v++) if (this.present[v]) sizes.set(find(v), (sizes.get(find(v)) ?? 0) + 1);
    return { parts: sizes.size, sizes: [...sizes.values()].sort((a, b) => b - a) };
  }
}

/**
 * Intervals of the simulation engine's refits (what-if replications, stability checkpoints, round trips): the
 * uncertainty engine's sandwich (every likelihood model), or none. Online Elo has none.
 */
export type SimIntervals = 'sandwich' | 'none';

/** A fitted board, per slot (NaN / 0 where a model is absent or has no votes). */
export interface BoardFit {
  /** Display ratings per slot. */
  readonly rating: Float64Array;
  /** Interval bounds per slot (NaN without intervals). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** LMArena rank (1 + number of models whose lower bound exceeds this model's upper bound) per slot, 0 if absent. */
  readonly rank: Int32Array;
  /** Position by rating (1 = highest; ties in rating by name) per slot, 0 if absent. */
  readonly position: Int32Array;
  /** Battles played per slot. */
  readonly battles: Float64Array;
  /** The underlying fit (ids of `point.models`). */
  readonly point: ModelFit;
  /**
   * Standard deviation (display points) of the rating gap between two slots, from the sandwich covariance:
   * √(Σaa + Σbb − 2Σab)·scale/ln(base); NaN without intervals or for an absent slot. O(1).
   */
  readonly gapSd: (a: number, b: number) => number;
  readonly warnings: readonly string[];
  /**
   * The fit to warm-start a later refit from (`RatingModel.fit`'s `start`): the point fit, with the sandwich's
   * fresh factor of the information at the fit when there is one (chord steps for a Bradley–Terry refit).
   */
  readonly start: ModelFit;
}

/**
 * Fits a board with the model the options select (`modelFor`) on {@link PairBoard.toTable}, intervals by the
 * given method (the uncertainty engine's `sandwichIntervals`), ranks as LMArena shows them; `start` warm-starts the
 * fit (`RatingModel.fit`). O(size² + fit + intervals).
 */
export function fitBoard(board: PairBoard, rate: ModelOptions, intervals: SimIntervals, level: number, start?: ModelFit): BoardFit {
  const t = board.toTable();
  const model = modelFor(rate);
  const point = model.fit(t, rate, start);
  const sw = intervals === 'sandwich' && model.likelihood && t.models.length > 1 ? sandwichIntervals(point, model, level) : null;
  const iv = sw?.intervals ?? null;
  const m = t.models.length;
  const ranks = ciRanks(point.ratings, iv?.lower, iv?.upper);
  const order = orderByRating(t.models, point.ratings);
  const rating = new Float64Array(board.cap).fill(Number.NaN);
  const lower = new Float64Array(board.cap).fill(Number.NaN);
  const upper = new Float64Array(board.cap).fill(Number.NaN);
  const rank = new Int32Array(board.cap);
  const position = new Int32Array(board.cap);
  const battles = new Float64Array(board.cap);
  const idOf = new Int32Array(board.cap).fill(-1);
  for (let q = 0; q < m; q++) {
    const id = order[q]!;
    const v = board.slotOf(t.models[id]!);
    idOf[v] = id;
    rating[v] = point.ratings[id]!;
    if (iv) {
      lower[v] = iv.lower[id]!;
      upper[v] = iv.upper[id]!;
    }
    rank[v] = ranks[id]!;
    position[v] = q + 1;
    battles[v] = point.totals.battles[id]!;
  }
  const f = pointsPerLogit(rate);
  const gapSd = (a: number, b: number) => {
    const ia = idOf[a] ?? -1;
    const ib = idOf[b] ?? -1;
    return sw && ia >= 0 && ib >= 0 ? Math.sqrt(Math.max(0, contrastVariance(sw.cov, ia, ib))) * f : Number.NaN;
  };
  let next: ModelFit = point;
  if (point.kind === 'bt' && sw?.cov.factor) {
    let n = 0;
    for (let k = 0; k < point.cells.pairs; k++) n += point.cells.n[k]!;
    next = { ...point, factor: sw.cov.factor, factorComparisons: n };
  }
  return { rating, lower, upper, rank, position, battles, point, gapSd, warnings: point.warnings, start: next };
}
