import type { ModelFit } from '../models/types.js';
import { minimalPerturbation, type Perturbation, type PerturbAction, type PerturbOptions, riggingBudget, type RiggingBudget, type RigMode } from './fragility.js';

/** What {@link auditBoard} searches. */
export interface AuditOptions {
  /** Which vote changes are searched (each in turn). */
  readonly actions: readonly PerturbAction[];
  /** "#1 changes": models #2 … #challengers+1 tried (ignored with `pair`). */
  readonly challengers: number;
  /** Instead of "#1 changes": the fewest votes for `below` to overtake `above`. */
  readonly pair?: { readonly above: string; readonly below: string } | null;
  /** "An adjacent pair of the top k swaps": k (at least 2), or null/absent to skip. */
  readonly top?: number | null;
  /** The rigging budget of this model (null/absent: none). */
  readonly target?: string | null;
  /** Positions the target is lifted by [1, 5]. */
  readonly rigRanks?: readonly number[];
  /** Rigging modes searched [target, omnipresent]. */
  readonly rigModes?: readonly RigMode[];
  /** Called after every search with (searches done, searches in all). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  readonly search?: PerturbOptions;
}

/** "An adjacent pair of the top k swaps": every adjacent pair's search, and the smallest per action. */
export interface AdjacentAudit {
  readonly top: number;
  /** Per action, per pair (#1–#2, #2–#3, …): the fewest votes for the lower one to overtake the higher one. */
  readonly perturbations: readonly Perturbation[];
  /** Per action: the smallest verified count over the pairs (null when no pair's search found one). */
  readonly smallest: Readonly<Partial<Record<PerturbAction, Perturbation | null>>>;
}

/** The rigging budget of one model: per mode and number of positions, the fewest added votes found. */
export interface RiggingAudit {
  readonly target: string;
  /** Its position now (1 + the models rated strictly higher). */
  readonly position: number;
  readonly budgets: readonly RiggingBudget[];
}

/** Everything `arena audit` reports about one fitted board (see {@link auditBoard}). */
export interface BoardAudit {
  readonly battles: number;
  readonly models: number;
  /** Model names by rating, highest first (ties by name). */
  readonly order: readonly string[];
  /** "#1 changes" over the challengers (or the one `pair`), per action in turn. */
  readonly perturbations: readonly Perturbation[];
  /** Per action: the smallest of `perturbations` (null when none was found). */
  readonly smallest: Readonly<Partial<Record<PerturbAction, Perturbation | null>>>;
  /** Challengers tried for "#1 changes" (0 with `pair`). */
  readonly challengers: number;
  readonly adjacent: AdjacentAudit | null;
  readonly rigging: RiggingAudit | null;
}

/** The smallest verified count per action (first found on equal counts). */
function smallestOf(ps: readonly Perturbation[], actions: readonly PerturbAction[]): Partial<Record<PerturbAction, Perturbation | null>> {
  const out: Partial<Record<PerturbAction, Perturbation | null>> = {};
  for (const a of actions) out[a] = ps.filter((p) => p.action === a && p.votes !== null).reduce<Perturbation | null>((best, p) => (best === null || p.votes! < best.votes! ? p : best), null);
  return out;
}

/**
 * The fragility audit of a fitted board (issue 14, items 1 and 5): the fewest votes to drop, flip or add for #1 to
 * change (the smallest over the challengers #2 … #k+1, or for one named pair), for any adjacent pair of the top k to
 * swap (the smallest over the pairs #1–#2 … #(k−1)–#k), and the rigging budget of a named model (the fewest added
 * votes lifting it by each of `rigRanks` positions, target-only and omnipresent — the omnipresent answer is the
 * smaller of its own search and the target-only one, whose votes an omnipresent attacker can cast too). Every count is found by
 * {@link minimalPerturbation} / {@link riggingBudget} and confirmed by an exact refit; the search of #1–#2 is shared
 * by "#1 changes" and the adjacent pairs.
 *
 * Cost: one search (a few warm refits of the model on the pair cells) per action and pair, and per rigging mode and
 * rank count.
 *
 * @throws InputError as {@link minimalPerturbation} (online Elo, style control, per-row weights, unknown models)
 */
export function auditBoard(fit: ModelFit, o: AuditOptions): BoardAudit {
  const order = fit.models.map((_, v) => v).sort((x, y) => fit.ratings[y]! - fit.ratings[x]! || (fit.models[x]! < fit.models[y]! ? -1 : 1)).map((v) => fit.models[v]!);
  const pairs: [string, string][] = [];
  if (o.pair) pairs.push([o.pair.above, o.pair.below]);
  else for (let q = 1; q <= Math.min(o.challengers, order.length - 1); q++) pairs.push([order[0]!, order[q]!]);
  const top = o.top ? Math.min(o.top, order.length) : 0;
  const adjacentPairs: [string, string][] = [];
  for (let q = 1; q < top; q++) adjacentPairs.push([order[q - 1]!, order[q]!]);
  const ranks = o.target ? (o.rigRanks ?? [1, 5]) : [];
  const modes = o.rigModes ?? ['target', 'omnipresent'];
  const total = o.actions.length * (pairs.length + adjacentPairs.length) + ranks.length * modes.length;
  let done = 0;
  const step = () => o.onProgress?.(++done, total);
  // one search per (action, above, below): "#1 changes" and the adjacent pairs share #1–#2
  const cache = new Map<string, Perturbation>();
  const searchOf = (action: PerturbAction, above: string, below: string) => {
    const key = JSON.stringify([action, above, below]);
    let p = cache.get(key);
    if (!p) {
      p = minimalPerturbation(fit, above, below, action, o.search);
      cache.set(key, p);
    }
    step();
    return p;
  };
  const perturbations = o.actions.flatMap((a) => pairs.map(([x, y]) => searchOf(a, x, y)));
  const adjacent = top >= 2 ? o.actions.flatMap((a) => adjacentPairs.map(([x, y]) => searchOf(a, x, y))) : null;
  let rigging: RiggingAudit | null = null;
  if (o.target) {
    const budgets: RiggingBudget[] = [];
    for (const mode of modes) {
      for (const r of ranks) {
        let b = riggingBudget(fit, o.target, r, mode, o.search);
        // votes in the target's own battles are omnipresent votes too: the greedy search over every pair can miss a
        // set the target-only search found (it aims at one gap at a time), so the smaller answer stands
        const own = budgets.find((x) => x.mode === 'target' && x.ranks === r);
        if (mode === 'omnipresent' && own && own.votes !== null && (b.votes === null || own.votes < b.votes)) b = { ...own, mode, refits: own.refits + b.refits };
        budgets.push(b);
        step();
      }
    }
    rigging = { target: o.target, position: budgets[0]?.position ?? 0, budgets };
  }
  return {
    battles: fit.battles,
    models: fit.models.length,
    order,
    perturbations,
    smallest: smallestOf(perturbations, o.actions),
    challengers: o.pair ? 0 : pairs.length,
    adjacent: adjacent ? { top, perturbations: adjacent, smallest: smallestOf(adjacent, o.actions) } : null,
    rigging,
  };
}
