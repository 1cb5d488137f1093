import { z } from 'zod';
import { InputError } from '../errors.js';
import { DEFAULT_SIMULATE } from './generate.js';
import type { PolicySpec } from './policies.js';

/**
 * Limits of scenario numbers, so every run stays finite and can finish (a number beyond one is an error naming its
 * JSON path; docs/reference.md, "Limits"). Votes are simulated one by one, so their total bounds the time.
 */
export const SCENARIO_LIMITS = Object.freeze({
  /** Any count of votes or battles in one field (`votes`, `votesPerVariant`, `baseline.battles`, `boostVotes`, …). */
  votes: 1e9,
  /** Votes one replication simulates, summed over its steps (`hours` × `votesPerHour` for a step in hours). */
  votesPerReplication: 1e9,
  /**
   * Votes a whole run simulates: replications × the steps' votes (+ the baseline, once or per replication). The
   * debut what-if simulates about 3 million votes a second (LMArena's policy, 2 cores), so 1e10 is about an hour.
   */
  votesPerRun: 1e10,
  /** `newModel.hours`: about 114 years. */
  hours: 1e6,
  /** `votesPerHour`. */
  votesPerHour: 1e7,
  /** `bestOfN.variants`. */
  variants: 10_000,
  /** |rating| and `spread` (as `--initial`/`--anchor`). */
  rating: 1e9,
  /** Policy weights (`boost`, `topWeight`), the popularity `exponent` and the active policy's `refitGrowth`. */
  weight: 1e6,
  /** `replications`. */
  replications: 100_000,
});

const missingOr = (what: string) => (iss: { input: unknown }) => (iss.input === undefined ? 'missing' : `must be ${what}`);
const L = SCENARIO_LIMITS;
const atMost = (x: number) => `must be at most ${x.toLocaleString('en-US')}`;
const finite = (what = 'a finite number') =>
  z
    .number({ error: missingOr(what) })
    .refine(Number.isFinite, { error: `must be ${what}` })
    .refine((x) => Math.abs(x) <= L.rating, { error: `must be between −${L.rating.toLocaleString('en-US')} and ${L.rating.toLocaleString('en-US')}` });
const count = z
  .number({ error: missingOr('an integer ≥ 0') })
  .int({ error: 'must be an integer ≥ 0' })
  .min(0, { error: 'must be an integer ≥ 0 (counts cannot be negative)' })
  .max(L.votes, { error: atMost(L.votes) });
const positiveCount = z
  .number({ error: missingOr('an integer ≥ 1') })
  .int({ error: 'must be an integer ≥ 1' })
  .min(1, { error: 'must be an integer ≥ 1' })
  .max(L.votes, { error: atMost(L.votes) });
const probability = z
  .number({ error: missingOr('a probability in [0, 1]') })
  .min(0, { error: 'must be a probability in [0, 1]' })
  .max(1, { error: 'must be a probability in [0, 1]' });
const nonNegative = (max: number) => z.number({ error: missingOr('a number ≥ 0') }).min(0, { error: 'must be a number ≥ 0' }).max(max, { error: atMost(max) });
const positive = (max: number) => z.number({ error: missingOr('a number > 0') }).gt(0, { error: 'must be a number > 0' }).max(max, { error: atMost(max) });
const modelName = z.string({ error: missingOr('a model name (string)') }).min(1, { error: 'must be a non-empty model name' });

/** A sampling policy in a scenario: a name, or an object with `type` and the policy's parameters. */
export const PolicySpecSchema = z.union([
  z.enum(['uniform', 'popularity', 'lmarena', 'active'], { error: 'must be "uniform", "popularity", "lmarena" or "active" (or an object with "type")' }).transform((type) => ({ type }) as PolicySpec),
  z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('uniform') }),
      z.strictObject({ type: z.literal('popularity'), exponent: nonNegative(L.weight).optional() }),
      z.strictObject({ type: z.literal('lmarena'), boost: positive(L.weight).optional(), boostVotes: count.optional(), topWeight: positive(L.weight).optional(), topN: count.optional() }),
      z.strictObject({ type: z.literal('active'), refitFirst: positiveCount.optional(), refitGrowth: z.number().gt(1, { error: 'must be a number > 1' }).max(L.weight, { error: atMost(L.weight) }).optional() }),
    ],
    { error: 'unknown policy type (expected "uniform", "popularity", "lmarena" or "active")' },
  ),
]);

/**
 * `addVotes`: N more votes between `model` and `opponent` (or, without `opponent`, against opponents drawn by the
 * policy from the field), each won by `model` with true probability `winRate` (ties counting half), or with the
 * BT probability of `rating` (default: the model's true rating) against the opponent's true rating.
 */
export const AddVotesStep = z
  .strictObject({
    type: z.literal('addVotes'),
    model: modelName,
    opponent: modelName.optional(),
    votes: count,
    winRate: probability.optional(),
    rating: finite().optional(),
    policy: PolicySpecSchema.optional(),
  })
  .refine((s) => s.winRate === undefined || s.rating === undefined, { path: ['rating'], error: 'give winRate or rating, not both' })
  .refine((s) => s.opponent !== s.model, { path: ['opponent'], error: 'must differ from model' });

/**
 * `newModel`: a model enters with true rating `rating` and receives either `votes` votes (opponents drawn by the
 * policy) or whatever the policy gives it while the arena collects `hours` × `votesPerHour` votes in total.
 * Default policy: `lmarena` (new models weight 5 until 3,000 votes). `rating` may be left out for a model of the
 * ratings file held back from the baseline (`baseline.without`): it then enters at its true rating.
 */
export const NewModelStep = z
  .strictObject({
    type: z.literal('newModel'),
    model: modelName,
    rating: finite().optional(),
    votes: count.optional(),
    hours: nonNegative(L.hours).optional(),
    policy: PolicySpecSchema.optional(),
  })
  .refine((s) => (s.votes === undefined) !== (s.hours === undefined), { path: ['votes'], error: 'give exactly one of votes or hours' });

/** `removeModel`: the model and all its votes leave the board (deprecation). Warns when the graph splits. */
export const RemoveModelStep = z.strictObject({ type: z.literal('removeModel'), model: modelName });

/**
 * `biasedVoters`: adversarial voters flip votes of `model`: `direction: "for"` turns non-wins (losses and ties) of
 * the model into wins, `"against"` turns non-losses into losses. How many: `votes` (a number of flips) or
 * `fraction` (of the model's votes); the flipped votes are drawn uniformly among the eligible ones.
 */
export const BiasedVotersStep = z
  .strictObject({
    type: z.literal('biasedVoters'),
    model: modelName,
    direction: z.enum(['for', 'against'], { error: 'must be "for" or "against"' }).default('for'),
    fraction: probability.optional(),
    votes: count.optional(),
  })
  .refine((s) => (s.fraction === undefined) !== (s.votes === undefined), { path: ['votes'], error: 'give exactly one of votes or fraction' });

/**
 * `bestOfN` (the Leaderboard Illusion): the provider of `model` tests `variants` private variants with
 * `votesPerVariant` votes each (opponents drawn by the policy), then publishes only the best-scoring one: the
 * model's previous votes are replaced by the best variant's. Each variant's true rating is `rating` (default: the
 * model's) plus `spread` × a standard normal (default 0: identical variants, pure selection on noise).
 */
export const BestOfNStep = z.strictObject({
  type: z.literal('bestOfN'),
  model: modelName,
  variants: positiveCount.max(L.variants, { error: atMost(L.variants) }),
  votesPerVariant: positiveCount,
  rating: finite().optional(),
  spread: nonNegative(L.rating).optional(),
  policy: PolicySpecSchema.optional(),
});

/**
 * `rig` (vote rigging, Min et al. 2025): an attacker sees `votes` battles of the arena's traffic (pairs drawn by the
 * policy) and votes in them to lift `model`. `mode: "target"`: only the model's own battles, each won by it (the
 * others are left alone). `"omnipresent"`: every battle — the model's own won by it, the others decided to shrink
 * the gaps between the `ahead` models ranked just above it (default 3) and it, by their first-order effects at the
 * baseline fit (`arena audit`'s influence); a battle that moves none of those gaps gets an honest vote.
 */
export const RigStep = z.strictObject({
  type: z.literal('rig'),
  model: modelName,
  votes: count,
  mode: z.enum(['target', 'omnipresent'], { error: 'must be "target" or "omnipresent"' }).default('target'),
  ahead: positiveCount.max(50, { error: atMost(50) }).default(3),
  policy: PolicySpecSchema.optional(),
});

/**
 * `contaminate` (random voters, Zhao et al. 2024): each vote on the board is replaced, with probability `fraction`,
 * by a coin flip — a win for either side, ½ each. Names no model.
 */
export const ContaminateStep = z.strictObject({ type: z.literal('contaminate'), fraction: probability });

/** One scenario step (discriminated by `type`). */
export const ScenarioStep = z.discriminatedUnion('type', [AddVotesStep, NewModelStep, RemoveModelStep, BiasedVotersStep, BestOfNStep, RigStep, ContaminateStep]);
/** A validated scenario step. */
export type ScenarioStep = z.infer<typeof ScenarioStep>;

/** Step type names. */
export const STEP_TYPES = ['addVotes', 'newModel', 'removeModel', 'biasedVoters', 'bestOfN', 'rig', 'contaminate'] as const;

/** Default arena vote rate for `newModel.hours`: 2,000 votes per hour (48,000 a day; an assumption, see the README). */
export const DEFAULT_VOTES_PER_HOUR = 2000;

/**
 * A what-if scenario file (`arena whatif --scenario FILE`). Every object is strict: an unknown field is an error,
 * so a typo never silently falls back to a default. Defaults are filled in by parsing and echoed in `params`.
 */
export const Scenario = z.strictObject({
  /** Free text, echoed. */
  description: z.string().optional(),
  /** The board before the steps when no battle files are given: simulated from true ratings. */
  baseline: z
    .strictObject({
      /** True-ratings file (default: the embedded April 2026 fixture). */
      ratings: z.string().min(1, { error: 'must be a file name' }).optional(),
      /** Battles to simulate (default: the ratings file's `votes`, else 1,000,000). */
      battles: count.optional(),
      /** Pair sampling of the baseline (default: popularity when every true rating has a weight, else uniform). */
      policy: PolicySpecSchema.optional(),
      /** Models of the ratings file held back from the baseline (not yet released); a newModel step can add them. */
      without: z.array(modelName).optional(),
      /**
       * Redraw the simulated baseline in every replication (replication r > 0 from its own seed), so that P(rank≠)
       * and the delta intervals include the baseline's own noise; default false: one baseline draw for every
       * replication (the scenario's effect alone). Costs one more simulation and fit per replication.
       */
      redraw: z.boolean({ error: 'must be true or false' }).default(false),
    })
    .default({ redraw: false }),
  /** Replications R: the steps are replayed R times with seeds deriveRng(seed, 'rep', r). */
  replications: positiveCount.max(L.replications, { error: atMost(L.replications) }).default(20),
  seed: z.union([z.number().int({ error: 'must be an integer or a string' }), z.string()], { error: 'must be an integer or a string' }).default(42),
  /** Interval level. */
  ci: z.number({ error: missingOr('a level in (0, 1)') }).gt(0, { error: 'must be a level in (0, 1)' }).lt(1, { error: 'must be a level in (0, 1)' }).default(0.95),
  /** Interval method of every fit: the uncertainty engine's `sandwich`, or `none`. */
  intervals: z.enum(['sandwich', 'none'], { error: 'must be one of "sandwich", "none"' }).default('sandwich'),
  /** Default policy of the steps (each step may set its own). */
  policy: PolicySpecSchema.default({ type: 'uniform' }),
  /** Arena-wide vote rate, for `newModel.hours`. */
  votesPerHour: positive(L.votesPerHour).default(DEFAULT_VOTES_PER_HOUR),
  /** Tie law of every simulated vote. */
  tieRate: probability.default(DEFAULT_SIMULATE.tieRate),
  bothbadShare: probability.default(DEFAULT_SIMULATE.bothbadShare),
  tieModel: z.enum(['constant', 'davidson'], { error: 'must be "constant" or "davidson"' }).default(DEFAULT_SIMULATE.tieModel),
  steps: z.array(ScenarioStep, { error: missingOr('an array of steps') }),
});
/** A validated scenario, defaults filled in. */
export type Scenario = z.infer<typeof Scenario>;

/** JSON path of an issue, dot-separated (`steps.2.votes`); `(root)` for the top level. */
function issuePath(iss: z.core.$ZodIssue): string {
  const path = [...iss.path];
  if (iss.code === 'unrecognized_keys' && iss.keys.length) path.push(iss.keys[0]!);
  return path.length ? path.map(String).join('.') : '(root)';
}

function issueMessage(iss: z.core.$ZodIssue, json: unknown): string {
  if (iss.code === 'unrecognized_keys') return `unknown field ${JSON.stringify(iss.keys[0])}`;
  if (iss.code === 'invalid_union' && iss.path[iss.path.length - 1] === 'type') {
    let v: unknown = json;
    for (const k of iss.path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
    const inStep = iss.path[0] === 'steps' && iss.path.length === 3;
    const expected = inStep ? STEP_TYPES.join(', ') : 'uniform, popularity, lmarena, active';
    return v === undefined ? `missing (expected one of ${expected})` : `unknown ${inStep ? 'step' : 'policy'} type ${JSON.stringify(v)} (expected one of ${expected})`;
  }
  return iss.message;
}

/**
 * Validates parsed scenario JSON (structure, types, ranges). Model names are checked later against the baseline
 * by {@link checkScenarioModels}.
 * @throws InputError `file: json.path: reason` for the first problem
 */
export function parseScenario(json: unknown, file?: string): Scenario {
  const r = Scenario.safeParse(json);
  if (!r.success) {
    const iss = r.error.issues[0]!;
    throw new InputError(issueMessage(iss, json), { file, field: issuePath(iss) });
  }
  return r.data;
}

/**
 * Checks the work a scenario asks for against {@link SCENARIO_LIMITS} (after the command line's overrides of
 * `replications` and `votesPerHour`): the votes of each step, of one replication, and of the whole run
 * (replications × steps, plus the simulated baseline's battles once, or per replication when redrawn;
 * `baselineBattles` is 0 for a baseline read from files). Biased voters only flip existing votes and count 0.
 * @throws InputError `file: json.path: reason`
 */
export function checkScenarioWork(s: Scenario, baselineBattles: number, file?: string): void {
  const fmt = (x: number) => (x < 1e6 ? x.toLocaleString('en-US') : x.toExponential(2).replace('e+', 'e'));
  let perReplication = 0;
  s.steps.forEach((step, i) => {
    let votes = 0;
    let how = '';
    if (step.type === 'addVotes' || step.type === 'rig') votes = step.votes;
    else if (step.type === 'newModel') {
      votes = step.votes ?? step.hours! * s.votesPerHour;
      if (step.votes === undefined) how = `${fmt(step.hours!)} hours × ${fmt(s.votesPerHour)} votes an hour = `;
    } else if (step.type === 'bestOfN') {
      votes = step.variants * step.votesPerVariant;
      how = `${fmt(step.variants)} variants × ${fmt(step.votesPerVariant)} votes = `;
    }
    if (votes > L.votesPerReplication) {
      const field = step.type === 'newModel' ? (step.votes === undefined ? 'hours' : 'votes') : step.type === 'bestOfN' ? 'votesPerVariant' : 'votes';
      throw new InputError(`${how}${fmt(votes)} simulated votes in one step: at most ${fmt(L.votesPerReplication)}`, { file, field: `steps.${i}.${field}` });
    }
    perReplication += votes;
  });
  if (perReplication > L.votesPerReplication) throw new InputError(`the steps simulate ${fmt(perReplication)} votes per replication: at most ${fmt(L.votesPerReplication)}`, { file, field: 'steps' });
  const run = s.replications * (perReplication + (s.baseline.redraw ? baselineBattles : 0)) + (s.baseline.redraw ? 0 : baselineBattles);
  if (run > L.votesPerRun) {
    throw new InputError(`${fmt(s.replications)} replications simulate ${fmt(run)} votes in all: at most ${fmt(L.votesPerRun)} in one run (fewer replications or votes)`, { file, field: 'replications' });
  }
}

/** The model names a step refers to, with their fields. */
export function stepModels(step: ScenarioStep): { field: string; model: string }[] {
  if (step.type === 'contaminate') return [];
  const out = [{ field: 'model', model: step.model }];
  if (step.type === 'addVotes' && step.opponent !== undefined) out.push({ field: 'opponent', model: step.opponent });
  return out;
}

/**
 * Checks every model name of the steps against the baseline models and the models added or removed by earlier
 * steps: unknown models, a new model whose name is taken, a removed model used later, a new model without a
 * rating that is not held back from the baseline, a board left with fewer than two models. Runs before anything
 * is simulated.
 *
 * @param baselineModels the baseline's model names
 * @param heldBack true ratings of models held back from the baseline (`baseline.without`), by name
 * @returns the names of the models present after all steps
 * @throws InputError `file: steps.i.model: reason`
 */
export function checkScenarioModels(s: Scenario, baselineModels: readonly string[], file?: string, heldBack: ReadonlyMap<string, number> = new Map()): string[] {
  const present = new Set(baselineModels);
  const removed = new Set<string>();
  const fail = (i: number, field: string, reason: string) => {
    throw new InputError(reason, { file, field: `steps.${i}.${field}` });
  };
  s.steps.forEach((step, i) => {
    if (step.type === 'newModel') {
      if (present.has(step.model)) fail(i, 'model', `model ${JSON.stringify(step.model)} is already on the board (newModel needs a new name)`);
      if (removed.has(step.model)) fail(i, 'model', `model ${JSON.stringify(step.model)} was removed by an earlier step and cannot come back`);
      if (step.rating === undefined && !heldBack.has(step.model)) fail(i, 'rating', 'missing (needed unless the model is held back from the baseline by baseline.without)');
      present.add(step.model);
      return;
    }
    for (const { field, model } of stepModels(step)) {
      if (!present.has(model)) {
        fail(
          i,
          field,
          removed.has(model)
            ? `model ${JSON.stringify(model)} was removed by an earlier step`
            : `unknown model ${JSON.stringify(model)} (not in the baseline, nor added by an earlier newModel step)`,
        );
      }
    }
    if (step.type === 'removeModel') {
      present.delete(step.model);
      removed.add(step.model);
      if (present.size < 2) fail(i, 'model', 'removing this model leaves fewer than two models');
    }
  });
  return [...present];
}

/**
 * Checks `baseline.without` against the ratings file and returns the held-back models' true ratings.
 * @throws InputError `file: baseline.without.i: unknown model …`
 */
export function heldBackRatings(s: Scenario, models: readonly string[], ratings: ArrayLike<number>, file?: string): Map<string, number> {
  const out = new Map<string, number>();
  (s.baseline.without ?? []).forEach((name, i) => {
    const v = models.indexOf(name);
    if (v < 0) throw new InputError(`unknown model ${JSON.stringify(name)} (not in the ratings file)`, { file, field: `baseline.without.${i}` });
    out.set(name, ratings[v]!);
  });
  if (models.length - out.size < 2) throw new InputError('holding these models back leaves fewer than two models', { file, field: 'baseline.without' });
  return out;
}
