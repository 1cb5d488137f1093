/** Predictions of any fitted model of the family. */
import { expectedScore } from '../rating/predict.js';
import { pointsPerLogit } from '../rating/scale.js';
import { outcomeTerms } from '../rating/tie-models.js';
import type { ModelFit } from './types.js';

/**
 * Predicted expected score of model i against model j (P(i wins) + ½·P(tie)) under a fit: the logistic curve of
 * the rating gap for Elo and Bradley–Terry; the tie model's own outcome probabilities for Davidson and Rao–Kupper
 * (with style control: at equal style, the covariates' term 0). O(1).
 */
export function expectedScoreOf(fit: ModelFit, i: number, j: number): number {
  const o = fit.options;
  if (fit.kind === 'elo' || fit.kind === 'bt') return expectedScore(fit.ratings[i]!, fit.ratings[j]!, o);
  const outcome = fit.kind === 'tie' ? fit.tieModel : fit.outcome;
  const d = (fit.ratings[i]! - fit.ratings[j]!) / pointsPerLogit(o);
  if (outcome === 'half' || outcome === 'ignore') return expectedScore(fit.ratings[i]!, fit.ratings[j]!, o);
  const out = new Float64Array(6);
  outcomeTerms(outcome, d, fit.eta, 0, out);
  const win = Math.exp(out[0]!);
  outcomeTerms(outcome, d, fit.eta, 2, out);
  return win + 0.5 * Math.exp(out[0]!);
}
