import type { ScaleOptions } from './scale.js';

/**
 * Expected score (win probability, ties counting half) of a model rated `ra` against one rated `rb`:
 * `1 / (1 + base^((rb − ra)/scale))`, the Elo / Bradley–Terry logistic curve.
 * @example expectedScore(1100, 1000, { scale: 400, base: 10, initial: 1000 }) // 0.6400649998028851
 */
export function expectedScore(ra: number, rb: number, s: Pick<ScaleOptions, 'scale' | 'base'>): number {
  return 1 / (1 + Math.pow(s.base, (rb - ra) / s.scale));
}

/** Logistic function σ(x) = 1/(1+e^−x), computed without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log σ(x), stable for large |x| (−softplus(−x)). */
export function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}
