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
export { FastJsonlParser, FastJsonArrayParser, FastRowReader, TokenTrie, MAX_TRIE_NODES, scanJsonNumber } from './data/fast-jsonl.js';
export { FastCsvReader } from './data/fast-csv.js';
export { readParquetInto, PARQUET_COLUMNS } from './data/parquet.js';
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
export * from './stats/binomial.js';
export * from './stats/multinomial.js';
export * from './stats/bt-refit.js';
export * from './stats/bootstrap-rounds.js';
export * from './stats/bootstrap.js';
export * from './stats/interval.js';
export * from './stats/rank.js';
export * from './stats/uncertainty.js';
export * from './stats/compare.js';
export * from './stats/win-matrix.js';
export * from './sim/generate.js';
export * from './report/leaderboard.js';
export * from './report/format.js';
export { runCli } from './cli/run.js';
