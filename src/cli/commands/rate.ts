import { type Command, Option } from 'commander';
import { readBattles } from '../../data/load.js';
import { type InputFormat } from '../../data/parse.js';
import { type BattleTable, sortByTimestamp } from '../../data/table.js';
import { InputError, UsageError } from '../../errors.js';
import { DEFAULT_RATE, fitRatings, buildLeaderboard, rateParams, type RateOptions } from '../../rating/rate.js';
import { parseAnchor } from '../../rating/scale.js';
import { colorEnabled, formatLeaderboard, type OutputFormat } from '../../report/format.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { anyNumber, greaterThanOne, level, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, seedArg } from '../options.js';

/** Options shared by every command that reads battles. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--input-format <format>', 'format of every input (default: from each file extension; stdin: jsonl)').choices(['jsonl', 'json', 'csv']))
    .addOption(new Option('--sort <key>', 'replay order: input order, or stably sorted by tstamp').choices(['input', 'tstamp']).default('input'));
}

/** Reads the battles of a command (files or `-`), sorted if asked. */
export async function loadInput(io: CliIO, files: string[], o: { inputFormat?: InputFormat; sort?: string }): Promise<BattleTable> {
  const t = await readBattles(files, { inputFormat: o.inputFormat, stdin: io.stdin });
  if (o.sort === 'tstamp') {
    try {
      return sortByTimestamp(t);
    } catch (e) {
      throw new InputError((e as Error).message, { file: files.join(', '), field: 'tstamp' });
    }
  }
  return t;
}

/** Options that shape a rating fit (shared by rate, compare, stability, …). */
export function addRatingOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--method <method>', 'rating method: Bradley–Terry maximum likelihood or online Elo').choices(['bt', 'elo']).default('bt'))
    .option('--k <n>', 'Elo K-factor (elo only)', positiveNumber, 4)
    .option('--scale <n>', 'rating points per factor <base> in odds', positiveNumber, 400)
    .option('--base <n>', 'odds base of the scale', greaterThanOne, 10)
    .option('--initial <n>', 'mean rating (bt) / starting rating (elo)', anyNumber, 1000)
    .option('--anchor <model=rating>', 'shift all ratings so that this model has this rating')
    .addOption(new Option('--ties <policy>', 'half: a tie (either label) is half a win each side; ignore: drop ties').choices(['half', 'ignore']).default('half'))
    .option('--prior <lambda>', 'bt ridge prior λ on the natural scale, or "auto" (0 when the MLE exists, 0.01 otherwise)', priorArg, 'auto')
    .option('--tolerance <points>', 'bt convergence tolerance in rating points', positiveNumber, 1e-6);
}

function priorArg(v: string): number | 'auto' {
  return v === 'auto' ? 'auto' : nonNegativeNumber(v);
}

/** Turns parsed CLI options into {@link RateOptions}. */
export function rateOptionsFrom(o: Record<string, unknown>): RateOptions {
  let anchor = null;
  if (typeof o.anchor === 'string') {
    try {
      anchor = parseAnchor(o.anchor);
    } catch (e) {
      throw new UsageError(`option '--anchor <model=rating>': ${(e as Error).message}`);
    }
  }
  return {
    ...DEFAULT_RATE,
    method: o.method as 'bt' | 'elo',
    k: o.k as number,
    scale: o.scale as number,
    base: o.base as number,
    initial: o.initial as number,
    anchor,
    ties: o.ties as 'half' | 'ignore',
    prior: o.prior as number | 'auto',
    tolerance: o.tolerance as number,
  };
}

/** Registers `arena rate`. */
export function registerRate(program: Command, io: CliIO): void {
  const cmd = program
    .command('rate')
    .description('rate models from battles: Bradley–Terry (LMArena) or online Elo (FastChat), as a leaderboard')
    .argument('<battles...>', 'battle files (.jsonl, .ndjson, .json, .csv) or - for stdin');
  addRatingOptions(cmd);
  addInputOptions(cmd);
  cmd
    .option('--bootstrap <rounds>', 'bootstrap rounds for intervals (0 = none)', nonNegativeInt, 0)
    .option('--ci <level>', 'interval level', level, 0.95)
    .option('--seed <n>', 'random seed', seedArg, 42)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv', 'markdown']).default('table'))
    .option('--top <n>', 'show only the first n rows (table and markdown)', positiveInt)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const opts = rateOptionsFrom(o);
      if ((o.bootstrap as number) > 0) throw new UsageError('--bootstrap: intervals are not available yet (see the uncertainty issue); use --bootstrap 0');
      const t = await loadInput(io, files, o as { inputFormat?: InputFormat; sort?: string });
      const point = fitRatings(t, opts);
      const params = { ...rateParams(opts), bootstrap: o.bootstrap, ci: o.ci, seed: o.seed, sort: o.sort };
      let lb = buildLeaderboard(point, params, t.battles, opts.method, null);
      const format = o.format as OutputFormat;
      if (o.top && format !== 'json' && format !== 'csv') lb = { ...lb, models: lb.models.slice(0, o.top as number) };
      emit(io, formatLeaderboard(lb, format, { color: !o.out && colorEnabled(io.env, io.stdoutIsTTY) }), o.out as string | undefined);
      printWarnings(io, lb.warnings);
    });
}
