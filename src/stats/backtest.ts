/**
 * Time-ordered evaluation of rating systems (`arena backtest`): walk forward through the battles; at each battle
 * every system predicts it (win / tie / loss probabilities) before seeing it, then updates. Scores: log-loss, Brier
 * and accuracy with ties as their own outcome and with ties dropped, calibration, the scores over time, and paired
 * differences between systems with moving-block bootstrap intervals.
 */
import type { BattleTable } from '../data/table.js';
import { createSystem, type OnlineOptions, type OnlineSystem, type Outcome3, type SystemSpec } from '../models/online.js';
import { accuracy3, binaryAccuracy, binaryLogLoss, blockBootstrapMeans, brier3, decisiveProbability, defaultBlock, logLoss3, type PairedDifference } from './scoring.js';

/** Options of {@link backtest}. */
export interface BacktestOptions {
  /** The systems, in report order. */
  readonly systems: readonly SystemSpec[];
  /** Shared options of the systems (the number of models is the table's). */
  readonly online: Omit<OnlineOptions, 'models'>;
  /** Equal-count time segments for the scores over time. */
  readonly segments: number;
  /** Equal-width bins of the reliability table. */
  readonly bins: number;
  /** Block-bootstrap rounds (0: no intervals), level, seed, block length (absent: ⌈n^{1/3}⌉). */
  readonly bootstrap: { readonly rounds: number; readonly level: number; readonly seed: string | number; readonly block?: number | undefined };
  /** Paired differences against this system (absent: the best by log-loss). */
  readonly reference?: string | undefined;
  /** Model ids whose ratings are recorded under every system, at `traceEvery`-battle checkpoints. */
  readonly trace?: readonly number[] | undefined;
  readonly traceEvery?: number | undefined;
  /** Extra predictors scored beside the systems (e.g. the true ratings of a simulation). */
  readonly extra?: readonly OnlineSystem[] | undefined;
  /** Called every 65,536 battles and at the end (a progress bar); never changes a result. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Mean scores of one system. */
export interface Scores {
  /** Ties as a third outcome: mean log-loss (nats), multi-class Brier, accuracy of the most likely outcome. */
  readonly logLoss: number;
  readonly brier: number;
  readonly accuracy: number;
  /** Decisive battles only, scored on P(A)/(P(A) + P(B)): binary log-loss, Brier, accuracy. */
  readonly decisiveLogLoss: number;
  readonly decisiveBrier: number;
  readonly decisiveAccuracy: number;
}

/** One bin of a reliability table (decisive battles, each counted from both seats). */
export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  /** Predictions in the bin (two per decisive battle, one per seat). */
  readonly count: number;
  /** Mean predicted win probability, and the observed win rate. */
  readonly predicted: number;
  readonly observed: number;
}

/** One system's results. */
export interface SystemBacktest {
  readonly name: string;
  readonly tieLaw: 'davidson' | 'empirical';
  readonly scores: Scores;
  /** Scores per time segment (battles seen before the segment: `segmentStart`). */
  readonly segments: readonly Scores[];
  readonly calibration: readonly CalibrationBin[];
  /** Expected calibration error Σ (count/total)·|predicted − observed| over the bins. */
  readonly ece: number;
  /** Ratings of the traced models (`trace[k][c]`: model k at checkpoint c). */
  readonly trace: readonly Float64Array[];
}

/** A paired difference of a system against the reference, per metric (system − reference: negative = better for losses). */
export interface PairedRow {
  readonly system: string;
  readonly reference: string;
  readonly logLoss: PairedDifference;
  readonly brier: PairedDifference;
  readonly accuracy: PairedDifference;
  readonly decisiveAccuracy: PairedDifference;
}

/** The result of {@link backtest}. */
export interface BacktestResult {
  readonly battles: number;
  readonly ties: number;
  readonly systems: readonly SystemBacktest[];
  readonly reference: string;
  readonly paired: readonly PairedRow[];
  /** First battle (0-based) of each segment, and one past the last. */
  readonly segmentBounds: readonly number[];
  /** Battles seen at each trace checkpoint. */
  readonly traceAt: readonly number[];
  readonly block: number;
}

/**
 * Walks forward through the table's battles in row order (a row of count c is c battles in a row): each system
 * predicts each battle before it updates on it. O(battles · systems) plus the refits of the refitted systems
 * and O(rounds · battles/ℓ) per paired difference; memory 24 bytes a battle a system.
 *
 * @throws Error when the table holds no battle
 */
export function backtest(t: BattleTable, opts: BacktestOptions): BacktestResult {
  const n = t.battles;
  if (n === 0) throw new Error('backtest needs at least one battle');
  const online: OnlineOptions = { ...opts.online, models: t.models.length };
  const systems: OnlineSystem[] = [...opts.systems.map((s) => createSystem(s, online)), ...(opts.extra ?? [])];
  const S = systems.length;
  const ll = systems.map(() => new Float64Array(n));
  const br = systems.map(() => new Float64Array(n));
  const acc = systems.map(() => new Float32Array(n));
  // decisive battles' scores, filled up to `decisive` (at most n); battle index of each decisive battle
  const decisiveAt = new Float64Array(n);
  let decisive = 0;
  const dAcc = systems.map(() => new Float64Array(n));
  const dLl = systems.map(() => new Float64Array(n));
  const dBr = systems.map(() => new Float64Array(n));
  const bins = opts.bins;
  const cCount = systems.map(() => new Float64Array(bins));
  const cPred = systems.map(() => new Float64Array(bins));
  const cObs = systems.map(() => new Float64Array(bins));
  const segs = Math.max(1, Math.min(opts.segments, n));
  const bounds = Array.from({ length: segs + 1 }, (_, s) => Math.round((s * n) / segs));
  const traceIds = opts.trace ?? [];
  const every = Math.max(1, opts.traceEvery ?? Math.ceil(n / 200));
  const traceAt: number[] = [];
  const traceVals: number[][][] = systems.map(() => traceIds.map(() => []));
  const p = new Float64Array(3);
  let ties = 0;
  let q = 0;
  const record = () => {
    traceAt.push(q);
    for (let s = 0; s < S; s++) for (let k = 0; k < traceIds.length; k++) traceVals[s]![k]!.push(systems[s]!.rating(traceIds[k]!));
  };
  if (traceIds.length) record();
  for (let r = 0; r < t.rows; r++) {
    const a = t.a[r]!;
    const b = t.b[r]!;
    const code = t.outcome[r]!;
    const o: Outcome3 = code === 0 ? 0 : code === 1 ? 1 : 2;
    for (let c = t.count[r]!; c > 0; c--) {
      if (o === 2) ties++;
      else decisiveAt[decisive] = q;
      for (let s = 0; s < S; s++) {
        const sys = systems[s]!;
        sys.predict(a, b, p);
        ll[s]![q] = logLoss3(p, o);
        br[s]![q] = brier3(p, o);
        acc[s]![q] = accuracy3(p, o);
        if (o !== 2) {
          const pa = decisiveProbability(p);
          const y = o === 0 ? 1 : 0;
          dLl[s]![decisive] = binaryLogLoss(pa, y);
          dBr[s]![decisive] = (pa - y) * (pa - y);
          dAcc[s]![decisive] = binaryAccuracy(pa, y);
          // both seats: (pa, y) and (1 − pa, 1 − y), so the table does not depend on which model sat left
          let k = Math.min(bins - 1, Math.floor(pa * bins));
          cCount[s]![k]!++;
          cPred[s]![k]! += pa;
          cObs[s]![k]! += y;
          k = Math.min(bins - 1, Math.floor((1 - pa) * bins));
          cCount[s]![k]!++;
          cPred[s]![k]! += 1 - pa;
          cObs[s]![k]! += 1 - y;
        }
        sys.update(a, b, o);
      }
      if (o !== 2) decisive++;
      q++;
      if (traceIds.length && (q % every === 0 || q === n)) record();
      if (opts.onProgress && (q & 0xffff) === 0) opts.onProgress(q, n);
    }
  }
  opts.onProgress?.(n, n);
  const mean = (x: ArrayLike<number>, from = 0, to = x.length) => {
    let s = 0;
    for (let k = from; k < to; k++) s += x[k]!;
    return to > from ? s / (to - from) : Number.NaN;
  };
  const results: SystemBacktest[] = systems.map((sys, s) => {
    const dA = dAcc[s]!.subarray(0, decisive);
    const dL = dLl[s]!.subarray(0, decisive);
    const dB = dBr[s]!.subarray(0, decisive);
    const segments: Scores[] = [];
    let d0 = 0;
    for (let g = 0; g < segs; g++) {
      const from = bounds[g]!;
      const to = bounds[g + 1]!;
      let d1 = d0;
      while (d1 < decisive && decisiveAt[d1]! < to) d1++;
      segments.push({ logLoss: mean(ll[s]!, from, to), brier: mean(br[s]!, from, to), accuracy: mean(acc[s]!, from, to), decisiveLogLoss: mean(dL, d0, d1), decisiveBrier: mean(dB, d0, d1), decisiveAccuracy: mean(dA, d0, d1) });
      d0 = d1;
    }
    let total = 0;
    let ece = 0;
    const calibration: CalibrationBin[] = [];
    for (let k = 0; k < bins; k++) total += cCount[s]![k]!;
    for (let k = 0; k < bins; k++) {
      const cnt = cCount[s]![k]!;
      const pr = cnt ? cPred[s]![k]! / cnt : Number.NaN;
      const ob = cnt ? cObs[s]![k]! / cnt : Number.NaN;
      if (cnt) ece += (cnt / total) * Math.abs(pr - ob);
      calibration.push({ lower: k / bins, upper: (k + 1) / bins, count: cnt, predicted: pr, observed: ob });
    }
    return {
      name: sys.name,
      tieLaw: sys.tieLaw,
      scores: { logLoss: mean(ll[s]!), brier: mean(br[s]!), accuracy: mean(acc[s]!), decisiveLogLoss: mean(dL), decisiveBrier: mean(dB), decisiveAccuracy: mean(dA) },
      segments,
      calibration,
      ece,
      trace: traceVals[s]!.map((v) => Float64Array.from(v)),
    };
  });
  let ref = 0;
  if (opts.reference !== undefined) {
    ref = results.findIndex((x) => x.name === opts.reference);
    if (ref < 0) throw new Error(`reference system ${JSON.stringify(opts.reference)} is not among the systems (${results.map((x) => x.name).join(', ')})`);
  } else for (let s = 1; s < S; s++) if (results[s]!.scores.logLoss < results[ref]!.scores.logLoss) ref = s;
  const block = opts.bootstrap.block ?? defaultBlock(n);
  const dBlock = opts.bootstrap.block ?? defaultBlock(decisive);
  const { rounds, level, seed } = opts.bootstrap;
  const diff = (x: ArrayLike<number>, y: ArrayLike<number>, len: number) => {
    const d = new Float64Array(len);
    for (let k = 0; k < len; k++) d[k] = x[k]! - y[k]!;
    return d;
  };
  const others = systems.map((_, s) => s).filter((s) => s !== ref);
  // every series of one length shares the block starts of each round (the same seed: the same blocks)
  const all = blockBootstrapMeans(others.flatMap((s) => [diff(ll[s]!, ll[ref]!, n), diff(br[s]!, br[ref]!, n), diff(acc[s]!, acc[ref]!, n)]), block, rounds, level, seed);
  const dec = blockBootstrapMeans(others.map((s) => diff(dAcc[s]!, dAcc[ref]!, decisive)), dBlock, rounds, level, seed);
  const paired: PairedRow[] = others.map((s, k) => ({
    system: results[s]!.name,
    reference: results[ref]!.name,
    logLoss: all[3 * k]!,
    brier: all[3 * k + 1]!,
    accuracy: all[3 * k + 2]!,
    decisiveAccuracy: dec[k]!,
  }));
  return { battles: n, ties, systems: results, reference: results[ref]!.name, paired, segmentBounds: bounds, traceAt, block };
}
