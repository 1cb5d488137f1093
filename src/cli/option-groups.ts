/**
 * The option groups every battle-reading command shares, each declared once: model options, interval options and
 * input options. Commander declares them (names, defaults, help); a zod schema per group turns commander's values
 * into typed options, so commands read `ModelOptions`/`IntervalOptions` and never cast.
 */
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { compileFilter } from '../data/filter.js';
import { checkWhereSql } from '../data/filter-sql.js';
import { readBattles } from '../data/load.js';
import { readCells } from '../data/cells-file.js';
import { isDatabase, isGlob, openCovariateSteps, readCellsWithDuckDB } from '../data/duckdb.js';
import { fitCovariatesInDatabase } from '../models/covariates.js';
import { type BattleTable, sortByTimestamp } from '../data/table.js';
import { InputError, UsageError } from '../errors.js';
import { modelFor } from '../models/index.js';
import { type DisplayRules, type IntervalStyle, readModelList, readReferenceBoard } from '../leaderboard/display.js';
import { DEFAULT_REWEIGHT_FLOOR } from '../data/weights.js';
import { DEFAULT_MODEL, type ModelOptions, type RatingModel } from '../models/types.js';
import { parseAnchor } from '../rating/scale.js';
import { resolveSolver, type SolverChoice, SPARSE_ALWAYS_MODELS, SPARSE_AUTO_MODELS } from '../rating/bt-sparse.js';
import { readFileSync } from 'node:fs';
import { checkCovariateNames, type CovariateSpec, parseCovariateFile, parseCovariateSpec } from '../data/covariates.js';
import { STYLE_FEATURES } from '../data/style-fields.js';
import { parseVoterPath } from '../data/voters.js';
import { DEFAULT_FORM_PRIOR, STYLE_FORMS } from '../rating/style.js';
import { defaultThreads } from '../stats/bootstrap.js';
import { addIntervals, DEFAULT_BOOTSTRAP_ROUNDS, type IntervalOptions, type RatedBoard, resolveCiMethod } from '../stats/uncertainty.js';
import { type CliIO, printWarnings } from './io.js';
import { spellingWarnings } from '../data/names.js';
import { intIn, level, LIMITS, nonNegativeInt, numberIn, positiveInt, positiveNumber, seedArg } from './options.js';
import { type Progress, progressBar } from './progress.js';

/** The input formats `--input-format` names. */
export const INPUT_FORMATS = ['jsonl', 'json', 'csv', 'parquet'] as const;

/** Help text of the battle-files argument (every format the readers know). */
export const BATTLES_ARGUMENT = 'battle files (.jsonl, .ndjson, .json, .csv, .parquet) or - for stdin';

/** The engines `--engine` names: the node readers (rows into Node) or DuckDB (cells by one GROUP BY). */
export const ENGINES = ['node', 'duckdb'] as const;

/**
 * Input options: `--input-format`, `--sort` (default `input`; commands that replay over time pass `tstamp`),
 * `--filter <expr>` (battles kept, by their fields; docs/reference.md "Filters"), `--engine`, `--table` (a
 * database's battles table) and `--cells` (the inputs are cells tables).
 */
export function addInputOptions(cmd: Command, sortDefault: 'input' | 'tstamp' = 'input'): Command {
  return cmd
    .addOption(new Option('--input-format <format>', 'format of every input (default: from each file extension; stdin: jsonl)').choices([...INPUT_FORMATS]))
    .addOption(new Option('--sort <key>', 'battle order: the input order, or stably sorted by tstamp').choices(['input', 'tstamp']).default(sortDefault))
    .option(
      '--filter <expr>',
      'keep only the battles this expression accepts, read before anything else: e.g. \'anony and language == "English"\', \'count(category_tag["criteria_v0.1"]) >= 6\', \'tstamp >= date("2024-05-01")\' (syntax: docs/reference.md, Filters); a field a row lacks is an error',
      filterArg,
    )
    .option('--where <sql>', 'with --engine duckdb (and arena aggregate --emit-sql): keep only the battles this SQL condition on the table\'s columns accepts, as DuckDB (or your engine) reads it, e.g. "anony AND language = \'English\'"; with --filter both must hold', checkWhereSql)
    .addOption(
      new Option('--engine <engine>', 'how the input is read: node (rows into the process) or duckdb (filter and GROUP BY into cells inside DuckDB, the optional @duckdb/node-api package; models on pair cells, and rate/matrix/report/plot fit covariates with their passes in DuckDB) (default: duckdb for a glob or a database, else node)').choices([
        ...ENGINES,
      ]),
    )
    .option('--table <name>', 'the battles table: of a DuckDB database input (--engine duckdb), or named in the query of arena aggregate --emit-sql', 'battles')
    .option('--cells', 'the inputs are cells tables (model_a, model_b, winner, count[, weight, weight2]), as arena aggregate or its --emit-sql query writes them', false);
}

/**
 * The input options a command's JSON `params` echoes: `sort`, `filter` and `where` (null when not given), so that a
 * board says which battles it was fitted on.
 */
export function inputParams(o: Record<string, unknown>): { sort: unknown; filter: string | null; where: string | null } {
  return { sort: o.sort, filter: (o.filter as string | undefined) ?? null, where: (o.where as string | undefined) ?? null };
}

/** Checks a `--filter` expression when the command line is parsed (a syntax or type error is a usage error, exit 2). */
function filterArg(v: string): string {
  compileFilter(v);
  return v;
}

const InputCli = z.object({
  inputFormat: z.enum(INPUT_FORMATS).optional(),
  sort: z.enum(['input', 'tstamp']),
  filter: z.string().optional(),
  where: z.string().optional(),
  engine: z.enum(ENGINES).optional(),
  table: z.string().default('battles'),
  cells: z.boolean().default(false),
});
/** Typed input options. */
export type InputOptions = z.infer<typeof InputCli>;

/**
 * Reads the battles of a command (files or `-`), sorted if asked. Timestamps are kept when sorting by them or when
 * `keepTstamp` is true; a command that never uses them passes false to save 8 bytes per row. A command that walks the
 * battles in order names itself in `ordered` (e.g. "the backtest"): cells (`--engine duckdb`, `--cells`) are refused.
 */
export async function loadInput(io: CliIO, files: string[], raw: Record<string, unknown>, keepTstamp = true, ordered: string | null = null): Promise<BattleTable> {
  const o = InputCli.parse(raw);
  const covariates = covariatesFrom(raw);
  const engine = engineOf(files, o);
  if (o.where !== undefined && (engine !== 'duckdb' || o.cells)) throw new UsageError('--where is SQL run by DuckDB: it needs --engine duckdb on the battles (with the node readers, or --cells, use --filter)');
  if (engine === 'duckdb' || o.cells) {
    const what = o.cells ? '--cells (cells, not battles)' : '--engine duckdb (it folds the battles into cells)';
    if (o.cells && o.engine === 'duckdb') throw new UsageError('--cells files are read by the node readers (they are small): leave out --engine duckdb');
    if (o.sort === 'tstamp') throw new UsageError(`${what} keeps no battle order: --sort tstamp needs --engine node on the battles`);
    if (raw.method === 'elo') throw new UsageError(`${what} keeps no battle order: online Elo replays battles, use --engine node on the battles`);
    if (ordered) throw new UsageError(`${what} keeps no battle order: ${ordered} walks the battles in order, use --engine node on the battles`);
    if (raw.styleControl === true || (covariates.length && !o.cells)) {
      throw new UsageError(
        o.cells
          ? `${what} keeps no battle rows: style control needs --engine node on the battles`
          : `this command fits covariates and style control on battle rows: use --engine node (arena rate, matrix, report and plot intervals fit them inside DuckDB; or cells that keep the covariate columns: arena aggregate --emit-sql --keep)`,
      );
    }
  }
  const t = o.cells
    ? await readCells(files, { inputFormat: o.inputFormat, filter: o.filter, tstamp: false, ...(covariates.length ? { covariates } : {}) })
    : engine === 'duckdb'
      ? await readCellsWithDuckDB(files, { inputFormat: o.inputFormat, filter: o.filter ?? null, where: o.where ?? null, table: o.table })
      : await readBattles(files, {
    inputFormat: o.inputFormat,
    stdin: io.stdin,
    tstamp: o.sort === 'tstamp' || keepTstamp,
    filter: o.filter,
    ...(covariates.length ? { covariates } : {}),
    ...(typeof raw.voterField === 'string' ? { voterField: raw.voterField } : {}),
    // without style control the fast readers skip conv_metadata in place (no row object)
    ...(raw.styleControl === false ? { styleFields: false } : {}),
  });
  printWarnings(io, spellingWarnings(t.models));
  const cost = denseCostWarning(t.models.length, raw.method === 'elo', sparseFit(raw, t.models.length, covariates.length > 0));
  if (cost) io.stderr(`warning: ${cost}\n`);
  if (o.sort !== 'tstamp') return t;
  try {
    return sortByTimestamp(t);
  } catch (e) {
    throw new InputError(`${(e as Error).message}; use --sort input to replay the file order`, { file: files.join(', '), field: 'tstamp' });
  }
}

/** The engine reading the battles: `--engine`, else duckdb for a glob or a database (not with --cells), else node. */
function engineOf(files: readonly string[], o: InputOptions): 'node' | 'duckdb' {
  return o.engine ?? (!o.cells && files.some((f) => isGlob(f) || isDatabase(f)) ? 'duckdb' : 'node');
}

/** Whether a covariate fit runs its passes inside DuckDB ({@link rateInDuckDB}): covariates or style control on the DuckDB engine. */
export function fitsInDatabase(files: readonly string[], raw: Record<string, unknown>, mo: ModelOptions): boolean {
  return ((mo.covariates?.length ?? 0) > 0 || mo.styleControl === true) && engineOf(files, InputCli.parse(raw)) === 'duckdb';
}

/**
 * `rate --engine duckdb --covariate …` (or `--style-control`): the covariate fit with each pass over the battles run inside DuckDB (the
 * constants pass and the step queries of `data/step-sql.ts`), Newton's method here; intervals by the sandwich,
 * whose meat the step query sums too. O(iterations · one DuckDB scan + pairs·K² + n³); no battle row reaches Node.
 * @throws UsageError for what needs battle rows in Node (bootstrap intervals, battle order) or a tie parameter
 */
export async function rateInDuckDB(io: CliIO, files: string[], raw: Record<string, unknown>, opts: { model: RatingModel; modelOptions: ModelOptions; intervals: IntervalOptions; progress: Progress }): Promise<RatedBoard> {
  const o = InputCli.parse(raw);
  const mo = opts.modelOptions;
  if (o.sort === 'tstamp') throw new UsageError('--engine duckdb keeps no battle order: --sort tstamp needs --engine node on the battles');
  if (opts.intervals.ciMethod === 'bootstrap' || opts.intervals.rounds > 0) {
    throw new UsageError('--engine duckdb with covariates gives sandwich intervals (the step query sums their meat); bootstrap intervals resample battle rows: use --engine node for --bootstrap, or --ci-method sandwich');
  }
  if (mo.ties !== 'half' && mo.ties !== 'ignore') throw new UsageError('--engine duckdb fits covariates with --ties half or ignore (the step query has no tie parameter): use --engine node for tie models');
  if (mo.reweight) throw new UsageError('--engine duckdb fits covariates without --reweight pairs (the pair totals would need the seats folded in SQL): use --engine node');
  const session = await openCovariateSteps(files, {
    inputFormat: o.inputFormat,
    filter: o.filter ?? null,
    where: o.where ?? null,
    table: o.table,
    covariates: mo.covariates ?? [],
    style: mo.styleControl ? (mo.styleForm ?? 'lmarena') : null,
    ties: mo.ties,
    bothBad: mo.bothBad === 'ignore' ? 'ignore' : 'tie',
  });
  try {
    printWarnings(io, spellingWarnings(session.cells.models));
    checkAnchor(session.cells, mo);
    const fit = await fitCovariatesInDatabase(session, opts.model, mo);
    return await addIntervals(fit, opts.model, opts.intervals);
  } finally {
    session.close();
    opts.progress.stop();
  }
}

/**
 * Voter options (the voter audit, `src/stats/voters.ts`): `--voter-field PATH` (read by {@link loadInput} into the
 * table's voter column), `--voter-alpha` [0.1], `--voter-min-votes` [20], `--top-voters` [10].
 */
export function addVoterOptions(cmd: Command): Command {
  return cmd
    .option('--voter-field <path>', 'the battles\' voter (judge, crowd worker, user) field, e.g. judge or meta.user_id: enables the voter audit (per-voter tests against the fitted model, Benjamini–Hochberg; docs/methods.md, Voter audit)', voterFieldArg)
    .option('--voter-alpha <q>', 'false discovery rate of the voter audit (Benjamini–Hochberg over the tested voters)', level, 0.1)
    .option('--voter-min-votes <n>', 'fewest battles for a voter to be tested', positiveInt, 20)
    .option('--top-voters <n>', 'most active voters listed with their vote shares', positiveInt, 10);
}

function voterFieldArg(v: string): string {
  parseVoterPath(v);
  return v;
}

const VoterCli = z.object({ voterField: z.string().optional(), voterAlpha: z.number(), voterMinVotes: z.number().int().positive(), topVoters: z.number().int().positive() });

/** The typed voter options; `field` undefined when no voter field was given. */
export function voterOptionsFrom(raw: Record<string, unknown>): { field: string | undefined; alpha: number; minVotes: number; top: number } {
  const o = VoterCli.parse(raw);
  return { field: o.voterField, alpha: o.voterAlpha, minVotes: o.voterMinVotes, top: o.topVoters };
}

/** Index of a model given on the command line, or a usage error (exit 2) naming the closest names. */
export function modelIdOrThrow(models: readonly string[], name: string, option: string): number {
  const v = models.indexOf(name);
  if (v >= 0) return v;
  const lower = name.toLowerCase();
  const near = models.filter((x) => x.toLowerCase().includes(lower) || lower.includes(x.toLowerCase())).slice(0, 3);
  throw new UsageError(
    `${option}: model ${JSON.stringify(name)} is not in the battles (${models.length} models)${near.length ? `; did you mean ${near.map((x) => JSON.stringify(x)).join(', ')}?` : ''}`,
  );
}

/**
 * Checks that the `--anchor` model is in the battles before any fit: a usage error (exit 2) naming the closest
 * names, as `--a`/`--b` of compare. @throws UsageError
 */
export function checkAnchor(t: BattleTable, o: ModelOptions): void {
  if (o.anchor) modelIdOrThrow(t.models, o.anchor.model, '--anchor');
}

function priorArg(v: string): number | 'auto' {
  return v === 'auto' ? 'auto' : numberIn(0, LIMITS.prior)(v);
}

/** The Elo step and the display scale: `--k --scale --base --initial` (model options; also `arena backtest`). */
export function addScaleOptions(cmd: Command, kHelp = 'Elo K-factor (elo only)'): Command {
  return cmd
    .option('--k <n>', kHelp, numberIn(0, LIMITS.k, true), DEFAULT_MODEL.k)
    .option('--scale <n>', 'rating points per factor <base> in odds', numberIn(LIMITS.scale[0], LIMITS.scale[1]), DEFAULT_MODEL.scale)
    .option('--base <n>', 'odds base of the scale', numberIn(1, LIMITS.base, true), DEFAULT_MODEL.base)
    .option('--initial <n>', 'mean rating (bt) / starting rating (elo)', numberIn(-LIMITS.rating, LIMITS.rating), DEFAULT_MODEL.initial);
}

/** Model options: `--method --k --scale --base --initial --anchor --ties --both-bad --style-control --style-prior --prior --tolerance`. */
export function addModelOptions(cmd: Command): Command {
  cmd.addOption(new Option('--method <method>', 'rating method: Bradley–Terry maximum likelihood (with --ties choosing the outcome model) or online Elo').choices(['bt', 'elo']).default('bt'));
  return addScaleOptions(cmd)
    .option('--anchor <model=rating>', 'shift all ratings so that this model has this rating (bootstrap rounds are anchored one by one, as FastChat: the anchor\'s interval has zero width)')
    .addOption(
      new Option('--ties <policy>', 'half: a tie (either label) is half a win each side; ignore: drop ties; davidson | rao-kupper: a likelihood tie model (bt only)')
        .choices(['half', 'ignore', 'davidson', 'rao-kupper'])
        .default('half'),
    )
    .addOption(new Option('--both-bad <policy>', 'tie (bothbad): one tie outcome with "tie", its own tie parameter (separate, tie models), or dropped (ignore)').choices(['tie', 'separate', 'ignore']).default('tie'))
    .option('--style-control', 'covariates: control for response style (length, headers, lists, bold from conv_metadata); any likelihood model', false)
    .addOption(
      new Option('--style-form <form>', 'style control and covariate objective: lmarena (today\'s LMArena: (a−b)/(a+b), ridge on the mean weighted log-likelihood) or fastchat-2024 ((a−b)/(a+b+1), ridge on the summed log-likelihood)')
        .choices([...STYLE_FORMS])
        .default('lmarena'),
    )
    .option('--style-prior <lambda>', `ridge on the style and covariate coefficients, on the form's scale (default: lmarena reg ${DEFAULT_FORM_PRIOR.lmarena} on the mean log-likelihood; fastchat-2024 λ ${DEFAULT_FORM_PRIOR['fastchat-2024']} on the summed)`, numberIn(0, LIMITS.prior))
    .option(
      '--covariate <spec>',
      'a numeric per-battle covariate, NAME=EXPRESSION or a field path (repeatable): e.g. user_tokens=conv_metadata.sum_user_tokens, is_direct_battle, len=\'ratio(conv_metadata.sum_assistant_a_tokens, conv_metadata.sum_assistant_b_tokens)\' (filter syntax; standardised; docs/reference.md, Covariates)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--covariates-file <file>', 'covariates from a JSON spec file: {"covariates": [{"name", "expression"} | {"name", "a", "b"}]}')
    .option('--prior <lambda>', 'ridge prior λ on the natural scale, or "auto" (0 when the MLE exists, 0.01 otherwise)', priorArg, 'auto')
    .option('--tolerance <points>', 'convergence tolerance of likelihood fits, in rating points', positiveNumber, DEFAULT_MODEL.tolerance)
    .addOption(
      new Option('--solver <solver>', `Bradley–Terry and tie-model (Davidson, Rao–Kupper) linear algebra: dense Cholesky, sparse conjugate gradients on the pair cells (thousands of models), or auto (sparse from ${SPARSE_AUTO_MODELS} models when each meets at most a tenth of the others, from ${SPARSE_ALWAYS_MODELS} always); the same numbers to 1e-6 points`)
        .choices(['dense', 'sparse', 'auto'])
        .default('auto'),
    )
    .addOption(
      new Option('--reweight <scheme>', 'pairs: LMArena\'s inverse pair-frequency weights, a battle of pair {A, B} weighs 1/max(n_AB, --reweight-floor) (likelihood models; docs/methods.md, Weights)')
        .choices(['none', 'pairs'])
        .default('none'),
    )
    .option('--reweight-floor <n>', 'floor of the pair count in --reweight pairs (LMArena: 50)', numberIn(0, LIMITS.reweightFloor, true), DEFAULT_REWEIGHT_FLOOR);
}

const ModelCli = z.object({
  method: z.enum(['bt', 'elo']),
  k: z.number(),
  scale: z.number(),
  base: z.number(),
  initial: z.number(),
  anchor: z.string().optional(),
  ties: z.enum(['half', 'ignore', 'davidson', 'rao-kupper']),
  bothBad: z.enum(['tie', 'separate', 'ignore']),
  styleControl: z.boolean(),
  styleForm: z.enum(['lmarena', 'fastchat-2024']).default('lmarena'),
  stylePrior: z.number().optional(),
  prior: z.union([z.literal('auto'), z.number()]),
  tolerance: z.number(),
  solver: z.enum(['dense', 'sparse', 'auto']).default('auto'),
  reweight: z.enum(['none', 'pairs']).optional(),
  reweightFloor: z.number().optional(),
});

/**
 * Typed model options from commander's values, and the model they select.
 * @throws UsageError for a malformed `--anchor` or a combination without meaning (see `modelFor`)
 */
export function modelOptionsFrom(raw: Record<string, unknown>): { options: ModelOptions; model: RatingModel } {
  const o = ModelCli.parse(raw);
  let anchor = null;
  if (o.anchor !== undefined) {
    try {
      anchor = parseAnchor(o.anchor);
    } catch (e) {
      throw new UsageError(`option '--anchor <model=rating>': ${(e as Error).message}`);
    }
    if (!(Math.abs(anchor.rating) <= LIMITS.rating)) throw new UsageError(`option '--anchor <model=rating>': the rating must be within ±${LIMITS.rating.toExponential(0)}`);
  }
  const { anchor: _a, styleControl, stylePrior, styleForm, reweight: scheme, reweightFloor, solver, ...rest } = o;
  const covariates = covariatesFrom(raw);
  checkCovariateNames(covariates, styleControl ? STYLE_FEATURES : []);
  if (solver === 'sparse' && (o.method !== 'bt' || styleControl || covariates.length)) {
    throw new UsageError("option '--solver sparse' covers Bradley–Terry and the tie models (--ties half, ignore, davidson, rao-kupper); style control, covariates and online Elo solve dense (use --solver dense or auto)");
  }
  const reweight = scheme === 'pairs' ? { floor: reweightFloor ?? DEFAULT_REWEIGHT_FLOOR } : null;
  const options: ModelOptions = {
    ...rest,
    anchor,
    ...(styleControl ? { styleControl: true } : {}),
    ...(styleControl || covariates.length ? { styleForm, ...(stylePrior !== undefined ? { stylePrior } : {}) } : {}),
    ...(covariates.length ? { covariates } : {}),
    ...(reweight ? { reweight } : {}),
    ...(solver !== 'auto' ? { solver } : {}),
  };
  return { options, model: modelFor(options) };
}

/**
 * The covariates of `--covariate` (repeatable) then `--covariates-file`, in that order.
 * @throws UsageError for a malformed spec; InputError `file: field: reason` for an unreadable or malformed file
 */
export function covariatesFrom(raw: Record<string, unknown>): CovariateSpec[] {
  const specs = ((raw.covariate as string[] | undefined) ?? []).map(parseCovariateSpec);
  const file = raw.covariatesFile as string | undefined;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
    }
    specs.push(...parseCovariateFile(text, file));
  }
  return specs;
}

/** The model parameters echoed in JSON `params` (everything that changes a number). */
export function modelParams(o: ModelOptions): Record<string, unknown> {
  const p: Record<string, unknown> = { scale: o.scale, base: o.base, initial: o.initial, ties: o.ties, anchor: o.anchor ? { model: o.anchor.model, rating: o.anchor.rating } : null, bothBad: o.bothBad ?? 'tie' };
  if (o.styleControl) p.styleControl = true;
  if (o.styleControl || o.covariates?.length) {
    const form = o.styleForm ?? 'lmarena';
    p.styleForm = form;
    p.stylePrior = o.stylePrior ?? DEFAULT_FORM_PRIOR[form];
  }
  if (o.covariates?.length) p.covariates = o.covariates.map((c) => ({ name: c.name, expression: c.expression }));
  if (o.reweight) p.reweight = { floor: o.reweight.floor };
  else if (o.styleControl || o.covariates?.length) p.reweight = null;
  if (o.method === 'elo') p.k = o.k;
  else {
    p.prior = o.prior;
    p.tolerance = o.tolerance;
  }
  p.reweight = o.reweight ? { floor: o.reweight.floor } : null;
  return p;
}

/**
 * Interval options: `--ci-method --bootstrap --ci --bootstrap-quantiles --seed --threads --quiet`. One default
 * everywhere: sandwich intervals for likelihood models, none for online Elo, bootstrap when `--bootstrap N` is
 * given (see `resolveCiMethod`).
 */
export function addIntervalOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--ci-method <method>', 'intervals: sandwich (Huber–White, likelihood models, instant), bootstrap (percentiles of resampled refits), none (default: bootstrap with --bootstrap N, else sandwich; elo: none)').choices([
        'sandwich',
        'bootstrap',
        'none',
      ]),
    )
    .option('--bootstrap <rounds>', `bootstrap rounds; alone it means bootstrap intervals (--ci-method bootstrap without it: ${DEFAULT_BOOTSTRAP_ROUNDS})`, intIn(0, LIMITS.rounds), 0)
    .option('--ci <level>', 'interval level', level, 0.95)
    .addOption(
      new Option('--bootstrap-quantiles <estimator>', 'bootstrap quantiles: control (the linearised refit as a control variate, ~10× less Monte-Carlo error; bt, tie models, style control) or plain (type-7 sample quantiles)')
        .choices(['control', 'plain'])
        .default('control'),
    )
    .option('--seed <n>', 'random seed', seedArg, 42)
    .addOption(new Option('--threads <n>', 'worker threads for the bootstrap and, from 2,000 models on the sparse path, the sandwich intervals (never changes the result)').argParser(positiveInt).default(defaultThreads(), `all cores: ${defaultThreads()}`))
    .option('--quiet', 'no progress bar on stderr', false);
}

const IntervalCli = z.object({
  ciMethod: z.enum(['sandwich', 'bootstrap', 'none']).optional(),
  bootstrap: z.number(),
  ci: z.number(),
  bootstrapQuantiles: z.enum(['control', 'plain']),
  seed: z.union([z.string(), z.number()]),
  threads: z.number(),
  quiet: z.boolean().optional(),
});

/**
 * Typed interval options from commander's values for a model, with a progress bar (on a TTY, not `--quiet`);
 * `simultaneous` when the command declares {@link addSimultaneousRanksOption} and it is given.
 * @throws UsageError for `--ci-method sandwich` with a model without a likelihood, or `--simultaneous-ranks`
 *   without intervals (or from fewer than 2 bootstrap rounds)
 */
export function intervalOptionsFrom(io: CliIO, raw: Record<string, unknown>, model: RatingModel, label = 'bootstrap'): { options: IntervalOptions; progress: Progress } {
  const o = IntervalCli.parse(raw);
  const ciMethod = resolveCiMethod(o.ciMethod, o.bootstrap, model);
  if (ciMethod === 'sandwich' && !model.likelihood) {
    throw new UsageError('--ci-method sandwich needs a likelihood (--method bt); online Elo has intervals only from the bootstrap (--bootstrap N on rate, compare, matrix, report, plot)');
  }
  const rounds = ciMethod === 'bootstrap' && o.bootstrap === 0 ? DEFAULT_BOOTSTRAP_ROUNDS : o.bootstrap;
  // more threads than cores only costs memory (results never depend on the count): capped, with a warning
  const cores = defaultThreads();
  let threads = o.threads;
  if (threads > cores && rounds > 0) {
    io.stderr(`warning: --threads ${threads} is more than the ${cores} cores of this machine: using ${cores} (the result is the same for any count)\n`);
    threads = cores;
  }
  const simultaneous = raw.simultaneousRanks === true;
  if (simultaneous && ciMethod === 'none') throw new UsageError('--simultaneous-ranks needs the law of the rating gaps: intervals by the sandwich or --bootstrap N');
  if (simultaneous && ciMethod === 'bootstrap' && rounds < 2) throw new UsageError('--simultaneous-ranks from bootstrap intervals needs at least 2 rounds (--bootstrap N; 1,000 or more for a stable quantile)');
  const progress = progressBar(io, label, Boolean(o.quiet));
  const options: IntervalOptions = { ciMethod, rounds, level: o.ci, seed: o.seed, bootstrapQuantiles: o.bootstrapQuantiles, threads, onProgress: progress.update, ...(simultaneous ? { simultaneous } : {}) };
  return { options, progress };
}

/** The interval parameters echoed in JSON `params` (threads are left out: they never change the numbers). */
export function intervalParams(o: IntervalOptions): Record<string, unknown> {
  return { ciMethod: o.ciMethod, bootstrap: o.rounds, ci: o.level, seed: o.seed, bootstrapQuantiles: o.bootstrapQuantiles };
}

/** Declares all three groups on a battle-reading command. */
export function addBattleOptions(cmd: Command, sortDefault: 'input' | 'tstamp' = 'input'): Command {
  return addIntervalOptions(addInputOptions(addModelOptions(cmd), sortDefault));
}

/** The typed model and interval options of a battle-reading command. */
export function battleOptionsFrom(io: CliIO, raw: Record<string, unknown>, label?: string): { model: RatingModel; modelOptions: ModelOptions; intervals: IntervalOptions; progress: Progress } {
  const { options, model } = modelOptionsFrom(raw);
  const { options: intervals, progress } = intervalOptionsFrom(io, raw, model, label);
  return { model, modelOptions: options, intervals, progress };
}

/**
 * Reads the battles, fits the selected model and adds intervals (progress bar on a TTY, stopped even on error):
 * the core of every command that rates battles. O(read + fit + intervals).
 */
export async function rateInput(io: CliIO, files: string[], o: Record<string, unknown>, opts: { model: RatingModel; modelOptions: ModelOptions; intervals: IntervalOptions; progress: Progress }, keepTstamp = true): Promise<RatedBoard> {
  if (fitsInDatabase(files, o, opts.modelOptions)) return rateInDuckDB(io, files, o, opts);
  const t = await loadInput(io, files, o, keepTstamp);
  checkAnchor(t, opts.modelOptions);
  try {
    return await addIntervals(opts.model.fit(t, opts.modelOptions), opts.model, opts.intervals);
  } finally {
    opts.progress.stop();
  }
}

/**
 * `--simultaneous-ranks` (`rate`, `report`): rank intervals holding for every shown model at once at the `--ci`
 * level, beside the per-model ones (see `simultaneousRanks`); read by {@link intervalOptionsFrom}.
 */
export function addSimultaneousRanksOption(cmd: Command): Command {
  return cmd.option('--simultaneous-ranks', 'add rank intervals that hold for all shown models at once at the --ci level (max-statistic over every pairwise gap, from the sandwich or the bootstrap rounds)');
}

/** Display options of the commands that print a leaderboard (`rate`, `report`): LMArena's display rules. */
export function addDisplayOptions(cmd: Command): Command {
  const collect = (v: string, prev: string[] = []) => [...prev, v];
  return cmd
    .option('--min-votes <n>', 'hide models with fewer battles than this (kept in the fit; LMArena\'s category boards use 300)', nonNegativeInt, 0)
    .option('--deprecated <model>', 'a deprecated model: shown and flagged, kept in the fit, left out of the other models\' ranks (repeatable)', collect)
    .option('--deprecated-file <file>', 'deprecated models, one name per line')
    .option('--delta <board.json>', 'add Δ = rank here − rank on this board (the JSON of `arena rate --format json`, e.g. the overall board)')
    .addOption(new Option('--interval-style <style>', 'intervals as bounds (1480.2 – 1503.9) or as +x / −y').choices(['bounds', 'plusminus']).default('bounds'));
}

/** The display rules the options ask for ({@link addDisplayOptions}). @throws InputError for an unreadable or bad file */
export function displayRulesFrom(raw: Record<string, unknown>): DisplayRules & { active: boolean } {
  const deprecated = [...((raw.deprecated as string[] | undefined) ?? []), ...(raw.deprecatedFile ? readModelList(raw.deprecatedFile as string) : [])];
  const reference = raw.delta ? readReferenceBoard(raw.delta as string) : undefined;
  const minVotes = (raw.minVotes as number | undefined) ?? 0;
  const intervalStyle = (raw.intervalStyle as IntervalStyle | undefined) ?? 'bounds';
  return { minVotes, deprecated, reference, intervalStyle, active: minVotes > 0 || deprecated.length > 0 || Boolean(reference) || intervalStyle !== 'bounds' };
}

/**
 * Whether the options' fit surely takes the sparse path for m models (before the pairs are known): Bradley–Terry
 * or a tie model (any --ties), no style control or covariates, `--solver sparse`, or `auto` from `SPARSE_ALWAYS_MODELS`. O(1).
 */
function sparseFit(raw: Record<string, unknown>, m: number, covariates: boolean): boolean {
  const bt = raw.method !== 'elo' && !raw.styleControl && !covariates;
  return bt && resolveSolver(raw.solver as SolverChoice | undefined, m) === 'sparse';
}

/** Models above which the dense likelihood fit earns an up-front cost warning. */
export const DENSE_WARN_MODELS = 2_000;

/**
 * An up-front estimate for boards with many models (the likelihood fits hold dense m×m matrices, O(m²) memory,
 * and factor them, O(m³) time): about 6 matrices of 8·m² bytes, and about 4m³ multiply-adds per fit with its
 * sandwich at ~1.5 GFlop/s (this machine's dense kernels, bench/README.md). Null below {@link DENSE_WARN_MODELS}
 * models, for online Elo (O(battles)) or for a fit on the sparse path (`sparse`: no m×m matrix). O(1).
 */
export function denseCostWarning(models: number, elo: boolean, sparse = false): string | null {
  if (elo || sparse || models <= DENSE_WARN_MODELS) return null;
  const bytes = 6 * 8 * models * models;
  const seconds = (4 * models ** 3) / 1.5e9;
  const gib = bytes / 2 ** 30;
  const time = seconds < 120 ? `${Math.round(seconds)} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;
  return `${models.toLocaleString('en-US')} models: the likelihood fit holds dense ${models.toLocaleString('en-US')}×${models.toLocaleString('en-US')} matrices (about ${gib < 10 ? gib.toFixed(1) : Math.round(gib)} GiB) and takes O(m³) time (about ${time} for the fit and its sandwich here, more with bootstrap rounds or replays); online Elo (--method elo) is O(battles).`;
}
