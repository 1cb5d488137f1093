/**
 * Where worker threads get their script (internal, not re-exported): the bootstrap workers
 * (`stats/worker-script.ts`) and the Parquet decoder (`data/parquet-worker.ts`).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The esbuild bundle of each `.ts` worker source, built once per process (see {@link workerScriptFor}). */
const sourceBundles = new Map<string, string>();

/**
 * The script of the worker module `name` beside the module at `here` (pass `import.meta.url`). From the built
 * package: `name.js` next to that module. From TypeScript sources (under vitest, or any `.ts` loader): the `.ts`
 * worker source and everything it imports, bundled once per process with esbuild (a dev dependency) into one
 * CommonJS script that every worker evaluates — so workers never run a possibly stale `dist/`, and start as fast as
 * the built worker (a `tsx` loader in each worker costs ~0.3 s more per worker). `entry` names the worker module the
 * script was made from.
 */
export function workerScriptFor(here: string, name: string): { script: string | URL; eval: boolean; entry: string } {
  if (!here.endsWith('.ts')) {
    const entry = new URL(`./${name}.js`, here);
    return { script: entry, eval: false, entry: entry.href };
  }
  const entry = new URL(`./${name}.ts`, here);
  let bundle = sourceBundles.get(entry.href);
  if (bundle === undefined) {
    const esbuild = createRequire(here)('esbuild') as typeof import('esbuild');
    const out = esbuild.buildSync({ entryPoints: [fileURLToPath(entry)], bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'silent' });
    bundle = out.outputFiles[0]!.text;
    sourceBundles.set(entry.href, bundle);
  }
  return { script: bundle, eval: true, entry: entry.href };
}
