import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../errors.js';

/**
 * A true-ratings file (`arena simulate --ratings`): `{ "models": [ { "model": "…", "rating": 1493 }, … ] }`;
 * extra fields are allowed; names must be unique. Ratings are on the display scale.
 */
export const RatingsFile = z.looseObject({
  models: z
    .array(z.looseObject({ model: z.string().min(1), rating: z.number().refine(Number.isFinite, { error: 'must be a finite number' }) }))
    .min(2, { error: 'needs at least two models' })
    .superRefine((ms, ctx) => {
      const seen = new Set<string>();
      ms.forEach((m, i) => {
        if (seen.has(m.model)) ctx.addIssue({ code: 'custom', path: [i, 'model'], message: `duplicate model ${JSON.stringify(m.model)}` });
        seen.add(m.model);
      });
    }),
  votes: z.number().int().positive().optional(),
});
export type RatingsFile = z.infer<typeof RatingsFile>;

/** True ratings as parallel arrays. */
export interface TrueRatings {
  readonly models: readonly string[];
  /** Display-scale ratings, indexed like `models`. */
  readonly ratings: Float64Array;
  /** Total votes the board was built from, when the file says. */
  readonly votes?: number;
}

/** Path of the embedded April 2026 LMArena text leaderboard fixture. */
export const DEFAULT_RATINGS_PATH = fileURLToPath(new URL('../../fixtures/lmarena-text-2026-04.json', import.meta.url));

/**
 * Validates parsed ratings JSON. @throws InputError naming the file and the JSON path of the first problem
 */
export function parseRatings(json: unknown, file: string): TrueRatings {
  const r = RatingsFile.safeParse(json);
  if (!r.success) {
    const iss = r.error.issues[0]!;
    throw new InputError(iss.message, { file, field: iss.path.length ? iss.path.map(String).join('.') : '(root)' });
  }
  return {
    models: r.data.models.map((m) => m.model),
    ratings: Float64Array.from(r.data.models, (m) => m.rating),
    ...(r.data.votes !== undefined ? { votes: r.data.votes } : {}),
  };
}

/** Largest JSON file (ratings, scenario, published board, reference board) read whole: 256 MiB. */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

/**
 * Reads and parses one JSON file (ratings, scenarios, boards), read whole: only a regular file of at most
 * {@link MAX_JSON_BYTES} (a pipe, a device or /dev/zero is refused before anything is read). A parse error gives
 * the line and column, never the file's content. O(file size).
 * @throws InputError `file: cannot read (…)`, `file: (json): …`
 */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new InputError('is not a regular file (a JSON input is read whole: save it to a file first)', { file });
    if (st.size > MAX_JSON_BYTES) throw new InputError(`is ${(st.size / 2 ** 20).toFixed(0)} MiB: a JSON input is read whole, at most ${MAX_JSON_BYTES / 2 ** 20} MiB`, { file });
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`not valid JSON${jsonErrorPlace(text)}`, { file, field: '(json)' });
  }
}

/**
 * Where JSON.parse failed, as " at line L, column C", without quoting the file's content: the first offset at
 * which the text stops being the beginning of some JSON document. Validity of prefixes is monotone (a prefix of
 * a valid prefix is valid; JSON.parse reports a valid but incomplete prefix as "end of input" or at its last
 * position), so a binary search over prefix lengths finds it. O(n log n).
 */
function jsonErrorPlace(text: string): string {
  const validPrefix = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      // incomplete but not wrong: "end of JSON input", or an error placed at the very end of the prefix
      const msg = (e as Error).message;
      const at = /position (\d+)/.exec(msg);
      return /end of (JSON )?input/i.test(msg) || (at !== null && Number(at[1]) >= n);
    }
  };
  let lo = 0; // valid
  let hi = text.length; // invalid (the whole text failed)
  if (validPrefix(hi)) return ' at the end of the file';
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (validPrefix(mid)) lo = mid;
    else hi = mid;
  }
  // text[0, lo) is a valid beginning; the character at lo (1-based column lo + 1 on its line) is where it breaks
  let line = 1;
  let col = 1;
  for (let k = 0; k < lo; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return ` at line ${line}, column ${col}`;
}

/** Reads and validates a ratings file (default: the embedded fixture). @throws InputError */
export function loadRatings(file: string = DEFAULT_RATINGS_PATH): TrueRatings {
  return parseRatings(readJsonFile(file), file);
}
