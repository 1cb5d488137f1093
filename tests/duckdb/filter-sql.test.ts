import { describe, expect, it } from 'vitest';
import { compileFilter, FilterFieldError } from '../../src/data/filter.js';
import { filterErrorOf, filterToSql } from '../../src/data/filter-sql.js';
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
]);
type Row = { id: number; s: string | null; t2: string | null; x: number | null; k: number | null; b: boolean | null; tstamp: number | null };
const ROWS: Row[] = [
  { id: 1, s: 'English', t2: 'English', x: 1.5, k: 3, b: true, tstamp: 1714600000 },
  { id: 2, s: 'Japanese', t2: 'x', x: -2, k: 0, b: false, tstamp: 1714400000 },
  { id: 3, s: null, t2: null, x: null, k: null, b: true, tstamp: null },
  { id: 4, s: 'Korean', t2: 'Korean', x: 0, k: 7, b: null, tstamp: 1714500000 },
  { id: 5, s: 'English', t2: null, x: 4, k: -1, b: false, tstamp: 1714700000 },
  { id: 6, s: 'Émile', t2: 'Émile', x: 2.5, k: 2, b: true, tstamp: 1714550000 },
];
const sqlValue = (v: unknown) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
const CREATE = [
  'CREATE TABLE t (id INTEGER, s VARCHAR, t2 VARCHAR, x DOUBLE, k BIGINT, b BOOLEAN, tstamp DOUBLE)',
  `INSERT INTO t VALUES ${ROWS.map((r) => `(${[r.id, r.s, r.t2, r.x, r.k, r.b, r.tstamp].map(sqlValue).join(', ')})`).join(', ')}`,
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
];
const ERRORS = ['s < k', 'b', 'not b', 'b or x > 0', 'nope == 1', 's > 1', 'x == "a"'];

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
  });

  it('constructs without a translation are usage errors that name --engine node', () => {
    for (const expr of ['count(tag) >= 2', 'dedup_tag.sampled', 'x / 2 > 1', 'x % 2 == 1', 'exists(a.b)']) {
      expect(() => filterToSql(expr, new Map([...COLUMNS, ['tag', 'STRUCT(a BOOLEAN)'], ['dedup_tag', 'STRUCT(sampled BOOLEAN)'], ['a', 'STRUCT(b INTEGER)']]), 't')).toThrow(UsageError);
      expect(() => filterToSql(expr, new Map([...COLUMNS, ['tag', 'STRUCT(a BOOLEAN)'], ['dedup_tag', 'STRUCT(sampled BOOLEAN)'], ['a', 'STRUCT(b INTEGER)']]), 't')).toThrow(/--engine node/);
    }
  });
});
