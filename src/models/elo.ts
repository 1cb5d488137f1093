/** Online Elo (FastChat `compute_elo`) as a member of the rating-model family. */
import { type BattleTable, timestampOrder } from '../data/table.js';
import { UsageError } from '../errors.js';
import { btCells, btLogLikelihood } from '../rating/bradley-terry.js';
import { replayElo } from '../rating/elo.js';
import { pointsPerLogit } from '../rating/scale.js';
import { fitBase, fittedData } from './common.js';
import type { EloModelFit, ModelOptions, RatingModel } from './types.js';

/**
 * Online Elo: battles replayed in input order (`--sort tstamp` to replay by time), K = `k`, both tie labels
 * scoring ½ (`ties: 'half'`) or skipped (`ignore`). No likelihood, so no sandwich: its intervals come from the
 * bootstrap (battles resampled and replayed in their original order, so the rounds vary the estimator the point
 * is; FastChat replays them in random order, see `EloBootstrapJob`). `fit.logLikelihood` is the mean
 * Bradley–Terry log-likelihood of the Elo ratings (ties half), so fits can be compared. O(battles).
 */
export const elo: RatingModel = Object.freeze({
  name: 'elo',
  likelihood: false,
  fit(input: BattleTable, opts: ModelOptions): EloModelFit {
    if (opts.ties !== 'half' && opts.ties !== 'ignore') throw new UsageError('tie models (--ties davidson|rao-kupper) need --method bt');
    const d = fittedData(input, opts);
    const ratings = replayElo(d.table, { ...opts, ties: opts.ties });
    const cells = btCells(d.pairs, opts.ties);
    const f = pointsPerLogit(opts);
    const theta = Float64Array.from(ratings, (r) => r / f);
    let comparisons = 0;
    for (let k = 0; k < cells.pairs; k++) comparisons += cells.n[k]!;
    const ll = comparisons ? btLogLikelihood(cells, theta) / comparisons : 0;
    return { kind: 'elo', ...fitBase(d, ratings, opts, { converged: true, iterations: 1, logLikelihood: ll }, eloOrderWarnings(d.table)) };
  },
});

/**
 * Plain warnings when the replay order of online Elo is not a time order, so its ratings depend on an arbitrary
 * order: rows with `count` > 1 (their battles replay back to back), battles without timestamps, or timestamps out
 * of order (input read without `--sort tstamp`). Each names the way out. O(rows).
 */
export function eloOrderWarnings(t: BattleTable): string[] {
  const out: string[] = [];
  const after = (sortInput: boolean) =>
    `online Elo depends on the order it replays battles in: use Bradley–Terry (the default, order-free), or measure the spread over orderings with arena stability --method elo --orderings 100${sortInput ? ' --sort input' : ''}.`;
  let counted = 0;
  for (let i = 0; i < t.rows; i++) if (t.count[i]! > 1) counted++;
  if (counted > 0) out.push(`${counted.toLocaleString('en-US')} of ${t.rows.toLocaleString('en-US')} rows carry a count > 1, so their battles replay back to back in file order, not in time order; ${after(!t.tstamp)}`);
  if (counted > 0) return out; // one warning is enough
  const { missing, backwards } = timestampOrder(t);
  if (missing === t.rows && t.rows > 0) out.push(`The battles have no timestamps, so online Elo replays them in file order, which may not be time order; ${after(true)}`);
  else if (missing > 0) out.push(`${missing.toLocaleString('en-US')} of ${t.rows.toLocaleString('en-US')} battles have no timestamp, so online Elo replays them in file order; ${after(true)}`);
  else if (backwards > 0) out.push(`The battles are not in time order (${backwards.toLocaleString('en-US')} step${backwards === 1 ? '' : 's'} back in tstamp): replay them by time with --sort tstamp; ${after(false)}`);
  return out;
}
