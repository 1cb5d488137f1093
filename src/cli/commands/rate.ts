import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { colorEnabled, formatLeaderboard, type OutputFormat } from '../../formats/format.js';
import { leaderboardOf } from '../../leaderboard/leaderboard.js';
import { addIntervals, type RatedBoard } from '../../stats/uncertainty.js';
import { simultaneousRanks } from '../../stats/simultaneous.js';
import type { Leaderboard } from '../../leaderboard/leaderboard.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { applyDisplayRules } from '../../leaderboard/display.js';
import { addBattleOptions, addDisplayOptions, BATTLES_ARGUMENT, battleOptionsFrom, checkAnchor, displayRulesFrom, intervalParams, loadInput, modelParams } from '../option-groups.js';
import { positiveInt } from '../options.js';
import { addCompareModelsOption, compareModelsCommand, fitExtrasText } from './rate-models.js';

/** Registers `arena rate`. */
export function registerRate(program: Command, io: CliIO): void {
  const cmd = program
    .command('rate')
    .description('rate models from battles: Bradley–Terry (LMArena), tie models, style control or online Elo (FastChat), as a leaderboard with intervals')
    .argument('<battles...>', BATTLES_ARGUMENT);
  addBattleOptions(cmd);
  addCompareModelsOption(cmd);
  addDisplayOptions(cmd);
  cmd
    .option('--rank-distribution', 'add each model\'s bootstrap rank distribution (json: rankDistribution; needs --bootstrap N)')
    .option('--simultaneous-ranks', 'add rank intervals that hold for all models at once at the interval level (json: simultaneousRankLower/Upper; max-statistic over all pairwise gaps, from the sandwich or the bootstrap rounds)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv', 'markdown']).default('table'))
    .option('--top <n>', 'show only the first n rows (table and markdown)', positiveInt)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const { model, modelOptions, intervals, progress } = battleOptionsFrom(io, o);
      if (o.rankDistribution && !(intervals.rounds > 0)) throw new UsageError('--rank-distribution needs bootstrap rounds: add --bootstrap N');
      if (o.rankDistribution && o.format !== 'json') throw new UsageError('--rank-distribution is written in JSON only (rankDistribution of each row): add --format json');
      if (o.top !== undefined && (o.format === 'csv' || o.format === 'json')) throw new UsageError(`--top applies to the table and markdown formats; --format ${String(o.format)} writes every model`);
      if (o.simultaneousRanks && o.format !== 'json') throw new UsageError('--simultaneous-ranks is written in JSON only (simultaneousRankLower/Upper of each row): add --format json');
      if (o.simultaneousRanks && intervals.ciMethod === 'none') throw new UsageError('--simultaneous-ranks needs the law of the rating gaps: intervals by the sandwich or --bootstrap N');
      const display = displayRulesFrom(o);
      if (o.simultaneousRanks && display.active) throw new UsageError('--simultaneous-ranks ranks every model together: it cannot be combined with the display options (--min-votes, --deprecated, --delta, --interval-style)');
      if (o.rankDistribution && (display.minVotes! > 0 || display.deprecated!.length > 0)) throw new UsageError('--rank-distribution counts every model in every round: it cannot be combined with --min-votes or --deprecated');
      if (display.intervalStyle === 'plusminus' && intervals.ciMethod === 'none') throw new UsageError('--interval-style plusminus shows intervals: this board has none (--ci-method none, or online Elo without --bootstrap N)');
      if (o.compareModels && display.active) throw new UsageError('--compare-models prints no leaderboard: the display options (--min-votes, --deprecated, --delta, --interval-style) do not apply');
      if (o.compareModels) {
        if (modelOptions.method === 'elo') throw new UsageError('--compare-models compares likelihood tie models: it needs --method bt');
        const t = await loadInput(io, files, o, false);
        return compareModelsCommand(io, t, modelOptions, o);
      }
      const t = await loadInput(io, files, o, false);
      checkAnchor(t, modelOptions);
      const point = model.fit(t, modelOptions);
      let rated;
      try {
        rated = await addIntervals(point, model, intervals);
      } finally {
        progress.stop();
      }
      let plain = leaderboardOf(rated, { ...modelParams(modelOptions), ...intervalParams(intervals), sort: o.sort, filter: o.filter ?? null }, Boolean(o.rankDistribution));
      if (o.simultaneousRanks) plain = withSimultaneousRanks(plain, rated, intervals.level, intervals.seed);
      let lb = display.active ? applyDisplayRules(plain, display) : plain;
      const format = o.format as OutputFormat;
      if (o.top && format !== 'json' && format !== 'csv') lb = { ...lb, models: lb.models.slice(0, o.top as number) };
      emit(io, formatLeaderboard(lb, format, { color: !o.out && colorEnabled(io.env, io.stdoutIsTTY) }) + fitExtrasText(lb, format), o.out as string | undefined);
      printWarnings(io, lb.warnings);
    });
}

/** The leaderboard with each row's simultaneous rank interval and the construction in `params.simultaneousRanks`. */
function withSimultaneousRanks(lb: Leaderboard, rated: RatedBoard, level: number, seed: string | number): Leaderboard {
  const s = simultaneousRanks(rated, level, seed);
  if (!s) throw new UsageError('--simultaneous-ranks needs the law of the rating gaps: this board has neither a sandwich covariance nor bootstrap rounds');
  const id = new Map(rated.point.models.map((name, v) => [name, v]));
  return {
    ...lb,
    params: { ...lb.params, simultaneousRanks: { method: s.method, level: s.level, draws: s.draws, critical: s.critical } },
    models: lb.models.map((r) => ({ ...r, simultaneousRankLower: s.lower[id.get(r.model)!]!, simultaneousRankUpper: s.upper[id.get(r.model)!]! })),
  };
}
