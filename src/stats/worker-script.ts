/**
 * Where bootstrap worker threads get their script (internal: kept out of `arena-sim/advanced`, which re-exports
 * `./bootstrap.js`).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The esbuild bundle of the `.ts` worker source, built once per process (see {@link workerScript}). */
let sourceBundle: string | null = null;

/**
 * The bootstrap worker script. From the built package: `bootstrap-worker.js` next to this module. From TypeScript
 * sources (under vitest, or any `.ts` loader): the `.ts` worker source beside this file and everything it imports,
 * bundled once per process with esbuild (a dev dependency) into one CommonJS script that every worker evaluates —
 * so workers never run a possibly stale `dist/`, and start as fast as the built worker (a `tsx` loader in each
 * worker costs ~0.3 s more per worker). `entry` names the worker module the script was made from. Not a public
 * API.
 */
export function workerScript(): { script: string | URL; eval: boolean; entry: string } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    const entry = new URL('./bootstrap-worker.js', here);
    return { script: entry, eval: false, entry: entry.href };
  }
  const entry = new URL('./bootstrap-worker.ts', here);
  if (sourceBundle === null) {
    const esbuild = createRequire(here)('esbuild') as typeof import('esbuild');
    const out = esbuild.buildSync({ entryPoints: [fileURLToPath(entry)], bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'silent' });
    sourceBundle = out.outputFiles[0]!.text;
  }
  return { script: sourceBundle, eval: true, entry: entry.href };
}
