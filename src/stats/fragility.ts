import { type PairCounts, rememberPairCounts } from '../data/aggregate.js';
import type { BattleTable } from '../data/table.js';
import { InputError } from '../errors.js';
import { choleskyInPlace, choleskySolveInPlace } from '../math/linalg.js';
import { modelFor } from '../models/index.js';
import type { ModelFit, ModelOptions } from '../models/types.js';
import { btCells } from '../rating/bradley-terry.js';
import { centredInformation } from '../rating/bt-refit.js';
import { pointsPerLogit } from '../rating/scale.js';

/** How a perturbation changes the votes: drop some, flip their outcome, or add new ones (between any two models). */
export type PerturbAction = 'drop' | 'flip' | 'add';

/** Outcome labels of a (pair, outcome) cell, seen from the pair's first model. */
export type CellOutcome = 'a' | 'b' | 'tie' | 'bothbad';

/**
 * Votes a perturbation touches: `count` votes of `a` vs `b` with outcome `outcome` (from a's side) — dropped, flipped
 * `to` another outcome, or (action `add`) added.
 */
export interface VoteChange {
  readonly a: string;
  readonly b: string;
  readonly outcome: CellOutcome;
  readonly count: number;
  /** flip: the outcome they get. */
  readonly to?: CellOutcome;
}

/** The smallest perturbation found that puts `below` above `above` (see {@link minimalPerturbation}). */
export interface Perturbation {
  readonly action: PerturbAction;
  /** The model that is ahead now and must fall behind. */
  readonly above: string;
  readonly below: string;
  /** Rating gap above − below now (display points). */
  readonly gap: number;
  /** Votes changed: the smallest count found, verified by an exact refit (null: none found within the limits). */
  readonly votes: number | null;
  /** votes / all battles. */
  readonly fraction: number | null;
  /** The gap after the change (exact refit; below −{@link OVERTAKE_MARGIN}). */
  readonly gapAfter: number | null;
  /** The first-order count: the fewest votes whose linearised effects add up to the gap, at the unperturbed fit. */
  readonly firstOrder: number | null;
  /** The votes changed, grouped by pair and outcome. */
  readonly changes: readonly VoteChange[];
  /** Exact refits made. */
  readonly refits: number;
}

const LABEL: readonly CellOutcome[] = ['a', 'b', 'tie', 'bothbad'];

/** The `to` of an added vote in a run (drop: −1, flip: the target outcome 0–3). */
const ADD = -2;

/** `below` has overtaken `above` when it leads by more than this many points (an exact tie is no change of order). */
export const OVERTAKE_MARGIN = 1e-6;

/** Counts per (cell, outcome), four per cell: wins of i, wins of j, ties, both-bad ties. */
function countsOf(pc: PairCounts): Float64Array {
  const c = new Float64Array(4 * pc.pairs);
  for (let k = 0; k < pc.pairs; k++) {
    c[4 * k] = pc.winsI[k]!;
    c[4 * k + 1] = pc.winsJ[k]!;
    c[4 * k + 2] = pc.ties[k]!;
    c[4 * k + 3] = pc.bothbad[k]!;
  }
  return c;
}

/**
 * A battle table of `pc`'s cells with counts `c` (one row per nonzero cell and outcome; models left without a battle
 * are left out, as a file without their battles would have them), its pair counts handed over.
 */
function tableOf(pc: PairCounts, c: Float64Array): BattleTable {
  const m = pc.models.length;
  const P = pc.pairs;
  const pi = pc.i;
  const pj = pc.j;
  const plays = new Uint8Array(m);
  let rows = 0;
  let pairs = 0;
  for (let k = 0, q = 0; k < P; k++, q += 4) {
    const r = (c[q]! > 0 ? 1 : 0) + (c[q + 1]! > 0 ? 1 : 0) + (c[q + 2]! > 0 ? 1 : 0) + (c[q + 3]! > 0 ? 1 : 0);
    if (r > 0) {
      rows += r;
      pairs++;
      plays[pi[k]!] = 1;
      plays[pj[k]!] = 1;
    }
  }
  const id = new Int32Array(m).fill(-1);
  const models: string[] = [];
  for (let v = 0; v < m; v++) if (plays[v]) id[v] = models.push(pc.models[v]!) - 1;
  const a = new Int32Array(rows);
  const b = new Int32Array(rows);
  const outcome = new Uint8Array(rows);
  const count = new Uint32Array(rows);
  const i = new Int32Array(pairs);
  const j = new Int32Array(pairs);
  const w0 = new Float64Array(pairs);
  const w1 = new Float64Array(pairs);
  const w2 = new Float64Array(pairs);
  const w3 = new Float64Array(pairs);
  let r = 0;
  let x = 0;
  let battles = 0;
  for (let k = 0, q = 0; k < P; k++, q += 4) {
    const c0 = c[q]!;
    const c1 = c[q + 1]!;
    const c2 = c[q + 2]!;
    const c3 = c[q + 3]!;
    if (!(c0 > 0 || c1 > 0 || c2 > 0 || c3 > 0)) continue;
    const ii = id[pi[k]!]!;
    const jj = id[pj[k]!]!;
    i[x] = ii;
    j[x] = jj;
    w0[x] = c0;
    w1[x] = c1;
    w2[x] = c2;
    w3[x] = c3;
    x++;
    for (let o = 0; o < 4; o++) {
      const n = c[q + o]!;
      if (n > 0) {
        a[r] = ii;
        b[r] = jj;
        outcome[r] = o;
        count[r] = n;
        battles += n;
        r++;
      }
    }
  }
  const t: BattleTable = { models, a, b, outcome, count, tstamp: null, rows, battles };
  rememberPairCounts(t, { models, pairs, i, j, winsI: w0, winsJ: w1, ties: w2, bothbad: w3 });
  return t;
}

/**
 * The battle weight of one vote per pair cell under `--reweight pairs` at counts `c` (LMArena's 1/max(n_AB, floor),
 * scaled so that the weights average 1 over battles, as `applyWeights` does), or null without reweighting. O(pairs).
 */
function voteWeights(pc: PairCounts, c: Float64Array, reweight: { readonly floor: number } | null | undefined): Float64Array | null {
  if (!reweight) return null;
  const w = new Float64Array(pc.pairs);
  let battles = 0;
  let total = 0;
  for (let k = 0; k < pc.pairs; k++) {
    const n = c[4 * k]! + c[4 * k + 1]! + c[4 * k + 2]! + c[4 * k + 3]!;
    w[k] = 1 / Math.max(n, reweight.floor);
    battles += n;
    total += n * w[k]!;
  }
  const scale = total > 0 ? battles / total : 1;
  for (let k = 0; k < pc.pairs; k++) w[k]! *= scale;
  return w;
}

/**
 * Per-vote first-order effects on the gap θ_above − θ_below (natural scale) of each (cell, outcome) at counts `c`
 * and strengths θ: u = H⁻¹(e_above − e_below) with H the centred Bradley–Terry information (ties half, each vote
 * weighted by its pair weight `w` under `--reweight pairs`) at θ; dropping one vote of score y (1, 0, ½ for i) moves
 * the gap by −w·(y − p_ij)·(u_i − u_j); flipping it to the score y′ that lowers the gap most moves it by
 * w·(y′ − y)·(u_i − u_j); adding a win moves it by w·(y − p_ij)·(u_i − u_j). Tie models are ranked by the same
 * Bradley–Terry effects (an order for the search only; every answer is checked by an exact refit of the model
 * itself). Null when H is not positive definite. O(pairs + m³).
 */
function effects(pc: PairCounts, c: Float64Array, w: Float64Array | null, theta: ArrayLike<number>, prior: number, above: number, below: number, action: PerturbAction, counted: ArrayLike<number> = ALL_COUNT): { effect: Float64Array; to: Int8Array } | null {
  const u = influence(pc, c, w, theta, prior, above, below, counted);
  if (!u) return null;
  const effect = new Float64Array(4 * pc.pairs);
  const to = new Int8Array(4 * pc.pairs).fill(-1);
  const score = [1, 0, 0.5, 0.5];
  for (let k = 0; k < pc.pairs; k++) {
    const i = pc.i[k]!;
    const j = pc.j[k]!;
    const du = (w ? w[k]! : 1) * (u[i]! - u[j]!);
    const p = 1 / (1 + Math.exp(theta[j]! - theta[i]!));
    for (let o = 0; o < 4; o++) {
      const y = score[o]!;
      // a tie the fit leaves out (--ties ignore, --both-bad ignore) moves nothing, dropped or added
      if (!counted[o]) {
        if (action === 'add') to[4 * k + o] = ADD;
        continue;
      }
      if (action === 'drop') effect[4 * k + o] = -(y - p) * du;
      else if (action === 'add') {
        // a new decided vote (ties add less than the better of the two wins, so only wins are proposed)
        effect[4 * k + o] = o < 2 ? (y - p) * du : 0;
        to[4 * k + o] = ADD;
      } else {
        // the flip that lowers the gap most: to a win of j when raising i's score raises the gap, else to a win of i
        const target = du > 0 ? 1 : 0;
        const yNew = score[target]!;
        effect[4 * k + o] = (yNew - y) * du;
        to[4 * k + o] = target;
      }
    }
  }
  return { effect, to };
}

/** Which outcomes the fit counts (wins, ties, both-bad ties): every one by default. */
const ALL_COUNT = [1, 1, 1, 1] as const;

/** The outcomes a fit counts: ties and both-bad ties left out under `--ties ignore`, both-bad under `--both-bad ignore`. */
function countedOutcomes(opts: ModelOptions): number[] {
  const ties = opts.ties === 'ignore' ? 0 : 1;
  return [1, 1, ties, opts.bothBad === 'ignore' ? 0 : ties];
}

/**
 * u = H⁻¹(e_above − e_below) at counts `c` and strengths θ, H the centred Bradley–Terry information (ties half,
 * outcomes not `counted` left out, each vote weighted by its pair weight `w`); null when H is not positive definite.
 * O(pairs + m³).
 */
function influence(pc: PairCounts, c: Float64Array, w: Float64Array | null, theta: ArrayLike<number>, prior: number, above: number, below: number, counted: ArrayLike<number>): Float64Array | null {
  const m = pc.models.length;
  const s = new Float64Array(pc.pairs);
  const n = new Float64Array(pc.pairs);
  for (let k = 0; k < pc.pairs; k++) {
    const wk = w ? w[k]! : 1;
    const t = counted[2]! * c[4 * k + 2]! + counted[3]! * c[4 * k + 3]!;
    s[k] = wk * (c[4 * k]! + 0.5 * t);
    n[k] = wk * (c[4 * k]! + c[4 * k + 1]! + t);
  }
  const h = centredInformation({ m, pairs: pc.pairs, i: pc.i, j: pc.j, s, n }, theta, prior);
  if (!choleskyInPlace(h, m)) return null;
  const u = new Float64Array(m);
  u[above] = 1;
  u[below] = -1;
  choleskySolveInPlace(h, m, u);
  return u;
}

/** Options of {@link minimalPerturbation}. */
export interface PerturbOptions {
  /** Greedy rounds before giving up (each one refit). Default 40. */
  readonly maxRounds?: number;
}

/**
 * The fewest votes to drop, flip or add for `below` to overtake `above` on the board of `fit` (issue 14: "how few
 * votes decide the top"); added votes are wins between any two models. Greedy rounds with exact verification: at the current (perturbed) fit, the first-order
 * effect of every (pair, outcome) cell on the gap ({@link effects}, one linear solve); the cells with the largest
 * effects supply half of the votes the linearisation says would close the gap; refit (warm start) and repeat until
 * the refitted gap is below 0. Then a search over the prefix of that sequence of votes between the last two rounds
 * (the gap's crossing interpolated, with bisection as a safeguard) finds the shortest prefix whose exact refit still
 * has `below` ahead; votes are then given back one at a time while it stays ahead (locally minimal). The count found is verified (an upper bound on the true
 * minimum); `firstOrder` is the linearised minimum at the unperturbed fit. Works on pair cells with every likelihood
 * model (`--method bt`, `--ties` any; `--reweight pairs` recomputed from the changed counts).
 *
 * Cost: (rounds + a few + the groups not screened out) refits, each warm-started, plus one O(m³) factorisation per
 * round.
 *
 * @throws InputError for style control or covariate fits (rows, not cells), online Elo, or per-row weights
 */
export function minimalPerturbation(fit: ModelFit, above: string, below: string, action: PerturbAction, options: PerturbOptions = {}): Perturbation {
  checkFit(fit);
  const names = fit.pairs.models;
  for (const [name, field] of [[above, 'above'], [below, 'below']] as const) if (!names.includes(name)) throw new InputError(`unknown model ${JSON.stringify(name)}`, { field });
  const gapOf = (g: ModelFit) => {
    const x = g.models.indexOf(above);
    const y = g.models.indexOf(below);
    // by name: a model left without battles is off the board (then the goal does not hold)
    return x < 0 || y < 0 ? Number.POSITIVE_INFINITY : g.ratings[x]! - g.ratings[y]!;
  };
  return search(fit, { gap: gapOf, aim: () => [above, below], fixed: true }, action, null, options).result;
}

/** The fit checks shared by every search. */
function checkFit(fit: ModelFit): void {
  if (fit.kind === 'elo') throw new InputError('minimal perturbations refit a likelihood model: online Elo has none (use --method bt)', { field: '--method' });
  if (fit.kind === 'style') throw new InputError('minimal perturbations change pair cells: style control and covariates fit battle rows (not supported yet)', { field: '--style-control' });
  if (fit.table.weight) throw new InputError('minimal perturbations change battle counts: per-row weights are not supported (--reweight pairs is)', { field: 'weight' });
}

/**
 * What a search aims at: `gap` of a fit (display points), reached when below −{@link OVERTAKE_MARGIN}; `aim` the
 * two models (above, below) whose rating gap the next greedy round closes, at that fit.
 */
interface Goal {
  gap(g: ModelFit): number;
  aim(g: ModelFit): readonly [string, string];
  /** The aimed pair never changes (the gap is that pair's). */
  readonly fixed: boolean;
}

/**
 * Giving back votes: a group is not tried by an exact refit when the first-order rise of the gap from one of its votes
 * exceeds the lead left times this (see {@link riseOfOneBack}).
 */
const SCREEN = 1.05;

/** The ridge prior of a likelihood fit (0 for the others). */
const priorOf = (g: ModelFit) => (g.kind === 'bt' || g.kind === 'tie' ? g.prior : 0);

/**
 * Per group, the first-order rise (display points) of the gap θ_above − θ_below when one of its votes is given
 * back, at strengths θ and counts `c` (after the groups' changes): a dropped vote of score y returns +(y − p)·Δu, a
 * flipped one (y′ back to y) (y − y′)·Δu, an added one −(y − p)·Δu, Δu = f·(u_i − u_j). Null when the information
 * is not positive definite. O(pairs + m³).
 */
function riseOfOneBack(pc: PairCounts, c: Float64Array, theta: Float64Array, prior: number, above: number, below: number, groups: readonly Group[], counted: ArrayLike<number>, f: number): Float64Array | null {
  const u = influence(pc, c, null, theta, prior, above, below, counted);
  if (!u) return null;
  const score = [1, 0, 0.5, 0.5];
  return Float64Array.from(groups, (g) => {
    const k = g.slot >> 2;
    const o = g.slot & 3;
    if (!counted[o]) return 0;
    const du = f * (u[pc.i[k]!]! - u[pc.j[k]!]!);
    const p = 1 / (1 + Math.exp(theta[pc.j[k]!]! - theta[pc.i[k]!]!));
    return g.to === -1 ? (score[o]! - p) * du : g.to === ADD ? -(score[o]! - p) * du : (score[o]! - score[g.to]!) * du;
  });
}

/**
 * The greedy search with exact refits behind {@link minimalPerturbation} and {@link riggingBudget}: rounds of
 * first-order steps toward the goal's aimed gap (re-aimed at every refit), the shortest prefix of the votes changed
 * that reaches the goal (interpolation and bisection between the last two rounds), the sweep route (for drops and
 * flips), and votes given back while the goal holds. `allowed`, if
 * given, restricts the (cell · 4 + outcome) slots the search may change.
 */
function search(fit: ModelFit, goal: Goal, action: PerturbAction, allowed: ((pc: PairCounts, slot: number) => boolean) | null, options: PerturbOptions): { result: Perturbation; after: ModelFit | null } {
  const opts: ModelOptions = fit.options;
  const pc = fit.pairs;
  const model = modelFor(opts);
  const f = pointsPerLogit(opts);
  const [above, below] = goal.aim(fit);
  const gap0 = goal.gap(fit);
  const ib = pc.models.indexOf(below);
  const base = { action, above, below, gap: gap0 };
  if (!(gap0 > 0)) return { result: { ...base, votes: 0, fraction: 0, gapAfter: gap0, firstOrder: 0, changes: [], refits: 0 }, after: fit };
  // adding votes may open pairs that never met: every pair of models gets a cell (empty ones stay out of the tables)
  const cellsPc = action === 'add' ? everyPair(pc) : pc;
  const counts = countsOf(cellsPc);
  const cur = Float64Array.from(counts);
  const index = new Map(pc.models.map((name, v) => [name, v]));
  // the sequence of single-vote changes, as runs: (cell·4 + outcome, target outcome, count)
  const runs: { slot: number; to: number; n: number }[] = [];
  let refits = 0;
  let last: ModelFit = fit;
  let firstOrder: number | null = null;
  const maxRounds = options.maxRounds ?? 40;
  const reached = (g: ModelFit) => goal.gap(g) < -OVERTAKE_MARGIN;
  const counted = countedOutcomes(opts);
  // the current fit's strengths on the full model list (a model off the board at 0: its cells are empty)
  const thetaOf = (g: ModelFit) => {
    const at = new Map(g.models.map((name, v) => [name, v]));
    return Float64Array.from(pc.models, (name) => {
      const v = at.get(name);
      return v === undefined ? 0 : g.ratings[v]! / f;
    });
  };
  let done = false;
  // (votes changed so far, gap) at every refit of the rounds: the bracket of the search for the shortest prefix
  const marks: { n: number; gap: number }[] = [];
  let changed = 0;
  for (let round = 0; round < maxRounds; round++) {
    const gap = goal.gap(last);
    marks.push({ n: changed, gap });
    if (gap < -OVERTAKE_MARGIN) {
      done = true;
      break;
    }
    const [x0, y0] = goal.aim(last);
    const e = effects(cellsPc, cur, voteWeights(cellsPc, cur, opts.reweight), thetaOf(last), priorOf(last), index.get(x0)!, index.get(y0)!, action, counted);
    if (!e) break;
    const adding = action === 'add';
    const heap = new SlotHeap(e.effect);
    for (let s = 0; s < cur.length; s++) if ((adding || cur[s]! > 0) && e.effect[s]! < 0 && (!allowed || allowed(cellsPc, s))) heap.push(s);
    if (!heap.size) break;
    heap.heapify();
    // votes the linearisation needs: the largest effects first (popped from the heap in order, effect then slot),
    // each cell's votes up to its count (added votes: no cap)
    const cap = (x: number) => (adding ? Number.POSITIVE_INFINITY : cur[x]!);
    const order: number[] = [];
    let need = (gap + OVERTAKE_MARGIN) / f;
    let linear = 0;
    while (need > 0 && heap.size) {
      const x = heap.pop();
      order.push(x);
      const per = -e.effect[x]!;
      const take = Math.min(cap(x), Math.ceil(need / per));
      linear += take;
      need -= take * per;
    }
    if (firstOrder === null && round === 0) firstOrder = need <= 0 ? linear : null;
    let batch = Math.max(1, Math.ceil(linear / 2));
    for (const x of order) {
      if (batch <= 0) break;
      const take = Math.min(cap(x), batch);
      apply(cur, x, e.to[x]!, take);
      runs.push({ slot: x, to: e.to[x]!, n: take });
      batch -= take;
      changed += take;
    }
    last = model.fit(tableOf(cellsPc, cur), opts, last);
    refits++;
  }
  if (!done && reached(last)) done = true;
  if (!done) return { result: { ...base, votes: null, fraction: null, gapAfter: null, firstOrder, changes: [], refits }, after: null };
  // the shortest prefix of the sequence whose exact refit reaches the goal, between the last two rounds (the one
  // before did not reach it, the last did): the crossing of the gap interpolated linearly between the bracket's ends
  // (near-linear in the votes: two refits when the guess is right), a bisection after any guess that did not halve
  // the bracket; each refit warm-started from the last fit that reached the goal
  if (!marks.length || marks[marks.length - 1]!.gap >= -OVERTAKE_MARGIN) marks.push({ n: changed, gap: goal.gap(last) });
  const top = marks[marks.length - 1]!;
  const bottom = marks.length > 1 ? marks[marks.length - 2]! : { n: 0, gap: gap0 };
  let lo = bottom.n;
  let gapLo = bottom.gap;
  let hi = top.n;
  let gapHi = top.gap;
  let near = last;
  let interpolate = true;
  while (hi - lo > 1) {
    const width = hi - lo;
    const t = (gapLo + OVERTAKE_MARGIN) / (gapLo - gapHi);
    const mid = interpolate && Number.isFinite(t) ? Math.min(hi - 1, Math.max(lo + 1, lo + Math.ceil(t * width))) : (lo + hi) >> 1;
    const g = model.fit(tableOf(cellsPc, prefix(counts, runs, mid)), opts, near);
    refits++;
    const gm = goal.gap(g);
    if (gm < -OVERTAKE_MARGIN) {
      hi = mid;
      gapHi = gm;
      near = g;
    } else {
      lo = mid;
      gapLo = gm;
    }
    interpolate = !interpolate || hi - lo <= width / 2;
  }
  let groups = groupsOf(runs, hi);
  // another route the linearisation cannot see: `below` without a single loss or tie (drop them, or flip them into
  // its wins) has no finite maximum-likelihood rating, and the ridge prior then sets it — for a model with few
  // battles that can be far cheaper
  if (action !== 'add') {
    const sweep = sweepGroups(cellsPc, counts, ib, action).filter((g) => !allowed || allowed(cellsPc, g.slot));
    const n = sweep.reduce((a, g) => a + g.n, 0);
    if (n > 0 && n < hi) {
      const g = model.fit(tableOf(cellsPc, countsWith(counts, sweep)), opts, fit);
      refits++;
      if (reached(g)) {
        groups = sweep;
        near = g;
      }
    }
  }
  // locally minimal: give votes back one at a time while the goal holds (each checked by an exact refit). For a
  // Bradley–Terry fit without pair weights aimed at one fixed pair, a group is not tried when the first-order rise
  // of the gap from one vote given back exceeds the lead left by 5% ({@link SCREEN}: its refit would fail, the
  // linearisation error of one vote being far smaller — 10⁻⁴ of the rise on the 5.78M-vote board; the brute-force
  // tests on boards of a few votes, where it is largest, check that no answer grows)
  const rise = goal.fixed && fit.kind === 'bt' && !opts.reweight ? riseOfOneBack(cellsPc, countsWith(counts, groups), thetaOf(near), priorOf(near), index.get(above)!, ib, groups, counted, f) : null;
  groups.forEach((grp, q) => {
    while (grp.n > 0 && refits < maxRefits) {
      if (rise && rise[q]! > SCREEN * -goal.gap(near)) break;
      grp.n--;
      const g = model.fit(tableOf(cellsPc, countsWith(counts, groups)), opts, near);
      refits++;
      if (reached(g)) {
        near = g;
        continue;
      }
      grp.n++;
      break;
    }
  });
  groups = groups.filter((g) => g.n > 0);
  const votes = groups.reduce((a, g) => a + g.n, 0);
  const best = model.fit(tableOf(cellsPc, countsWith(counts, groups)), opts, near);
  refits++;
  return { result: { ...base, votes, fraction: votes / fit.battles, gapAfter: goal.gap(best), firstOrder, changes: changesFrom(cellsPc, groups), refits }, after: best };
}

/** How rigged votes are cast: only in the target's own battles (each won by it), or in any battle. */
export type RigMode = 'target' | 'omnipresent';

/** The fewest rigged votes found that lift a model by `ranks` positions (see {@link riggingBudget}). */
export interface RiggingBudget extends Perturbation {
  readonly mode: RigMode;
  /** The model lifted. */
  readonly target: string;
  /** Positions to gain. */
  readonly ranks: number;
  /** The target's position now: 1 + the models rated strictly higher. */
  readonly position: number;
  /** Its position after the votes (exact refit); null when none were found (or the goal is above #1). */
  readonly positionAfter: number | null;
}

/** Position of `name` on a fit: 1 + the models rated strictly higher (Infinity when it is off the board). */
function positionOf(g: ModelFit, name: string): number {
  const v = g.models.indexOf(name);
  if (v < 0) return Number.POSITIVE_INFINITY;
  let ahead = 0;
  for (let u = 0; u < g.models.length; u++) if (u !== v && g.ratings[u]! > g.ratings[v]!) ahead++;
  return 1 + ahead;
}

/**
 * The rating (display points) of the model at position `p` among the models other than `target`, with its name:
 * the one `target` must overtake to stand at position `p` or better. O(m log m).
 */
function pthOther(g: ModelFit, target: string, p: number): { name: string; rating: number } | null {
  const others = g.models.map((name, v) => ({ name, rating: g.ratings[v]! })).filter((x) => x.name !== target);
  others.sort((x, y) => y.rating - x.rating || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return others[p - 1] ?? null;
}

/**
 * The rigging budget (issue 14; Min et al. 2025): the fewest new votes that lift `target` by `ranks` positions on
 * the board of `fit` (position: 1 + the models rated strictly higher), each answer confirmed by an exact refit of
 * the model the fit used. `target`: votes only in the target's own battles, each won by it (against whichever
 * opponents help most); `omnipresent`: decided votes in any pair of models (the target's own won by it or not).
 * The same greedy search with exact refits as {@link minimalPerturbation}, adding votes, with a goal that follows
 * the refits: at every round the model now at the goal position (`position − ranks` among the others) is the one to
 * overtake, so the first-order effects aim at its gap to the target. The count is verified and locally minimal (an
 * upper bound on the true minimum). The attacker here chooses its pairs; the what-if `rig` step casts votes in the
 * arena's traffic instead, where it must wait for them (more votes for the same lift).
 *
 * Cost: as {@link minimalPerturbation}: (rounds + log₂ votes + votes given back) warm refits.
 *
 * @throws InputError as {@link minimalPerturbation}, an unknown `target`, or `ranks` not a positive integer
 */
export function riggingBudget(fit: ModelFit, target: string, ranks: number, mode: RigMode, options: PerturbOptions = {}): RiggingBudget {
  checkFit(fit);
  if (!Number.isInteger(ranks) || ranks < 1) throw new InputError(`ranks must be a positive integer, got ${ranks}`, { field: 'ranks' });
  const t = fit.pairs.models.indexOf(target);
  if (t < 0) throw new InputError(`unknown model ${JSON.stringify(target)}`, { field: 'target' });
  const position = positionOf(fit, target);
  const goalAt = position - ranks;
  const head = { mode, target, ranks, position };
  if (goalAt < 1) {
    return { ...head, action: 'add', above: target, below: target, gap: 0, votes: null, fraction: null, gapAfter: null, firstOrder: null, changes: [], refits: 0, positionAfter: null };
  }
  const goal: Goal = {
    gap: (g) => {
      const r = g.models.indexOf(target);
      const x = pthOther(g, target, goalAt);
      return r < 0 || !x ? Number.POSITIVE_INFINITY : x.rating - g.ratings[r]!;
    },
    aim: (g) => [pthOther(g, target, goalAt)!.name, target],
    fixed: false,
  };
  // target-only: the target's wins, in cells where it is i (outcome 0) or j (outcome 1)
  const own = mode === 'target' ? (pc: PairCounts, s: number) => (s & 3) === (pc.i[s >> 2] === t ? 0 : pc.j[s >> 2] === t ? 1 : -1) : null;
  const { result, after } = search(fit, goal, 'add', own, options);
  return { ...head, ...result, positionAfter: after ? positionOf(after, target) : null };
}

/**
 * A binary min-heap of slots keyed by `key[slot]` (ties by slot): the search pops the cells with the most negative
 * effects in order without sorting all of them. O(n) to build, O(log n) a pop.
 */
class SlotHeap {
  private items: number[] = [];
  constructor(private readonly key: Float64Array) {}
  get size(): number {
    return this.items.length;
  }
  push(s: number): void {
    this.items.push(s);
  }
  private less(x: number, y: number): boolean {
    const a = this.key[x]!;
    const b = this.key[y]!;
    return a < b || (a === b && x < y);
  }
  private down(at: number): void {
    const h = this.items;
    const n = h.length;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= n) return;
      const c = l + 1 < n && this.less(h[l + 1]!, h[l]!) ? l + 1 : l;
      if (!this.less(h[c]!, h[at]!)) return;
      [h[c], h[at]] = [h[at]!, h[c]!];
      at = c;
    }
  }
  /** Orders the pushed slots into a heap (call once, after the pushes). */
  heapify(): void {
    for (let at = (this.items.length >> 1) - 1; at >= 0; at--) this.down(at);
  }
  /** The slot with the smallest key. */
  pop(): number {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      this.down(0);
    }
    return top;
  }
}

/** Most exact refits spent giving votes back (the search itself uses far fewer). */
const maxRefits = 400;

type Group = { slot: number; to: number; n: number };

/** The first `n` single-vote changes of `runs`, grouped by (cell outcome, target). */
function groupsOf(runs: readonly Group[], n: number): Group[] {
  const by = new Map<string, Group>();
  let left = n;
  for (const r of runs) {
    if (left <= 0) break;
    const take = Math.min(r.n, left);
    const key = `${r.slot}:${r.to}`;
    const x = by.get(key);
    if (x) x.n += take;
    else by.set(key, { slot: r.slot, to: r.to, n: take });
    left -= take;
  }
  return [...by.values()];
}

/** The counts after the changes of `groups`. */
function countsWith(counts: Float64Array, groups: readonly Group[]): Float64Array {
  const c = Float64Array.from(counts);
  for (const g of groups) if (g.n > 0) apply(c, g.slot, g.to, g.n);
  return c;
}

/** Every loss and tie of model `v` dropped, or flipped into its wins: the groups of that sweep. */
function sweepGroups(pc: PairCounts, counts: Float64Array, v: number, action: 'drop' | 'flip'): Group[] {
  const out: Group[] = [];
  for (let k = 0; k < pc.pairs; k++) {
    const first = pc.i[k] === v;
    if (!first && pc.j[k] !== v) continue;
    const win = first ? 0 : 1;
    for (let o = 0; o < 4; o++) {
      if (o === win || !(counts[4 * k + o]! > 0)) continue;
      out.push({ slot: 4 * k + o, to: action === 'drop' ? -1 : win, n: counts[4 * k + o]! });
    }
  }
  return out;
}

/** Removes (drop: to = −1), moves (flip: to the outcome `to`) or adds (to = ADD) `n` votes of slot `s`. */
function apply(c: Float64Array, s: number, to: number, n: number): void {
  if (to === ADD) {
    c[s]! += n;
    return;
  }
  c[s]! -= n;
  if (to >= 0) c[s - (s % 4) + to]! += n;
}

/** `pc` with a cell for every pair of models (i < j, in order), the pairs that never met at 0. O(m²). */
function everyPair(pc: PairCounts): PairCounts {
  const m = pc.models.length;
  const pairs = (m * (m - 1)) / 2;
  const i = new Int32Array(pairs);
  const j = new Int32Array(pairs);
  const w = [new Float64Array(pairs), new Float64Array(pairs), new Float64Array(pairs), new Float64Array(pairs)] as const;
  let k = 0;
  let q = 0;
  for (let x = 0; x < m; x++) {
    for (let y = x + 1; y < m; y++) {
      i[q] = x;
      j[q] = y;
      if (k < pc.pairs && pc.i[k] === x && pc.j[k] === y) {
        w[0][q] = pc.winsI[k]!;
        w[1][q] = pc.winsJ[k]!;
        w[2][q] = pc.ties[k]!;
        w[3][q] = pc.bothbad[k]!;
        k++;
      }
      q++;
    }
  }
  return { models: pc.models, pairs, i, j, winsI: w[0], winsJ: w[1], ties: w[2], bothbad: w[3] };
}

/** The counts after the first `n` single-vote changes of `runs`. */
function prefix(counts: Float64Array, runs: readonly { slot: number; to: number; n: number }[], n: number): Float64Array {
  const c = Float64Array.from(counts);
  let left = n;
  for (const r of runs) {
    if (left <= 0) break;
    const take = Math.min(r.n, left);
    apply(c, r.slot, r.to, take);
    left -= take;
  }
  return c;
}

/** The changes of `groups`, by (pair, outcome, target), largest first. */
function changesFrom(pc: PairCounts, groups: readonly Group[]): VoteChange[] {
  return [...groups]
    .sort((x, y) => y.n - x.n || x.slot - y.slot)
    .map(({ slot, to, n: count }) => {
      const k = slot >> 2;
      return { a: pc.models[pc.i[k]!]!, b: pc.models[pc.j[k]!]!, outcome: LABEL[slot & 3]!, count, ...(to >= 0 ? { to: LABEL[to]! } : {}) };
    });
}

/**
 * The first-order direction of Σ_k (θ_{above_k} − θ_below) at a fit: u = H⁻¹ Σ_k (e_{above_k} − e_below) over the
 * fit's model ids, H the centred Bradley–Terry information at the fit's ratings (ties half; tie models and covariate
 * fits approximated by it). One more vote of pair (i, j) with score y for i moves that sum by about
 * (y − p_ij)·(u_i − u_j): an attacker lowers it by letting j win when u_i > u_j (see {@link minimalPerturbation}).
 * Null when the information is not positive definite. O(pairs + m³).
 */
export function gapDirection(fit: ModelFit, above: readonly number[], below: number): Float64Array | null {
  if (fit.kind === 'elo') return null;
  const pc = fit.pairs;
  const m = pc.models.length;
  const f = pointsPerLogit(fit.options);
  const theta = Float64Array.from(fit.ratings, (x) => x / f);
  const h = centredInformation(btCells(pc, 'half'), theta, fit.kind === 'bt' || fit.kind === 'tie' ? fit.prior : 0);
  if (!choleskyInPlace(h, m)) return null;
  const u = new Float64Array(m);
  for (const k of above) {
    u[k]! += 1;
    u[below]! -= 1;
  }
  choleskySolveInPlace(h, m, u);
  return u;
}
