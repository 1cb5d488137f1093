/**
 * A whole board's sparse sandwich variances on worker threads (the uncertainty engine's sandwich intervals on the
 * sparse path, `addIntervals`): the ids are handed out in chunks, each worker solves its chunks with
 * `sparseContrastVariances` — whose every variance depends only on its own model, never on the chunk or the thread —
 * so the result is bit-identical for any number of threads.
 */
import { Worker } from 'node:worker_threads';
import { laplacianSystem } from '../math/sparse.js';
import { type SparseSandwichData, sparseContrastVariances } from '../rating/sandwich.js';
import { defaultThreads } from './bootstrap.js';
import { workerScriptFor } from '../worker-script.js';

/**
 * Fewest models for which {@link contrastVariancesParallel} starts worker threads (below it the variances take well
 * under a second in this thread, about what starting the workers costs).
 */
export const SANDWICH_PARALLEL_MODELS = 2000;

/** Ids per chunk handed to a worker (a multiple of the solver's 8 slots, so a chunk keeps every slot busy). */
const CHUNK = 256;

/**
 * Variances of θ_v − θ_ref (ref −1: of θ_v) for every v of `ids`, natural scale, computed by
 * `sparseContrastVariances` on `threads` worker threads (default all cores; in this thread when threads ≤ 1 or
 * fewer than {@link SANDWICH_PARALLEL_MODELS} models). Bit-identical for any `threads` (tested). The workers get
 * the data by structured clone (O(pairs) copied once per worker). O(Σ CG iterations · pairs / threads), 8 solves per pass over the cells.
 *
 * @param minModels fewest models for which threads are started (default {@link SANDWICH_PARALLEL_MODELS}; never
 *   changes the result)
 * @throws Error when a solve does not converge (the information is not positive definite) or a worker fails
 */
export async function contrastVariancesParallel(data: SparseSandwichData, ids: ArrayLike<number>, ref: number, threads?: number, minModels = SANDWICH_PARALLEL_MODELS): Promise<Float64Array> {
  const n = ids.length;
  const t = Math.min(threads ?? defaultThreads(), Math.ceil(n / CHUNK));
  if (t <= 1 || data.m < minModels) return sparseContrastVariances(data, laplacianSystem(data.m, data.i, data.j, data.w, data.prior), ids, ref);
  const out = new Float64Array(n);
  const all = Int32Array.from(ids);
  const workers: Worker[] = [];
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let live = t;
      const hand = (w: Worker) => {
        if (next >= n) {
          if (--live === 0) resolve();
          return;
        }
        const from = next;
        next = Math.min(n, from + CHUNK);
        w.postMessage({ from, ids: all.slice(from, next) });
      };
      for (let k = 0; k < t; k++) {
        const spec = workerScriptFor(import.meta.url, 'sandwich-worker');
        const w = new Worker(spec.script, { workerData: { data, ref }, eval: spec.eval });
        workers.push(w);
        w.on('message', (msg: { from: number; variances?: Float64Array; error?: string }) => {
          if (msg.error !== undefined) {
            reject(new Error(msg.error));
            return;
          }
          out.set(msg.variances!, msg.from);
          hand(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (code !== 0) reject(new Error(`sandwich worker exited with code ${code}`));
        });
        hand(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}
