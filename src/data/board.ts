/**
 * Published leaderboards as input: the board files LMArena publishes (`lmarena/arena-catalog`,
 * `data/leaderboard-text.json` and its style-control twin), one file holding every category board of one day.
 * The format: `{ category: { model: { rating, rating_q025, rating_q975 } } }` — display-scale ratings and the
 * bounds of their 95% intervals; no vote counts, ranks or deprecation flags.
 *
 * Model and category names are data: they are read with `Object.entries` of the parsed JSON (own keys, so a model
 * named `__proto__` or `constructor` is an ordinary model) and kept in arrays, never as keys of a new object.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { readJsonFile } from './ratings.js';

/** Level of the published intervals: `rating_q025`/`rating_q975` bound a 95% interval. */
export const PUBLISHED_LEVEL = 0.95;

const finite = z.number({ error: 'must be a number' }).refine(Number.isFinite, { error: 'must be a finite number' });

/**
 * One model's published entry: `rating` and the 2.5% / 97.5% bounds, finite, with
 * `rating_q025 ≤ rating ≤ rating_q975`. Extra fields are allowed (and ignored).
 */
export const PublishedEntry = z
  .looseObject({ rating: finite, rating_q025: finite, rating_q975: finite })
  .refine((e) => e.rating_q025 <= e.rating && e.rating <= e.rating_q975, { error: 'needs rating_q025 ≤ rating ≤ rating_q975', path: ['rating'] });
export type PublishedEntry = z.infer<typeof PublishedEntry>;

/** One category board of a published file, models sorted by rating (highest first; ties by name). */
export interface PublishedBoard {
  /** The file as given. */
  readonly file: string;
  /** The category read (`full`, `coding`, …). */
  readonly category: string;
  /** Every category of the file, sorted. */
  readonly categories: readonly string[];
  /** The snapshot's date, the first `YYYY-MM-DD` in the file name (arena-catalog snapshots are named so), or null. */
  readonly date: string | null;
  /** Model names, highest rating first. */
  readonly models: readonly string[];
  /** Published ratings (display points), indexed like `models`. */
  readonly ratings: Float64Array;
  /** Published lower bounds (`rating_q025`). */
  readonly lower: Float64Array;
  /** Published upper bounds (`rating_q975`). */
  readonly upper: Float64Array;
  /** Level of the published intervals (0.95). */
  readonly level: number;
}

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** A name quoted for a one-line message: JSON quotes, control and bidirectional marks as `\uXXXX`. */
const quote = (name: string) => JSON.stringify(name).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The snapshot date in a file name (`text-2025-12-11.json` → `2025-12-11`), or null. */
export function boardDate(file: string): string | null {
  const m = /(\d{4})-(\d{2})-(\d{2})/.exec(basename(file));
  if (!m) return null;
  const d = new Date(`${m[0]}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== m[0] ? null : m[0];
}

/**
 * Validates a parsed published board file and returns every category board, by category name (a Map: names are
 * data). Every category and entry is checked, so the error names the first bad entry in file order.
 *
 * O(entries of the file + Σ m log m).
 *
 * @param json the parsed file
 * @param file its name, for messages and the snapshot date
 * @throws InputError `file: field: reason` for a malformed file; the field names the category, the model and the
 *   entry's field, e.g. `"full"."gpt-4o".rating_q025: must be a finite number`
 */
export function parsePublishedBoards(json: unknown, file: string): Map<string, PublishedBoard> {
  if (!isPlainObject(json)) throw new InputError('a published board file is a JSON object of category boards', { file, field: '(root)' });
  const cats = Object.entries(json);
  if (cats.length === 0) throw new InputError('no category boards', { file, field: '(root)' });
  const parsed: [string, [string, PublishedEntry][]][] = [];
  for (const [cat, board] of cats) {
    if (!isPlainObject(board)) throw new InputError('a category board is a JSON object of model entries', { file, field: quote(cat) });
    const entries = Object.entries(board);
    if (entries.length === 0) throw new InputError('no models', { file, field: quote(cat) });
    const rows: [string, PublishedEntry][] = [];
    for (const [model, entry] of entries) {
      if (model === '') throw new InputError('empty model name', { file, field: quote(cat) });
      const r = PublishedEntry.safeParse(entry);
      if (!r.success) {
        const iss = r.error.issues[0]!;
        throw new InputError(iss.message, { file, field: [quote(cat), quote(model), ...iss.path.map(String)].join('.') });
      }
      rows.push([model, r.data]);
    }
    parsed.push([cat, rows]);
  }
  const categories = cats.map(([c]) => c).sort();
  const date = boardDate(file);
  const out = new Map<string, PublishedBoard>();
  for (const [category, rows] of parsed) {
    rows.sort((x, y) => y[1].rating - x[1].rating || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    out.set(category, {
      file,
      category,
      categories,
      date,
      models: rows.map(([m]) => m),
      ratings: Float64Array.from(rows, ([, e]) => e.rating),
      lower: Float64Array.from(rows, ([, e]) => e.rating_q025),
      upper: Float64Array.from(rows, ([, e]) => e.rating_q975),
      level: PUBLISHED_LEVEL,
    });
  }
  return out;
}

/**
 * Validates a parsed published board file ({@link parsePublishedBoards}: the whole file) and returns one category's
 * board.
 *
 * @param category the category board to return (`full` is the overall board)
 * @throws InputError for a malformed file, or an unknown category (listing the valid ones)
 * @example parsePublishedBoard({ full: { a: { rating: 1010, rating_q025: 1000, rating_q975: 1020 } } }, 'x.json', 'full').models // ['a']
 */
export function parsePublishedBoard(json: unknown, file: string, category: string): PublishedBoard {
  const all = parsePublishedBoards(json, file);
  const b = all.get(category);
  if (!b) {
    const categories = [...all.keys()].sort();
    throw new InputError(`unknown category ${quote(category)} (this file has ${categories.length}: ${categories.map(quote).join(', ')})`, { file });
  }
  return b;
}

/**
 * Reads one category board of a published board file (LMArena's `leaderboard-text.json` format; see
 * {@link parsePublishedBoard}). O(file size).
 *
 * @param file path of the JSON file
 * @param category the category board (`full` = the overall board)
 * @throws InputError for an unreadable, non-JSON or malformed file, or an unknown category
 * @example readPublishedBoard('fixtures/lmarena-catalog/text-2025-12-11.json', 'full').models[0] // 'gemini-3-pro'
 */
export function readPublishedBoard(file: string, category: string): PublishedBoard {
  return parsePublishedBoard(readJsonFile(file), file, category);
}

/** Index of a model on a board, or -1. O(m). */
export function boardModelIndex(board: PublishedBoard, model: string): number {
  return board.models.indexOf(model);
}
