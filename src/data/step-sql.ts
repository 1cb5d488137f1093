import { UsageError } from '../errors.js';
import type { CovariateSpec } from './covariates.js';
import { STYLE_FEATURES, STYLE_FIELDS_A, STYLE_FIELDS_B } from './style-fields.js';

/**
 * The SQL of a covariate fit on battle rows that stay in the database: a constants pass (the standardisation of
 * each covariate) and a step query returning, per seated pair (model_a, model_b), the sums one Newton step of the
 * covariate-adjusted Bradley–Terry likelihood needs (`arena rate --covariate`, ties half or ignored), at parameters
 * read from two small tables. The laptop (or `arena rate --engine duckdb`) folds the pairs' sums into the gradient
 * and the information matrix exactly as the node fit folds its per-row sums, takes the Newton step, uploads the new
 * parameters and runs the same text again (docs/reference.md, "Covariates in SQL").
 *
 * The text keeps the five rules of `cells-sql.ts` (plain unquoted lower-case identifiers; no CAST or type names,
 * floating values made by `1e0`; SUM, COALESCE, `*`, `/`, GROUP BY by column names, derived tables with an alias,
 * no semicolon; seats kept; no validation) and these:
 *
 * 6. Scalar functions are only EXP, LN and ABS (no SQRT: the caller takes the square root of the variance), with
 *    CASE WHEN … THEN … ELSE … END; aggregates only SUM and, to turn the parameter table into one row,
 *    MAX(CASE WHEN name = '…' THEN value END). All four engines have these with the same meaning on DOUBLE /
 *    FLOAT64 (LN is the natural logarithm everywhere; LOG's argument order differs, so it is not used).
 * 7. Literals are decimal with an exponent (`1e0`, `0e0`, `5e-1`): DOUBLE in DuckDB, Spark and Trino, FLOAT64 in
 *    BigQuery; strings in single quotes with no backslash (the winner labels).
 * 8. Joins are `JOIN … ON` equality of names and `CROSS JOIN` of a one-row derived table; WITH is used once, by
 *    the constants pass (a common table expression is read the same way by all four).
 * 9. Parameters come only from the tables `theta(model, value)` (a strength per model, natural log-odds) and
 *    `params(name, value)` (names `beta1`, `mean1`, `sd1`, … per covariate in order, and `wnorm` for weights), so
 *    the text never changes between steps. A battle whose model is not in `theta` drops out of the inner join: the
 *    step query's `n` column (battles per seated pair) is there to check that none did.
 *
 * Numerics: the log-likelihood uses the softplus form y·d − max(d, 0) − LN(1 + e^{−|d|}) and p = P(model_a wins)
 * from e = e^{−|d|} by the branch that never overflows, as the node fit does (LN(1 + e) instead of log1p costs at
 * most 1e-16 per battle in absolute terms).
 */

/** What the battles table has and how the fit treats outcomes, for {@link covariateConstantsSql} and {@link covariateStepSql}. */
export interface StepSqlOptions {
  /** The FROM item: a table name (`battles`, `db.schema.battles`), or for DuckDB a table function. */
  readonly from: string;
  /** The table has an integer `count` column (a row stands for `count` battles); otherwise a row is one battle. */
  readonly count?: boolean | undefined;
  /** The table has a `weight` column (a battle's weight; null = 1), normalised to mean 1 over battles (`wnorm`). */
  readonly weight?: boolean | undefined;
  /**
   * The covariates' raw values as SQL expressions over a battle row (plain lower-case column names, or member paths
   * `conv_metadata.sum_user_tokens` of STRUCT/ROW columns), in the fit's order: covariate k is `beta{k}` etc., k from 1.
   */
  readonly covariates: readonly string[];
  /** Ties (both labels) as half a win each side [half], or left out of the likelihood (still in the constants). */
  readonly ties?: 'half' | 'ignore' | undefined;
  /** Both-bad ties (`tie (bothbad)`, `both_bad`): ties [tie], or dropped from everything, constants included. */
  readonly bothBad?: 'tie' | 'ignore' | undefined;
  /** A condition in the engine's SQL applied to the battles first (the translated `--filter`), or null. */
  readonly where?: string | null | undefined;
  /** The strengths table [theta]: columns model, value. */
  readonly theta?: string | undefined;
  /** The parameters table [params]: columns name, value. */
  readonly params?: string | undefined;
}

const TIE_LABELS = ["'tie'", "'tie (bothbad)'", "'both_bad'"];
const BOTH_BAD_LABELS = ["'tie (bothbad)'", "'both_bad'"];

/**
 * The battle rows the fit reads: model_a, model_b, y, n[, w], x1…xK (raw), with the conditions. By rule 5 nothing is
 * validated: a `winner` label other than model_a / model_b counts as a tie, so check the labels first (the cells
 * query read by `arena rate --cells` does; the DuckDB engine checks the cells before any step).
 */
function rowsSql(o: StepSqlOptions, likelihood: boolean, indent: string): string[] {
  const cols = [
    'model_a',
    'model_b',
    `CASE WHEN winner = 'model_a' THEN 1e0 WHEN winner = 'model_b' THEN 0e0 ELSE 5e-1 END AS y`,
    `${o.count ? 'count' : '1'} AS n`,
    ...(o.weight ? ['1e0 * COALESCE(weight, 1) AS w'] : []),
    ...o.covariates.map((e, k) => `1e0 * (${e}) AS x${k + 1}`),
  ];
  const where: string[] = [];
  if (o.where) where.push(`(${o.where})`);
  if (o.bothBad === 'ignore') where.push(`winner NOT IN (${BOTH_BAD_LABELS.join(', ')})`);
  if (likelihood && o.ties === 'ignore') where.push(`winner NOT IN (${TIE_LABELS.join(', ')})`);
  return [`${indent}SELECT ${cols.join(', ')}`, `${indent}FROM ${o.from}`, ...(where.length ? [`${indent}WHERE ${where.join(' AND ')}`] : [])];
}

/**
 * The constants pass (one statement, two scans): over the battles the fit standardises on (both-bad ties dropped
 * when `bothBad` is ignore; ties kept even when the likelihood ignores them, as the node fit), one row of
 * - `n`: the battles (Σ count), `sw`: Σ count·weight (with weights; then wnorm = n / sw);
 * - per covariate k: `mean{k}` = Σ count·x / n and `ss{k}` = Σ count·(x − mean)² (two-pass, as the node fit;
 *   sd = SQRT(ss / n), population SD; a covariate whose sd ≤ 1e-12·max(1, |mean|) does not vary and is left out of
 *   the fit) and `nulls{k}`, the rows whose value is null (the node readers reject such a row; so must the caller).
 * O(battles).
 */
export function covariateConstantsSql(o: StepSqlOptions): string {
  const K = o.covariates.length;
  const sums = ['SUM(n) AS n', ...(o.weight ? ['SUM(n * w) AS sw'] : [])];
  for (let k = 1; k <= K; k++) sums.push(`SUM(n * x${k}) / SUM(n) AS mean${k}`, `SUM(CASE WHEN x${k} IS NULL THEN 1 ELSE 0 END) AS nulls${k}`);
  // the constants are carried out of the one-row derived table by MAX (no GROUP BY on floating columns)
  const outer = ['MAX(c.n) AS n', ...(o.weight ? ['MAX(c.sw) AS sw'] : [])];
  for (let k = 1; k <= K; k++) outer.push(`MAX(c.mean${k}) AS mean${k}`, `SUM(r.n * (r.x${k} - c.mean${k}) * (r.x${k} - c.mean${k})) AS ss${k}`, `MAX(c.nulls${k}) AS nulls${k}`);
  return [
    'WITH r AS (',
    ...rowsSql(o, false, '  '),
    ')',
    'SELECT',
    outer.map((c) => `  ${c}`).join(',\n'),
    'FROM r CROSS JOIN (',
    `  SELECT ${sums.join(', ')}`,
    '  FROM r',
    ') AS c',
  ].join('\n');
}

/**
 * The SQL of one style feature from its two side counts (SQL expressions, e.g. `conv_metadata.header_count_a`):
 * (a − b)/(a + b) for the `lmarena` form, (a − b)/(a + b + 1) for `fastchat-2024`, 0 when the denominator is 0,
 * computed as the node design computes it (exact for integer counts). O(1).
 */
export function styleFeatureSql(a: string, b: string, form: 'lmarena' | 'fastchat-2024'): string {
  const den = `1e0 * ${a} + ${b}${form === 'lmarena' ? '' : ' + 1e0'}`;
  return `CASE WHEN ${den} = 0e0 THEN 0e0 ELSE (1e0 * ${a} - ${b}) / (${den}) END`;
}

/** The column names of the step query, in order, for K covariates (see {@link covariateStepSql}). */
export function stepColumns(K: number): string[] {
  const cols = ['model_a', 'model_b', 'n', 'w', 'll', 'g', 'h'];
  for (let k = 1; k <= K; k++) cols.push(`g${k}`, `h${k}`);
  for (let k = 1; k <= K; k++) for (let l = k; l <= K; l++) cols.push(`h${k}_${l}`);
  cols.push('b');
  for (let k = 1; k <= K; k++) cols.push(`b${k}`);
  for (let k = 1; k <= K; k++) for (let l = k; l <= K; l++) cols.push(`b${k}_${l}`);
  return cols;
}

/**
 * The step query: per seated pair (model_a, model_b), at the strengths in `theta` and the coefficients, means and
 * SDs in `params`, with d = θ_a − θ_b + Σ_k β_k·x_k (x_k = (raw − mean_k)/sd_k), p = 1/(1 + e^{−d}), y = 1, 0 or ½
 * (model_a won, model_b won, a tie), c = count·weight·wnorm, rw = weight·wnorm (1 without weights):
 * - `n` Σ count (the check that no battle dropped out), `w` Σ c (the battles in the likelihood, weighted);
 * - `ll` Σ c·(y·d − max(d, 0) − ln(1 + e^{−|d|})), the log-likelihood (for step halving);
 * - `g` Σ c·(y − p), `h` Σ c·p(1 − p); per covariate `g{k}` Σ c·(y − p)·x_k, `h{k}` Σ c·p(1 − p)·x_k; per pair of
 *   covariates k ≤ l `h{k}_{l}` Σ c·p(1 − p)·x_k·x_l;
 * - the sandwich's meat, a per-battle outer product of the score s = (y − p)·(e_a − e_b, x): `b` Σ c·rw·(y − p)²,
 *   `b{k}` Σ c·rw·(y − p)²·x_k, `b{k}_{l}` Σ c·rw·(y − p)²·x_k·x_l.
 * The gradient is g_θa += g, g_θb −= g, g_βk += Σ_pairs g{k}; the information H_aa += h, H_bb += h, H_ab −= h,
 * H_a,βk += h{k}, H_b,βk −= h{k}, H_βk,βl += Σ_pairs h{k}_{l} (and B alike from b…): `arena`'s covariate fit.
 * O(battles) per step.
 */
export function covariateStepSql(o: StepSqlOptions): string {
  const K = o.covariates.length;
  const theta = o.theta ?? 'theta';
  const params = o.params ?? 'params';
  const names = [...Array.from({ length: K }, (_, i) => [`beta${i + 1}`, `mean${i + 1}`, `sd${i + 1}`]).flat(), ...(o.weight ? ['wnorm'] : [])];
  const pivot = names.map((p) => `MAX(CASE WHEN name = '${p}' THEN value END) AS ${p}`);
  const xs = Array.from({ length: K }, (_, i) => `x${i + 1}`);
  const std = xs.map((x, i) => `(r.${x} - p.mean${i + 1}) / p.sd${i + 1} AS ${x}`);
  const gap = ['ta.value - tb.value', ...xs.map((x, i) => `p.beta${i + 1} * ((r.${x} - p.mean${i + 1}) / p.sd${i + 1})`)].join(' + ');
  const rw = o.weight ? 'r.w * p.wnorm' : '1e0';
  // level s: standardised covariates, weights, gap; level t: e = e^{−|d|}; level u: p, ln(1 + e), y − p, p(1 − p)
  const sCols = ['r.model_a', 'r.model_b', 'r.y', 'r.n', `${o.weight ? `r.n * (${rw})` : '1e0 * r.n'} AS c`, `${rw} AS rw`, ...std, `${gap} AS d`];
  const carry = ['model_a', 'model_b', 'y', 'n', 'c', 'rw', ...xs, 'd'];
  const sums = ['SUM(n) AS n', 'SUM(c) AS w', 'SUM(c * (y * d - CASE WHEN d > 0e0 THEN d ELSE 0e0 END - lg)) AS ll', 'SUM(c * res) AS g', 'SUM(c * inf) AS h'];
  xs.forEach((x, i) => sums.push(`SUM(c * res * ${x}) AS g${i + 1}`, `SUM(c * inf * ${x}) AS h${i + 1}`));
  for (let k = 1; k <= K; k++) for (let l = k; l <= K; l++) sums.push(`SUM(c * inf * x${k} * x${l}) AS h${k}_${l}`);
  sums.push('SUM(c * rw * res * res) AS b');
  xs.forEach((x, i) => sums.push(`SUM(c * rw * res * res * ${x}) AS b${i + 1}`));
  for (let k = 1; k <= K; k++) for (let l = k; l <= K; l++) sums.push(`SUM(c * rw * res * res * x${k} * x${l}) AS b${k}_${l}`);
  return [
    'SELECT',
    ['model_a', 'model_b', ...sums].map((c) => `  ${c}`).join(',\n'),
    'FROM (',
    `  SELECT ${carry.join(', ')}, lg, y - pr AS res, pr * (1e0 - pr) AS inf`,
    '  FROM (',
    `    SELECT ${carry.join(', ')}, CASE WHEN d >= 0e0 THEN 1e0 / (1e0 + e) ELSE e / (1e0 + e) END AS pr, LN(1e0 + e) AS lg`,
    '    FROM (',
    `      SELECT ${carry.join(', ')}, EXP(-ABS(d)) AS e`,
    '      FROM (',
    `        SELECT ${sCols.join(', ')}`,
    '        FROM (',
    ...rowsSql(o, true, '          '),
    '        ) AS r',
    `        JOIN ${theta} AS ta ON ta.model = r.model_a`,
    `        JOIN ${theta} AS tb ON tb.model = r.model_b`,
    ...(names.length ? [`        CROSS JOIN (SELECT ${pivot.join(', ')} FROM ${params}) AS p`] : []),
    '      ) AS s',
    '    ) AS t',
    '  ) AS u',
    ') AS v',
    'GROUP BY model_a, model_b',
  ].join('\n');
}

/** What {@link covariateFitSql} prints: the battles table, its optional columns, the features, the outcome handling. */
export interface CovariateFitSqlOptions {
  /** The battles table (a name, as `--table`). */
  readonly from: string;
  readonly count?: boolean | undefined;
  readonly weight?: boolean | undefined;
  /** `--covariate` specs: each expression a plain lower-case column name or member path. */
  readonly covariates: readonly CovariateSpec[];
  /** `--style-control` in this form (its four features come first, from `conv_metadata`), or null. */
  readonly style?: 'lmarena' | 'fastchat-2024' | null | undefined;
  readonly ties?: 'half' | 'ignore' | undefined;
  readonly bothBad?: 'tie' | 'ignore' | undefined;
  /** A condition in the engine's SQL on the battles (`--where`), kept as given, or null. */
  readonly where?: string | null | undefined;
}

/** A plain lower-case column name, or a member path through STRUCT/ROW columns (rule 1 allows no quoting). */
const PLAIN_PATH = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;

/**
 * The script `arena aggregate --emit-sql --covariate …` prints: a header of `--` comments (the features in order,
 * the parameter tables, the loop), the constants pass and the step query, each statement followed by a line `;`
 * (send each alone, without it, to an API that takes one statement). O(K²) text.
 * @throws UsageError for a covariate that is not a plain lower-case column or member path
 */
export function covariateFitSql(o: CovariateFitSqlOptions): string {
  for (const c of o.covariates) {
    if (!PLAIN_PATH.test(c.expression)) {
      throw new UsageError(`--covariate ${c.name}: ${JSON.stringify(c.expression)} is not a plain lower-case column name or member path (the query quotes no identifier, so that it runs on every engine): compute it in a view given as --table`);
    }
  }
  const style = o.style ? STYLE_FIELDS_A.map((a, q) => ({ name: STYLE_FEATURES[q]!, sql: styleFeatureSql(`conv_metadata.${a}`, `conv_metadata.${STYLE_FIELDS_B[q]!}`, o.style!) })) : [];
  const features = [...style, ...o.covariates.map((c) => ({ name: c.name, sql: c.expression }))];
  const sql: StepSqlOptions = { from: o.from, count: o.count, weight: o.weight, covariates: features.map((f) => f.sql), ties: o.ties, bothBad: o.bothBad, where: o.where ?? null };
  const K = features.length;
  const header = [
    '-- arena: the covariate fit (arena rate' + (o.style ? ` --style-control --style-form ${o.style}` : '') + o.covariates.map((c) => ` --covariate ${c.name}=${c.expression}`).join('') + ` --ties ${o.ties ?? 'half'} --both-bad ${o.bothBad ?? 'tie'}) with its passes over the battles in SQL`,
    '-- (DuckDB, Spark SQL, Trino, BigQuery; docs/reference.md, "Covariates in SQL"). Features, in order:',
    ...features.map((f, k) => `--   ${k + 1}. ${f.name}`),
    '-- Tables you provide: theta(model, value), one row per model (natural-log strengths);',
    `--   params(name, value) with ${K === 1 ? 'beta1, mean1, sd1' : `beta1..beta${K}, mean1..mean${K}, sd1..sd${K}`}${o.weight ? ', wnorm' : ''}.`,
    `-- 1. Run the constants pass once: mean_k as given, sd_k = SQRT(ss_k / n)${o.weight ? ', wnorm = n / sw' : ''}; a feature with`,
    '--    sd_k <= 1e-12 * GREATEST(1, ABS(mean_k)) does not vary: give it sd_k = 1, beta_k = 0 and leave its sums out.',
    '--    nulls_k must be 0 (a feature needs a value on every battle).',
    '-- 2. Start from theta = 0 (or a plain fit) and beta = 0; repeat: upload theta and params, run the step query, and',
    '--    fold its rows: gradient g_a += g, g_b -= g, g_beta_k += g_k; information H_aa += h, H_bb += h, H_ab -= h,',
    '--    H_a,beta_k += h_k, H_b,beta_k -= h_k, H_beta_k,beta_l += h_k_l (B alike from b, b_k, b_k_l, for the sandwich);',
    '--    subtract the ridges, solve H * delta = g (strengths centred), halve the step while SUM(ll) minus the ridge',
    '--    falls, stop when max |delta| < tolerance. arena rate --engine duckdb runs exactly this loop.',
    '-- Each statement ends with a line ";": send it alone, without that line, to APIs that take one statement.',
  ];
  return [...header, '', '-- 1. constants pass', covariateConstantsSql(sql), ';', '', '-- 2. step query', covariateStepSql(sql), ';', ''].join('\n');
}

/**
 * The sums of one Newton step of the covariate fit, per seated pair, as the step query of `data/step-sql.ts`
 * returns them (its columns, with the model names turned into ids). K covariates; the k ≤ l pairs in the order
 * (1,1), (1,2), …, (1,K), (2,2), …, (K,K).
 */
export interface PairStepSums {
  /** Model ids of model_a and model_b, one entry per seated pair. */
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** Σ count of the pair's battles in the likelihood. */
  readonly n: Float64Array;
  /** Σ c (c = count·weight). */
  readonly w: Float64Array;
  /** Σ c·(y·d − softplus(d)). */
  readonly ll: Float64Array;
  /** Σ c·(y − p). */
  readonly g: Float64Array;
  /** Σ c·p(1 − p). */
  readonly h: Float64Array;
  /** Per covariate: Σ c·(y − p)·x_k. */
  readonly gk: readonly Float64Array[];
  /** Per covariate: Σ c·p(1 − p)·x_k. */
  readonly hk: readonly Float64Array[];
  /** Per covariate pair k ≤ l: Σ c·p(1 − p)·x_k·x_l. */
  readonly hkl: readonly Float64Array[];
  /** Σ c·rw·(y − p)² (the sandwich's meat). */
  readonly bb: Float64Array;
  /** Per covariate: Σ c·rw·(y − p)²·x_k. */
  readonly bk: readonly Float64Array[];
  /** Per covariate pair k ≤ l: Σ c·rw·(y − p)²·x_k·x_l. */
  readonly bkl: readonly Float64Array[];
}
