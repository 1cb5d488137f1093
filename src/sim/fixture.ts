import { readJsonFile } from '../data/ratings.js';
import { z } from 'zod';
import { DEFAULT_RATINGS_PATH, parseRatings, type TrueRatings } from '../data/ratings.js';
import { InputError } from '../errors.js';
import type { Drift, DriftEvent } from './drift.js';

const battleNumber = z.number().int({ error: 'must be a whole battle number ≥ 0' }).min(0, { error: 'must be a whole battle number ≥ 0' }).max(Number.MAX_SAFE_INTEGER);
const points = z.number().refine(Number.isFinite, { error: 'must be a finite number' });
/** A drift event of a true-ratings file (see `./drift.ts`). */
const DriftEventField = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('step'), at: battleNumber, delta: points }),
  z.strictObject({ type: z.literal('linear'), from: battleNumber, to: battleNumber, delta: points }).refine((e) => e.to > e.from, { error: '"to" must be after "from"', path: ['to'] }),
]);

/**
 * The optional per-model fields a true-ratings file may carry for simulation, on top of `model` and `rating`
 * ({@link RatingsFile}): `weight` (popularity for `--policy popularity`, > 0), `new` (boosted by the LMArena
 * policy), and the fixture's provenance fields `rank` (published rank) and `real` (true for published scores,
 * false for filled-in entries), and `drift` (a list of `{"type": "step", "at", "delta"}` and `{"type": "linear",
 * "from", "to", "delta"}` events on the battle clock, `./drift.ts`).
 */
export const SimModelFields = z.looseObject({
  weight: z.number().gt(0, { error: 'must be a number > 0' }).refine(Number.isFinite, { error: 'must be a finite number' }).optional(),
  new: z.boolean({ error: 'must be true or false' }).optional(),
  rank: z.number().int({ error: 'must be an integer ≥ 1' }).min(1, { error: 'must be an integer ≥ 1' }).optional(),
  real: z.boolean({ error: 'must be true or false' }).optional(),
  drift: z.array(DriftEventField).optional(),
});

/** Schema of the extra fields of a simulation ratings file (checked after {@link RatingsFile}). */
export const SimRatingsExtras = z.looseObject({ models: z.array(SimModelFields) });

/** True ratings with the simulation extras. */
export interface SimRatings extends TrueRatings {
  /** Popularity weight per model, when every model has one (else null: Zipf by rank). */
  readonly weights: Float64Array | null;
  /** 1 for models marked `new`. */
  readonly isNew: Uint8Array;
  /** 1 for published (real) entries, 0 for filled-in ones; null when the file does not say. */
  readonly real: Uint8Array | null;
  /** Drift events per model id; null or absent when no model drifts (only `arena simulate` applies them). */
  readonly drift?: Drift | null;
}

/**
 * Validates parsed ratings JSON with the simulation extras. @throws InputError naming the file and JSON path
 */
export function parseSimRatings(json: unknown, file: string): SimRatings {
  const base = parseRatings(json, file);
  const r = SimRatingsExtras.safeParse(json);
  if (!r.success) {
    const iss = r.error.issues[0]!;
    throw new InputError(iss.message, { file, field: iss.path.map(String).join('.') });
  }
  const ms = r.data.models;
  const withWeight = ms.filter((m) => m.weight !== undefined).length;
  if (withWeight !== 0 && withWeight !== ms.length) {
    const i = ms.findIndex((m) => m.weight === undefined);
    throw new InputError('missing (give a weight to every model or to none)', { file, field: `models.${i}.weight` });
  }
  const withReal = ms.filter((m) => m.real !== undefined).length;
  const drift = new Map<number, readonly DriftEvent[]>();
  ms.forEach((m, v) => {
    if (m.drift?.length) drift.set(v, m.drift);
  });
  return {
    drift: drift.size ? drift : null,
    ...base,
    weights: withWeight ? Float64Array.from(ms, (m) => m.weight!) : null,
    isNew: Uint8Array.from(ms, (m) => (m.new ? 1 : 0)),
    real: withReal === ms.length ? Uint8Array.from(ms, (m) => (m.real ? 1 : 0)) : null,
  };
}

/**
 * Reads and validates a true-ratings file with the simulation extras (default: the embedded April 2026 LMArena
 * text fixture: 339 models, 7 real, 5.78M votes; see fixtures/README.md). O(file size).
 * @throws InputError
 */
export function loadSimRatings(file: string = DEFAULT_RATINGS_PATH): SimRatings {
  return parseSimRatings(readJsonFile(file), file);
}

/** The seven published entries of the April 2026 fixture, in published order (name, rating, rank). */
export const FIXTURE_REAL_ENTRIES: readonly { readonly model: string; readonly rating: number; readonly rank: number }[] = Object.freeze([
  { model: 'claude-opus-4.6-thinking', rating: 1504, rank: 1 },
  { model: 'claude-opus-4.6', rating: 1496, rank: 2 },
  { model: 'muse-spark', rating: 1493, rank: 3 },
  { model: 'gemini-3.1-pro-preview', rating: 1492, rank: 4 },
  { model: 'gemini-3-pro', rating: 1490, rank: 5 },
  { model: 'gpt-5.4-high', rating: 1486, rank: 6 },
  { model: 'llama-4-maverick', rating: 1327, rank: 177 },
]);
