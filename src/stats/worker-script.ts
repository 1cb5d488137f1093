/**
 * Where bootstrap worker threads get their script (internal: kept out of `arena-sim/advanced`, which re-exports
 * `./bootstrap.js`).
 */
import { workerScriptFor } from '../worker-script.js';

/**
 * The bootstrap worker script: the built `bootstrap-worker.js`, or from TypeScript sources a bundle of
 * `bootstrap-worker.ts` made once per process (see {@link workerScriptFor}). Not a public API.
 */
export function workerScript(): { script: string | URL; eval: boolean; entry: string } {
  return workerScriptFor(import.meta.url, 'bootstrap-worker');
}
