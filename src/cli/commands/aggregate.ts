import type { Command } from 'commander';
import { aggregatePairs } from '../../data/aggregate.js';
import { cellsSql } from '../../data/cells-sql.js';
import { UsageError } from '../../errors.js';
import { formatCellsCsv } from '../../formats/cells.js';
import { type CliIO, emit } from '../io.js';
import { addInputOptions, BATTLES_ARGUMENT, loadInput } from '../option-groups.js';

/** The optional battle columns `--columns` names for `--emit-sql`. */
const SQL_COLUMNS = ['count', 'weight'] as const;

function columnsArg(v: string): string[] {
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const c of list) if (!(SQL_COLUMNS as readonly string[]).includes(c)) throw new UsageError(`--columns: unknown column ${JSON.stringify(c)} (optional battle columns: ${SQL_COLUMNS.join(', ')})`);
  return list;
}

const RESERVED = new Set(['model_a', 'model_b', 'winner', 'count', 'weight', 'weight2', 'n', 'w']);

function keepArg(v: string): string[] {
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const c of list) {
    if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new UsageError(`--keep: ${JSON.stringify(c)} is not a plain lower-case column name (the query quotes no identifier, so that it runs on every engine)`);
    if (RESERVED.has(c)) throw new UsageError(`--keep: ${c} is already a column of the cells`);
  }
  return list;
}

/** Registers `arena aggregate`: battles → cells (CSV), or the portable SQL that does it on another engine. */
export function registerAggregate(program: Command, io: CliIO): void {
  const cmd = program
    .command('aggregate')
    .description('fold battles into cells (model_a, model_b, winner, count[, weight, weight2]) as CSV for --cells, or print the SQL that does it on DuckDB, Spark SQL, Trino or BigQuery (--emit-sql)')
    .argument('[battles...]', BATTLES_ARGUMENT);
  addInputOptions(cmd);
  cmd
    .option('--emit-sql', 'print the SQL that turns the battles table (--table) into its cells table, for DuckDB, Spark SQL, Trino and BigQuery alike (docs/reference.md, Cells); reads no battles', false)
    .option('--columns <list>', `with --emit-sql: the optional columns the battles table has, comma-separated (${SQL_COLUMNS.join(', ')}); without count a row is one battle, without weight every battle weighs 1`, columnsArg, [])
    .option('--keep <columns>', 'with --emit-sql: battle columns kept in the cells as group keys, comma-separated plain lower-case names (covariates with few distinct values: rate --cells --covariate NAME then fits on the cells exactly)', keepArg, [])
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      if (o.emitSql) {
        if (files.length) throw new UsageError('--emit-sql prints a query and reads no battles: leave out the battle files');
        if (o.filter !== undefined) throw new UsageError('--emit-sql has no --filter: write the condition in the WHERE of your engine (or in a view given as --table)');
        const cols = o.columns as string[];
        emit(io, cellsSql({ from: o.table as string, count: cols.includes('count'), weight: cols.includes('weight'), keep: o.keep as string[] }) + '\n', o.out as string | undefined);
        return;
      }
      if (files.length === 0) throw new UsageError('give the battle files to aggregate (or --emit-sql for the query)');
      if ((o.columns as string[]).length) throw new UsageError('--columns describes the table of --emit-sql; the columns of battle files are read from them');
      if ((o.keep as string[]).length) throw new UsageError('--keep belongs to --emit-sql (cells of battle files keep no other column)');
      const t = await loadInput(io, files, o, false);
      emit(io, formatCellsCsv(aggregatePairs(t)), o.out as string | undefined);
    });
}
