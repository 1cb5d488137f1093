import { UsageError } from '../../errors.js';
import type { Command } from 'commander';
import { type InputFormat } from '../../data/parse.js';
import { fitRatings, rateParams } from '../../rating/rate.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { positiveInt, seedArg } from '../options.js';
import { VERSION } from '../program.js';
import { addIntervalOptions, checkIntervalOptions, intervalsFor, sourceNames } from './plot.js';
import { addInputOptions, addRatingOptions, loadInput, rateOptionsFrom } from './rate.js';

/** Quotes a command-line word for a POSIX shell when needed (for the "made with" line of the report). */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The command line equivalent to this run: the files, then every option given explicitly (not defaults). */
function commandLine(cmd: Command, files: readonly string[]): string {
  const words = ['arena', cmd.name(), ...files];
  const values = cmd.opts();
  for (const opt of cmd.options) {
    const key = opt.attributeName();
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    words.push(opt.long ?? opt.flags);
    if (opt.required || opt.optional) words.push(String(values[key]));
  }
  return words.map(shellWord).join(' ');
}

/** Registers `arena report`. */
export function registerReport(program: Command, io: CliIO): void {
  const cmd = program
    .command('report')
    .description('write one self-contained HTML page: leaderboard with rank and rating intervals, interval plot, win-rate and battle-count heatmaps, warnings, parameters')
    .argument('<battles...>', 'battle files (.jsonl, .ndjson, .json, .csv) or - for stdin');
  addRatingOptions(cmd);
  addInputOptions(cmd);
  addIntervalOptions(cmd);
  cmd
    .option('--seed <n>', 'random seed (recorded; used by --ci-method bootstrap)', seedArg, 42)
    .option('--top <n>', 'models in the interval plot (top n by rating)', positiveInt, 30)
    .option('--heatmap-top <n>', 'models in the heatmaps (top n by rating)', positiveInt, 15)
    .option('--title <text>', 'page title (default: "arena report: " and the input names)')
    .option('--out <file>', 'write the page to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const opts = rateOptionsFrom(o);
      if (opts.ties !== 'half' && opts.ties !== 'ignore') throw new UsageError('--ties davidson|rao-kupper is not drawn yet: use --ties half or ignore');
      checkIntervalOptions(opts, o);
      const t = await loadInput(io, files, o as { inputFormat?: InputFormat; sort?: string });
      const point = fitRatings(t, opts);
      const iv = await intervalsFor(io, t, point, opts, o);
      const sources = sourceNames(files);
      const { renderReport } = await import('../../report/html.js'); // Vega loads on demand
      const html = await renderReport(point, t.battles, iv, {
        title: (o.title as string | undefined) ?? `arena report: ${sources.join(', ')}`,
        sources,
        rate: opts,
        params: { ...rateParams(opts), ...(o.ciMethod === 'bootstrap' ? { bootstrap: o.bootstrap } : {}), sort: o.sort, seed: o.seed },
        top: o.top as number,
        heatmapTop: o.heatmapTop as number,
        command: commandLine(cmd, files),
        generator: `arena ${VERSION}`,
      });
      emit(io, html, o.out as string | undefined);
      printWarnings(io, [...point.warnings, ...(iv.warnings ?? [])]);
    });
}
