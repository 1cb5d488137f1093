import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError, UsageError } from '../errors.js';
import { cellsSql } from './cells-sql.js';
import type { CovariateSpec } from './covariates.js';
import { covariateConstantsSql, covariateStepSql, type PairStepSums, styleFeatureSql } from './step-sql.js';
import { STYLE_FIELDS_A, STYLE_FIELDS_B } from './style-fields.js';
import { checkWhereSql, filterErrorOf, filterToSql, filterTypeOfSql, parseSqlType, sqlIdentifier, sqlString } from './filter-sql.js';
import type { InputFormat } from './parse.js';
import { MAX_COUNT, WINNER_LABELS, OUTCOME_CODE } from './schema.js';
import { type BattleTable, BattleTableBuilder } from './table.js';

/**
 * The DuckDB engine (`--engine duckdb`): battles in any number of Parquet, CSV or JSON files, globs, or a table of
 * a DuckDB database are filtered (the `--filter` translated to SQL, `filter-sql.ts`) and folded into cells by one
 * GROUP BY inside DuckDB (`cells-sql.ts`); only the cells reach Node, as a {@link BattleTable} whose rows are
 * cells (a row of `count` battles with their mean weight and Σw²). Every model that works on pair cells
 * (Bradley–Terry, its tie models, weights, the sandwich and the multinomial bootstrap) gives the same result as
 * on the battles read row by row; online Elo (battle order) and covariates (battle rows) need the node readers.
 *
 * `@duckdb/node-api` is an optional peer dependency (not installed with arena-sim), loaded only here and only when
 * this engine runs.
 */

/** The npm package of the DuckDB engine. */
export const DUCKDB_PACKAGE = '@duckdb/node-api';

/** Whether a source is a glob pattern (`*`, `?` or `[`): such sources need the DuckDB engine. */
export function isGlob(source: string): boolean {
  return /[*?[]/.test(source);
}

/** Whether a source is a DuckDB database file (`.duckdb`, `.ddb`, `.db`). */
export function isDatabase(source: string): boolean {
  return /\.(duckdb|ddb|db)$/i.test(source);
}

type DuckDBModule = typeof import('@duckdb/node-api');

/**
 * Loads the DuckDB package and returns its module. `specifier` is for tests (a package that is not installed). Typed
 * `object` in the published declarations so that they name no type of the optional package: a program compiled
 * against arena-sim without it installed type-checks (cast to `typeof import('@duckdb/node-api')` to use it).
 * @throws InputError with the install command when the package is not installed
 */
export async function loadDuckDB(specifier: string = DUCKDB_PACKAGE): Promise<object> {
  return importDuckDB(specifier);
}

async function importDuckDB(specifier: string): Promise<DuckDBModule> {
  try {
    return (await import(specifier)) as DuckDBModule;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new InputError(`--engine duckdb needs the optional package ${specifier}, which is not installed: run npm install ${specifier} (or use --engine node)`);
    }
    throw new InputError(`cannot load ${specifier} (${(e as Error).message.split('\n')[0]}): reinstall it with npm install ${specifier}, or use --engine node`);
  }
}

/** Options of {@link readCellsWithDuckDB}. */
export interface DuckDBReadOptions {
  /** Format of every source (default: from the extension of the first; a database by `.duckdb`/`.ddb`/`.db`). */
  readonly inputFormat?: InputFormat | 'duckdb' | undefined;
  /** A `--filter` expression (translated to SQL; see `filter-sql.ts` for the subset). */
  readonly filter?: string | null | undefined;
  /** A `--where` condition in DuckDB's SQL on the battles' columns, used as given (with `filter`: both must hold). */
  readonly where?: string | null | undefined;
  /** The battles table in a database source [battles]; `schema.table` is accepted. */
  readonly table?: string | undefined;
  /** DuckDB's worker threads (default: DuckDB's, one per core). */
  readonly threads?: number | undefined;
  /** The package to load (tests). */
  readonly specifier?: string | undefined;
}

/** The format of DuckDB sources: all from the first source's extension, or `inputFormat`. */
function formatOfSources(sources: readonly string[], given: DuckDBReadOptions['inputFormat']): InputFormat | 'duckdb' {
  if (given) return given;
  const first = sources[0]!;
  if (isDatabase(first)) return 'duckdb';
  const lower = first.toLowerCase();
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  throw new InputError('cannot tell the format from the extension (use .parquet, .csv, .jsonl, .ndjson, .json, .duckdb, or --input-format)', { file: first });
}

/** The FROM item reading the sources, and the statements to run before it (ATTACH). */
function scanOf(sources: readonly string[], format: InputFormat | 'duckdb', table: string): { from: string; setup: string[] } {
  if (format === 'duckdb') {
    if (sources.length !== 1 || isGlob(sources[0]!)) throw new UsageError('a DuckDB database is read alone: give one database file (and --table for its battles table)');
    const name = table.split('.').map(sqlIdentifier).join('.');
    return { from: `arena_source.${name}`, setup: [`ATTACH ${sqlString(sources[0]!)} AS arena_source (READ_ONLY)`] };
  }
  const list = `[${sources.map(sqlString).join(', ')}]`;
  switch (format) {
    case 'parquet':
      return { from: `read_parquet(${list}, union_by_name = true)`, setup: [] };
    case 'csv':
      return { from: `read_csv(${list}, header = true, union_by_name = true)`, setup: [] };
    case 'jsonl':
      return { from: `read_json(${list}, format = 'newline_delimited', union_by_name = true)`, setup: [] };
    default:
      return { from: `read_json(${list}, format = 'array', union_by_name = true)`, setup: [] };
  }
}

/** One line of a DuckDB error (its first), for a message. */
function firstLine(e: unknown): string {
  return ((e as Error).message ?? String(e)).split('\n')[0]!.trim();
}

/**
 * Reads battles with DuckDB and returns their cells as a {@link BattleTable}: one row per (model_a, model_b,
 * winner) in seat order with `count` = the battles, and for weighted input `weight` = their mean weight and
 * `weight2` = Σw². Rows are checked as the node readers check them (non-empty distinct names, known winner labels,
 * integer counts ≥ 1, weights finite and > 0), per cell rather than per row, so a message names the field and the
 * value but no line. Memory: O(cells), whatever the number of battles.
 *
 * @throws InputError `files: field: reason` for bad input, a missing package, or DuckDB's own read error
 * @throws UsageError for a filter that does not translate to SQL
 */
export async function readCellsWithDuckDB(sources: readonly string[], o: DuckDBReadOptions = {}): Promise<BattleTable> {
  const src = await openSource(sources, o);
  src.close();
  return src.cells;
}

/** An open DuckDB connection on the sources, with their checked cells already read (see {@link openSource}). */
interface OpenSource {
  readonly cells: BattleTable;
  /** The FROM item of the battles, the translated filter, the columns (name → DuckDB type) and the files' names. */
  readonly from: string;
  readonly where: string | null;
  readonly columns: ReadonlyMap<string, string>;
  readonly file: string;
  readonly counted: boolean;
  readonly weighted: boolean;
  /** Runs one statement; DuckDB's errors become InputErrors naming the files (and a filter's field). */
  run(sql: string): Promise<DuckDBMaterializedResult>;
  readonly conn: DuckDBConnection;
  close(): void;
}

type DuckDBMaterializedResult = Awaited<ReturnType<DuckDBConnection['runAndReadAll']>>;

/**
 * Opens DuckDB on the sources and reads their checked cells ({@link readCellsWithDuckDB}), leaving the connection
 * open for further queries on the same battles (the covariate steps). The caller closes it.
 */
async function openSource(sources: readonly string[], o: DuckDBReadOptions): Promise<OpenSource> {
  if (sources.length === 0) throw new InputError('no battle files given');
  if (sources.includes('-')) throw new UsageError('--engine duckdb reads files, globs or a database, not stdin (-): use --engine node');
  const file = sources.join(', ');
  const format = formatOfSources(sources, o.inputFormat);
  const duckdb = await importDuckDB(o.specifier ?? DUCKDB_PACKAGE);
  const instance = await duckdb.DuckDBInstance.create(':memory:', o.threads ? { threads: String(o.threads) } : {});
  let conn: DuckDBConnection | undefined;
  const close = () => {
    conn?.closeSync();
    instance.closeSync();
  };
  try {
    conn = await instance.connect();
    const { from, setup } = scanOf(sources, format, o.table ?? 'battles');
    const run = async (sql: string) => {
      try {
        return await conn!.runAndReadAll(sql);
      } catch (e) {
        const f = filterErrorOf((e as Error).message ?? '');
        if (f) throw new InputError(f.reason, { file, field: f.field });
        // a value the --where condition cannot convert (a CAST, a comparison of a string with a number) fails only as
        // rows are read: name the condition
        if (o.where && /^(Conversion|Invalid Input) Error/.test(firstLine(e))) throw new UsageError(`--where: DuckDB cannot evaluate ${JSON.stringify(o.where)} on the input (${firstLine(e)})`);
        throw new InputError(`DuckDB cannot read the input (${firstLine(e)})`, { file });
      }
    };
    for (const s of setup) await run(s);
    const described = await run(`DESCRIBE SELECT * FROM ${from}`);
    const columns = new Map<string, string>();
    for (const row of described.getRowObjectsJS()) columns.set(String(row.column_name), String(row.column_type));
    for (const need of ['model_a', 'model_b', 'winner']) {
      const type = columns.get(need);
      if (type === undefined) throw new InputError(`the input has no ${need} column (columns found: ${[...columns.keys()].join(', ')})`, { file, field: need });
      if (type !== 'VARCHAR') throw new InputError(`must be a string, but the column has type ${type}`, { file, field: need });
    }
    const countType = columns.get('count');
    if (countType !== undefined && !/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(countType)) throw new InputError(`must be an integer, but the column has type ${countType}`, { file, field: 'count' });
    const weightType = columns.get('weight');
    if (weightType !== undefined && filterTypeOfSql(weightType) !== 'number') throw new InputError(`must be a finite number > 0, but the column has type ${weightType}`, { file, field: 'weight' });
    if (o.where) {
      // a condition DuckDB rejects is the user's SQL, not the input: a usage error quoting DuckDB's reason
      checkWhereSql(o.where);
      let type: string;
      try {
        type = String((await conn.runAndReadAll(`DESCRIBE SELECT (${o.where}) AS arena_where FROM ${from}`)).getRowObjectsJS()[0]!.column_type);
      } catch (e) {
        throw new UsageError(`--where: DuckDB rejects the condition ${JSON.stringify(o.where)} (${firstLine(e)})`);
      }
      if (type !== 'BOOLEAN') throw new UsageError(`--where: ${JSON.stringify(o.where)} is not a condition: DuckDB reads it as ${type}, not BOOLEAN (e.g. "anony AND language = 'English'")`);
    }
    const translated = o.filter ? filterToSql(o.filter, columns, file) : null;
    const where = [translated, o.where ? `(${o.where})` : null].filter((c): c is string => c !== null).join(' AND ') || null;
    const weighted = weightType !== undefined;
    // the cells stay inside DuckDB (one scan of the battles); only a bad cell, the names and the cells as numbers
    // come out, so Node holds no string per cell
    const counted = countType !== undefined;
    await run(`CREATE TEMP TABLE arena_cells AS ${cellsSql({ from, count: counted, weight: weighted, where, checks: true })}`);
    const labels = [...WINNER_LABELS.keys()].map(sqlString).join(', ');
    const badCell = await run(
      `SELECT * FROM arena_cells WHERE model_a IS NULL OR model_b IS NULL OR model_a = '' OR model_b = '' OR model_a = model_b OR winner IS NULL OR winner NOT IN (${labels})${counted ? ' OR null_counts > 0 OR min_count < 1' : ''}${weighted ? ' OR NOT (min_weight > 0) OR NOT isfinite(max_weight)' : ''} LIMIT 1`,
    );
    for (const r of badCell.getRowObjectsJS()) checkCell(r, counted, weighted, file);
    const stats = (await run(`SELECT COUNT(*) AS cells${weighted ? ', MIN(min_weight) AS lo, MAX(max_weight) AS hi' : ''} FROM arena_cells`)).getRowObjectsJS()[0]!;
    if (num(stats.cells) === 0) {
      const by = [o.filter ? `the filter: ${o.filter}` : null, o.where ? `--where: ${o.where}` : null].filter((c) => c !== null).join(' and ');
      throw new InputError(by ? `no battles pass ${by}` : 'no battles (empty input)', { file });
    }
    const names = (await run('SELECT model_a AS name FROM arena_cells UNION SELECT model_b FROM arena_cells')).getColumnsJS()[0] as string[];
    names.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)); // code-unit order, as the node readers' table
    await run('CREATE TEMP TABLE arena_models (name VARCHAR, id INTEGER)');
    const appender = await conn.createAppender('arena_models');
    names.forEach((name, id) => {
      appender.appendVarchar(name);
      appender.appendInteger(id);
      appender.endRow();
    });
    appender.closeSync();
    const outcome = [...WINNER_LABELS].map(([label, out]) => `WHEN ${sqlString(label)} THEN ${OUTCOME_CODE[out]}`).join(' ');
    const cells = (
      await run(
        `SELECT ma.id AS a, mb.id AS b, CASE winner ${outcome} END AS o, count${weighted ? ', weight, weight2' : ''} FROM arena_cells JOIN arena_models ma ON ma.name = model_a JOIN arena_models mb ON mb.name = model_b`,
      )
    ).getColumnsJS();
    const keepWeights = weighted && !(num(stats.lo) === 1 && num(stats.hi) === 1);
    return { cells: cellsTable(names, cells, keepWeights, file), from, where, columns, file, counted, weighted, run, conn, close };
  } catch (e) {
    close();
    throw e;
  }
}

type CellRow = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));

/** Throws the node readers' error for the first problem of a cell (a row of the cells query with its check columns). */
function checkCell(r: CellRow, counted: boolean, weighted: boolean, file: string): void {
  const labels = [...WINNER_LABELS.keys()].map((l) => JSON.stringify(l)).join(', ');
  for (const side of ['model_a', 'model_b'] as const) {
    const name = r[side];
    if (typeof name !== 'string' || name === '') throw new InputError(`must be a non-empty string, got ${name === null ? 'null' : JSON.stringify(name)}`, { file, field: side });
  }
  if (r.model_a === r.model_b) throw new InputError(`model_b equals model_a (a model cannot battle itself): ${JSON.stringify(r.model_a)}`, { file, field: 'model_b' });
  if (typeof r.winner !== 'string') throw new InputError('must be a string, got null', { file, field: 'winner' });
  if (!WINNER_LABELS.has(r.winner)) throw new InputError(`unknown label ${JSON.stringify(r.winner)} (expected one of ${labels})`, { file, field: 'winner' });
  if (counted && num(r.null_counts) > 0) throw new InputError('must be an integer ≥ 1 (null is not a count: leave the field out for one battle)', { file, field: 'count' });
  if (counted && !(num(r.min_count) >= 1)) throw new InputError(`must be an integer ≥ 1, got ${String(r.min_count)}`, { file, field: 'count' });
  if (weighted) {
    const lo = num(r.min_weight);
    const hi = num(r.max_weight);
    if (!(lo > 0) || !Number.isFinite(hi)) throw new InputError(`must be a finite number > 0, got ${!(lo > 0) ? lo : hi}`, { file, field: 'weight' });
  }
}

/**
 * The checked cells as a table (see {@link readCellsWithDuckDB}): `names` sorted, `cols` = model ids a, b, outcome
 * code, count (and mean weight, Σw² when `weighted`), one entry per cell.
 */
function cellsTable(names: readonly string[], cols: readonly (readonly unknown[])[], weighted: boolean, file: string): BattleTable {
  const builder = new BattleTableBuilder({ tstamp: false });
  for (const name of names) builder.intern(name); // sorted already: the table keeps these ids
  const [a, b, o, count, mean, sq] = cols as unknown[][];
  const weight: number[] = [];
  const weight2: number[] = [];
  for (let k = 0; k < a!.length; k++) {
    const total = num(count![k]);
    if (!Number.isSafeInteger(total)) throw new InputError(`the battles of one cell add up to ${String(count![k])}, beyond exact counting`, { file, field: 'count' });
    // a cell of more battles than a row holds is split into rows of at most MAX_COUNT (Σw² shared in proportion)
    for (let left = total; left > 0; ) {
      const c = Math.min(left, MAX_COUNT);
      builder.pushIds(num(a![k]), num(b![k]), num(o![k]), c);
      if (weighted) {
        weight.push(num(mean![k]));
        weight2.push(c === total ? num(sq![k]) : (num(sq![k]) * c) / total);
      }
      left -= c;
    }
  }
  const t = builder.finish();
  return weighted ? { ...t, weight: Float64Array.from(weight), weight2: Float64Array.from(weight2) } : t;
}

/** Options of {@link openCovariateSteps}: the read options, the covariates and how ties enter the likelihood. */
export interface DuckDBCovariateOptions extends DuckDBReadOptions {
  /** The covariates, each a field path (a numeric or boolean column, or a member of STRUCT columns). */
  readonly covariates: readonly CovariateSpec[];
  /** Style control's four features first (`--style-control`, in this form), or null. */
  readonly style?: 'lmarena' | 'fastchat-2024' | null | undefined;
  readonly ties: 'half' | 'ignore';
  readonly bothBad: 'tie' | 'ignore';
}

/** The constants pass's result (see `covariateConstantsSql`): per covariate its mean and Σ count·(x − mean)². */
export interface CovariateConstants {
  /** Σ count over the battles standardised on. */
  readonly battles: number;
  /** Σ count·weight (the battles when unweighted). */
  readonly sw: number;
  readonly mean: Float64Array;
  readonly ss: Float64Array;
}

/** A DuckDB connection holding the battles, for a covariate fit driven from Node ({@link openCovariateSteps}). */
export interface DuckDBCovariateSteps {
  /** The checked cells of the battles (as {@link readCellsWithDuckDB}): names, pair counts, the plain fit's start. */
  readonly cells: BattleTable;
  /** The battles have a `weight` column. */
  readonly weighted: boolean;
  /** Runs the constants pass. @throws InputError for a covariate that is null on some battle */
  constants(): Promise<CovariateConstants>;
  /**
   * Runs the step query at strengths θ (by the cells' model ids) and `params` (`beta1`, `mean1`, `sd1`, …,
   * `wnorm`), and returns its sums per seated pair with model ids.
   */
  step(theta: Float64Array, params: ReadonlyMap<string, number>): Promise<PairStepSums>;
  close(): void;
}

/**
 * The DuckDB SQL of a covariate given as a field path: the column, or `struct_extract` through STRUCT members;
 * booleans as 1/0, as the node readers read them.
 * @throws UsageError for an expression that is not a field path
 * @throws InputError `file: field: reason` for a path the input does not have, or a column that is not a number
 */
function covariateSql(spec: CovariateSpec, columns: ReadonlyMap<string, string>, file: string): string {
  const path = spec.expression;
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path)) {
    throw new UsageError(`--covariate ${spec.name}: --engine duckdb takes a covariate that is a field path (a numeric column or a member of one), not ${JSON.stringify(path)}: compute it in a view (--table) or use --engine node`);
  }
  const [key, ...rest] = path.split('.');
  const top = columns.get(key!);
  if (top === undefined) throw new InputError('unknown field (the input has no such column)', { file, field: path });
  let type = parseSqlType(top);
  let sql = sqlIdentifier(key!);
  for (const member of rest) {
    const next = type.struct?.get(member);
    if (next === undefined) throw new InputError(type.struct ? 'unknown field (the input has no such member)' : `must be an object (the covariate reads ${path} inside it), but the column has type ${type.name}`, { file, field: path });
    sql = `struct_extract(${sql}, ${sqlString(member)})`;
    type = next;
  }
  const kind = filterTypeOfSql(type.name);
  if (kind === 'boolean') return `(CASE WHEN ${sql} THEN 1 WHEN NOT ${sql} THEN 0 END)`;
  if (kind !== 'number') throw new InputError(`must be a number (a covariate), but the column has type ${type.name}`, { file, field: path });
  return sql;
}

/**
 * The DuckDB SQL of the style features (`--style-control`): per feature the form's relative difference of the side
 * counts, read from the `conv_metadata` STRUCT column when the input has one, else from top-level columns, as the
 * node readers read them; a count that is a STRUCT of numbers (LMArena's `header_count_a` {h1 … h6}) is the sum of
 * its members, a missing member counting 0 (a JSON object without that key). The field names of each feature
 * (for messages) come with it.
 * @throws InputError `file: field: reason` for a count the input lacks or cannot sum
 */
function styleSql(columns: ReadonlyMap<string, string>, form: 'lmarena' | 'fastchat-2024', file: string): { sql: string; field: string }[] {
  const metaType = columns.get('conv_metadata');
  const meta = metaType === undefined ? null : parseSqlType(metaType);
  if (meta !== null && !meta.struct) throw new InputError(`must be an object of style counts, but the column has type ${meta.name}`, { file, field: 'conv_metadata' });
  const count = (name: string): string => {
    const field = meta ? `conv_metadata.${name}` : name;
    const type = meta ? meta.struct!.get(name) : columns.has(name) ? parseSqlType(columns.get(name)!) : undefined;
    if (type === undefined) {
      throw new InputError(`style control needs style fields on every battle (conv_metadata with ${STYLE_FIELDS_A.join(', ')} and the _b twins); the input has no such ${meta ? 'member' : 'column'}`, { file, field });
    }
    const sql = meta ? `struct_extract(${sqlIdentifier('conv_metadata')}, ${sqlString(name)})` : sqlIdentifier(name);
    if (filterTypeOfSql(type.name) === 'number') return sql;
    if (type.struct && type.struct.size > 0 && [...type.struct.values()].every((t) => filterTypeOfSql(t.name) === 'number')) {
      return `(${[...type.struct.keys()].map((k) => `COALESCE(struct_extract(${sql}, ${sqlString(k)}), 0)`).join(' + ')})`;
    }
    throw new InputError(`must be a number or an object of numbers, but the column has type ${type.name}`, { file, field });
  };
  return STYLE_FIELDS_A.map((a, q) => ({ sql: styleFeatureSql(count(a), count(STYLE_FIELDS_B[q]!), form), field: `${meta ? 'conv_metadata.' : ''}${a} or ${STYLE_FIELDS_B[q]!}` }));
}

/**
 * Opens DuckDB on the battles for a covariate fit whose passes over the battles run inside DuckDB: the cells are read
 * and checked as {@link readCellsWithDuckDB} does, and the connection stays open for the constants pass and the step
 * queries of `step-sql.ts` (the very text `arena aggregate --emit-sql --covariate` prints, on the engine's FROM
 * item and filter). Only the cells, one row of constants and one row of sums per seated pair reach Node: memory
 * O(cells), whatever the number of battles. The caller closes the session.
 *
 * @throws InputError `files: field: reason` for bad input or a covariate the input lacks; UsageError for a
 *   covariate that is not a field path
 */
export async function openCovariateSteps(sources: readonly string[], o: DuckDBCovariateOptions): Promise<DuckDBCovariateSteps> {
  const src = await openSource(sources, o);
  try {
    const style = o.style ? styleSql(src.columns, o.style, src.file) : [];
    const exprs = [...style.map((f) => f.sql), ...o.covariates.map((c) => covariateSql(c, src.columns, src.file))];
    const fields = [...style.map((f) => f.field), ...o.covariates.map((c) => c.expression)];
    const sqlOptions = { from: src.from, count: src.counted, weight: src.weighted, covariates: exprs, ties: o.ties, bothBad: o.bothBad, where: src.where, theta: 'arena_theta', params: 'arena_params' };
    await src.run('CREATE TEMP TABLE arena_theta (model VARCHAR, value DOUBLE)');
    await src.run('CREATE TEMP TABLE arena_params (name VARCHAR, value DOUBLE)');
    // the step query as printed, its names turned into the cells' model ids inside DuckDB (no string reaches Node)
    const stepText = `SELECT ma.id AS a, mb.id AS b, s.* EXCLUDE (model_a, model_b) FROM (${covariateStepSql(sqlOptions)}) AS s JOIN arena_models ma ON ma.name = s.model_a JOIN arena_models mb ON mb.name = s.model_b`;
    const K = exprs.length;
    const fill = async (table: string, rows: readonly (readonly [string, number])[]) => {
      await src.run(`DELETE FROM ${table}`);
      const app = await src.conn.createAppender(table);
      for (const [name, value] of rows) {
        app.appendVarchar(name);
        app.appendDouble(value);
        app.endRow();
      }
      app.closeSync();
    };
    return {
      cells: src.cells,
      weighted: src.weighted,
      async constants(): Promise<CovariateConstants> {
        const row = (await src.run(covariateConstantsSql(sqlOptions))).getRowObjectsJS()[0]!;
        fields.forEach((field, k) => {
          const nulls = num(row[`nulls${k + 1}`]);
          if (nulls > 0) throw new InputError(`is null (or missing) on ${nulls} row${nulls === 1 ? '' : 's'}: ${k < style.length ? 'style control needs style fields' : 'a covariate needs a number'} on every battle`, { file: src.file, field });
        });
        return {
          battles: num(row.n),
          sw: src.weighted ? num(row.sw) : num(row.n),
          mean: Float64Array.from({ length: K }, (_, k) => num(row[`mean${k + 1}`])),
          ss: Float64Array.from({ length: K }, (_, k) => num(row[`ss${k + 1}`])),
        };
      },
      async step(theta: Float64Array, params: ReadonlyMap<string, number>): Promise<PairStepSums> {
        await fill('arena_theta', src.cells.models.map((name, v) => [name, theta[v]!] as const));
        await fill('arena_params', [...params]);
        const cols = (await src.run(stepText)).getColumnsJS();
        const f = (c: number) => Float64Array.from(cols[c]!, num);
        let c = 2;
        const next = () => f(c++);
        const a = Int32Array.from(cols[0]!, num);
        const b = Int32Array.from(cols[1]!, num);
        const [n, w, ll, g, h] = [next(), next(), next(), next(), next()];
        const gk: Float64Array[] = [];
        const hk: Float64Array[] = [];
        for (let k = 0; k < K; k++) {
          gk.push(next());
          hk.push(next());
        }
        const hkl = Array.from({ length: (K * (K + 1)) / 2 }, next);
        const bb = next();
        const bk = Array.from({ length: K }, next);
        const bkl = Array.from({ length: (K * (K + 1)) / 2 }, next);
        return { a, b, n, w, ll, g, h, gk, hk, hkl, bb, bk, bkl };
      },
      close: src.close,
    };
  } catch (e) {
    src.close();
    throw e;
  }
}
