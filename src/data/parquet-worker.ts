/**
 * The Parquet decoder thread (internal; started by `readParquetFileInto` in `parquet.ts`). hyparquet runs here, not
 * on the main thread, because a corrupt file can make it loop forever (a zero-length run in a
 * run-length/bit-packed block never advances): the main thread stays free to stop this one after a deadline.
 *
 * Protocol (main ⇄ worker), one message at a time:
 *   worker → `meta` {columns, rows} after reading the footer;
 *   main → `scan` {columns} (or `stop`); worker → `plan` {groupBytes}; then worker → `range` {rowStart, rowEnd,
 *   data} per slice of at most 65,536 rows, then `end`, each spending one credit: main grants a few `next`
 *   credits up front and one per message it receives, so the worker decodes ahead (the next row group while main
 *   stores this one) with a bounded queue. Any failure → `error` {message}. `groupBytes` (the most compressed
 *   bytes of the selected column chunks in one row group) sets main's deadline for each answer.
 * Columns travel as {@link WireColumn}: a typed array as is (transferred), any other array as its distinct values
 * plus an Int32Array of codes (model names repeat, so this moves each name once per range, not once per row).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type AsyncBuffer, asyncBufferFromFile, type DecodedArray, parquetMetadataAsync, parquetScan, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

/** A decoded column as sent to the main thread. */
export type WireColumn = { values: ArrayLike<unknown>; codes: Int32Array | null };

/** Messages from the worker. */
export type WorkerReply =
  | { type: 'meta'; columns: string[]; rows: number }
  | { type: 'plan'; groupBytes: number }
  | { type: 'range'; rowStart: number; rowEnd: number; data: WireColumn[] }
  | { type: 'end' }
  | { type: 'error'; message: string };

/** Messages to the worker. */
export type WorkerRequest = { type: 'scan'; columns: string[] } | { type: 'next' } | { type: 'stop' };

/** Rows per message: the main thread stores one slice while the worker encodes the next. */
const SLICE_ROWS = 1 << 16;

/** Rows `from … to − 1` of a decoded column → their wire form (and the buffers to transfer). */
function toWire(col: DecodedArray, from: number, to: number, transfer: ArrayBuffer[]): WireColumn {
  if (ArrayBuffer.isView(col)) {
    const own = (col as unknown as Int32Array).slice(from, to); // a copy owning its buffer, to transfer
    transfer.push(own.buffer as ArrayBuffer);
    return { values: own, codes: null };
  }
  const codes = new Int32Array(to - from);
  const index = new Map<string, number>();
  const values: unknown[] = [];
  for (let k = from; k < to; k++) {
    const v: unknown = col[k];
    if (typeof v === 'string') {
      let c = index.get(v);
      if (c === undefined) {
        index.set(v, (c = values.length));
        values.push(v);
      }
      codes[k - from] = c;
    } else {
      codes[k - from] = values.length;
      values.push(v);
    }
  }
  transfer.push(codes.buffer);
  return { values, codes };
}

async function main(): Promise<void> {
  const port = parentPort!;
  const inbox: WorkerRequest[] = [];
  let wake: (() => void) | null = null;
  port.on('message', (m: WorkerRequest) => {
    inbox.push(m);
    wake?.();
  });
  const receive = async (): Promise<WorkerRequest> => {
    while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
    wake = null;
    return inbox.shift()!;
  };
  const source = (workerData as { source: string | ArrayBuffer }).source;
  const file: AsyncBuffer =
    typeof source === 'string' ? await asyncBufferFromFile(source) : { byteLength: source.byteLength, slice: (s, e) => source.slice(s, e) };
  const metadata = await parquetMetadataAsync(file);
  port.postMessage({ type: 'meta', columns: parquetSchema(metadata).children.map((c) => c.element.name), rows: Number(metadata.num_rows) } satisfies WorkerReply);
  const request = await receive();
  if (request.type !== 'scan') return;
  const { columns } = request;
  const scan = await parquetScan({ file, metadata, columns, compressors });
  // the most compressed bytes of the selected column chunks in one row group (for main's deadline)
  let groupBytes = 0;
  for (const g of metadata.row_groups) {
    let bytes = 0;
    for (const c of g.columns) if (c.meta_data && columns.includes(c.meta_data.path_in_schema[0]!)) bytes += Number(c.meta_data.total_compressed_size);
    groupBytes = Math.max(groupBytes, bytes);
  }
  port.postMessage({ type: 'plan', groupBytes } satisfies WorkerReply);
  for (const { rowStart, rowEnd } of scan.ranges) {
    const decoded = await Promise.all(columns.map((column) => scan.readColumn({ column, rowStart, rowEnd })));
    for (let from = rowStart; from < rowEnd; from += SLICE_ROWS) {
      const to = Math.min(rowEnd, from + SLICE_ROWS);
      const transfer: ArrayBuffer[] = [];
      const data = decoded.map((c) => toWire(c, from - rowStart, to - rowStart, transfer));
      if ((await receive()).type !== 'next') return;
      port.postMessage({ type: 'range', rowStart: from, rowEnd: to, data } satisfies WorkerReply, transfer);
    }
  }
  if ((await receive()).type !== 'next') return;
  port.postMessage({ type: 'end' } satisfies WorkerReply);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    parentPort!.postMessage({ type: 'error', message: String((e as Error)?.message ?? e) } satisfies WorkerReply);
  },
);
