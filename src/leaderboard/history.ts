/**
 * A board's history across published snapshots: a model's rating, interval, position and rank at each snapshot,
 * and how much of the top of the board changes from one snapshot to the next.
 */
import type { PublishedBoard } from '../data/board.js';
import { ciRanks } from './leaderboard.js';

/** One model at one snapshot (NaN figures and 0 ranks where the model is not on that board). */
export interface HistoryPoint {
  readonly file: string;
  readonly date: string | null;
  /** Whether the model is on this snapshot's board (under this exact name). */
  readonly present: boolean;
  readonly rating: number;
  readonly lower: number;
  readonly upper: number;
  /** Position by rating, 1 = highest (0 when absent). */
  readonly position: number;
  /** LMArena's rank: 1 + the number of models whose lower bound exceeds this model's upper bound (0 when absent). */
  readonly rank: number;
  /** Models on this snapshot's board. */
  readonly boardSize: number;
  /**
   * Places gained in rank since the model's previous snapshot (previous rank − rank: positive = up), or null at
   * its first appearance and where absent.
   */
  readonly rankChange: number | null;
  /** The same for the position by rating. */
  readonly positionChange: number | null;
}

/** One model's history, one point per snapshot in snapshot order. */
export interface ModelHistory {
  readonly model: string;
  readonly points: readonly HistoryPoint[];
  /** Snapshots the model is on. */
  readonly present: number;
}

/** How the top `top` of the board (by rating) changed from one snapshot to the next. */
export interface TurnoverStep {
  readonly from: { readonly file: string; readonly date: string | null };
  readonly to: { readonly file: string; readonly date: string | null };
  readonly top: number;
  /** Models in the new top `top` that were not in the previous one, by position. */
  readonly entered: readonly string[];
  /** Models of the previous top `top` no longer in it, by previous position. */
  readonly left: readonly string[];
}

/**
 * Snapshots in time order: sorted by date (stably) when every board has one, else in the order given. O(s log s).
 */
export function orderSnapshots(boards: readonly PublishedBoard[]): PublishedBoard[] {
  if (!boards.every((b) => b.date !== null)) return [...boards];
  return [...boards].sort((x, y) => (x.date! < y.date! ? -1 : x.date! > y.date! ? 1 : 0));
}

/**
 * A model's rating, interval, position and rank across snapshots (in the order given; see {@link orderSnapshots}).
 * Names are matched exactly: a model renamed between snapshots is two models (the boards say nothing about
 * lineage). Ranks are computed over every model on each published board, which may hold models LMArena's site
 * hides (deprecated ones), so they can differ from the ranks shown there.
 *
 * O(s · m log m) for s snapshots of m models.
 */
export function modelHistory(boards: readonly PublishedBoard[], model: string): ModelHistory {
  let prevRank: number | null = null;
  let prevPosition: number | null = null;
  let present = 0;
  const points = boards.map((b): HistoryPoint => {
    const v = b.models.indexOf(model);
    const base = { file: b.file, date: b.date, boardSize: b.models.length };
    if (v < 0) return { ...base, present: false, rating: Number.NaN, lower: Number.NaN, upper: Number.NaN, position: 0, rank: 0, rankChange: null, positionChange: null };
    present++;
    const rank = ciRanks(b.ratings, b.lower, b.upper)[v]!;
    const position = v + 1;
    const p: HistoryPoint = {
      ...base,
      present: true,
      rating: b.ratings[v]!,
      lower: b.lower[v]!,
      upper: b.upper[v]!,
      position,
      rank,
      rankChange: prevRank === null ? null : prevRank - rank,
      positionChange: prevPosition === null ? null : prevPosition - position,
    };
    prevRank = rank;
    prevPosition = position;
    return p;
  });
  return { model, points, present };
}

/**
 * Turnover of the top `top` models by rating between consecutive snapshots: which models entered and which left.
 * A rename counts as one model leaving and one entering. O(s · top).
 *
 * @throws RangeError for `top` < 1
 */
export function boardTurnover(boards: readonly PublishedBoard[], top: number): TurnoverStep[] {
  if (!(Number.isInteger(top) && top >= 1)) throw new RangeError('boardTurnover needs top ≥ 1');
  const out: TurnoverStep[] = [];
  for (let s = 1; s < boards.length; s++) {
    const prev = boards[s - 1]!.models.slice(0, top);
    const next = boards[s]!.models.slice(0, top);
    const inPrev = new Set(prev);
    const inNext = new Set(next);
    out.push({
      from: { file: boards[s - 1]!.file, date: boards[s - 1]!.date },
      to: { file: boards[s]!.file, date: boards[s]!.date },
      top,
      entered: next.filter((x) => !inPrev.has(x)),
      left: prev.filter((x) => !inNext.has(x)),
    });
  }
  return out;
}
