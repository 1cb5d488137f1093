import type { BattleTable } from './table.js';

/**
 * Battles folded into one cell per unordered pair of models (i < j): wins of i, wins of j, ties and both-bad
 * ties. Every method that does not depend on battle order (Bradley–Terry and its tie models, sandwich and
 * multinomial bootstrap) works on these cells, so its cost depends on the number of pairs, not of battles.
 */
export interface PairCounts {
  /** Model names; `i` and `j` index into it. */
  readonly models: readonly string[];
  /** Number of cells (pairs that met at least once). */
  readonly pairs: number;
  /** Lower model id of each pair. */
  readonly i: Int32Array;
  /** Higher model id of each pair. */
  readonly j: Int32Array;
  /** Battles won by model i. */
  readonly winsI: Float64Array;
  /** Battles won by model j. */
  readonly winsJ: Float64Array;
  /** Battles labelled `tie`. */
  readonly ties: Float64Array;
  /** Battles labelled `tie (bothbad)`. */
  readonly bothbad: Float64Array;
  /**
   * Weighted data only (per-row `weight`, `--reweight pairs`; see `./weights`): Σw per (pair, outcome) cell, four
   * per pair in the order wins of i, wins of j, ties, both-bad ties. The counts above stay battle counts (totals,
   * resampling); likelihood fits use these sums. Absent: every battle weighs 1.
   */
  readonly weight?: Float64Array | undefined;
  /** Σw² per cell (same layout as `weight`): the sandwich's meat. Present exactly when `weight` is. */
  readonly weight2?: Float64Array | undefined;
}

/** Largest number of models for which {@link aggregatePairs} counts in a dense m × m table (m²·32 bytes ≤ 64 MiB). */
export const MAX_DENSE_MODELS = 1448;

/**
 * Aggregates a battle table into {@link PairCounts}, cells ordered by (i, j). Seat order (which model was A) is
 * folded away: a win of B over A counts as a win of B. Counts are sums of integers in doubles, exact to 2^53.
 *
 * Up to {@link MAX_DENSE_MODELS} models the rows are counted into a dense table with one slot per (pair,
 * outcome), a single random access per row, and the cells are then collected in (i, j) order: O(rows + m²).
 * Above it, the rows are bucketed by their lower model id (a counting sort) and each bucket's cells found with a
 * stamp per higher id: O(rows + m + pairs·log(pairs per model)), memory O(rows + m) (no hash map: at 20,000 models
 * and 6M battles about 10× faster than one). Both give the same cells, summed in the same row order.
 *
 * @param options.maxDenseModels threshold between the two strategies (for tests; default {@link MAX_DENSE_MODELS})
 */
export function aggregatePairs(t: BattleTable, options: { maxDenseModels?: number } = {}): PairCounts {
  const known = options.maxDenseModels === undefined ? aggregated.get(t) : undefined;
  if (known) return known;
  return t.models.length <= (options.maxDenseModels ?? MAX_DENSE_MODELS) ? aggregateDense(t) : aggregateSparse(t);
}

/** Pair counts handed over by the producer of a table (see {@link rememberPairCounts}), by table object. */
const aggregated = new WeakMap<BattleTable, PairCounts>();

/**
 * Records that `pc` is exactly what {@link aggregatePairs} computes for `t` (same cells, same order, same counts,
 * unweighted), so that later calls return it without a pass over the rows. For producers that count by pair
 * anyway: the simulation board hands its counts over with each refit's table. Tables are immutable, and filtered
 * or reweighted tables are new objects, so the record cannot go stale. `tests/sim/board.test.ts` checks the
 * producer against a fresh aggregation.
 */
export function rememberPairCounts(t: BattleTable, pc: PairCounts): void {
  aggregated.set(t, pc);
}

/** Empty {@link PairCounts} with room for `pairs` cells (unweighted), to be filled in (i, j) order. */
export function pairCountsOf(models: readonly string[], pairs: number): PairCounts & { i: Int32Array; j: Int32Array; winsI: Float64Array; winsJ: Float64Array; ties: Float64Array; bothbad: Float64Array } {
  return emptyCounts(models, pairs);
}

function aggregateDense(t: BattleTable): PairCounts {
  const m = t.models.length;
  const n = t.rows;
  const { a, b, outcome, count } = t;
  // slot (x·m + y)·4 + o for x < y, outcomes seen from x (0 = x won, 1 = y won, 2 tie, 3 both bad)
  const table = new Float64Array(m * m * 4);
  const rw = t.weight ?? null;
  const rw2 = rw ? (t.weight2 ?? null) : null;
  const wt = rw ? new Float64Array(m * m * 4) : null;
  const wt2 = rw ? new Float64Array(m * m * 4) : null;
  for (let r = 0; r < n; r++) {
    const x = a[r]!;
    const y = b[r]!;
    const o = outcome[r]!;
    const slot = x < y ? (x * m + y) * 4 + o : (y * m + x) * 4 + (o < 2 ? 1 - o : o);
    table[slot]! += count[r]!;
    if (rw) {
      const w = rw[r]!;
      wt![slot]! += count[r]! * w;
      wt2![slot]! += rw2 ? rw2[r]! : count[r]! * w * w;
    }
  }
  let pairs = 0;
  for (let k = 0; k < table.length; k += 4) if (table[k]! + table[k + 1]! + table[k + 2]! + table[k + 3]! > 0) pairs++;
  const out = emptyCounts(t.models, pairs, rw !== null);
  let c = 0;
  for (let x = 0; x < m; x++) {
    for (let y = x + 1; y < m; y++) {
      const k = (x * m + y) * 4;
      if (table[k]! + table[k + 1]! + table[k + 2]! + table[k + 3]! === 0) continue;
      out.i[c] = x;
      out.j[c] = y;
      out.winsI[c] = table[k]!;
      out.winsJ[c] = table[k + 1]!;
      out.ties[c] = table[k + 2]!;
      out.bothbad[c] = table[k + 3]!;
      if (wt) {
        out.weight!.set(wt.subarray(k, k + 4), 4 * c);
        out.weight2!.set(wt2!.subarray(k, k + 4), 4 * c);
      }
      c++;
    }
  }
  return out;
}

function emptyCounts(models: readonly string[], pairs: number, weighted = false) {
  return {
    ...(weighted ? { weight: new Float64Array(4 * pairs), weight2: new Float64Array(4 * pairs) } : {}),
    models,
    pairs,
    i: new Int32Array(pairs),
    j: new Int32Array(pairs),
    winsI: new Float64Array(pairs),
    winsJ: new Float64Array(pairs),
    ties: new Float64Array(pairs),
    bothbad: new Float64Array(pairs),
  };
}

function aggregateSparse(t: BattleTable): PairCounts {
  const m = t.models.length;
  const n = t.rows;
  const { a, b, outcome, count } = t;
  const rw = t.weight ?? null;
  const rw2 = rw ? (t.weight2 ?? null) : null;
  // the rows bucketed by their lower model id (a counting sort, stable: a cell's rows keep their input order),
  // copied as (higher id, outcome seen from the lower, count[, w, w²]) so that the passes below read in order
  const start = new Int32Array(m + 1);
  for (let r = 0; r < n; r++) start[Math.min(a[r]!, b[r]!) + 1]!++;
  for (let x = 0; x < m; x++) start[x + 1]! += start[x]!;
  const fill = start.slice(0, m);
  const hi = new Int32Array(n);
  const code = new Uint8Array(n);
  const cnt = new Float64Array(n);
  const w1 = rw ? new Float64Array(n) : null;
  const w2 = rw ? new Float64Array(n) : null;
  for (let r = 0; r < n; r++) {
    const x = a[r]!;
    const y = b[r]!;
    const o = outcome[r]!;
    const low = x < y;
    const q = fill[low ? x : y]!++;
    hi[q] = low ? y : x;
    code[q] = low || o >= 2 ? o : 1 - o;
    cnt[q] = count[r]!;
    if (rw) {
      const w = rw[r]!;
      w1![q] = count[r]! * w;
      w2![q] = rw2 ? rw2[r]! : count[r]! * w * w;
    }
  }
  // pass 1: the number of distinct pairs (a stamp per higher id, set to the bucket's own id)
  const mark = new Int32Array(m).fill(-1);
  let pairs = 0;
  for (let x = 0; x < m; x++) {
    for (let q = start[x]!; q < start[x + 1]!; q++) {
      const y = hi[q]!;
      if (mark[y] !== x) {
        mark[y] = x;
        pairs++;
      }
    }
  }
  // pass 2: per bucket, its higher ids sorted, then its rows counted into their cells
  const out = emptyCounts(t.models, pairs, rw !== null);
  const cellOf = new Int32Array(m);
  const ys = new Int32Array(m);
  mark.fill(-1);
  let c = 0;
  for (let x = 0; x < m; x++) {
    let k = 0;
    for (let q = start[x]!; q < start[x + 1]!; q++) {
      const y = hi[q]!;
      if (mark[y] !== x) {
        mark[y] = x;
        ys[k++] = y;
      }
    }
    const sorted = ys.subarray(0, k).sort();
    for (let p = 0; p < k; p++) {
      cellOf[sorted[p]!] = c + p;
      out.i[c + p] = x;
      out.j[c + p] = sorted[p]!;
    }
    for (let q = start[x]!; q < start[x + 1]!; q++) {
      const cell = cellOf[hi[q]!]!;
      const o = code[q]!;
      if (o === 0) out.winsI[cell]! += cnt[q]!;
      else if (o === 1) out.winsJ[cell]! += cnt[q]!;
      else if (o === 2) out.ties[cell]! += cnt[q]!;
      else out.bothbad[cell]! += cnt[q]!;
      if (w1) {
        out.weight![cell * 4 + o]! += w1[q]!;
        out.weight2![cell * 4 + o]! += w2![q]!;
      }
    }
    c += k;
  }
  return out;
}

/** Per-model battle totals. */
export interface ModelTotals {
  /** Battles played. */
  readonly battles: Float64Array;
  /** Battles won. */
  readonly wins: Float64Array;
  /** Battles lost. */
  readonly losses: Float64Array;
  /** Battles tied (both tie labels). */
  readonly ties: Float64Array;
}

/** Counts battles, wins, losses and ties of every model from pair cells. O(pairs). */
export function modelTotals(pc: PairCounts): ModelTotals {
  const m = pc.models.length;
  const battles = new Float64Array(m);
  const wins = new Float64Array(m);
  const losses = new Float64Array(m);
  const ties = new Float64Array(m);
  for (let k = 0; k < pc.pairs; k++) {
    const i = pc.i[k]!;
    const j = pc.j[k]!;
    const t = pc.ties[k]! + pc.bothbad[k]!;
    const n = pc.winsI[k]! + pc.winsJ[k]! + t;
    battles[i]! += n;
    battles[j]! += n;
    wins[i]! += pc.winsI[k]!;
    losses[j]! += pc.winsI[k]!;
    wins[j]! += pc.winsJ[k]!;
    losses[i]! += pc.winsJ[k]!;
    ties[i]! += t;
    ties[j]! += t;
  }
  return { battles, wins, losses, ties };
}
