import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { addBattleOptions, addDisplayOptions, addSimultaneousRanksOption, BATTLES_ARGUMENT, battleOptionsFrom, displayRulesFrom, intervalParams, modelParams, rateInput, inputParams } from '../option-groups.js';
import { positiveInt } from '../options.js';
import { sourceNames } from './plot.js';

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
    const v = values[key];
    // a repeatable option (--deprecated) is given once per value, as the user typed it
    for (const one of Array.isArray(v) ? v : [v]) {
      words.push(opt.long ?? opt.flags);
      if (opt.required || opt.optional) words.push(String(one));
    }
  }
  return words.map(shellWord).join(' ');
}

/** Registers `arena report`. */
export function registerReport(program: Command, io: CliIO): void {
  const cmd = program
    .command('report')
    .description('write one self-contained HTML page: leaderboard with rank and rating intervals, interval plot, win-rate and battle-count heatmaps, warnings, parameters')
    .argument('<battles...>', BATTLES_ARGUMENT);
  addBattleOptions(cmd);
  addDisplayOptions(cmd);
  addSimultaneousRanksOption(cmd);
  cmd
    .option('--top <n>', 'models in the interval plot (top n by rating)', positiveInt, 30)
    .option('--heatmap-top <n>', 'models in the heatmaps (top n by rating)', positiveInt, 15)
    .option('--title <text>', 'page title (default: "arena report: " and the input names)')
    .option('--out <file>', 'write the page to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const opts = battleOptionsFrom(io, o);
      const { modelOptions, intervals } = opts;
      if (intervals.ciMethod === 'none') throw new UsageError('the report draws intervals: use --ci-method sandwich (likelihood models) or --bootstrap N');
      const display = displayRulesFrom(o);
      const rated = await rateInput(io, files, o, opts);
      const sources = sourceNames(files);
      const { renderReport } = await import('../../report/html.js'); // Vega loads on demand
      let warnings: readonly string[] = [];
      const html = await renderReport(rated, {
        title: (o.title as string | undefined) ?? `arena report: ${sources.join(', ')}`,
        sources,
        params: { ...modelParams(modelOptions), ...intervalParams(intervals), ...inputParams(o) },
        top: o.top as number,
        heatmapTop: o.heatmapTop as number,
        ...(display.active ? { display } : {}),
        onWarnings: (w) => (warnings = w),
        command: commandLine(cmd, files),
        generator: `arena ${VERSION}`,
      });
      emit(io, html, o.out as string | undefined);
      printWarnings(io, warnings);
    });
}
