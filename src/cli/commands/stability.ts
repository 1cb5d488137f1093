import { type Command, Option } from 'commander';
import type { InputFormat } from '../../data/parse.js';
import { UsageError } from '../../errors.js';
import { rateParams, type RateOptions } from '../../rating/rate.js';
import { formatJson } from '../../report/format.js';
import { INTERVAL_METHODS } from '../../sim/intervals.js';
import { formatStabilityTable, stabilityCsv } from '../../sim/report.js';
import { type CheckpointRule, eloOrderSensitivity, type StabilityReplay, stabilityReplay, unseparatedPairs } from '../../sim/stability.js';
import type { BattleTable } from '../../data/table.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { level, nonNegativeInt, positiveInt, seedArg } from '../options.js';
import { addRatingOptions, loadInput, rateOptionsFrom } from './rate.js';

/** Default number of evenly spaced checkpoints when neither --every nor --by day is given. */
export const DEFAULT_CHECKPOINTS = 20;

/**
 * Adds the checkpoint options of a replay in time order (shared by `arena stability` and `arena plot
 * trajectory`): `--every n`, `--by day`, `--checkpoints k` and `--intervals` (the interval method of each refit).
 */
export function addCheckpointOptions(cmd: Command): Command {
  return cmd
    .option('--every <n>', 'refit every n battles', positiveInt)
    .addOption(new Option('--by <unit>', 'refit at the end of each UTC day (needs tstamp)').choices(['day']))
    .option('--checkpoints <k>', `refit at k evenly spaced points (used when neither --every nor --by is given)`, positiveInt, DEFAULT_CHECKPOINTS)
    .addOption(new Option('--intervals <method>', 'intervals of each bt refit').choices([...INTERVAL_METHODS.keys()]).default('sandwich'));
}

/** Checks the checkpoint options before any input is read. @throws UsageError for --every with --by */
export function checkCheckpointOptions(o: Record<string, unknown>): void {
  if (o.every !== undefined && o.by !== undefined) throw new UsageError('give --every or --by, not both');
}

/**
 * The checkpoint rule of the options (`--by day`, else `--every n`, else `--checkpoints k` evenly spaced over the
 * battles) and the replay of `t` at those checkpoints ({@link stabilityReplay}) with the `--ci` level, the
 * `--intervals` method and the `--seed` (default 42).
 * @throws UsageError for `--by day` on battles without timestamps
 */
export function replayAtCheckpoints(t: BattleTable, rate: RateOptions, o: Record<string, unknown>): { rule: CheckpointRule; replay: StabilityReplay } {
  const rule: CheckpointRule = o.by === 'day' ? { by: 'day' } : { every: (o.every as number | undefined) ?? Math.max(1, Math.ceil(t.battles / (o.checkpoints as number))) };
  try {
    const replay = stabilityReplay(t, { rate, checkpoints: rule, level: o.ci as number, intervals: INTERVAL_METHODS.get(o.intervals as string)!, seed: (o.seed as string | number | undefined) ?? 42 });
    return { rule, replay };
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('checkpoints by day')) throw new UsageError(`--by day: ${e.message}`);
    throw e;
  }
}

/** Registers `arena stability`. */
export function registerStability(program: Command, io: CliIO): void {
  const cmd = program
    .command('stability')
    .description('replay battles in time order, refit at checkpoints: ratings, intervals and ranks over time, when ranks settled, unseparated pairs, Elo order sensitivity')
    .argument('<battles...>', 'battle files (.jsonl, .ndjson, .json, .csv) or - for stdin');
  addRatingOptions(cmd);
  cmd
    .addOption(new Option('--input-format <format>', 'format of every input (default: from each file extension; stdin: jsonl)').choices(['jsonl', 'json', 'csv']))
    .addOption(new Option('--sort <key>', 'replay order: stably sorted by tstamp, or the input order').choices(['tstamp', 'input']).default('tstamp'))
    .option('--ci <level>', 'interval level', level, 0.95);
  addCheckpointOptions(cmd);
  cmd
    .option('--orderings <p>', 'online Elo order sensitivity: random orderings to replay (default 100 with --method elo, else 0)', nonNegativeInt)
    .option('--all-pairs', 'list every unseparated pair, not only neighbours in rating order')
    .option('--seed <n>', 'random seed (orderings)', seedArg, 42)
    .addOption(new Option('--format <format>', 'output format (csv: one row per checkpoint and model)').choices(['table', 'json', 'csv']).default('table'))
    .option('--top <n>', 'table: rows to show', positiveInt, 20)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const rate = rateOptionsFrom(o);
      checkCheckpointOptions(o);
      const t = await loadInput(io, files, o as { inputFormat?: InputFormat; sort?: string });
      const { rule, replay } = replayAtCheckpoints(t, rate, o);
      const last = replay.checkpoints[replay.checkpoints.length - 1]!;
      const pairs = unseparatedPairs(last.models, last.battles, o.ci as number, Boolean(o.allPairs));
      const orderings = (o.orderings as number | undefined) ?? (rate.method === 'elo' ? 100 : 0);
      const order = orderings > 0 ? eloOrderSensitivity(t, { ...rate, ties: rate.ties === 'ignore' ? 'ignore' : 'half' }, orderings, o.seed as string | number) : null;
      const params = {
        ...rateParams(rate),
        method: rate.method,
        checkpoints: rule,
        ci: o.ci,
        intervals: rate.method === 'elo' ? 'none' : o.intervals,
        orderings,
        seed: o.seed,
        sort: o.sort,
        allPairs: Boolean(o.allPairs),
      };
      const format = o.format as string;
      let text: string;
      if (format === 'json') {
        text = formatJson({ params, battles: t.battles, models: replay.models, checkpoints: replay.checkpoints, unseparated: pairs, orderSensitivity: order, warnings: replay.warnings });
      } else if (format === 'csv') text = stabilityCsv(replay);
      else {
        const title = `arena stability: ${t.battles.toLocaleString('en-US')} battles, ${t.models.length} models, ${replay.checkpoints.length} checkpoints (${'by' in rule ? 'by day' : `every ${rule.every.toLocaleString('en-US')} battles`}), method ${rate.method}${rate.method === 'bt' ? `, ${o.intervals} ${(o.ci as number) * 100}% intervals` : ''}.`;
        text = formatStabilityTable(replay, pairs, order, { top: o.top as number, title });
      }
      emit(io, text, o.out as string | undefined);
      printWarnings(io, replay.warnings);
    });
}
