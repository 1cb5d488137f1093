/** Steps every model of the family shares: the data as fitted, the degenerate-data prior policy, the anchor. */
import { aggregatePairs, modelTotals, type ModelTotals, type PairCounts } from '../data/aggregate.js';
import { applyWeights } from '../data/weights.js';
import { filterRows, type BattleTable } from '../data/table.js';
import { InputError } from '../errors.js';
import { type BtCells, fitAgainstFixed } from '../rating/bradley-terry.js';
import { analyseGraph, type GraphStructure } from '../rating/graph.js';
import { anchorShift } from '../rating/scale.js';
import { AUTO_PRIOR, type FitBase, type FitInfo, type ModelOptions } from './types.js';

const list = (names: string[], max = 5) =>
  names.length <= max ? names.map((n) => JSON.stringify(n)).join(', ') : `${names.slice(0, max).map((n) => JSON.stringify(n)).join(', ')} and ${names.length - max} more`;

/** Plain-sentence warnings about a comparison graph on which the maximum-likelihood estimate does not exist. O(pairs + m). */
export function graphWarnings(models: readonly string[], cells: BtCells, g: GraphStructure): string[] {
  const out: string[] = [];
  if (g.parts > 1) {
    const sizes = new Map<number, number>();
    for (let v = 0; v < cells.m; v++) sizes.set(g.part[v]!, (sizes.get(g.part[v]!) ?? 0) + 1);
    out.push(
      `The comparison graph falls into ${g.parts} disconnected parts (sizes ${[...sizes.values()].sort((a, b) => b - a).join(', ')}): ratings in different parts are not comparable.`,
    );
  }
  const scored = new Float64Array(cells.m);
  const played = new Float64Array(cells.m);
  for (let k = 0; k < cells.pairs; k++) {
    scored[cells.i[k]!]! += cells.s[k]!;
    scored[cells.j[k]!]! += cells.n[k]! - cells.s[k]!;
    played[cells.i[k]!]! += cells.n[k]!;
    played[cells.j[k]!]! += cells.n[k]!;
  }
  const never = (pred: (v: number) => boolean) => models.filter((_, v) => played[v]! > 0 && pred(v));
  const noLoss = never((v) => scored[v] === played[v]);
  const noWin = never((v) => scored[v] === 0);
  const unplayed = models.filter((_, v) => played[v] === 0);
  if (noLoss.length) out.push(`${list(noLoss)} never lost: the maximum-likelihood rating is +infinity.`);
  if (noWin.length) out.push(`${list(noWin)} never won: the maximum-likelihood rating is −infinity.`);
  if (unplayed.length) out.push(`${list(unplayed)} took part in no counted battle (only ties, which are ignored).`);
  if (g.parts === 1 && !noLoss.length && !noWin.length && !unplayed.length && g.groups > 1) {
    out.push(`The models split into ${g.groups} groups with no win from a lower group over a higher one: the maximum-likelihood ratings do not exist.`);
  }
  return out;
}

/** Drops the `tie (bothbad)` battles of a table (`--both-bad ignore`). O(rows). */
export function dropBothBad(t: BattleTable): BattleTable {
  for (let r = 0; r < t.rows; r++) if (t.outcome[r] === 3) return filterRows(t, (row) => t.outcome[row] !== 3);
  return t;
}

/** The battles as a model fits them, aggregated: both-bad dropped under `--both-bad ignore`. O(rows). */
export interface FittedData {
  readonly table: BattleTable;
  readonly pairs: PairCounts;
  readonly totals: ModelTotals;
  readonly battles: number;
}

/**
 * {@link FittedData} of a table under the options' both-bad policy, with the battles' weights in `pairs` (per-row
 * `weight` and `--reweight pairs`, see `applyWeights`; pair weights from this table's own counts). O(rows + pairs).
 * @throws InputError for per-row weights with online Elo (a weighted online update has no agreed meaning)
 */
export function fittedData(input: BattleTable, opts: Pick<ModelOptions, 'bothBad' | 'reweight'> & Partial<Pick<ModelOptions, 'method'>>): FittedData {
  if (input.weight && opts.method === 'elo') {
    throw new InputError('per-row weights are supported by the likelihood models (--method bt, with any --ties, --style-control or --covariate); online Elo has no weighted form (a weight would scale K for one update, which no reference defines, and its bootstrap replays rows)', { field: 'weight' });
  }
  const table = opts.bothBad === 'ignore' ? dropBothBad(input) : input;
  const pairs = applyWeights(aggregatePairs(table), opts.reweight);
  return { table, pairs, totals: modelTotals(pairs), battles: table.battles };
}

/**
 * The ridge prior of a likelihood fit, and the warnings about the data: with `prior: 'auto'` λ = 0 when the
 * maximum-likelihood estimate exists (the "scored against" graph `cells` is strongly connected, Hunter 2004) and
 * {@link AUTO_PRIOR} otherwise; warnings name the models and parts concerned. O(pairs + m).
 *
 * @throws InputError when the data has no maximum-likelihood estimate and the prior is explicitly 0
 */
export function resolvePrior(models: readonly string[], cells: BtCells, prior: number | 'auto'): { prior: number; warnings: string[] } {
  const graph = analyseGraph(cells);
  const warnings: string[] = [];
  const lambda = prior === 'auto' ? (graph.groups > 1 ? AUTO_PRIOR : 0) : prior;
  if (graph.groups > 1) {
    warnings.push(...graphWarnings(models, cells, graph));
    if (lambda === 0) throw new InputError(`the maximum-likelihood ratings do not exist for these battles (${warnings[0]}) — use --prior with a positive value`, {});
    warnings.push(
      `${prior === 'auto' ? `A ridge prior (λ = ${lambda}, --prior)` : `The ridge prior (λ = ${lambda})`} keeps every rating finite; the ratings of the models named above are set mostly by the prior.`,
    );
  }
  if (cells.m === 1) warnings.push('Only one model: its rating is the initial rating.');
  return { prior: Math.max(lambda, 0), warnings };
}

/**
 * Anchors display ratings in place (`--anchor M=R`: every rating shifted so that M has R) and returns the shift.
 * @throws InputError (field `--anchor`) when the anchor model is not in the battles
 */
export function applyAnchor(models: readonly string[], ratings: Float64Array, opts: Pick<ModelOptions, 'anchor'>): number {
  let shift: number;
  try {
    shift = anchorShift(models, ratings, opts.anchor);
  } catch (e) {
    throw new InputError((e as Error).message, { field: '--anchor' });
  }
  for (let v = 0; v < ratings.length; v++) ratings[v]! += shift;
  return shift;
}

/**
 * The part every fit shares ({@link FitBase}): the display ratings — anchored here, in place — with the data as
 * fitted, the diagnostics and the options. Each model adds its `kind` and its own parameters. O(m).
 *
 * @param ratings display-scale ratings before the anchor (modified in place)
 * @throws InputError when the anchor model is not in the battles
 */
export function fitBase(d: FittedData, ratings: Float64Array, opts: ModelOptions, fit: FitInfo, warnings: string[]): FitBase {
  const shift = applyAnchor(d.table.models, ratings, opts);
  return { models: d.table.models, ratings, fit, warnings, ...d, shift, options: opts };
}

/**
 * Starting strengths for a warm start: `start`'s natural-scale strengths matched to `models` by name; a model
 * `start` does not have (a debut) starts at its one-dimensional estimate against the matched ones
 * (`fitAgainstFixed` on its Bradley–Terry cells, ties half), or 0 without such votes. Undefined without a start.
 * O(m + pairs).
 */
export function warmTheta(
  models: readonly string[],
  start: { readonly models: readonly string[]; readonly theta: Float64Array } | undefined,
  cells: BtCells,
): Float64Array | undefined {
  if (!start) return undefined;
  const at = new Map<string, number>();
  start.models.forEach((name, v) => at.set(name, v));
  const known = new Uint8Array(models.length);
  const theta = Float64Array.from(models, (name, v) => {
    const u = at.get(name);
    if (u === undefined) return 0;
    known[v] = 1;
    return start.theta[u]!;
  });
  for (let v = 0; v < models.length; v++) {
    if (known[v]) continue;
    const n: number[] = [];
    const s: number[] = [];
    const phi: number[] = [];
    for (let k = 0; k < cells.pairs; k++) {
      const i = cells.i[k]!;
      const j = cells.j[k]!;
      if ((i === v && known[j]) || (j === v && known[i])) {
        n.push(cells.n[k]!);
        s.push(i === v ? cells.s[k]! : cells.n[k]! - cells.s[k]!);
        phi.push(theta[i === v ? j : i]!);
      }
    }
    theta[v] = fitAgainstFixed(n, s, phi);
  }
  return theta;
}
