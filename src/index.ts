/**
 * arena-sim: rebuild, quantify and simulate LMArena-style leaderboards. Public API (re-exports only).
 */
export { InputError, UsageError } from './errors.js';
export { createRng, deriveRng, normal, type Rng } from './rng.js';
export * from './data/schema.js';
export * from './data/table.js';
export * from './data/aggregate.js';
export { readBattles, formatOf, type ReadOptions } from './data/load.js';
export { JsonlParser, JsonArrayParser, addRow, MAX_RECORD_BYTES, type InputFormat } from './data/parse.js';
export * from './data/ratings.js';
export * from './rating/scale.js';
export * from './rating/predict.js';
export * from './rating/elo.js';
export * from './rating/bradley-terry.js';
export * from './rating/graph.js';
export * from './rating/rate.js';
export * from './stats/linalg.js';
export * from './stats/normal.js';
export * from './stats/sandwich.js';
export * from './sim/generate.js';
export * from './report/leaderboard.js';
export * from './report/format.js';
export * from './report/uncertainty.js';
export * from './report/html.js';
export * from './plot/render.js';
export * from './plot/theme.js';
export * from './plot/pairwise.js';
export * from './plot/intervals.js';
export * from './plot/heatmaps.js';
export * from './plot/board.js';
export * from './plot/trajectory.js';
export * from './plot/whatif.js';
export { runCli } from './cli/run.js';
