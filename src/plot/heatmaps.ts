import type { TiePolicy } from '../rating/bradley-terry.js';
import type { PairwiseMatrix } from './pairwise.js';
import type { PlotSpec } from './render.js';

/** One view inside a concatenation (Vega-Lite's non-normalized spec, taken from the public top-level type). */
type ViewSpec = Extract<PlotSpec, { hconcat: unknown }>['hconcat'][number];
type Layered = Extract<ViewSpec, { layer: unknown }>;
import { PLOT_CONFIG, plotTitle } from './theme.js';

/** Options shared by the heatmaps. */
export interface HeatmapOptions {
  /** A second title line (provenance: data, battles, method). */
  readonly subtitle?: string;
  /** Pixels per cell (default 28). */
  readonly cell?: number;
  /** Print the value in each cell (default: when there are at most 20 models). */
  readonly labels?: boolean;
}

const AXIS_X = { labelAngle: -45, labelAlign: 'right', orient: 'bottom' } as const;

interface Cell {
  readonly row: string;
  readonly col: string;
  readonly value: number;
}

function cells(models: readonly string[], values: Float64Array, keep: (v: number) => boolean): Cell[] {
  const n = models.length;
  const out: Cell[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = values[r * n + c]!;
      if (keep(v)) out.push({ row: models[r]!, col: models[c]!, value: v });
    }
  }
  return out;
}

/** One heatmap view (rect + optional text) over inline cells. */
function heatmapView(
  models: readonly string[],
  data: Cell[],
  title: string,
  color: { scale: Record<string, unknown> },
  format: string,
  labelDark: string,
  size: number,
  labels: boolean,
  legendTitle: string,
  rowLabels = true,
): Layered {
  const layer: Layered['layer'] = [
    { mark: { type: 'rect' }, encoding: { color: { field: 'value', type: 'quantitative', ...color, title: legendTitle } } },
  ];
  if (labels) {
    layer.push({
      mark: { type: 'text', fontSize: Math.max(7, Math.min(11, size / 3)) },
      encoding: {
        text: { field: 'value', type: 'quantitative', format },
        color: { condition: { test: labelDark, value: 'white' }, value: 'black' },
      },
    });
  }
  return {
    ...(title ? { title } : {}),
    data: { values: data as unknown as Record<string, number | string>[] },
    width: { step: size },
    height: { step: size },
    encoding: {
      // explicit domains: every model gets its row and column, even one with no battle among those shown
      x: { field: 'col', type: 'nominal', scale: { domain: [...models] }, title: 'Opponent (column)', axis: AXIS_X },
      y: { field: 'row', type: 'nominal', scale: { domain: [...models] }, title: 'Model (row)', ...(rowLabels ? {} : { axis: null }) },
    },
    layer,
  };
}

/**
 * FastChat's two win-rate heatmaps side by side: on the left the probability that the row model beats the
 * column model as the ratings predict it (`1/(1 + base^((R_col − R_row)/scale))`), on the right the win rate
 * observed in the battles (ties half a win, or ignored, as in the fit). One colour scale for both panels, white
 * at ½ and symmetric around it, as wide as the largest deviation from ½ (so small gaps stay visible); a cell that
 * differs between the two panels is a pair the ratings do not explain well. Empty cells: the pair never met.
 *
 * O(n²) for n models. Reference: FastChat `elo_analysis.py` (`visualize_pairwise_win_fraction`,
 * `predict_win_rate`); Chiang et al. (2024), arXiv:2403.04132, Fig. 2.
 *
 * @param mx the matrices of the models to show (e.g. the top 15 by rating), from {@link pairwiseMatrix}
 * @param ties the tie policy of the observed rates (named in the right panel's title)
 */
export function winratePlotSpec(mx: PairwiseMatrix, ties: TiePolicy, opts: HeatmapOptions = {}): PlotSpec {
  const size = opts.cell ?? 28;
  const labels = opts.labels ?? mx.models.length <= 20;
  // symmetric around ½ and as wide as the largest deviation in either panel, so small gaps stay visible
  let dev = 0.05;
  for (const a of [mx.predicted, mx.observed]) for (const v of a) if (Number.isFinite(v)) dev = Math.max(dev, Math.abs(v - 0.5));
  const color = { scale: { domain: [0.5 - dev, 0.5 + dev], scheme: 'redblue', domainMid: 0.5 } };
  const dark = `abs(datum.value - 0.5) > ${0.7 * dev}`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: PLOT_CONFIG,
    title: plotTitle('Pairwise win rates: predicted by the ratings and observed', opts.subtitle),
    hconcat: [
      heatmapView(mx.models, cells(mx.models, mx.predicted, Number.isFinite), 'Predicted P(row beats column)', color, '.2f', dark, size, labels, 'P(win)'),
      heatmapView(
        mx.models,
        cells(mx.models, mx.observed, Number.isFinite),
        ties === 'half' ? 'Observed win rate (a tie counts half)' : 'Observed win rate (ties ignored)',
        color,
        '.2f',
        dark,
        size,
        labels,
        'P(win)',
        false, // same rows as the left panel, in the same order
      ),
    ],
    resolve: { scale: { color: 'shared' } },
  };
}

/**
 * The battle-count heatmap: how many battles each pair of models fought (all outcomes), symmetric. Shows where
 * the votes went, and which pairs were never compared directly (empty cells).
 *
 * O(n²) for n models. Reference: FastChat `elo_analysis.py` (`visualize_battle_count`).
 *
 * @param mx the matrices of the models to show, from {@link pairwiseMatrix}
 */
export function countsPlotSpec(mx: PairwiseMatrix, opts: HeatmapOptions = {}): PlotSpec {
  const size = opts.cell ?? 28;
  const labels = opts.labels ?? mx.models.length <= 20;
  let max = 0;
  for (const v of mx.counts) max = Math.max(max, v);
  const data = cells(mx.models, mx.counts, (v) => v > 0);
  return {
    ...heatmapView(mx.models, data, '', { scale: { scheme: 'blues', domainMin: 0 } }, max >= 10_000 ? '.2~s' : ',.0f', `datum.value > ${max * 0.6}`, size, labels, 'Battles'),
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: PLOT_CONFIG,
    title: plotTitle('Battles per pair of models', opts.subtitle),
  };
}
