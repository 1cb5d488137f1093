import { InputError } from '../errors.js';
import { OUTCOME_CODE, type Outcome } from './schema.js';
import type { STYLE_FEATURES } from './style-fields.js';

/**
 * Battles in columns: model ids index {@link BattleTable.models}; one row may stand for `count` identical battles.
 * Outcome codes: 0 = model_a won, 1 = model_b won, 2 = tie, 3 = tie (bothbad). Model ids are assigned in sorted
 * (code unit) order of the names, so the same data always gives the same ids.
 */
export interface BattleTable {
  /** Model names, sorted; ids are indices into this array. */
  readonly models: readonly string[];
  /** Model id of side A, per row. */
  readonly a: Int32Array;
  /** Model id of side B, per row. */
  readonly b: Int32Array;
  /** Outcome code per row (see {@link OUTCOME_CODE}). */
  readonly outcome: Uint8Array;
  /** Number of identical battles per row (≥ 1). */
  readonly count: Uint32Array;
  /** Timestamp (seconds) per row, NaN where absent; null when no row had one. */
  readonly tstamp: Float64Array | null;
  /** Number of rows. */
  readonly rows: number;
  /** Number of battles: the sum of `count`. */
  readonly battles: number;
  /**
   * Response-style counts per row (LMArena `conv_metadata`, see {@link STYLE_FEATURES}): 8 values per row, side A's
   * four features then side B's, NaN on rows without them; absent (or null) when no row had any.
   */
  readonly style?: Float64Array | null;
  /** The first malformed style field met while reading (`file:line: field: reason`), if any. */
  readonly styleIssue?: string;
  /**
   * Per-row battle weight (the optional `weight` field: finite, > 0; 1 where a row has none); absent (or null)
   * when no row had one. A row of count c and weight w stands for c battles of weight w each (see `./weights`).
   */
  readonly weight?: Float64Array | null;
  /**
   * Σw² of each row's battles, when they are not `count` battles of weight `weight` each (a row that stands for
   * a cell of battles of different weights, as `PairBoard.toTable` makes); absent (or null): count·weight².
   * Only with `weight`.
   */
  readonly weight2?: Float64Array | null;

  /**
   * Covariate values (`--covariate`, see `src/data/covariates.ts`): one column per covariate, indexed like the rows,
   * raw (not standardised); absent (or null) when none was asked for.
   */
  readonly covariates?: TableCovariates | null;
  /**
   * Voter (judge) of each row (`--voter-field`, see `src/data/voters.ts`): ids index {@link TableVoters.names}, −1
   * where the row names none; absent (or null) when no voter field was read.
   */
  readonly voters?: TableVoters | null;
}

/** The voter column of a {@link BattleTable}. */
export interface TableVoters {
  /** The field path the voters were read from (as given to `--voter-field`). */
  readonly field: string;
  /** Voter names, sorted (code unit order); ids are indices into this array. */
  readonly names: readonly string[];
  /** Voter id per row, −1 where the row has none (null or empty value). */
  readonly id: Int32Array;
}

/** The covariate columns of a {@link BattleTable}. */
export interface TableCovariates {
  /** Covariate names, in column order. */
  readonly names: readonly string[];
  /** Raw values per covariate, one per row. */
  readonly columns: readonly Float64Array[];
}

/** Largest number of rows one {@link BattleTableBuilder} holds (2^28, about 268 million). */
export const MAX_TABLE_ROWS = 2 ** 28;

type Column = Int32Array | Uint8Array | Uint32Array | Float64Array;
type ColumnCtor<T extends Column> = { new (n: number): T; new (buf: ArrayBuffer): T; readonly BYTES_PER_ELEMENT: number };
/** ES2024 resizable ArrayBuffer (Node ≥ 20), typed here because the project's lib is ES2022. */
type ResizableBuffer = ArrayBuffer & { resize(byteLength: number): void };
const ResizableArrayBuffer = ArrayBuffer as unknown as new (byteLength: number, opts: { maxByteLength: number }) => ResizableBuffer;

/**
 * A growable typed-array column. On engines with resizable ArrayBuffers (Node ≥ 20) the column grows in place:
 * the buffer reserves address space for {@link MAX_TABLE_ROWS} elements and commits memory only as it grows, so
 * growth never copies and never holds two copies at once. Elsewhere (or when the reservation fails) it falls
 * back to doubling with a copy.
 */
class GrowableColumn<T extends Column> {
  view: T;
  private buf: ResizableBuffer | null = null;
  constructor(
    private readonly C: ColumnCtor<T>,
    capacity: number,
  ) {
    try {
      this.buf = new ResizableArrayBuffer(capacity * C.BYTES_PER_ELEMENT, { maxByteLength: MAX_TABLE_ROWS * C.BYTES_PER_ELEMENT });
      if (typeof this.buf.resize !== 'function') this.buf = null;
    } catch {
      this.buf = null;
    }
    this.view = this.buf ? new C(this.buf) : new C(capacity); // a length-tracking view over the resizable buffer
  }

  /** Grows to `capacity` elements (new elements are 0), keeping the contents. */
  grow(capacity: number): void {
    if (this.buf) {
      this.buf.resize(capacity * this.C.BYTES_PER_ELEMENT);
      return;
    }
    const next = new this.C(capacity);
    next.set(this.view as never);
    this.view = next;
  }

  /** Whether the column grows in place (a resizable buffer) rather than by copying. */
  get inPlace(): boolean {
    return this.buf !== null;
  }

  /**
   * Moves the first `n` elements into a plain (fixed-size) array and releases this column's memory. The copy runs
   * from the end in slices of {@link TAKE_SLICE} elements, shrinking the buffer after each, so the column and its
   * copy overlap by one slice only.
   */
  take(n: number): T {
    const out = new this.C(n);
    if (this.buf) {
      for (let end = n; end > 0; ) {
        const start = Math.max(0, end - TAKE_SLICE);
        out.set(this.view.subarray(start, end) as never, start);
        this.buf.resize(start * this.C.BYTES_PER_ELEMENT);
        end = start;
      }
      this.buf.resize(0);
    } else out.set(this.view.subarray(0, n) as never);
    this.view = new this.C(0);
    return out;
  }
}

/** Elements copied per step by {@link GrowableColumn.take}. */
const TAKE_SLICE = 1 << 18;
/**
 * Growth of in-place columns: doubling up to this many rows, then steps of this many rows. In-place growth costs no
 * copy, so small steps are free, and they bound the unused tail: V8 zero-fills the tail when a resizable buffer
 * shrinks, which would briefly commit its memory.
 */
const GROWTH_STEP = 1 << 20;

/** Names interned to integer ids in order of first appearance. */
class NameIds {
  readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  /** The id of `name`, added if new. */
  intern(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.push(name) - 1;
      this.ids.set(name, id);
    }
    return id;
  }
  /** `order[new id]` = old id when the names are sorted (code unit order), and `remap[old id]` = new id. */
  sorted(): { order: number[]; remap: Int32Array } {
    const n = this.names;
    const order = n.map((_, i) => i).sort((x, y) => (n[x]! < n[y]! ? -1 : n[x]! > n[y]! ? 1 : 0));
    const remap = new Int32Array(order.length);
    order.forEach((old, neu) => (remap[old] = neu));
    return { order, remap };
  }
}

/**
 * Builds a {@link BattleTable} row by row with growable typed arrays, interning model names to integers once.
 *
 * Memory: 13 bytes per row (21 with timestamps); the columns grow in place (see {@link GrowableColumn}) and
 * {@link finish} moves them into exact-size arrays slice by slice, so the peak is about the table itself
 * (6M battles: 78 MB, 126 MB with timestamps).
 */
export class BattleTableBuilder {
  /** Whether timestamps are kept (see the constructor). */
  readonly keepTstamp: boolean;
  private modelIds = new NameIds();
  private cap = 1024;
  private colA = new GrowableColumn(Int32Array, this.cap);
  private colB = new GrowableColumn(Int32Array, this.cap);
  private colOutcome = new GrowableColumn(Uint8Array, this.cap);
  private colCount = new GrowableColumn(Uint32Array, this.cap);
  private colTstamp: GrowableColumn<Float64Array> | null = null;
  private a = this.colA.view;
  private b = this.colB.view;
  private outcome = this.colOutcome.view;
  private count = this.colCount.view;
  private tstamp: Float64Array | null = null;
  private style: Float64Array | null = null;
  private weight: Float64Array | null = null;
  private styleIssue: string | undefined;
  private covNames: readonly string[] | null = null;
  private covCols: GrowableColumn<Float64Array>[] = [];
  private covScratch: Float64Array | null = null;
  private voterField: string | null = null;
  private voterIds = new NameIds();
  private colVoter: GrowableColumn<Int32Array> | null = null;
  private voterScratch: Int32Array | null = null;
  private n = 0;
  private total = 0;
  private finished = false;
  /** Rows read and validated but left out by a filter (see {@link noteDropped}). */
  dropped = 0;

  /**
   * @param options.tstamp keep the timestamps (default true); false saves 8 bytes per row when no step needs
   *   them (the table's `tstamp` is then null; readers still validate them)
   */
  constructor(options: { tstamp?: boolean } = {}) {
    this.keepTstamp = options.tstamp ?? true;
  }

  /** Number of rows added so far. */
  get rows(): number {
    return this.n;
  }

  /** Keeps the first problem met in a row's style fields (reported only if style control is asked for). */
  noteStyleIssue(message: string): void {
    this.styleIssue ??= message;
  }

  /**
   * Declares covariate columns (before any row): returns the scratch array (one value per covariate) that the
   * readers' covariate filter (`covariateFilter`) fills for each row it keeps; every row pushed afterwards stores
   * the scratch's current values.
   */
  useCovariates(names: readonly string[]): Float64Array {
    if (this.n > 0 || this.dropped > 0) throw new Error('BattleTableBuilder: useCovariates() after rows were added');
    this.covNames = [...names];
    this.covCols = names.map(() => new GrowableColumn(Float64Array, this.cap));
    this.covScratch = new Float64Array(names.length);
    return this.covScratch;
  }

  /**
   * Declares the voter column (before any row), read from `field`: returns the scratch (one id) that the readers'
   * voter filter (`voterFilter` in `./voters.ts`) sets for each row it keeps, from {@link internVoter} (−1: none);
   * every row pushed afterwards stores it.
   */
  useVoters(field: string): Int32Array {
    if (this.n > 0 || this.dropped > 0) throw new Error('BattleTableBuilder: useVoters() after rows were added');
    this.voterField = field;
    this.colVoter = new GrowableColumn(Int32Array, this.cap);
    this.voterScratch = new Int32Array(1).fill(-1);
    return this.voterScratch;
  }

  /** Returns the id of a voter name, adding it if new (ids follow sorted names once the table is finished). */
  internVoter(name: string): number {
    return this.voterIds.intern(name);
  }

  /** Counts a row that was read and validated but left out by a filter (its names are not interned). */
  noteDropped(): void {
    this.dropped++;
  }

  /** Returns the id of a model name, adding it if new. */
  intern(name: string): number {
    return this.modelIds.intern(name);
  }

  private grow(): void {
    if (this.finished) throw new Error('BattleTableBuilder: rows added after finish()');
    if (this.cap >= MAX_TABLE_ROWS) throw new RangeError(`a battle table holds at most ${MAX_TABLE_ROWS} rows`);
    const step = this.colA.inPlace && this.cap >= GROWTH_STEP ? GROWTH_STEP : this.cap;
    this.cap = Math.min(this.cap + step, MAX_TABLE_ROWS);
    for (const c of [this.colA, this.colB, this.colOutcome, this.colCount, this.colTstamp, this.colVoter, ...this.covCols]) c?.grow(this.cap);
    this.views();
    if (this.style) {
      const st = new Float64Array(this.cap * 8).fill(Number.NaN);
      st.set(this.style);
      this.style = st;
    }
    if (this.weight) {
      const w = new Float64Array(this.cap).fill(1);
      w.set(this.weight);
      this.weight = w;
    }
  }

  private views(): void {
    this.a = this.colA.view;
    this.b = this.colB.view;
    this.outcome = this.colOutcome.view;
    this.count = this.colCount.view;
    this.tstamp = this.colTstamp ? this.colTstamp.view : null;
  }

  /**
   * Appends one row given by model ids (from {@link intern}); `style` holds the row's 8 style counts (A's four,
   * then B's; see {@link STYLE_FEATURES}) when it has them; `weight` its battle weight (finite, > 0; default 1).
   */
  pushIds(a: number, b: number, outcome: number, count = 1, tstamp?: number, style?: ArrayLike<number>, weight?: number): void {
    // the total of battles is a double: past 2^53 − 1 it would no longer count every battle exactly
    if (this.total + count > Number.MAX_SAFE_INTEGER) throw new InputError(`the battles' counts add up to more than 2^53 − 1 (${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')}), beyond exact counting`, { field: 'count' });
    if (this.n >= this.a.length) this.grow();
    const i = this.n++;
    this.a[i] = a;
    this.b[i] = b;
    this.outcome[i] = outcome;
    this.count[i] = count;
    this.total += count;
    if (this.tstamp) this.tstamp[i] = tstamp === undefined ? Number.NaN : tstamp;
    else if (tstamp !== undefined && !Number.isNaN(tstamp) && this.keepTstamp) {
      this.colTstamp = new GrowableColumn(Float64Array, this.cap);
      this.tstamp = this.colTstamp.view;
      this.tstamp.fill(Number.NaN, 0, i);
      this.tstamp[i] = tstamp;
    }
    const cs = this.covScratch;
    if (cs) for (let j = 0; j < cs.length; j++) this.covCols[j]!.view[i] = cs[j]!;
    if (this.voterScratch) this.colVoter!.view[i] = this.voterScratch[0]!;
    if (style) {
      if (!this.style) this.style = new Float64Array(this.a.length * 8).fill(Number.NaN);
      for (let k = 0; k < 8; k++) this.style[i * 8 + k] = style[k]!;
    }
    if (this.weight) this.weight[i] = weight ?? 1;
    else if (weight !== undefined && weight !== 1) {
      this.weight = new Float64Array(this.a.length).fill(1);
      this.weight[i] = weight;
    }
  }

  /**
   * Drops the rows after the first `rows` (a reader that must start a file again). Interned names stay: the ids
   * of a finished table follow sorted names, so unused names only matter if no row refers to them, and a re-read
   * of the same file interns the same names again.
   */
  truncate(rows: number): void {
    if (rows < 0 || rows > this.n) throw new RangeError(`truncate: ${rows} is not between 0 and ${this.n}`);
    for (let i = rows; i < this.n; i++) this.total -= this.count[i]!;
    this.n = rows;
  }

  /** Appends one row given by model names. */
  push(modelA: string, modelB: string, outcome: Outcome, count = 1, tstamp?: number, style?: ArrayLike<number>, weight?: number): void {
    this.pushIds(this.intern(modelA), this.intern(modelB), OUTCOME_CODE[outcome], count, tstamp, style, weight);
  }

  /**
   * Freezes the rows into a table whose model ids follow sorted name order, and releases the builder's storage
   * (the builder cannot be used afterwards). O(rows + m log m).
   */
  finish(): BattleTable {
    if (this.finished) throw new Error('BattleTableBuilder: finish() called twice');
    this.finished = true;
    const { order, remap } = this.modelIds.sorted();
    const n = this.n;
    const a = this.colA.take(n);
    for (let i = 0; i < n; i++) a[i] = remap[a[i]!]!;
    const b = this.colB.take(n);
    for (let i = 0; i < n; i++) b[i] = remap[b[i]!]!;
    const outcome = this.colOutcome.take(n);
    const count = this.colCount.take(n);
    const tstamp = this.colTstamp ? this.colTstamp.take(n) : null;
    this.colTstamp = null;
    const covariates = this.covNames ? { names: Object.freeze([...this.covNames]), columns: this.covCols.map((c) => c.take(n)) } : null;
    this.covCols = [];
    let voters: TableVoters | null = null;
    if (this.colVoter) {
      const vn = this.voterIds.names;
      const { order: vOrder, remap: vRemap } = this.voterIds.sorted();
      const id = this.colVoter.take(n);
      for (let i = 0; i < n; i++) if (id[i]! >= 0) id[i] = vRemap[id[i]!]!;
      voters = { field: this.voterField!, names: Object.freeze(vOrder.map((i) => vn[i]!)), id };
      this.colVoter = null;
    }
    this.views();
    return {
      models: Object.freeze(order.map((i) => this.modelIds.names[i]!)),
      a,
      b,
      outcome,
      count,
      tstamp,
      rows: n,
      battles: this.total,
      ...(this.style ? { style: this.style.slice(0, n * 8) } : {}),
      ...(this.weight ? { weight: this.weight.slice(0, n) } : {}),
      ...(this.styleIssue !== undefined ? { styleIssue: this.styleIssue } : {}),
      ...(covariates ? { covariates } : {}),
      ...(voters ? { voters } : {}),
    };
  }
}

/** Builds a table from plain battle objects (convenient for tests and small library uses). */
export function tableFromBattles(
  battles: Iterable<{ modelA: string; modelB: string; outcome: Outcome; count?: number; tstamp?: number; style?: ArrayLike<number>; weight?: number; voter?: string | null }>,
  options: { voterField?: string } = {},
): BattleTable {
  const builder = new BattleTableBuilder();
  const scratch = options.voterField !== undefined ? builder.useVoters(options.voterField) : null;
  for (const x of battles) {
    if (scratch) scratch[0] = x.voter === undefined || x.voter === null || x.voter === '' ? -1 : builder.internVoter(x.voter);
    builder.push(x.modelA, x.modelB, x.outcome, x.count ?? 1, x.tstamp, x.style, x.weight);
  }
  return builder.finish();
}

/**
 * Returns the rows of a table in a new order (e.g. sorted by time). `order[i]` is the old row index of new row i.
 */
export function reorderTable(t: BattleTable, order: ArrayLike<number>): BattleTable {
  const n = order.length;
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const outcome = new Uint8Array(n);
  const count = new Uint32Array(n);
  const tstamp = t.tstamp ? new Float64Array(n) : null;
  const style = t.style ? new Float64Array(n * 8) : null;
  const weight = t.weight ? new Float64Array(n) : null;
  const weight2 = t.weight && t.weight2 ? new Float64Array(n) : null;
  const cov = t.covariates ? t.covariates.columns.map(() => new Float64Array(n)) : null;
  const voter = t.voters ? new Int32Array(n) : null;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    a[i] = t.a[j]!;
    b[i] = t.b[j]!;
    outcome[i] = t.outcome[j]!;
    count[i] = t.count[j]!;
    total += count[i]!;
    if (tstamp) tstamp[i] = t.tstamp![j]!;
    if (style) style.set(t.style!.subarray(j * 8, j * 8 + 8), i * 8);
    if (weight) weight[i] = t.weight![j]!;
    if (weight2) weight2[i] = t.weight2![j]!;
    if (cov) for (let q = 0; q < cov.length; q++) cov[q]![i] = t.covariates!.columns[q]![j]!;
    if (voter) voter[i] = t.voters!.id[j]!;
  }
  return {
    models: t.models,
    a,
    b,
    outcome,
    count,
    tstamp,
    rows: n,
    battles: total,
    ...(style ? { style } : {}),
    ...(weight ? { weight } : {}),
    ...(weight2 ? { weight2 } : {}),
    ...(t.styleIssue !== undefined ? { styleIssue: t.styleIssue } : {}),
    ...(cov ? { covariates: { names: t.covariates!.names, columns: cov } } : {}),
    ...(voter ? { voters: { field: t.voters!.field, names: t.voters!.names, id: voter } } : {}),
  };
}

/**
 * Sorts rows stably by timestamp (`--sort tstamp`). Data already in time order is returned as is. O(rows) when
 * sorted, else O(rows log rows) with a copy of the table.
 * @throws Error naming the first row without a timestamp
 */
export function sortByTimestamp(t: BattleTable): BattleTable {
  if (!t.tstamp) throw new Error('sort by tstamp requires a tstamp on every row (none has one)');
  const ts = t.tstamp;
  let sorted = true;
  for (let i = 0; i < t.rows; i++) {
    if (Number.isNaN(ts[i]!)) throw new Error(`sort by tstamp requires a tstamp on every row (row ${i + 1} has none)`);
    if (i > 0 && ts[i]! < ts[i - 1]!) sorted = false;
  }
  if (sorted) return t; // already in order (a stable sort would not move any row): no copy
  const order = Array.from({ length: t.rows }, (_, i) => i).sort((x, y) => ts[x]! - ts[y]! || x - y);
  return reorderTable(t, order);
}

/** Keeps the rows for which `keep(row)` is true; model list unchanged. */
export function filterRows(t: BattleTable, keep: (row: number) => boolean): BattleTable {
  const order: number[] = [];
  for (let i = 0; i < t.rows; i++) if (keep(i)) order.push(i);
  return reorderTable(t, order);
}

/**
 * How far the row order is from time order: rows without a timestamp (`missing`), and steps back in `tstamp`
 * between consecutive timestamped rows (`backwards`). O(rows).
 */
export function timestampOrder(t: BattleTable): { readonly missing: number; readonly backwards: number } {
  const ts = t.tstamp;
  let missing = 0;
  let backwards = 0;
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < t.rows; i++) {
    const x = ts ? ts[i]! : Number.NaN;
    if (Number.isNaN(x)) missing++;
    else {
      if (x < prev) backwards++;
      prev = x;
    }
  }
  return { missing, backwards };
}
