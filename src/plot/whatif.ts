import type { PlotSpec } from './render.js';
import { PLOT_CONFIG, plotTitle } from './theme.js';

/** One model of a what-if result: its published rank on the baseline and under the scenario. */
export interface WhatIfRankRow {
  readonly model: string;
  /** Rank on the baseline board (1 = top), or null for a model a scenario step adds (no baseline dot). */
  readonly baseline: number | null;
  /** Rank under the scenario (1 = top), or null for a model the scenario removes (no scenario dot). */
  readonly scenario: number | null;
  /** Share of replications in which the rank changed, in [0, 1], or null when unknown. */
  readonly pRankChange: number | null;
  /** Whether a scenario step names the model (highlighted). */
  readonly named?: boolean;
  /** Rating with its interval on the baseline and under the scenario (mean over runs); drawn in a second panel. */
  readonly baselineRating?: RatingWithInterval | null;
  readonly scenarioRating?: RatingWithInterval | null;
}

/** A rating and its interval bounds (null bounds: no interval). */
export interface RatingWithInterval {
  readonly rating: number;
  readonly lower: number | null;
  readonly upper: number | null;
}

/** Options of {@link whatifPlotSpec}. */
export interface WhatIfPlotOptions {
  /** A second title line (provenance: baseline, scenario, replications). */
  readonly subtitle?: string;
  /** Plot width in pixels (default 480). */
  readonly width?: number;
}

/**
 * The what-if chart. Left, the dumbbell: for each model (top to bottom in the order given, usually by baseline rank) a grey
 * dot at its baseline rank and a coloured dot at its rank under the scenario, joined by a line, with the share of
 * replications in which its rank changed printed on the right under "P(rank change)". Rank 1 is on the left.
 * A model with only one rank (added or removed by the scenario) gets its one dot and no line. Right, when the rows
 * carry ratings: each model's rating with its interval on the baseline (grey) and under the scenario (red, the mean
 * over the runs). The models a scenario step names are highlighted across both panels.
 *
 * O(rows).
 *
 * @param rows models in display order
 */
export function whatifPlotSpec(rows: readonly WhatIfRankRow[], opts: WhatIfPlotOptions = {}): PlotSpec {
  const models = rows.map((r) => r.model);
  const dots = rows.flatMap((r) => [
    ...(r.baseline !== null ? [{ model: r.model, board: 'baseline', rank: r.baseline }] : []),
    ...(r.scenario !== null ? [{ model: r.model, board: 'scenario', rank: r.scenario }] : []),
  ]);
  const p = (r: WhatIfRankRow) => (r.pRankChange === null ? '' : `${Math.round(r.pRankChange * 100)}%`);
  const lines = rows.filter((r) => r.baseline !== null && r.scenario !== null).map((r) => ({ model: r.model, from: r.baseline, to: r.scenario }));
  const labels = rows.map((r) => ({ model: r.model, p: p(r) }));
  let maxRank = 1;
  for (const r of rows) maxRank = Math.max(maxRank, r.baseline ?? 1, r.scenario ?? 1);
  const y = { field: 'model', type: 'nominal' as const, scale: { domain: models }, title: 'Model' };
  const xScale = { domain: [0.5, maxRank + 0.5], nice: false, zero: false };
  const highlight = rows.filter((r) => r.named).map((r) => ({ model: r.model }));
  const band = (width: number) => ({
    data: { values: highlight },
    mark: { type: 'rect' as const, color: '#fff3b0' },
    encoding: { y, x: { value: 0 }, x2: { value: width } },
  });
  const rankPanel = {
    width: opts.width ?? 480,
    height: { step: 18 },
    layer: [
      ...(highlight.length ? [band(opts.width ?? 480)] : []),
      {
        data: { values: lines },
        mark: { type: 'rule', color: '#999', strokeWidth: 2 },
        encoding: { y, x: { field: 'from', type: 'quantitative', scale: xScale, title: 'Rank (1 = top)', axis: { tickMinStep: 1, format: 'd' } }, x2: { field: 'to' } },
      },
      {
        data: { values: dots },
        mark: { type: 'point', filled: true, size: 60, opacity: 1 },
        encoding: {
          y,
          x: { field: 'rank', type: 'quantitative', scale: xScale },
          color: { field: 'board', type: 'nominal', title: 'Board', scale: { domain: ['baseline', 'scenario'], range: ['#9a9a9a', '#d62728'] }, legend: { orient: 'bottom' } },
        },
      },
      {
        data: { values: labels },
        mark: { type: 'text', align: 'left', dx: 6, fontSize: 10, color: '#333' },
        encoding: { y, x: { value: opts.width ?? 480 }, text: { field: 'p' } },
      },
      {
        data: { values: [{ label: 'P(rank change)' }] },
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 6, dy: -4, fontSize: 10, fontWeight: 'bold', color: '#333' },
        encoding: { x: { value: opts.width ?? 480 }, y: { value: 0 }, text: { field: 'label' } },
      },
    ],
  };
  const withRatings = rows.some((r) => r.baselineRating || r.scenarioRating);
  const title = plotTitle(withRatings ? 'Rank and rating on the baseline and under the scenario' : 'Rank on the baseline and under the scenario', opts.subtitle);
  const head = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: PLOT_CONFIG, title };
  // the panels are built as plain objects; Vega-Lite validates the spec when it compiles
  if (!withRatings) return { ...head, ...rankPanel } as unknown as PlotSpec;
  const intervals = rows.flatMap((r) => [
    ...(r.baselineRating ? [{ model: r.model, board: 'baseline', ...r.baselineRating }] : []),
    ...(r.scenarioRating ? [{ model: r.model, board: 'scenario', ...r.scenarioRating }] : []),
  ]);
  const ratingWidth = 360;
  const x = { type: 'quantitative' as const, scale: { zero: false } };
  // one rule (interval) and one dot (rating) per board, the baseline a little above the scenario on the model's row
  const board = (name: 'baseline' | 'scenario', color: string, dy: number) => {
    const values = intervals.filter((v) => v.board === name);
    return [
      {
        data: { values: values.filter((v) => v.lower !== null && v.upper !== null) },
        mark: { type: 'rule' as const, strokeWidth: 2, color },
        encoding: { y: { ...y, axis: null }, yOffset: { value: dy }, x: { ...x, field: 'lower', title: 'Rating with its interval (grey: baseline, red: scenario)' }, x2: { field: 'upper' } },
      },
      {
        data: { values },
        mark: { type: 'point' as const, filled: true, size: 40, opacity: 1, color },
        encoding: { y: { ...y, axis: null }, yOffset: { value: dy }, x: { ...x, field: 'rating' } },
      },
    ];
  };
  const ratingPanel = {
    width: ratingWidth,
    height: { step: 18 },
    layer: [...(highlight.length ? [band(ratingWidth)] : []), ...board('baseline', '#9a9a9a', -3), ...board('scenario', '#d62728', 3)],
  };
  return { ...head, hconcat: [rankPanel, ratingPanel], spacing: 60 } as unknown as PlotSpec;
}
