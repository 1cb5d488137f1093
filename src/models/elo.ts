/** Online Elo (FastChat `compute_elo`) as a member of the rating-model family. */
import type { BattleTable } from '../data/table.js';
import { UsageError } from '../errors.js';
import { btCells, btLogLikelihood } from '../rating/bradley-terry.js';
import { replayElo } from '../rating/elo.js';
import { pointsPerLogit } from '../rating/scale.js';
import { fitBase, fittedData } from './common.js';
import type { EloModelFit, ModelOptions, RatingModel } from './types.js';

/**
 * Online Elo: battles replayed in input order (`--sort tstamp` to replay by time), K = `k`, both tie labels
 * scoring ½ (`ties: 'half'`) or skipped (`ignore`). No likelihood, so no sandwich: its intervals come from the
 * bootstrap (rows resampled and replayed in the resampled order, as FastChat). `fit.logLikelihood` is the mean
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
    return { kind: 'elo', ...fitBase(d, ratings, opts, { converged: true, iterations: 1, logLikelihood: ll }, []) };
  },
});
