import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { type BattleFilter, FilterFieldError } from './filter.js';
import { BattleRow, CsvBattleRow, WINNER_LABELS } from './schema.js';
import { hasStyleFields, readStyleFields } from './style-fields.js';
import type { BattleTableBuilder } from './table.js';

/** Input formats understood by the readers. */
export type InputFormat = 'jsonl' | 'json' | 'csv' | 'parquet';

/** Longest line (or JSON array element) accepted, in bytes: longer ones are an error, not an out-of-memory. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const styleScratch = new Float64Array(8);

/**
 * Whether a filter keeps a row (`csv`: the row's values are CSV cells), with a problem in a field reported as
 * `file:line: field: reason`.
 * @throws InputError for an unknown field or a value of the wrong type
 */
export function filterKeeps(filter: BattleFilter, row: Readonly<Record<string, unknown>>, csv: boolean, file: string, line: number): boolean {
  try {
    return filter.testRow(row, csv);
  } catch (e) {
    if (e instanceof FilterFieldError) throw new InputError(e.reason, { file, line, field: e.field });
    throw e;
  }
}

/**
 * Validates one parsed row against a schema and appends it to the builder, with its style counts (LMArena
 * `conv_metadata`, see {@link readStyleFields}) when the row carries them. A malformed style count does not stop
 * the read (plain fits do not use it): the row gets no style and the first such problem is kept in
 * {@link BattleTable.styleIssue} for style control to report. With a `filter`, a valid row it rejects is counted
 * ({@link BattleTableBuilder.noteDropped}) and not stored: every row is validated, kept or not.
 * @throws InputError `file:line: field: reason` on the first problem
 */
export function addRow(builder: BattleTableBuilder, obj: unknown, file: string, line: number, schema: z.ZodType = BattleRow, filter?: BattleFilter | null): void {
  const r = schema.safeParse(obj);
  if (!r.success) {
    const iss = r.error.issues[0]!;
    const field = iss.path.length ? iss.path.map(String).join('.') : '(row)';
    throw new InputError(iss.message, { file, line, field });
  }
  if (filter && !filterKeeps(filter, obj as Record<string, unknown>, schema === CsvBattleRow, file, line)) {
    builder.noteDropped();
    return;
  }
  const row = r.data as BattleRow;
  let style: Float64Array | undefined;
  if (hasStyleFields(row)) {
    // a bad style count only matters to style control: note the first one, keep reading
    try {
      readStyleFields(row, file, line, styleScratch);
      style = styleScratch;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      builder.noteStyleIssue(e.message);
    }
  }
  builder.push(row.model_a, row.model_b, WINNER_LABELS.get(row.winner)!, row.count ?? 1, row.tstamp ?? undefined, style, row.weight ?? undefined);
}

function parseJson(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file, line, field: '(json)' });
  }
}

/**
 * Incremental JSON Lines reader: push byte chunks, get rows. Holds at most one partial line in memory.
 * Blank lines are skipped; a UTF-8 byte order mark and CR before LF are tolerated.
 */
export class JsonlParser {
  private parts: Buffer[] = [];
  private partLen = 0;
  private line = 0;
  /**
   * @param filter rows it rejects are validated, then left out (see {@link addRow})
   */
  constructor(
    protected readonly builder: BattleTableBuilder,
    protected readonly file: string,
    private readonly maxRecordBytes = MAX_RECORD_BYTES,
    protected readonly filter: BattleFilter | null = null,
  ) {}

  private emit(buf: Buffer, start: number, end: number): void {
    this.line++;
    if (end > start && buf[end - 1] === 13) end--;
    if (this.line === 1 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    // skip blank lines without decoding
    let k = start;
    while (k < end && (buf[k] === 32 || buf[k] === 9)) k++;
    if (k >= end) return;
    this.record(buf, start, end, this.line);
  }

  /**
   * Turns one non-blank line (`buf[start, end)`, without its line break) into a row: `JSON.parse` + the zod
   * schema. Subclasses may override it with a faster path that falls back here.
   */
  protected record(buf: Buffer, start: number, end: number, line: number): void {
    addRow(this.builder, parseRowBytes(buf, start, end, this.file, line), this.file, line, BattleRow, this.filter);
  }

  /** Feeds the next chunk of bytes. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const len = this.partLen + nl - start;
      if (len > this.maxRecordBytes) this.tooLong(this.line + 1);
      if (this.partLen) {
        this.parts.push(chunk.subarray(start, nl));
        const whole = Buffer.concat(this.parts, len);
        this.parts = [];
        this.partLen = 0;
        this.emit(whole, 0, len);
      } else {
        this.emit(chunk, start, nl);
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.partLen += chunk.length - start;
      if (this.partLen > this.maxRecordBytes) this.tooLong(this.line + 1);
      this.parts.push(Buffer.from(chunk.subarray(start)));
    }
  }

  private tooLong(line: number): never {
    throw new InputError(`line longer than ${this.maxRecordBytes} bytes`, { file: this.file, line, field: '(json)' });
  }

  /** Signals the end of input (emits a last line without a newline). Returns the number of lines read. */
  end(): number {
    if (this.partLen) {
      const buf = Buffer.concat(this.parts);
      this.parts = [];
      this.partLen = 0;
      this.emit(buf, 0, buf.length);
    }
    return this.line;
  }
}

/**
 * Incremental reader of one JSON array of row objects (LMArena's `clean_battle_*.json`): push byte chunks, get
 * rows. A small byte-level scanner finds each top-level element, so the whole text is never held in memory;
 * each element is then decoded by `JSON.parse`. Line numbers are those where each element starts.
 */
export class JsonArrayParser {
  // 0 expect '[', 1 expect element or ']', 2 inside element, 3 expect ',' or ']', 4 after ']'
  private state = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private parts: Buffer[] = [];
  private partLen = 0;
  private line = 1;
  private elemLine = 1;
  private afterComma = false;
  private first = true;
  constructor(
    protected readonly builder: BattleTableBuilder,
    protected readonly file: string,
    protected readonly maxRecordBytes = MAX_RECORD_BYTES,
    protected readonly filter: BattleFilter | null = null,
  ) {}

  /**
   * Turns one array element (`buf[start, end)`, from `{` to `}`) starting on line `line` into a row: `JSON.parse`
   * + the zod schema. Subclasses may override it with a faster path that falls back here.
   */
  protected record(buf: Buffer, start: number, end: number, line: number): void {
    addRow(this.builder, parseRowBytes(buf, start, end, this.file, line), this.file, line, BattleRow, this.filter);
  }

  /**
   * A subclass's fast path for a whole element starting at `chunk[start]` (`{`) and ending before `end`: returns the
   * position after it once stored (with the line feeds inside it in {@link fastLineFeeds}), or −1 to let this
   * class find the element's end and call {@link record}. The base class has no fast path.
   */
  protected fastElement(_chunk: Buffer, _start: number, _end: number): number {
    return -1;
  }

  /** Line feeds inside the element last read by {@link fastElement}. */
  protected fastLineFeeds = 0;

  private fail(reason: string): never {
    throw new InputError(reason, { file: this.file, line: this.line, field: '(json)' });
  }

  /** Feeds the next chunk of bytes. */
  push(chunk: Buffer): void {
    let i = 0;
    if (this.first) {
      this.first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    let elemStart = this.state === 2 ? 0 : -1;
    const n = chunk.length;
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (c === 10) this.line++;
      if (this.state === 2) {
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (c === 92) this.escape = true;
          else if (c === 34) this.inString = false;
        } else if (c === 34) this.inString = true;
        else if (c === 123 || c === 91) this.depth++;
        else if (c === 125 || c === 93) {
          if (--this.depth === 0) {
            const piece = chunk.subarray(elemStart, i + 1);
            const len = this.partLen + piece.length;
            if (len > this.maxRecordBytes) this.fail(`array element longer than ${this.maxRecordBytes} bytes`);
            const buf = this.partLen ? Buffer.concat([...this.parts, piece], len) : piece;
            this.parts = [];
            this.partLen = 0;
            this.record(buf, 0, buf.length, this.elemLine);
            this.state = 3;
            elemStart = -1;
          }
        }
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      switch (this.state) {
        case 0:
          if (c !== 91) this.fail('expected a JSON array of battle objects ("[")');
          this.state = 1;
          break;
        case 1:
          if (c === 93 && !this.afterComma) this.state = 4;
          else if (c === 123) {
            const q = this.fastElement(chunk, i, n);
            if (q > 0) {
              // the whole element was read by a subclass's fast path
              this.line += this.fastLineFeeds;
              this.state = 3;
              this.afterComma = false;
              i = q - 1;
              break;
            }
            this.state = 2;
            this.depth = 1;
            this.elemLine = this.line;
            elemStart = i;
            this.afterComma = false;
          } else this.fail(this.afterComma ? 'expected an object after ","' : 'expected an object or "]"');
          break;
        case 3:
          if (c === 44) {
            this.state = 1;
            this.afterComma = true;
          } else if (c === 93) this.state = 4;
          else this.fail('expected "," or "]" after an array element');
          break;
        default:
          this.fail('unexpected text after the end of the array');
      }
    }
    if (this.state === 2 && elemStart >= 0) {
      this.partLen += n - elemStart;
      if (this.partLen > this.maxRecordBytes) this.fail(`array element longer than ${this.maxRecordBytes} bytes`);
      this.parts.push(Buffer.from(chunk.subarray(elemStart)));
    }
  }

  /** Signals the end of input. @throws InputError if the array is not closed */
  end(): void {
    if (this.state === 0) return; // empty file: the caller reports "no battles"
    if (this.state !== 4) this.fail('unexpected end of file inside the JSON array');
  }
}

/**
 * Parses one row's bytes as `JSON.parse` does (invalid UTF-8 becomes U+FFFD), then refuses a model name that got a
 * U+FFFD from invalid bytes: a lenient decoder would merge `"a\xff"` and `"a\xfe"` into one model. Invalid bytes in
 * other fields are tolerated, as the fast reader (which decodes only the names) tolerates them. O(row bytes).
 * @throws InputError `file:line: model_a: not valid UTF-8 …`
 */
function parseRowBytes(buf: Buffer, start: number, end: number, file: string, line: number): unknown {
  const row = parseJson(buf.toString('utf8', start, end), file, line);
  if (row !== null && typeof row === 'object') {
    for (const field of ['model_a', 'model_b'] as const) {
      const name = (row as Record<string, unknown>)[field];
      if (typeof name === 'string' && name.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) {
        throw invalidNameBytes(file, line, field);
      }
    }
  }
  return row;
}

/** The error for a model name whose bytes are not valid UTF-8 (shared by the JSON and CSV readers). */
export function invalidNameBytes(file: string, line: number, field: string): InputError {
  return new InputError('not valid UTF-8: invalid bytes in a model name (a lenient reading would merge it with other names)', { file, line, field });
}

/**
 * A CSV cell's bytes as text: UTF-8, invalid sequences becoming U+FFFD, except in a model name (`model_a`,
 * `model_b`), where they are an error naming the line and field (as in JSON rows: a lenient decoder would merge
 * `a\xff` and `a\xfe` into one model). O(cell bytes).
 * @throws InputError `file:line: model_a: not valid UTF-8 …`
 */
export function csvCellText(bytes: Buffer, column: string, file: string, line: number): string {
  if ((column === 'model_a' || column === 'model_b') && !isUtf8(bytes)) throw invalidNameBytes(file, line, column);
  return bytes.toString('utf8');
}
