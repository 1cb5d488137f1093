import { type Command, Option } from 'commander';
import { type BattleTable, timestampOrder } from '../../data/table.js';
import { UsageError } from '../../errors.js';
import { backtestJson, formatBacktest } from '../../formats/backtest.js';
import type { OutputFormat } from '../../formats/format.js';
import { parseSystemSpec, type SystemSpec, systemName } from '../../models/online.js';
import { ratingAt } from '../../sim/drift.js';
import { loadSimRatings, type SimRatings } from '../../sim/fixture.js';
import { backtest, type BacktestResult } from '../../stats/backtest.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { addInputOptions, addScaleOptions, BATTLES_ARGUMENT, loadInput, modelIdOrThrow, inputParams } from '../option-groups.js';
import { intIn, level, LIMITS, numberIn, positiveInt, seedArg } from '../options.js';
import { progressBar } from '../progress.js';

/** The systems of a backtest when `--systems` is not given. */
export const DEFAULT_SYSTEMS = 'elo,glicko2,weng-lin,bt,davidson';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The options of a backtest (shared by `arena backtest` and `arena plot backtest`). */
export function addBacktestOptions(cmd: Command): Command {
  cmd
    .option('--systems <list>', 'rating systems, comma-separated: elo[@K] (K default --k), glicko2[@P] (P battles a rating period, default 1), weng-lin, bt[@W] and davidson[@W] (refitted every --refit-every battles on all battles so far, or on the last W)', DEFAULT_SYSTEMS)
    .option('--k-sweep <list>', 'add online Elo at each of these K-factors (comma-separated, e.g. 2,4,8,16,32)');
  addScaleOptions(cmd, 'K-factor of a plain "elo" in --systems');
  return addInputOptions(cmd)
    .addOption(new Option('--ties <policy>', 'in the rating updates: half (a tie is half a win each side) or ignore (ties leave the ratings alone; predictions still give ties their probability)').choices(['half', 'ignore']).default('half'))
    .option('--refit-every <n>', 'battles between refits of bt and davidson (default: 1% of the battles, at least 100)', positiveInt)
    .option('--glicko-rd <n>', 'Glicko-2 initial rating deviation, in rating points', numberIn(0, 1e4, true), 350)
    .option('--glicko-volatility <s>', 'Glicko-2 initial volatility σ', numberIn(0, 10, true), 0.06)
    .option('--glicko-tau <t>', 'Glicko-2 system constant τ (Glickman: 0.3 to 1.2)', numberIn(0, 10, true), 0.5)
    .option('--segments <n>', 'equal-count time segments for the scores over time', intIn(1, 1000), 10)
    .option('--bins <n>', 'bins of the reliability table', intIn(2, 100), 10)
    .option('--bootstrap <rounds>', 'moving-block bootstrap rounds of the paired differences (0: no intervals)', intIn(0, LIMITS.rounds), 1000)
    .option('--block <n>', 'block length of the bootstrap, in battles (default: ⌈n^{1/3}⌉)', positiveInt)
    .option('--ci <level>', 'interval level', level, 0.95)
    .option('--seed <n>', 'random seed', seedArg, 42)
    .option('--reference <system>', 'paired differences against this system (default: the best by log-loss)')
    .option('--trace <model>', 'record this model\'s rating under every system over time (repeatable; json: trace)', collect)
    .option('--truth <ratings.json>', 'the true ratings of a simulated board (with "drift" events, as given to arena simulate): traced beside the systems')
    .option('--quiet', 'no progress bar on stderr', false);
}

/** The systems the options name, in order (`--systems` then `--k-sweep`). @throws UsageError for a bad or repeated system */
export function systemsFrom(o: Record<string, unknown>): SystemSpec[] {
  const specs = String(o.systems)
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => parseSystemSpec(s, o.k as number));
  if (o.kSweep !== undefined) {
    for (const k of String(o.kSweep).split(',')) {
      const x = Number(k);
      if (!(x > 0 && x <= LIMITS.k)) throw new UsageError(`--k-sweep: ${JSON.stringify(k)} is not a K-factor (a number > 0 and ≤ ${LIMITS.k})`);
      specs.push({ type: 'elo', param: x });
    }
  }
  if (!specs.length) throw new UsageError('--systems: no system given');
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(systemName(s))) throw new UsageError(`--systems: ${systemName(s)} is given twice`);
    seen.add(systemName(s));
  }
  return specs;
}

/** A backtest as the CLI runs it: the result, its table, params, traced model ids and warnings. */
export interface BacktestRun {
  readonly result: BacktestResult;
  readonly table: BattleTable;
  readonly params: Record<string, unknown>;
  readonly trace: number[];
  readonly truth: SimRatings | null;
  readonly warnings: string[];
}

/** Warnings about the replay order: no timestamps (file order taken as time order), or timestamps out of order. */
function orderWarnings(t: BattleTable): string[] {
  const { missing, backwards: back } = timestampOrder(t);
  if (missing === t.rows) return ['The battles have no timestamps: the backtest takes the file order as the time order.'];
  if (missing > 0) return [`${missing.toLocaleString('en-US')} of ${t.rows.toLocaleString('en-US')} battles have no timestamp: the backtest walks the file order.`];
  if (back > 0) return [`The battles are not in time order (${back.toLocaleString('en-US')} steps back in tstamp): the backtest walks the file order; add --sort tstamp to walk them by time.`];
  return [];
}

/** Reads the battles and runs the backtest the options describe. */
export async function runBacktestCommand(io: CliIO, files: string[], o: Record<string, unknown>): Promise<BacktestRun> {
  const systems = systemsFrom(o);
  const t = await loadInput(io, files, o, true, 'the backtest');
  if (t.battles === 0) throw new UsageError('no battles to backtest');
  const trace = ((o.trace as string[] | undefined) ?? []).map((name) => modelIdOrThrow(t.models, name, '--trace'));
  const truth = o.truth !== undefined ? loadSimRatings(o.truth as string) : null;
  if (truth) for (const v of trace) if (!truth.models.includes(t.models[v]!)) throw new UsageError(`--trace: model ${JSON.stringify(t.models[v])} is not in the --truth ratings`);
  const refitEvery = (o.refitEvery as number | undefined) ?? Math.max(100, Math.ceil(t.battles / 100));
  const online = { scale: o.scale as number, base: o.base as number, initial: o.initial as number, ties: o.ties as 'half' | 'ignore', refitEvery, glicko: { rd: o.glickoRd as number, volatility: o.glickoVolatility as number, tau: o.glickoTau as number } };
  const progress = progressBar(io, 'backtest', Boolean(o.quiet));
  const reference = o.reference as string | undefined;
  if (reference !== undefined && !systems.some((s) => systemName(s) === reference)) throw new UsageError(`--reference: ${JSON.stringify(reference)} is not among the systems (${systems.map(systemName).join(', ')})`);
  let result: BacktestResult;
  try {
    result = backtest(t, {
      systems,
      online,
      segments: o.segments as number,
      bins: o.bins as number,
      bootstrap: { rounds: o.bootstrap as number, level: o.ci as number, seed: o.seed as string | number, block: o.block as number | undefined },
      reference,
      trace,
      onProgress: progress.update,
    });
  } finally {
    progress.stop();
  }
  const params = {
    systems: systems.map(systemName),
    ties: online.ties,
    k: o.k,
    scale: online.scale,
    base: online.base,
    initial: online.initial,
    refitEvery,
    glicko: online.glicko,
    segments: o.segments,
    bins: o.bins,
    bootstrap: o.bootstrap,
    block: result.block,
    ci: o.ci,
    seed: o.seed,
    ...inputParams(o),
  };
  return { result, table: t, params, trace, truth, warnings: orderWarnings(t) };
}

/** The true rating of a traced model at each checkpoint, shifted so that the true board's mean at battle 0 is `initial`. */
export function truthTrace(run: BacktestRun, v: number): number[] {
  const truth = run.truth!;
  const u = truth.models.indexOf(run.table.models[v]!);
  let mean = 0;
  for (let w = 0; w < truth.ratings.length; w++) mean += truth.ratings[w]!;
  const shift = (run.params.initial as number) - mean / truth.ratings.length;
  return run.result.traceAt.map((q) => shift + ratingAt(truth.ratings, truth.drift, u, q));
}

/** Registers `arena backtest`. */
export function registerBacktest(program: Command, io: CliIO): void {
  const cmd = program
    .command('backtest')
    .description('which rating system predicts the next votes best: walk forward in time, every system predicts each battle before it sees it; log-loss, Brier, accuracy, calibration, paired differences with block-bootstrap intervals')
    .argument('<battles...>', BATTLES_ARGUMENT);
  addBacktestOptions(cmd)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv', 'markdown']).default('table'))
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const run = await runBacktestCommand(io, files, o);
      const json = () => {
        const j = backtestJson(run.result, run.params, run.table.models, run.trace, run.warnings);
        if (run.truth && run.trace.length) j.truth = Object.fromEntries(run.trace.map((v) => [run.table.models[v]!, truthTrace(run, v)]));
        return j;
      };
      emit(io, formatBacktest(run.result, o.format as OutputFormat, json, o.ci as number), o.out as string | undefined);
      printWarnings(io, run.warnings);
    });
}
