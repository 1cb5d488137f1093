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
}

/**
 * Aggregates a battle table into {@link PairCounts}, cells ordered by (i, j). Seat order (which model was A) is
 * folded away: a win of B over A counts as a win of B. O(rows + pairs·log pairs).
 */
export function aggregatePairs(t: BattleTable): PairCounts {
  const m = t.models.length;
  const dense = m <= 4096;
  const denseIndex = dense ? new Int32Array(m * m).fill(-1) : null;
  const sparseIndex = dense ? null : new Map<number, number>();
  let cap = 1024;
  let ci = new Int32Array(cap);
  let cj = new Int32Array(cap);
  let cnt = new Float64Array(cap * 4);
  let pairs = 0;
  for (let r = 0; r < t.rows; r++) {
    let x = t.a[r]!;
    let y = t.b[r]!;
    let o = t.outcome[r]!;
    if (x > y) {
      const tmp = x;
      x = y;
      y = tmp;
      if (o < 2) o = 1 - o;
    }
    const key = x * m + y;
    let c = dense ? denseIndex![key]! : (sparseIndex!.get(key) ?? -1);
    if (c < 0) {
      if (pairs === cap) {
        cap *= 2;
        const ni = new Int32Array(cap);
        ni.set(ci);
        ci = ni;
        const nj = new Int32Array(cap);
        nj.set(cj);
        cj = nj;
        const nc = new Float64Array(cap * 4);
        nc.set(cnt);
        cnt = nc;
      }
      c = pairs++;
      ci[c] = x;
      cj[c] = y;
      if (dense) denseIndex![key] = c;
      else sparseIndex!.set(key, c);
    }
    cnt[c * 4 + o]! += t.count[r]!;
  }
  const order = Array.from({ length: pairs }, (_, k) => k).sort((p, q) => ci[p]! - ci[q]! || cj[p]! - cj[q]!);
  const out = {
    models: t.models,
    pairs,
    i: new Int32Array(pairs),
    j: new Int32Array(pairs),
    winsI: new Float64Array(pairs),
    winsJ: new Float64Array(pairs),
    ties: new Float64Array(pairs),
    bothbad: new Float64Array(pairs),
  };
  order.forEach((src, k) => {
    out.i[k] = ci[src]!;
    out.j[k] = cj[src]!;
    out.winsI[k] = cnt[src * 4]!;
    out.winsJ[k] = cnt[src * 4 + 1]!;
    out.ties[k] = cnt[src * 4 + 2]!;
    out.bothbad[k] = cnt[src * 4 + 3]!;
  });
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
