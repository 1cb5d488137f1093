/**
 * `arena history <board files…> --model NAME`: a model's published rating, interval and rank across snapshots of
 * LMArena's published boards, and the turnover of the top of the board; `arena plot history` draws it.
 */
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { parsePublishedBoards, type PublishedBoard } from '../../data/board.js';
import { readJsonFile } from '../../data/ratings.js';
import { InputError, UsageError } from '../../errors.js';
import { formatJson, visibleText } from '../../formats/format.js';
import { formatHistoryCsv, formatHistoryTable } from '../../formats/history.js';
import { boardTurnover, type ModelHistory, modelHistory, orderSnapshots, type TurnoverStep } from '../../leaderboard/history.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { positiveInt } from '../options.js';

/** Help text of the board-files argument. */
export const BOARDS_ARGUMENT = 'published board files (LMArena arena-catalog JSON: { category: { model: { rating, rating_q025, rating_q975 } } }), one per snapshot';

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** The options shared by `history` and `plot history`: `--model` (repeatable), `--category`. */
export function addHistoryOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--model <name>', 'model to follow (exact name; repeatable)', collect)
    .option('--category <name>', 'the category board (full = overall)', 'full')
    .option('--quiet', 'nothing on stderr but warnings (as every command; history prints no progress)');
}

/** What `history` computes: the snapshots in time order, each model's history, and warnings. */
export interface HistoryRun {
  readonly boards: readonly PublishedBoard[];
  readonly histories: readonly ModelHistory[];
  readonly category: string;
  readonly warnings: readonly string[];
}

/**
 * Reads the board files (the category from each; a file without it is left out with a warning, unless no file
 * has it), orders them by date and follows each `--model`. O(total file size + s · m log m).
 * @throws InputError for a malformed file or a category no file has; UsageError for a model on no snapshot
 */
export function runHistory(files: readonly string[], o: Record<string, unknown>): HistoryRun {
  const category = o.category as string;
  const warnings: string[] = [];
  const read: PublishedBoard[] = [];
  let missing: { all: Map<string, PublishedBoard>; file: string } | null = null;
  for (const file of files) {
    const all = parsePublishedBoards(readJsonFile(file), file);
    const b = all.get(category);
    if (b) read.push(b);
    else {
      missing ??= { all, file };
      warnings.push(`${visibleText(basename(file))} has no ${visibleText(JSON.stringify(category))} board: left out`);
    }
  }
  if (read.length === 0) {
    const cats = [...missing!.all.keys()].sort();
    throw new InputError(`unknown category ${visibleText(JSON.stringify(category))} (none of the ${files.length} files has it; this one has ${cats.length}: ${cats.map((c) => visibleText(JSON.stringify(c))).join(', ')})`, { file: missing!.file });
  }
  if (!read.every((b) => b.date !== null)) warnings.push('not every file name holds a date (YYYY-MM-DD): snapshots are kept in the order given');
  const boards = orderSnapshots(read);
  const models = o.model as string[];
  const histories = models.map((name) => {
    const h = modelHistory(boards, name);
    if (h.present === 0) {
      const lower = name.toLowerCase();
      const all = [...new Set(boards.flatMap((b) => b.models))];
      const near = all.filter((x) => x.toLowerCase().includes(lower) || lower.includes(x.toLowerCase())).slice(0, 5);
      throw new UsageError(
        `--model: ${visibleText(JSON.stringify(name))} is on none of the ${boards.length} ${visibleText(category)} boards${near.length ? `; similar names: ${near.map((x) => visibleText(JSON.stringify(x))).join(', ')}` : ''}`,
      );
    }
    return h;
  });
  return { boards, histories, category, warnings };
}

/** The JSON of `arena history`. */
export function historyJson(r: HistoryRun, turnover: readonly TurnoverStep[], params: Record<string, unknown>): string {
  const num = (x: number) => (Number.isNaN(x) ? null : x);
  return formatJson({
    params,
    snapshots: r.boards.map((b) => ({ file: b.file, date: b.date, models: b.models.length })),
    models: r.histories.map((h) => ({
      model: h.model,
      present: h.present,
      points: h.points.map((p) => ({ ...p, rating: num(p.rating), lower: num(p.lower), upper: num(p.upper), position: p.present ? p.position : null, rank: p.present ? p.rank : null })),
    })),
    turnover,
    warnings: r.warnings,
  });
}

/** Registers `arena history`. */
export function registerHistory(program: Command, io: CliIO): void {
  const cmd = program
    .command('history')
    .description("a model's published rating, interval and rank across snapshots of LMArena's boards, and the turnover of the board's top")
    .argument('<boards...>', BOARDS_ARGUMENT);
  addHistoryOptions(cmd)
    .option('--top <n>', 'turnover: how many top models (by rating) to compare between consecutive snapshots', positiveInt, 10)
    .addOption(new Option('--format <format>', 'output format (csv: the history rows only)').choices(['table', 'json', 'csv']).default('table'))
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action((files: string[], o: Record<string, unknown>) => {
      const r = runHistory(files, o);
      const turnover = boardTurnover(r.boards, o.top as number);
      const params = { category: r.category, models: o.model, top: o.top, level: r.boards[0]!.level };
      const text =
        o.format === 'json' ? historyJson(r, turnover, params) : o.format === 'csv' ? formatHistoryCsv(r.histories) : formatHistoryTable(r.histories, turnover, { category: r.category, level: r.boards[0]!.level });
      emit(io, text, o.out as string | undefined);
      printWarnings(io, r.warnings);
    });
}
