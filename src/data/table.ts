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
}

/**
 * Builds a {@link BattleTable} row by row with growable typed arrays, interning model names to integers once.
 */
export class BattleTableBuilder {
  private ids = new Map<string, number>();
  private names: string[] = [];
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private outcome = new Uint8Array(1024);
  private count = new Uint32Array(1024);
  private tstamp: Float64Array | null = null;
  private style: Float64Array | null = null;
  private styleIssue: string | undefined;
  private n = 0;
  private total = 0;

  /** Number of rows added so far. */
  get rows(): number {
    return this.n;
  }

  /** Keeps the first problem met in a row's style fields (reported only if style control is asked for). */
  noteStyleIssue(message: string): void {
    this.styleIssue ??= message;
  }

  /** Returns the id of a model name, adding it if new. */
  intern(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  private grow(): void {
    const cap = this.a.length * 2;
    const g = <T extends Int32Array | Uint8Array | Uint32Array | Float64Array>(arr: T, C: new (n: number) => T): T => {
      const next = new C(cap);
      next.set(arr);
      return next;
    };
    this.a = g(this.a, Int32Array);
    this.b = g(this.b, Int32Array);
    this.outcome = g(this.outcome, Uint8Array);
    this.count = g(this.count, Uint32Array);
    if (this.tstamp) {
      const t = new Float64Array(cap).fill(Number.NaN);
      t.set(this.tstamp);
      this.tstamp = t;
    }
    if (this.style) {
      const st = new Float64Array(cap * 8).fill(Number.NaN);
      st.set(this.style);
      this.style = st;
    }
  }

  /**
   * Appends one row given by model ids (from {@link intern}); `style` holds the row's 8 style counts (A's four,
   * then B's; see {@link STYLE_FEATURES}) when it has them.
   */
  pushIds(a: number, b: number, outcome: number, count = 1, tstamp?: number, style?: ArrayLike<number>): void {
    if (this.n === this.a.length) this.grow();
    const i = this.n++;
    this.a[i] = a;
    this.b[i] = b;
    this.outcome[i] = outcome;
    this.count[i] = count;
    this.total += count;
    if (tstamp !== undefined && !Number.isNaN(tstamp)) {
      if (!this.tstamp) this.tstamp = new Float64Array(this.a.length).fill(Number.NaN);
      this.tstamp[i] = tstamp;
    }
    if (style) {
      if (!this.style) this.style = new Float64Array(this.a.length * 8).fill(Number.NaN);
      for (let k = 0; k < 8; k++) this.style[i * 8 + k] = style[k]!;
    }
  }

  /** Appends one row given by model names. */
  push(modelA: string, modelB: string, outcome: Outcome, count = 1, tstamp?: number, style?: ArrayLike<number>): void {
    this.pushIds(this.intern(modelA), this.intern(modelB), OUTCOME_CODE[outcome], count, tstamp, style);
  }

  /** Freezes the rows into a table whose model ids follow sorted name order. O(rows + m log m). */
  finish(): BattleTable {
    const order = this.names.map((_, i) => i).sort((x, y) => (this.names[x]! < this.names[y]! ? -1 : this.names[x]! > this.names[y]! ? 1 : 0));
    const remap = new Int32Array(order.length);
    order.forEach((old, neu) => (remap[old] = neu));
    const n = this.n;
    const a = this.a.slice(0, n);
    const b = this.b.slice(0, n);
    for (let i = 0; i < n; i++) {
      a[i] = remap[a[i]!]!;
      b[i] = remap[b[i]!]!;
    }
    return {
      models: Object.freeze(order.map((i) => this.names[i]!)),
      a,
      b,
      outcome: this.outcome.slice(0, n),
      count: this.count.slice(0, n),
      tstamp: this.tstamp ? this.tstamp.slice(0, n) : null,
      rows: n,
      battles: this.total,
      ...(this.style ? { style: this.style.slice(0, n * 8) } : {}),
      ...(this.styleIssue !== undefined ? { styleIssue: this.styleIssue } : {}),
    };
  }
}

/** Builds a table from plain battle objects (convenient for tests and small library uses). */
export function tableFromBattles(
  battles: Iterable<{ modelA: string; modelB: string; outcome: Outcome; count?: number; tstamp?: number; style?: ArrayLike<number> }>,
): BattleTable {
  const builder = new BattleTableBuilder();
  for (const x of battles) builder.push(x.modelA, x.modelB, x.outcome, x.count ?? 1, x.tstamp, x.style);
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
  }
  return { models: t.models, a, b, outcome, count, tstamp, rows: n, battles: total, ...(style ? { style } : {}), ...(t.styleIssue !== undefined ? { styleIssue: t.styleIssue } : {}) };
}

/**
 * Sorts rows stably by timestamp (`--sort tstamp`).
 * @throws Error naming the first row without a timestamp
 */
export function sortByTimestamp(t: BattleTable): BattleTable {
  if (!t.tstamp) throw new Error('sort by tstamp requires a tstamp on every row (none has one)');
  const ts = t.tstamp;
  for (let i = 0; i < t.rows; i++) if (Number.isNaN(ts[i]!)) throw new Error(`sort by tstamp requires a tstamp on every row (row ${i + 1} has none)`);
  const order = Array.from({ length: t.rows }, (_, i) => i).sort((x, y) => ts[x]! - ts[y]! || x - y);
  return reorderTable(t, order);
}

/** Keeps the rows for which `keep(row)` is true; model list unchanged. */
export function filterRows(t: BattleTable, keep: (row: number) => boolean): BattleTable {
  const order: number[] = [];
  for (let i = 0; i < t.rows; i++) if (keep(i)) order.push(i);
  return reorderTable(t, order);
}
