import { basename } from 'node:path';
import type { ModelHistory } from '../leaderboard/history.js';
import type { PlotSpec } from './render.js';
import { PLOT_CONFIG, plotTitle } from './theme.js';

/** Options of {@link historyPlotSpec}. */
export interface HistoryPlotOptions {
  /** Level of the published intervals (0.95). */
  readonly level: number;
  /** The category board (in the title). */
  readonly category: string;
  /** A second title line (provenance). */
  readonly subtitle?: string;
  readonly width?: number;
  readonly height?: number;
}

/**
 * The history chart of published snapshots: above, each model's published rating with its interval as a band; below,
 * its rank (LMArena's: 1 + models whose lower bound exceeds its upper bound), 1 at the top. The horizontal axis is
 * the snapshot date when every snapshot has one, else the snapshot's file in order. A snapshot where a model is
 * absent breaks its line (no interpolation across it); a faint dashed rule marks every snapshot, so a span without
 * snapshots is not mistaken for an absence.
 *
 * O(models × snapshots).
 */
export function historyPlotSpec(histories: readonly ModelHistory[], opts: HistoryPlotOptions): PlotSpec {
  const dated = histories.every((h) => h.points.every((p) => p.date !== null));
  const models = histories.map((h) => h.model);
  const values = histories.flatMap((h, k) =>
    h.points.map((p, s) => ({
      model: h.model,
      // lines are grouped by (model, series) so that a name such as "__proto__" stays a group key
      series: k,
      x: dated ? `${p.date}T00:00:00Z` : `${s + 1}. ${basename(p.file)}`,
      rating: p.present ? p.rating : null,
      lower: p.present ? p.lower : null,
      upper: p.present ? p.upper : null,
      rank: p.present ? p.rank : null,
    })),
  );
  const snapshots = histories[0]?.points.length ?? 0;
  const x = dated
    ? { field: 'x', type: 'temporal' as const, title: 'Snapshot date (UTC)', timeUnit: 'utcyearmonthdate' as const, axis: { format: '%Y-%m-%d', labelAngle: -40 } }
    : { field: 'x', type: 'ordinal' as const, title: 'Snapshot', sort: null, axis: { labelAngle: -40 } };
  // one faint rule per snapshot, so that "no snapshot" (a span without rules) differs from "not on the board"
  const rules = (histories[0]?.points ?? []).map((p, s) => ({ x: dated ? `${p.date}T00:00:00Z` : `${s + 1}. ${basename(p.file)}` }));
  const snapshotRules = { data: { values: rules }, mark: { type: 'rule' as const, color: '#8c959f', strokeDash: [2, 3], opacity: 0.6 }, encoding: { x } };
  const color = { field: 'model', type: 'nominal' as const, title: 'Model', scale: { domain: [...models] }, legend: { labelLimit: 360 } };
  const detail = { field: 'series', type: 'nominal' as const };
  const pct = `${Math.round(opts.level * 1000) / 10}%`;
  const breakGaps = 'break-paths-show-domains' as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: PLOT_CONFIG,
    title: plotTitle(`Published rating with its ${pct} interval, and rank, across ${snapshots} snapshots (${opts.category} board)`, opts.subtitle),
    data: { values },
    vconcat: [
      {
        width: opts.width ?? 640,
        height: opts.height ?? 300,
        encoding: { x },
        layer: [
          snapshotRules,
          { mark: { type: 'area' as const, opacity: 0.18, invalid: breakGaps }, encoding: { color, detail, y: { field: 'lower', type: 'quantitative' as const, scale: { zero: false } }, y2: { field: 'upper' } } },
          { mark: { type: 'line' as const, point: { size: 28 }, strokeWidth: 2, invalid: breakGaps }, encoding: { color, detail, y: { field: 'rating', type: 'quantitative' as const, title: 'Rating', scale: { zero: false } } } },
        ],
      },
      {
        width: opts.width ?? 640,
        height: 160,
        encoding: { x },
        layer: [
          snapshotRules,
          {
            mark: { type: 'line' as const, interpolate: 'step-after' as const, point: { size: 20 }, strokeWidth: 2, invalid: breakGaps },
            encoding: { color, detail, y: { field: 'rank', type: 'quantitative' as const, title: 'Rank', scale: { reverse: true, zero: false }, axis: { tickMinStep: 1, format: 'd' } } },
          },
        ],
      },
    ],
  };
}
