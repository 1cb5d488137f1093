import { UsageError } from '../../errors.js';
import { type Command, Option } from 'commander';
import type { InputFormat } from '../../data/parse.js';
import { fitRatings, rateParams } from '../../rating/rate.js';
import { formatCsvRows, formatJson, textTable } from '../../report/format.js';
import { orderByRating } from '../../report/leaderboard.js';
import { winMatrix } from '../../stats/win-matrix.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { positiveInt } from '../options.js';
import { addInputOptions, addRatingOptions, loadInput, rateOptionsFrom } from './rate.js';

const cell = (x: number) => (Number.isNaN(x) ? null : x);

/** Registers `arena matrix`. */
export function registerMatrix(program: Command, io: CliIO): void {
  const cmd = program
    .command('matrix')
    .description('predicted P(row beats column) from the fitted ratings, beside observed win rates and battle counts')
    .argument('<battles...>', 'battle files (.jsonl, .ndjson, .json, .csv) or - for stdin');
  addRatingOptions(cmd);
  addInputOptions(cmd);
  cmd
    .addOption(new Option('--format <format>', 'json (three matrices), csv (one line per ordered pair) or table (predicted %, top models)').choices(['table', 'json', 'csv']).default('table'))
    .option('--top <n>', 'only the n highest-rated models (default: all; table: 12)', positiveInt)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const rate = rateOptionsFrom(o);
      if (rate.ties !== 'half' && rate.ties !== 'ignore') throw new UsageError('matrix: --ties must be half or ignore (tie-model win probabilities are not drawn yet)');
      const t = await loadInput(io, files, o as { inputFormat?: InputFormat; sort?: string });
      const point = fitRatings(t, rate);
      const top = (o.top as number | undefined) ?? (o.format === 'table' ? 12 : t.models.length);
      const order = orderByRating(point.models, point.ratings).slice(0, top);
      const w = winMatrix(point.pairs, point.ratings, order, rate.ties, rate);
      const k = order.length;
      const names = order.map((v) => point.models[v]!);
      const rowsOf = (mat: Float64Array) => names.map((_, r) => Array.from(mat.subarray(r * k, (r + 1) * k), cell));
      let text: string;
      if (o.format === 'json') {
        text = formatJson({
          method: rate.method,
          params: { ...rateParams(rate), top: o.top ?? null, sort: o.sort },
          battles: t.battles,
          models: order.map((v) => ({ model: point.models[v]!, rating: point.ratings[v]! })),
          predicted: rowsOf(w.predicted),
          observed: rowsOf(w.observed),
          matchups: rowsOf(w.battles),
          warnings: point.warnings,
        });
      } else if (o.format === 'csv') {
        const lines: unknown[][] = [];
        for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) if (r !== c) lines.push([names[r], names[c], w.predicted[r * k + c], cell(w.observed[r * k + c]!), w.battles[r * k + c]]);
        text = formatCsvRows(['model', 'opponent', 'predicted', 'observed', 'battles'], lines);
      } else {
        const header = ['P(row beats col) %', ...names.map((_, c) => String(c + 1))];
        const body = names.map((name, r) => [`${r + 1}. ${name}`, ...names.map((_, c) => (r === c ? '—' : (100 * w.predicted[r * k + c]!).toFixed(0)))]);
        text = textTable(header, body, ['l', ...names.map(() => 'r' as const)]);
      }
      emit(io, text, o.out as string | undefined);
      printWarnings(io, point.warnings);
    });
}
