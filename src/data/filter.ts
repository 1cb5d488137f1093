import jsep from 'jsep';
import { UsageError } from '../errors.js';

/**
 * Battle filters: one small typed expression language over a battle row's fields, parsed by jsep (a maintained
 * expression parser that only builds a syntax tree, https://github.com/EricSmekens/jsep) and compiled here into
 * closures: no `eval`, no `Function`, no property lookup outside the row's own fields.
 *
 * ```
 * anony and language == "English"
 * language in ["Japanese", "Korean"] and not (winner == "tie (bothbad)")
 * count(category_tag["criteria_v0.1"]) >= 6                    (LMArena's "hard prompts": ≥ 6 of 7 criteria)
 * tstamp >= date("2024-05-01") and tstamp < date("2024-06-01")  (a time window, UTC)
 * exists(dedup_tag) and dedup_tag.sampled
 * ```
 * The full syntax and semantics (types, missing fields, null) are in docs/reference.md, section "Filters".
 */

/** Value of a top-level field that the row does not have (the row lacks the key: an unknown field). */
export const MISSING: unique symbol = Symbol('missing field');

/** The static type a filter gives a field, from the way it uses it. `any`: only compared with other fields or tested by `exists`. */
export type FilterFieldType = 'string' | 'number' | 'boolean' | 'object' | 'any';

/**
 * A problem with one row's field met while filtering: the field is unknown (the row has no such key), or its value
 * does not have the type the filter uses it as. The readers add the file and line.
 */
export class FilterFieldError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'FilterFieldError';
  }
}

/** A compiled battle filter (see {@link compileFilter}). */
export interface BattleFilter {
  /** The expression as given. */
  readonly expression: string;
  /**
   * The top-level fields the filter reads, in slot order: a reader extracts only these from each row and passes
   * them to {@link test} in this order ({@link MISSING} where the row lacks the key).
   */
  readonly keys: readonly string[];
  /** Every field path the filter reads, as written in messages (`category_tag.criteria_v0.1`), with its type. */
  readonly fields: ReadonlyMap<string, FilterFieldType>;
  /**
   * Whether a row with these top-level values (JSON values: strings, numbers, booleans, null, objects, arrays) is
   * kept. O(size of the expression).
   * @throws FilterFieldError for an unknown field or a value of the wrong type
   */
  test(values: readonly unknown[]): boolean;
  /**
   * The same for a CSV row, whose values are the cells' text: an empty cell is null, a field the filter uses as a
   * number, boolean or object is converted from its text (`12.5`, `true`/`false`/`True`/`False`, JSON `{…}`).
   * @throws FilterFieldError as {@link test}
   */
  testCsv(values: readonly unknown[]): boolean;
  /** Whether a parsed row object is kept (its own properties are the fields; `csv`: values are CSV cells). */
  testRow(row: Readonly<Record<string, unknown>>, csv?: boolean): boolean;
  /**
   * The covariates' part of a filter that also computes covariates (`covariateFilter`), when every covariate reads
   * numbers at field paths only: a byte reader may then test `inner` on its own keys and, for the rows it keeps,
   * find the numbers at `paths` itself and call `compute`, instead of decoding the covariates' top-level values.
   */
  readonly leaves?: FilterLeaves | undefined;
}

/** See {@link BattleFilter.leaves}. */
export interface FilterLeaves {
  /** The filter proper (without the covariates), or null. */
  readonly inner: BattleFilter | null;
  /** The field paths of every number the covariates read (top-level key first), each once. */
  readonly paths: readonly (readonly string[])[];
  /**
   * Computes the covariates of a kept row from the numbers at {@link paths} (in that order) into {@link out}, as
   * `test` would.
   * @throws FilterFieldError for a result that is not finite
   */
  compute(leaves: Float64Array): void;
  /** The covariate scratch array `compute` fills (one value per covariate). */
  readonly out: Float64Array;
  /**
   * Per covariate, the index in {@link paths} of its number when the covariate is that number itself (a bare
   * field path: a reader may copy it, checking that it is finite, without calling `compute`), else −1.
   */
  readonly direct: Int32Array;
}

/**
 * The `testRow` of a filter whose `run(values, csv)` reads the values of `keys` in slot order: a parsed row's own
 * properties, {@link MISSING} where it lacks one.
 */
export function testRowBy(keys: readonly string[], run: (values: readonly unknown[], csv: boolean) => boolean): BattleFilter['testRow'] {
  return (row, csv = false) =>
    run(
      keys.map((k) => (Object.hasOwn(row, k) ? row[k] : MISSING)),
      csv,
    );
}

type Expr = jsep.Expression;
type Ev = (v: readonly unknown[]) => unknown;
/** Static types of expressions: a field's type may still be open (`any`) while it is only compared with fields. */
type T = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'any';

let configured = false;
/** Adds the word operators to jsep once (jsep keeps its operator table per process). */
function configureJsep(): void {
  if (configured) return;
  jsep.addBinaryOp('or', 1);
  jsep.addBinaryOp('and', 2);
  jsep.addBinaryOp('in', 7);
  jsep.addUnaryOp('not');
  configured = true;
}

/** Accepted binary operators by kind. */
const LOGICAL: Readonly<Record<string, 'and' | 'or'>> = { and: 'and', '&&': 'and', or: 'or', '||': 'or' };
const EQUALITY = new Set(['==', '!=']);
const ORDER = new Set(['<', '<=', '>', '>=']);
const ARITH = new Set(['+', '-', '*', '/', '%']);
const FUNCTIONS = ['exists', 'count', 'date', 'ratio'];

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Seconds since 1970-01-01 UTC of an ISO 8601 date (`2024-05-01`) or date-time (`2024-05-01T12:00`,
 * `2024-05-01T12:00:00Z`, `…+02:00`); without a zone it is UTC. `null` for anything else.
 */
export function isoSeconds(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const iso = m[4] === undefined ? `${text}T00:00:00Z` : m[7] === undefined ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T');
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls over impossible days (2024-02-30); refuse them
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return null;
  return ms / 1000;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

const CSV_NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** A field value checked against (and for CSV converted to) its static type; null stays null. */
function typed(v: unknown, type: FilterFieldType, field: string, csv: boolean): unknown {
  if (v === null) return null;
  if (csv && typeof v === 'string') {
    if (v === '') return null;
    if (type === 'number') {
      if (CSV_NUMBER.test(v)) return Number(v);
    } else if (type === 'boolean') {
      if (v === 'true' || v === 'True') return true;
      if (v === 'false' || v === 'False') return false;
    } else if (type === 'object') {
      if (v.trimStart().startsWith('{')) {
        try {
          return typed(JSON.parse(v), type, field, false);
        } catch {
          // reported below
        }
      }
    } else return v;
  }
  switch (type) {
    case 'any':
      if (typeof v === 'object') throw new FilterFieldError(field, `is ${describe(v)}; the filter compares it as a string, number or boolean`);
      return v;
    case 'object':
      if (typeof v !== 'object' || Array.isArray(v)) throw new FilterFieldError(field, `must be an object (the filter counts its true values), got ${describe(v)}`);
      return v;
    default:
      if (typeof v !== type) throw new FilterFieldError(field, `must be a ${type} (as the filter uses it), got ${describe(v)}`);
      return v;
  }
}

/** A field reference: its top-level key and the path below it. */
export interface FieldRef {
  readonly key: string;
  readonly rest: readonly string[];
  readonly text: string;
}

/** The field a syntax-tree node names (`a`, `a.b`, `a["c.d"]`), or null when the node is not a field. */
export function fieldRef(node: Expr): FieldRef | null {
  const segs: string[] = [];
  let n: Expr = node;
  while (n.type === 'MemberExpression') {
    const m = n as jsep.MemberExpression;
    if (m.optional) return null;
    const p = m.property;
    if (!m.computed && p.type === 'Identifier') segs.push((p as jsep.Identifier).name);
    else if (m.computed && p.type === 'Literal' && typeof (p as jsep.Literal).value === 'string') segs.push((p as jsep.Literal).value as string);
    else return null;
    n = m.object;
  }
  if (n.type !== 'Identifier') return null;
  const key = (n as jsep.Identifier).name;
  segs.reverse();
  return { key, rest: segs, text: [key, ...segs].join('.') };
}

/**
 * Compiles a filter expression. Grammar (jsep's, with the operators below):
 * - fields: `name`, `a.b.c`, `a["key with . or spaces"]` (top-level keys and nested object keys of the row)
 * - literals: strings `"…"`/`'…'`, numbers, `true`, `false`, `null`, lists `[l1, l2, …]` (after `in` only)
 * - `==  !=  <  <=  >  >=`, `x in [..]`, `and or not` (also `&& || !`), `+ - * / %` on numbers, parentheses
 * - functions: `exists(field)`, `count(objectField)` / `count(b1, b2, …)`, `date("2024-05-01")` (seconds, UTC)
 *
 * Every field gets one static type from its uses (compared with a string → string, used in `and` → boolean, …);
 * a field used as two types, a list mixing types, or a non-boolean filter is an error here, not on the data.
 * O(length of the expression).
 *
 * @throws UsageError `filter: reason` for a syntax or type error
 */
export function compileFilter(expression: string): BattleFilter {
  const c = compile(expression, 'boolean');
  return { expression, keys: c.keys, fields: c.fields, test: (v) => c.json(v) as boolean, testCsv: (v) => c.csv()(v) as boolean, testRow: c.testRow as BattleFilter['testRow'] };
}

/**
 * A filter's syntax tree (jsep's) beside its compiled form, for translators of the language into another one
 * (`filter-sql.ts`): the tree is the one {@link compileFilter} accepted, so its types are already checked.
 * @throws UsageError as {@link compileFilter}
 */
export function parseFilter(expression: string): { readonly filter: BattleFilter; readonly ast: jsep.Expression } {
  const filter = compileFilter(expression);
  return { filter, ast: jsep(expression) };
}

/** A compiled numeric expression over a battle row's fields (see {@link compileNumeric}). */
export interface NumericExpression {
  readonly expression: string;
  /** Top-level fields read, in slot order (as {@link BattleFilter.keys}). */
  readonly keys: readonly string[];
  readonly fields: ReadonlyMap<string, FilterFieldType>;
  /**
   * The value on a row's top-level values (JSON values), a finite number.
   * @throws FilterFieldError for an unknown field, a value of the wrong type, null, or a result that is not finite
   */
  value(values: readonly unknown[]): number;
  /** The same on CSV cells. */
  valueCsv(values: readonly unknown[]): number;
  /** The same on a parsed row object. */
  valueRow(row: Readonly<Record<string, unknown>>, csv?: boolean): number;
  /**
   * The field paths read (top-level key first), when every field the expression reads is a number reached by a
   * path of object keys (no `exists`, no `count`): a reader may then hand over the numbers at those paths alone,
   * in this order, to {@link valueLeaves}, instead of the top-level values. Null otherwise.
   */
  readonly leaves: readonly (readonly string[])[] | null;
  /** Whether the expression is one field path and nothing else (its value is the number there). */
  readonly bare: boolean;
  /**
   * The value from the numbers at {@link leaves} (as read from the row, present and numbers); same result and
   * errors as {@link value} on such a row.
   * @throws Error when the expression has no leaves; FilterFieldError for a result that is not finite
   */
  valueLeaves(leaves: ArrayLike<number>): number;
}

/**
 * Compiles a numeric expression in the filter language (fields, numbers, `+ - * / %`, `date(…)`, `count(…)`,
 * `ratio(a, b)` = (a − b)/(a + b), 0 when a + b = 0): the covariates of `--covariate`. Same grammar and typing as
 * {@link compileFilter}, but the expression must be a number. A row where it is null (a null field) or not finite
 * (a division by zero) is an error, named after the expression's first field.
 *
 * @throws UsageError `covariate "…": reason` for a syntax or type error
 */
export function compileNumeric(expression: string, what = 'covariate'): NumericExpression {
  const c = compile(expression, 'number', what);
  const first = [...c.fields.keys()][0] ?? expression;
  const check = (x: unknown): number => {
    if (typeof x !== 'number') throw new FilterFieldError(first, `is ${describe(x)}; the ${what} ${JSON.stringify(expression)} needs a number`);
    if (!Number.isFinite(x)) throw new FilterFieldError(first, `gives ${x} in the ${what} ${JSON.stringify(expression)} (not a finite number)`);
    return x;
  };
  const leafEv = c.leafPaths ? c.leaf() : null;
  return {
    expression,
    keys: c.keys,
    fields: c.fields,
    value: (v) => check(c.json(v)),
    valueCsv: (v) => check(c.csv()(v)),
    valueRow: (row, csv = false) => check(c.testRow(row, csv)),
    leaves: c.leafPaths,
    bare: c.bare,
    valueLeaves(leaves) {
      if (!leafEv) throw new Error(`the ${what} ${JSON.stringify(expression)} does not read numbers at field paths only`);
      return check(leafEv(leaves as readonly unknown[]));
    },
  };
}

/** The value of a string or number literal, `-literal` or `date("…")`; null for anything else. */
function constantOf(n: Expr): string | number | null {
  if (n.type === 'Literal') {
    const v = (n as jsep.Literal).value;
    return typeof v === 'string' || typeof v === 'number' ? v : null;
  }
  if (n.type === 'UnaryExpression' && (n as jsep.UnaryExpression).operator === '-') {
    const a = (n as jsep.UnaryExpression).argument;
    return a.type === 'Literal' && typeof (a as jsep.Literal).value === 'number' ? -((a as jsep.Literal).value as number) : null;
  }
  if (n.type === 'CallExpression') {
    const c = n as jsep.CallExpression;
    if (c.callee.type === 'Identifier' && (c.callee as jsep.Identifier).name === 'date' && c.arguments.length === 1 && c.arguments[0]!.type === 'Literal') {
      const v = (c.arguments[0] as jsep.Literal).value;
      return typeof v === 'string' ? isoSeconds(v) : null;
    }
  }
  return null;
}

function compile(expression: string, want: 'boolean' | 'number', what = 'filter') {
  configureJsep();
  const fail = (reason: string): never => {
    throw new UsageError(`${what} ${JSON.stringify(expression)}: ${reason}`);
  };
  if (expression.trim() === '') fail('empty expression');
  // the parser knows only the escapes \n \r \t \b \f \v \\ \" \' in strings and silently drops the backslash of
  // any other (\u0041 would read as "u0041"): refuse those rather than match the wrong text
  for (let k = 0, quote = ''; k < expression.length; k++) {
    const c = expression[k]!;
    if (quote) {
      if (c === '\\') {
        const next = expression[k + 1] ?? '';
        if (!'nrtbfv\\"\''.includes(next) || next === '') fail(`the escape \\${next} is not supported in a filter string (only \\n \\r \\t \\b \\f \\v \\\\ \\" \\'): write the character itself`);
        k++;
      } else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
  }
  let ast: Expr;
  try {
    ast = jsep(expression);
  } catch (e) {
    return fail((e as Error).message);
  }
  const keys: string[] = [];
  const fieldTypes = new Map<string, FilterFieldType>();
  const slot = (key: string) => {
    const k = keys.indexOf(key);
    return k >= 0 ? k : keys.push(key) - 1;
  };

  // Pass 1: static types of fields, from every use (a fixed point: `a == b` and `b == "x"` make a a string too).
  const constrain = (f: FieldRef, t: T): void => {
    if (t === 'any' || t === 'null') {
      if (!fieldTypes.has(f.text)) fieldTypes.set(f.text, 'any');
      return;
    }
    const had = fieldTypes.get(f.text);
    if (had === undefined || had === 'any') fieldTypes.set(f.text, t);
    else if (had !== t) fail(`field ${f.text} is used both as a ${had} and as a ${t}`);
  };
  const literalType = (v: unknown): T => (v === null ? 'null' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : fail(`unsupported literal ${String(v)}`));
  /** The static type of a node given the field types so far, constraining fields by `want`. */
  const infer = (n: Expr, want: T): T => {
    const f = fieldRef(n);
    if (f) {
      constrain(f, want);
      return fieldTypes.get(f.text)!;
    }
    switch (n.type) {
      case 'Literal':
        return literalType((n as jsep.Literal).value);
      case 'UnaryExpression': {
        const u = n as jsep.UnaryExpression;
        if (u.operator === 'not' || u.operator === '!') return infer(u.argument, 'boolean'), 'boolean';
        if (u.operator === '-' || u.operator === '+') return infer(u.argument, 'number'), 'number';
        return fail(`unsupported operator ${u.operator}`);
      }
      case 'BinaryExpression': {
        const b = n as jsep.BinaryExpression;
        const op = b.operator;
        if (LOGICAL[op]) {
          infer(b.left, 'boolean');
          infer(b.right, 'boolean');
          return 'boolean';
        }
        if (EQUALITY.has(op) || ORDER.has(op)) {
          const l = infer(b.left, 'any');
          const r = infer(b.right, l === 'null' ? 'any' : l);
          const l2 = infer(b.left, r === 'null' ? 'any' : r);
          if (ORDER.has(op) && (l2 === 'null' || r === 'null')) fail(`${op} cannot compare with null`);
          if (ORDER.has(op) && (l2 === 'boolean' || l2 === 'object' || r === 'boolean' || r === 'object')) fail(`${op} compares numbers or strings`);
          if (l2 !== r && l2 !== 'any' && r !== 'any' && l2 !== 'null' && r !== 'null') {
            fail(`${op} compares a ${l2} with a ${r}${b.left.type === 'UnaryExpression' ? ' ("not" binds tighter than comparisons: write not (a == b))' : ''}`);
          }
          return 'boolean';
        }
        if (op === 'in') {
          if (b.right.type !== 'ArrayExpression') fail('"in" needs a list of literals on its right: x in ["a", "b"]');
          const els = (b.right as jsep.ArrayExpression).elements;
          let et: T = 'null';
          for (const e of els) {
            if (!e || e.type !== 'Literal') return fail('"in" needs a list of literals on its right: x in ["a", "b"]');
            const t = literalType((e as jsep.Literal).value);
            if (t === 'null') continue;
            if (et !== 'null' && et !== t) fail('the list after "in" mixes types');
            et = t;
          }
          const l = infer(b.left, et === 'null' ? 'any' : et);
          if (l === 'object') fail('"in" compares a string, number or boolean with a list');
          return 'boolean';
        }
        if (ARITH.has(op)) {
          infer(b.left, 'number');
          infer(b.right, 'number');
          return 'number';
        }
        if (op === '===' || op === '!==') return fail(`use ${op.slice(0, 2)} (comparisons are already strict: no conversion between types)`);
        return fail(`unsupported operator ${op}`);
      }
      case 'CallExpression': {
        const c = n as jsep.CallExpression;
        const name = c.callee.type === 'Identifier' ? (c.callee as jsep.Identifier).name : '';
        const args = c.arguments;
        if (name === 'exists') {
          if (args.length !== 1 || !fieldRef(args[0]!)) fail('exists takes one field: exists(language)');
          constrain(fieldRef(args[0]!)!, 'any');
          return 'boolean';
        }
        if (name === 'date') {
          const a = args[0];
          if (args.length !== 1 || a?.type !== 'Literal' || typeof (a as jsep.Literal).value !== 'string') fail('date takes one string: date("2024-05-01")');
          if (isoSeconds((a as jsep.Literal).value as string) === null) fail(`date(${(a as jsep.Literal).raw}): not an ISO 8601 date (2024-05-01 or 2024-05-01T12:00:00Z)`);
          return 'number';
        }
        if (name === 'ratio') {
          if (args.length !== 2) fail('ratio takes two numbers: ratio(a, b) = (a − b)/(a + b)');
          infer(args[0]!, 'number');
          infer(args[1]!, 'number');
          return 'number';
        }
        if (name === 'count') {
          if (args.length === 0) fail('count takes an object field, or two or more booleans');
          if (args.length === 1) {
            const f = fieldRef(args[0]!);
            if (!f) fail('count(x) takes an object field: count(category_tag["criteria_v0.1"])');
            constrain(f!, 'object');
          } else for (const a of args) infer(a, 'boolean');
          return 'number';
        }
        return fail(`unknown function ${name || '(expression)'} (functions: ${FUNCTIONS.join(', ')})`);
      }
      case 'ArrayExpression':
        return fail('a list may only follow "in"');
      case 'MemberExpression':
        return fail('field paths use names and quoted keys only: a.b["c.d"]');
      case 'Compound':
        return fail('one expression only (join conditions with and/or)');
      default:
        return fail(`unsupported expression (${n.type})`);
    }
  };
  // two passes so that a type learnt late reaches earlier uses (`a == b and b == "x"`)
  const top = infer(ast, want);
  infer(ast, want);
  if (want === 'boolean' && top !== 'boolean') fail('the filter must be a condition (true or false), not a value');
  if (want === 'number' && top !== 'number') fail('must be a number (a field, or arithmetic on fields), not a condition');

  // Pass 2: closures, one for JSON values and one for CSV cells (and, for numeric expressions over number fields
  // only, one over the numbers at the fields' paths: `leaf`).
  const leafPaths: FieldRef[] = [];
  let leafable = want === 'number';
  const build = (csv: boolean, leaf = false): Ev => {
    const field = (f: FieldRef): Ev => {
      if (leaf) {
        let q = leafPaths.findIndex((l) => l.text === f.text && l.key === f.key && l.rest.length === f.rest.length && l.rest.every((x, i) => x === f.rest[i]));
        if (q < 0) q = leafPaths.push(f) - 1;
        if (fieldTypes.get(f.text) !== 'number') leafable = false;
        return (v) => v[q];
      }
      const k = slot(f.key);
      const type = fieldTypes.get(f.text)!;
      const { rest, text } = f;
      return (v) => {
        let x = v[k];
        if (x === MISSING) throw new FilterFieldError(f.key, 'unknown field (this row has no such field)');
        if (rest.length) {
          if (csv && typeof x === 'string' && x.trimStart().startsWith('{')) {
            try {
              x = JSON.parse(x);
            } catch {
              // reported below
            }
          }
          for (let i = 0; i < rest.length; i++) {
            if (x === null) return null;
            if (typeof x !== 'object' || Array.isArray(x)) {
              throw new FilterFieldError([f.key, ...rest.slice(0, i)].join('.'), `must be an object (the filter reads ${text} inside it), got ${describe(x)}`);
            }
            const o = x as Record<string, unknown>;
            if (!Object.hasOwn(o, rest[i]!)) throw new FilterFieldError(text, 'unknown field (this row has no such field)');
            x = o[rest[i]!];
          }
        }
        return typed(x, type, text, csv);
      };
    };
    const bool = (e: Ev, what: string): Ev => (v) => {
      const x = e(v);
      if (typeof x === 'boolean') return x;
      throw new FilterFieldError(what, `is ${describe(x)}; the filter uses it as a condition (compare it: ${what} == true)`);
    };
    const textOf = (n: Expr): string => fieldRef(n)?.text ?? expression;
    /** A top-level field (no path) compared with a constant of the field's type: the field's slot and the constant. */
    const fieldVsConstant = (bn: jsep.BinaryExpression): { k: number; c: string | number } | null => {
      if (!EQUALITY.has(bn.operator) && !ORDER.has(bn.operator)) return null;
      const f = fieldRef(bn.left);
      if (!f || f.rest.length) return null;
      const c = constantOf(bn.right);
      if (c === null || fieldTypes.get(f.text) !== typeof c) return null;
      return { k: slot(f.key), c };
    };
    const ev = (n: Expr): Ev => {
      const f = fieldRef(n);
      if (f) return field(f);
      switch (n.type) {
        case 'Literal': {
          const c = (n as jsep.Literal).value;
          return () => c;
        }
        case 'UnaryExpression': {
          const u = n as jsep.UnaryExpression;
          const a = ev(u.argument);
          if (u.operator === 'not' || u.operator === '!') {
            const b = bool(a, textOf(u.argument));
            return (v) => !b(v);
          }
          if (u.operator === '-') return (v) => {
            const x = a(v) as number | null;
            return x === null ? null : -x;
          };
          return a;
        }
        case 'BinaryExpression': {
          const bn = n as jsep.BinaryExpression;
          const op = bn.operator;
          if (op === 'in') {
            const set = new Set((bn.right as jsep.ArrayExpression).elements.map((e) => (e as jsep.Literal).value));
            const l = ev(bn.left);
            return (v) => set.has(l(v) as never);
          }
          const l = ev(bn.left);
          const r = ev(bn.right);
          const logical = LOGICAL[op];
          if (logical) {
            const bl = bool(l, textOf(bn.left));
            const br = bool(r, textOf(bn.right));
            return logical === 'and' ? (v) => bl(v) && br(v) : (v) => bl(v) || br(v);
          }
          const general = ((): Ev => {
            switch (op) {
              case '==':
                return (v) => l(v) === r(v);
              case '!=':
                return (v) => l(v) !== r(v);
            }
            if (ORDER.has(op)) {
              const cmp = (x: unknown, y: unknown): number | null => {
                if (x === null || y === null) return null;
                if (typeof x !== typeof y) throw new FilterFieldError(textOf(bn.left), `${describe(x)} cannot be ordered against ${describe(y)}`);
                return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
              };
              const test = op === '<' ? (c: number) => c < 0 : op === '<=' ? (c: number) => c <= 0 : op === '>' ? (c: number) => c > 0 : (c: number) => c >= 0;
              return (v) => {
                const c = cmp(l(v), r(v));
                return c !== null && test(c);
              };
            }
            // arithmetic on numbers; null propagates
            const fn = op === '+' ? (x: number, y: number) => x + y : op === '-' ? (x: number, y: number) => x - y : op === '*' ? (x: number, y: number) => x * y : op === '/' ? (x: number, y: number) => x / y : (x: number, y: number) => x % y;
            return (v) => {
              const x = l(v) as number | null;
              const y = r(v) as number | null;
              return x === null || y === null ? null : fn(x, y);
            };
          })();
          // a top-level field against a constant of its type (`language == "English"`, `tstamp >= date("2024-05-01")`):
          // one closure compares the value directly; anything else (a missing field, null, another type) goes to the
          // general closures, which give the same result or error
          const quick = !csv && !leaf ? fieldVsConstant(bn) : null;
          if (!quick) return general;
          const { k, c } = quick;
          const type = typeof c;
          switch (op) {
            case '==':
              return (v) => {
                const x = v[k];
                return typeof x === type ? x === c : general(v);
              };
            case '!=':
              return (v) => {
                const x = v[k];
                return typeof x === type ? x !== c : general(v);
              };
            case '<':
              return (v) => {
                const x = v[k];
                return typeof x === type ? (x as number) < (c as number) : general(v);
              };
            case '<=':
              return (v) => {
                const x = v[k];
                return typeof x === type ? (x as number) <= (c as number) : general(v);
              };
            case '>':
              return (v) => {
                const x = v[k];
                return typeof x === type ? (x as number) > (c as number) : general(v);
              };
            default:
              return (v) => {
                const x = v[k];
                return typeof x === type ? (x as number) >= (c as number) : general(v);
              };
          }
        }
        case 'CallExpression': {
          const c = n as jsep.CallExpression;
          const name = (c.callee as jsep.Identifier).name;
          if (name === 'date') {
            const s = isoSeconds((c.arguments[0] as jsep.Literal).value as string);
            return () => s;
          }
          if (name === 'ratio') {
            const x = ev(c.arguments[0]!);
            const y = ev(c.arguments[1]!);
            return (v) => {
              const a = x(v) as number | null;
              const b = y(v) as number | null;
              if (a === null || b === null) return null;
              return a + b === 0 ? 0 : (a - b) / (a + b);
            };
          }
          if (name === 'exists') {
            leafable &&= !leaf;
            const fr = fieldRef(c.arguments[0]!)!;
            const k = slot(fr.key);
            return (v) => {
              let x = v[k];
              if (x === MISSING) return false;
              if (csv && typeof x === 'string' && fr.rest.length && x.trimStart().startsWith('{')) {
                try {
                  x = JSON.parse(x);
                } catch {
                  return false;
                }
              }
              for (const seg of fr.rest) {
                if (x === null || typeof x !== 'object' || Array.isArray(x) || !Object.hasOwn(x, seg)) return false;
                x = (x as Record<string, unknown>)[seg];
              }
              return x !== null && !(csv && x === '');
            };
          }
          // count
          if (leaf) leafable = false;
          if (c.arguments.length === 1) {
            const fr = fieldRef(c.arguments[0]!)!;
            const get = field(fr);
            return (v) => {
              const o = get(v) as Record<string, unknown> | null;
              if (o === null) return null;
              let k = 0;
              for (const key in o) {
                if (!Object.hasOwn(o, key)) continue;
                const x = o[key];
                if (typeof x !== 'boolean') throw new FilterFieldError(`${fr.text}.${key}`, `must be a boolean (count counts true values), got ${describe(x)}`);
                if (x) k++;
              }
              return k;
            };
          }
          const parts = c.arguments.map((a) => bool(ev(a), textOf(a)));
          return (v) => {
            let k = 0;
            for (const p of parts) if (p(v)) k++;
            return k;
          };
        }
        default:
          return fail(`unsupported expression (${n.type})`);
      }
    };
    return want === 'boolean' ? bool(ev(ast), textOf(ast)) : ev(ast);
  };

  const json = build(false);
  let csvEv: Ev | null = null;
  const csv = (): Ev => (csvEv ??= build(true));
  const fields = new Map(fieldTypes);
  let leafEv: Ev | null = null;
  if (leafable) {
    leafEv = build(false, true);
    // a path that is also a prefix of another cannot hold a number at both: leave such expressions to `json`
    const texts = leafPaths.map((l) => [l.key, ...l.rest]);
    if (!leafable || texts.some((p, i) => texts.some((o, j) => i !== j && o.length > p.length && p.every((x, k) => x === o[k])))) leafEv = null;
  }
  return {
    keys,
    fields,
    json,
    csv,
    leafPaths: leafEv ? leafPaths.map((l) => [l.key, ...l.rest]) : null,
    bare: fieldRef(ast) !== null,
    leaf: (): Ev => leafEv!,
    testRow(row: Readonly<Record<string, unknown>>, isCsv = false): unknown {
      const values = keys.map((k) => (Object.hasOwn(row, k) ? row[k] : MISSING));
      return isCsv ? csv()(values) : json(values);
    },
  };
}
