import type jsep from 'jsep';
import { InputError, UsageError } from '../errors.js';
import { fieldRef, type FieldRef, type FilterFieldType, isoSeconds, parseFilter } from './filter.js';

/**
 * Translates a `--filter` expression (src/data/filter.ts, docs/reference.md "Filters") into a DuckDB SQL condition
 * with the same result on every row, for the DuckDB engine (`duckdb.ts`). The input's columns are typed once for
 * the whole table, so the per-row checks of the node readers become checks of the column types here: a field the
 * table has no column for is an error (`field: unknown field`), a column of the wrong type too.
 *
 * Translated: fields (top-level columns, and paths through STRUCT columns: `dedup_tag.sampled`,
 * `category_tag["criteria_v0.1"]`); string, number, boolean and null literals; `== != < <= > >=`; `in [..]`;
 * `and or not`; `+ - *` and unary minus; `exists(field)`; `count(object)` (a STRUCT of booleans) and
 * `count(b1, b2, …)`; `date("…")`. Not translated (a usage error that says to use `--engine node`): `/`, `%`,
 * `ratio`; objects held in MAP or JSON columns (only STRUCTs are objects here).
 *
 * Semantics kept from the node filter: `==`/`!=` are strict and null-safe (`IS NOT DISTINCT FROM`, never NULL);
 * an ordering with a null side is false (also under `not`); `x in [..]` is true for null only when the list holds
 * null; `and`/`or` short-circuit from the left (CASE), so an error on the right is raised only where node
 * evaluates it; a null field used as a condition raises the node filter's error through DuckDB's `error()`;
 * arithmetic is in doubles with null propagating. One difference: strings are ordered by DuckDB by their UTF-8
 * bytes, the node filter by UTF-16 code units; the two agree except between characters above U+FFFF and those in
 * U+E000–U+FFFF.
 */

/** A column's type as the filter language sees it, from DuckDB's type name; null for types it cannot read. */
export function filterTypeOfSql(type: string): FilterFieldType | null {
  const t = type.toUpperCase();
  if (t === 'VARCHAR') return 'string';
  if (t === 'BOOLEAN') return 'boolean';
  if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\))$/.test(t)) return 'number';
  if (t.startsWith('STRUCT(') || t.startsWith('MAP(') || t === 'JSON') return 'object';
  return null;
}

/** A DuckDB type as a tree: a STRUCT's members by name (in order), or any other type by its name. */
export type SqlType = { readonly struct: ReadonlyMap<string, SqlType>; readonly name: string } | { readonly struct: null; readonly name: string };

/**
 * Parses a DuckDB type name (`VARCHAR`, `STRUCT(sampled BOOLEAN, "criteria_v0.1" STRUCT(a BOOLEAN))`, `DECIMAL(18,3)`,
 * `VARCHAR[]`) into a {@link SqlType}. O(length).
 */
export function parseSqlType(text: string): SqlType {
  let k = 0;
  const ws = () => {
    while (k < text.length && text[k] === ' ') k++;
  };
  const parse = (): SqlType => {
    ws();
    const start = k;
    if (text.startsWith('STRUCT(', k)) {
      k += 7;
      const struct = new Map<string, SqlType>();
      for (;;) {
        ws();
        if (text[k] === ')') break;
        let name = '';
        if (text[k] === '"') {
          k++;
          for (; k < text.length; k++) {
            if (text[k] === '"') {
              if (text[k + 1] === '"') {
                name += '"';
                k++;
              } else break;
            } else name += text[k];
          }
          k++;
        } else {
          while (k < text.length && text[k] !== ' ') name += text[k++];
        }
        struct.set(name, parse());
        ws();
        if (text[k] === ',') k++;
        else break;
      }
      k++; // ')'
      if (text[k] === '[') return scalar(start);
      return { struct, name: text.slice(start, k) };
    }
    return scalar(start);
  };
  /** Any other type: up to the next comma or closing parenthesis at depth 0. */
  const scalar = (start: number): SqlType => {
    let depth = 0;
    for (; k < text.length; k++) {
      const c = text[k];
      if (c === '(' || c === '[') depth++;
      else if ((c === ')' || c === ']') && depth > 0) depth--;
      else if ((c === ',' || c === ')') && depth === 0) break;
    }
    return { struct: null, name: text.slice(start, k).trim() };
  };
  return parse();
}

/** A SQL identifier in double quotes (DuckDB), `"` doubled. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal, `'` doubled. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A finite number as a DuckDB DOUBLE literal. */
function sqlNumber(x: number): string {
  return `CAST(${sqlString(String(x))} AS DOUBLE)`;
}

/** A message that DuckDB's `error()` raises and {@link filterErrorOf} recognises: marker, field, tab, reason. */
const MARK = 'arena-filter:';

/**
 * The field and reason of a filter error raised inside DuckDB by a translated condition, from DuckDB's error
 * message; null for any other error.
 */
export function filterErrorOf(message: string): { field: string; reason: string } | null {
  const at = message.indexOf(MARK);
  if (at < 0) return null;
  const rest = message.slice(at + MARK.length);
  const tab = rest.indexOf('\t');
  if (tab < 0) return null;
  return { field: rest.slice(0, tab), reason: rest.slice(tab + 1).split('\n')[0]!.trim() };
}

/**
 * The SQL condition equivalent to a filter over a table with these columns (name → DuckDB type name). The columns
 * are those of the whole input: a field without a column is unknown on every row.
 *
 * @throws UsageError for a syntax or type error of the filter, or a construct that is not translated
 * @throws InputError `field: reason` for a field without a column, or a column whose type the filter cannot use
 */
export function filterToSql(expression: string, columns: ReadonlyMap<string, string>, file: string): string {
  const { filter, ast } = parseFilter(expression);
  const notHere = (what: string): never => {
    throw new UsageError(`--filter ${JSON.stringify(expression)}: ${what} is not translated to SQL for --engine duckdb (use --engine node)`);
  };
  const typeOf = (f: FieldRef): FilterFieldType => filter.fields.get(f.text) ?? 'any';
  const types = new Map([...columns].map(([name, type]) => [name, parseSqlType(type)]));
  /**
   * The SQL of a field (a column, or members of STRUCT columns) and its DuckDB type; null when the input has no such
   * field (`missing`: the path text to name).
   * @throws InputError for a path through a column or member that is not a STRUCT
   */
  const resolve = (f: FieldRef): { sql: string; type: SqlType } | { missing: string } => {
    let type = types.get(f.key);
    if (type === undefined) return { missing: f.key };
    let sql = sqlIdentifier(f.key);
    for (let i = 0; i < f.rest.length; i++) {
      if (!type.struct) throw new InputError(`must be an object (the filter reads ${f.text} inside it), but the column has type ${type.name}`, { file, field: [f.key, ...f.rest.slice(0, i)].join('.') });
      const member: SqlType | undefined = type.struct.get(f.rest[i]!);
      if (member === undefined) return { missing: f.text };
      sql = `struct_extract(${sql}, ${sqlString(f.rest[i]!)})`;
      type = member;
    }
    return { sql, type };
  };
  const column = (f: FieldRef): string => {
    const r = resolve(f);
    if ('missing' in r) throw new InputError(r.missing === f.key ? 'unknown field (the input has no such column)' : 'unknown field (the input has no such member)', { file, field: r.missing });
    const want = typeOf(f);
    const got = filterTypeOfSql(r.type.name);
    if (want === 'object') {
      if (!r.type.struct) throw new InputError(`must be an object (the filter counts its true values), but the column has type ${r.type.name}`, { file, field: f.text });
      return r.sql;
    }
    if (got === null || got === 'object') throw new InputError(`is a column of type ${r.type.name}; the filter uses it as a ${want === 'any' ? 'string, number or boolean' : want}`, { file, field: f.text });
    if (want !== 'any' && got !== want) throw new InputError(`must be a ${want} (as the filter uses it), but the column has type ${r.type.name}`, { file, field: f.text });
    return got === 'number' ? `CAST(${r.sql} AS DOUBLE)` : r.sql;
  };
  /** `count(object)`: the number of true members of a STRUCT, null for a null STRUCT; a non-boolean member an error. */
  const countOf = (f: FieldRef): string => {
    const obj = column(f);
    const r = resolve(f) as { sql: string; type: SqlType };
    const terms = [...r.type.struct!].map(([key, t]) => {
      const m = `struct_extract(${obj}, ${sqlString(key)})`;
      const bad = (got: string) => `error(${sqlString(`${MARK}${f.text}.${key}\tmust be a boolean (count counts true values), got ${got}`)})`;
      if (t.name !== 'BOOLEAN') return `(CASE WHEN ${m} IS NULL THEN ${bad('null')} ELSE ${bad(`a value of type ${t.name}`)} END)`;
      return `(CASE WHEN ${m} IS NULL THEN ${bad('null')} WHEN ${m} THEN 1 ELSE 0 END)`;
    });
    return `(CASE WHEN ${obj} IS NULL THEN NULL ELSE CAST(${terms.length ? terms.join(' + ') : '0'} AS DOUBLE) END)`;
  };
  /** The SQL type class of a value expression (for comparisons of two fields typed `any`). */
  const classOf = (n: jsep.Expression): FilterFieldType | 'null' => {
    const f = fieldRef(n);
    if (f) {
      const r = resolve(f);
      return 'missing' in r ? 'any' : (filterTypeOfSql(r.type.name) ?? 'any');
    }
    if (n.type === 'Literal') {
      const v = (n as jsep.Literal).value;
      return v === null ? 'null' : (typeof v as FilterFieldType);
    }
    return 'number';
  };
  const value = (n: jsep.Expression): string => {
    const f = fieldRef(n);
    if (f) return column(f);
    switch (n.type) {
      case 'Literal': {
        const v = (n as jsep.Literal).value;
        if (v === null) return 'NULL';
        if (typeof v === 'string') return sqlString(v);
        if (typeof v === 'number') return sqlNumber(v);
        if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
        return notHere(`the literal ${String(v)}`);
      }
      case 'UnaryExpression': {
        const u = n as jsep.UnaryExpression;
        if (u.operator === '-') return `(- ${value(u.argument)})`;
        if (u.operator === '+') return value(u.argument);
        return condition(n);
      }
      case 'BinaryExpression': {
        const b = n as jsep.BinaryExpression;
        if (b.operator === '+' || b.operator === '-' || b.operator === '*') return `(${value(b.left)} ${b.operator} ${value(b.right)})`;
        if (b.operator === '/' || b.operator === '%') return notHere(`the operator ${b.operator}`);
        return condition(n);
      }
      case 'CallExpression': {
        const c = n as jsep.CallExpression;
        const name = (c.callee as jsep.Identifier).name;
        if (name === 'date') return sqlNumber(isoSeconds((c.arguments[0] as jsep.Literal).value as string)!);
        if (name === 'count') {
          if (c.arguments.length === 1) return countOf(fieldRef(c.arguments[0]!)!);
          return `CAST(${c.arguments.map((a) => `(CASE WHEN ${condition(a)} THEN 1 ELSE 0 END)`).join(' + ')} AS DOUBLE)`;
        }
        if (name === 'exists') return condition(n);
        return notHere(`the function ${name}`);
      }
      default:
        return notHere(`the expression ${n.type}`);
    }
  };
  /** A condition that is TRUE or FALSE on every row (never NULL), or raises the node filter's error. */
  const condition = (n: jsep.Expression): string => {
    const f = fieldRef(n);
    if (f) {
      const c = column(f);
      return `(CASE WHEN ${c} IS NULL THEN error(${sqlString(`${MARK}${f.text}\tis null; the filter uses it as a condition (compare it: ${f.text} == true)`)}) ELSE ${c} END)`;
    }
    switch (n.type) {
      case 'Literal':
        return (n as jsep.Literal).value ? 'TRUE' : 'FALSE';
      case 'UnaryExpression': {
        const u = n as jsep.UnaryExpression;
        if (u.operator === 'not' || u.operator === '!') return `(NOT ${condition(u.argument)})`;
        return notHere(`the operator ${u.operator}`);
      }
      case 'BinaryExpression': {
        const b = n as jsep.BinaryExpression;
        const op = b.operator;
        if (op === 'and' || op === '&&') return `(CASE WHEN ${condition(b.left)} THEN ${condition(b.right)} ELSE FALSE END)`;
        if (op === 'or' || op === '||') return `(CASE WHEN ${condition(b.left)} THEN TRUE ELSE ${condition(b.right)} END)`;
        if (op === 'in') {
          const els = (b.right as jsep.ArrayExpression).elements.map((e) => (e as jsep.Literal).value);
          const l = value(b.left);
          const lits = els.filter((v) => v !== null).map((v) => (typeof v === 'string' ? sqlString(v) : typeof v === 'number' ? sqlNumber(v) : v ? 'TRUE' : 'FALSE'));
          const parts = [lits.length ? `COALESCE(${l} IN (${lits.join(', ')}), FALSE)` : 'FALSE'];
          if (els.includes(null)) parts.push(`(${l} IS NULL)`);
          return `(${parts.join(' OR ')})`;
        }
        if (op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=') {
          const l = value(b.left);
          const r = value(b.right);
          const lc = classOf(b.left);
          const rc = classOf(b.right);
          if (lc !== rc && lc !== 'null' && rc !== 'null' && lc !== 'any' && rc !== 'any') {
            // two fields of different column types: node compares them row by row (equal only when both are null;
            // an ordering of two non-null values is an error)
            const bothNull = `(${l} IS NULL AND ${r} IS NULL)`;
            if (op === '==') return bothNull;
            if (op === '!=') return `(NOT ${bothNull})`;
            const lf = fieldRef(b.left);
            const message = `${MARK}${lf ? lf.text : expression}\ta ${lc} cannot be ordered against a ${rc} (the columns have different types)`;
            return `(CASE WHEN ${l} IS NOT NULL AND ${r} IS NOT NULL THEN error(${sqlString(message)}) ELSE FALSE END)`;
          }
          if (op === '==') return `(${l} IS NOT DISTINCT FROM ${r})`;
          if (op === '!=') return `(${l} IS DISTINCT FROM ${r})`;
          return `COALESCE(${l} ${op} ${r}, FALSE)`;
        }
        return notHere(`the operator ${op}`);
      }
      case 'CallExpression': {
        const c = n as jsep.CallExpression;
        if ((c.callee as jsep.Identifier).name === 'exists') {
          const fr = fieldRef(c.arguments[0]!)!;
          // node: false when the row lacks the key or any enclosing one, or a value on the way is null or not an object
          let type = types.get(fr.key);
          let sql = sqlIdentifier(fr.key);
          for (const seg of fr.rest) {
            const member = type?.struct?.get(seg);
            if (member === undefined) return 'FALSE';
            sql = `struct_extract(${sql}, ${sqlString(seg)})`;
            type = member;
          }
          return type === undefined ? 'FALSE' : `(${sql} IS NOT NULL)`;
        }
        return notHere('a function used as a condition');
      }
      default:
        return notHere(`the expression ${n.type}`);
    }
  };
  return condition(ast);
}

/**
 * Checks a `--where` condition's text before it is placed in a query's `WHERE (…)`: non-empty, parentheses balanced
 * outside string literals ('…', with '' inside) and quoted identifiers ("…", `…`), no statement separator `;` and no
 * comment (`--`, `/*`) outside them — so that the condition cannot close the parentheses around it and escape the
 * conditions it is combined with (`--filter`, the tie and both-bad exclusions of a step query). Returns it trimmed.
 * O(length).
 * @throws UsageError naming what is wrong
 */
export function checkWhereSql(sql: string): string {
  const text = sql.trim();
  if (text === '') throw new UsageError('--where: the condition is empty');
  let depth = 0;
  let quote: string | null = null;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k]!;
    if (quote) {
      if (ch === quote) {
        if (text[k + 1] === quote) k++;
        else quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      if (--depth < 0) throw new UsageError(`--where: a ")" closes a parenthesis the condition did not open (at character ${k + 1}): give one condition, e.g. "anony AND language = 'English'"`);
    } else if (ch === ';') throw new UsageError('--where: ";" ends a statement: give one condition');
    else if ((ch === '-' && text[k + 1] === '-') || (ch === '/' && text[k + 1] === '*')) throw new UsageError('--where: comments are not allowed in the condition');
  }
  if (quote) throw new UsageError(`--where: a ${quote} is not closed`);
  if (depth > 0) throw new UsageError(`--where: ${depth} "(" not closed`);
  return text;
}
