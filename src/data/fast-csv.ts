import { type FastReaderOptions, scanJsonNumber, TokenTrie } from './fast-jsonl.js';
import { isUtf8 } from 'node:buffer';
import { addRow, csvCellText, MAX_RECORD_BYTES } from './parse.js';
import { CsvBattleRow, MAX_COUNT, OUTCOME_CODE, WINNER_LABELS } from './schema.js';
import type { BattleTableBuilder } from './table.js';

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;
const ZERO = 48;
const NINE = 57;

/**
 * The fast CSV reader used by `readBattles` for files: it reads the common shape of battle CSV — a header row with
 * unique column names including `model_a`, `model_b`, `winner` (optional `count`, `tstamp`, any others), then rows
 * without quotes, one per line (LF, or CRLF throughout) — straight into a {@link BattleTableBuilder}: model names
 * and winner labels are recognised by walking their bytes through {@link TokenTrie}s, numbers are read from the
 * bytes, no object is made per row.
 *
 * It reproduces csv-parse with the options of the reference path (`columns: true, bom: true,
 * skip_empty_lines: true`) on that shape: the same fields (no trimming), the same line numbers (physical lines,
 * header = 1, skipped empty lines counted). A row whose values fail the quick checks is validated by the zod
 * schema ({@link CsvBattleRow}), so its error message is the reference one. On anything outside that shape (a
 * quote, a stray CR, a row with a different number of fields, a line over the size limit, an odd header) `push`
 * or `end` returns false: the caller then drops this file's rows ({@link BattleTableBuilder.truncate}) and reads
 * the file again with csv-parse, which reports or handles it. So does a header with one of the
 * {@link FastReaderOptions.referenceKeys}. Since quoting is rare in battle files, that
 * restart is rare too; its cost is at most one extra read of the file.
 *
 * O(bytes); memory: one partial line plus the tries.
 */
export class FastCsvReader {
  private parts: Buffer[] = [];
  private partLen = 0;
  private line = 0;
  private header: string[] | null = null;
  private crlf = false;
  private cols = 0;
  private colA = -1;
  private colB = -1;
  private colW = -1;
  private colCount = -1;
  private colTstamp = -1;
  /** Field boundaries of the current line: field k is [starts[k], starts[k + 1] − 1). */
  private starts = new Int32Array(0);
  private readonly names = new TokenTrie();
  private readonly nameList: string[] = [];
  private readonly ids: number[] = [];
  private readonly entryOf = new Map<string, number>();
  private readonly labels = new TokenTrie();
  private readonly labelCodes: number[] = [];
  private readonly num = new Float64Array(1);
  private gaveUp = false;
  /** Column of each filter key (by slot). */
  private filterCols = new Int32Array(0);
  private readonly filterValues: string[] = [];

  constructor(
    private readonly builder: BattleTableBuilder,
    private readonly file: string,
    private readonly maxRecordBytes = MAX_RECORD_BYTES,
    private readonly options: FastReaderOptions = {},
  ) {}

  /** Feeds the next chunk of bytes (the reader keeps no reference to it). @returns false to hand the file to csv-parse */
  push(chunk: Buffer): boolean {
    if (this.gaveUp) return false;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl < 0) break;
      let ok: boolean;
      if (this.partLen) {
        this.parts.push(chunk.subarray(start, nl));
        const len = this.partLen + nl - start;
        const whole = Buffer.concat(this.parts, len);
        this.parts = [];
        this.partLen = 0;
        ok = this.onLine(whole, 0, len, true);
      } else ok = this.onLine(chunk, start, nl, true);
      if (!ok) return this.giveUp();
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.partLen += chunk.length - start;
      if (this.partLen > this.maxRecordBytes) return this.giveUp();
      this.parts.push(Buffer.from(chunk.subarray(start)));
    }
    return true;
  }

  /** Signals the end of input (a last line without a line break). @returns false to hand the file to csv-parse */
  end(): boolean {
    if (this.gaveUp) return false;
    if (this.partLen) {
      const buf = Buffer.concat(this.parts);
      this.parts = [];
      this.partLen = 0;
      if (!this.onLine(buf, 0, buf.length, false)) return this.giveUp();
    }
    return true;
  }

  private giveUp(): false {
    this.gaveUp = true;
    this.parts = [];
    this.partLen = 0;
    return false;
  }

  /** One physical line `buf[s, e)` without its LF (`terminated`: it had one). */
  private onLine(buf: Buffer, s: number, e: number, terminated: boolean): boolean {
    this.line++;
    if (e - s > this.maxRecordBytes) return false;
    if (this.header === null) return this.onHeader(buf, s, e, terminated);
    if (this.crlf) {
      // every line break must be CRLF; an unterminated last line must not end with a CR
      const cr = e > s && buf[e - 1] === CR;
      if (terminated !== cr) return false;
      if (cr) e--;
    }
    if (e === s) return true; // empty line, skipped
    // split on commas; a quote or a CR means the line is not in the simple shape
    const starts = this.starts;
    let k = 0;
    starts[0] = s;
    for (let p = s; p < e; p++) {
      const c = buf[p]!;
      if (c === COMMA) {
        if (++k >= this.cols) return false;
        starts[k] = p + 1;
      } else if (c === QUOTE || c === CR) return false;
    }
    if (k !== this.cols - 1) return false;
    starts[this.cols] = e + 1;
    this.row(buf);
    return true;
  }

  private onHeader(buf: Buffer, s: number, e: number, terminated: boolean): boolean {
    if (buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
    if (e > s && buf[e - 1] === CR) {
      if (!terminated) return false;
      this.crlf = true;
      e--;
    }
    if (e === s) return false; // leading empty lines: csv-parse skips them, let it
    for (let p = s; p < e; p++) if (buf[p] === QUOTE || buf[p] === CR) return false;
    const names = buf.toString('utf8', s, e).split(',');
    if (new Set(names).size !== names.length || names.some((n) => n === '' || n === '__proto__')) return false;
    this.colA = names.indexOf('model_a');
    this.colB = names.indexOf('model_b');
    this.colW = names.indexOf('winner');
    if (this.colA < 0 || this.colB < 0 || this.colW < 0) return false; // the reference reports the missing column
    if (this.options.referenceKeys?.some((k) => names.includes(k))) return false; // columns only the reference reads
    const filter = this.options.filter;
    if (filter) {
      // a filter field without a column: the reference path reports it on the first row
      this.filterCols = Int32Array.from(filter.keys, (k) => names.indexOf(k));
      if (this.filterCols.some((c) => c < 0)) return false;
    }
    this.colCount = names.indexOf('count');
    this.colTstamp = names.indexOf('tstamp');
    this.header = names;
    this.cols = names.length;
    this.starts = new Int32Array(this.cols + 1);
    return true;
  }

  /** The current line's fields are in `starts`: validate and store, or let zod report it. */
  private row(buf: Buffer): void {
    const st = this.starts;
    const as = st[this.colA]!;
    const ae = st[this.colA + 1]! - 1;
    const bs = st[this.colB]!;
    const be = st[this.colB + 1]! - 1;
    const ws = st[this.colW]!;
    const we = st[this.colW + 1]! - 1;
    if (as === ae || bs === be || ws === we) return this.reference(buf);
    // winner label
    let w = this.labels.lookup(buf, ws, we);
    if (w < 0) {
      const label = WINNER_LABELS.get(buf.toString('utf8', ws, we));
      if (label === undefined) return this.reference(buf);
      w = this.labelCodes.length;
      this.labelCodes.push(OUTCOME_CODE[label]);
      this.labels.insert(buf, ws, we, w);
    }
    // count: empty, or plain digits 1 … MAX_COUNT
    let count = 1;
    if (this.colCount >= 0) {
      const cs = st[this.colCount]!;
      const ce = st[this.colCount + 1]! - 1;
      if (ce > cs) {
        if (ce - cs > 15) return this.reference(buf);
        let v = 0;
        for (let p = cs; p < ce; p++) {
          const c = buf[p]!;
          if (c < ZERO || c > NINE) return this.reference(buf);
          v = v * 10 + (c - ZERO);
        }
        if (v < 1 || v > MAX_COUNT) return this.reference(buf);
        count = v;
      }
    }
    // tstamp: empty, or a number in JSON syntax (which Number() reads the same), finite
    let tstamp: number | undefined;
    if (this.colTstamp >= 0) {
      const ts = st[this.colTstamp]!;
      const te = st[this.colTstamp + 1]! - 1;
      if (te > ts) {
        if (scanJsonNumber(buf, ts, te, this.num) !== te || !Number.isFinite(this.num[0]!)) return this.reference(buf);
        tstamp = this.num[0]!;
      }
    }
    // the filter, on the text of the cells it reads (a problem: the reference path reports it with its line)
    let keep = true;
    const filter = this.options.filter;
    if (filter) {
      const cols = this.filterCols;
      const values = this.filterValues;
      for (let k = 0; k < cols.length; k++) values[k] = buf.toString('utf8', st[cols[k]!]!, st[cols[k]! + 1]! - 1);
      try {
        keep = filter.testCsv(values);
      } catch {
        return this.reference(buf);
      }
    }
    // models: known byte strings, else decoded (entries are added for dropped rows too; ids only for kept rows)
    let ea = this.names.lookup(buf, as, ae);
    let eb = this.names.lookup(buf, bs, be);
    if (ea >= 0 && eb >= 0) {
      if (ea === eb) return this.reference(buf);
    } else {
      // a new name must be valid UTF-8 (checked once per distinct name: known byte strings skip this); else the
      // reference path reports the line
      if ((ea < 0 && !isUtf8(buf.subarray(as, ae))) || (eb < 0 && !isUtf8(buf.subarray(bs, be)))) return this.reference(buf);
      const nameA = ea >= 0 ? this.nameList[ea]! : buf.toString('utf8', as, ae);
      const nameB = eb >= 0 ? this.nameList[eb]! : buf.toString('utf8', bs, be);
      if (nameA === nameB) return this.reference(buf);
      if (ea < 0) {
        ea = this.entry(nameA);
        this.names.insert(buf, as, ae, ea);
      }
      if (eb < 0) {
        eb = this.entry(nameB);
        this.names.insert(buf, bs, be, eb);
      }
    }
    if (!keep) return this.builder.noteDropped();
    this.builder.pushIds(this.idOf(ea), this.idOf(eb), this.labelCodes[w]!, count, tstamp);
  }

  /** The model id of an entry, interning its name in the builder the first time a kept row uses it. */
  private idOf(e: number): number {
    let id = this.ids[e]!;
    if (id < 0) this.ids[e] = id = this.builder.intern(this.nameList[e]!);
    return id;
  }

  private entry(name: string): number {
    let e = this.entryOf.get(name);
    if (e === undefined) {
      e = this.nameList.length;
      this.nameList.push(name);
      this.ids.push(-1); // interned by idOf when a kept row uses it
      this.entryOf.set(name, e);
    }
    return e;
  }

  /** The line as csv-parse would give it (an object of strings by column name), through the zod schema. */
  private reference(buf: Buffer): void {
    const record: Record<string, string> = {};
    const st = this.starts;
    this.header!.forEach((name, k) => (record[name] = csvCellText(buf.subarray(st[k]!, st[k + 1]! - 1), name, this.file, this.line)));
    addRow(this.builder, record, this.file, this.line, CsvBattleRow, this.options.filter);
  }
}
