/**
 * Battle weights for the likelihood models on pair cells: per-row weights (the optional `weight` field) and
 * LMArena's inverse pair-frequency weights (`--reweight pairs`, arena-rank since 2025-07-23), combined by
 * multiplication. The fit maximises the weighted log-likelihood Σ w·ℓ; the sandwich's meat uses Σ w² per cell;
 * the bootstrap resamples battle counts and keeps each cell's weight (docs/methods.md, "Weights").
 */
import type { PairCounts } from './aggregate.js';

/** LMArena's floor of the pair count: a battle of pair {A, B} weighs 1/max(n_AB, 50). */
export const DEFAULT_REWEIGHT_FLOOR = 50;

/**
 * The weights of a fit applied to pair counts: the per-row weights already summed per cell (`pc.weight`, if any)
 * times, under `reweight`, the pair weight 1/max(n_AB, floor) with n_AB the battles of the unordered pair in `pc`
 * (counts, not weights); then scaled so that the weights average 1 over battles (Σ w·c = N, so a ridge prior keeps
 * its meaning and the weighted mean log-likelihood is Σ w·ℓ / N). Returns `pc` itself when nothing is weighted.
 * O(pairs).
 *
 * @param reweight `{ floor }` for pair reweighting (floor > 0), or null/undefined
 */
export function applyWeights(pc: PairCounts, reweight: { readonly floor: number } | null | undefined): PairCounts {
  if (!reweight && !pc.weight) return pc;
  const weight = new Float64Array(4 * pc.pairs);
  const weight2 = new Float64Array(4 * pc.pairs);
  let battles = 0;
  let total = 0;
  for (let k = 0; k < pc.pairs; k++) {
    const n = pc.winsI[k]! + pc.winsJ[k]! + pc.ties[k]! + pc.bothbad[k]!;
    battles += n;
    const pw = reweight ? 1 / Math.max(n, reweight.floor) : 1;
    for (let o = 0; o < 4; o++) {
      const q = 4 * k + o;
      const c = o === 0 ? pc.winsI[k]! : o === 1 ? pc.winsJ[k]! : o === 2 ? pc.ties[k]! : pc.bothbad[k]!;
      weight[q] = pw * (pc.weight ? pc.weight[q]! : c);
      weight2[q] = pw * pw * (pc.weight2 ? pc.weight2[q]! : c);
      total += weight[q]!;
    }
  }
  const scale = total > 0 ? battles / total : 1;
  for (let q = 0; q < weight.length; q++) {
    weight[q]! *= scale;
    weight2[q]! *= scale * scale;
  }
  return { ...pc, weight, weight2 };
}

/** Pair counts whose counts are the cells' Σw (what a weighted fit sees); `pc` itself when unweighted. O(pairs). */
export function weightedCounts(pc: PairCounts): PairCounts {
  return pc.weight ? momentCounts(pc, pc.weight) : pc;
}

/** Pair counts whose counts are the cells' Σw² (the sandwich's meat); `pc` itself when unweighted. O(pairs). */
export function squaredCounts(pc: PairCounts): PairCounts {
  return pc.weight2 ? momentCounts(pc, pc.weight2) : pc;
}

function momentCounts(pc: PairCounts, w: Float64Array): PairCounts {
  const K = pc.pairs;
  const winsI = new Float64Array(K);
  const winsJ = new Float64Array(K);
  const ties = new Float64Array(K);
  const bothbad = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    winsI[k] = w[4 * k]!;
    winsJ[k] = w[4 * k + 1]!;
    ties[k] = w[4 * k + 2]!;
    bothbad[k] = w[4 * k + 3]!;
  }
  return { models: pc.models, pairs: K, i: pc.i, j: pc.j, winsI, winsJ, ties, bothbad };
}

/**
 * The mean weight of a battle of each (pair, outcome) cell, Σw/c (1 where a cell is empty), four per pair as
 * `pc.weight`; null when unweighted. What a bootstrap round multiplies its resampled counts by. O(pairs).
 */
export function cellMeanWeights(pc: PairCounts): Float64Array | null {
  if (!pc.weight) return null;
  const out = new Float64Array(4 * pc.pairs);
  for (let k = 0; k < pc.pairs; k++) {
    for (let o = 0; o < 4; o++) {
      const c = o === 0 ? pc.winsI[k]! : o === 1 ? pc.winsJ[k]! : o === 2 ? pc.ties[k]! : pc.bothbad[k]!;
      out[4 * k + o] = c > 0 ? pc.weight[4 * k + o]! / c : 1;
    }
  }
  return out;
}
