import { type Command, Option } from 'commander';
import { aggregatePairs } from '../../data/aggregate.js';
import { cellsSql } from '../../data/cells-sql.js';
import { checkCovariateNames, parseCovariateSpec } from '../../data/covariates.js';
import { covariateFitSql } from '../../data/step-sql.js';
import { STYLE_FEATURES } from '../../data/style-fields.js';
import { STYLE_FORMS } from '../../rating/style.js';
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
    .option(
      '--covariate <spec>',
      'with --emit-sql: a numeric covariate column, NAME=COLUMN or COLUMN (repeatable; plain lower-case names, members of STRUCT/ROW columns by dots): print the constants pass and the Newton-step query of the covariate fit (as arena rate --covariate) instead of the cells query (docs/reference.md, Covariates in SQL)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--style-control', 'with --emit-sql: the step query with the four style features of conv_metadata first (as arena rate --style-control)', false)
    .addOption(new Option('--style-form <form>', 'with --emit-sql and --style-control: the style features\' form, as arena rate').choices([...STYLE_FORMS]).default('lmarena'))
    .addOption(new Option('--ties <policy>', 'with --emit-sql and covariates: ties as half a win each side, or left out of the likelihood (as arena rate)').choices(['half', 'ignore']).default('half'))
    .addOption(new Option('--both-bad <policy>', 'with --emit-sql and covariates: both-bad ties as ties, or dropped (as arena rate)').choices(['tie', 'ignore']).default('tie'))
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const covariates = ((o.covariate as string[] | undefined) ?? []).map(parseCovariateSpec);
      const stepped = covariates.length > 0 || o.styleControl === true;
      if (!o.emitSql && stepped) throw new UsageError('--covariate and --style-control belong to --emit-sql here (the step query of a covariate fit); arena rate fits them');
      if (o.emitSql) {
        if (files.length) throw new UsageError('--emit-sql prints a query and reads no battles: leave out the battle files');
        if (o.filter !== undefined) throw new UsageError('--emit-sql takes the condition in your engine\'s SQL: --where (arena\'s --filter language is read by arena, not by the engine)');
        if (o.engine !== undefined) throw new UsageError('--emit-sql prints a query for any engine: leave out --engine');
        if (o.cells) throw new UsageError('--emit-sql reads a battles table (--table), not cells: leave out --cells');
        if (cmd.getOptionValueSource('styleForm') === 'cli' && !o.styleControl) throw new UsageError('--style-form chooses the features of --style-control: give --style-control too');
        const where = (o.where as string | undefined) ?? null;
        const cols = o.columns as string[];
        if (stepped) {
          if ((o.keep as string[]).length) throw new UsageError('--keep makes the cells query; --covariate and --style-control the step query: give one or the other');
          checkCovariateNames(covariates, o.styleControl ? STYLE_FEATURES : []);
          const text = covariateFitSql({
            from: o.table as string,
            count: cols.includes('count'),
            weight: cols.includes('weight'),
            covariates,
            style: o.styleControl ? (o.styleForm as 'lmarena' | 'fastchat-2024') : null,
            ties: o.ties as 'half' | 'ignore',
            bothBad: o.bothBad as 'tie' | 'ignore',
            where,
          });
          emit(io, text, o.out as string | undefined);
          return;
        }
        emit(io, cellsSql({ from: o.table as string, count: cols.includes('count'), weight: cols.includes('weight'), keep: o.keep as string[], where }) + '\n', o.out as string | undefined);
        return;
      }
      if (files.length === 0) throw new UsageError('give the battle files to aggregate (or --emit-sql for the query)');
      if ((o.columns as string[]).length) throw new UsageError('--columns describes the table of --emit-sql; the columns of battle files are read from them');
      if ((o.keep as string[]).length) throw new UsageError('--keep belongs to --emit-sql (cells of battle files keep no other column)');
      if (o.ties !== 'half' || o.bothBad !== 'tie') throw new UsageError('--ties and --both-bad belong to --emit-sql with covariates (cells keep every outcome)');
      const t = await loadInput(io, files, o, false);
      emit(io, formatCellsCsv(aggregatePairs(t)), o.out as string | undefined);
    });
}
