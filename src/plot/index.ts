/**
 * arena-sim/plot: Vega-Lite plot specs of boards, trajectories and what-ifs, their headless SVG rendering, and the
 * self-contained HTML report. Loads vega.
 */
export * from './render.js';
export * from './theme.js';
export * from './pairwise.js';
export * from './intervals.js';
export * from './heatmaps.js';
export * from './board.js';
export * from './trajectory.js';
export * from './whatif.js';
export * from './history.js';
export * from './backtest.js';
export { jsonForHtml, renderReport, type ReportOptions } from '../report/html.js';
