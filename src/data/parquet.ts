import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { type AsyncBuffer, type DecodedArray, parquetMetadataAsync, parquetScan, parquetSchema } from 'hyparquet';
import { InputError } from '../errors.js';
import { workerScriptFor } from '../worker-script.js';
import type { WireColumn, WorkerReply, WorkerRequest } from './parquet-worker.js';
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

/** The value of row k of a column (a wire column: distinct values and codes, or the values themselves). */
const at = (c: WireColumn, k: number): unknown => (c.codes ? c.values[c.codes[k]!] : c.values[k]);
/** A decoded column as a {@link WireColumn} without codes. */
const plainColumn = (c: DecodedArray): WireColumn => ({ values: c as ArrayLike<unknown>, codes: null });

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
  private keeps(data: WireColumn[], k: number, line: number): boolean {
    const values = this.values;
    for (let s = 0; s < values.length; s++) values[s] = plainDeep(at(data[this.filterCols[s]!]!, k));
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
  rows(data: WireColumn[], first: number, n: number): void {
    const [A, B, W] = data as [WireColumn, WireColumn, WireColumn];
    const C = this.hasCount ? data[3]! : null;
    const T = this.hasTstamp ? data[this.hasCount ? 4 : 3]! : null;
    const WT = this.weightCol >= 0 ? data[this.weightCol]! : null;
    // ids of the distinct names of A and B in this slice, looked up once (−1: not yet)
    const idA = A.codes ? new Int32Array(A.values.length).fill(-1) : null;
    const idB = B.codes ? new Int32Array(B.values.length).fill(-1) : null;
    for (let k = 0; k < n; k++) {
      const a: unknown = at(A, k);
      const b: unknown = at(B, k);
      const w: unknown = at(W, k);
      let c: unknown = C ? at(C, k) : undefined;
      let t: unknown = T ? at(T, k) : undefined;
      let wt: unknown = WT ? at(WT, k) : undefined;
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
        let ia: number;
        let ib: number;
        if (idA) {
          const code = A.codes![k]!;
          ia = idA[code]!;
          if (ia < 0) ia = idA[code] = this.idOf(a);
        } else ia = this.idOf(a);
        if (idB) {
          const code = B.codes![k]!;
          ib = idB[code]!;
          if (ib < 0) ib = idB[code] = this.idOf(b);
        } else ib = this.idOf(b);
        this.builder.pushIds(ia, ib, OUTCOME_CODE[outcome], (c as number | null | undefined) ?? 1, (t as number | null | undefined) ?? undefined, undefined, (wt as number | null | undefined) ?? undefined);
      } else {
        // the reference validation: reports the row (or, should it accept it, stores it)
        const row: Record<string, unknown> = { model_a: a, model_b: b, winner: w };
        if (this.hasCount) row.count = c;
        if (this.hasTstamp) row.tstamp = t;
        if (this.weightCol >= 0) row.weight = wt;
        if (this.filter) this.filter.keys.forEach((key, s) => (row[key] ??= plainDeep(at(data[this.filterCols[s]!]!, k))));
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
  const plan = planColumns(parquetSchema(metadata).children.map((c) => c.element.name), Number(metadata.num_rows), name, filter);
  if (!plan) return; // no rows: the caller reports "no battles"
  let scan;
  try {
    // the codecs load on first use: hysnappy instantiates WebAssembly when imported, which the rest of the package
    // does not need (a runtime without WebAssembly can still read JSONL and CSV)
    const { compressors } = await import('hyparquet-compressors');
    scan = await parquetScan({ file, metadata, columns: plan.columns, compressors });
  } catch (e) {
    throw parquetError(e, name);
  }
  const ingest = plan.ingest(builder);
  let next = 0; // rows are read in file order; check that the ranges cover them all
  for (const { rowStart, rowEnd } of scan.ranges) {
    if (rowStart !== next) throw parquetError(new Error(`rows ${next}…${rowStart - 1} were not planned`), name);
    let data: DecodedArray[];
    try {
      data = await Promise.all(plan.columns.map((column) => scan.readColumn({ column, rowStart, rowEnd })));
    } catch (e) {
      throw parquetError(e, name);
    }
    ingest.rows(data.map(plainColumn), rowStart, rowEnd - rowStart);
    next = rowEnd;
  }
  if (next !== plan.rows) throw parquetError(new Error(`read ${next} of ${plan.rows} rows`), name);
}

/** The columns to read from a file with columns `present` and `rows` rows, and the row ingester over them (null: no rows). */
function planColumns(presentNames: readonly string[], rows: number, name: string, filter: BattleFilter | null) {
  const present = new Set(presentNames);
  if (rows === 0) return null;
  for (const required of PARQUET_COLUMNS.slice(0, 3)) {
    if (!present.has(required)) {
      throw new InputError(`missing (the file has no ${required} column; its columns: ${[...present].join(', ')})`, { file: name, line: 1, field: required });
    }
  }
  const columns: string[] = PARQUET_COLUMNS.filter((c) => present.has(c));
  const filterCols: number[] = [];
  for (const key of filter?.keys ?? []) {
    // a filter field is a column of the file: one it lacks is unknown in every row
    if (!present.has(key)) throw new InputError(`unknown field (a filter or covariate reads it; the file has no such column; its columns: ${[...present].join(', ')})`, { file: name, line: 1, field: key });
    if (!columns.includes(key)) columns.push(key);
    filterCols.push(columns.indexOf(key));
  }
  // the optional per-row weight (finite, > 0), after the columns above
  let weightCol = -1;
  if (present.has('weight')) {
    if (!columns.includes('weight')) columns.push('weight');
    weightCol = columns.indexOf('weight');
  }
  return { columns, rows, ingest: (builder: BattleTableBuilder) => new RowIngest(builder, name, present.has('count'), present.has('tstamp'), filter, filterCols, weightCol) };
}

/** Messages the Parquet worker may have in flight (slices of ≤ 65,536 rows decoded ahead of the main thread). */
const CREDITS = 4;

/** Options of {@link readParquetFileInto}. */
export interface ParquetReadOptions {
  /** Time allowed for the decoder's first answer (the footer), and the base of every later deadline [5000 ms]. */
  deadlineMs?: number | undefined;
  /** Further time allowed per compressed byte of the largest row group's read column chunks [1 ms per KiB: ≥ 1 MiB/s]. */
  msPerByte?: number | undefined;
  /** Heap limit of the decoder thread [2048 MiB]: a file whose decoding needs more is an error, not a crash. */
  maxHeapMb?: number | undefined;
}

/** Default {@link ParquetReadOptions}. */
export const PARQUET_READ_DEFAULTS = { deadlineMs: 5000, msPerByte: 1 / 1024, maxHeapMb: 2048 } as const;

/**
 * {@link readParquetInto} for a file path (or the whole bytes, e.g. read from stdin), with hyparquet decoding on a
 * worker thread under a deadline and a heap limit: a corrupt file that makes the decoder loop forever (hyparquet
 * 1.31–1.33: a zero-length run in a run-length/bit-packed block) or allocate without end stops with an
 * InputError `file: (parquet): not a readable Parquet file (…)` instead of hanging the process. The main thread
 * validates and stores one row range while the worker decodes the next, and names cross the thread boundary
 * once per range (distinct values plus Int32Array codes), so a good file costs about what the in-thread reader
 * costs (bench/parquet-read.mjs). A path must be a regular file (Parquet's index is at its end).
 *
 * @throws InputError as {@link readParquetInto}, or for a stalled or failed decoder
 */
export async function readParquetFileInto(builder: BattleTableBuilder, source: string | ArrayBuffer, name: string, filter: BattleFilter | null = null, opts: ParquetReadOptions = {}): Promise<void> {
  const deadlineMs = opts.deadlineMs ?? PARQUET_READ_DEFAULTS.deadlineMs;
  const msPerByte = opts.msPerByte ?? PARQUET_READ_DEFAULTS.msPerByte;
  if (typeof source === 'string') {
    const st = await stat(source).catch((e: NodeJS.ErrnoException) => {
      throw new InputError(`cannot read (${e.code ?? e.message})`, { file: name });
    });
    if (!st.isFile()) throw new InputError('a Parquet input must be a regular file (its index is at its end, so it is read in slices; a pipe or device cannot be): save it to a file, or give it on stdin as -', { file: name });
  }
  const spec = workerScriptFor(import.meta.url, 'parquet-worker');
  const worker = new Worker(spec.script, {
    eval: spec.eval,
    workerData: { source },
    ...(typeof source === 'string' ? {} : { transferList: [source] }),
    resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? PARQUET_READ_DEFAULTS.maxHeapMb },
    stdout: true,
    stderr: true,
  });
  const replies: WorkerReply[] = [];
  let failure: InputError | null = null;
  let wake: (() => void) | null = null;
  const fail = (why: string) => {
    failure ??= parquetError(new Error(why), name);
    wake?.();
  };
  worker.on('message', (m: WorkerReply) => {
    replies.push(m);
    wake?.();
  });
  worker.on('error', (e: Error & { code?: string }) => fail(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `decoding needs more than ${opts.maxHeapMb ?? PARQUET_READ_DEFAULTS.maxHeapMb} MiB` : e.message));
  worker.on('exit', () => fail('the decoder stopped'));
  /** The worker's next answer, or an InputError when it fails or takes longer than `ms`. */
  const receive = async (ms: number): Promise<WorkerReply> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      while (replies.length === 0 && !failure) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer ??= setTimeout(() => fail(`decoding stopped making progress: no answer in ${(ms / 1000).toFixed(1)} s`), ms);
        });
      }
    } finally {
      clearTimeout(timer);
      wake = null;
    }
    const m = replies.shift();
    if (!m) throw failure!;
    if (m.type === 'error') throw parquetError(new Error(m.message), name);
    return m;
  };
  const send = (m: WorkerRequest) => worker.postMessage(m);
  try {
    const meta = await receive(deadlineMs);
    if (meta.type !== 'meta') throw parquetError(new Error(`unexpected ${meta.type}`), name);
    const plan = planColumns(meta.columns, meta.rows, name, filter);
    if (!plan) return;
    send({ type: 'scan', columns: plan.columns });
    const first = await receive(deadlineMs);
    if (first.type !== 'plan') throw parquetError(new Error(`unexpected ${first.type}`), name);
    const deadline = deadlineMs + first.groupBytes * msPerByte;
    const ingest = plan.ingest(builder);
    let next = 0;
    for (let k = 0; k < CREDITS; k++) send({ type: 'next' });
    for (;;) {
      const m = await receive(deadline);
      if (m.type === 'end') break;
      if (m.type !== 'range') throw parquetError(new Error(`unexpected ${m.type}`), name);
      if (m.rowStart !== next) throw parquetError(new Error(`rows ${next}…${m.rowStart - 1} were not planned`), name);
      send({ type: 'next' }); // one more credit: the worker keeps decoding while this slice is stored
      ingest.rows(m.data, m.rowStart, m.rowEnd - m.rowStart);
      next = m.rowEnd;
    }
    if (next !== plan.rows) throw parquetError(new Error(`read ${next} of ${plan.rows} rows`), name);
  } finally {
    worker.removeAllListeners('exit');
    worker.on('exit', () => undefined);
    await worker.terminate();
  }
}
