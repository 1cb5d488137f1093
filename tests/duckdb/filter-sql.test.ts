import { describe, expect, it } from 'vitest';
import { compileFilter, FilterFieldError } from '../../src/data/filter.js';
import { filterErrorOf, filterToSql, parseSqlType } from '../../src/data/filter-sql.js';
import { InputError, UsageError } from '../../src/errors.js';
import { duck } from './duck.js';

/**
 * The DuckDB translation of `--filter` against the node filter, row by row, on a table with nulls: the same rows kept,
 * or an error on the same field. Two independent implementations (closures over JS values, SQL in DuckDB).
 */

const COLUMNS = new Map([
  ['id', 'INTEGER'],
  ['s', 'VARCHAR'],
  ['t2', 'VARCHAR'],
  ['x', 'DOUBLE'],
  ['k', 'BIGINT'],
  ['b', 'BOOLEAN'],
  ['tstamp', 'DOUBLE'],
  ['tag', 'STRUCT(a BOOLEAN, b BOOLEAN, "c.d" BOOLEAN)'],
  ['tag2', 'STRUCT(a BOOLEAN, b BOOLEAN)'],
  ['dd', 'STRUCT(sampled BOOLEAN, "inner" STRUCT(v DOUBLE))'],
]);
type Tag = { a: boolean | null; b: boolean | null; 'c.d': boolean | null } | null;
type Dd = { sampled: boolean; inner: { v: number | null } | null } | null;
type Row = { id: number; s: string | null; t2: string | null; x: number | null; k: number | null; b: boolean | null; tstamp: number | null; tag: Tag; tag2: { a: boolean | null; b: boolean | null } | null; dd: Dd };
const ROWS: Row[] = [
  { id: 1, s: 'English', t2: 'English', x: 1.5, k: 3, b: true, tstamp: 1714600000, tag: { a: true, b: true, 'c.d': false }, tag2: { a: true, b: true }, dd: { sampled: true, inner: { v: 2 } } },
  { id: 2, s: 'Japanese', t2: 'x', x: -2, k: 0, b: false, tstamp: 1714400000, tag: null, tag2: null, dd: { sampled: false, inner: null } },
  { id: 3, s: null, t2: null, x: null, k: null, b: true, tstamp: null, tag: { a: false, b: false, 'c.d': false }, tag2: { a: false, b: null }, dd: null },
  { id: 4, s: 'Korean', t2: 'Korean', x: 0, k: 7, b: null, tstamp: 1714500000, tag: { a: true, b: false, 'c.d': true }, tag2: { a: true, b: false }, dd: { sampled: true, inner: { v: null } } },
  { id: 5, s: 'English', t2: null, x: 4, k: -1, b: false, tstamp: 1714700000, tag: { a: true, b: true, 'c.d': true }, tag2: { a: false, b: false }, dd: { sampled: false, inner: { v: 0.5 } } },
  { id: 6, s: 'Émile', t2: 'Émile', x: 2.5, k: 2, b: true, tstamp: 1714550000, tag: { a: false, b: true, 'c.d': true }, tag2: { a: true, b: true }, dd: { sampled: true, inner: { v: 3 } } },
];
const sqlValue = (v: unknown): string =>
  v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : typeof v === 'object' ? `{${Object.entries(v).map(([key, x]) => `'${key}': ${sqlValue(x)}`).join(', ')}}` : String(v);
const CREATE = [
  `CREATE TABLE t (${[...COLUMNS].map(([name, type]) => `"${name}" ${type}`).join(', ')})`,
  `INSERT INTO t VALUES ${ROWS.map((r) => `(${[r.id, r.s, r.t2, r.x, r.k, r.b, r.tstamp, r.tag, r.tag2, r.dd].map(sqlValue).join(', ')})`).join(', ')}`,
];

/** Kept ids, or `error: field` (node: the first row that raises). */
function viaNode(expr: string): number[] | string {
  const f = compileFilter(expr);
  const kept: number[] = [];
  for (const r of ROWS) {
    try {
      if (f.testRow(r)) kept.push(r.id);
    } catch (e) {
      if (e instanceof FilterFieldError) return `error: ${e.field}`;
      throw e;
    }
  }
  return kept;
}

async function viaDuckDB(expr: string): Promise<number[] | string> {
  let where: string;
  try {
    where = filterToSql(expr, COLUMNS, 't');
  } catch (e) {
    if (e instanceof InputError) return `error: ${e.field}`;
    throw e;
  }
  try {
    const rows = await duck([...CREATE, `SELECT id FROM t WHERE ${where} ORDER BY id`]);
    return rows.map((r) => Number(r.id));
  } catch (e) {
    const f = filterErrorOf((e as Error).message);
    if (f) return `error: ${f.field}`;
    throw e;
  }
}

const AGREE = [
  's == "English"',
  's != "English"',
  's == null',
  's != null',
  'x > 0',
  'not (x > 0)',
  'x <= -2',
  'not (x <= 0)',
  's in ["English", null]',
  's in ["Japanese"]',
  'not (s in ["Japanese", "Korean"])',
  'k in [3, 7]',
  'k * 2 + 1 >= 7',
  '-x < 1',
  'x - k > 0',
  'exists(s)',
  'exists(nope)',
  'not exists(t2)',
  'b == true',
  'b != false',
  'b == null',
  'count(b == true, x > 0, s == "English") >= 2',
  'x > 0 or s == "Japanese"',
  's < "K"',
  's >= "English"',
  'tstamp >= date("2024-05-01") and tstamp < date("2024-05-02")',
  's == t2',
  's != t2',
  'x == k',
  's == k',
  'x > 0 and b',
  '(x > 3 or k == 3) and not (s == "Korean")',
  'true',
  'id in [1, 2] or false',
  'count(tag) >= 2',
  'count(tag) == null',
  'not (count(tag) < 2)',
  'tag["c.d"] == true',
  'exists(tag) and tag.a',
  'dd.sampled == true',
  'not (dd.inner.v > 1)',
  'dd.inner.v * 2 >= 1',
  'exists(dd.inner.v)',
  'exists(dd.inner)',
  'exists(dd.nope)',
  'exists(s.x)',
  'exists(tag2) and count(tag2.a, tag2.a) == 2',
];
const ERRORS = ['s < k', 'b', 'not b', 'b or x > 0', 'nope == 1', 's > 1', 'x == "a"', 'count(tag2) > 0', 'dd.nope == 1', 's.x == 1', 'count(s) > 1', 'tag.a', 'dd.inner.v.w == 1'];

describe('--filter in SQL (DuckDB) against the node filter', () => {
  it.each(AGREE)('%s: the same rows', async (expr) => {
    const node = viaNode(expr);
    expect(typeof node).not.toBe('string');
    expect(await viaDuckDB(expr)).toEqual(node);
  });

  it.each(ERRORS)('%s: an error on the same field', async (expr) => {
    const node = viaNode(expr);
    expect(node).toMatch(/^error: /);
    expect(await viaDuckDB(expr)).toEqual(node);
  });

  it('the known values of a few filters (not only agreement)', () => {
    expect(viaNode('s != "English"')).toEqual([2, 3, 4, 6]); // null != "English" holds, as in the node filter
    expect(viaNode('not (x > 0)')).toEqual([2, 3, 4]); // an ordering with null is false, its negation true
    expect(viaNode('s in ["English", null]')).toEqual([1, 3, 5]);
    expect(viaNode('count(tag) >= 2')).toEqual([1, 4, 5, 6]);
  });

  it('constructs without a translation are usage errors that name --engine node', () => {
    for (const expr of ['x / 2 > 1', 'x % 2 == 1', 'ratio(x, k) > 0']) {
      expect(() => filterToSql(expr, COLUMNS, 't')).toThrow(UsageError);
      expect(() => filterToSql(expr, COLUMNS, 't')).toThrow(/--engine node/);
    }
  });
});

describe('parseSqlType', () => {
  it('reads nested STRUCTs with quoted names and parenthesised member types', () => {
    const t = parseSqlType('STRUCT(a BOOLEAN, "c.d ""x""" STRUCT(v DECIMAL(18,3), w VARCHAR[]), e STRUCT(f INTEGER)[])');
    expect(t.struct && [...t.struct.keys()]).toEqual(['a', 'c.d "x"', 'e']);
    const cd = t.struct!.get('c.d "x"')!;
    expect(cd.struct && [...cd.struct].map(([k, v]) => [k, v.name, v.struct === null])).toEqual([
      ['v', 'DECIMAL(18,3)', true],
      ['w', 'VARCHAR[]', true],
    ]);
    expect(t.struct!.get('e')).toEqual({ struct: null, name: 'STRUCT(f INTEGER)[]' });
    expect(parseSqlType('DOUBLE')).toEqual({ struct: null, name: 'DOUBLE' });
  });
});
