import type { PlotSpec } from './render.js';
import { PLOT_CONFIG, plotTitle } from './theme.js';

/** One model at one checkpoint of a replay in time order (display-scale points). */
export interface TrajectoryPoint {
  readonly model: string;
  /** Battles replayed up to this checkpoint. */
  readonly battles: number;
  /** Time of the checkpoint (seconds since the epoch), when the battles had timestamps. */
  readonly tstamp: number | null;
  readonly rating: number;
  /** Interval bounds at this checkpoint, or null (no interval yet, or none computed). */
  readonly lower: number | null;
  readonly upper: number | null;
  /** Position by rating at this checkpoint (1 = highest); needed by {@link stabilityPlotSpec}. */
  readonly position?: number;
}

/** Where a model's position settled with confidence (the checkpoint's battles and time), or null: not settled. */
export interface SettleMark {
  readonly model: string;
  readonly settled: { readonly battles: number; readonly tstamp: number | null } | null;
}

/** Options of {@link trajectoryPlotSpec}. */
export interface TrajectoryPlotOptions {
  /** Interval level, e.g. 0.95 (in the title). */
  readonly level: number;
  /** Interval method, e.g. `sandwich`; null when the ratings have no intervals (online Elo). */
  readonly method: string | null;
  /** Horizontal axis: battles replayed, or the date (needs `tstamp` on every point). */
  readonly x: 'battles' | 'time';
  /** A second title line (provenance). */
  readonly subtitle?: string;
  /** Plot size in pixels (default 640 × 360). */
  readonly width?: number;
  readonly height?: number;
}

/**
 * The stability line chart: each model's rating over a replay in time order, refitted at checkpoints, with its
 * interval as a shaded band. Lines that still cross or bands that still overlap at the right edge are ranks the
 * votes have not settled. One colour per model, in the order given (callers pass the final top N by rating).
 *
 * O(points). Reference: Boubdir et al. (2023), *Elo Uncovered*, arXiv:2311.17295 (rating stability over time).
 *
 * @param points one per model and checkpoint
 * @param models models to draw, in legend order (points of other models are left out)
 * @throws Error when `x` is `time` and a point has no timestamp
 */
export function trajectoryPlotSpec(points: readonly TrajectoryPoint[], models: readonly string[], opts: TrajectoryPlotOptions): PlotSpec {
  const { values, x, color, title } = trajectoryParts(points, models, opts);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: PLOT_CONFIG,
    title: plotTitle(title, opts.subtitle),
    data: { values },
    width: opts.width ?? 640,
    height: opts.height ?? 360,
    // lines are grouped by (model, series): Vega groups by a plain-object key, and a one-field key such as
    // "__proto__" would be lost; two fields make the key "__proto__|2"
    encoding: { x, color, detail: { field: 'series', type: 'nominal' as const } },
    layer: ratingLayers(opts),
  };
}

/** The data, axis, colour and title shared by the trajectory and stability plots. O(points). */
function trajectoryParts(points: readonly TrajectoryPoint[], models: readonly string[], opts: TrajectoryPlotOptions) {
  const series = new Map(models.map((m, k) => [m, k]));
  const xOf = (battles: number, tstamp: number | null) => {
    if (opts.x === 'time' && tstamp === null) throw new Error('trajectoryPlotSpec: a time axis needs a timestamp on every checkpoint');
    return opts.x === 'time' ? tstamp! * 1000 : battles;
  };
  const values = points
    .filter((p) => series.has(p.model))
    .map((p) => ({
      model: p.model,
      series: series.get(p.model)!,
      x: xOf(p.battles, p.tstamp),
      rating: p.rating,
      lower: p.lower ?? p.rating,
      upper: p.upper ?? p.rating,
      position: p.position ?? null,
    }));
  const x =
    opts.x === 'time'
      ? { field: 'x', type: 'temporal' as const, title: 'Date (UTC)', timeUnit: 'utcyearmonthdate' as const }
      : { field: 'x', type: 'quantitative' as const, title: 'Battles replayed', axis: { format: '~s' } };
  const color = { field: 'model', type: 'nominal' as const, title: 'Model', scale: { domain: [...models] }, legend: { labelLimit: 240 } };
  const pct = `${Math.round(opts.level * 1000) / 10}%`;
  const title = opts.method ? `Rating over time with its ${pct} interval (${opts.method})` : 'Rating over time';
  return { values, x, color, title, xOf, series };
}

/** The interval band (with intervals) and the rating line. */
function ratingLayers(opts: TrajectoryPlotOptions) {
  return [
    ...(opts.method
      ? [
          {
            mark: { type: 'area' as const, opacity: 0.15 },
            encoding: { y: { field: 'lower', type: 'quantitative' as const, scale: { zero: false } }, y2: { field: 'upper' } },
          },
        ]
      : []),
    {
      mark: { type: 'line' as const, point: { size: 16 }, strokeWidth: 2 },
      encoding: { y: { field: 'rating', type: 'quantitative' as const, title: 'Rating', scale: { zero: false } } },
    },
  ];
}

/**
 * The stability chart: above, each model's rating and interval over the replay (as {@link trajectoryPlotSpec});
 * below, its position by rating at every checkpoint (1 at the top). A diamond marks the checkpoint from which the
 * model's position is settled with confidence (unchanged, and separated from both neighbours by anytime-valid
 * sequences since; `sim/settling.ts`); models without one have not settled, and the legend says so.
 *
 * O(points). @throws Error when `x` is `time` and a point has no timestamp
 */
export function stabilityPlotSpec(points: readonly TrajectoryPoint[], models: readonly string[], marks: readonly SettleMark[], opts: TrajectoryPlotOptions): PlotSpec {
  const parts = trajectoryParts(points, models, opts);
  const { values, color, title, xOf, series } = parts;
  // checkpoints may be hourly: a plain time axis, not days
  const x = opts.x === 'time' ? { field: 'x', type: 'temporal' as const, title: 'Time (UTC)', axis: { format: '%b %d %H:%M', labelOverlap: true } } : parts.x;
  const settledAt = new Map(marks.filter((m) => m.settled).map((m) => [m.model, xOf(m.settled!.battles, m.settled!.tstamp)]));
  const diamonds = values.filter((v) => settledAt.get(v.model) === v.x);
  const unsettled = models.filter((m) => !settledAt.has(m) && series.has(m));
  const detail = { field: 'series', type: 'nominal' as const };
  const diamond = (field: 'rating' | 'position') => ({
    data: { values: diamonds },
    mark: { type: 'point' as const, shape: 'diamond', size: 140, filled: true, stroke: '#1b1f24', strokeWidth: 1 },
    encoding: { y: { field, type: 'quantitative' as const } },
  });
  const note = unsettled.length ? `not settled: ${unsettled.length} of ${models.length}` : `all ${models.length} settled`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: PLOT_CONFIG,
    title: plotTitle(`${title}; ◆ position settled (anytime-valid), ${note}`, opts.subtitle),
    data: { values },
    vconcat: [
      {
        width: opts.width ?? 640,
        height: opts.height ?? 300,
        encoding: { x, color, detail },
        layer: [...ratingLayers(opts), diamond('rating')],
      },
      {
        width: opts.width ?? 640,
        height: 180,
        encoding: { x, color, detail },
        layer: [
          {
            mark: { type: 'line' as const, interpolate: 'step-after' as const, point: { size: 12 }, strokeWidth: 2 },
            encoding: { y: { field: 'position', type: 'quantitative' as const, title: 'Position by rating', scale: { reverse: true, zero: false }, axis: { tickMinStep: 1, format: 'd' } } },
          },
          diamond('position'),
        ],
      },
    ],
  };
}
