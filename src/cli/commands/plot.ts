import { basename, dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { BattleTable } from '../../data/table.js';
import { UsageError } from '../../errors.js';
import { fmt, formatJson } from '../../formats/format.js';
import { ratingIntervals } from '../../leaderboard/leaderboard.js';
import type { ModelOptions } from '../../models/types.js';
import { BOARD_PLOT_KINDS, type BoardPlotKind, boardPlotSpec, DEFAULT_PLOT_TOP } from '../../plot/board.js';
import type { PlotSpec } from '../../plot/render.js';
import { stabilityPlotSpec, type TrajectoryPoint, trajectoryPlotSpec } from '../../plot/trajectory.js';
import { type WhatIfRankRow, whatifPlotSpec } from '../../plot/whatif.js';
import type { WhatIfResult } from '../../sim/whatif.js';
import type { IntervalOptions } from '../../stats/uncertainty.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { addBattleOptions, BATTLES_ARGUMENT, battleOptionsFrom, checkAnchor, loadInput, rateInput } from '../option-groups.js';
import { positiveInt } from '../options.js';
import { addCheckpointOptions, checkCheckpointOptions, replayAtCheckpoints } from './stability.js';
import { addHistoryOptions, BOARDS_ARGUMENT, runHistory } from './history.js';
import { historyPlotSpec } from '../../plot/history.js';
import { addWhatIfOptions, runWhatIfCommand } from './whatif.js';
import { addBacktestOptions, runBacktestCommand, truthTrace } from './backtest.js';
import { BACKTEST_METRICS, calibrationPlotSpec, metricTimePlotSpec, tracePlotSpec } from '../../plot/backtest.js';
import type { Scores } from '../../stats/backtest.js';

/** Short names of the inputs for titles: the file with its folder (`chatbot-arena-20240814/battles.jsonl`), `stdin` for `-`. */
export function sourceNames(files: readonly string[]): string[] {
  return files.map((f) => {
    if (f === '-') return 'stdin';
    const dir = basename(dirname(resolve(f)));
    return dir ? `${dir}/${basename(f)}` : basename(f);
  });
}

/** One-line provenance under a plot title. */
export function provenance(files: readonly string[], battles: number, opts: ModelOptions): string {
  const method = opts.method === 'elo' ? `online Elo (K = ${opts.k})` : opts.ties === 'davidson' ? 'Davidson' : opts.ties === 'rao-kupper' ? 'Rao–Kupper' : 'Bradley–Terry';
  const ties = opts.ties === 'half' ? ', a tie counts half' : opts.ties === 'ignore' ? ', ties ignored' : '';
  const covs = opts.covariates?.length ?? 0;
  return `${sourceNames(files).join(', ')} · ${fmt(battles, 0)} battles · ${method}${ties}${opts.styleControl ? ', style-controlled' : ''}${covs ? `, ${covs} covariate${covs > 1 ? 's' : ''}` : ''}`;
}

/**
 * The plots of a stability replay: `trajectory`, each of the final top `top` models' rating and interval at every
 * checkpoint; `stability`, the same with each model's position by rating below and its settle point marked.
 * O(checkpoints × m).
 */
function trajectorySpec(kind: 'trajectory' | 'stability', io: CliIO, t: BattleTable, files: readonly string[], opts: ModelOptions, iv: IntervalOptions, o: Record<string, unknown>, top: number): { spec: PlotSpec; warnings: readonly string[] } {
  const x = (o.x as 'battles' | 'time' | undefined) ?? (o.by !== undefined ? 'time' : 'battles');
  if (x === 'time' && !t.tstamp) throw new UsageError('--x time needs a tstamp on every battle (these battles have none): use --x battles');
  const { rule, replay, intervals } = replayAtCheckpoints(io, t, opts, iv, o);
  if (x === 'time' && replay.checkpoints.some((c) => c.tstamp === null || Number.isNaN(c.tstamp))) throw new UsageError('--x time needs a tstamp on every battle: use --x battles');
  const points: TrajectoryPoint[] = replay.checkpoints.flatMap((c) => c.models.map((mm) => ({ model: mm.model, battles: c.battles, tstamp: c.tstamp, rating: mm.rating, lower: mm.lower, upper: mm.upper, position: mm.position })));
  const models = replay.models.slice(0, top).map((mm) => mm.model);
  const method = intervals === 'none' ? null : intervals;
  const every = 'by' in rule ? `a checkpoint each ${rule.by}` : `a checkpoint every ${fmt(rule.every, 0)} battles`;
  const plotOpts = { level: iv.level, method, x, subtitle: `${provenance(files, t.battles, opts)} · ${every}` };
  if (kind === 'trajectory') return { spec: trajectoryPlotSpec(points, models, plotOpts), warnings: replay.warnings };
  const marks = replay.models.slice(0, top).map((mm) => {
    const st = mm.settling.settled;
    return { model: mm.model, settled: st.settled ? { battles: st.battles, tstamp: st.tstamp } : null };
  });
  return { spec: stabilityPlotSpec(points, models, marks, plotOpts), warnings: replay.warnings };
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
    .map((x) => ({
      model: x.model,
      baseline: x.baseline?.rank ?? null,
      scenario: x.scenario?.rank ?? null,
      pRankChange: x.pRankChange,
      named: named.has(x.model),
      baselineRating: x.baseline ? { rating: x.baseline.rating, lower: x.baseline.lower, upper: x.baseline.upper } : null,
      scenarioRating: x.scenario ? { rating: x.scenario.rating, lower: x.scenario.lower, upper: x.scenario.upper } : null,
    }));
}

/** Writes a plot: SVG (Vega loads on demand, so commands that draw nothing do not pay for it) or the Vega-Lite spec. */
async function emitPlot(io: CliIO, spec: PlotSpec, o: Record<string, unknown>, warnings: readonly string[]): Promise<void> {
  const text = o.format === 'vega-lite' ? formatJson(spec) : `${await (await import('../../plot/render.js')).renderSvg(spec)}\n`;
  emit(io, text, o.out as string | undefined);
  printWarnings(io, warnings);
}

/** The output options of every plot subcommand. */
function addPlotOutput(cmd: Command, top: number | null): Command {
  if (top !== null) cmd.option('--top <n>', 'models shown, the top n by rating', positiveInt, top);
  return cmd
    .addOption(new Option('--format <format>', 'svg, or the Vega-Lite spec as JSON (to restyle it in Vega tools)').choices(['svg', 'vega-lite']).default('svg'))
    .option('--out <file>', 'write the plot to this file (atomically) instead of stdout');
}

const BOARD_DESCRIPTIONS: Readonly<Record<BoardPlotKind, string>> = Object.freeze({
  intervals: 'ratings with their intervals (the interval options choose the method, as arena rate)',
  winrate: 'predicted vs observed pairwise win rates of the top models',
  counts: 'battles per pair of the top models',
});

/** Registers `arena plot` and its subcommands (one per plot kind). */
export function registerPlot(program: Command, io: CliIO): void {
  const plot = program.command('plot').description('draw a plot as SVG (Vega-Lite, rendered headless): intervals, winrate, counts, trajectory, stability, history, whatif, backtest');
  for (const kind of BOARD_PLOT_KINDS) {
    const cmd = plot.command(kind).description(BOARD_DESCRIPTIONS[kind]).argument('<battles...>', BATTLES_ARGUMENT);
    addBattleOptions(cmd);
    addPlotOutput(cmd, DEFAULT_PLOT_TOP[kind]).action(async (files: string[], o: Record<string, unknown>) => {
      const opts = battleOptionsFrom(io, o);
      const { modelOptions, intervals } = opts;
      if (kind === 'intervals' && intervals.ciMethod === 'none') throw new UsageError('plot intervals draws intervals: use --ci-method sandwich (likelihood models) or --bootstrap N');
      const rated = await rateInput(io, files, o, opts);
      const spec = boardPlotSpec(kind, rated.point, ratingIntervals(rated), { top: o.top as number, ties: modelOptions.ties === 'ignore' ? 'ignore' : 'half', subtitle: provenance(files, rated.point.battles, modelOptions) });
      await emitPlot(io, spec, o, [...rated.point.warnings, ...rated.warnings]);
    });
  }
  for (const [kind, about] of [
    ['trajectory', 'rating and interval of the top models over time (a replay in time order, as arena stability)'],
    ['stability', 'the stability replay drawn: rating bands and positions of the top models over time, with the checkpoint where each position settled (anytime-valid) marked'],
  ] as const) {
    const cmd = plot.command(kind).description(about).argument('<battles...>', BATTLES_ARGUMENT);
    addBattleOptions(cmd, 'tstamp');
    addCheckpointOptions(cmd);
    addPlotOutput(cmd, 10)
      .addOption(new Option('--x <axis>', 'horizontal axis (default: time with --by hour|day, else battles)').choices(['battles', 'time']))
      .action(async (files: string[], o: Record<string, unknown>) => {
        const { modelOptions, intervals, progress } = battleOptionsFrom(io, o);
        progress.stop();
        checkCheckpointOptions(o);
        const t = await loadInput(io, files, o);
        checkAnchor(t, modelOptions);
        const { spec, warnings } = trajectorySpec(kind, io, t, files, modelOptions, intervals, o, o.top as number);
        await emitPlot(io, spec, o, warnings);
      });
  }
  const history = plot
    .command('history')
    .description("published snapshots of LMArena's boards: each --model's rating band and rank over time (as arena history)")
    .argument('<boards...>', BOARDS_ARGUMENT);
  addHistoryOptions(history);
  addPlotOutput(history, null).action(async (files: string[], o: Record<string, unknown>) => {
    const r = runHistory(files, o);
    const first = r.boards[0]!;
    const last = r.boards[r.boards.length - 1]!;
    const span = first.date && last.date ? `${first.date} to ${last.date}` : `${r.boards.length} files`;
    const spec = historyPlotSpec(r.histories, { level: first.level, category: r.category, subtitle: `LMArena published boards (${sourceNames([first.file])[0]!.split('/')[0]}), ${span}; a gap = not on that snapshot under this name` });
    await emitPlot(io, spec, o, r.warnings);
  });
  const bt = plot
    .command('backtest')
    .description('a backtest drawn (as arena backtest): --view calibration (reliability diagram), time (a score per time segment), trace (the first --trace model\'s rating under each system, beside --truth)')
    .argument('<battles...>', BATTLES_ARGUMENT);
  addBacktestOptions(bt);
  addPlotOutput(bt, null)
    .addOption(new Option('--view <view>', 'what to draw').choices(['calibration', 'time', 'trace']).default('calibration'))
    .addOption(new Option('--metric <metric>', 'the score of --view time').choices(Object.keys(BACKTEST_METRICS)).default('logLoss'))
    .action(async (files: string[], o: Record<string, unknown>) => {
      if (o.view === 'trace' && !((o.trace as string[] | undefined) ?? []).length) throw new UsageError('--view trace draws a model\'s rating over time: name it with --trace MODEL');
      const run = await runBacktestCommand(io, files, o);
      const subtitle = `${sourceNames(files).join(', ')} · ${fmt(run.result.battles, 0)} battles · ties ${run.params.ties as string} in the updates`;
      const spec =
        o.view === 'calibration'
          ? calibrationPlotSpec(run.result, subtitle)
          : o.view === 'time'
            ? metricTimePlotSpec(run.result, o.metric as keyof Scores, subtitle)
            : tracePlotSpec(run.result, 0, run.table.models[run.trace[0]!]!, run.truth ? truthTrace(run, run.trace[0]!) : null, subtitle);
      await emitPlot(io, spec, o, run.warnings);
    });
  const whatif = plot
    .command('whatif')
    .description('baseline vs scenario ranks and ratings of a what-if scenario (as arena whatif)')
    .argument('[battles...]', 'baseline battle files (default: simulated from the scenario)');
  addWhatIfOptions(whatif);
  addPlotOutput(whatif, 15).action(async (files: string[], o: Record<string, unknown>, self: Command) => {
    const { scenario: s, file, prepared, result } = await runWhatIfCommand(io, files, o, self);
    const spec = whatifPlotSpec(whatifRankRows(result, o.top as number), { subtitle: `${basename(file)}: ${prepared.description}; ${s.replications} replications, seed ${String(s.seed)}` });
    await emitPlot(io, spec, o, [...prepared.warnings, ...result.warnings]);
  });
}
