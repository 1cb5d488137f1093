import type { PlotSpec } from './render.js';
import { PLOT_CONFIG, plotTitle } from './theme.js';

/** One model on an interval plot (display-scale rating points). */
export interface IntervalRow {
  readonly model: string;
  readonly rating: number;
  readonly lower: number;
  readonly upper: number;
}

/** Options of {@link intervalsPlotSpec}. */
export interface IntervalsPlotOptions {
  /** Interval level, e.g. 0.95 (shown in the title). */
  readonly level: number;
  /** How the intervals were computed, e.g. `sandwich` or `bootstrap` (shown in the title). */
  readonly method: string;
  /** A second title line (provenance: data, battles, method). */
  readonly subtitle?: string;
  /** Plot width in pixels (default 480). */
  readonly width?: number;
}

/**
 * The interval plot LMArena and FastChat publish: one line per model from the lower to the upper bound of its
 * rating interval, a dot at the rating, models top to bottom in the order given (callers pass them sorted by
 * rating, highest first). Overlapping lines are models the data cannot tell apart at this level.
 *
 * O(rows). Reference: Chiang et al. (2024), *Chatbot Arena*, arXiv:2403.04132, Fig. 4.
 *
 * @param rows models in display order
 * @returns a Vega-Lite spec with the rows inline (render with {@link renderSvg})
 */
export function intervalsPlotSpec(rows: readonly IntervalRow[], opts: IntervalsPlotOptions): PlotSpec {
  const values = rows.map((r) => ({ model: r.model, rating: r.rating, lower: r.lower, upper: r.upper }));
  // an explicit domain, not a sort (Vega-Lite turns a sort into a group-by on the name, which loses "__proto__")
  const y = { field: 'model', type: 'nominal' as const, scale: { domain: rows.map((r) => r.model) }, title: 'Model' };
  const pct = `${Math.round(opts.level * 1000) / 10}%`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: PLOT_CONFIG,
    title: plotTitle(`Rating with its ${pct} interval (${opts.method})`, opts.subtitle),
    data: { values },
    width: opts.width ?? 480,
    height: { step: 16 },
    encoding: { y },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2, color: '#4c78a8' },
        encoding: {
          x: { field: 'lower', type: 'quantitative', scale: { zero: false, nice: true }, title: 'Rating' },
          x2: { field: 'upper' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 36, color: '#1f3b5c', opacity: 1 },
        encoding: { x: { field: 'rating', type: 'quantitative' } },
      },
    ],
  };
}
