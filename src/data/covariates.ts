import { InputError, UsageError } from '../errors.js';
import { type BattleFilter, compileNumeric, type FilterLeaves, type NumericExpression, testRowBy } from './filter.js';

/**
 * A covariate: a numeric per-battle value entering the logit gap as β·x (after standardisation), named for the
 * report. `expression` is a numeric expression in the filter language over the row's fields: a field
 * (`is_direct_battle`, `conv_metadata.sum_user_tokens`), arithmetic on fields
 * (`conv_metadata.sum_assistant_a_tokens - conv_metadata.sum_assistant_b_tokens`), or a side pair
 * `ratio(a_field, b_field)` = (a − b)/(a + b) (0 when both are 0).
 */
export interface CovariateSpec {
  readonly name: string;
  readonly expression: string;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Parses one `--covariate` value: `NAME=EXPRESSION`, or a bare field path (named after itself). The expression is
 * compiled here, so a syntax or type error is a usage error at once.
 * @throws UsageError for an empty or malformed spec
 */
export function parseCovariateSpec(text: string): CovariateSpec {
  const at = text.indexOf('=');
  // `==` belongs to an expression, not to a NAME= prefix
  const named = at > 0 && text[at + 1] !== '=' && NAME_RE.test(text.slice(0, at).trim());
  const name = named ? text.slice(0, at).trim() : text.trim();
  const expression = named ? text.slice(at + 1).trim() : text.trim();
  if (!expression) throw new UsageError(`covariate ${JSON.stringify(text)}: empty expression (expected NAME=EXPRESSION or a field path)`);
  compileNumeric(expression);
  return { name, expression };
}

/**
 * Parses a covariate spec file (JSON): `{ "covariates": [ { "name": "user_tokens", "expression":
 * "conv_metadata.sum_user_tokens" }, { "name": "length", "a": "conv_metadata.sum_assistant_a_tokens", "b":
 * "conv_metadata.sum_assistant_b_tokens" } ] }`. A side pair `a`/`b` stands for `ratio(a, b)`; `field` is accepted for
 * `expression`. `file` names the file in messages.
 * @throws InputError `file: field: reason` for a malformed file
 */
export function parseCovariateFile(text: string, file: string): CovariateSpec[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file, field: '(json)' });
  }
  const list = Array.isArray(doc) ? doc : (doc as { covariates?: unknown } | null)?.covariates;
  if (!Array.isArray(list) || list.length === 0) throw new InputError('expected {"covariates": [ … ]} with at least one covariate', { file, field: 'covariates' });
  return list.map((c: unknown, i): CovariateSpec => {
    const field = `covariates[${i}]`;
    if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new InputError('must be an object {name, expression} or {name, a, b}', { file, field });
    const o = c as Record<string, unknown>;
    const str = (k: string) => (typeof o[k] === 'string' && (o[k] as string).trim() !== '' ? (o[k] as string).trim() : undefined);
    const expr = str('expression') ?? str('field') ?? (str('a') && str('b') ? `ratio(${str('a')}, ${str('b')})` : undefined);
    if (!expr) throw new InputError('needs "expression" (or "field"), or the side pair "a" and "b"', { file, field });
    const name = str('name') ?? expr;
    try {
      compileNumeric(expr);
    } catch (e) {
      throw new InputError((e as Error).message, { file, field: `${field}.expression` });
    }
    return { name, expression: expr };
  });
}

/** Checks that covariate names are distinct (and distinct from the style features when both are used). */
export function checkCovariateNames(specs: readonly CovariateSpec[], taken: readonly string[] = []): void {
  const seen = new Set(taken);
  for (const s of specs) {
    if (seen.has(s.name)) throw new UsageError(`covariate name ${s.name} is used twice`);
    seen.add(s.name);
  }
}

/**
 * A reader-side filter that also computes the covariates of every kept row into `out` (one value per spec), for the
 * table builder to store with the row: the readers extract only the top-level fields it reads (the filter's and the
 * covariates'), decode them in place (objects by `JSON.parse` of their own text) and never build the row object.
 * A row the inner filter rejects is not evaluated. A missing field, a value that is not a number, or a non-finite
 * result throws `FilterFieldError` (the readers add file and line).
 */
export function covariateFilter(inner: BattleFilter | null, specs: readonly CovariateSpec[], out: Float64Array): BattleFilter {
  const exprs: NumericExpression[] = specs.map((s) => compileNumeric(s.expression));
  const keys: string[] = [...(inner?.keys ?? [])];
  const slotOf = (k: string) => {
    const i = keys.indexOf(k);
    return i >= 0 ? i : keys.push(k) - 1;
  };
  const innerSlots = Int32Array.from(inner?.keys ?? [], slotOf);
  const exprSlots = exprs.map((e) => Int32Array.from(e.keys, slotOf));
  const innerVals = new Array<unknown>(innerSlots.length);
  const exprVals = exprs.map((e) => new Array<unknown>(e.keys.length));
  const fields = new Map(inner?.fields ?? []);
  for (const e of exprs) for (const [k, t] of e.fields) if (!fields.has(k)) fields.set(k, t);
  const run = (values: readonly unknown[], csv: boolean): boolean => {
    if (inner) {
      for (let i = 0; i < innerSlots.length; i++) innerVals[i] = values[innerSlots[i]!];
      if (!(csv ? inner.testCsv(innerVals) : inner.test(innerVals))) return false;
    }
    for (let j = 0; j < exprs.length; j++) {
      const sl = exprSlots[j]!;
      const v = exprVals[j]!;
      for (let i = 0; i < sl.length; i++) v[i] = values[sl[i]!];
      out[j] = csv ? exprs[j]!.valueCsv(v) : exprs[j]!.value(v);
    }
    return true;
  };
  return {
    expression: inner?.expression ?? '',
    keys,
    fields,
    leaves: leavesOf(inner, exprs, out),
    test: (values) => run(values, false),
    testCsv: (values) => run(values, true),
    testRow: testRowBy(keys, run),
  };
}

/**
 * The {@link FilterLeaves} of a covariate filter: the union of the expressions' field paths, and a `compute` that
 * hands each expression its numbers; undefined when some expression reads more than numbers at paths.
 */
function leavesOf(inner: BattleFilter | null, exprs: readonly NumericExpression[], out: Float64Array): FilterLeaves | undefined {
  if (exprs.some((e) => e.leaves === null)) return undefined;
  const paths: (readonly string[])[] = [];
  const same = (p: readonly string[], q: readonly string[]) => p.length === q.length && p.every((x, i) => x === q[i]);
  const slots = exprs.map((e) =>
    Int32Array.from(e.leaves!, (path) => {
      const i = paths.findIndex((q) => same(q, path));
      return i >= 0 ? i : paths.push(path) - 1;
    }),
  );
  // a path that is a prefix of another cannot hold a number at both: leave such covariates to `test`
  if (paths.some((p) => paths.some((q) => q.length > p.length && same(p, q.slice(0, p.length))))) return undefined;
  const args = exprs.map((e) => new Float64Array(e.leaves!.length));
  return {
    inner,
    paths,
    out,
    // a covariate that is one field path and nothing else (`conv_metadata.sum_user_tokens`, `is_direct`)
    direct: Int32Array.from(exprs, (e, j) => (e.bare ? slots[j]![0]! : -1)),
    compute(leaves: Float64Array): void {
      for (let j = 0; j < exprs.length; j++) {
        const sl = slots[j]!;
        const a = args[j]!;
        for (let i = 0; i < sl.length; i++) a[i] = leaves[sl[i]!]!;
        out[j] = exprs[j]!.valueLeaves(a);
      }
    },
  };
}

