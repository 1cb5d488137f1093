import { type Command, Option } from 'commander';
import type { BattleTable } from '../../data/table.js';
import { UsageError } from '../../errors.js';
import { formatJson } from '../../formats/format.js';
import { formatStabilityTable, stabilityCsv } from '../../formats/sim-report.js';
import type { ModelOptions } from '../../models/types.js';
import type { SimIntervals } from '../../sim/board.js';
import { type CheckpointRule, eloOrderSensitivity, type StabilityReplay, stabilityReplay, unseparatedPairs } from '../../sim/stability.js';
import type { IntervalOptions } from '../../stats/uncertainty.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { addBattleOptions, BATTLES_ARGUMENT, battleOptionsFrom, checkAnchor, intervalParams, loadInput, modelParams, inputParams } from '../option-groups.js';
import { intIn, LIMITS, positiveInt, positiveNumber } from '../options.js';
import { DEFAULT_ANYTIME_TUNE } from '../../stats/anytime.js';
import { progressBar } from '../progress.js';

/** Default number of evenly spaced checkpoints when neither --every nor --by day is given. */
export /** Most checkpoints one replay refits (each is a fit with intervals: at 339 models about 50 ms). */
const MAX_CHECKPOINTS = 10_000;
const DEFAULT_CHECKPOINTS = 20;

/**
 * Adds the checkpoint options of a replay in time order (shared by `arena stability` and `arena plot
 * trajectory`): `--every n`, `--by day`, `--checkpoints k`. The intervals of each refit follow the interval options.
 */
export function addCheckpointOptions(cmd: Command): Command {
  return cmd
    .option('--every <n>', 'refit every n battles', positiveInt)
    .addOption(new Option('--by <unit>', 'refit at the end of each UTC hour or day (needs tstamp)').choices(['hour', 'day']))
    .option('--checkpoints <k>', `refit at k evenly spaced points (used when neither --every nor --by is given; at most ${MAX_CHECKPOINTS.toLocaleString('en-US')})`, intIn(1, MAX_CHECKPOINTS), DEFAULT_CHECKPOINTS);
}

/** Checks the checkpoint options before any input is read. @throws UsageError for --every with --by */
export function checkCheckpointOptions(o: Record<string, unknown>): void {
  if (o.every !== undefined && o.by !== undefined) throw new UsageError('give --every or --by, not both');
}

/**
 * The interval method of the refits at checkpoints: the sandwich or none (the interval options' default for the
 * model). Bootstrap rounds at every checkpoint are not run by the simulation engine.
 * @throws UsageError for `--ci-method bootstrap` / `--bootstrap N`
 */
export function checkpointIntervals(iv: IntervalOptions, each = 'checkpoint'): SimIntervals {
  if (iv.ciMethod === 'bootstrap') throw new UsageError(`the refit at every ${each} takes sandwich intervals (or --ci-method none); bootstrap rounds at every ${each} are not run (docs/reference.md#option-groups)`);
  return iv.ciMethod;
}

/**
 * Checks that a command that refits pair counts (checkpoints of `stability` and `plot trajectory`, replications of
 * `whatif`) can honour the model options: pair counts carry no style features, so style control cannot be refitted
 * from them. @throws UsageError for `--style-control`
 */
export function checkPairCountModel(rate: ModelOptions, command: string): void {
  if (rate.covariates?.length) throw new UsageError(`--covariate: ${command} refits the board from pair counts, which carry no covariates; use arena rate --covariate on the battles instead`);
  if (rate.styleControl) throw new UsageError(`--style-control: ${command} refits the board from pair counts, which carry no style features; use arena rate --style-control on the battles instead`);
}

/**
 * The checkpoint rule of the options (`--by day`, else `--every n`, else `--checkpoints k` evenly spaced over the
 * battles) and the replay of `t` at those checkpoints ({@link stabilityReplay}) with the interval options.
 * @throws UsageError for `--by day` on battles without timestamps
 */
export function replayAtCheckpoints(io: CliIO, t: BattleTable, rate: ModelOptions, iv: IntervalOptions, o: Record<string, unknown>): { rule: CheckpointRule; replay: StabilityReplay; intervals: SimIntervals } {
  const rule: CheckpointRule = o.by === 'day' || o.by === 'hour' ? { by: o.by } : { every: (o.every as number | undefined) ?? Math.max(1, Math.ceil(t.battles / (o.checkpoints as number))) };
  if ('every' in rule && t.battles / rule.every > MAX_CHECKPOINTS) {
    throw new UsageError(`--every ${rule.every} makes ${Math.ceil(t.battles / rule.every).toLocaleString('en-US')} checkpoints on ${t.battles.toLocaleString('en-US')} battles: at most ${MAX_CHECKPOINTS.toLocaleString('en-US')} (each is a refit with intervals)`);
  }
  const intervals = checkpointIntervals(iv);
  checkPairCountModel(rate, 'a replay at checkpoints');
  const progress = progressBar(io, 'checkpoints (battles replayed)', Boolean(o.quiet));
  try {
    const replay = stabilityReplay(t, { rate, checkpoints: rule, level: iv.level, intervals, seed: iv.seed, onProgress: progress.update, topK: o.topK as number | undefined, anytimeTune: o.anytimeTune as number | undefined });
    return { rule, replay, intervals };
  } catch (e) {
    if (e instanceof Error && /^checkpoints by (day|hour)/.test(e.message)) throw new UsageError(`--by ${String(o.by)}: ${e.message}`);
    throw e;
  } finally {
    progress.stop();
  }
}

/** Registers `arena stability`. */
export function registerStability(program: Command, io: CliIO): void {
  const cmd = program
    .command('stability')
    .description('replay battles in time order, refit at checkpoints: ratings, intervals and ranks over time, when ranks settled, unseparated pairs, Elo order sensitivity')
    .argument('<battles...>', BATTLES_ARGUMENT);
  addBattleOptions(cmd, 'tstamp');
  addCheckpointOptions(cmd);
  cmd
    .option('--orderings <p>', 'online Elo order sensitivity: random orderings to replay (default 100 with --method elo, else 0)', intIn(0, LIMITS.orderings))
    .option('--all-pairs', 'list every unseparated pair, not only neighbours in rating order')
    .option('--top-k <k>', 'board settling: the top k models (set and order)', positiveInt, 10)
    .option('--anytime-tune <points>', 'the anytime-valid confidence sequences are tightest when a gap\'s standard error is this many points (chosen before the data)', positiveNumber, DEFAULT_ANYTIME_TUNE)
    .addOption(new Option('--format <format>', 'output format (csv: one row per checkpoint and model)').choices(['table', 'json', 'csv']).default('table'))
    .option('--top <n>', 'table: rows to show', positiveInt, 20)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const { modelOptions: rate, intervals: iv, progress } = battleOptionsFrom(io, o);
      progress.stop();
      checkCheckpointOptions(o);
      const t = await loadInput(io, files, o);
      checkAnchor(t, rate);
      const { rule, replay, intervals } = replayAtCheckpoints(io, t, rate, iv, o);
      const last = replay.checkpoints[replay.checkpoints.length - 1]!;
      const pairs = unseparatedPairs(last.models, last.battles, iv.level, Boolean(o.allPairs));
      const orderings = (o.orderings as number | undefined) ?? (rate.method === 'elo' ? 100 : 0);
      let order = null;
      if (orderings > 0) {
        const bar = progressBar(io, 'Elo orderings', Boolean(o.quiet));
        try {
          order = eloOrderSensitivity(t, { ...rate, ties: rate.ties === 'ignore' ? 'ignore' : 'half' }, orderings, iv.seed, bar.update);
        } finally {
          bar.stop();
        }
      }
      const params = {
        ...modelParams(rate),
        ...intervalParams(iv),
        method: rate.method,
        checkpoints: rule,
        intervals,
        topK: o.topK,
        anytimeTune: o.anytimeTune,
        orderings,
        ...inputParams(o),
        allPairs: Boolean(o.allPairs),
      };
      const format = o.format as string;
      let text: string;
      if (format === 'json') {
        text = formatJson({ params, battles: t.battles, start: replay.start, board: replay.board, models: replay.models, checkpoints: replay.checkpoints, unseparated: pairs, orderSensitivity: order, warnings: replay.warnings });
      } else if (format === 'csv') text = stabilityCsv(replay);
      else {
        const title = `arena stability: ${t.battles.toLocaleString('en-US')} battles, ${t.models.length} models, ${replay.checkpoints.length} checkpoints (${'by' in rule ? `by ${rule.by}` : `every ${rule.every.toLocaleString('en-US')} battles`}), method ${rate.method}${intervals !== 'none' ? `, ${intervals} ${iv.level * 100}% intervals` : ''}.`;
        text = formatStabilityTable(replay, pairs, order, { top: o.top as number, title, level: iv.level });
      }
      emit(io, text, o.out as string | undefined);
      printWarnings(io, replay.warnings);
    });
}
