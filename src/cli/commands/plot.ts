import { basename, dirname, resolve } from 'node:path';
import { Argument, type Command, Option } from 'commander';
import type { BattleTable } from '../../data/table.js';
import { type InputFormat } from '../../data/parse.js';
import { UsageError } from '../../errors.js';
import { BOARD_PLOT_KINDS, boardPlotSpec, DEFAULT_PLOT_TOP } from '../../plot/board.js';
import type { PlotSpec } from '../../plot/render.js';
import { fitRatings, type PointFit, type RateOptions } from '../../rating/rate.js';
import { fmt, formatJson } from '../../report/format.js';
import { type TrajectoryPoint, trajectoryPlotSpec } from '../../plot/trajectory.js';
import { type WhatIfRankRow, whatifPlotSpec } from '../../plot/whatif.js';
import { bootstrapProvider, type IntervalProvider, type RatingIntervals, sandwichProvider } from '../../report/uncertainty.js';
import { runWhatIf, type WhatIfResult } from '../../sim/whatif.js';
import { defaultThreads } from '../../stats/bootstrap.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { level, nonNegativeInt, positiveInt, seedArg } from '../options.js';
import { progressBar } from '../progress.js';
import { addInputOptions, addRatingOptions, loadInput, rateOptionsFrom } from './rate.js';
import { addCheckpointOptions, checkCheckpointOptions, replayAtCheckpoints } from './stability.js';
import { loadWhatIf } from './whatif.js';

/** Interval methods of plots and reports (`--ci-method`): the closed-form sandwich, or bootstrap percentiles. */
const CI_METHODS = ['sandwich', 'bootstrap'] as const;

/**
 * Adds `--ci`, `--ci-method`, `--bootstrap`, `--threads` and `--quiet` (the intervals drawn by plots and reports).
 * The seed of the bootstrap is the command's `--seed` (default 42).
 */
export function addIntervalOptions(cmd: Command): Command {
  return cmd
    .option('--ci <level>', 'interval level', level, 0.95)
    .addOption(
      new Option('--ci-method <method>', 'how intervals are computed: sandwich = Huber–White closed form (bt only, instant); bootstrap = percentiles of --bootstrap R resamples (bt or elo)')
        .choices([...CI_METHODS])
        .default('sandwich'),
    )
    .option('--bootstrap <rounds>', 'bootstrap rounds for --ci-method bootstrap', nonNegativeInt, 0)
    .addOption(
      new Option('--threads <n>', 'worker threads for the bootstrap (never changes the result)')
        .argParser(positiveInt)
        .default(defaultThreads(), `all cores: ${defaultThreads()}`),
    )
    .option('--quiet', 'no bootstrap progress bar on stderr');
}

/**
 * Checks the interval options against the rating method before any input is read.
 * @throws UsageError for the sandwich with online Elo, or the bootstrap without rounds
 */
export function checkIntervalOptions(opts: RateOptions, o: Record<string, unknown>): void {
  if (o.ciMethod === 'sandwich' && opts.method !== 'bt') {
    throw new UsageError('--ci-method sandwich needs --method bt (online Elo has no likelihood, so no sandwich interval): use --ci-method bootstrap --bootstrap R');
  }
  if (o.ciMethod === 'bootstrap' && !((o.bootstrap as number) > 0)) throw new UsageError('--ci-method bootstrap needs rounds: add --bootstrap R (e.g. 1000)');
  if (o.ciMethod === 'sandwich' && (o.bootstrap as number) > 0) throw new UsageError('--bootstrap R applies to --ci-method bootstrap only');
}

/**
 * Intervals for a fit of `table`, from the provider named by `--ci-method` (sandwich, or the bootstrap with
 * `--bootstrap R --seed S --threads n`).
 * @throws UsageError when the method does not apply to the rating method
 */
export async function intervalsFor(io: CliIO, table: BattleTable, point: PointFit, opts: RateOptions, o: Record<string, unknown>): Promise<RatingIntervals> {
  checkIntervalOptions(opts, o);
  let provider: IntervalProvider = sandwichProvider;
  const progress = progressBar(io, 'bootstrap', Boolean(o.quiet) || o.ciMethod !== 'bootstrap');
  if (o.ciMethod === 'bootstrap') {
    provider = bootstrapProvider(table, { rounds: o.bootstrap as number, seed: (o.seed as string | number | undefined) ?? 42, threads: o.threads as number, onProgress: progress.update });
  }
  try {
    return await provider.intervals(point, o.ci as number, opts);
  } finally {
    progress.stop();
  }
}

/** Short names of the inputs for titles: the file with its folder (`chatbot-arena-20240814/battles.jsonl`), `stdin` for `-`. */
export function sourceNames(files: readonly string[]): string[] {
  return files.map((f) => {
    if (f === '-') return 'stdin';
    const dir = basename(dirname(resolve(f)));
    return dir ? `${dir}/${basename(f)}` : basename(f);
  });
}

/** One-line provenance under a plot title. */
export function provenance(files: readonly string[], battles: number, opts: RateOptions): string {
  const method = opts.method === 'bt' ? 'Bradley–Terry' : `online Elo (K = ${opts.k})`;
  return `${sourceNames(files).join(', ')} · ${fmt(battles, 0)} battles · ${method}, ${opts.ties === 'half' ? 'a tie counts half' : 'ties ignored'}`;
}

/** Every plot kind of `arena plot`: the board plots, then `trajectory` (stability replay) and `whatif`. */
export const PLOT_KINDS = [...BOARD_PLOT_KINDS, 'trajectory', 'whatif'] as const;
/** A plot kind of `arena plot`. */
export type PlotKind = (typeof PLOT_KINDS)[number];

/** Default models per plot (top N): the board defaults, 10 lines of a trajectory, 15 rows of a what-if. */
const DEFAULT_TOP: Readonly<Record<PlotKind, number>> = Object.freeze({ ...DEFAULT_PLOT_TOP, trajectory: 10, whatif: 15 });

/** Options only some kinds use (attribute names), so a misplaced one is a usage error rather than ignored. */
const KIND_OPTIONS: Readonly<Record<string, readonly PlotKind[]>> = Object.freeze({
  ciMethod: ['intervals'],
  bootstrap: ['intervals'],
  threads: ['intervals'],
  every: ['trajectory'],
  by: ['trajectory'],
  checkpoints: ['trajectory'],
  intervals: ['trajectory'],
  x: ['trajectory'],
  scenario: ['whatif'],
  replications: ['whatif'],
  ci: ['intervals', 'trajectory'],
  seed: ['intervals', 'trajectory', 'whatif'],
});

/**
 * The trajectory plot of a stability replay: each of the final top `top` models' rating and interval at every
 * checkpoint. O(checkpoints × m).
 */
function trajectorySpec(t: BattleTable, files: readonly string[], opts: RateOptions, o: Record<string, unknown>, top: number): { spec: PlotSpec; warnings: readonly string[] } {
  const x = (o.x as 'battles' | 'time' | undefined) ?? (o.by === 'day' ? 'time' : 'battles');
  if (x === 'time' && !t.tstamp) throw new UsageError('--x time needs a tstamp on every battle (these battles have none): use --x battles');
  const { rule, replay } = replayAtCheckpoints(t, opts, o);
  if (x === 'time' && replay.checkpoints.some((c) => c.tstamp === null || Number.isNaN(c.tstamp))) throw new UsageError('--x time needs a tstamp on every battle: use --x battles');
  const points: TrajectoryPoint[] = replay.checkpoints.flatMap((c) => c.models.map((mm) => ({ model: mm.model, battles: c.battles, tstamp: c.tstamp, rating: mm.rating, lower: mm.lower, upper: mm.upper })));
  const models = replay.models.slice(0, top).map((mm) => mm.model);
  const method = opts.method === 'bt' && o.intervals !== 'none' ? (o.intervals as string) : null;
  const every = 'by' in rule ? 'a checkpoint each day' : `a checkpoint every ${fmt(rule.every, 0)} battles`;
  const spec = trajectoryPlotSpec(points, models, { level: o.ci as number, method, x, subtitle: `${provenance(files, t.battles, opts)} · ${every}` });
  return { spec, warnings: replay.warnings };
}

/**
 * The what-if rows: the first `top` models of the result (by mean scenario rating) plus every model a step names,
 * ordered by baseline position (a model the scenario adds goes where its scenario position puts it). O(m log m).
 */
export function whatifRankRows(r: WhatIfResult, top: number): WhatIfRankRow[] {
  const named = new Set(r.steps.map((st) => st.model));
  const key = (x: WhatIfResult['models'][number]) => (x.baseline ? x.baseline.position : x.scenario!.position - 0.5);
  return r.models
    .filter((x, i) => (i < top || named.has(x.model)) && (x.baseline || x.scenario))
    .sort((a, b) => key(a) - key(b))
    .map((x) => ({ model: x.model, baseline: x.baseline?.rank ?? null, scenario: x.scenario?.rank ?? null, pRankChange: x.pRankChange }));
}

/** Registers `arena plot`. */
export function registerPlot(program: Command, io: CliIO): void {
  const cmd = program
    .command('plot')
    .description(
      'draw a plot as SVG (Vega-Lite, rendered headless): intervals, winrate (predicted vs observed), counts (battles per pair), trajectory (rating and interval over time, as arena stability), whatif (baseline vs scenario ranks, as arena whatif)',
    )
    .addArgument(new Argument('<kind>', 'plot kind').choices([...PLOT_KINDS]))
    .argument('[battles...]', 'battle files (.jsonl, .ndjson, .json, .csv) or - for stdin (whatif: the baseline; default: simulated from the scenario)');
  const before = cmd.options.length;
  addRatingOptions(cmd);
  const ratingKeys = cmd.options.slice(before).map((x) => x.attributeName());
  addInputOptions(cmd);
  addIntervalOptions(cmd);
  addCheckpointOptions(cmd);
  cmd
    .addOption(new Option('--x <axis>', 'trajectory: horizontal axis (default: time with --by day, else battles)').choices(['battles', 'time']))
    .option('--scenario <file>', 'whatif: scenario JSON (as arena whatif)')
    .option('--replications <n>', 'whatif: override the scenario replications', positiveInt)
    .option('--seed <n>', 'random seed (intervals: bootstrap, default 42; trajectory: default 42; whatif: overrides the scenario seed)', seedArg)
    .option('--top <n>', `models shown, the top n by rating (default: ${Object.entries(DEFAULT_TOP).map(([k, v]) => `${v} for ${k}`).join(', ')})`, positiveInt)
    .addOption(new Option('--format <format>', 'svg, or the Vega-Lite spec as JSON (to restyle it in Vega tools)').choices(['svg', 'vega-lite']).default('svg'))
    .option('--out <file>', 'write the plot to this file (atomically) instead of stdout')
    .action(async (kind: PlotKind, files: string[], o: Record<string, unknown>, self: Command) => {
      for (const [key, kinds] of Object.entries(KIND_OPTIONS)) {
        if (self.getOptionValueSource(key) === 'cli' && !kinds.includes(kind)) {
          const flag = self.options.find((x) => x.attributeName() === key)!.long!;
          throw new UsageError(`${flag} does not apply to plot ${kind} (it applies to ${kinds.join(', ')})`);
        }
      }
      if (kind === 'whatif') {
        const given = self.options.find((x) => ratingKeys.includes(x.attributeName()) && self.getOptionValueSource(x.attributeName()) === 'cli');
        if (given) throw new UsageError(`${given.long!} does not apply to plot whatif (its fits use the default Bradley–Terry options, as arena whatif)`);
      }
      const top = (o.top as number | undefined) ?? DEFAULT_TOP[kind];
      let spec: PlotSpec;
      let warnings: readonly string[];
      if (kind === 'whatif') {
        if (o.scenario === undefined) throw new UsageError('plot whatif needs --scenario FILE');
        const { scenario: s, file, prepared } = await loadWhatIf(io, files, o);
        const result = runWhatIf(s, prepared.baseline, {
          onReplication: io.stderrIsTTY ? (r, of) => io.stderr(`\rreplication ${r}/${of}${r === of ? '\n' : ''}`) : undefined,
        });
        spec = whatifPlotSpec(whatifRankRows(result, top), { subtitle: `${basename(file)}: ${prepared.description}; ${s.replications} replications, seed ${String(s.seed)}` });
        warnings = [...prepared.warnings, ...result.warnings];
      } else {
        if (!files.length) throw new UsageError(`plot ${kind} needs battle files (or - for stdin)`);
        const opts = rateOptionsFrom(o);
        if (opts.ties !== 'half' && opts.ties !== 'ignore') throw new UsageError('--ties davidson|rao-kupper is not drawn yet: use --ties half or ignore');
        if (kind === 'trajectory') {
          checkCheckpointOptions(o);
          // a replay in time order by default, as arena stability
          const sort = self.getOptionValueSource('sort') === 'cli' ? (o.sort as string) : 'tstamp';
          const t = await loadInput(io, files, { ...(o as { inputFormat?: InputFormat }), sort });
          ({ spec, warnings } = trajectorySpec(t, files, opts, o, top));
        } else {
          if (kind === 'intervals') checkIntervalOptions(opts, o);
          const t = await loadInput(io, files, o as { inputFormat?: InputFormat; sort?: string });
          const point = fitRatings(t, opts);
          const iv = kind === 'intervals' ? await intervalsFor(io, t, point, opts, o) : null;
          spec = boardPlotSpec(kind, point, iv, { top, ties: opts.ties, scale: opts, subtitle: provenance(files, t.battles, opts) });
          warnings = [...point.warnings, ...(iv?.warnings ?? [])];
        }
      }
      // Vega loads on demand, so commands that draw nothing do not pay for it at start-up
      const text = o.format === 'vega-lite' ? formatJson(spec) : `${await (await import('../../plot/render.js')).renderSvg(spec)}\n`;
      emit(io, text, o.out as string | undefined);
      printWarnings(io, warnings);
    });
}
