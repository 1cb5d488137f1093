import { readFileSync } from 'node:fs';
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

/**
 * Reads and parses one JSON file (ratings, scenarios). O(file size).
 * @throws InputError `file: cannot read (…)` or `file: (json): not valid JSON (…)`
 */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file, field: '(json)' });
  }
}

/** Reads and validates a ratings file (default: the embedded fixture). @throws InputError */
export function loadRatings(file: string = DEFAULT_RATINGS_PATH): TrueRatings {
  return parseRatings(readJsonFile(file), file);
}
