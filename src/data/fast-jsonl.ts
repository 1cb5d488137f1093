import { type BattleFilter, type FilterLeaves, MISSING } from './filter.js';
import { JsonArrayParser, JsonlParser, MAX_RECORD_BYTES } from './parse.js';
import { MAX_COUNT, OUTCOME_CODE } from './schema.js';
import type { BattleRow, WINNER_LABELS } from './schema.js';
import type { BattleTableBuilder } from './table.js';

// Byte codes.
const QUOTE = 34;
const BSLASH = 92;
const COLON = 58;
const COMMA = 44;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
/** Deepest nesting of extra fields the scanner follows before handing the row to `JSON.parse`. */
const MAX_DEPTH = 64;

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const LIT_TRUE = ascii('true');
const LIT_FALSE = ascii('false');
const LIT_NULL = ascii('null');
/** The winner labels of {@link WINNER_LABELS} as bytes, with their outcome codes. */
const LABELS: readonly (readonly [Uint8Array, number])[] = [
  [ascii('model_a'), OUTCOME_CODE.a],
  [ascii('model_b'), OUTCOME_CODE.b],
  [ascii('tie'), OUTCOME_CODE.tie],
  [ascii('tie (bothbad)'), OUTCOME_CODE.bothbad],
  [ascii('both_bad'), OUTCOME_CODE.bothbad],
];
/** Exact powers of ten representable as doubles (10^0 … 10^22), for the exact fast path of number parsing. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** Bytes that end or complicate a plain string: quote, backslash, control characters (1), else 0. */
const SPECIAL = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) SPECIAL[c] = 1;
SPECIAL[QUOTE] = 1;
SPECIAL[BSLASH] = 1;
/** JSON whitespace: space, tab, line feed, carriage return (1), else 0. */
const WS = new Uint8Array(256);
for (const c of [32, 10, 13, 9]) WS[c] = 1;

function bytesEqual(buf: Uint8Array, at: number, lit: Uint8Array): boolean {
  for (let k = 0; k < lit.length; k++) if (buf[at + k] !== lit[k]) return false;
  return true;
}

/**
 * Outcome code of the winner label starting at `buf[at]` (just after its opening quote) and ending with a quote
 * before `end`, or −1 when it is not exactly one of {@link LABELS}. Unrolled byte comparisons.
 */
function labelAt(buf: Uint8Array, at: number, end: number): number {
  const c = buf[at];
  if (c === 109) {
    // model_a", model_b"
    if (at + 7 < end && buf[at + 7] === QUOTE && buf[at + 1] === 111 && buf[at + 2] === 100 && buf[at + 3] === 101 && buf[at + 4] === 108 && buf[at + 5] === 95) {
      const last = buf[at + 6];
      return last === 97 ? OUTCOME_CODE.a : last === 98 ? OUTCOME_CODE.b : -1;
    }
    return -1;
  }
  if (c === 116) {
    // tie", tie (bothbad)"
    if (at + 3 < end && buf[at + 1] === 105 && buf[at + 2] === 101) {
      if (buf[at + 3] === QUOTE) return OUTCOME_CODE.tie;
      if (at + 13 < end && buf[at + 13] === QUOTE && bytesEqual(buf, at, LABELS[3]![0])) return OUTCOME_CODE.bothbad;
    }
    return -1;
  }
  if (c === 98) {
    // both_bad"
    return at + 8 < end && buf[at + 8] === QUOTE && bytesEqual(buf, at, LABELS[4]![0]) ? OUTCOME_CODE.bothbad : -1;
  }
  return -1;
}

/** Options of the fast readers. */
export interface FastReaderOptions {
  /**
   * Names of top-level fields (columns, for CSV) that only the reference path reads: rows carrying one (CSV files
   * with such a column) are left to it, so whatever `addRow` extracts from them is still extracted.
   */
  readonly referenceKeys?: readonly string[] | undefined;
  /**
   * A filter: the reader extracts only the top-level fields it reads ({@link BattleFilter.keys}), and rows it
   * rejects are validated but neither stored nor interned. A row on which the filter fails (an unknown field, a
   * value of the wrong type) goes to the reference path, which reports it with its line.
   */
  readonly filter?: BattleFilter | null | undefined;
}

/** The bit of each of the five known keys in the scanner's `seen` mask. */
const CORE_KEYS: readonly (readonly [string, number])[] = [
  ['model_a', 1],
  ['model_b', 2],
  ['winner', 4],
  ['count', 8],
  ['tstamp', 16],
];

/** Most trie nodes one {@link TokenTrie} allocates (1 KiB each): beyond it, new names take the decoding path. */
export const MAX_TRIE_NODES = 1 << 15;

/**
 * Interning of JSON string tokens by their raw bytes: a byte trie whose paths are the bytes between a token's
 * quotes (escapes undecoded) and whose closing-quote transition gives the token's entry. Walking it reads each
 * byte once and finds the token's end, its identity and its model in the same pass, without decoding or hashing.
 * A token's bytes determine its decoded text, so a path always means one name; different bytes may decode to the
 * same name (`"a"` and `"\u0061"`), so entries are per decoded name and several paths may lead to one entry.
 * A path ends at an unescaped quote only, so an escaped quote inside a name is an ordinary transition.
 *
 * Nodes are rows of 256 `Int32` transitions: > 0 child node, < 0 closing quote of entry `−v − 1`, 0 none.
 * O(token length) per walk; memory 1 KiB per node, at most {@link MAX_TRIE_NODES} nodes.
 */
export class TokenTrie {
  private next = new Int32Array(256 * 64);
  private nodes = 1; // node 0 is the root
  /** Position after the closing quote of the last successful {@link walk}. */
  end = 0;

  /**
   * Follows the token whose opening quote is `buf[p]`.
   * @returns its entry, or −1 when the token is not in the trie (or runs past `end`)
   */
  walk(buf: Uint8Array, p: number, end: number): number {
    const next = this.next;
    let node = 0;
    for (let q = p + 1; q < end; q++) {
      const v = next[(node << 8) | buf[q]!]!;
      if (v > 0) node = v;
      else if (v < 0) {
        this.end = q + 1;
        return -v - 1;
      } else return -1;
    }
    return -1;
  }

  /** The entry of the token whose raw bytes are exactly `buf[start, end)`, or −1 when it is not in the trie. */
  lookup(buf: Uint8Array, start: number, end: number): number {
    const next = this.next;
    let node = 0;
    for (let q = start; q < end; q++) {
      node = next[(node << 8) | buf[q]!]!;
      if (node <= 0) return -1;
    }
    const v = next[(node << 8) | QUOTE]!;
    return v < 0 ? -v - 1 : -1;
  }

  /**
   * Adds the token with raw bytes `buf[start, end)` (between its quotes, a valid JSON string) for `entry`.
   * @returns false when the trie is full (the token is then simply not added)
   */
  insert(buf: Uint8Array, start: number, end: number, entry: number): boolean {
    if (this.nodes + (end - start) > MAX_TRIE_NODES) return false;
    let node = 0;
    for (let q = start; q < end; q++) {
      const k = (node << 8) | buf[q]!;
      let v = this.next[k]!;
      if (v < 0) return false; // cannot happen for valid tokens: a token never continues after its closing quote
      if (v === 0) {
        v = this.nodes++;
        if (this.nodes * 256 > this.next.length) {
          const grown = new Int32Array(Math.min(this.next.length * 2, MAX_TRIE_NODES * 256));
          grown.set(this.next);
          this.next = grown;
        }
        this.next[k] = v;
      }
      node = v;
    }
    this.next[(node << 8) | QUOTE] = -entry - 1;
    return true;
  }
}

/**
 * The field paths a reader extracts numbers from (see {@link FilterLeaves}), as a tree of object keys: entry `i` of
 * a node is the key `keys[i]` (raw bytes, no escapes), either an object to descend into (`child[i]`) or a number
 * (`leaf[i]`, its index in the paths).
 */
class LeafNode {
  readonly keys: Uint8Array[] = [];
  readonly child: (LeafNode | null)[] = [];
  readonly leaf: number[] = [];
  /** A number per entry, unique in the tree (0, 1, …): for telling a repeated key in a row. */
  readonly id: number[] = [];

  /** The tree of `paths` (none a prefix of another); `entries` receives the number of entries. */
  static of(paths: readonly (readonly string[])[], entries: { count: number }): LeafNode {
    const root = new LeafNode();
    paths.forEach((path, idx) => {
      let node = root;
      path.forEach((seg, depth) => {
        const bytes = Buffer.from(seg, 'utf8');
        let i = node.keys.findIndex((k) => k.length === bytes.length && bytesEqual(k, 0, bytes));
        const last = depth === path.length - 1;
        if (i < 0) {
          i = node.keys.push(bytes) - 1;
          node.child.push(last ? null : new LeafNode());
          node.leaf.push(last ? idx : -1);
          node.id.push(entries.count++);
        }
        if (!last) node = node.child[i]!;
      });
    });
    return root;
  }

  /** The entry whose key is exactly `buf[start, end)`, or −1. O(keys · key length). */
  find(buf: Uint8Array, start: number, end: number): number {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k.length === end - start && bytesEqual(buf, start, k)) return i;
    }
    return -1;
  }
}

/**
 * A byte-level reader of battle rows in their common shape: one JSON object with string `model_a`, `model_b` and
 * `winner`, optional `count` (a number; null goes to the reference path, which rejects it) and `tstamp` (a number or null) and any other fields (skipped, but checked to be valid
 * JSON per RFC 8259, https://www.rfc-editor.org/rfc/rfc8259). It writes straight into a {@link BattleTableBuilder}:
 * no object is made per row, and a model name seen before is recognised by walking its bytes through a
 * {@link TokenTrie} (no string decoded, no hash computed). Numbers are converted exactly as `JSON.parse` does
 * (Clinger's exact fast path, else `Number()` on the text). Why: `JSON.parse` + zod costs about 1.5 µs per row,
 * this about 0.2 µs, near one pass over the bytes.
 *
 * It accepts a row only when it is certain that `JSON.parse` followed by the zod schema ({@link BattleRow}) would
 * accept it with the same values; for anything else (escaped keys, duplicate keys, a bad label, a number written
 * in an unusual way, invalid JSON, deep nesting, …) {@link tryRow} returns false and the caller falls back to the
 * reference path, which then produces exactly the reference result or error message. A differential property
 * test (tests/data/fast-jsonl.property.test.ts) checks this on random valid and invalid text.
 *
 * O(bytes of the row); memory: the trie (about 1 KiB per distinct name byte prefix).
 */
export class FastRowReader {
  private readonly trie = new TokenTrie();
  /** Entries (one per distinct decoded name): names, their model ids, and the entry of each name. */
  private readonly names: string[] = [];
  private readonly ids: number[] = [];
  private readonly entryOf = new Map<string, number>();
  // Scanner outputs for the current row: for each model, its entry (−1 when not in the trie yet) or else the span
  // [start, end) between its quotes and whether it has escapes.
  // Index 0 is model_a, 1 is model_b.
  private readonly mEntry = Int32Array.from([-1, -1]);
  private readonly mStart = new Int32Array(2);
  private readonly mEnd = new Int32Array(2);
  private readonly mEsc = new Uint8Array(2);
  private outcome = 0;
  private count = 1;
  private tstamp = Number.NaN;
  // String-scan outputs.
  private sEnd = 0;
  private sEsc = false;
  private num = 0;
  /** Line feeds met (as whitespace) since the last reset: how many lines an object spans. */
  lineFeeds = 0;
  private readonly numOut = new Float64Array(1);

  /** Keys (as bytes) of top-level fields that only the reference path reads. */
  private readonly referenceKeys: readonly Uint8Array[];
  private readonly filter: BattleFilter | null;
  /** The filter's keys that are not one of the five known keys (as bytes), and their slots. */
  private readonly filterKeys: readonly Uint8Array[];
  private readonly filterKeySlots: Int32Array;
  /** Slot of each known key by its bit (index 1, 2, 4, 8, 16), −1 when the filter does not read it. */
  private readonly coreSlot = new Int32Array(17).fill(-1);
  /** Span of each filter slot's value in the current row ([fStart, fEnd), fStart −1 when absent). */
  private readonly fStart: Int32Array;
  private readonly fEnd: Int32Array;
  private readonly fValues: unknown[];
  /** String values of filter fields by their raw bytes (see {@link TokenTrie}), and their decoded texts. */
  private readonly valueTrie = new TokenTrie();
  private readonly valueStrings: string[] = [];
  /** Keys of flat objects read by the filter (see {@link flatObject}), by their raw bytes. */
  private readonly keyTrie = new TokenTrie();
  private readonly keyStrings: string[] = [];
  /**
   * Covariates read as numbers at field paths ({@link FilterLeaves}): their tree of keys, the numbers found in the
   * current row, whether each key of the tree was met, how many numbers, and whether anything needs the reference path (a duplicate key, a
   * key with escapes, a value that is not a number or not an object on the way). Null without such covariates.
   */
  private readonly leaves: FilterLeaves | null;
  private readonly leafRoot: LeafNode | null;
  private readonly leafVal: Float64Array;
  private readonly leafSeen: Uint8Array;
  private leafFound = 0;
  private leafBad = false;
  /** Whether every covariate is a bare field path ({@link FilterLeaves.direct}). */
  private readonly leafAllDirect: boolean;

  /**
   * @param options.referenceKeys names of top-level fields that only the reference path reads (e.g. fields a
   *   later step extracts in `addRow`): a row carrying one is always left to it
   */
  constructor(
    private readonly builder: BattleTableBuilder,
    options: FastReaderOptions = {},
  ) {
    this.referenceKeys = (options.referenceKeys ?? []).map((k) => Buffer.from(k, 'utf8'));
    // covariates at field paths are read here, on bytes (the five known keys and __proto__ are left to the filter)
    const leaves = options.filter?.leaves;
    const byBytes = leaves !== undefined && leaves.paths.every((path) => !CORE_KEYS.some(([k]) => k === path[0]) && !path.includes('__proto__'));
    this.leaves = byBytes ? leaves : null;
    const entries = { count: 0 };
    this.leafRoot = byBytes ? LeafNode.of(leaves.paths, entries) : null;
    this.leafVal = new Float64Array(byBytes ? leaves.paths.length : 0);
    this.leafSeen = new Uint8Array(entries.count);
    this.leafAllDirect = byBytes && leaves.direct.every((i) => i >= 0);
    this.filter = byBytes ? leaves.inner : (options.filter ?? null);
    const keys = this.filter?.keys ?? [];
    const other: Uint8Array[] = [];
    const otherSlots: number[] = [];
    keys.forEach((k, slot) => {
      const core = CORE_KEYS.find(([name]) => name === k);
      if (core) this.coreSlot[core[1]] = slot;
      else {
        other.push(Buffer.from(k, 'utf8'));
        otherSlots.push(slot);
      }
    });
    this.filterKeys = other;
    this.filterKeySlots = Int32Array.from(otherSlots);
    this.fStart = new Int32Array(keys.length);
    this.fEnd = new Int32Array(keys.length);
    this.fValues = new Array<unknown>(keys.length);
  }

  /** The filter slot of a top-level key other than the five known ones, or −1. */
  private filterSlot(buf: Uint8Array, start: number, end: number): number {
    const keys = this.filterKeys;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (key.length === end - start && bytesEqual(buf, start, key)) return this.filterKeySlots[k]!;
    }
    return -1;
  }

  /**
   * The filter's verdict on the scanned row from the spans of its fields, each decoded as `JSON.parse` would
   * (strings, numbers, literals in place; objects and arrays by `JSON.parse` of their own text only).
   * @returns 1 keep, 0 drop, −1 let the reference path decide (a field it cannot decode, or a filter error)
   */
  private verdict(buf: Buffer): number {
    const { fStart, fEnd, fValues, coreSlot } = this;
    for (let k = 0; k < fStart.length; k++) {
      const s = fStart[k]!;
      if (s < 0) {
        fValues[k] = MISSING;
        continue;
      }
      const e = fEnd[k]!;
      const c = buf[s]!;
      if (c === QUOTE) {
        // strings: interned by their raw bytes (a filter's string fields, like language, take few values)
        let v: string | null;
        const entry = this.valueTrie.walk(buf, s, e);
        if (entry >= 0) v = this.valueStrings[entry]!;
        else {
          let esc = false;
          for (let q = s + 1; q < e - 1; q++) if (buf[q] === BSLASH) esc = true;
          v = decodeToken(buf, s + 1, e - 1, esc);
          if (v === null) return -1;
          if (this.valueTrie.insert(buf, s + 1, e - 1, this.valueStrings.length)) this.valueStrings.push(v);
        }
        fValues[k] = v;
      } else if (c === 116) fValues[k] = true;
      else if (c === 102) fValues[k] = false;
      else if (c === 110) fValues[k] = null;
      else if (c === LBRACE || c === LBRACKET) {
        // a flat object of numbers and literals (conv_metadata's counts) is decoded in place; anything else by JSON.parse
        const flat = c === LBRACE ? this.flatObject(buf, s, e) : undefined;
        if (flat !== undefined) fValues[k] = flat;
        else
          try {
            fValues[k] = JSON.parse(buf.toString('utf8', s, e));
          } catch {
            return -1;
          }
      } else if (k === coreSlot[16]) fValues[k] = this.tstamp; // already read by the scanner
      else if (k === coreSlot[8]) fValues[k] = this.count;
      else {
        if (scanJsonNumber(buf, s, e, this.numOut) !== e) return -1;
        fValues[k] = this.numOut[0];
      }
    }
    try {
      return this.filter!.test(fValues) ? 1 : 0;
    } catch {
      return -1;
    }
  }

  /**
   * Decodes `buf[s, e)`, an object whose keys are plain strings (no escapes) and whose values are numbers, `true`,
   * `false` or `null`, as `JSON.parse` would (keys interned by their bytes, so no string is built per row);
   * undefined for any other shape (the caller falls back to `JSON.parse`). O(e − s).
   */
  private flatObject(buf: Buffer, s: number, e: number): Record<string, unknown> | undefined {
    const o: Record<string, unknown> = {};
    let p = s + 1;
    while (p < e && WS[buf[p]!] === 1) p++;
    if (p < e && buf[p] === RBRACE) return o;
    for (;;) {
      if (p >= e || buf[p] !== QUOTE) return undefined;
      let entry = this.keyTrie.walk(buf, p, e);
      let key: string;
      if (entry >= 0) {
        key = this.keyStrings[entry]!;
        p = this.keyTrie.end;
      } else {
        let q = p + 1;
        while (q < e && buf[q] !== QUOTE && buf[q] !== BSLASH && buf[q]! >= 0x20) q++;
        if (q >= e || buf[q] !== QUOTE) return undefined;
        key = buf.toString('utf8', p + 1, q);
        entry = this.keyStrings.length;
        if (this.keyTrie.insert(buf, p + 1, q, entry)) this.keyStrings.push(key);
        p = q + 1;
      }
      if (key === '__proto__') return undefined; // an own property under JSON.parse: let it decide
      while (p < e && WS[buf[p]!] === 1) p++;
      if (p >= e || buf[p] !== COLON) return undefined;
      p++;
      while (p < e && WS[buf[p]!] === 1) p++;
      if (p >= e) return undefined;
      const c = buf[p]!;
      let v: unknown;
      if (c === MINUS || (c >= ZERO && c <= NINE)) {
        p = scanJsonNumber(buf, p, e, this.numOut);
        if (p < 0) return undefined;
        v = this.numOut[0];
      } else if (c === 116 && p + 4 <= e && bytesEqual(buf, p, LIT_TRUE)) {
        v = true;
        p += 4;
      } else if (c === 102 && p + 5 <= e && bytesEqual(buf, p, LIT_FALSE)) {
        v = false;
        p += 5;
      } else if (c === 110 && p + 4 <= e && bytesEqual(buf, p, LIT_NULL)) {
        v = null;
        p += 4;
      } else return undefined;
      o[key] = v;
      while (p < e && WS[buf[p]!] === 1) p++;
      if (p >= e) return undefined;
      const d = buf[p++]!;
      if (d === RBRACE) return p === e ? o : undefined;
      if (d !== COMMA) return undefined;
      while (p < e && WS[buf[p]!] === 1) p++;
    }
  }

  private isReferenceKey(buf: Uint8Array, start: number, end: number): boolean {
    for (const key of this.referenceKeys) if (key.length === end - start && bytesEqual(buf, start, key)) return true;
    return false;
  }

  /**
   * Reads one row from `buf[start, end)` into the builder.
   * @returns false (and leaves the builder unchanged) when the row must go through the reference path
   */
  tryRow(buf: Buffer, start: number, end: number): boolean {
    return this.scan(buf, start, end) && this.commit(buf);
  }

  /**
   * Reads one object that starts at `buf[p]` (`{`) and ends before `end` (an element of a JSON array) into the
   * builder; `lineFeeds` then holds the number of line feeds inside it.
   * @returns the position after the object, or −1 (builder unchanged) when it must go through the reference path
   */
  tryObject(buf: Buffer, p: number, end: number): number {
    this.lineFeeds = 0;
    const q = this.scanObject(buf, p, end);
    return q >= 0 && this.commit(buf) ? q : -1;
  }

  /**
   * Scans a model name value at `p` for side 0 (model_a) or 1 (model_b): its trie entry when the name is known,
   * else the span between its quotes and whether it has escapes. Returns the offset after the value, or −1.
   */
  private modelField(buf: Buffer, p: number, end: number, side: number): number {
    if (buf[p] !== QUOTE) return -1;
    const e = this.trie.walk(buf, p, end);
    this.mEntry[side] = e;
    if (e >= 0) return this.trie.end;
    if (!this.modelString(buf, p, end)) return -1;
    this.mStart[side] = p + 1;
    this.mEnd[side] = this.sEnd - 1;
    this.mEsc[side] = this.sEsc ? 1 : 0;
    return this.sEnd;
  }

  /**
   * Stores the scanned row, unless its names are invalid or equal (then false, builder unchanged). A row the
   * filter rejects is checked the same way, then counted as dropped without interning its names.
   */
  private commit(buf: Buffer): boolean {
    const { mEntry, mStart, mEnd, mEsc } = this;
    let ea = mEntry[0]!;
    let eb = mEntry[1]!;
    const keep = this.filter === null ? 1 : this.verdict(buf);
    if (keep < 0) return false;
    if (keep === 1 && this.leaves !== null) {
      // a kept row's covariates: every number found once, in the plain shape; else the reference path decides
      if (this.leafBad || this.leafFound !== this.leafVal.length) return false;
      if (this.leafAllDirect) {
        // each covariate is a number read as is: copied, checked to be finite (else the reference path reports it)
        const { direct, out } = this.leaves;
        for (let j = 0; j < direct.length; j++) {
          const v = this.leafVal[direct[j]!]!;
          if (v - v !== 0) return false;
          out[j] = v;
        }
      } else {
        try {
          this.leaves.compute(this.leafVal);
        } catch {
          return false;
        }
      }
    }
    if (ea >= 0 && eb >= 0) {
      if (ea === eb) return false; // the same model on both sides: the reference path reports it
      if (keep === 0) {
        this.builder.noteDropped();
        return true;
      }
    } else {
      const nameA = ea >= 0 ? this.names[ea]! : decodeToken(buf, mStart[0]!, mEnd[0]!, mEsc[0] === 1);
      const nameB = eb >= 0 ? this.names[eb]! : decodeToken(buf, mStart[1]!, mEnd[1]!, mEsc[1] === 1);
      if (!nameA || !nameB || nameA === nameB) return false; // invalid, empty or equal names
      if (ea < 0) {
        ea = this.entry(nameA);
        this.trie.insert(buf, mStart[0]!, mEnd[0]!, ea);
      }
      if (eb < 0) {
        eb = this.entry(nameB);
        this.trie.insert(buf, mStart[1]!, mEnd[1]!, eb);
      }
      if (keep === 0) {
        this.builder.noteDropped();
        return true;
      }
    }
    const t = this.tstamp;
    this.builder.pushIds(this.idOf(ea), this.idOf(eb), this.outcome, this.count, t === t ? t : undefined);
    return true;
  }

  /** The model id of an entry, interning its name in the builder the first time a kept row uses it. */
  private idOf(e: number): number {
    let id = this.ids[e]!;
    if (id < 0) this.ids[e] = id = this.builder.intern(this.names[e]!);
    return id;
  }

  /** The entry of a decoded name, added when new (its model id comes later, from {@link idOf}). */
  private entry(name: string): number {
    let e = this.entryOf.get(name);
    if (e === undefined) {
      e = this.names.length;
      this.names.push(name);
      this.ids.push(-1); // interned by idOf when a kept row uses it (rows a filter leaves out never do)
      this.entryOf.set(name, e);
    }
    return e;
  }

  /** Scans `buf[start, end)`: one object and whitespace; true when in the accepted shape (fields stored on `this`). */
  private scan(buf: Buffer, start: number, end: number): boolean {
    const q = this.scanObject(buf, this.skipWs(buf, start, end), end);
    return q >= 0 && this.skipWs(buf, q, end) === end;
  }

  /** Skips JSON whitespace, counting line feeds in `lineFeeds`. */
  private skipWs(buf: Uint8Array, p: number, end: number): number {
    while (p < end) {
      const c = buf[p]!;
      if (WS[c] !== 1) break;
      if (c === 10) this.lineFeeds++;
      p++;
    }
    return p;
  }

  /**
   * Scans one object starting at `buf[p]` (which must be `{`) and ending before `end`.
   * @returns the position after its closing brace, or −1 when it is not in the accepted shape
   */
  private scanObject(buf: Buffer, p: number, end: number): number {
    if (p >= end || buf[p] !== LBRACE) return -1;
    p++;
    p = this.skipWs(buf, p, end);
    let seen = 0; // bits: 1 model_a, 2 model_b, 4 winner, 8 count, 16 tstamp
    this.count = 1;
    this.tstamp = Number.NaN;
    const filtering = this.filter !== null;
    if (filtering) this.fStart.fill(-1);
    if (this.leafRoot !== null) {
      this.leafSeen.fill(0);
      this.leafFound = 0;
      this.leafBad = false;
    }
    if (p < end && buf[p] === RBRACE) return -1; // {}: fields are missing
    for (;;) {
      // key: a plain string without escapes; the five known keys are recognised in place
      if (p >= end || buf[p] !== QUOTE) return -1;
      const ks = p + 1;
      let which = 0;
      let q = -1;
      const k0 = buf[ks];
      if (k0 === 109) {
        // model_a / model_b
        if (ks + 7 < end && buf[ks + 7] === QUOTE && buf[ks + 1] === 111 && buf[ks + 2] === 100 && buf[ks + 3] === 101 && buf[ks + 4] === 108 && buf[ks + 5] === 95) {
          const last = buf[ks + 6];
          if (last === 97) which = 1;
          else if (last === 98) which = 2;
          if (which) q = ks + 7;
        }
      } else if (k0 === 119) {
        // winner
        if (ks + 6 < end && buf[ks + 6] === QUOTE && buf[ks + 1] === 105 && buf[ks + 2] === 110 && buf[ks + 3] === 110 && buf[ks + 4] === 101 && buf[ks + 5] === 114) {
          which = 4;
          q = ks + 6;
        }
      } else if (k0 === 116) {
        // tstamp
        if (ks + 6 < end && buf[ks + 6] === QUOTE && buf[ks + 1] === 115 && buf[ks + 2] === 116 && buf[ks + 3] === 97 && buf[ks + 4] === 109 && buf[ks + 5] === 112) {
          which = 16;
          q = ks + 6;
        }
      } else if (k0 === 99) {
        // count
        if (ks + 5 < end && buf[ks + 5] === QUOTE && buf[ks + 1] === 111 && buf[ks + 2] === 117 && buf[ks + 3] === 110 && buf[ks + 4] === 116) {
          which = 8;
          q = ks + 5;
        }
      }
      if (q < 0) {
        // any other key: its value is skipped
        q = ks;
        while (q < end && SPECIAL[buf[q]!] === 0) q++;
        if (q >= end || buf[q] !== QUOTE) return -1;
      }
      p = q + 1;
      p = this.skipWs(buf, p, end);
      if (p >= end || buf[p] !== COLON) return -1;
      p++;
      p = this.skipWs(buf, p, end);
      if (p >= end) return -1;
      if (which) {
        if (seen & which) return -1; // duplicate key: JSON.parse keeps the last one; let it
        seen |= which;
      }
      let fslot = -1;
      if (filtering) {
        fslot = which ? this.coreSlot[which]! : this.filterSlot(buf, ks, q);
        if (fslot >= 0) {
          if (this.fStart[fslot]! >= 0) return -1; // duplicate key
          this.fStart[fslot] = p;
        }
      }
      switch (which) {
        case 1:
        case 2:
          p = this.modelField(buf, p, end, which - 1);
          if (p < 0) return -1;
          break;
        case 4: {
          if (buf[p] !== QUOTE) return -1;
          const code = labelAt(buf, p + 1, end);
          if (code < 0) return -1;
          this.outcome = code;
          // the closing quote follows the label; 'tie (bothbad)' and 'both_bad' are told apart by their first byte
          p += code === OUTCOME_CODE.tie ? 5 : code === OUTCOME_CODE.bothbad ? (buf[p + 1] === 116 ? 15 : 10) : 9;
          break;
        }
        case 8:
          if (buf[p] === 110) return -1; // count: null is an error: the reference path reports it
          else {
            p = this.countNumber(buf, p, end);
            if (p < 0) return -1;
            this.count = this.num;
          }
          break;
        case 16:
          if (buf[p] === 110) {
            if (!bytesEqual(buf, p, LIT_NULL) || p + 4 > end) return -1;
            p += 4;
          } else {
            p = this.number(buf, p, end);
            if (p < 0 || !Number.isFinite(this.num)) return -1;
            this.tstamp = this.num;
          }
          break;
        default: {
          if (this.referenceKeys.length && this.isReferenceKey(buf, ks, q)) return -1;
          const leaf = this.leafRoot === null ? -1 : this.leafRoot.find(buf, ks, q);
          p = leaf >= 0 ? this.leafValue(buf, p, end, this.leafRoot!, leaf, 0) : this.skipValue(buf, p, end, 0);
          if (p < 0) return -1;
        }
      }
      if (fslot >= 0) this.fEnd[fslot] = p;
      p = this.skipWs(buf, p, end);
      if (p >= end) return -1;
      const c = buf[p]!;
      p++;
      if (c === COMMA) {
        p = this.skipWs(buf, p, end);
        continue;
      }
      if (c === RBRACE) break;
      return -1;
    }
    return (seen & 7) === 7 ? p : -1;
  }

  /**
   * Scans a string token starting at the quote `buf[p]` up to its closing quote: sets `sEnd` (after the closing
   * quote) and `sEsc` (whether it has escapes). Escapes are
   * only stepped over here; their validity is checked when the token is decoded (once per distinct token).
   */
  private modelString(buf: Uint8Array, p: number, end: number): boolean {
    const s = p + 1;
    let q = s;
    while (q < end && SPECIAL[buf[q]!] === 0) q++;
    if (q >= end) return false;
    let esc = false;
    if (buf[q] !== QUOTE) {
      // an escape (or a control character, refused): step over escapes to the closing quote
      for (;;) {
        if (q >= end) return false;
        const c = buf[q]!;
        if (c === QUOTE) break;
        if (c < 0x20) return false;
        q++;
        if (c === BSLASH) {
          esc = true;
          if (q >= end || buf[q]! < 0x20) return false;
          q++;
        }
      }
    }
    this.sEnd = q + 1;
    this.sEsc = esc;
    return true;
  }

  /** A `count`: a plain integer 1 … {@link MAX_COUNT} without sign, fraction or exponent. Sets `num`; returns the position after it or −1. */
  private countNumber(buf: Uint8Array, p: number, end: number): number {
    let c = buf[p]!;
    if (c <= ZERO || c > NINE) return -1;
    let v = 0;
    const start = p;
    while (p < end && (c = buf[p]!) >= ZERO && c <= NINE) {
      v = v * 10 + (c - ZERO);
      p++;
    }
    if (p - start > 10 || v > MAX_COUNT) return -1;
    if (p < end && (c === DOT || c === 101 || c === 69)) return -1;
    this.num = v;
    return p;
  }

  /** A JSON number: see {@link scanJsonNumber}; sets `num`. */
  private number(buf: Buffer, p: number, end: number): number {
    const q = scanJsonNumber(buf, p, end, this.numOut);
    this.num = this.numOut[0]!;
    return q;
  }

  /**
   * Scans the value of entry `i` of `node` (a covariate's path) at `buf[p]` with the grammar checks of
   * {@link skipValue}: a number at a leaf goes to `leafVal`; an object on the way is searched for the entries of
   * `node.child[i]`, every other key skipped. Anything else (another value, a repeated or escaped key) sets
   * `leafBad`. Returns the position after the value, or −1 on a syntax error.
   */
  private leafValue(buf: Buffer, p: number, end: number, node: LeafNode, i: number, depth: number): number {
    const child = node.child[i]!;
    // a key met twice on a path (JSON.parse keeps the last value): let the reference path decide
    const id = node.id[i]!;
    if (this.leafSeen[id] === 1) this.leafBad = true;
    this.leafSeen[id] = 1;
    if (child === null) {
      const idx = node.leaf[i]!;
      if (!this.leafBad) this.leafFound++;
      const c = buf[p]!;
      if (c === MINUS || (c >= ZERO && c <= NINE)) {
        const q = scanJsonNumber(buf, p, end, this.numOut);
        this.leafVal[idx] = this.numOut[0]!;
        return q;
      }
      this.leafBad = true;
      return this.skipValue(buf, p, end, depth);
    }
    if (buf[p] !== LBRACE || depth >= MAX_DEPTH) {
      this.leafBad = true;
      return this.skipValue(buf, p, end, depth);
    }
    p = this.skipWs(buf, p + 1, end);
    if (p < end && buf[p] === RBRACE) return p + 1;
    for (;;) {
      if (p >= end || buf[p] !== QUOTE) return -1;
      const ks = p + 1;
      let q = ks;
      while (q < end && SPECIAL[buf[q]!] === 0) q++;
      if (q >= end) return -1;
      let j = -1;
      if (buf[q] === QUOTE) {
        j = child.find(buf, ks, q);
        p = q + 1;
      } else {
        // a key with escapes (or a control character) might decode to a wanted one
        this.leafBad = true;
        p = skipString(buf, p, end);
        if (p < 0) return -1;
      }
      p = this.skipWs(buf, p, end);
      if (p >= end || buf[p] !== COLON) return -1;
      p = this.skipWs(buf, p + 1, end);
      if (p >= end) return -1;
      p = j >= 0 ? this.leafValue(buf, p, end, child, j, depth + 1) : this.skipValue(buf, p, end, depth + 1);
      if (p < 0) return -1;
      p = this.skipWs(buf, p, end);
      if (p >= end) return -1;
      const d = buf[p++]!;
      if (d === RBRACE) return p;
      if (d !== COMMA) return -1;
      p = this.skipWs(buf, p, end);
    }
  }

  /** Skips any JSON value, checking its grammar strictly. Returns the position after it or −1. */
  private skipValue(buf: Buffer, p: number, end: number, depth: number): number {
    const c = buf[p]!;
    if (c === QUOTE) return skipString(buf, p, end);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number(buf, p, end);
    if (c === 116) return p + 4 <= end && bytesEqual(buf, p, LIT_TRUE) ? p + 4 : -1;
    if (c === 102) return p + 5 <= end && bytesEqual(buf, p, LIT_FALSE) ? p + 5 : -1;
    if (c === 110) return p + 4 <= end && bytesEqual(buf, p, LIT_NULL) ? p + 4 : -1;
    if (depth >= MAX_DEPTH) return -1;
    if (c === LBRACKET || c === LBRACE) return this.skipContainer(buf, p + 1, end, depth, c === LBRACE);
    return -1;
  }

  /**
   * Skips the rest of an array (`keyed` false) or object (`keyed` true) whose opening bracket is just before `p`:
   * values (after `"key":` in an object) separated by commas up to the closing bracket. Returns the offset after it,
   * or −1 on a syntax error.
   */
  private skipContainer(buf: Buffer, p: number, end: number, depth: number, keyed: boolean): number {
    const close = keyed ? RBRACE : RBRACKET;
    p = this.skipWs(buf, p, end);
    if (p < end && buf[p] === close) return p + 1;
    for (;;) {
      if (keyed) {
        if (p >= end || buf[p] !== QUOTE) return -1;
        p = skipString(buf, p, end);
        if (p < 0) return -1;
        p = this.skipWs(buf, p, end);
        if (p >= end || buf[p] !== COLON) return -1;
        p = this.skipWs(buf, p + 1, end);
      }
      if (p >= end) return -1;
      p = this.skipValue(buf, p, end, depth + 1);
      if (p < 0) return -1;
      p = this.skipWs(buf, p, end);
      if (p >= end) return -1;
      const d = buf[p++]!;
      if (d === close) return p;
      if (d !== COMMA) return -1;
      p = this.skipWs(buf, p, end);
    }
  }
}

/**
 * Scans a JSON number (strict RFC 8259 grammar: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`) starting at
 * `buf[p]` and stores in `out[0]` the same double as `JSON.parse`: exactly, by one correctly rounded
 * multiplication or division when the significant digits fit in 15 and the power of ten in 10^±22 (Clinger's
 * fast path, https://doi.org/10.1145/93548.93557), otherwise by `Number()` on the text. O(length).
 *
 * @returns the position after the number, or −1 when the text there is not a JSON number
 */
export function scanJsonNumber(buf: Buffer, p: number, end: number, out: Float64Array): number {
  const start = p;
  let neg = false;
  if (buf[p] === MINUS) {
    neg = true;
    p++;
  }
  if (p >= end) return -1;
  let c = buf[p]!;
  let mant = 0;
  let digits = 0;
  if (c === ZERO) {
    p++;
  } else if (c > ZERO && c <= NINE) {
    while (p < end && (c = buf[p]!) >= ZERO && c <= NINE) {
      mant = mant * 10 + (c - ZERO);
      digits++;
      p++;
    }
  } else return -1;
  let exp = 0;
  if (p < end && buf[p] === DOT) {
    p++;
    const fs = p;
    while (p < end && (c = buf[p]!) >= ZERO && c <= NINE) {
      mant = mant * 10 + (c - ZERO);
      if (mant !== 0) digits++;
      p++;
    }
    if (p === fs) return -1;
    exp = fs - p;
  }
  let slow = false;
  if (p < end && (buf[p] === 101 || buf[p] === 69)) {
    p++;
    let eneg = false;
    if (p < end && (buf[p] === PLUS || buf[p] === MINUS)) {
      eneg = buf[p] === MINUS;
      p++;
    }
    const es = p;
    let e = 0;
    while (p < end && (c = buf[p]!) >= ZERO && c <= NINE) {
      if (e < 1e6) e = e * 10 + (c - ZERO);
      p++;
    }
    if (p === es) return -1;
    exp += eneg ? -e : e;
    if (e >= 1e6) slow = true;
  }
  if (slow || digits > 15 || exp > 22 || exp < -22) {
    out[0] = Number(buf.toString('latin1', start, p));
  } else {
    const v = exp >= 0 ? mant * POW10[exp]! : mant / POW10[-exp]!;
    out[0] = neg ? -v : v;
  }
  return p;
}

const isHex = (c: number) => (c >= ZERO && c <= NINE) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** Skips a JSON string token at the quote `buf[p]`, checking escapes and control characters. Returns the position after it or −1. */
function skipString(buf: Uint8Array, p: number, end: number): number {
  let q = p + 1;
  for (;;) {
    if (q >= end) return -1;
    const c = buf[q]!;
    if (c === QUOTE) return q + 1;
    if (c < 0x20) return -1;
    q++;
    if (c === BSLASH) {
      if (q >= end) return -1;
      const d = buf[q]!;
      if (d === 117) {
        if (q + 5 > end || !isHex(buf[q + 1]!) || !isHex(buf[q + 2]!) || !isHex(buf[q + 3]!) || !isHex(buf[q + 4]!)) return -1;
        q += 5;
      } else if (d === QUOTE || d === BSLASH || d === 47 || d === 98 || d === 102 || d === 110 || d === 114 || d === 116) q++;
      else return -1;
    }
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes the text between a string token's quotes (`buf[start, end)`) as `JSON.parse` would, escapes by
 * `JSON.parse` of the token itself. Returns null for an invalid token, and for bytes that are not valid UTF-8 (the
 * reference path then reports the line: a lenient decoder would turn them into U+FFFD and merge distinct names).
 */
function decodeToken(buf: Buffer, start: number, end: number, escaped: boolean): string | null {
  let text: string;
  try {
    text = STRICT_UTF8.decode(buf.subarray(escaped ? start - 1 : start, escaped ? end + 1 : end));
  } catch {
    return null;
  }
  if (!escaped) return text;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * The fast JSON Lines reader used by `readBattles`: the same line handling as {@link JsonlParser} (which stays the
 * simple reference), with each line read by a {@link FastRowReader} and handed to `JSON.parse` + zod only when
 * the fast reader declines it, so the table, the errors and their messages (`file:line: field: reason`) are the
 * reference ones. O(bytes); memory: one partial line plus the table.
 */
export class FastJsonlParser extends JsonlParser {
  private readonly fast: FastRowReader;
  constructor(builder: BattleTableBuilder, file: string, maxRecordBytes = MAX_RECORD_BYTES, options: FastReaderOptions = {}) {
    super(builder, file, maxRecordBytes, options.filter ?? null);
    this.fast = new FastRowReader(builder, options);
  }

  protected override record(buf: Buffer, start: number, end: number, line: number): void {
    if (!this.fast.tryRow(buf, start, end)) super.record(buf, start, end, line);
  }
}

/**
 * The fast reader of one JSON array of rows (LMArena's `clean_battle_*.json`): {@link JsonArrayParser}'s element
 * splitting with each element read by a {@link FastRowReader}, falling back to `JSON.parse` + zod.
 */
export class FastJsonArrayParser extends JsonArrayParser {
  private readonly fast: FastRowReader;
  constructor(builder: BattleTableBuilder, file: string, maxRecordBytes = MAX_RECORD_BYTES, options: FastReaderOptions = {}) {
    super(builder, file, maxRecordBytes, options.filter ?? null);
    this.fast = new FastRowReader(builder, options);
  }

  protected override record(buf: Buffer, start: number, end: number, line: number): void {
    if (!this.fast.tryRow(buf, start, end)) super.record(buf, start, end, line);
  }

  /** Most elements are read in place, without first looking for their end; the rest go through {@link record}. */
  protected override fastElement(chunk: Buffer, start: number, end: number): number {
    const q = this.fast.tryObject(chunk, start, Math.min(end, start + this.maxRecordBytes));
    this.fastLineFeeds = this.fast.lineFeeds;
    return q;
  }
}
