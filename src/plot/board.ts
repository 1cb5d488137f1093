import type { TiePolicy } from '../rating/bradley-terry.js';
import { orderByRating, type RatingIntervals } from '../leaderboard/leaderboard.js';
import { expectedScoreOf } from '../models/predict.js';
import type { ModelFit } from '../models/types.js';
import { countsPlotSpec, winratePlotSpec } from './heatmaps.js';
import { intervalsPlotSpec } from './intervals.js';
import { pairwiseMatrix } from './pairwise.js';
import type { PlotSpec } from './render.js';

/** Plot kinds drawn from one fitted board. */
export const BOARD_PLOT_KINDS = ['intervals', 'winrate', 'counts'] as const;
/** A plot kind drawn from one fitted board. */
export type BoardPlotKind = (typeof BOARD_PLOT_KINDS)[number];

/** Default number of models per plot kind (top N by rating). */
export const DEFAULT_PLOT_TOP: Readonly<Record<BoardPlotKind, number>> = Object.freeze({ intervals: 30, winrate: 15, counts: 15 });

/** Options of {@link boardPlotSpec}. */
export interface BoardPlotOptions {
  /** Models shown: the top N by rating (all when larger than the board). */
  readonly top: number;
  /** Tie policy of the fit (for observed win rates). */
  readonly ties: TiePolicy;
  /** Second title line (provenance). */
  readonly subtitle?: string;
  /** Heatmap cell size in pixels (default 28). */
  readonly cell?: number;
  /** Models left out of the plot (e.g. hidden by `--min-votes`): the top N are taken among the others. */
  readonly exclude?: ReadonlySet<string>;
}

/**
 * The spec of one plot of a fitted board, over its top `top` models by rating: `intervals` (rating and interval
 * per model; needs `iv`), `winrate` (predicted vs observed pairwise win rates), `counts` (battles per pair).
 *
 * O(pairs + n²) for n shown models.
 *
 * @param point the fit (ratings, aggregated battles)
 * @param iv intervals per model id (required for `intervals`, unused otherwise)
 * @throws Error when `intervals` is asked without intervals
 */
export function boardPlotSpec(kind: BoardPlotKind, point: ModelFit, iv: RatingIntervals | null, o: BoardPlotOptions): PlotSpec {
  const order = orderByRating(point.models, point.ratings)
    .filter((v) => !o.exclude?.has(point.models[v]!))
    .slice(0, Math.max(1, o.top));
  const sub = { ...(o.subtitle !== undefined ? { subtitle: o.subtitle } : {}), ...(o.cell !== undefined ? { cell: o.cell } : {}) };
  if (kind === 'intervals') {
    if (!iv) throw new Error('the intervals plot needs intervals');
    const rows = order.map((v) => ({ model: point.models[v]!, rating: point.ratings[v]!, lower: iv.lower[v]!, upper: iv.upper[v]! }));
    return intervalsPlotSpec(rows, { level: iv.level, method: iv.method, ...sub });
  }
  const mx = pairwiseMatrix(point.pairs, (i, j) => expectedScoreOf(point, i, j), order, o.ties);
  return kind === 'winrate' ? winratePlotSpec(mx, o.ties, sub) : countsPlotSpec(mx, sub);
}
