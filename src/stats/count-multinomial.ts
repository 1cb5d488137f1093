import type { Rng } from '../rng.js';
import { logGamma } from './binomial.js';

/** One Poisson(μ) law tabulated for inversion: its CDF from `lo` on, and a guide table into it. */
interface PoissonTable {
  readonly lo: number;
  readonly cdfStart: number;
  readonly length: number;
  readonly guideStart: number;
  readonly guideSize: number;
  /** Its number in the plan's per-law arrays. */
  readonly law: number;
}

/**
 * A multinomial law over cells with non-negative integer counts as weights, prepared for a fixed number of draws
 * `n` (the bootstrap draws n = Σ counts battles every round). See {@link countMultinomialInto}.
 */
export interface CountMultinomialPlan {
  readonly cells: number;
  /** Number of draws n. */
  readonly n: number;
  /** Poisson intensity λ ≤ n of the first stage (0 when n is small: then every draw is a fix-up draw). */
  readonly lambda: number;
  /** Counts of at least `block` are drawn as ⌊w/block⌋ Poisson(λ·block/W) blocks plus the remainder. */
  readonly block: number;
  /** Positive cells, in order. */
  readonly index: Int32Array;
  /** Cells with count 0, in order (never drawn). */
  readonly zeros: Int32Array;
  /**
   * Per positive cell, the tabulated law of its remainder w mod block: 1 + its number in the per-law arrays below, or
   * 0 when the remainder is 0 (two bytes a cell: cells with the same count share a law, and there are at most
   * `block` of them; four bytes for a `block` of 65,535 or more).
   */
  readonly law: Uint16Array | Int32Array;
  /** Per tabulated law: CDF start, lowest value, number of values, guide start, guide size (few, read from cache). */
  readonly cdfStart: Int32Array;
  readonly lo: Int32Array;
  readonly size: Int32Array;
  readonly guideStart: Int32Array;
  readonly guideSize: Int32Array;
  /** Cells with w ≥ block (positions in `index`) and their number of blocks. */
  readonly bigCells: Int32Array;
  readonly bigBlocks: Int32Array;
  /** The block's table (CDF start, lowest value, guide start, guide size, number of values), empty when no count reaches `block`. */
  readonly blockTable: Int32Array;
  /** Flat tables: every CDF followed by a +∞ sentinel, and every guide table. */
  readonly cdf: Float64Array;
  readonly guide: Int32Array;
  /** Walker alias table over the positive cells (probability w/W): acceptance probability and alias. */
  readonly aliasProb: Float64Array;
  readonly alias: Int32Array;
}

/** Options of {@link prepareCountMultinomial} (defaults are the measured fastest; any values give the same law). */
export interface CountMultinomialOptions {
  /** λ = max(0, n − z·√n): the expected number of fix-up draws is about z·√n, a first-stage redraw has odds ≈ Φ(−z). Default 4. */
  readonly z?: number;
  /** Counts of at least this many are split into blocks (bounds the table memory to O(block²)). Default 1024. */
  readonly block?: number;
}

/**
 * Prepares {@link countMultinomialInto}: one tabulated Poisson law per distinct count (mod `block`) with a guide
 * table, and a Walker alias table over the cells. O(cells + Σ over distinct counts of (μ + 10√μ)) time and memory,
 * at most O(cells + block²).
 *
 * @param counts non-negative integer weights (the observed counts of the cells); at least one positive
 * @param n number of draws every call will make (non-negative integer)
 * @throws RangeError when a count is not a non-negative integer, all are zero, or n is not a non-negative integer
 */
export function prepareCountMultinomial(counts: ArrayLike<number>, n: number, opts: CountMultinomialOptions = {}): CountMultinomialPlan {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`prepareCountMultinomial requires a non-negative integer n, got ${n}`);
  const z = opts.z ?? 4;
  const block = opts.block ?? 1024;
  if (!(z >= 0) || !(Number.isInteger(block) && block >= 1)) throw new RangeError('prepareCountMultinomial: z must be ≥ 0 and block a positive integer');
  const idx: number[] = [];
  const zeros: number[] = [];
  let W = 0;
  for (let c = 0; c < counts.length; c++) {
    const w = counts[c]!;
    if (!(Number.isSafeInteger(w) && w >= 0)) throw new RangeError(`prepareCountMultinomial requires non-negative integer counts, got ${w} at ${c}`);
    if (w > 0) idx.push(c);
    else zeros.push(c);
    W += w;
  }
  if (idx.length === 0) throw new RangeError('prepareCountMultinomial requires a positive count');
  const lambda = Math.max(0, n - z * Math.sqrt(n));
  const C = idx.length;
  const cdfParts: Float64Array[] = [];
  const guideParts: Int32Array[] = [];
  let cdfLen = 0;
  let guideLen = 0;
  const tables = new Map<number, PoissonTable>();
  const laws: PoissonTable[] = [];
  const tableOf = (w: number): PoissonTable => {
    let t = tables.get(w);
    if (t) return t;
    const { lo, cdf, guide } = poissonTable((lambda * w) / W);
    t = { lo, cdfStart: cdfLen, length: cdf.length - 1, guideStart: guideLen, guideSize: guide.length, law: laws.length };
    laws.push(t);
    cdfParts.push(cdf);
    guideParts.push(guide);
    cdfLen += cdf.length;
    guideLen += guide.length;
    tables.set(w, t);
    return t;
  };
  const law = block < 65535 ? new Uint16Array(C) : new Int32Array(C);
  const big: number[] = [];
  const bigBlocks: number[] = [];
  if (lambda > 0) {
    for (let q = 0; q < C; q++) {
      const w = counts[idx[q]!]!;
      const r = w % block;
      if (w >= block) {
        big.push(q);
        bigBlocks.push((w - r) / block);
      }
      if (r > 0) law[q] = tableOf(r).law + 1;
    }
  }
  const bt = big.length ? tableOf(block) : null;
  const cdf = new Float64Array(cdfLen);
  const guide = new Int32Array(guideLen);
  let o = 0;
  for (const p of cdfParts) cdf.set(p, (o += p.length) - p.length);
  o = 0;
  for (const p of guideParts) guide.set(p, (o += p.length) - p.length);
  const { prob, alias } = walkerAlias(idx.map((c) => counts[c]!));
  return {
    cells: counts.length,
    n,
    lambda,
    block,
    index: Int32Array.from(idx),
    zeros: Int32Array.from(zeros),
    law,
    cdfStart: Int32Array.from(laws, (l) => l.cdfStart),
    lo: Int32Array.from(laws, (l) => l.lo),
    guideStart: Int32Array.from(laws, (l) => l.guideStart),
    size: Int32Array.from(laws, (l) => l.length),
    guideSize: Int32Array.from(laws, (l) => l.guideSize),
    bigCells: Int32Array.from(big),
    bigBlocks: Int32Array.from(bigBlocks),
    blockTable: bt ? Int32Array.of(bt.cdfStart, bt.lo, bt.guideStart, bt.guideSize, bt.length) : new Int32Array(0),
    cdf,
    guide,
    aliasProb: prob,
    alias,
  };
}

/**
 * Tabulates Poisson(μ) on [lo, hi] with lo = max(0, ⌊μ − 10√μ − 20⌋), hi = ⌈μ + 10√μ + 20⌉ (the mass outside is
 * below 1e−20): pmf from the mode by the ratio recurrence, its running sum (the CDF) followed by a +∞ sentinel,
 * and a guide table g[k] = min{x : F(x) > k/G} with G = {@link GUIDE_PER_VALUE} × the table length (the guide
 * only shortens the search: the value drawn for a uniform is the same for any G). O(μ + 10√μ).
 */
/**
 * Guide entries per tabulated value: with 4, a draw's search from its guide entry almost never moves, so its branch
 * is predictable (a guide as long as the table left about one unpredictable step a draw: ~25% slower bootstrap
 * rounds at 1,000 models).
 */
const GUIDE_PER_VALUE = 4;

function poissonTable(mu: number): { lo: number; cdf: Float64Array; guide: Int32Array } {
  const sd = Math.sqrt(mu);
  const lo = Math.max(0, Math.floor(mu - 10 * sd - 20));
  const hi = Math.ceil(mu + 10 * sd + 20);
  const L = hi - lo + 1;
  const p = new Float64Array(L);
  const mode = Math.floor(mu);
  p[mode - lo] = Math.exp(-mu + (mode > 0 ? mode * Math.log(mu) : 0) - logGamma(mode + 1));
  for (let x = mode + 1; x <= hi; x++) p[x - lo] = (p[x - lo - 1]! * mu) / x;
  for (let x = mode - 1; x >= lo; x--) p[x - lo] = (p[x - lo + 1]! * (x + 1)) / mu;
  const cdf = new Float64Array(L + 1);
  let s = 0;
  for (let k = 0; k < L; k++) cdf[k] = s += p[k]!;
  cdf[L] = Number.POSITIVE_INFINITY;
  const G = GUIDE_PER_VALUE * L;
  const guide = new Int32Array(G);
  let k = 0;
  for (let g = 0; g < G; g++) {
    while (k < L && !(cdf[k]! > g / G)) k++;
    guide[g] = k;
  }
  return { lo, cdf, guide };
}

/** Walker's alias table (Vose's construction) for probabilities ∝ `w`. O(cells). */
function walkerAlias(w: number[]): { prob: Float64Array; alias: Int32Array } {
  const C = w.length;
  const total = w.reduce((a, b) => a + b, 0);
  const prob = new Float64Array(C);
  const alias = new Int32Array(C);
  const scaled = w.map((x) => (x * C) / total);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((x, q) => (x < 1 ? small : large).push(q));
  while (small.length && large.length) {
    const s = small.pop()!;
    const l = large[large.length - 1]!;
    prob[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    if (scaled[l]! < 1) small.push(large.pop()!);
  }
  for (const q of large) (prob[q] = 1), (alias[q] = q);
  for (const q of small) (prob[q] = 1), (alias[q] = q);
  return { prob, alias };
}

/**
 * Draws counts (X_1, …, X_C) ~ Multinomial(n; w/W) into `out`, where w are the plan's integer counts and W their
 * total — the law of the cell counts of n rows drawn with replacement from rows whose cell counts are w.
 *
 * How (exact, two stages, "Poissonisation with a fix-up"):
 * 1. Draw independent P_c ~ Poisson(λ·w_c/W), λ = n − z·√n, each by inversion of a precomputed CDF with a guide
 *    table (one uniform and about two comparisons; counts of `block` or more as a sum of Poisson blocks, by
 *    additivity). Given their total T, (P_c) ~ Multinomial(T; w/W). If T > n, redraw (the decision depends on T
 *    only, so the conditional law given T is unchanged; the odds are Φ(−z) ≈ 3e−5).
 * 2. Add n − T (about z·√n) draws of single cells from the alias table: Multinomial(n − T; w/W), independent.
 * The sum of independent Multinomial(T; p) and Multinomial(n − T; p) is Multinomial(n; p) for every T, hence
 * exactly the target law. References: Devroye (1986), "Non-Uniform Random Variate Generation", §III.3 (guide
 * tables) and §XI.1 (Poissonisation of the multinomial); Walker (1977) / Vose (1991) for the alias method.
 * Tails of the tabulated Poisson laws beyond 10 sd + 20 (mass < 1e−20) are cut, as numpy's binomial inversion
 * caps its walk; uniforms have 32 bits in stage 1 (as the binomial samplers) and 53 bits for the alias draws.
 *
 * O(cells + z·√n) per call, whatever the counts (about 10 ns a cell against ~60 ns for sequential conditional
 * binomials, bench/bootstrap.bench.mjs). Uses one stream of `rng` in cell order (same rng state ⇒ same counts).
 *
 * @param rng uniform source
 * @param plan from {@link prepareCountMultinomial} (it fixes n)
 * @param out receives the counts, length ≥ plan.cells (zero-count cells are set to 0)
 */
export function countMultinomialInto(rng: Rng, plan: CountMultinomialPlan, out: Float64Array): void {
  const { index, law, cdfStart, lo, size, guideStart, guideSize, cdf, guide, n } = plan;
  const C = index.length;
  let total = 0;
  if (plan.lambda > 0) {
    for (;;) {
      // every positive cell is written (so `out` needs no clearing pass), the zero cells set to 0
      const zeros = plan.zeros;
      for (let q = 0; q < zeros.length; q++) out[zeros[q]!] = 0;
      total = 0;
      for (let q = 0; q < C; q++) {
        const l = law[q]! - 1;
        const x = l < 0 ? 0 : tableDraw(rng, cdf, guide, cdfStart[l]!, lo[l]!, size[l]!, guideStart[l]!, guideSize[l]!);
        out[index[q]!] = x;
        total += x;
      }
      const bt = plan.blockTable;
      for (let b = 0; b < plan.bigCells.length; b++) {
        let x = 0;
        for (let k = plan.bigBlocks[b]!; k > 0; k--) x += tableDraw(rng, cdf, guide, bt[0]!, bt[1]!, bt[4]!, bt[2]!, bt[3]!);
        out[index[plan.bigCells[b]!]!]! += x;
        total += x;
      }
      if (total <= n) break;
    }
  } else out.fill(0, 0, plan.cells);
  const { aliasProb, alias } = plan;
  for (let r = n - total; r > 0; r--) {
    const v = (rng() + rng() * 2 ** -32) * C;
    const k = Math.min(C - 1, Math.floor(v));
    out[index[v - k < aliasProb[k]! ? k : alias[k]!]!]! += 1;
  }
}

/** One draw from a tabulated Poisson law: guide table, then a short linear search; beyond the table, a fresh uniform. */
function tableDraw(rng: Rng, cdf: Float64Array, guide: Int32Array, s: number, lo: number, L: number, gs: number, G: number): number {
  for (;;) {
    const u = rng();
    let k = s + guide[gs + ((u * G) | 0)]!;
    while (u >= cdf[k]!) k++;
    if (k - s < L) return lo + k - s;
  }
}
