import { STYLE_FIELDS_A, STYLE_FIELDS_B } from './style-fields.js';
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parse as csvParse } from 'csv-parse';
import { InputError } from '../errors.js';
import { FastCsvReader } from './fast-csv.js';
import { type CovariateSpec, covariateFilter } from './covariates.js';
import { type BattleFilter, compileFilter } from './filter.js';
import { parseVoterPath, voterFilter } from './voters.js';
import { FastJsonArrayParser, FastJsonlParser } from './fast-jsonl.js';
import { type ParquetReadOptions, readParquetFileInto } from './parquet.js';
import { addRow, csvCellText, type InputFormat, JsonArrayParser, JsonlParser, MAX_RECORD_BYTES } from './parse.js';
import { CsvBattleRow } from './schema.js';
import { type BattleTable, BattleTableBuilder } from './table.js';

/** Options of {@link readBattles}. */
export interface ReadOptions {
  /** Format for every source; by default taken from each file's extension (stdin: jsonl). */
  inputFormat?: InputFormat | undefined;
  /** Stream read for the source `-` (default `process.stdin`). */
  stdin?: Readable | undefined;
  /** Longest accepted line or record, in bytes. */
  maxRecordBytes?: number | undefined;
  /**
   * `fast` (default): the byte scanners of `fast-jsonl.ts` / `fast-csv.ts`, falling back to the reference path
   * row by row; `reference`: `JSON.parse` / csv-parse + zod for every row (the simple path, kept for tests and
   * benchmarks). Both give the same table and the same errors.
   */
  engine?: 'fast' | 'reference' | undefined;
  /**
   * Keep the timestamps in the table (default true). With false they are still validated but not stored (the
   * table's `tstamp` is null), saving 8 bytes per row for steps that never use them.
   */
  tstamp?: boolean | undefined;
  /**
   * Keeps only the battles this filter expression accepts (see {@link compileFilter} and docs/reference.md,
   * "Filters"), e.g. `anony and language == "English"`. It runs in the readers, row by row, before anything is
   * stored: the fast readers extract only the fields it reads. Every row is still validated. A field the filter
   * reads that a row lacks is an error (`file:line: field: unknown field …`), not a row left out.
   */
  filter?: string | BattleFilter | null | undefined;
  /**
   * Covariates to read with every kept row into {@link BattleTable.covariates} (see `src/data/covariates.ts`): they
   * run in the readers beside the filter (the fast readers extract only the fields they read, no row object). A
   * row that lacks a covariate's field, or where it is not a finite number, is an error `file:line: field: …`.
   */
  covariates?: readonly CovariateSpec[] | undefined;
  /**
   * The voter (judge) field path to read into {@link BattleTable.voters} (see `src/data/voters.ts`, `--voter-field`):
   * read beside the filter, interned to integer ids. A row without the field is an error `file:line: field: …`.
   */
  voterField?: string | undefined;
  /**
   * Read the style counts (`conv_metadata`) into {@link BattleTable.style} [true]. With false the fast readers
   * skip them in place instead of handing such rows to the reference path (style control is then unavailable).
   */
  styleFields?: boolean | undefined;
  /** Deadlines and heap limit of the Parquet decoder thread (see {@link readParquetFileInto}). */
  parquet?: ParquetReadOptions | undefined;
}

/**
 * Tells a file's format from its extension: `.jsonl`/`.ndjson` → jsonl, `.json` → json, `.csv` → csv,
 * `.parquet` → parquet.
 * @throws InputError for any other extension
 */
export function formatOf(file: string): InputFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.parquet')) return 'parquet';
  throw new InputError('cannot tell the format from the extension (use .jsonl, .ndjson, .json, .csv or .parquet, or --input-format)', { file });
}

function ioError(e: unknown, file: string): InputError {
  if (e instanceof InputError) return e;
  const err = e as NodeJS.ErrnoException & { code?: string; lines?: number };
  if (typeof err.code === 'string' && err.code.startsWith('CSV_')) {
    return new InputError(`not valid CSV (${err.message})`, { file, line: err.lines, field: '(csv)' });
  }
  return new InputError(`cannot read (${err.code ?? err.message})`, { file });
}

/**
 * Top-level fields (CSV columns) that only the reference path (`addRow`) reads: the fast readers leave rows carrying
 * one to it: the style counts (LMArena `conv_metadata`, or their flat CSV columns) read by `addRow`, so that the
 * fast readers never drop them; and the per-row `weight` (validated by the schema: finite, > 0).
 */
export const REFERENCE_KEYS: readonly string[] = ['conv_metadata', ...STYLE_FIELDS_A, ...STYLE_FIELDS_B, 'weight'];
/** The reference keys when style counts are not read (`styleFields: false`): the per-row `weight` still is. */
const WEIGHT_ONLY: readonly string[] = ['weight'];

/** Bytes read at a time. */
const READ_CHUNK = 1 << 20;

function makeJsonParser(format: InputFormat, builder: BattleTableBuilder, file: string, max: number, engine: ReadOptions['engine'], filter: BattleFilter | null, referenceKeys: readonly string[]) {
  const fast = engine !== 'reference';
  const options = { referenceKeys, filter };
  if (format === 'jsonl') return fast ? new FastJsonlParser(builder, file, max, options) : new JsonlParser(builder, file, max, filter);
  return fast ? new FastJsonArrayParser(builder, file, max, options) : new JsonArrayParser(builder, file, max, filter);
}

/**
 * Reads a file in chunks into `take` until it returns false: two reused buffers, the next chunk being read while
 * this one is handled (a stream allocates a buffer per chunk, which costs about as much as the reading itself).
 * `take` must copy whatever it keeps of a chunk.
 */
async function readChunks(path: string, file: string, take: (chunk: Buffer) => boolean): Promise<void> {
  let fh: FileHandle | undefined;
  let pending: Promise<unknown> | undefined;
  try {
    fh = await open(path, 'r');
    const bufs = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)] as const;
    let position = 0;
    let k = 0;
    let next = fh.read(bufs[0], 0, READ_CHUNK, position);
    pending = next;
    for (;;) {
      const { bytesRead } = await next;
      if (bytesRead === 0) break;
      position += bytesRead;
      const chunk = bufs[k]!.subarray(0, bytesRead);
      k ^= 1;
      next = fh.read(bufs[k]!, 0, READ_CHUNK, position);
      pending = next;
      if (!take(chunk)) break;
    }
  } catch (e) {
    throw ioError(e, file);
  } finally {
    await pending?.catch(() => undefined);
    await fh?.close();
  }
}

async function readOne(builder: BattleTableBuilder, source: string, opts: ReadOptions, filter: BattleFilter | null): Promise<void> {
  const file = source === '-' ? '<stdin>' : source;
  const format = opts.inputFormat ?? (source === '-' ? 'jsonl' : formatOf(source));
  const max = opts.maxRecordBytes ?? MAX_RECORD_BYTES;
  const before = builder.rows + builder.dropped; // rows read, kept or left out by the filter
  const readNone = () => builder.rows + builder.dropped === before;
  if (format === 'parquet') {
    // Parquet needs random access (its index is at the end): a file is read in slices, stdin is read whole first
    // (at most MAX_PARQUET_STDIN_BYTES); hyparquet decodes on a worker thread under a deadline (a corrupt file
    // can make it loop forever)
    try {
      const bytes = source === '-' ? await readAll(opts.stdin ?? process.stdin, file) : source;
      await readParquetFileInto(builder, bytes, file, filter, opts.parquet);
    } catch (e) {
      throw ioError(e, file);
    }
    if (readNone()) throw new InputError('no battles (empty input)', { file });
    return;
  }
  if (source !== '-' && opts.engine !== 'reference') {
    // the fast readers, from a file
    if (format === 'csv') {
      const beforeKept = builder.rows;
      const beforeDropped = builder.dropped;
      const reader = new FastCsvReader(builder, file, max, { referenceKeys: opts.styleFields === false ? WEIGHT_ONLY : REFERENCE_KEYS, filter });
      let done = true;
      await readChunks(source, file, (chunk) => (done = reader.push(chunk)));
      if (done && reader.end()) {
        if (readNone()) throw new InputError('no battles (empty input)', { file });
        return;
      }
      builder.truncate(beforeKept); // not the simple shape: read the file again with csv-parse, below
      builder.dropped = beforeDropped;
    } else {
      const parser = makeJsonParser(format, builder, file, max, opts.engine, filter, opts.styleFields === false ? WEIGHT_ONLY : REFERENCE_KEYS);
      await readChunks(source, file, (chunk) => {
        parser.push(chunk);
        return true;
      });
      try {
        parser.end();
      } catch (e) {
        throw ioError(e, file);
      }
      if (readNone()) throw new InputError('no battles (empty input)', { file });
      return;
    }
  }
  const stream: Readable = source === '-' ? (opts.stdin ?? process.stdin) : createReadStream(source, { highWaterMark: READ_CHUNK });
  let stopSource = () => undefined as unknown;
  try {
    if (format === 'csv') {
      // rows are validated inside csv-parse's record hook, in line order, so that the first problem reported is
      // the first in the file whatever the chunk boundaries (otherwise a structural error later in the same chunk
      // would be reported before a bad value on an earlier line)
      // a leading byte order mark is dropped here: csv-parse's own bom option would switch the cells back to text
      const source = Readable.from(withoutBom(stream));
      const parser = source.pipe(
        csvParse({
          // the header, checked as a header (line 1): no repeated column (csv-parse would keep the last), and the
          // three required ones present
          columns: (raw: string[]) => {
            const names = (raw as unknown as Buffer[]).map((n) => n.toString('utf8')); // bytes (encoding: null)
            const seen = new Set<string>();
            for (const n of names) {
              if (seen.has(n)) throw new InputError(`the column ${JSON.stringify(n)} appears twice in the header`, { file, line: 1, field: n });
              seen.add(n);
            }
            const missing = ['model_a', 'model_b', 'winner'].filter((n) => !seen.has(n));
            if (missing.length) throw new InputError(`the header has no ${missing.join(', ')} column (columns found: ${names.map((n) => JSON.stringify(n)).join(', ')})`, { file, line: 1, field: missing[0]! });
            return names;
          },
          // cells as bytes: model names are decoded strictly (csvCellText), the rest as csv-parse would
          encoding: null,
          skip_empty_lines: true,
          max_record_size: max,
          on_record: (raw: Record<string, Buffer>, context: { lines: number }) => {
            const record: Record<string, string> = {};
            for (const key of Object.keys(raw)) record[key] = csvCellText(raw[key]!, key, file, context.lines);
            addRow(builder, record, file, context.lines, CsvBattleRow, filter);
            return null;
          },
        }),
      );
      source.on('error', (e) => parser.destroy(e)); // a read error ends the parse (pipe does not forward it)
      stopSource = () => source.destroy();
      for await (const _ of parser) void _; // records are consumed by the hook
    } else {
      const parser = makeJsonParser(format, builder, file, max, opts.engine, filter, opts.styleFields === false ? WEIGHT_ONLY : REFERENCE_KEYS);
      for await (const chunk of stream) parser.push(chunk as Buffer);
      parser.end();
    }
  } catch (e) {
    stopSource();
    stream.destroy();
    throw ioError(e, file);
  }
  if (readNone()) throw new InputError('no battles (empty input)', { file });
}

/** The stream's bytes without a leading UTF-8 byte order mark. */
async function* withoutBom(stream: Readable): AsyncGenerator<Buffer> {
  let head: Buffer | null = Buffer.alloc(0);
  for await (const chunk of stream) {
    if (head === null) {
      yield chunk as Buffer;
      continue;
    }
    head = Buffer.concat([head, chunk as Buffer]);
    if (head.length < 3) continue;
    yield head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    head = null;
  }
  if (head !== null && head.length > 0) yield head;
}

/** Largest Parquet input read whole from stdin (a file is read in slices, without this limit): 1 GiB. */
export const MAX_PARQUET_STDIN_BYTES = 2 ** 30;

async function readAll(stream: Readable, file: string): Promise<ArrayBuffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_PARQUET_STDIN_BYTES) {
      stream.destroy();
      throw new InputError(`more than ${MAX_PARQUET_STDIN_BYTES / 2 ** 30} GiB of Parquet on stdin (it is read whole): give the file's path instead`, { file });
    }
    chunks.push(chunk as Buffer);
  }
  const all = Buffer.concat(chunks);
  return all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer;
}

/**
 * Reads battles from files (or `-` for stdin) in the order given, streaming each one, into one
 * {@link BattleTable}. Stops at the first bad row.
 *
 * @throws InputError `file:line: field: reason`
 */
export async function readBattles(sources: readonly string[], opts: ReadOptions = {}): Promise<BattleTable> {
  if (sources.length === 0) throw new InputError('no battle files given');
  const userFilter = typeof opts.filter === 'string' ? compileFilter(opts.filter) : (opts.filter ?? null);
  const builder = new BattleTableBuilder({ tstamp: opts.tstamp ?? true });
  const covs = opts.covariates ?? [];
  const withCovs = covs.length ? covariateFilter(userFilter, covs, builder.useCovariates(covs.map((c) => c.name))) : userFilter;
  const filter = opts.voterField !== undefined ? voterFilter(withCovs, parseVoterPath(opts.voterField), (name) => builder.internVoter(name), builder.useVoters(opts.voterField)) : withCovs;
  for (const s of sources) {
    try {
      await readOne(builder, s, opts, filter);
    } catch (e) {
      // a problem found by the table builder (no file of its own): name the file being read
      if (e instanceof InputError && e.file === undefined) throw new InputError(e.reason, { file: s === '-' ? '<stdin>' : s, field: e.field });
      throw e;
    }
  }
  if (userFilter && builder.rows === 0) {
    throw new InputError(`no battles pass the filter (${builder.dropped} rows read): ${userFilter.expression}`, { file: sources.map((s) => (s === '-' ? '<stdin>' : s)).join(', ') });
  }
  return builder.finish();
}
