import { type Command, Option } from 'commander';
import { formatCsvRows, formatJson, textTable, visibleText } from '../../formats/format.js';
import { leaderboardOf } from '../../leaderboard/leaderboard.js';
import { expectedScoreOf } from '../../models/predict.js';
import { winMatrix } from '../../stats/win-matrix.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { addBattleOptions, BATTLES_ARGUMENT, battleOptionsFrom, intervalParams, modelParams, rateInput, inputParams } from '../option-groups.js';
import { positiveInt } from '../options.js';

const cell = (x: number) => (Number.isNaN(x) ? null : x);

/** Registers `arena matrix`. */
export function registerMatrix(program: Command, io: CliIO): void {
  const cmd = program
    .command('matrix')
    .description('predicted P(row beats column) from the fitted model, beside observed win rates and battle counts (json: the models\' ratings with intervals too)')
    .argument('<battles...>', BATTLES_ARGUMENT);
  addBattleOptions(cmd);
  cmd
    .addOption(new Option('--format <format>', 'json (three matrices), csv (one line per ordered pair) or table (predicted %, top models)').choices(['table', 'json', 'csv']).default('table'))
    .option('--top <n>', 'only the n highest-rated models (default: all; table: 12)', positiveInt)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const opts = battleOptionsFrom(io, o);
      const { modelOptions, intervals } = opts;
      const rated = await rateInput(io, files, o, opts);
      const point = rated.point;
      const lb = leaderboardOf(rated, { ...modelParams(modelOptions), ...intervalParams(intervals), top: o.top ?? null, ...inputParams(o) });
      const top = (o.top as number | undefined) ?? (o.format === 'table' ? 12 : point.models.length);
      const rows = lb.models.slice(0, top);
      const id = new Map(point.models.map((name, v) => [name, v]));
      const order = rows.map((r) => id.get(r.model)!);
      const w = winMatrix(point.pairs, (i, j) => expectedScoreOf(point, i, j), order, modelOptions.ties === 'ignore' ? 'ignore' : 'half');
      const k = order.length;
      const names = rows.map((r) => r.model);
      const rowsOf = (mat: Float64Array) => names.map((_, r) => Array.from(mat.subarray(r * k, (r + 1) * k), cell));
      let text: string;
      if (o.format === 'json') {
        text = formatJson({
          method: modelOptions.method,
          params: lb.params,
          battles: lb.battles,
          models: rows,
          predicted: rowsOf(w.predicted),
          observed: rowsOf(w.observed),
          matchups: rowsOf(w.battles),
          warnings: lb.warnings,
        });
      } else if (o.format === 'csv') {
        const lines: unknown[][] = [];
        for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) if (r !== c) lines.push([names[r], names[c], w.predicted[r * k + c], cell(w.observed[r * k + c]!), w.battles[r * k + c]]);
        text = formatCsvRows(['model', 'opponent', 'predicted', 'observed', 'battles'], lines);
      } else {
        const header = ['P(row beats col) %', ...names.map((_, c) => String(c + 1))];
        const body = names.map((name, r) => [`${r + 1}. ${visibleText(name)}`, ...names.map((_, c) => (r === c ? '—' : (100 * w.predicted[r * k + c]!).toFixed(0)))]);
        text = textTable(header, body, ['l', ...names.map(() => 'r' as const)]);
      }
      emit(io, text, o.out as string | undefined);
      printWarnings(io, lb.warnings);
    });
}
