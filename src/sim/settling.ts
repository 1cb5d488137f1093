/**
 * When did a board settle? Definitions (docs/methods.md#settling), applied to the checkpoints of a time-ordered
 * replay (`stabilityReplay`).
 *
 * - **Unchanged since** (a fact about the replay, not a claim about the truth): for a quantity q (a model's
 *   position by rating, its LMArena rank, whether its rating lies inside its final interval; the board's top-k set
 *   and top-k order), the first checkpoint from which q equals its final value at every later checkpoint. When q
 *   changed at the last checkpoint (or the model first appears there, or there is one checkpoint only), it is
 *   **not settled**, with the reason.
 * - **Settled** (a claim, made with confidence): a model's position is settled from the first checkpoint s such
 *   that, at s and every later checkpoint, the position equals the final one *and* the model is separated from its
 *   neighbours above and below by an anytime-valid confidence sequence on their rating gaps (`stats/anytime.ts`):
 *   the gap exceeds the sequence's half-width. A model whose interval overlaps a neighbour's is never "settled",
 *   whatever its LMArena rank says (rank 1 for every top model while all intervals overlap is not settled). The
 *   board's top-k order is settled when the order is unchanged and each adjacent pair among the top k is
 *   separated so; the top-k set when the set is unchanged and #k is separated from #k+1.
 *
 * Because the sequences hold at every checkpoint at once, looking after every battle does not inflate the false
 * "settled" calls (`bench/anytime.mjs` measures the rate on simulated boards with known truth).
 */

/** A model's place on a fitted board: rating, interval (null without intervals), LMArena rank, position. */
export interface RankedEntry {
  readonly rating: number;
  readonly lower: number | null;
  readonly upper: number | null;
  /** LMArena rank: 1 + number of models whose lower bound exceeds this model's upper bound. */
  readonly rank: number;
  /** Position by rating (1 = highest). */
  readonly position: number;
}

/** One model at one checkpoint, as the settling rules need it. */
export interface SettlingModel extends RankedEntry {
  readonly model: string;
  /** The model's battles so far. */
  readonly battles: number;
  /** Separated (anytime) from the model just above / just below in rating; null when there is none or no intervals. */
  readonly separatedAbove: boolean | null;
  readonly separatedBelow: boolean | null;
  /** Standard deviation (points) of the gap to the model just below (sandwich); null when there is none. */
  readonly gapSdBelow: number | null;
}

/** A checkpoint as the settling rules need it: models sorted by rating. */
export interface SettlingCheckpoint {
  readonly index: number;
  readonly battles: number;
  readonly tstamp: number | null;
  readonly models: readonly SettlingModel[];
}

/** Where a quantity settled, or why it has not. */
export type Settle =
  | {
      readonly settled: true;
      /** 0-based checkpoint from which the quantity held. */
      readonly checkpoint: number;
      /** Battles of the whole board replayed by then. */
      readonly battles: number;
      /** The model's own battles by then (for the board: the same as `battles`). */
      readonly votes: number;
      readonly tstamp: number | null;
      /** Hours from the model's first battle (the board: the replay's first battle) to then; null without timestamps. */
      readonly hours: number | null;
    }
  | { readonly settled: false; readonly reason: string };

/** A model's settling points. */
export interface ModelSettling {
  /** Position by rating unchanged since. */
  readonly position: Settle;
  /** LMArena rank unchanged since (a fact; see `settled` for the claim). */
  readonly rank: Settle;
  /** Rating inside its final interval since (not settled without intervals). */
  readonly rating: Settle;
  /** Position settled with confidence: unchanged and separated (anytime) from both neighbours since. */
  readonly settled: Settle;
}

/** The board's settling points for its top k. */
export interface BoardSettling {
  readonly k: number;
  readonly setUnchanged: Settle;
  readonly orderUnchanged: Settle;
  /** Top-k set unchanged and #k separated (anytime) from #k+1 since. */
  readonly setSettled: Settle;
  /** Top-k order unchanged and every adjacent pair of the top k separated (anytime) since. */
  readonly orderSettled: Settle;
}

/**
 * The first checkpoint s from which `holds(c)` is true for every checkpoint c ≥ s, as a {@link Settle}; not
 * settled when it fails at the last checkpoint, or holds only from the last one (with `lastReason`), or with a
 * single checkpoint. O(checkpoints).
 *
 * @param holds whether the quantity holds at checkpoint c (by position in `checkpoints`)
 * @param votesAt the model's battles at checkpoint c
 * @param start timestamp from which hours are counted (null: none)
 */
export function settleFrom(
  checkpoints: readonly SettlingCheckpoint[],
  holds: (c: number) => boolean,
  votesAt: (c: number) => number,
  start: number | null,
  reasons: { readonly failsAtEnd: string; readonly onlyAtEnd: string },
): Settle {
  const n = checkpoints.length;
  if (n === 0) return { settled: false, reason: 'no checkpoint' };
  if (!holds(n - 1)) return { settled: false, reason: reasons.failsAtEnd };
  let s = n - 1;
  while (s > 0 && holds(s - 1)) s--;
  if (n === 1) return { settled: false, reason: 'one checkpoint only: nothing to compare with' };
  if (s === n - 1) return { settled: false, reason: reasons.onlyAtEnd };
  const c = checkpoints[s]!;
  const hours = c.tstamp !== null && start !== null ? (c.tstamp - start) / 3600 : null;
  return { settled: true, checkpoint: c.index, battles: c.battles, votes: votesAt(s), tstamp: c.tstamp, hours };
}

/**
 * Settling points of every model of the last checkpoint (see the module comment for the rules). O(checkpoints × m).
 *
 * @param firstSeen timestamp of each model's first battle (for hours), by name; absent: none
 */
export function modelSettling(checkpoints: readonly SettlingCheckpoint[], firstSeen: ReadonlyMap<string, number>): Map<string, ModelSettling> {
  const last = checkpoints[checkpoints.length - 1];
  const out = new Map<string, ModelSettling>();
  if (!last) return out;
  const maps = checkpoints.map((c) => new Map(c.models.map((x) => [x.model, x])));
  for (const fin of last.models) {
    const at = (c: number) => maps[c]!.get(fin.model);
    const votesAt = (c: number) => at(c)?.battles ?? 0;
    const start = firstSeen.get(fin.model) ?? null;
    const changed = (what: string) => ({ failsAtEnd: `${what} changed at the last checkpoint`, onlyAtEnd: `${what} changed at the last checkpoint` });
    const position = settleFrom(checkpoints, (c) => at(c)?.position === fin.position, votesAt, start, changed('position'));
    const rank = settleFrom(checkpoints, (c) => at(c)?.rank === fin.rank, votesAt, start, changed('rank'));
    const hasCi = fin.lower !== null && fin.upper !== null;
    const rating = hasCi
      ? settleFrom(checkpoints, (c) => { const x = at(c); return x !== undefined && x.rating >= fin.lower! && x.rating <= fin.upper!; }, votesAt, start, changed('rating (outside its final interval)'))
      : ({ settled: false, reason: 'no intervals' } as const);
    let settled: Settle;
    if (!hasCi || fin.separatedAbove === null && fin.separatedBelow === null && last.models.length > 1) settled = { settled: false, reason: 'no intervals' };
    else {
      const confident = (c: number) => {
        const x = at(c);
        return x !== undefined && x.position === fin.position && x.separatedAbove !== false && x.separatedBelow !== false;
      };
      const why = fin.separatedAbove === false && fin.separatedBelow === false ? 'not separated from the models above and below' : fin.separatedAbove === false ? 'not separated from the model above' : 'not separated from the model below';
      settled = settleFrom(checkpoints, confident, votesAt, start, { failsAtEnd: confident(checkpoints.length - 1) ? '' : why, onlyAtEnd: 'separated from its neighbours only at the last checkpoint' });
    }
    out.set(fin.model, { position, rank, rating, settled });
  }
  return out;
}

/**
 * Settling points of the board's top k (see the module comment). O(checkpoints × k).
 *
 * @param start timestamp of the replay's first battle (null without timestamps)
 */
export function boardSettling(checkpoints: readonly SettlingCheckpoint[], k: number, start: number | null): BoardSettling {
  const last = checkpoints[checkpoints.length - 1];
  const kk = Math.min(k, last?.models.length ?? 0);
  const top = (c: number) => checkpoints[c]!.models.slice(0, kk).map((x) => x.model);
  const finalTop = last ? top(checkpoints.length - 1) : [];
  const finalSet = [...finalTop].sort();
  const battlesAt = (c: number) => checkpoints[c]!.battles;
  const sameOrder = (c: number) => {
    const t = top(c);
    return t.length === kk && t.every((m, q) => m === finalTop[q]);
  };
  const sameSet = (c: number) => {
    const t = top(c).sort();
    return t.length === kk && t.every((m, q) => m === finalSet[q]);
  };
  const hasCi = last !== undefined && last.models.some((x) => x.separatedBelow !== null || x.separatedAbove !== null);
  const adjacentSeparated = (c: number) => checkpoints[c]!.models.slice(0, kk - 1).every((x) => x.separatedBelow === true);
  const kthSeparated = (c: number) => {
    const x = checkpoints[c]!.models[kk - 1];
    return x !== undefined && (checkpoints[c]!.models.length === kk || x.separatedBelow === true);
  };
  const changed = (what: string) => ({ failsAtEnd: `the top-${kk} ${what} changed at the last checkpoint`, onlyAtEnd: `the top-${kk} ${what} changed at the last checkpoint` });
  const noCi: Settle = { settled: false, reason: 'no intervals' };
  return {
    k: kk,
    setUnchanged: settleFrom(checkpoints, sameSet, battlesAt, start, changed('set')),
    orderUnchanged: settleFrom(checkpoints, sameOrder, battlesAt, start, changed('order')),
    setSettled: hasCi
      ? settleFrom(checkpoints, (c) => sameSet(c) && kthSeparated(c), battlesAt, start, { failsAtEnd: sameSet(checkpoints.length - 1) ? `#${kk} is not separated from #${kk + 1}` : changed('set').failsAtEnd, onlyAtEnd: changed('set').onlyAtEnd })
      : noCi,
    orderSettled: hasCi
      ? settleFrom(checkpoints, (c) => sameOrder(c) && adjacentSeparated(c), battlesAt, start, { failsAtEnd: sameOrder(checkpoints.length - 1) ? `not every adjacent pair of the top ${kk} is separated` : changed('order').failsAtEnd, onlyAtEnd: changed('order').onlyAtEnd })
      : noCi,
  };
}
