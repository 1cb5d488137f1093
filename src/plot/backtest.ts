/**
 * Plots of a backtest (`arena plot backtest`): the reliability diagram, a score over time per system, and the
 * rating traces of one model under every system beside its true rating.
 */
import type { BacktestResult, Scores } from '../stats/backtest.js';
import type { PlotSpec } from './render.js';
import { PLOT_CONFIG, plotTitle } from './theme.js';

/** Scores a time plot can draw, with their axis titles. */
export const BACKTEST_METRICS: Readonly<Record<keyof Scores, string>> = Object.freeze({
  logLoss: 'log-loss (nats, ties an outcome)',
  brier: 'Brier score (ties an outcome)',
  accuracy: 'accuracy (ties an outcome)',
  decisiveLogLoss: 'log-loss (ties dropped)',
  decisiveBrier: 'Brier score (ties dropped)',
  decisiveAccuracy: 'accuracy (ties dropped)',
});

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Reliability diagram: for each system, the observed win rate against the mean predicted win probability of each
 * bin (decisive battles, from both seats), points sized by the bin's predictions, with the diagonal of perfect
 * calibration. O(systems × bins).
 */
export function calibrationPlotSpec(r: BacktestResult, subtitle?: string): PlotSpec {
  const values = r.systems.flatMap((s, k) => s.calibration.filter((c) => c.count > 0).map((c) => ({ system: s.name, series: k, predicted: c.predicted, observed: c.observed, count: c.count })));
  const order = r.systems.map((s) => s.name);
  return {
    $schema: SCHEMA,
    config: PLOT_CONFIG,
    title: plotTitle('Calibration: observed vs predicted win probability (ties dropped)', subtitle),
    width: 420,
    height: 420,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: 'predicted win probability', scale: { domain: [0, 1] } },
          y: { field: 'observed', type: 'quantitative', title: 'observed win rate', scale: { domain: [0, 1] } },
          color: { field: 'system', type: 'nominal', title: 'system', sort: order },
          detail: { field: 'series', type: 'nominal' },
        },
        layer: [{ mark: { type: 'line', opacity: 0.7 } }, { mark: { type: 'point', filled: true }, encoding: { size: { field: 'count', type: 'quantitative', title: 'predictions' } } }],
      },
    ],
  } as PlotSpec;
}

/** A score per time segment for every system, against the battles seen by the segment's end. O(systems × segments). */
export function metricTimePlotSpec(r: BacktestResult, metric: keyof Scores, subtitle?: string): PlotSpec {
  const b = r.segmentBounds;
  const values = r.systems.flatMap((s, k) => s.segments.map((g, q) => ({ system: s.name, series: k, battles: b[q + 1]!, value: g[metric] })).filter((v) => Number.isFinite(v.value)));
  return {
    $schema: SCHEMA,
    config: PLOT_CONFIG,
    title: plotTitle(`${BACKTEST_METRICS[metric]} per segment of ${Math.round(r.battles / r.systems[0]!.segments.length).toLocaleString('en-US')} battles`, subtitle),
    width: 640,
    height: 360,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'battles', type: 'quantitative', title: 'battles seen (end of segment)' },
      y: { field: 'value', type: 'quantitative', title: BACKTEST_METRICS[metric], scale: { zero: false } },
      color: { field: 'system', type: 'nominal', title: 'system', sort: r.systems.map((s) => s.name) },
      detail: { field: 'series', type: 'nominal' },
    },
  } as PlotSpec;
}

/**
 * The rating of traced model `k` (the k-th `--trace`) under every system over the battles, with its true rating
 * (dashed, `truth`) when known. O(systems × checkpoints).
 */
export function tracePlotSpec(r: BacktestResult, k: number, model: string, truth: readonly number[] | null, subtitle?: string): PlotSpec {
  const values = r.systems.flatMap((s, j) => r.traceAt.map((q, c) => ({ system: s.name, series: j, battles: q, rating: s.trace[k]![c]! })));
  if (truth) values.push(...r.traceAt.map((q, c) => ({ system: 'truth', series: r.systems.length, battles: q, rating: truth[c]! })));
  return {
    $schema: SCHEMA,
    config: PLOT_CONFIG,
    title: plotTitle(`Rating of ${model} under each system${truth ? ', and its true rating' : ''}`, subtitle),
    width: 640,
    height: 360,
    data: { values },
    mark: { type: 'line' },
    encoding: {
      x: { field: 'battles', type: 'quantitative', title: 'battles seen' },
      y: { field: 'rating', type: 'quantitative', title: 'rating', scale: { zero: false } },
      color: { field: 'system', type: 'nominal', title: 'system', sort: [...r.systems.map((s) => s.name), 'truth'] },
      strokeDash: { condition: { test: "datum.system === 'truth'", value: [6, 3] }, value: [1, 0] },
      detail: { field: 'series', type: 'nominal' },
    },
  } as PlotSpec;
}
