import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type BootstrapJob, jobExtras, jobHasControl, prepareRounds, type RoundStats, runRounds } from './bootstrap-rounds.js';
import { workerScript } from './worker-script.js';

/** Options of {@link bootstrapRatings}. */
export interface BootstrapOptions {
  /** Number of rounds R (≥ 1). */
  readonly rounds: number;
  /** Seed: round r draws from `deriveRng(seed, 'bootstrap', r)`. */
  readonly seed: string | number;
  /** Worker threads (1 = run in this thread). Default: all cores. Does not change the result. */
  readonly threads?: number | undefined;
  /** Called with the number of rounds done (for a progress bar). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  /**
   * Least estimated work ({@link bootstrapWork}) for which worker threads are started; below it the rounds run in
   * this thread, since starting a worker costs ~50–300 ms. Default {@link PARALLEL_MIN_WORK}. Never changes the result.
   */
  readonly minParallelWork?: number;
}

/** Default {@link BootstrapOptions.minParallelWork}: about 0.2 s of single-thread work. */
export const PARALLEL_MIN_WORK = 2e7;

/**
 * A rough cost of a bootstrap in units of ~10 ns (an order of magnitude only: it decides whether workers are
 * worth starting): BT rounds cost about one unit per cell (the Poissonised draw, ~20 ns a cell) plus six refit
 * iterations of m² for the triangular solves; Elo rounds about five units per replayed battle. O(1).
 */
export function bootstrapWork(job: BootstrapJob, rounds: number): number {
  const m = job.models;
  switch (job.kind) {
    case 'bt':
      return rounds * (job.counts.length + 6 * m * m);
    case 'elo':
      return rounds * 5 * job.a.length;
    case 'tie':
      return rounds * (job.counts.length + 4 * m * m * m);
    case 'style':
      return rounds * (200 * job.table.rows + 4 * m * m * m);
  }
}

/** Bootstrap ratings: R rounds × m models, display scale, the same anchor shift as the point fit. */
export interface BootstrapDistribution {
  readonly rounds: number;
  readonly models: number;
  /** Row-major R × m: round r, model v at `r·m + v`. */
  readonly ratings: Float64Array;
  /**
   * Likelihood models (Bradley–Terry, tie models, style control; null for online Elo): each round's control
   * variate, laid out like `ratings` — the one-step estimate from the full-data fit, linear in the resampled
   * counts (see `./linearisation` and `./control-variate`).
   */
  readonly control?: Float64Array | null;
  /** BT rounds refitted by full Newton (the fixed-Hessian iteration did not settle). */
  readonly fallbacks: number;
  /** Rounds whose resample had no maximum-likelihood estimate (fitted with a small ridge prior). */
  readonly degenerate: number;
  /** Tie-model and style rounds whose refit did not converge (last iterate kept). */
  readonly unconverged: number;
  /** Extra parameters per round (η for tie models; β then η for style control; 0 otherwise). */
  readonly extras: number;
  /** Row-major R × extras, natural scale, or null when extras = 0. */
  readonly extra: Float64Array | null;
}

/** Default number of worker threads: all cores (`os.availableParallelism()`). */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The bootstrap distribution of ratings: R resamples of the battles, each refitted (Bradley–Terry: multinomial
 * over aggregated cells, fixed-Hessian refit warm-started at the full-data fit; online Elo: battles resampled and
 * replayed in their original order — see {@link BtBootstrapJob} and {@link EloBootstrapJob}).
 *
 * Determinism: round r uses only `deriveRng(seed, 'bootstrap', r)` and the full-data state, so the output is
 * bit-identical for any `threads`. With threads > 1 (and enough work, see `minParallelWork`) rounds are handed out in chunks to `node:worker_threads`
 * workers (the worker script is the built `dist/stats/bootstrap-worker.js`; from TypeScript sources, e.g. under
 * vitest, a bundle of the `.ts` worker source, see {@link workerScript}).
 *
 * O(R · cost of a round / threads): a BT round costs O(cells) for the multinomial draw plus O(iterations ·
 * (pairs + m²)) for the refit; an Elo round O(battles).
 *
 * Reference: Efron & Tibshirani (1993), "An Introduction to the Bootstrap"; FastChat `get_bootstrap_result`;
 * lmarena/arena-rank (multinomial cell weights).
 */
export async function bootstrapRatings(job: BootstrapJob, opts: BootstrapOptions): Promise<BootstrapDistribution> {
  const R = opts.rounds;
  if (!(Number.isInteger(R) && R >= 1)) throw new RangeError(`bootstrapRatings requires rounds ≥ 1, got ${R}`);
  const threads = Math.min(opts.threads ?? defaultThreads(), R);
  if (threads <= 1 || bootstrapWork(job, R) < (opts.minParallelWork ?? PARALLEL_MIN_WORK)) return bootstrapRatingsSync(job, opts);
  const m = job.models;
  const ratings = new Float64Array(R * m);
  const control = jobHasControl(job) ? new Float64Array(R * m) : null;
  const e = jobExtras(job);
  const extra = e ? new Float64Array(R * e) : null;
  const chunk = Math.max(1, Math.ceil(R / (threads * 8)));
  let next = 0;
  let done = 0;
  const stats: RoundStats = { fallbacks: 0, degenerate: 0, unconverged: 0 };
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let live = threads;
      const hand = (w: Worker) => {
        if (next >= R) {
          live--;
          if (live === 0) resolve();
          return;
        }
        const from = next;
        const to = Math.min(R, from + chunk);
        next = to;
        w.postMessage({ type: 'run', from, to });
      };
      for (let t = 0; t < threads; t++) {
        const spec = workerScript();
        const w = new Worker(spec.script, { workerData: { job, seed: opts.seed }, eval: spec.eval });
        workers.push(w);
        w.on('message', (msg: { from: number; to: number; ratings: Float64Array; control: Float64Array | null; extra: Float64Array | null; stats: RoundStats }) => {
          ratings.set(msg.ratings, msg.from * m);
          if (control && msg.control) control.set(msg.control, msg.from * m);
          if (extra && msg.extra) extra.set(msg.extra, msg.from * e);
          stats.fallbacks += msg.stats.fallbacks;
          stats.degenerate += msg.stats.degenerate;
          stats.unconverged += msg.stats.unconverged;
          done += msg.to - msg.from;
          opts.onProgress?.(done, R);
          hand(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (code !== 0) reject(new Error(`bootstrap worker exited with code ${code}`));
        });
        hand(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { rounds: R, models: m, ratings, control, extras: e, extra, ...stats };
}

/** {@link bootstrapRatings} in this thread only (synchronous). */
export function bootstrapRatingsSync(job: BootstrapJob, opts: Omit<BootstrapOptions, 'threads'>): BootstrapDistribution {
  const R = opts.rounds;
  if (!(Number.isInteger(R) && R >= 1)) throw new RangeError(`bootstrapRatings requires rounds ≥ 1, got ${R}`);
  const runner = prepareRounds(job, opts.seed);
  const ratings = new Float64Array(R * job.models);
  const control = runner.hasControl ? new Float64Array(R * job.models) : null;
  const extra = runner.extras ? new Float64Array(R * runner.extras) : null;
  const stats: RoundStats = { fallbacks: 0, degenerate: 0, unconverged: 0 };
  runRounds(runner, 0, R, ratings, stats, (r) => opts.onProgress?.(r + 1, R), control ?? undefined, extra ?? undefined);
  return { rounds: R, models: job.models, ratings, control, extras: runner.extras, extra, ...stats };
}
