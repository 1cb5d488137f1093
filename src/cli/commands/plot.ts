import { basename, dirname, resolve } from 'node:path';
import { Argument, type Command, Option } from 'commander';
import { type InputFormat } from '../../data/parse.js';
import { UsageError } from '../../errors.js';
import { BOARD_PLOT_KINDS, type BoardPlotKind, boardPlotSpec, DEFAULT_PLOT_TOP } from '../../plot/board.js';
import type { PlotSpec } from '../../plot/render.js';
import { fitRatings, type PointFit, type RateOptions } from '../../rating/rate.js';
import { fmt, formatJson } from '../../report/format.js';
import { type IntervalProvider, type RatingIntervals, sandwichProvider } from '../../report/uncertainty.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { level, positiveInt } from '../options.js';
import { addInputOptions, addRatingOptions, loadInput, rateOptionsFrom } from './rate.js';

/** Interval methods available to plots and reports, by `--ci-method` name. */
const PROVIDERS: ReadonlyMap<string, IntervalProvider> = new Map([['sandwich', sandwichProvider]]);

/** Adds `--ci` and `--ci-method` (the intervals drawn by plots and reports). */
export function addIntervalOptions(cmd: Command): Command {
  return cmd
    .option('--ci <level>', 'interval level', level, 0.95)
    .addOption(new Option('--ci-method <method>', 'how intervals are computed: sandwich = Huber–White closed form (Bradley–Terry only)').choices([...PROVIDERS.keys()]).default('sandwich'));
}

/**
 * Intervals for a fit, from the provider named by `--ci-method`.
 * @throws UsageError when the method does not apply to the rating method
 */
export async function intervalsFor(point: PointFit, opts: RateOptions, o: Record<string, unknown>): Promise<RatingIntervals> {
  const provider = PROVIDERS.get(o.ciMethod as string)!;
  if (provider.method === 'sandwich' && opts.method !== 'bt') {
    throw new UsageError('--ci-method sandwich needs --method bt (online Elo has no likelihood, so no sandwich interval)');
  }
  return provider.intervals(point, o.ci as number, opts);
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

/** Registers `arena plot`. */
export function registerPlot(program: Command, io: CliIO): void {
  const cmd = program
    .command('plot')
    .description('draw a plot of rated battles as SVG (Vega-Lite, rendered headless): intervals, winrate (predicted vs observed), counts (battles per pair)')
    .addArgument(new Argument('<kind>', 'plot kind').choices([...BOARD_PLOT_KINDS]))
    .argument('<battles...>', 'battle files (.jsonl, .ndjson, .json, .csv) or - for stdin');
  addRatingOptions(cmd);
  addInputOptions(cmd);
  addIntervalOptions(cmd);
  cmd
    .option('--top <n>', `models shown, the top n by rating (default: ${Object.entries(DEFAULT_PLOT_TOP).map(([k, v]) => `${v} for ${k}`).join(', ')})`, positiveInt)
    .addOption(new Option('--format <format>', 'svg, or the Vega-Lite spec as JSON (to restyle it in Vega tools)').choices(['svg', 'vega-lite']).default('svg'))
    .option('--out <file>', 'write the plot to this file (atomically) instead of stdout')
    .action(async (kind: BoardPlotKind, files: string[], o: Record<string, unknown>) => {
      const opts = rateOptionsFrom(o);
      if (opts.ties !== 'half' && opts.ties !== 'ignore') throw new UsageError('--ties davidson|rao-kupper is not drawn yet: use --ties half or ignore');
      const t = await loadInput(io, files, o as { inputFormat?: InputFormat; sort?: string });
      const point = fitRatings(t, opts);
      const iv = kind === 'intervals' ? await intervalsFor(point, opts, o) : null;
      const spec: PlotSpec = boardPlotSpec(kind, point, iv, {
        top: (o.top as number | undefined) ?? DEFAULT_PLOT_TOP[kind],
        ties: opts.ties,
        scale: opts,
        subtitle: provenance(files, t.battles, opts),
      });
      // Vega loads on demand, so commands that draw nothing do not pay for it at start-up
      const text = o.format === 'vega-lite' ? formatJson(spec) : `${await (await import('../../plot/render.js')).renderSvg(spec)}\n`;
      emit(io, text, o.out as string | undefined);
      printWarnings(io, point.warnings);
    });
}
