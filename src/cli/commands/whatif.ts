import { readJsonFile } from '../../data/ratings.js';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { DEFAULT_RATINGS_PATH } from '../../data/ratings.js';
import { InputError, UsageError } from '../../errors.js';
import type { ModelOptions } from '../../models/types.js';
import { formatJson } from '../../formats/format.js';
import { loadSimRatings } from '../../sim/fixture.js';
import { whatIfJson, formatWhatIfTable } from '../../formats/sim-report.js';
import { checkScenarioWork, parseScenario, type Scenario } from '../../sim/scenario.js';
import { type PreparedBaseline, prepareWhatIfBaseline, runWhatIf, type WhatIfBaselineSource, type WhatIfResult } from '../../sim/whatif.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { addBattleOptions, battleOptionsFrom, checkAnchor, loadInput } from '../option-groups.js';
import { intIn, LIMITS, numberIn, positiveInt } from '../options.js';
import { progressBar } from '../progress.js';
import { checkPairCountModel, checkpointIntervals } from './stability.js';

/** Reads and validates a scenario file. @throws InputError `file: json.path: reason` */
export function readScenario(file: string): Scenario {
  return parseScenario(readJsonFile(file), file);
}

/**
 * Finds a file named in a scenario: as given (absolute, or relative to the working folder), else relative to the
 * scenario file's folder. @throws InputError naming the scenario field
 */
export function resolveScenarioPath(path: string, scenarioFile: string, field: string): string {
  if (isAbsolute(path) || existsSync(path)) return path;
  const beside = resolve(dirname(scenarioFile), path);
  if (existsSync(beside)) return beside;
  throw new InputError(`file ${JSON.stringify(path)} not found (looked in the working folder and beside the scenario)`, { file: scenarioFile, field });
}

/**
 * Reads what a what-if run needs (shared by `arena whatif` and `arena plot whatif`): the scenario file named by
 * `--scenario` with the `--replications` and `--seed` overrides applied, and its baseline, from the battle files
 * given or else simulated from the scenario's true ratings (default: the April 2026 fixture).
 * @throws InputError for an unreadable or invalid scenario, ratings or battle file
 */
export async function loadWhatIf(io: CliIO, files: string[], o: Record<string, unknown>, rate?: ModelOptions): Promise<{ scenario: Scenario; file: string; prepared: PreparedBaseline }> {
  const file = o.scenario as string;
  let s = readScenario(file);
  if (o.replications !== undefined) s = { ...s, replications: o.replications as number };
  if (o.votesPerHour !== undefined) s = { ...s, votesPerHour: o.votesPerHour as number };
  if (o.redrawBaseline) {
    if (files.length) throw new UsageError('--redraw-baseline applies to a simulated baseline; a baseline read from battle files is what it is');
    s = { ...s, baseline: { ...s.baseline, redraw: true } };
  }
  if (o.seed !== undefined) s = { ...s, seed: o.seed as string | number };
  if (!files.length && o.filter !== undefined) throw new UsageError('--filter selects battles read from files; a simulated baseline has none (give battle files, or leave out --filter)');
  let source: WhatIfBaselineSource;
  if (files.length) {
    const table = await loadInput(io, files, o);
    if (rate) checkAnchor(table, rate);
    source = { kind: 'battles', table, files, rate };
  } else {
    const ratingsFile = s.baseline.ratings !== undefined ? resolveScenarioPath(s.baseline.ratings, file, 'baseline.ratings') : DEFAULT_RATINGS_PATH;
    source = { kind: 'simulated', truth: loadSimRatings(ratingsFile), ratingsName: s.baseline.ratings ?? 'embedded:lmarena-text-2026-04', label: s.baseline.ratings ?? 'the April 2026 fixture' };
  }
  // the work asked for, with the overrides, before any baseline is simulated
  checkScenarioWork(s, source.kind === 'simulated' ? (s.baseline.battles ?? source.truth.votes ?? 1_000_000) : 0, file);
  return { scenario: s, file, prepared: prepareWhatIfBaseline(s, source, file) };
}

/** The model options a simulated baseline ignores: they apply to a baseline read from battle files. */
const BASELINE_MODEL_KEYS = ['method', 'k', 'scale', 'base', 'initial', 'anchor', 'ties', 'bothBad', 'styleControl', 'stylePrior', 'prior', 'tolerance'];

/**
 * Everything a what-if command does before it formats (shared by `arena whatif` and `arena plot whatif`, which take
 * the same options): the model and interval options (model options apply to a baseline read from battle files
 * only; a simulated baseline is fitted with LMArena's Bradley–Terry), the scenario with its overrides
 * (`--replications`, `--seed`, `--ci-method`/`--bootstrap`, `--ci`), its baseline, and the replications with a
 * progress bar on a TTY.
 * @throws UsageError for a model option with a simulated baseline, or bootstrap intervals per replication
 */
export async function runWhatIfCommand(
  io: CliIO,
  files: string[],
  o: Record<string, unknown>,
  self: Command,
): Promise<{ scenario: Scenario; file: string; prepared: PreparedBaseline; result: WhatIfResult }> {
  const { modelOptions, intervals } = battleOptionsFrom(io, o);
  const given = (key: string) => self.getOptionValueSource(key) === 'cli';
  checkPairCountModel(modelOptions, 'whatif');
  if (!files.length) {
    const key = BASELINE_MODEL_KEYS.find(given);
    if (key) throw new UsageError(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to a baseline read from battle files; a simulated baseline is fitted with LMArena's Bradley–Terry`);
  }
  if (modelOptions.method === 'elo') throw new UsageError('--method elo: whatif refits the board from pair counts, which keep no battle order, and online Elo depends on it; use Bradley–Terry (the default)');
  const overrides = { ...o, seed: given('seed') ? o.seed : undefined };
  const { scenario: s0, file, prepared } = await loadWhatIf(io, files, overrides, modelOptions);
  const scenario = {
    ...s0,
    ...(given('ciMethod') || given('bootstrap') ? { intervals: checkpointIntervals(intervals, 'replication') } : {}),
    ...(given('ci') ? { ci: intervals.level } : {}),
  };
  const progress = progressBar(io, 'replications', Boolean(o.quiet));
  try {
    return { scenario, file, prepared, result: runWhatIf(scenario, prepared.baseline, { onReplication: progress.update }) };
  } finally {
    progress.stop();
  }
}

/**
 * The options every what-if command shares (`arena whatif`, `arena plot whatif`): the scenario file, its overrides
 * (`--replications`, `--votes-per-hour`, `--redraw-baseline`), and the model, interval and input option groups,
 * with `--seed` described as what it is here: an override of the scenario's seed (the interval options' default of
 * 42 does not apply).
 */
export function addWhatIfOptions(cmd: Command): Command {
  cmd
    .requiredOption('--scenario <file>', 'scenario JSON (see docs/reference.md: steps addVotes, newModel, removeModel, biasedVoters, bestOfN, rig, contaminate)')
    .option('--replications <n>', 'override the scenario replications', intIn(1, LIMITS.replications))
    .option('--votes-per-hour <n>', 'override the scenario votesPerHour (arena-wide votes an hour, for steps given in hours)', numberIn(0, LIMITS.votesPerHour, true))
    .option('--redraw-baseline', 'redraw the simulated baseline in every replication, so P(rank≠) and the deltas include its noise (scenario baseline.redraw; default: one draw)');
  addBattleOptions(cmd);
  const seed = cmd.options.find((x) => x.long === '--seed')!;
  seed.description = 'random seed: overrides the scenario\'s seed';
  seed.defaultValueDescription = "the scenario's seed";
  return cmd;
}

/** Registers `arena whatif`. */
export function registerWhatIf(program: Command, io: CliIO): void {
  const cmd = program
    .command('whatif')
    .description('replay a what-if scenario (extra votes, new or removed models, biased voters, best-of-N) on a baseline board R times')
    .argument('[battles...]', 'baseline battle files (default: a board simulated from the scenario baseline ratings)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--top <n>', 'table: rows besides the models named by steps', positiveInt, 15)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout');
  addWhatIfOptions(cmd);
  cmd.action(async (files: string[], o: Record<string, unknown>, self: Command) => {
    const { scenario: s, file, prepared, result } = await runWhatIfCommand(io, files, o, self);
    const intervals = prepared.baseline.rate.method === 'elo' ? 'no intervals (online Elo)' : s.intervals === 'none' ? 'no intervals' : `${s.intervals} intervals (${s.ci * 100}%)`;
    const title = `arena whatif ${file}: ${prepared.description}; ${s.replications} replications, seed ${String(s.seed)}, ${intervals}. Ratings of each run are aligned on the mean of the models no step names.`;
    const all = { ...result, warnings: [...prepared.warnings, ...result.warnings] };
    emit(io, o.format === 'json' ? formatJson(whatIfJson(all)) : formatWhatIfTable(all, o.top as number, title), o.out as string | undefined);
    printWarnings(io, all.warnings);
  });
}
