import { type Command, Option } from 'commander';
import { readBattles } from '../../data/load.js';
import { type InputFormat } from '../../data/parse.js';
import { type BattleTable, sortByTimestamp } from '../../data/table.js';
import { InputError, UsageError } from '../../errors.js';
import { DEFAULT_RATE, fitRatings, rateParams, type RateOptions } from '../../rating/rate.js';
import { isTieModel } from '../../rating/rate-extended.js';
import { type Leaderboard } from '../../report/leaderboard.js';
import { addTieStyleOptions, checkTieStyleOptions, compareModelsCommand, fitExtrasText } from './rate-models.js';
import { parseAnchor } from '../../rating/scale.js';
import { colorEnabled, formatLeaderboard, type OutputFormat } from '../../report/format.js';
import { defaultThreads } from '../../stats/bootstrap.js';
import { addExtendedUncertainty, extendedIntervalsOf } from '../../stats/extended-uncertainty.js';
import { addUncertainty, type BootstrapQuantiles, type CiMethod, type UncertaintyOptions, uncertaintyLeaderboard } from '../../stats/uncertainty.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { type Progress, progressBar } from '../progress.js';
import { anyNumber, greaterThanOne, level, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, seedArg } from '../options.js';

/** Options shared by every command that reads battles. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--input-format <format>', 'format of every input (default: from each file extension; stdin: jsonl)').choices(['jsonl', 'json', 'csv', 'parquet']))
    .addOption(new Option('--sort <key>', 'replay order: input order, or stably sorted by tstamp').choices(['input', 'tstamp']).default('input'));
}

/**
 * Reads the battles of a command (files or `-`), sorted if asked. Timestamps are kept when sorting by them or when
 * `keep.tstamp` is true (the default); a command that never uses them passes false to save 8 bytes per row.
 */
export async function loadInput(io: CliIO, files: string[], o: { inputFormat?: InputFormat; sort?: string }, keep: { tstamp?: boolean } = {}): Promise<BattleTable> {
  const t = await readBattles(files, { inputFormat: o.inputFormat, stdin: io.stdin, tstamp: o.sort === 'tstamp' || (keep.tstamp ?? true) });
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
    .addOption(
      new Option('--ties <policy>', 'half: a tie (either label) is half a win each side; ignore: drop ties; davidson | rao-kupper: a likelihood tie model (bt only)')
        .choices(['half', 'ignore', 'davidson', 'rao-kupper'])
        .default('half'),
    )
    .option('--prior <lambda>', 'bt ridge prior λ on the natural scale, or "auto" (0 when the MLE exists, 0.01 otherwise)', priorArg, 'auto')
    .option('--tolerance <points>', 'bt convergence tolerance in rating points', positiveNumber, 1e-6)
    .addOption(new Option('--both-bad <policy>', 'tie (bothbad): one tie outcome with "tie", its own tie parameter (separate, tie models), or dropped (ignore)').choices(['tie', 'separate', 'ignore']).default('tie'));
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
    ties: o.ties as RateOptions['ties'],
    prior: o.prior as number | 'auto',
    tolerance: o.tolerance as number,
    bothBad: (o.bothBad as RateOptions['bothBad']) ?? 'tie',
    ...(o.styleControl ? { styleControl: true, stylePrior: o.stylePrior as number } : {}),
    ...(typeof o.ci === 'number' ? { ci: o.ci } : {}),
  };
}

/**
 * Options of interval estimation shared by rate, compare and matrix: `--bootstrap --ci --ci-method
 * --bootstrap-quantiles --seed --threads --quiet`.
 */
export function addUncertaintyOptions(cmd: Command, defaultRounds = 0): Command {
  return cmd
    .option('--bootstrap <rounds>', 'bootstrap rounds for intervals (0 = none)', nonNegativeInt, defaultRounds)
    .option('--ci <level>', 'interval level', level, 0.95)
    .addOption(
      new Option('--ci-method <method>', 'intervals: bootstrap percentiles (needs --bootstrap R) or the Huber–White sandwich (bt only, instant)')
        .choices(['bootstrap', 'sandwich'])
        .default('bootstrap'),
    )
    .addOption(
      new Option('--bootstrap-quantiles <estimator>', 'bt bootstrap quantiles: control (the linearised refit as a control variate, ~10× less Monte-Carlo error) or plain (type-7 sample quantiles)')
        .choices(['control', 'plain'])
        .default('control'),
    )
    .option('--seed <n>', 'random seed', seedArg, 42)
    .addOption(
      new Option('--threads <n>', 'worker threads for the bootstrap (never changes the result)')
        .argParser(positiveInt)
        .default(defaultThreads(), `all cores: ${defaultThreads()}`),
    )
    .option('--quiet', 'no progress bar on stderr');
}

/** Turns parsed CLI options into {@link UncertaintyOptions}, checking combinations (UsageError, exit 2). */
export function uncertaintyFrom(io: CliIO, o: Record<string, unknown>, rate: RateOptions, label = 'bootstrap'): { opts: UncertaintyOptions; progress: Progress } {
  if (o.ciMethod === 'sandwich' && rate.method === 'elo') {
    throw new UsageError('--ci-method sandwich needs a likelihood and applies to --method bt only; with --method elo use --ci-method bootstrap --bootstrap R');
  }
  const progress = progressBar(io, label, Boolean(o.quiet));
  const opts: UncertaintyOptions = {
    ciMethod: o.ciMethod as CiMethod,
    rounds: o.bootstrap as number,
    level: o.ci as number,
    seed: o.seed as string | number,
    bootstrapQuantiles: (o.bootstrapQuantiles as BootstrapQuantiles | undefined) ?? 'control',
    threads: o.threads as number,
    onProgress: progress.update,
  };
  return { opts, progress };
}

/** The uncertainty parameters echoed in JSON `params` (threads are left out: they never change the numbers). */
export function uncertaintyParams(o: Record<string, unknown>): Record<string, unknown> {
  return { ciMethod: o.ciMethod, bootstrap: o.bootstrap, ci: o.ci, seed: o.seed, bootstrapQuantiles: o.bootstrapQuantiles ?? 'control' };
}

/** Registers `arena rate`. */
export function registerRate(program: Command, io: CliIO): void {
  const cmd = program
    .command('rate')
    .description('rate models from battles: Bradley–Terry (LMArena) or online Elo (FastChat), as a leaderboard')
    .argument('<battles...>', 'battle files (.jsonl, .ndjson, .json, .csv, .parquet) or - for stdin');
  addRatingOptions(cmd);
  addTieStyleOptions(cmd);
  addInputOptions(cmd);
  addUncertaintyOptions(cmd);
  cmd
    .option('--rank-distribution', 'add each model\'s bootstrap rank distribution (json: rankDistribution; needs --bootstrap R)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv', 'markdown']).default('table'))
    .option('--top <n>', 'show only the first n rows (table and markdown)', positiveInt)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const opts = rateOptionsFrom(o);
      checkTieStyleOptions(opts, o);
      const extended = opts.method === 'bt' && (isTieModel(opts.ties) || Boolean(opts.styleControl));
      const { opts: uopts, progress } = uncertaintyFrom(io, o, opts);
      if (o.rankDistribution && !(uopts.rounds > 0)) throw new UsageError('--rank-distribution needs bootstrap rounds: add --bootstrap R');
      const t = await loadInput(io, files, o as { inputFormat?: InputFormat; sort?: string }, { tstamp: false });
      if (o.compareModels) {
        progress.stop();
        return compareModelsCommand(io, t, opts, o);
      }
      const point = fitRatings(t, opts);
      let lb: Leaderboard;
      if (extended) {
        let u;
        try {
          u = addExtendedUncertainty(point, opts, uopts);
        } finally {
          progress.stop();
        }
        const params = { ...rateParams(opts), ...uncertaintyParams(o), intervals: extendedIntervalsOf(uopts), sort: o.sort };
        const battles = opts.bothBad === 'ignore' ? point.totals.battles.reduce((a, b) => a + b, 0) / 2 : t.battles;
        lb = uncertaintyLeaderboard(u, params, battles, opts.method, Boolean(o.rankDistribution));
      } else {
        let u;
        try {
          u = await addUncertainty(t, point, opts, uopts);
        } finally {
          progress.stop();
        }
        const params = { ...rateParams(opts), ...uncertaintyParams(o), sort: o.sort };
        lb = uncertaintyLeaderboard(u, params, t.battles, opts.method, Boolean(o.rankDistribution));
      }
      const format = o.format as OutputFormat;
      if (o.top && format !== 'json' && format !== 'csv') lb = { ...lb, models: lb.models.slice(0, o.top as number) };
      emit(io, formatLeaderboard(lb, format, { color: !o.out && colorEnabled(io.env, io.stdoutIsTTY) }) + fitExtrasText(lb, format), o.out as string | undefined);
      printWarnings(io, lb.warnings);
    });
}
