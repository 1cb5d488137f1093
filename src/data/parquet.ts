import { type AsyncBuffer, type DecodedArray, parquetMetadataAsync, parquetScan, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputError } from '../errors.js';
import { type BattleFilter, FilterFieldError } from './filter.js';
import { addRow } from './parse.js';
import { MAX_COUNT, OUTCOME_CODE, WINNER_LABELS } from './schema.js';
import type { BattleTableBuilder } from './table.js';

/** Columns read from a Parquet file: the three required ones, then the optional ones when present. */
export const PARQUET_COLUMNS = ['model_a', 'model_b', 'winner', 'count', 'tstamp'] as const;

/** A Parquet value as a plain JSON-like value for validation: int64 (bigint) → number when exact, timestamp → seconds. */
function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= -Number.MAX_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v;
  if (v instanceof Date) return v.getTime() / 1000;
  return v;
}

/** {@link plainValue} through arrays and objects (struct and list columns, as hyparquet assembles them). */
function plainDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainDeep);
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !ArrayBuffer.isView(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plainDeep(x);
    return o;
  }
  return plainValue(v);
}

function parquetError(e: unknown, file: string): InputError {
  return new InputError(`not a readable Parquet file (${(e as Error).message ?? String(e)})`, { file, field: '(parquet)' });
}

/** Validates and stores rows from decoded column arrays (a synchronous hot loop, kept out of the async reader). */
class RowIngest {
  private readonly ids = new Map<string, number>();
  private readonly values: unknown[];
  /**
   * @param filterCols for each filter slot, the index of its column in the decoded arrays
   */
  constructor(
    private readonly builder: BattleTableBuilder,
    private readonly name: string,
    private readonly hasCount: boolean,
    private readonly hasTstamp: boolean,
    private readonly filter: BattleFilter | null = null,
    private readonly filterCols: readonly number[] = [],
    /** Index of the `weight` column in the decoded arrays, −1 when the file has none. */
    private readonly weightCol = -1,
  ) {
    this.values = new Array<unknown>(filterCols.length);
  }

  /** The filter's verdict on row k of the decoded arrays. @throws InputError for a field problem */
  private keeps(data: DecodedArray[], k: number, line: number): boolean {
    const values = this.values;
    for (let s = 0; s < values.length; s++) values[s] = plainDeep(data[this.filterCols[s]!]![k]);
    try {
      return this.filter!.test(values);
    } catch (e) {
      if (e instanceof FilterFieldError) throw new InputError(e.reason, { file: this.name, line, field: e.field });
      throw e;
    }
  }

  private idOf(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.builder.intern(s)));
    return id;
  }

  /** Rows `first … first + n − 1` (0-based in the file) from the columns model_a, model_b, winner[, count][, tstamp]. */
  rows(data: DecodedArray[], first: number, n: number): void {
    const [A, B, W] = data as [DecodedArray, DecodedArray, DecodedArray];
    const C = this.hasCount ? data[3]! : null;
    const T = this.hasTstamp ? data[this.hasCount ? 4 : 3]! : null;
    for (let k = 0; k < n; k++) {
      const a: unknown = A[k];
      const b: unknown = B[k];
      const w: unknown = W[k];
      let c: unknown = C ? C[k] : undefined;
      let t: unknown = T ? T[k] : undefined;
      let wt: unknown = this.weightCol >= 0 ? data[this.weightCol]![k] : undefined;
      if (typeof wt === 'bigint') wt = plainValue(wt);
      if (typeof c === 'bigint') c = plainValue(c);
      if (t !== null && typeof t === 'object') t = plainValue(t);
      else if (typeof t === 'bigint') t = plainValue(t);
      const outcome = typeof w === 'string' ? WINNER_LABELS.get(w) : undefined;
      if (
        typeof a === 'string' &&
        typeof b === 'string' &&
        a !== '' &&
        b !== '' &&
        a !== b &&
        outcome !== undefined &&
        (c == null || (typeof c === 'number' && Number.isInteger(c) && c >= 1 && c <= MAX_COUNT)) &&
        (t == null || (typeof t === 'number' && Number.isFinite(t))) &&
        (wt == null || (typeof wt === 'number' && Number.isFinite(wt) && wt > 0))
      ) {
        if (this.filter && !this.keeps(data, k, first + k + 1)) {
          this.builder.noteDropped();
          continue;
        }
        this.builder.pushIds(this.idOf(a), this.idOf(b), OUTCOME_CODE[outcome], (c as number | null | undefined) ?? 1, (t as number | null | undefined) ?? undefined, undefined, (wt as number | null | undefined) ?? undefined);
      } else {
        // the reference validation: reports the row (or, should it accept it, stores it)
        const row: Record<string, unknown> = { model_a: a, model_b: b, winner: w };
        if (this.hasCount) row.count = c;
        if (this.hasTstamp) row.tstamp = t;
        if (this.weightCol >= 0) row.weight = wt;
        if (this.filter) this.filter.keys.forEach((key, s) => (row[key] ??= plainDeep(data[this.filterCols[s]!]![k])));
        addRow(this.builder, row, this.name, first + k + 1, undefined, this.filter);
      }
    }
  }
}

/**
 * Reads battles from a Parquet file (LMArena's public datasets, e.g. `arena-human-preference-*`) into a builder,
 * with the maintained pure-JavaScript reader hyparquet (https://github.com/hyparam/hyparquet; codecs snappy,
 * gzip, brotli, zstd, lz4 via hyparquet-compressors).
 *
 * Only the columns `model_a`, `model_b`, `winner` (required), `count`, `tstamp`, `weight` (optional) and those a `filter`
 * reads (its top-level keys; a key that is not a column is an error) are read, one row
 * group at a time, so memory stays at one row group of those columns plus the table, whatever other (large
 * conversation) columns the file has. Rows are validated like JSON rows: a row passing the inline checks
 * (non-empty distinct strings, a known label among `model_a | model_b | tie | tie (bothbad) | both_bad`, an
 * integer count 1 … 2³²−1, a finite timestamp) is stored directly; any other row goes through the zod schema, which
 * reports it as `file:row: field: reason`, rows numbered from 1. int64 values become numbers (when exact),
 * timestamps become seconds.
 *
 * O(rows + bytes of the read columns).
 *
 * @param file the file's bytes (an `AsyncBuffer` reads slices on demand)
 * @param name the file name used in messages
 * @throws InputError for a file that is not Parquet, lacks a required column, or has a bad row
 */
export async function readParquetInto(builder: BattleTableBuilder, file: AsyncBuffer, name: string, filter: BattleFilter | null = null): Promise<void> {
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw parquetError(e, name);
  }
  const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
  const rows = Number(metadata.num_rows);
  if (rows === 0) return; // the caller reports "no battles"
  for (const required of PARQUET_COLUMNS.slice(0, 3)) {
    if (!present.has(required)) {
      throw new InputError(`missing (the file has no ${required} column; its columns: ${[...present].join(', ')})`, { file: name, line: 1, field: required });
    }
  }
  const columns: string[] = PARQUET_COLUMNS.filter((c) => present.has(c));
  const filterCols: number[] = [];
  for (const key of filter?.keys ?? []) {
    // a filter field is a column of the file: one it lacks is unknown in every row
    if (!present.has(key)) throw new InputError(`unknown field (the filter reads it; the file has no such column; its columns: ${[...present].join(', ')})`, { file: name, line: 1, field: key });
    if (!columns.includes(key)) columns.push(key);
    filterCols.push(columns.indexOf(key));
  }
  // the optional per-row weight (finite, > 0), after the columns above
  let weightCol = -1;
  if (present.has('weight')) {
    if (!columns.includes('weight')) columns.push('weight');
    weightCol = columns.indexOf('weight');
  }
  let scan;
  try {
    scan = await parquetScan({ file, metadata, columns, compressors });
  } catch (e) {
    throw parquetError(e, name);
  }
  const hasCount = present.has('count');
  const hasTstamp = present.has('tstamp');
  const ingest = new RowIngest(builder, name, hasCount, hasTstamp, filter, filterCols, weightCol);
  let next = 0; // rows are read in file order; check that the ranges cover them all
  for (const { rowStart, rowEnd } of scan.ranges) {
    if (rowStart !== next) throw parquetError(new Error(`rows ${next}…${rowStart - 1} were not planned`), name);
    let data: DecodedArray[];
    try {
      data = await Promise.all(columns.map((column) => scan.readColumn({ column, rowStart, rowEnd })));
    } catch (e) {
      throw parquetError(e, name);
    }
    ingest.rows(data, rowStart, rowEnd - rowStart);
    next = rowEnd;
  }
  if (next !== rows) throw parquetError(new Error(`read ${next} of ${rows} rows`), name);
}
