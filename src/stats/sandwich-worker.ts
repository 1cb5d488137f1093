/**
 * Worker-thread entry of {@link ../stats/sandwich-parallel.contrastVariancesParallel}: builds the sparse sandwich's
 * system once (workerData), then computes the variances of the chunks of ids it is sent (`{ from, ids }`) and posts
 * them back. Not a public API.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { laplacianSystem } from '../math/sparse.js';
import { type SparseSandwichData, sparseContrastVariances } from '../rating/sandwich.js';

const { data, ref } = workerData as { data: SparseSandwichData; ref: number };
const sys = laplacianSystem(data.m, data.i, data.j, data.w, data.prior);
parentPort!.on('message', (msg: { from: number; ids: Int32Array }) => {
  try {
    const variances = sparseContrastVariances(data, sys, msg.ids, ref);
    parentPort!.postMessage({ from: msg.from, variances }, [variances.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ from: msg.from, error: e instanceof Error ? e.message : String(e) });
  }
});
