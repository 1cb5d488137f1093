import { type AsyncBuffer, type DecodedArray, parquetMetadataAsync, parquetScan, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputError } from '../errors.js';
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

function parquetError(e: unknown, file: string): InputError {
  return new InputError(`not a readable Parquet file (${(e as Error).message ?? String(e)})`, { file, field: '(parquet)' });
}

/** Validates and stores rows from decoded column arrays (a synchronous hot loop, kept out of the async reader). */
class RowIngest {
  private readonly ids = new Map<string, number>();
  constructor(
    private readonly builder: BattleTableBuilder,
    private readonly name: string,
    private readonly hasCount: boolean,
    private readonly hasTstamp: boolean,
  ) {}

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
        (t == null || (typeof t === 'number' && Number.isFinite(t)))
      ) {
        this.builder.pushIds(this.idOf(a), this.idOf(b), OUTCOME_CODE[outcome], (c as number | null | undefined) ?? 1, (t as number | null | undefined) ?? undefined);
      } else {
        // the reference validation: reports the row (or, should it accept it, stores it)
        const row: Record<string, unknown> = { model_a: a, model_b: b, winner: w };
        if (this.hasCount) row.count = c;
        if (this.hasTstamp) row.tstamp = t;
        addRow(this.builder, row, this.name, first + k + 1);
      }
    }
  }
}

/**
 * Reads battles from a Parquet file (LMArena's public datasets, e.g. `arena-human-preference-*`) into a builder,
 * with the maintained pure-JavaScript reader hyparquet (https://github.com/hyparam/hyparquet; codecs snappy,
 * gzip, brotli, zstd, lz4 via hyparquet-compressors).
 *
 * Only the columns `model_a`, `model_b`, `winner` (required) and `count`, `tstamp` (optional) are read, one row
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
export async function readParquetInto(builder: BattleTableBuilder, file: AsyncBuffer, name: string): Promise<void> {
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
  const columns = PARQUET_COLUMNS.filter((c) => present.has(c));
  let scan;
  try {
    scan = await parquetScan({ file, metadata, columns, compressors });
  } catch (e) {
    throw parquetError(e, name);
  }
  const hasCount = present.has('count');
  const hasTstamp = present.has('tstamp');
  const ingest = new RowIngest(builder, name, hasCount, hasTstamp);
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
