/**
 * The SQL that folds a battles table into cells: one row per (model_a, model_b, winner) with the number of battles
 * and, for weighted battles, the mean weight and Σw². The cells are themselves a valid battles table (a row of
 * `count` battles of weight `weight`), and `arena rate --cells` reads them back with their Σw² (docs/reference.md,
 * "Cells"). The same text runs unchanged on DuckDB, Spark SQL, Trino and BigQuery because it keeps to these rules:
 *
 * 1. Plain identifiers only, never quoted (quoting differs: `"x"` in DuckDB and Trino, `` `x` `` in Spark and
 *    BigQuery): the columns are the lower-case words model_a, model_b, winner, count, weight, weight2, n, w.
 * 2. No CAST and no type names (DOUBLE in three, FLOAT64 in BigQuery): a floating value is made by the factor
 *    `1e0`, a DOUBLE/FLOAT64 literal in all four, so no integer division can happen (Trino divides integers).
 * 3. Only SUM, COALESCE, `*`, `/`, GROUP BY by column names (no ordinals, no aliases in GROUP BY), a derived
 *    table with an alias (`AS b`, required by Spark and Trino, accepted by all), and no trailing semicolon.
 * 4. Seats are kept (no comparison of names): string order differs between engines' collations, so folding the
 *    two seats of a pair is left to `arena`, which folds them exactly.
 * 5. No validation in SQL: winner labels, nulls and self-battles come through as cells and `arena` checks them
 *    when it reads the cells, with the same messages as for battles.
 */

/** What the battles table has and what the query does, for {@link cellsSql}. */
export interface CellsSqlOptions {
  /** The FROM item: a table name (`battles`, `db.schema.battles`), or for DuckDB a table function. */
  readonly from: string;
  /** The table has an integer `count` column (a row stands for `count` battles); otherwise a row is one battle. */
  readonly count?: boolean | undefined;
  /** The table has a `weight` column (a battle's weight; null = 1): the cells get `weight` (mean) and `weight2` (Σw²). */
  readonly weight?: boolean | undefined;
  /**
   * Battle columns kept in the cells as further group keys (plain lower-case identifiers): covariates with few
   * distinct values, so that a covariate fit on the cells (rows of `count` battles with their values) is the fit on
   * the battles.
   */
  readonly keep?: readonly string[] | undefined;
  /** A condition in the engine's SQL applied before grouping (the translated `--filter`), or null. */
  readonly where?: string | null | undefined;
  /**
   * Adds check columns for the DuckDB engine (not emitted): with `count`, `null_counts` (rows with a null count) and
   * `min_count`; with `weight`, `min_weight` and `max_weight`.
   */
  readonly checks?: boolean | undefined;
}

/**
 * The SQL text turning a battles table into its cells (see the rules above). O(1).
 *
 * ```sql
 * SELECT model_a, model_b, winner, SUM(n) AS count
 * FROM (SELECT model_a, model_b, winner, 1 AS n FROM battles) AS b
 * GROUP BY model_a, model_b, winner
 * ```
 */
export function cellsSql(o: CellsSqlOptions): string {
  const keys = ['model_a', 'model_b', 'winner', ...(o.keep ?? [])];
  const inner = [...keys, `${o.count ? 'count' : '1'} AS n`];
  if (o.weight) inner.push('1e0 * COALESCE(weight, 1) AS w');
  const outer = [...keys, 'SUM(n) AS count'];
  if (o.weight) outer.push('SUM(n * w) / SUM(n) AS weight', 'SUM(n * w * w) AS weight2');
  if (o.checks) {
    if (o.count) outer.push('COUNT(*) - COUNT(n) AS null_counts', 'MIN(n) AS min_count');
    if (o.weight) outer.push('MIN(w) AS min_weight', 'MAX(w) AS max_weight');
  }
  return [
    'SELECT',
    outer.map((c) => `  ${c}`).join(',\n'),
    'FROM (',
    `  SELECT ${inner.join(', ')}`,
    `  FROM ${o.from}`,
    ...(o.where ? [`  WHERE ${o.where}`] : []),
    ') AS b',
    `GROUP BY ${keys.join(', ')}`,
  ].join('\n');
}
