import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { colorEnabled, formatLeaderboard, type OutputFormat } from '../../formats/format.js';
import { leaderboardOf } from '../../leaderboard/leaderboard.js';
import { addIntervals } from '../../stats/uncertainty.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { applyDisplayRules } from '../../leaderboard/display.js';
import { addBattleOptions, addDisplayOptions, addSimultaneousRanksOption, BATTLES_ARGUMENT, battleOptionsFrom, checkAnchor, displayRulesFrom, fitsInDatabase, intervalParams, loadInput, modelParams, rateInDuckDB, inputParams } from '../option-groups.js';
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
  addSimultaneousRanksOption(cmd);
  cmd
    .option('--rank-distribution', 'add each model\'s bootstrap rank distribution (json: rankDistribution; needs --bootstrap N)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv', 'markdown']).default('table'))
    .option('--top <n>', 'show only the first n rows (table and markdown)', positiveInt)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const { model, modelOptions, intervals, progress } = battleOptionsFrom(io, o);
      if (o.rankDistribution && !(intervals.rounds > 0)) throw new UsageError('--rank-distribution needs bootstrap rounds: add --bootstrap N');
      if (o.rankDistribution && o.format !== 'json') throw new UsageError('--rank-distribution is written in JSON only (rankDistribution of each row): add --format json');
      if (o.top !== undefined && (o.format === 'csv' || o.format === 'json')) throw new UsageError(`--top applies to the table and markdown formats; --format ${String(o.format)} writes every model`);
      if (o.simultaneousRanks && o.compareModels) throw new UsageError('--simultaneous-ranks ranks a leaderboard: --compare-models prints none');
      const display = displayRulesFrom(o);
      if (o.rankDistribution && (display.minVotes! > 0 || display.deprecated!.length > 0)) throw new UsageError('--rank-distribution counts every model in every round: it cannot be combined with --min-votes or --deprecated');
      if (display.intervalStyle === 'plusminus' && intervals.ciMethod === 'none') throw new UsageError('--interval-style plusminus shows intervals: this board has none (--ci-method none, or online Elo without --bootstrap N)');
      if (o.compareModels && display.active) throw new UsageError('--compare-models prints no leaderboard: the display options (--min-votes, --deprecated, --delta, --interval-style) do not apply');
      if (o.compareModels) {
        if (modelOptions.method === 'elo') throw new UsageError('--compare-models compares likelihood tie models: it needs --method bt');
        const t = await loadInput(io, files, o, false);
        return compareModelsCommand(io, t, modelOptions, o);
      }
      let rated;
      if (fitsInDatabase(files, o, modelOptions)) rated = await rateInDuckDB(io, files, o, { model, modelOptions, intervals, progress });
      else {
        const t = await loadInput(io, files, o, false);
        checkAnchor(t, modelOptions);
        const point = model.fit(t, modelOptions);
        try {
          rated = await addIntervals(point, model, intervals);
        } finally {
          progress.stop();
        }
      }
      const plain = leaderboardOf(rated, { ...modelParams(modelOptions), ...intervalParams(intervals), ...inputParams(o) }, Boolean(o.rankDistribution));
      let lb = display.active ? applyDisplayRules(plain, display, rated) : plain;
      const format = o.format as OutputFormat;
      if (o.top && format !== 'json' && format !== 'csv') lb = { ...lb, models: lb.models.slice(0, o.top as number) };
      emit(io, formatLeaderboard(lb, format, { color: !o.out && colorEnabled(io.env, io.stdoutIsTTY) }) + fitExtrasText(lb, format), o.out as string | undefined);
      printWarnings(io, lb.warnings);
    });
}
