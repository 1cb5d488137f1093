/** Predictions of any fitted model of the family. */
import { expectedScore } from '../rating/predict.js';
import { pointsPerLogit } from '../rating/scale.js';
import { outcomeTerms } from '../rating/tie-models.js';
import type { ModelFit } from './types.js';

/**
 * Predicted expected score (P(win) + ½·P(tie)) of a model rated `gap` display points above its opponent, under a
 * fit's outcome law: the logistic curve for Elo and Bradley–Terry (ties half or ignored); the tie model's own
 * outcome probabilities for Davidson and Rao–Kupper at the fitted tie parameter (with style control: at equal
 * style, the covariates' term 0). Increasing in `gap`, and score(−gap) = 1 − score(gap). O(1).
 */
export function expectedScoreAtGap(fit: ModelFit, gap: number): number {
  const o = fit.options;
  if (fit.kind === 'elo' || fit.kind === 'bt') return expectedScore(gap, 0, o);
  const outcome = fit.kind === 'tie' ? fit.tieModel : fit.outcome;
  if (outcome === 'half' || outcome === 'ignore') return expectedScore(gap, 0, o);
  const d = gap / pointsPerLogit(o);
  const out = new Float64Array(6);
  outcomeTerms(outcome, d, fit.eta, 0, out);
  const win = Math.exp(out[0]!);
  outcomeTerms(outcome, d, fit.eta, 2, out);
  return win + 0.5 * Math.exp(out[0]!);
}

/** Predicted expected score of model i against model j under a fit: {@link expectedScoreAtGap} of their gap. O(1). */
export function expectedScoreOf(fit: ModelFit, i: number, j: number): number {
  return expectedScoreAtGap(fit, fit.ratings[i]! - fit.ratings[j]!);
}
