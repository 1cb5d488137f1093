import { readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } from 'hyparquet';
import { InputError, UsageError } from '../errors.js';
import { formatOf, readBattles, type ReadOptions } from './load.js';
import type { BattleTable } from './table.js';

/**
 * Cells files (`--cells`): tables of `model_a, model_b, winner, count`, and for weighted battles `weight` (the mean
 * weight of the cell's battles) and `weight2` (their Σw²), as `arena aggregate` writes them and as the SQL of
 * `arena aggregate --emit-sql` makes them on any engine (`cells-sql.ts`). Without `weight2` a cells file is an
 * ordinary battles file with counts; `weight2` is what lets the sandwich of weighted battles be computed exactly
 * from cells.
 */

/** The name of the Σw² column of a cells file. */
export const WEIGHT2_COLUMN = 'weight2';

/** Bytes read to find a CSV header or the first JSON line. */
const HEAD_BYTES = 1 << 16;

/** The top-level column names of a CSV, JSONL or Parquet file (a JSON array file: its first object's keys). */
export async function columnsOf(file: string, format = formatOf(file)): Promise<string[]> {
  try {
    if (format === 'parquet') return parquetSchema(await parquetMetadataAsync(await asyncBufferFromFile(file))).children.map((c) => c.element.name);
    const fh = await open(file, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
      text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    } finally {
      await fh.close();
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (format === 'csv') return line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (format === 'jsonl') return Object.keys(JSON.parse(line) as object);
    const first = /\{[^{}]*\}/.exec(text)?.[0];
    return first ? Object.keys(JSON.parse(first) as object) : [];
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read the columns (${(e as Error).message.split('\n')[0]})`, { file });
  }
}

/**
 * The files a source names: itself, or for a pattern with `*`, `?` or `[…]` in its last path segment (a cluster's
 * multi-part export, `cells/part-*.parquet`) the matching files of that folder in code-unit order. `*` and `?` match
 * within the name only; a pattern in a folder name is not expanded. O(files in the folder).
 * @throws InputError when nothing matches or the folder cannot be read
 */
export function expandFileGlob(source: string): string[] {
  const slash = source.lastIndexOf('/');
  const dir = slash >= 0 ? source.slice(0, slash) || '/' : '.';
  const name = source.slice(slash + 1);
  if (!/[*?[]/.test(name)) return [source];
  const pattern = new RegExp(
    `^${name.replace(/\[([^\]]*)\]|[*?]|[^*?[]+/g, (m, set: string | undefined) => (set !== undefined ? `[${set.replace(/\\/g, '\\\\').replace(/^!/, '^')}]` : m === '*' ? '[^/]*' : m === '?' ? '[^/]' : m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))}$`,
  );
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new InputError(`cannot read the folder of the pattern (${(e as Error).message})`, { file: source });
  }
  const found = entries.filter((f) => pattern.test(f)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (found.length === 0) throw new InputError('no file matches the pattern', { file: source });
  return found.map((f) => (slash >= 0 ? `${source.slice(0, slash + 1)}${f}` : f));
}

/**
 * Reads cells files into a {@link BattleTable} whose rows are the cells (see the module comment), with the same
 * readers and checks as battles. With `weight2`, every file must have it and `weight` too; each value must be a
 * finite number > 0. Covariates (`opts.covariates`) are read from the cells' own columns (cells grouped by them too,
 * `arena aggregate --emit-sql --keep`), unweighted cells only. A source may be a pattern in its file name
 * ({@link expandFileGlob}). O(cells).
 *
 * @throws InputError `file:line: field: reason`
 */
export async function readCells(given: readonly string[], opts: ReadOptions = {}): Promise<BattleTable> {
  if (given.includes('-')) throw new UsageError('--cells reads files (their columns are looked up first), not stdin (-)');
  const sources = given.flatMap(expandFileGlob);
  const has = await Promise.all(sources.map(async (s) => new Set(await columnsOf(s, opts.inputFormat ?? formatOf(s)))));
  const w2 = has.map((c) => c.has(WEIGHT2_COLUMN));
  if (w2.some((x) => x !== w2[0])) throw new InputError(`some cells files have a ${WEIGHT2_COLUMN} column and others not`, { file: sources[w2.indexOf(!w2[0])]!, field: WEIGHT2_COLUMN });
  if (!w2[0]) return readBattles(sources, opts);
  if (opts.covariates?.length) throw new UsageError('--cells: covariates on weighted cells are not supported (the row fit\'s sandwich needs each battle\'s weight, not the cell\'s Σw²): give the battles');
  const missing = has.findIndex((c) => !c.has('weight'));
  if (missing >= 0) throw new InputError(`a cells file with ${WEIGHT2_COLUMN} (Σw²) needs the weight column (the mean weight)`, { file: sources[missing]!, field: 'weight' });
  const t = await readBattles(sources, { ...opts, covariates: [{ name: WEIGHT2_COLUMN, expression: WEIGHT2_COLUMN }] });
  const weight2 = t.covariates!.columns[0]!;
  const bad = weight2.findIndex((x) => !(x > 0));
  if (bad >= 0) throw new InputError(`must be a finite number > 0, got ${weight2[bad]} (row ${bad + 1} of the cells kept)`, { file: sources.join(', '), field: WEIGHT2_COLUMN });
  const { covariates: _, ...rest } = t;
  return { ...rest, weight: t.weight ?? new Float64Array(t.rows).fill(1), weight2 };
}
