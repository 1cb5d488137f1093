import { z } from 'zod';

/** Outcome of one battle, from model_a's side. */
export type Outcome = 'a' | 'b' | 'tie' | 'bothbad';

/** Integer codes of outcomes, as stored in {@link BattleTable.outcome}. */
export const OUTCOME_CODE = { a: 0, b: 1, tie: 2, bothbad: 3 } as const;

/** Outcome names by code. */
export const OUTCOMES: readonly Outcome[] = ['a', 'b', 'tie', 'bothbad'];

/**
 * The `winner` labels accepted on input and the outcome each stands for. LMArena's JSON dumps use the first four;
 * its Parquet datasets spell the both-bad tie `both_bad`. Any other label is an error, never a silent tie.
 */
export const WINNER_LABELS: ReadonlyMap<string, Outcome> = new Map<string, Outcome>([
  ['model_a', 'a'],
  ['model_b', 'b'],
  ['tie', 'tie'],
  ['tie (bothbad)', 'bothbad'],
  ['both_bad', 'bothbad'],
]);

/** The label written on output for each outcome (the LMArena JSON spelling). */
export const OUTCOME_LABEL: Readonly<Record<Outcome, string>> = {
  a: 'model_a',
  b: 'model_b',
  tie: 'tie',
  bothbad: 'tie (bothbad)',
};

/** Largest `count` one row may carry (the table stores counts as unsigned 32-bit integers). */
export const MAX_COUNT = 4294967295;

const missingOr = (what: string) => (iss: { input: unknown }) => (iss.input === undefined ? 'missing' : `must be ${what}`);
const modelName = z.string({ error: missingOr('a string') }).min(1, { error: 'must be a non-empty string' });

const winnerLabel = z.string({ error: missingOr('a string') }).refine((s) => WINNER_LABELS.has(s), {
  error: (iss) =>
    `unknown label ${JSON.stringify(iss.input)} (expected one of ${[...WINNER_LABELS.keys()].map((l) => JSON.stringify(l)).join(', ')})`,
});

/**
 * One battle row in the public LMArena format (`clean_battle_*.json`, JSONL or Parquet): `model_a`, `model_b`,
 * `winner`, optional `tstamp` (seconds; null = none), optional integer `count` ≥ 1 (the row stands for `count`
 * identical battles; absent = 1, null is an error), and any other fields, which are kept by the parser's caller only if it asks for them.
 */
export const BattleRow = z
  .looseObject({
    model_a: modelName,
    model_b: modelName,
    winner: winnerLabel,
    tstamp: z.number().refine(Number.isFinite, { error: 'must be a finite number' }).nullish(),
    // null is not a count (it is not "1"): leave the field out for a single battle
    count: z
      .number({ error: 'must be an integer ≥ 1 (null is not a count: leave the field out for one battle)' })
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be an integer ≥ 1' })
      .max(MAX_COUNT, { error: `must be at most ${MAX_COUNT}` })
      .optional(),
    weight: z
      .number({ error: missingOr('a finite number > 0') })
      .refine((w) => Number.isFinite(w) && w > 0, { error: 'must be a finite number > 0' })
      .nullish(),
  })
  .refine((r) => r.model_a !== r.model_b, { path: ['model_b'], error: 'model_b equals model_a (a model cannot battle itself)' });
/** A validated battle row. */
export type BattleRow = z.infer<typeof BattleRow>;

const csvNumber = (field: z.ZodType) =>
  z.preprocess((v) => (v === '' || v === undefined ? undefined : typeof v === 'string' ? (/^\s*[-+0-9.eE]+\s*$/.test(v) ? Number(v) : v) : v), field);

/**
 * The same row as read from CSV, where every cell is text: numbers are converted, empty cells are absent.
 */
export const CsvBattleRow = z
  .looseObject({
    model_a: modelName,
    model_b: modelName,
    winner: winnerLabel,
    tstamp: csvNumber(z.number({ error: 'must be a number' }).refine(Number.isFinite, { error: 'must be a finite number' }).optional()),
    count: csvNumber(
      z
        .number({ error: 'must be an integer' })
        .int({ error: 'must be an integer' })
        .min(1, { error: 'must be an integer ≥ 1' })
        .max(MAX_COUNT, { error: `must be at most ${MAX_COUNT}` })
        .optional(),
    ),
    weight: csvNumber(z.number({ error: 'must be a finite number > 0' }).refine((w) => Number.isFinite(w) && w > 0, { error: 'must be a finite number > 0' }).optional()),
  })
  .refine((r) => r.model_a !== r.model_b, { path: ['model_b'], error: 'model_b equals model_a (a model cannot battle itself)' });
