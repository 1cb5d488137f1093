/**
 * Proper scoring of probabilistic predictions of a battle's outcome (A wins, B wins, tie), and the moving-block
 * bootstrap of paired loss differences over time.
 */
import { deriveRng } from '../rng.js';
import { quantileSorted } from './interval.js';

/**
 * Log-loss −ln P(observed) of a three-outcome prediction `p` = [P(A), P(B), P(tie)], outcome 0 = A, 1 = B, 2 = tie;
 * the probability is floored at 1e-15 so that a certain wrong prediction costs 34.5 nats, not infinity. O(1).
 */
export function logLoss3(p: ArrayLike<number>, outcome: number): number {
  return -Math.log(Math.max(p[outcome]!, 1e-15));
}

/**
 * Multi-class Brier score Σₖ (pₖ − yₖ)² over the three outcomes (Brier 1950, Monthly Weather Review 78:1–3): 0 for
 * a certain right prediction, 2 for a certain wrong one, 2/3 for the uniform prediction. O(1).
 */
export function brier3(p: ArrayLike<number>, outcome: number): number {
  let s = 0;
  for (let k = 0; k < 3; k++) {
    const d = p[k]! - (k === outcome ? 1 : 0);
    s += d * d;
  }
  return s;
}

/**
 * Accuracy of the most likely outcome: 1 when it is the observed one, split evenly among outcomes tied for the
 * largest probability (so a coin-flip prediction scores its expectation, not an arbitrary side). O(1).
 */
export function accuracy3(p: ArrayLike<number>, outcome: number): number {
  const top = Math.max(p[0]!, p[1]!, p[2]!);
  let n = 0;
  for (let k = 0; k < 3; k++) if (p[k] === top) n++;
  return p[outcome] === top ? 1 / n : 0;
}

/**
 * The decisive part q = P(A)/(P(A) + P(B)) of a prediction (the prediction of a battle known not to be a tie);
 * ½ when both are 0. O(1).
 */
export function decisiveProbability(p: ArrayLike<number>): number {
  const s = p[0]! + p[1]!;
  return s > 0 ? p[0]! / s : 0.5;
}

/** Binary log-loss −ln P(observed) of a prediction q = P(A) for a decisive outcome y (1 = A won, 0 = B won), floored as {@link logLoss3}. O(1). */
export function binaryLogLoss(q: number, y: number): number {
  return -Math.log(Math.max(y === 1 ? q : 1 - q, 1e-15));
}

/** Binary accuracy of q = P(A) for outcome y: 1 when the likelier side won, ½ at q = ½. O(1). */
export function binaryAccuracy(q: number, y: number): number {
  return q === 0.5 ? 0.5 : (q > 0.5) === (y === 1) ? 1 : 0;
}

/** A paired difference of mean losses with its block-bootstrap interval. */
export interface PairedDifference {
  /** Mean of x − y. */
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * Moving-block bootstrap (Künsch 1989, Ann. Statist. 17:1217–1241) interval of the mean of a time series `d` (the
 * per-battle loss differences of two systems): each round draws ⌈n/ℓ⌉ block starts uniformly from 0…n−ℓ, joins
 * the blocks of length ℓ and keeps the first n values; the interval is the percentile interval of the rounds' means.
 * Blocks keep the dependence of nearby battles (both systems learn from the same recent votes). Block sums come
 * from prefix sums, so a round costs O(n/ℓ). Round r draws from `deriveRng(seed, 'block-bootstrap', r)`, so the
 * result depends on the seed only (never on threads or call order); the same seed gives every pair of systems the
 * same blocks. O(n + rounds·n/ℓ).
 *
 * @param block block length ℓ (1 = the ordinary bootstrap); capped at n
 */
export function blockBootstrapMean(d: Float64Array, block: number, rounds: number, level: number, seed: string | number): PairedDifference {
  return blockBootstrapMeans([d], block, rounds, level, seed)[0]!;
}

/** Block starts drawn and sorted per batch of rounds in {@link blockBootstrapMeans} (2²¹: 24 MiB of scratch). */
const BOOTSTRAP_BATCH_DRAWS = 1 << 21;

/**
 * {@link blockBootstrapMean} of several series of one length at once, every series resampled with the same blocks
 * in each round (so each result equals its own {@link blockBootstrapMean} call, at the cost of one set of draws).
 * O(series · (n + rounds·n/ℓ)) plus O(n) per batch of 2²¹ block starts for their counting sort.
 */
export function blockBootstrapMeans(series: readonly Float64Array[], block: number, rounds: number, level: number, seed: string | number): PairedDifference[] {
  const n = series[0]?.length ?? 0;
  if (series.some((d) => d.length !== n)) throw new Error('blockBootstrapMeans: series of different lengths');
  if (n === 0) return series.map(() => ({ mean: Number.NaN, lower: Number.NaN, upper: Number.NaN }));
  // prefix sums interleaved, P[t·S + s] = Σ_{u<t} series[s][u]: a block's S sums read two runs of S neighbours
  const S = series.length;
  const P = new Float64Array((n + 1) * S);
  for (let s = 0; s < S; s++) {
    const d = series[s]!;
    let acc = 0;
    for (let t = 0; t < n; t++) {
      acc += d[t]!;
      P[(t + 1) * S + s] = acc;
    }
  }
  const means = series.map((_, s) => P[n * S + s]! / n);
  if (rounds <= 0) return means.map((mean) => ({ mean, lower: Number.NaN, upper: Number.NaN }));
  const l = Math.max(1, Math.min(block, n));
  const starts = n - l + 1;
  const full = Math.floor(n / l);
  const rest = n - full * l;
  const draws = series.map(() => new Float64Array(rounds));
  // Rounds in batches: a batch's block starts (round r's from deriveRng(seed, 'block-bootstrap', r), in draw order,
  // exactly as one round at a time would draw them) are sorted by start (a counting sort), so the prefix sums are
  // read in increasing order — near-sequential reads of P instead of one cache miss per block (the series of a
  // million battles hold ~100 MB of prefix sums) — and each block's sums go to its round's accumulators.
  const perRound = full + (rest > 0 ? 1 : 0);
  const batch = Math.max(1, Math.min(rounds, Math.floor(BOOTSTRAP_BATCH_DRAWS / perRound)));
  const du = new Int32Array(batch * perRound);
  const tag = new Int32Array(batch * perRound);
  // the tags (2·round + last-block flag) bucketed by start: bucket u is sorted[end(u − 1) … end(u)]
  const sorted = new Int32Array(batch * perRound);
  const end = new Int32Array(starts + 1);
  const acc = new Float64Array(batch * S);
  for (let r0 = 0; r0 < rounds; r0 += batch) {
    const nb = Math.min(batch, rounds - r0);
    let k = 0;
    for (let b = 0; b < nb; b++) {
      const rng = deriveRng(seed, 'block-bootstrap', r0 + b);
      for (let q = 0; q < perRound; q++) {
        du[k] = Math.floor(rng() * starts);
        tag[k] = 2 * b + (q < full ? 0 : 1);
        k++;
      }
    }
    end.fill(0);
    for (let i = 0; i < k; i++) end[du[i]! + 1]!++;
    for (let u = 0; u < starts; u++) end[u + 1]! += end[u]!;
    for (let i = 0; i < k; i++) sorted[end[du[i]!]!++] = tag[i]!;
    acc.fill(0);
    let pos = 0;
    for (let u = 0; u < starts; u++) {
      const stop = end[u]!;
      if (pos === stop) continue;
      const lo = u * S;
      for (; pos < stop; pos++) {
        const t = sorted[pos]!;
        const hi = (u + ((t & 1) === 0 ? l : rest)) * S;
        const out = (t >> 1) * S;
        for (let s = 0; s < S; s++) acc[out + s]! += P[hi + s]! - P[lo + s]!;
      }
    }
    for (let b = 0; b < nb; b++) for (let s = 0; s < S; s++) draws[s]![r0 + b] = acc[b * S + s]! / n;
  }
  const alpha = (1 - level) / 2;
  return draws.map((x, s) => {
    x.sort();
    return { mean: means[s]!, lower: quantileSorted(x, alpha), upper: quantileSorted(x, 1 - alpha) };
  });
}

/** The default block length ⌈n^{1/3}⌉ (the order that minimises the mean squared error of a block-bootstrap variance; Hall, Horowitz & Jing 1995). */
export function defaultBlock(n: number): number {
  return Math.max(1, Math.ceil(Math.cbrt(n)));
}
