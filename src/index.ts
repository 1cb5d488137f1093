/**
 * arena-sim: rebuild, quantify and simulate LMArena-style leaderboards. The public API: read battles, rate them
 * with intervals (any model of the family), compare two models (from battles, or from a published board), simulate,
 * what-if scenarios, stability, and the types. Plots live in `arena-sim/plot`; every other building block (kernels, samplers, solvers) in
 * `arena-sim/advanced`. Importing this module does not load vega.
 */
export { InputError, UsageError } from './errors.js';
export { createRng, type Rng } from './rng.js';
export { readBattles, type ReadOptions } from './data/load.js';
export { compileFilter, type BattleFilter } from './data/filter.js';
export type { BattleTable } from './data/table.js';
export { loadRatings, type TrueRatings } from './data/ratings.js';
export { readPublishedBoard, type PublishedBoard } from './data/board.js';
export { MODELS, modelFor, fitModel } from './models/index.js';
export { DEFAULT_MODEL, type ModelFit, type ModelOptions, type RatingModel, type FitInfo } from './models/types.js';
export { expectedScoreOf } from './models/predict.js';
export { rateWithIntervals, addIntervals, DEFAULT_INTERVALS, type IntervalOptions, type RatedBoard, type CiMethod } from './stats/uncertainty.js';
export type { SimultaneousRanks } from './stats/simultaneous.js';
export { compareModels, type PairComparison } from './stats/compare.js';
export { comparePublished, type PublishedRating, type PublishedGap, type ComparePublishedOptions } from './stats/published-compare.js';
export { leaderboardOf, type Leaderboard, type LeaderboardRow } from './leaderboard/leaderboard.js';
export { applyDisplayRules, type DisplayRules, type DisplayLeaderboard, type DisplayRow, type IntervalStyle } from './leaderboard/display.js';
export { formatLeaderboard, type OutputFormat } from './formats/format.js';
export { simulateTable, type SimulateOptions } from './sim/generate.js';
export { parseScenario, type Scenario } from './sim/scenario.js';
export { prepareWhatIfBaseline, runWhatIf, type WhatIfResult } from './sim/whatif.js';
export { stabilityReplay, type StabilityReplay } from './sim/stability.js';
