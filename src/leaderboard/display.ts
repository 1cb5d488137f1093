/**
 * Display rules of a published board (LMArena's): hide models with too few votes, leave deprecated models out of
 * the ranks, show each model's rank change against a reference (overall) board, and intervals as "+x / −y". They
 * change what a leaderboard shows, never the fit: every model stays in the fit, and ratings and intervals are
 * untouched.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readJsonFile } from '../data/ratings.js';
import { InputError } from '../errors.js';
import { countAtMost, countBelow } from '../stats/rank.js';
import { simultaneousDraws, simultaneousRanks, type SimultaneousRanks } from '../stats/simultaneous.js';
import type { RatedBoard } from '../stats/uncertainty.js';
import { type Leaderboard, type LeaderboardRow, simultaneousParams } from './leaderboard.js';

/** How intervals are shown: as bounds ("1480.2 – 1503.9") or as distances from the rating ("+11.9 / −11.8"). */
export type IntervalStyle = 'bounds' | 'plusminus';

/** Display rules ({@link applyDisplayRules}). */
export interface DisplayRules {
  /** Hide models with fewer battles than this (0: show every model). LMArena's category boards use 300. */
  readonly minVotes?: number | undefined;
  /** Models kept in the fit and shown, flagged, but left out when the others' ranks are computed. */
  readonly deprecated?: readonly string[] | undefined;
  /** A reference board (e.g. the overall board of which this is a category): `delta` = rank here − rank there. */
  readonly reference?: { readonly name: string; readonly ranks: ReadonlyMap<string, number>; readonly ciMethod?: string | null } | undefined;
  /** How tables show intervals; `plusminus` also adds `plus`/`minus` to each row of the JSON and CSV. */
  readonly intervalStyle?: IntervalStyle | undefined;
}

/** A leaderboard row after the display rules. */
export interface DisplayRow extends LeaderboardRow {
  /** Deprecated: shown, ranked against the current models, but not counted in their ranks. */
  readonly deprecated?: boolean;
  /** Rank here minus rank on the reference board (negative: higher here); null when not on the reference board. */
  readonly delta?: number | null;
  /** upper − rating (with `intervalStyle: 'plusminus'`). */
  readonly plus?: number;
  /** rating − lower (with `intervalStyle: 'plusminus'`). */
  readonly minus?: number;
}

/** What the display rules did, echoed in the JSON. */
export interface DisplaySummary {
  readonly minVotes: number;
  readonly deprecated: readonly string[];
  readonly reference: string | null;
  readonly intervalStyle: IntervalStyle;
  /** Models hidden for having fewer than `minVotes` battles (still in the fit), with their battles. */
  readonly hidden: readonly { readonly model: string; readonly battles: number }[];
}

/** A leaderboard with display rules applied. */
export interface DisplayLeaderboard extends Omit<Leaderboard, 'models'> {
  readonly models: readonly DisplayRow[];
  readonly display: DisplaySummary;
}

/**
 * Applies display rules to a leaderboard. The rows shown are those with at least `minVotes` battles; ranks are
 * recomputed among the shown models that are not deprecated (the "rank pool" P): for a shown model v,
 * rank = 1 + #{u ∈ P, u ≠ v : lower_u > upper_v} (LMArena's rank; without intervals the bounds are the ratings),
 * and its rank range runs from that to |P ∪ {v}| − #{u ∈ P : upper_u < lower_v}. A deprecated model gets the rank
 * it would have among the current ones, and counts in nobody's. With no rule, ranks are unchanged. Rank
 * distributions (bootstrap) count every model, so they are dropped when a rule changes the pool. Simultaneous rank
 * intervals (rows with `simultaneousRankLower`) are recomputed the same way from `rated` (the board the leaderboard
 * was made of): the max-statistic over the pairs of shown models, ranks among the pool (see `simultaneousRanks`).
 * O(m log m) plus the reference look-ups (plus the simultaneous ranks' O(m²·draws)).
 *
 * @throws RangeError when `minVotes` is negative or not finite, or when the rows carry simultaneous ranks, a rule
 *   changes the pool and `rated` is not given
 */
export function applyDisplayRules(lb: Leaderboard, rules: DisplayRules = {}, rated?: RatedBoard): DisplayLeaderboard {
  const minVotes = rules.minVotes ?? 0;
  if (!(minVotes >= 0) || !Number.isFinite(minVotes)) throw new RangeError(`minVotes must be a finite number ≥ 0, got ${minVotes}`);
  const deprecated = new Set(rules.deprecated ?? []);
  const style = rules.intervalStyle ?? 'bounds';
  const hidden = lb.models.filter((r) => r.battles < minVotes).map((r) => ({ model: r.model, battles: r.battles }));
  const shown = lb.models.filter((r) => r.battles >= minVotes);
  const lo = (r: LeaderboardRow) => r.lower ?? r.rating;
  const hi = (r: LeaderboardRow) => r.upper ?? r.rating;
  const pool = shown.filter((r) => !deprecated.has(r.model));
  const poolLo = Float64Array.from(pool, lo).sort();
  const poolHi = Float64Array.from(pool, hi).sort();
  const poolChanged = hidden.length > 0 || pool.length < shown.length;
  const sim = poolChanged && shown.some((r) => r.simultaneousRankLower !== undefined) ? simultaneousAmong(shown, deprecated, rated) : null;
  const models = shown.map((r): DisplayRow => {
    const isDep = deprecated.has(r.model);
    // lower_u > upper_v never holds for u = v (lower ≤ upper), so counting over the pool with or without v is the same
    const above = pool.length - countAtMost(poolLo, hi(r));
    const below = countBelow(poolHi, lo(r));
    const size = pool.length + (isDep ? 1 : 0);
    const { rankDistribution, ...rest } = r;
    return {
      ...rest,
      rank: 1 + above,
      ...(r.rankLower !== undefined ? { rankLower: 1 + above, rankUpper: size - below } : {}),
      ...(sim ? { simultaneousRankLower: sim.lower[sim.id.get(r.model)!]!, simultaneousRankUpper: sim.upper[sim.id.get(r.model)!]! } : {}),
      ...(rankDistribution && !poolChanged ? { rankDistribution } : {}),
      ...(isDep ? { deprecated: true } : {}),
      ...(rules.reference ? { delta: rules.reference.ranks.has(r.model) ? 1 + above - rules.reference.ranks.get(r.model)! : null } : {}),
      ...(style === 'plusminus' && r.lower !== undefined && r.upper !== undefined ? { plus: r.upper - r.rating, minus: r.rating - r.lower } : {}),
    };
  });
  const unknown = [...deprecated].filter((name) => !lb.models.some((r) => r.model === name));
  const warnings = [...lb.warnings];
  if (unknown.length) warnings.push(`Deprecated model${unknown.length > 1 ? 's' : ''} not on this board: ${unknown.map((n) => JSON.stringify(n)).join(', ')}.`);
  const here = typeof lb.params.ciMethod === 'string' ? lb.params.ciMethod : null;
  if (rules.reference?.ciMethod && here && (rules.reference.ciMethod === 'none') !== (here === 'none')) {
    warnings.push(`Δ compares ${here === 'none' ? 'positions by rating' : 'LMArena ranks (from intervals)'} here with ${rules.reference.ciMethod === 'none' ? 'positions by rating' : 'LMArena ranks'} on ${rules.reference.name}: make both boards with the same --ci-method.`);
  }
  if (lb.models.length > 0 && shown.length === 0) warnings.push(`Every model has fewer than ${minVotes} battles: all ${lb.models.length} are hidden (--min-votes).`);
  return {
    ...lb,
    ...(sim ? { params: { ...lb.params, simultaneousRanks: simultaneousParams(sim) } } : {}),
    models,
    warnings,
    display: { minVotes, deprecated: [...deprecated], reference: rules.reference?.name ?? null, intervalStyle: style, hidden },
  };
}

/** Simultaneous rank intervals among the shown models, deprecated ones uncounted, from the board's own law. */
function simultaneousAmong(shown: readonly LeaderboardRow[], deprecated: ReadonlySet<string>, rated: RatedBoard | undefined): SimultaneousRanks & { id: Map<string, number> } {
  if (!rated) throw new RangeError('simultaneous ranks among the shown models need the rated board: applyDisplayRules(leaderboard, rules, rated)');
  const id = new Map(rated.point.models.map((name, v) => [name, v]));
  const ids = shown.map((r) => id.get(r.model)!);
  const { level, seed } = rated.options;
  const s = simultaneousRanks(rated, level, seed, simultaneousDraws(level), { shown: ids, uncounted: ids.filter((v) => deprecated.has(rated.point.models[v]!)) });
  if (!s) throw new RangeError('simultaneous ranks need the law of the rating gaps: sandwich or bootstrap intervals');
  return { ...s, id };
}

const ReferenceBoard = z.object({
  method: z.string(),
  params: z.object({ ciMethod: z.string().optional() }).passthrough(),
  models: z.array(z.object({ model: z.string(), rank: z.number().int().positive(), rating: z.number() }).passthrough()),
}).passthrough();

/**
 * Reads a reference board for {@link DisplayRules.reference}: the JSON of `arena rate --format json` (any object
 * with `models: [{ model, rank }]`). Ranks are taken as written there.
 * @throws InputError naming the file and the first bad field (e.g. `models.3.rank`), or a model listed twice
 */
export function readReferenceBoard(file: string): { name: string; ranks: Map<string, number>; ciMethod: string | null } {
  const parsed = ReferenceBoard.safeParse(readJsonFile(file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const what = issue.code === 'invalid_type' && issue.path.length && issue.input === undefined ? 'missing' : issue.message;
    throw new InputError(`${what}: not the JSON of \`arena rate --format json\` (the reference board of --delta)`, { file, field: issue.path.join('.') || '(root)' });
  }
  const ranks = new Map<string, number>();
  parsed.data.models.forEach((r, q) => {
    if (ranks.has(r.model)) throw new InputError(`model ${JSON.stringify(r.model)} is listed twice`, { file, field: `models.${q}.model` });
    ranks.set(r.model, r.rank);
  });
  return { name: file, ranks, ciMethod: parsed.data.params.ciMethod ?? null };
}

/**
 * Reads a list of model names, one per line (for `--deprecated-file`): lines are names as written, except that a
 * trailing carriage return is dropped and blank lines are skipped.
 * @throws InputError when the file cannot be read
 */
export function readModelList(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.trim() !== '');
}
